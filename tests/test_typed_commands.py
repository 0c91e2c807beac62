"""Commands typed elsewhere (in psql, a Rails console, inside `ssh host` or a pod's shell): every
view shows them apart and never as commands that run here: the graph, `runbook list`, the dry run,
the run's screen, validate and the site (issue 13)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from support.runs import write
from support.terminal import without_terminal

from interpreter.cli import main
from interpreter.infer.load import load_text
from interpreter.plan.graph import graph_json
from interpreter.validate import validate_file

JOBS = """
    # Stuck jobs

    **Owner:** queue team
    **Next Review:** 2099-01-01

    ## Procedure 1: Clear stuck jobs

    1. **Count them**

       ```sh
       jobs=# SELECT count(*) FROM jobs WHERE state = 'stuck';
       jobs=# DROP TABLE stuck_jobs;
       ```

    2. **Clear the worker's cache on its host**

       ```bash
       ssh <worker-host>
       ```

    3. **Remove the cache there**

       ```bash
       rm -rf /var/cache/worker/<queue-name>
       exit
       ```

    4. **Check locally**

       ```bash
       echo checked > checked.txt
       ```
    """


def _graph(text: str) -> dict[str, Any]:
    return graph_json(load_text(text, "jobs.md"))


def _node(graph: dict[str, Any], node_id: str) -> dict[str, Any]:
    return next(n for n in graph["procedures"][0]["nodes"] if n["id"] == node_id)


def test_the_graph_reads_typed_commands_in_their_language_and_carries_them_to_the_session() -> None:
    import textwrap

    graph = _graph(textwrap.dedent(JOBS))
    count = _node(graph, "1.1")
    # `DROP TABLE` typed into psql is read as SQL: destructive, and its word is DROP.
    assert [c["destructive"] != [] for c in count["blocks"][0]["typed"]] == [False, True]
    assert count["flags"]["confirm"] == "typed" and count["flags"]["confirm_word"] == "DROP"
    # The step that goes onto the host carries what the next step types there, and is destructive
    # for it: the word is asked before going in, not after coming back.
    go_in = _node(graph, "1.2")
    [ssh] = go_in["blocks"][0]["commands"]
    assert ssh["session"] == "ssh <worker-host>"
    assert [(i["step"], i["text"]) for i in ssh["inside"]] == [
        ("1.3", "rm -rf /var/cache/worker/<queue-name>"),
        ("1.3", "exit"),
    ]
    assert go_in["flags"]["destructive"] and go_in["flags"]["confirm"] == "typed"
    assert not go_in["flags"]["never_ending"]  # a session is left by the operator, not stopped
    # The session ended with `exit`: step 4 runs here again.
    assert [c["text"] for c in _node(graph, "1.4")["blocks"][0]["commands"]] == ["echo checked > checked.txt"]


def test_a_transcript_s_session_ends_with_its_block() -> None:
    graph = _graph(
        "## Procedure 1: Look\n\n"
        "1. **Open psql**\n\n   ```console\n   $ psql -h db app\n   app=# SELECT 1;\n   ```\n\n"
        "2. **Then locally**\n\n   ```bash\n   echo local\n   ```\n"
    )
    assert [c["text"] for c in _node(graph, "1.2")["blocks"][0]["commands"]] == ["echo local"]
    assert _node(graph, "1.2")["blocks"][0]["typed"] == []


def test_list_and_dry_run_show_where_commands_are_typed(tmp_path: Path) -> None:
    rb = write(tmp_path, JOBS)
    listed = CliRunner().invoke(main, ["list", str(rb), "--json"])
    flags = {n["id"]: n["flags"] for n in json.loads(listed.output)["units"][0]["nodes"]}
    assert "2 commands typed in psql" in flags["1.1"]
    assert "opens a session: ssh <worker-host>" in flags["1.2"]
    assert "2 commands typed inside ssh <worker-host>" in flags["1.3"]
    planned = CliRunner().invoke(main, ["run", str(rb), "--dry-run"])
    assert planned.exit_code == 0, planned.output
    plan = planned.output.splitlines()
    # Nothing typed elsewhere is printed as a `$ ` command, as if it ran here.
    assert not [
        line for line in plan if line.strip().startswith("$") and ("SELECT" in line or "rm -rf" in line)
    ]
    text = "\n".join(line.strip() for line in plan)
    assert "typed in psql (shown, not run):\n> SELECT count(*) FROM jobs WHERE state = 'stuck';\n" in text
    assert "> DROP TABLE stuck_jobs; (destructive)" in text
    assert "$ ssh <worker-host> (opens a session: the terminal is yours until you leave it)" in text
    assert "1.3  > rm -rf /var/cache/worker/<queue-name> (destructive)" in text
    assert "asks 1.2:inside=yes|no after the session" in text


def test_nothing_typed_elsewhere_runs_here(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Console work

        1. **In the Rails console**

           ```
           irb(main):001:0> File.write("from-irb.txt", "x")
           ```

        2. **In psql**

           ```sh
           app=# \\! touch from-psql.txt
           ```

        3. **Here**

           ```bash
           echo here > here.txt
           ```
        """,
    )
    done = without_terminal(tmp_path, "run", str(rb), "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "here.txt").exists()
    assert not (tmp_path / "from-irb.txt").exists() and not (tmp_path / "from-psql.txt").exists()
    assert "type these yourself, in irb:" in done.stdout
    assert 'File.write("from-irb.txt", "x")' in done.stdout
    assert "type these yourself, in psql:" in done.stdout


def test_validate_judges_typed_commands_but_never_calls_them_not_shell(tmp_path: Path) -> None:
    rb = write(tmp_path, JOBS)
    found = {(f.rule, f.line) for f in validate_file(rb, dt.date(2030, 1, 1), shellcheck=False).findings}
    messages = {f.message for f in validate_file(rb, dt.date(2030, 1, 1), shellcheck=False).findings}
    assert not [rule for rule, _ in found if rule == "code/not-shell"]
    # Destructive commands typed in psql and on the host are warned about like any other.
    assert ("safety/unwarned-destructive", 12) in found
    assert ("safety/unwarned-destructive", 24) in found
    assert ("inputs/placeholder", 24) in found
    assert "placeholder <queue-name> (angle) is left in a command typed inside ssh <worker-host>" in messages


def test_a_syntax_error_typed_in_a_session_is_not_an_error_of_the_run(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Host work

        1. **On the host**

           ```bash
           ssh db-1
           for f in /etc/motd; do cat "$f"; don
           exit
           ```

        2. **Here**

           ```bash
           for f in *.txt; do cat "$f"; don
           ```
        """,
    )
    findings = validate_file(rb, dt.date(2030, 1, 1), shellcheck=False).findings
    syntax = [(f.rule, f.severity) for f in findings if f.rule.startswith("code/shell-syntax")]
    # The broken loop typed on the host is the reader's to fix; the one run here fails the gate.
    assert ("code/shell-syntax", "error") in syntax
    assert [f.line for f in findings if f.rule == "code/shell-syntax"] == [14]


def test_the_site_says_where_commands_go_and_stays_safe(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Pod work

        1. **Into the pod**

           ```bash
           kubectl exec -it "pod<img src=x onerror=alert(1)>" -- bash
           rm -rf /srv/cache
           ```
        """,
    )
    built = CliRunner().invoke(main, ["site", str(rb), "-o", str(tmp_path / "site")])
    assert built.exit_code == 0, built.output
    page = (tmp_path / "site" / "rb.html").read_text("utf-8")
    assert 'class="typed-note"' in page
    assert "runs with the terminal handed over" in page
    assert "1 command inside kubectl exec -it" in page
    assert "<img src=x" not in page  # escaped everywhere: in the code, the note and the drawing
    assert "⇥ opens a session" in page


def test_code_in_the_session_s_language_is_typed_there_and_other_content_is_shown(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Check the token

        1. **Write the settings**

           Put this in `app.yaml`:

           ```yaml
           replicas: 3
           ```

        2. **Open a console on the app**

           ```bash
           kubectl exec -it deploy/app -- rails c
           ```

           Then check the token works:

           ```ruby
           Client.new(token: ENV["API_TOKEN"]).ping
           ```
        """,
    )
    graph = graph_json(load_text(rb.read_text(), str(rb)))
    console = _node(graph, "1.2")
    [ruby] = [b for b in console["blocks"] if b["lang"] == "ruby"]
    assert [(c["text"], c["where"]) for c in ruby["typed"]] == [
        ('Client.new(token: ENV["API_TOKEN"]).ping', "kubectl exec -it deploy/app -- rails c")
    ]
    done = without_terminal(tmp_path, "run", str(rb), "--yes", "--answer", "1.2:run=s")
    assert done.returncode == 0, done.stdout + done.stderr
    # The run's screen shows the file content to write, as written, though nothing runs it.
    assert "yaml (shown, not run):\n  │ replicas: 3" in done.stdout
    planned = CliRunner().invoke(main, ["run", str(rb), "--dry-run"])
    assert "shows yaml (1 line, not run)" in planned.output
    assert "typed inside kubectl exec -it deploy/app -- rails c (shown, not run):" in planned.output


def test_an_answer_about_a_session_given_in_advance_is_checked_before_anything_runs(tmp_path: Path) -> None:
    rb = write(tmp_path, JOBS)
    refused = without_terminal(tmp_path, "run", str(rb), "--answer", "1.2:inside=maybe")
    assert refused.returncode == 2
    assert "--answer 1.2:inside='maybe' is not an answer it takes" in refused.stderr
    assert not (tmp_path / "runs").exists()


def test_a_cluster_command_after_a_pod_s_shell_runs_here_again() -> None:
    graph = _graph(
        "## Procedure 1: Expose\n\n"
        "1. **Install rsync in the pod**\n\n   ```bash\n   kubectl -n hub exec -it deploy/nfs -- /bin/sh\n"
        "   apk add rsync\n   ```\n\n"
        "2. **Expose it**\n\n   ```bash\n   kubectl -n hub expose deploy nfs --port=2222\n   ```\n\n"
        "3. **On the bastion**\n\n   ```bash\n   ssh bastion-1\n   ```\n\n"
        "4. **From the bastion**\n\n   ```bash\n   kubectl get nodes\n   ```\n"
    )
    assert [c["text"] for c in _node(graph, "1.1")["blocks"][0]["typed"]] == ["apk add rsync"]
    assert [c["text"] for c in _node(graph, "1.2")["blocks"][0]["commands"]] == [
        "kubectl -n hub expose deploy nfs --port=2222"
    ]
    # A bastion reached with ssh usually holds the cluster's credentials: typed there.
    assert [c["where"] for c in _node(graph, "1.4")["blocks"][0]["typed"]] == ["ssh bastion-1"]
