"""Documentation that renders correctly gets no false errors: one runbook per shape real teams write.

Each case is a small runbook written for this test in a shape seen in public runbooks (heading
attributes, HTML anchors, GitLab slugs, other tools' front matter, MyST, fences in list items,
PromQL and psql sessions in `sh` fences, placeholders with spaces). `runbook validate` must
report no error on it, and exactly the notes or warnings named.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from interpreter.cli import main
from interpreter.infer.load import load_text
from interpreter.validate import validate

HEAD = "---\nowner: sre\nreview_by: 2099-01-01\n---\n\n"
STEP = "## Procedure 1: Restart\n\n1. **Restart**\n   ```bash\n   systemctl restart api\n   ```\n\n"

CASES: dict[str, tuple[str, set[str]]] = {
    "heading attributes": (
        HEAD + "# Restart the API {#top-of-page}\n\n" + STEP + "## Roll back {#rollback .danger}\n\n"
        "## Check the dashboards {: #dashboards }\n\n## Verify {#verify data-toc=false}\n\n"
        "## Clean up\n{: #cleanup .optional}\n\nRemove the scratch files. See [cleanup](#cleanup).\n\n"
        "See [roll back](#rollback), [dashboards](#dashboards), [verify](#verify) and "
        "[the title](#top-of-page); the clean slugs work too: [roll back](#roll-back).\n",
        set(),
    ),
    "top of page": (HEAD + "# Restart\n\n" + STEP + "[Back to top](#) or [to the top](#top).\n", set()),
    "html anchors": (
        HEAD + '# Restart\n\n<a id="restart-now"></a>\n\n' + STEP + '## <a name="legacy"></a>Old steps\n\n'
        '<div id="faq">\n\nQuestions.\n\n</div>\n\n'
        "Links: [now](#restart-now), [legacy](#legacy), [faq](#faq).\n",
        set(),
    ),
    "github slugs keep hyphens": (
        HEAD + "# Restart\n\n" + STEP + "## Step 1 - Stop the workers\n\n"
        "[stop](#step-1---stop-the-workers)\n",
        set(),
    ),
    "gitlab slugs from front matter": (
        "---\nowner: sre\nreview_by: 2099-01-01\nslugs: gitlab\n---\n\n# Restart\n\n"
        + STEP
        + "## Step 1 - Stop the workers\n\n[stop](#step-1-stop-the-workers)\n",
        set(),
    ),
    "other tools' front matter": (
        "---\ntitle: Restart the API\ntype: docs\nweight: 20\nbookCollapseSection: true\nservice: api\n"
        "sidebar_label: Restart\nmetadata:\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n"
        "owner_slack: '#platform'\nparent: /runbooks\nreview_by: 2099-01-01\n---\n\n# Restart\n\n" + STEP,
        set(),
    ),
    "a misspelt key of ours is a note": (
        "---\nowner: sre\nreview_by: 2099-01-01\nreveiw_by: 2099-06-01\n---\n\n# Restart\n\n" + STEP,
        {"annotations/front-matter-key"},
    ),
    "fence closed by its list item": (
        HEAD
        + "# Restart\n\n## Procedure 1: Restart\n\n1. **Stop**\n\n   ```bash\n   systemctl reload api\n\n"
        "2. **Start**\n\n   ```bash\n   systemctl start api\n   ```\n",
        set(),
    ),
    "promql in a sh fence": (
        HEAD + "# High errors\n\n" + STEP + "## Check\n\n```sh\n"
        'sum by (code) (rate(http_requests_total{job="api", code=~"5.."}[5m]))\n```\n',
        {"code/not-shell"},
    ),
    "psql session in a shell fence": (
        HEAD + "# Locks\n\n" + STEP + "## Look at locks\n\n```shell\n"
        "orders=# SELECT pid, state FROM pg_stat_activity WHERE state <> 'idle';\n"
        " pid  | state\n------+--------\n 4242 | active\n```\n",
        set(),  # its lines are typed in psql, shown and never run as shell: nothing to relabel
    ),
    "yaml and json in bash fences": (
        HEAD + "# Config\n\n" + STEP + "## Values\n\n```bash\nresources:\n  limits:\n    memory: 2Gi\n```\n\n"
        '```bash\n{"replicas": 3, "image": "api:1.4"}\n```\n',
        {"code/not-shell"},
    ),
    "command output in a sh fence": (
        HEAD + "# Docker\n\n" + STEP + "## What you see\n\n```sh\nUnable to find image 'api:1.4' locally\n"
        "docker: Error response from daemon: you don't have access.\nSee 'docker run --help'.\n```\n",
        {"code/not-shell"},
    ),
    "placeholders with spaces": (
        HEAD + "# Restart\n\n## Procedure 1: Restart one pod\n\n1. **Delete the stuck pod**\n   ```bash\n"
        "   kubectl -n <namespace> describe pod <pod identified as the problem pod>\n"
        "   kubectl rollout undo deploy <>\n   sg live <environment|url>\n"
        "   helm rollback {{ release name }} {previous revision}\n   export ENVIRONMENT=[dev|prod]\n   ```\n",
        {"inputs/placeholder"},
    ),
    "myst directives and targets": (
        HEAD + "(restart-api)=\n# Restart\n\n" + STEP + "```{note}\nThe restart takes a minute.\n```\n\n"
        "```{code-block} bash\n:caption: by hand\nsystemctl status api\n```\n\n"
        "See [](#restart-api).\n",
        set(),
    ),
    "myst directive names and bare labels": (
        HEAD + "# Restart\n\n" + STEP + "```{code-block} yaml\n:name: api-values\n:emphasize-lines: 2\n"
        "api:\n  replicas: 3\n```\n\nSee [the values](#api-values) and [the same](api-values).\n"
        "\n(after-restart)=\n## After\n\nGo on with [the checks](after-restart) and [the page](runbook).\n",
        set(),
    ),
    "a placeholder in single quotes": (
        HEAD + "# Database\n\n## Procedure 1: Connect\n\n1. **Connect**\n   ```bash\n"
        "   export PGPASSWORD='<$PASSWORD>'\n   psql -h localhost -U readonly\n   ```\n",
        set(),
    ),
    "a zero-width space in a message to send": (
        HEAD
        + "# Notify\n\n"
        + STEP
        + "## Tell them\n\n```markdown\nHi {{ name }},\n\u200b\nWe are on it.\n```\n",
        set(),
    ),
    "single quotes handed to another shell": (
        HEAD + "# Search\n\n## Procedure 1: Snapshot\n\n1. **List snapshots**\n   ```bash\n"
        "   kubectl exec deploy/search -- sh -c 'curl \"$ES_URI/_snapshot/_all\"'\n"
        "   kubectl get svc/entry --template='{{$i := index .status 0}}{{$i.ip}}'\n   ```\n",
        set(),
    ),
}


def _rules(tmp_path: Path, text: str, name: str = "runbook.md") -> list[tuple[str, str]]:
    (tmp_path / name).write_text(text, "utf-8")
    [result] = validate([str(tmp_path / name)], shellcheck=True)
    assert not result.error
    return [(f.rule, f.severity) for f in result.findings]


@pytest.mark.parametrize("name", list(CASES))
def test_no_false_errors(tmp_path: Path, name: str) -> None:
    text, expected = CASES[name]
    found = _rules(tmp_path, text)
    assert all(severity != "error" for _, severity in found), found
    assert {rule for rule, _ in found} - {"structure/no-procedures"} == expected


def test_a_broken_anchor_is_still_an_error(tmp_path: Path) -> None:
    found = _rules(tmp_path, HEAD + "# Restart\n\n" + STEP + "## Step 1 - Stop\n\n[stop](#step-one-stop)\n")
    assert found == [("links/anchor", "error")]


def test_another_sites_slug_is_a_warning_until_the_site_is_said(tmp_path: Path) -> None:
    """GitLab's (or Redcarpet's) slug on a page whose site is not said may well work where it is
    rendered: a warning. Once the site is said (flag or front matter), a mismatch is an error."""
    page = HEAD + "# Restart\n\n" + STEP + "## Step 1 - Stop\n\n[stop](#step-1-stop)\n"
    assert _rules(tmp_path, page) == [("links/anchor-style", "warning")]
    said = page.replace("review_by: 2099-01-01\n", "review_by: 2099-01-01\nslugs: github\n")
    assert _rules(tmp_path, said) == [("links/anchor", "error")]
    redcarpet = HEAD + "# Teams\n\n" + STEP + "## GOV.UK teams\n\n[teams](#gov-uk-teams)\n"
    assert _rules(tmp_path, redcarpet) == [("links/anchor-style", "warning")]


def test_slugs_flag_picks_the_site(tmp_path: Path) -> None:
    (tmp_path / "r.md").write_text(
        HEAD + "# Restart\n\n" + STEP + "## Step 1 - Stop\n\n[stop](#step-1-stop)\n"
    )
    assert CliRunner().invoke(main, ["validate", str(tmp_path / "r.md")]).exit_code == 0  # a warning
    assert CliRunner().invoke(main, ["validate", "--slugs", "github", str(tmp_path / "r.md")]).exit_code == 1
    assert CliRunner().invoke(main, ["validate", "--slugs", "gitlab", str(tmp_path / "r.md")]).exit_code == 0
    (tmp_path / "m.md").write_text(
        HEAD + "# Teams\n\n" + STEP + "## GOV.UK teams\n\n[teams](#gov-uk-teams)\n"
    )
    result = CliRunner().invoke(main, ["validate", "--slugs", "redcarpet", str(tmp_path / "m.md")])
    assert result.exit_code == 0 and "warning" not in result.output.split("file(s)")[0]


def test_heading_attributes_leave_titles_and_ids_clean() -> None:
    runbook = load_text(
        "# Rollbacks {#rollbacks}\n\n## Procedure 1: Roll back the API {#api-rollback .danger}\n\n"
        "1. **Undo**\n   ```bash\n   kubectl rollout undo deploy/api\n   ```\n"
    )
    [procedure] = runbook.procedures
    assert procedure.title == "Roll back the API"
    assert procedure.anchor == "api-rollback"
    assert runbook.metadata.title == "Rollbacks"
    assert "{" not in " ".join(runbook.headings)


def test_a_broken_command_in_a_step_is_still_an_error(tmp_path: Path) -> None:
    text = (
        HEAD
        + "# Restart\n\n## Procedure 1: Restart\n\n1. **Check**\n   ```bash\n   if true; then echo up\n   ```\n"
    )
    assert _rules(tmp_path, text) == [("code/shell-syntax", "error")]


def test_a_myst_reference_is_mended_by_a_target_in_another_file(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(HEAD + "# A\n\nSee [how to restart](#howto:restart).\n")
    (tmp_path / "b.md").write_text(HEAD + "(howto:restart)=\n# Restart\n\nText.\n")
    alone = validate([str(tmp_path / "a.md")], shellcheck=False)
    assert [(f.rule, f.severity) for f in alone[0].findings if f.severity != "info"] == [
        ("links/reference", "warning")
    ]
    together = validate([str(tmp_path)], shellcheck=False)
    assert all(f.rule != "links/reference" for r in together for f in r.findings)


def test_empty_and_blank_files_parse_with_a_warning(tmp_path: Path) -> None:
    for name, text in (("empty.md", ""), ("blank.md", "\n \n\t\n")):
        assert _rules(tmp_path, text, name) == [("structure/empty-file", "warning")]
        result = CliRunner().invoke(main, ["validate", str(tmp_path / name)])
        assert result.exit_code == 0 and "nothing to run" in result.output


def test_gitlab_templates_link_from_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "email.md").write_text("# Email\n")
    templates = tmp_path / ".gitlab" / "issue_templates"
    templates.mkdir(parents=True)
    (templates / "Onboarding.md").write_text("# Onboarding\n\n- [ ] Set up [email](docs/email.md)\n")
    (templates / "Broken.md").write_text("# Broken\n\n- [ ] Read [the guide](docs/guide.md)\n")
    [broken, onboarding] = validate([str(templates)], shellcheck=False)
    assert [f.rule for f in onboarding.findings if f.severity != "info"] == []
    assert [f.rule for f in broken.findings if f.severity != "info"] == ["links/file"]


def test_a_zero_width_space_in_a_command_that_runs_is_an_error(tmp_path: Path) -> None:
    text = (
        HEAD
        + "# Restart\n\n## Procedure 1: Restart\n\n1. **Restart**\n   ```bash\n   systemctl restart api\u200b\n   ```\n"
    )
    assert ("encoding/control-character", "error") in _rules(tmp_path, text)
