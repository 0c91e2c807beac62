"""Hostile names and leaking secrets (issue 17, items 6, 10, 12 and 13), each reproduced first.

6: a name bash reads as code (`BASH_FUNC_ls%%`, `SHELLOPTS`…) from --var, answers or an edited
journal runs code on the machine of whoever runs or resumes. 10: a value ending in a newline
passes a `$`-anchored check. 12: passwords in URLs as libpq reads them. 13: transformed secrets,
weak secrets, secrets made inside a step.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from support.runs import journal, run, run_files, write

from interpreter.cli import main

PWNED = "touch {tmp}/pwned"


def _nothing_ran(tmp: Path) -> None:
    assert not (tmp / "pwned").exists()


def _everything_written(tmp: Path, *extra: str) -> str:
    return "\n".join([*extra, *(text for _, text in run_files(tmp))])


# -- 6: names that are code ----------------------------------------------------------------------

LS = """
    ## Procedure 1: List
    1. **List**
       ```bash
       ls > listing.txt
       ```
    """


@pytest.mark.parametrize(
    "door",
    [
        ("--var", "BASH_FUNC_ls%%=() {{ {pwned}; }}"),
        ("--var", "SHELLOPTS=xtrace"),
        ("--var", "BASH_ENV={tmp}/evil.sh"),
        ("--var", "LD_PRELOAD={tmp}/evil.so"),
        ("--answer", "var:PS4=$({pwned})"),
    ],
)
def test_a_variable_name_bash_reads_as_code_is_refused(tmp_path: Path, door: tuple[str, str]) -> None:
    rb = write(tmp_path, LS)
    (tmp_path / "evil.sh").write_text(PWNED.format(tmp=tmp_path) + "\n")
    flag, pair = door[0], door[1].format(pwned=PWNED.format(tmp=tmp_path), tmp=tmp_path)
    result = run(tmp_path, str(rb), "-p", "1", "--yes", flag, pair)
    assert result.exit_code == 2, result.output
    name = pair.split("=", 1)[0].removeprefix("var:")
    assert f"refused variable name {name!r}" in result.stderr and len(result.stderr.strip().split("\n")) == 1
    assert not (tmp_path / "runs").exists()
    _nothing_ran(tmp_path)


def test_an_answers_file_naming_bash_env_is_refused(tmp_path: Path) -> None:
    rb = write(tmp_path, LS)
    answers = tmp_path / "answers.yaml"
    answers.write_text("vars:\n  BASH_ENV: /tmp/evil.sh\n", "utf-8")
    result = run(tmp_path, str(rb), "-p", "1", "--yes", "--answers", str(answers))
    assert result.exit_code == 2 and "refused variable name 'BASH_ENV'" in result.stderr


def test_an_edited_journal_restoring_a_function_is_refused_on_resume(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Two steps
        1. **Define a helper for later steps**
           ```bash
           greet() { echo hello; }; export -f greet; export RELEASE=v1
           ```
        2. **Fail once**
           ```bash
           test -f go
           ls > listing.txt
           ```
        """,
    )
    assert run(tmp_path, str(rb), "-p", "1", "--yes").exit_code == 1
    [directory] = (tmp_path / "runs").iterdir()
    path = directory / "journal.jsonl"
    events = [json.loads(line) for line in path.read_text().splitlines()]
    first = next(e for e in events if e["type"] == "step.finished" and e["step"] == "1.1")
    # On write: the step's exported function is not journaled, its plain variable is.
    assert first["data"]["exports"] == {"RELEASE": "v1"}
    # An edited journal restores `ls` as code that would run on the resumer's machine.
    first["data"]["exports"]["BASH_FUNC_ls%%"] = "() { " + PWNED.format(tmp=tmp_path) + "; }"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    (tmp_path / "go").touch()
    resumed = CliRunner().invoke(
        main, ["resume", directory.name, "--yes", "--runs-dir", str(tmp_path / "runs")]
    )
    assert resumed.exit_code == 3, resumed.output
    assert "'BASH_FUNC_ls%%', refused: bash reads it as a function definition" in resumed.stderr
    _nothing_ran(tmp_path)
    assert not (tmp_path / "listing.txt").exists()


def test_a_resume_lists_the_variables_it_restores(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Two steps
        1. **Add a tool folder**
           ```bash
           export PATH="$PATH:/opt/tool/bin" RELEASE=v1
           ```
        2. **Fail once**
           ```bash
           test -f go
           ```
        """,
    )
    assert run(tmp_path, str(rb), "-p", "1", "--yes").exit_code == 1
    [directory] = (tmp_path / "runs").iterdir()
    (tmp_path / "go").touch()
    resumed = CliRunner().invoke(
        main, ["resume", directory.name, "--yes", "--runs-dir", str(tmp_path / "runs")]
    )
    assert resumed.exit_code == 0, resumed.output
    assert "variables restored from the journal: PATH, RELEASE" in resumed.output


# -- 10: a value ending in a newline -------------------------------------------------------------


def test_a_placeholder_value_ending_in_a_newline_is_refused(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Tag
        1. **Deploy**
           ```bash
           echo deploying <stable-tag> > deployed.txt
           ```
        """,
    )
    answers = tmp_path / "answers.yaml"
    answers.write_text('answers:\n  "placeholder:<stable-tag>": "v1.2\\n"\n', "utf-8")
    for extra in (["--answers", str(answers)], ["--answer", "placeholder:<stable-tag>=v1.2\n"]):
        result = run(tmp_path, str(rb), "-p", "1", "--yes", *extra)
        assert result.exit_code == 2 and "cannot fill <stable-tag>" in result.stderr, result.output
        assert not (tmp_path / "deployed.txt").exists()
    named = tmp_path / "named.yaml"
    named.write_text('vars:\n  "RELEASE\\n": v1\n', "utf-8")
    result = run(tmp_path, str(rb), "-p", "1", "--yes", "--answers", str(named))
    assert result.exit_code == 2 and "does not match" in result.stderr


# -- 12: passwords in URLs -----------------------------------------------------------------------

SQL = """
    ## Procedure 1: Query
    1. **Count**
       ```sql
       SELECT 1;
       ```
    """


@pytest.mark.parametrize(
    ("url", "password", "pieces"),
    [
        ("postgresql://postgres:Sup3r#Pw-x9@127.0.0.1:5432/nowhere_db", "Sup3r#Pw-x9", ["Sup3r#Pw", "Pw-x9"]),
        ("postgresql://postgres:pa?ss-word9@127.0.0.1:5432/nowhere_db", "pa?ss-word9", ["ss-word9"]),
        (
            "postgresql://postgres@127.0.0.1:5432/nowhere_db?password=qs-secret#tail-91",
            "qs-secret#tail-91",
            ["tail-91"],
        ),
        ("postgresql://postgres:p@ssw0rd-frag@127.0.0.1:5432/postgres", "p@ssw0rd-frag", ["ssw0rd-frag"]),
    ],
)
def test_url_passwords_as_libpq_reads_them_are_never_written(
    tmp_path: Path, database: str, url: str, password: str, pieces: list[str]
) -> None:
    rb = write(tmp_path, SQL)
    result = run(tmp_path, str(rb), "-p", "1", "--yes", "--db", url)
    assert result.exit_code == 1, result.output  # the database does not exist, or the host
    assert "••••" in result.output
    dry = run(tmp_path, str(rb), "-p", "1", "--dry-run", "--db", url)
    assert dry.exit_code == 0
    written = _everything_written(tmp_path, result.output, result.stderr, dry.output)
    for secret in (password, *pieces):
        assert secret not in written, secret


def test_the_dry_run_hides_database_url_passwords(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Dump
        1. **Dump**
           ```bash
           pg_dump "$DATABASE_URL" > dump.sql
           ```
        """,
    )
    conninfo = "host=db password='it\\'s-a-pw x9' dbname=app"
    for value, secret in (
        ("postgresql://app:Dr%23yRun-pw@db/app", "Dr#yRun-pw"),
        ("postgresql://app@db/app?password=dry-run-q1", "dry-run-q1"),
        (conninfo, "s-a-pw x9"),
    ):
        result = run(tmp_path, str(rb), "-p", "1", "--dry-run", env={"DATABASE_URL": value})
        assert result.exit_code == 0 and "$DATABASE_URL: = " in result.output, result.output
        assert secret not in result.output and quote(secret, safe="") not in result.output


def test_a_known_secret_in_a_sql_error_is_masked_on_screen_and_in_the_event(
    tmp_path: Path, database: str
) -> None:
    secret = "sql-err-secret-55aa"
    rb = write(
        tmp_path,
        f"""
        ## Procedure 1: Break
        1. **Cast it**
           ```sql
           SELECT '{secret}'::int;
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes", "--db", database, env={"API_TOKEN": secret})
    assert result.exit_code == 1 and "invalid input syntax" in result.output, result.output
    [finished] = [e for e in journal(tmp_path) if e["type"] == "step.finished"]
    assert "invalid input syntax" in finished["data"]["commands"][0]["error"]
    assert secret not in _everything_written(tmp_path, result.output, result.stderr)


# -- 13: transformed, weak and late secrets ------------------------------------------------------

QUOTED = "Sup3r'S3cret/Val+ue?x"
"""A secret whose forms differ: a quote (set -x), / and + (base64 alphabet, URL encoding), case."""


def test_transformed_secrets_are_masked(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        r"""
        ## Procedure 1: Encode
        1. **Print it every way**
           ```bash
           printf '%s' "$API_TOKEN" | base64 -w0; echo
           printf 'u:%s' "$API_TOKEN" | base64 -w0; echo
           printf 'us:%s' "$API_TOKEN" | base64 -w0; echo
           printf 'usr:%s' "$API_TOKEN" | base64 -w0 | tr '+/' '-_'; echo
           python3 -c 'import os, urllib.parse as u; print(u.quote(os.environ["API_TOKEN"], safe=""), u.quote_plus(os.environ["API_TOKEN"]))'
           printf '%s\n' "$API_TOKEN" | tr a-z A-Z
           printf '%s\n' "$API_TOKEN" | tr A-Z a-z
           set -x; : "$API_TOKEN"; set +x
           printf '%q\n' "$API_TOKEN"
           python3 -c 'import json, os; print(json.dumps({"t": os.environ["API_TOKEN"]}))'
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes", env={"API_TOKEN": QUOTED})
    assert result.exit_code == 0, result.output
    raw = QUOTED.encode()
    spellings = {
        "base64": base64.b64encode(raw).decode(),
        "base64 at 2": base64.b64encode(b"u:" + raw).decode()[4:],
        "base64 at 0": base64.b64encode(b"us:" + raw).decode()[4:],
        "base64 at 1, url-safe": base64.urlsafe_b64encode(b"usr:" + raw).decode()[8:],
        "url": quote(QUOTED, safe=""),
        "upper": QUOTED.upper(),
        "lower": QUOTED.lower(),
        "set -x": QUOTED.replace("'", "'\\''"),
        "printf %q": "Sup3r\\'S3cret/Val+ue\\?x",
        "json": json.dumps(QUOTED)[1:-1],
    }
    written = _everything_written(tmp_path, result.output)
    for name, text in spellings.items():
        # The characters made of the secret's own bits are masked; an edge character or two that
        # mixes them with their neighbours' may remain, never the body.
        assert text[2:-2] not in written, name
    assert written.count("••••") >= 12


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        (["--var", "API_TOKEN=abc12"], {}, "API_TOKEN (--var)"),
        (["--answer", "var:DB_PASSWORD=password"], {}, "DB_PASSWORD (--answer)"),
        (["--var", "DB_PASSWORD=production"], {}, "DB_PASSWORD (--var)"),
        ([], {"API_TOKEN": "tok1"}, "API_TOKEN (from the environment)"),
        (["--db", "postgresql://app:pw1@db/app"], {}, "RUNBOOK_DATABASE_URL (--db)"),
    ],
)
def test_a_secret_too_weak_to_mask_stops_the_run_before_it_starts(
    tmp_path: Path, args: list[str], env: dict[str, str], named: str
) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Use them
        1. **Use**
           ```bash
           echo "$API_TOKEN $DB_PASSWORD" > used.txt
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes", *args, env=env)
    assert result.exit_code == 2, result.output
    assert named in result.stderr and "cannot be kept secret" in result.stderr
    value = (args[-1] if args else next(iter(env.values()))).split("=")[-1].split(":")[-1]
    assert value.split("@")[0] not in result.stderr  # the error names the variable, never the value
    assert not (tmp_path / "runs").exists() and not (tmp_path / "used.txt").exists()


def test_a_weak_secret_the_procedure_does_not_read_does_not_stop_it(tmp_path: Path) -> None:
    rb = write(tmp_path, LS)
    assert run(tmp_path, str(rb), "-p", "1", "--yes", env={"GPG_KEY": "1"}).exit_code == 0


def test_a_secret_made_inside_a_step_is_masked_from_its_next_command_and_in_its_own_journal(
    tmp_path: Path,
) -> None:
    made = "made-in-step-8e1f7a"
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Fetch a token
        1. **Fetch and use it**
           ```bash
           export API_TOKEN=$(printf 'made-in-%s' step-8e1f7a); echo "first $API_TOKEN"
           echo "second $API_TOKEN"
           ```
        2. **Later**
           ```bash
           echo "later $API_TOKEN"
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes")
    assert result.exit_code == 0, result.output
    assert "second ••••" in result.output and "later ••••" in result.output
    # The limit: the session learns a command's exports when it ends, so the command that made the
    # token showed it on screen as it printed it. Its journaled output is masked afterwards.
    assert f"first {made}" in result.output
    assert made not in _everything_written(tmp_path)


def test_the_screen_masks_every_text_whoever_composed_it(tmp_path: Path) -> None:
    secret = "screen-secret-4d2e9b"
    rb = write(
        tmp_path,
        f"""
        ## Procedure 1: Rotate
        1. **Rotate {secret}**
           Check that {secret} is the old one first.
           ```bash
           echo "rotating"
           ```
        """,
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes", "--var", f"DB_PASSWORD={secret}")
    assert result.exit_code == 0, result.output
    assert "Rotate ••••" in result.output and secret not in _everything_written(tmp_path, result.output)
