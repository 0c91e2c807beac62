"""What a step asks before it runs, as an operator meets it in a terminal: placeholders with the
runbook's description and example (an example is never the default), no empty value taken by
Enter unless the runbook declares one, defaults only when declared or computed from what exists,
and a variable a skipped step would have set asked for, never run empty (issues 13 and 14)."""

from __future__ import annotations

import json
from pathlib import Path

from support.runs import journal, write
from support.terminal import answer, finish, spawn, without_terminal

HUB = """
    ## Procedure 1: Deploy to a hub

    1. **Deploy**

       Deploy, where `<hub>` is the name of the hub to deploy to.

       ```bash
       echo "deploy <hub>" > deployed.txt
       echo k8s-context-name > context.txt
       ```

       If using Docker Desktop, `k8s-context-name` is `docker-desktop`.

    2. **Check the same hub**

       ```bash
       echo "check <hub>" > checked.txt
       ```
    """


def test_a_placeholder_is_asked_once_with_its_description_and_example_never_as_default(
    tmp_path: Path,
) -> None:
    rb = write(tmp_path, HUB)
    child = spawn(tmp_path, "run", str(rb))
    answer(child, "? Value for <hub> (in 1.1): the name of the hub to deploy to: ", "")
    answer(child, "an empty value cannot fill <hub>: type one", "prod-eu")
    # The example is shown as one, and Enter does not take it.
    answer(
        child,
        "? Value for k8s-context-name (in 1.1): the runbook says to put yours in its place, "
        "e.g. docker-desktop: ",
        "",
    )
    answer(child, "an empty value cannot fill k8s-context-name: type one", "kind-dev")
    answer(child, "? Run 1.1", "r")
    answer(child, "? Run 1.2", "r")  # <hub> again: not asked a second time
    assert finish(child) == 0
    transcript = child.before or ""
    assert "[docker-desktop]" not in transcript
    assert (tmp_path / "deployed.txt").read_text() == "deploy prod-eu\n"
    assert (tmp_path / "context.txt").read_text() == "kind-dev\n"
    assert (tmp_path / "checked.txt").read_text() == "check prod-eu\n"
    asked = [e["data"]["name"] for e in journal(tmp_path) if e["type"] == "input.set"]
    assert asked == ["placeholder:<hub>", "placeholder:k8s-context-name"]


def test_enter_takes_a_declared_default_an_empty_one_too_and_nothing_else(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ---
        variables:
          REGION: {prompt: "Region", default: "eu-west-1"}
          SUFFIX: {prompt: "Suffix (may be empty)", default: ""}
        ---
        ## Procedure 1: Name things

        1. **Write the name**

           ```bash
           echo "$TARGET-$REGION$SUFFIX" > name.txt
           ```
        """,
    )
    child = spawn(tmp_path, "run", str(rb))
    answer(child, "? Value for $TARGET (used by 1.1): ", "")
    answer(child, "an empty value is not taken for $TARGET", "blue")
    answer(child, "? Region [eu-west-1]: ", "")
    answer(child, "? Suffix (may be empty) []: ", "")
    answer(child, "? Run 1.1", "r")
    assert finish(child) == 0
    assert (tmp_path / "name.txt").read_text() == "blue-eu-west-1\n"


def test_a_variable_only_a_skipped_step_sets_is_asked_never_run_empty(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Roll back

        1. **Find the stable tag**

           ```bash
           export STABLE_TAG=v1.0
           ```

        2. **Check it out**

           ```bash
           echo "checkout '$STABLE_TAG'" > out.txt
           ```
        """,
    )
    stopped = without_terminal(tmp_path, "run", str(rb), "--yes", "--answer", "1.1:run=s")
    assert stopped.returncode == 2
    assert "Value for $STABLE_TAG (used by 1.2); 1.1 sets it, and was skipped" in stopped.stderr
    assert "--var STABLE_TAG=VALUE" in stopped.stderr
    assert not (tmp_path / "out.txt").exists()
    given = without_terminal(
        tmp_path, "run", str(rb), "--yes", "--answer", "1.1:run=s", "--var", "STABLE_TAG=v0.9"
    )
    assert given.returncode == 0, given.stderr
    assert (tmp_path / "out.txt").read_text() == "checkout 'v0.9'\n"


def test_a_timestamped_file_name_offers_the_newest_existing_file_never_the_runbook_s(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Restore settings

        1. **Restore**

           ```bash
           cp settings-20251120-100000.env restored.env
           ```
        """,
    )
    child = spawn(tmp_path, "run", str(rb))
    child.expect_exact("? Value for settings-20251120-100000.env (in 1.1): ")
    assert "[settings-20251120-100000.env]" not in (child.before or "") + (child.after or "")
    child.sendintr()
    answer(child, "stop the run here (resume it later)? [y/N]: ", "y")  # Ctrl-C asks first
    finish(child)
    (tmp_path / "settings-20260105-090000.env").write_text("NEW=1\n")
    (tmp_path / "settings-20251231-090000.env").write_text("OLD=1\n")
    old = tmp_path / "settings-20251231-090000.env"
    import os

    os.utime(old, (1_700_000_000, 1_700_000_000))
    (tmp_path / "runs").rename(tmp_path / "runs-first")
    child = spawn(tmp_path, "run", str(rb))
    answer(child, "? Value for settings-20251120-100000.env (in 1.1) [settings-20260105-090000.env]: ", "")
    answer(child, "? Run 1.1", "r")
    assert finish(child) == 0
    assert (tmp_path / "restored.env").read_text() == "NEW=1\n"
    [value] = [e["data"]["value"] for e in journal(tmp_path) if e["type"] == "input.set"]
    assert json.dumps(value) == '"settings-20260105-090000.env"'
