"""`runbook validate`: each rule on a fixture made to break it, the seed's findings, and the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.paths import DAMAGED, FIXTURES, ROOT, SEED

from interpreter.cli import main
from interpreter.policy.rules import RULES
from interpreter.validate import validate

VALIDATE = FIXTURES / "validate"
TODAY = dt.date(2026, 11, 28)


def rules_found(path: Path, shellcheck: bool = True) -> set[str]:
    [result] = validate([str(path)], today=TODAY, shellcheck=shellcheck)
    assert not result.error
    return {f.rule for f in result.findings}


@pytest.mark.parametrize("rule", sorted(RULES))
def test_each_rule_has_a_fixture_that_triggers_exactly_it(rule: str) -> None:
    fixture = VALIDATE / f"bad-{rule.replace('/', '-')}.md"
    assert fixture.exists(), f"no fixture for {rule}"
    assert rules_found(fixture) == {rule}


def test_every_finding_takes_its_severity_from_the_rule_catalogue() -> None:
    """Severities live in `policy/rules.py` only: a finding made with a literal one would drift."""
    package = ROOT / "interpreter"
    literal = re.compile(r"\bFinding\(")  # the constructor itself; `Finding.of` looks the rule up
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in package.rglob("*.py")
        for number, line in enumerate(path.read_text().split("\n"), start=1)
        if literal.search(line) and "class Finding" not in line
    ]
    assert offenders == []
    # And the fixtures' findings carry their rule's severity.
    for fixture in sorted(VALIDATE.glob("bad-*.md")):
        [result] = validate([str(fixture)], today=TODAY, shellcheck=True)
        assert all(f.severity == RULES[f.rule].severity for f in result.findings), fixture.name


@pytest.mark.parametrize(
    "path",
    [*sorted(VALIDATE.glob("clean-*.md")), ROOT / "runbooks" / "demo-rollback.md"],
    ids=lambda p: p.name,
)
def test_clean_runbooks_have_no_findings(path: Path) -> None:
    assert rules_found(path) == set()


def test_a_syntax_error_points_at_its_line_of_markdown() -> None:
    [result] = validate([str(VALIDATE / "bad-code-shell-syntax.md")], today=TODAY)
    [finding] = result.findings
    lines = (VALIDATE / "bad-code-shell-syntax.md").read_text().split("\n")
    assert lines[finding.line - 1].strip() == "systemctl status api )"  # the block's third line
    assert "unexpected token" in finding.message


def _seed_findings(path: Path) -> list[dict[str, Any]]:
    [result] = validate([str(path)], today=TODAY, shellcheck=False)
    return [{k: v for k, v in f.to_json().items() if k != "file"} for f in result.findings]


def test_the_damaged_seed_findings_match_the_golden_file() -> None:
    golden = VALIDATE / "seed-damaged.findings.json"
    found = _seed_findings(DAMAGED)
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n", "utf-8")
    assert found == json.loads(golden.read_text("utf-8"))


def test_what_the_seed_must_show() -> None:
    found = _seed_findings(DAMAGED)
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for finding in found:
        by_rule.setdefault(finding["rule"], []).append(finding)
    encoding_lines = {f["line"] for f in by_rule["encoding/double-encoded"]}
    assert {6, 135, 389, 514, 848} <= encoding_lines and set(range(776, 822)) <= encoding_lines | {822}
    assert [f["line"] for f in by_rule["metadata/review-overdue"]] == [849]
    assert [f["line"] for f in by_rule["links/file"]] == [31, 31, 826, 827, 828, 829]
    assert [f["line"] for f in by_rule["safety/never-ending"]] == [267]
    undeclared = " ".join(f["message"] for f in by_rule["inputs/undeclared"])
    assert "$STAGING_DATABASE_URL" in undeclared and "$ADMIN_API_KEY" in undeclared
    assert [f["line"] for f in by_rule["safety/unwarned-destructive"]] == [236, 486]  # force push, down
    assert "links/anchor" not in by_rule  # the table of contents resolves
    repaired = {f["rule"] for f in _seed_findings(SEED)}
    assert "encoding/double-encoded" not in repaired


def test_shellcheck_runs_on_the_seed_when_installed() -> None:
    [result] = validate([str(SEED)], today=TODAY, shellcheck=True)
    assert not result.error  # no crash; what shellcheck says depends on its version


def run(*args: str) -> Any:
    return CliRunner().invoke(main, ["validate", *args])


def test_exit_codes_and_strict(tmp_path: Path) -> None:
    assert run(str(VALIDATE / "clean-minimal.md")).exit_code == 0
    assert run(str(VALIDATE / "bad-links-file.md")).exit_code == 0  # a warning only
    assert run("--strict", str(VALIDATE / "bad-links-file.md")).exit_code == 1
    assert run(str(VALIDATE / "bad-links-anchor.md")).exit_code == 1
    (tmp_path / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    unreadable = run(str(tmp_path / "image.md"), str(VALIDATE / "clean-minimal.md"))
    assert unreadable.exit_code == 3 and "binary file" in unreadable.output
    missing = run(str(tmp_path / "nothing-here"))
    assert missing.exit_code == 2 and "no such file or folder" in missing.stderr


def test_formats() -> None:
    target = str(VALIDATE / "bad-links-anchor.md")
    data = json.loads(run("--format", "json", target).stdout)
    assert data["summary"]["error"] == 1 and data["files"][0]["findings"][0]["rule"] == "links/anchor"
    annotation = run("--format", "github", target).stdout.strip()
    line = data["files"][0]["findings"][0]["line"]
    assert annotation.startswith(f"::error file={target},line={line},col=")
    assert ",title=links/anchor::link to #health-checks matches no heading" in annotation
    suite = ET.fromstring(run("--format", "junit", target).stdout)
    assert suite.get("failures") == "1" and suite.find("testcase/failure").get("type") == "links/anchor"
    text = run(target).stdout
    assert "bad-links-anchor.md" in text and "error" in text and "\x1b[" not in text


def test_folders_are_searched_and_results_grouped() -> None:
    result = run("--format", "json", str(VALIDATE))
    files = json.loads(result.stdout)["files"]
    assert len(files) == len(list(VALIDATE.glob("*.md")))


def test_rules_can_be_turned_off_per_file_and_per_block(tmp_path: Path) -> None:
    body = (VALIDATE / "bad-safety-unwarned-destructive.md").read_text()
    off_for_file = tmp_path / "file.md"
    off_for_file.write_text(body.replace("review_by: 2099-01-01", "review_by: 2099-01-01\ndisable: [safety]"))
    assert rules_found(off_for_file) == set()
    off_for_block = tmp_path / "block.md"
    off_for_block.write_text(
        body.replace("   ```bash\n", "   <!-- runbook-ignore safety/unwarned-destructive -->\n   ```bash\n")
    )
    assert rules_found(off_for_block) == set()


def test_rules_command_lists_every_rule() -> None:
    listed = CliRunner().invoke(main, ["rules", "--json"])
    assert {r["id"] for r in json.loads(listed.stdout)} == set(RULES)
    text = CliRunner().invoke(main, ["rules"]).stdout
    assert "safety/unwarned-destructive" in text and "warning" in text


def test_changed_since_checks_only_changed_runbooks(tmp_path: Path) -> None:
    import git

    repo = git.Repo.init(tmp_path)
    with repo.config_writer() as config:
        config.set_value("user", "name", "Test").set_value("user", "email", "test@example.invalid")
    (tmp_path / "a.md").write_text((VALIDATE / "bad-links-anchor.md").read_text())
    (tmp_path / "b.md").write_text((VALIDATE / "bad-links-anchor.md").read_text())
    repo.index.add(["a.md", "b.md"])
    repo.index.commit("two runbooks")
    repo.create_tag("reviewed")
    (tmp_path / "b.md").write_text((VALIDATE / "bad-links-anchor.md").read_text() + "\nMore.\n")
    result = run("--format", "json", "--changed-since", "reviewed", str(tmp_path))
    assert [Path(f["path"]).name for f in json.loads(result.stdout)["files"]] == ["b.md"]
    unknown = run("--changed-since", "no-such-ref", str(tmp_path))
    assert unknown.exit_code == 2 and "git does not know that reference" in unknown.stderr


def _findings(tmp_path: Path, text: str, shellcheck: bool = False) -> list[Any]:
    path = tmp_path / "case.md"
    path.write_text(text)
    [result] = validate([str(path)], today=TODAY, shellcheck=shellcheck)
    return result.findings


HEAD = "---\nowner: sre\nreview_by: 2099-01-01\n---\n\n# T\n\n## Procedure 1: P\n\n"


def test_secret_rule_without_false_alarms(tmp_path: Path) -> None:
    body = (
        HEAD
        + "1. **Step**\n   ```bash\n"
        + "".join(
            f"   {line}\n"
            for line in [
                "export API_TOKEN=${API_TOKEN:?set it}",  # a check, not a value
                "TOKEN_TTL=3600",  # not a secret
                "kubectl get secret tls -o yaml",
                "DB_PASSWORD=hunter2hunter2 ./login.sh",  # 15: a secret
                "mysql -u root -pS3cr3tPass! db",  # 16
                'curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9abcdefghijk" x',  # 17
            ]
        )
        + "   ```\n\n```yaml\nsecretName: tls-cert\npasswordSecretRef: db-creds\npassword: s3cr3tvalue\n```\n\n"
        "Rotate the API_KEY: every 90 days.\n"
    )
    secrets = [f.line for f in _findings(tmp_path, body) if f.rule == "safety/secret-in-text"]
    assert secrets == [15, 16, 17, 23]  # and the YAML password: value


def test_prompts_in_bash_blocks_are_not_syntax_errors(tmp_path: Path) -> None:
    body = (
        HEAD
        + "1. **Check**\n   ```bash\n   $ systemctl status nginx\n   ● nginx.service - A web server (nginx)\n   ```\n"
    )
    assert [f.rule for f in _findings(tmp_path, body)] == []


@pytest.mark.parametrize(
    ("written", "overdue"),
    [("Dec 2024", True), ("20/12/2024", True), ("2024-12-20 (quarterly)", True), ("2099-01-01", False)],
)
def test_review_dates_in_other_formats(tmp_path: Path, written: str, overdue: bool) -> None:
    body = f"# T\n\n**Owner:** sre\nNext review: {written}\n\n## Procedure 1: P\n\n1. **S**\n   ```bash\n   true\n   ```\n"
    rules = {f.rule for f in _findings(tmp_path, body)}
    assert rules == ({"metadata/review-overdue"} if overdue else set())  # and the plain owner line counts


def test_an_unreadable_review_date_is_said(tmp_path: Path) -> None:
    body = "# T\n\n**Owner:** sre\n**Next Review:** soon\n\n## Procedure 1: P\n\n1. **S**\n   ```bash\n   true\n   ```\n"
    [finding] = _findings(tmp_path, body)
    assert finding.rule == "metadata/no-review-date" and finding.line == 4 and "'soon'" in finding.message


def test_front_matter_review_date_points_at_its_key(tmp_path: Path) -> None:
    body = HEAD.replace("2099-01-01", "2020-01-01") + "1. **S**\n   ```bash\n   true\n   ```\n"
    [finding] = _findings(tmp_path, body)
    assert finding.rule == "metadata/review-overdue" and finding.line == 3


def test_links_images_definitions_and_query_strings(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("x")
    body = (
        HEAD + "1. **S**\n   ```bash\n   true\n   ```\n\n![d](img/d.png) [q](other.md?plain=1) [r][ref]\n\n"
        "[ref]: ./missing.md\n\n```\n[inside]: ./in-code.md\n```\n"
    )
    files = sorted((f.line, f.message) for f in _findings(tmp_path, body) if f.rule == "links/file")
    assert files == [(15, "link to img/d.png: no such file"), (17, "link to ./missing.md: no such file")]


def test_shellcheck_columns_count_the_markdown_indent(tmp_path: Path) -> None:
    body = HEAD + '1. **S**\n   ```bash\n   for unit in $(ls /etc); do echo "$unit"; done\n   ```\n'
    [finding] = [f for f in _findings(tmp_path, body, shellcheck=True) if f.rule == "code/shellcheck"]
    line = body.split("\n")[finding.line - 1]
    assert line[finding.column - 1 :].startswith("$(ls")


def test_ignore_comment_covers_the_whole_step(tmp_path: Path) -> None:
    body = (
        HEAD + "<!-- runbook-ignore safety/unwarned-destructive -->\n1. **Clean**\n\n   Then:\n\n   ```bash\n"
        "   rm -rf /var/cache/app\n   ```\n"
    )
    assert [f.rule for f in _findings(tmp_path, body)] == []
