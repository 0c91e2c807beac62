"""Secrets battery: secrets from every door, in every place they could show, never reach what is written.

Doors: the environment, a hidden prompt, front matter `secrets:`, `--var`, `--answer var:`, a value a
step exports. Places: commands (xtrace), stdout, stderr, a value split across two reads, error
messages, exports, the working directory. Sinks: every file a run writes, the screen, `runbook
timeline` in every format, and `runbook validate` in every format.

A new door is one more value in `_doors` (and the runbook line that uses it); a new sink (the site,
a PostgreSQL run store) is one more function in `SINKS` returning (where, text) pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner
from support.runs import run, run_files, spawn, write

from interpreter.cli import main

SECRETS = {
    "env": "env-secret-4f1a9c",
    "var": "var-secret-77b2e0",
    "answer": "answer-secret-91c3dd",
    "front_matter": "fm-secret-3e88aa",
    "exported": "made-by-step-5c6b7d",
    "database_url": "dburl-secret-2b7f41",
    "url_hash": "Hash#In/Url-6d1c",
}
DB_URL = f"postgresql://postgres:{SECRETS['database_url']}@127.0.0.1:5432/nowhere"
DOORS = (
    *("--var", f"GITHUB_TOKEN={SECRETS['var']}"),
    *("--answer", f"var:DB_PASSWORD={SECRETS['answer']}"),
    *("--var", f"SERVICE_CREDENTIAL={SECRETS['front_matter']}"),
    *("--db", DB_URL),
)
"""Secrets given on the command line (the environment's is added where the run starts)."""
RUNBOOK = """
    ---
    secrets: [SERVICE_CREDENTIAL]
    ---
    # Secrets

    ## Procedure 1: Leak everywhere
    1. **Print them every way**
       ```bash
       echo "out $API_TOKEN $GITHUB_TOKEN $DB_PASSWORD $SERVICE_CREDENTIAL $RUNBOOK_DATABASE_URL"
       echo "err $API_TOKEN $GITHUB_TOKEN $DB_PASSWORD $SERVICE_CREDENTIAL" >&2
       set -x; : "$API_TOKEN" "$SERVICE_CREDENTIAL"; set +x
       printf '%s' "${DB_PASSWORD:0:7}"; sleep 0.3; printf '%s\\n' "${DB_PASSWORD:7}"
       export SESSION_TOKEN=$(printf 'made-by-%s' step-5c6b7d) DERIVED="copy-of-$GITHUB_TOKEN"
       mkdir -p "dir-$API_TOKEN" && cd "dir-$API_TOKEN"
       printf '%s %s' "$GITHUB_TOKEN" "$DB_PASSWORD" | base64 -w0; echo " $SERVICE_CREDENTIAL" | tr a-z A-Z
       echo "$STORE_URL" "$SESSION_TOKEN" | base64 -w0 | tr '+/' '-_'; echo
       ```
    2. **Use the made one, then fail with it in the error**
       ```bash
       echo "made $SESSION_TOKEN $DERIVED"
       ls "/nonexistent/$SESSION_TOKEN/$SERVICE_CREDENTIAL"
       ```
    """


def _reports(command: str, formats: tuple[str, ...]) -> Callable[[Path], Iterator[tuple[str, str]]]:
    def sink(tmp: Path) -> Iterator[tuple[str, str]]:
        [run_dir] = (tmp / "runs").iterdir()
        for fmt in formats:
            result = CliRunner().invoke(
                main, [command, run_dir.name, "--format", fmt, "--runs-dir", str(tmp / "runs")]
            )
            assert result.exit_code == 0, result.output
            yield f"{command} --format {fmt}", result.output

    return sink


timelines = _reports("timeline", ("text", "json", "md"))
postmortems = _reports("postmortem", ("md", "html", "json"))


def site(tmp: Path) -> Iterator[tuple[str, str]]:
    runbooks = [p for p in tmp.glob("*.md")]
    result = CliRunner().invoke(
        main, ["site", *map(str, runbooks), "-o", str(tmp / "site"), "--runs-dir", str(tmp / "runs")]
    )
    assert result.exit_code in (0, 1), result.output
    assert list((tmp / "site" / "runs").glob("*.html")), "the run has no page on the site"
    for path in (tmp / "site").rglob("*"):
        if path.is_file():
            yield str(path), path.read_bytes().decode("utf-8", "replace")


SINKS: list[Callable[[Path], Iterator[tuple[str, str]]]] = [run_files, timelines, postmortems, site]


def _spellings(secret: str) -> list[str]:
    """The secret as written, and the body of its base64 (at each alignment) and upper-case forms."""
    import base64

    forms = [secret, secret.upper()]
    for prefix in (b"", b"x", b"xy"):
        encoded = base64.b64encode(prefix + secret.encode()).decode()[len(prefix) * 2 :]
        forms += [encoded[2:-2], encoded[2:-2].replace("+", "-").replace("/", "_")]
    return forms


def _assert_nowhere(tmp: Path, secrets: list[str], extra: dict[str, str]) -> None:
    places = [*extra.items(), *(p for sink in SINKS for p in sink(tmp))]
    assert len(places) > 4
    for where, text in places:
        for secret in secrets:
            for form in _spellings(secret):
                assert form not in text, f"{secret} ({form}) leaked into {where}"


def test_secrets_from_every_door_stay_out_of_everything_a_run_writes(tmp_path: Path) -> None:
    rb = write(tmp_path, RUNBOOK)
    result = run(
        tmp_path,
        str(rb),
        "-p",
        "1",
        "--yes",
        *DOORS,
        env={"API_TOKEN": SECRETS["env"], "STORE_URL": f"postgresql://app:{SECRETS['url_hash']}@db/app"},
    )
    assert result.exit_code == 1, result.output  # step 2 fails on purpose, its error naming secrets
    assert "No such file" in result.output and "••••" in result.output
    assert "postgresql://postgres:••••@127.0.0.1:5432/nowhere" in result.output  # the --db door is used
    _assert_nowhere(tmp_path, list(SECRETS.values()), {"screen": result.output, "stderr": result.stderr})


def test_secrets_stay_out_of_the_postgresql_store(tmp_path: Path, database: str) -> None:
    import psycopg

    rb = write(tmp_path, RUNBOOK)
    result = run(
        tmp_path,
        str(rb),
        "-p",
        "1",
        "--yes",
        "--store",
        database,
        *DOORS,
        env={"API_TOKEN": SECRETS["env"], "STORE_URL": f"postgresql://app:{SECRETS['url_hash']}@db/app"},
    )
    assert result.exit_code == 1, result.output
    with psycopg.connect(database) as conn:
        events = conn.execute("SELECT event::text FROM runbook_events").fetchall()
        outputs = conn.execute("SELECT convert_from(data, 'UTF8') FROM runbook_outputs").fetchall()
    assert events and outputs
    stored = {f"runbook_events {n}": row[0] for n, row in enumerate(events)}
    stored.update({f"runbook_outputs {n}": row[0] for n, row in enumerate(outputs)})
    for where, text in stored.items():
        for secret in SECRETS.values():
            assert secret not in text, f"{secret} leaked into {where}"


def test_a_secret_typed_at_a_hidden_prompt_is_never_echoed_or_written(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Prompted
        1. **Use it**
           ```bash
           echo "the password is $DB_PASSWORD"; ls "/nope/$DB_PASSWORD"
           ```
        """,
    )
    secret = "typed-secret-0d9e8f"
    child = spawn(tmp_path, "run", str(rb), "-p", "1")
    child.expect("DB_PASSWORD")
    child.sendline(secret)
    child.expect(r"Run 1\.1")
    child.sendline("r")
    child.expect("failed")
    child.sendline("a")
    child.expect(pexpect.EOF)
    _assert_nowhere(tmp_path, [secret], {"terminal": child.before or ""})


@pytest.mark.parametrize("fmt", ["text", "json", "github", "junit"])
def test_validate_reports_never_repeat_a_secret_written_in_a_runbook(tmp_path: Path, fmt: str) -> None:
    secrets = [
        "ghp_R3alT0kenValue1234567890abcdefABCD",
        "sk-bench-Bearer0123456789abcdefXYZ",
        "hunter2-plain-pw",
    ]
    rb = write(
        tmp_path,
        f"""
        # Leak

        ## Procedure 1: Leak
        1. **Tail with a token**
           ```bash
           export API_TOKEN={secrets[0]}; tail -f /var/log/app.log
           curl -H "Authorization: Bearer {secrets[1]}" https://x/<stable-tag> | (
           PGPASSWORD={secrets[2]} psql -c 'select 1' )
           ```
        """,
    )
    result = CliRunner().invoke(main, ["validate", "--format", fmt, str(rb)])
    assert result.exit_code == 1 and "secret" in result.output
    for secret in secrets:
        assert secret not in result.output


def test_secrets_in_an_answers_file_and_in_refused_values_are_masked(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        ## Procedure 1: Deploy
        1. **Use the token**
           ```bash
           echo "deploying with $DEPLOY_TOKEN"
           ```
        2. **Log in**
           ```bash
           login --key <api-token>
           ```
        """,
    )
    from_file, refused = "file-secret-a1b2c3", "refused secret;9f8e"
    (tmp_path / "answers.yaml").write_text(
        f"vars:\n  DEPLOY_TOKEN: {from_file}\nnotes:\n  '1.1': the token is {from_file}\n", "utf-8"
    )
    result = run(tmp_path, str(rb), "-p", "1", "--yes", "--answers", str(tmp_path / "answers.yaml"))
    assert result.exit_code == 2 and "<api-token>" in result.output  # asked for, with no terminal
    refusal = run(tmp_path, str(rb), "-p", "1", "--yes", "--answer", f"placeholder:<api-token>={refused}")
    assert refusal.exit_code == 2 and "cannot fill <api-token>" in refusal.stderr
    _assert_nowhere(
        tmp_path,
        [from_file, refused],
        {"screen": result.output, "refusal": refusal.output + refusal.stderr},
    )
