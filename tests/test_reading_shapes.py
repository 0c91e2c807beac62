"""Runbooks in the shapes teams write them, read as an operator would (the golden fixtures say it
all; these tests name what must hold in each, the dangerous cases first).

The fixtures in tests/fixtures/golden/ were written for these tests, in shapes seen in real
on-call repositories: an alert runbook, a remedy menu, config in a `sh` fence, transcripts of
psql, a Rails console and redis-cli, a table of steps, and a how-to page of prose and commands.
"""

from __future__ import annotations

import textwrap
from typing import Any

from support.graphs import commands, node
from support.paths import FIXTURES

from interpreter.infer.load import load_text
from interpreter.plan.graph import graph_json

GOLDEN = FIXTURES / "golden"


def _graph(name: str) -> dict[str, Any]:
    path = GOLDEN / f"{name}.md"
    return graph_json(load_text(path.read_text("utf-8"), path=f"{name}.md"))


def _unit(graph: dict[str, Any], unit_id: str) -> dict[str, Any]:
    return next(u for u in [*graph["procedures"], *graph["sections"]] if u["id"] == unit_id)


def _all_commands(graph: dict[str, Any]) -> list[str]:
    return [c for u in [*graph["procedures"], *graph["sections"]] for n in u["nodes"] for c in commands(n)]


def _typed(graph_node: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["where"], c["text"]) for b in graph_node["blocks"] for c in b["typed"]]


def test_a_remedy_menu_is_a_choice_never_a_sequence() -> None:
    graph = _graph("remedy-menu")
    resolution = _unit(graph, "resolution")
    [menu] = resolution["nodes"][:1]
    assert menu["kind"] == "choice" and [b["key"] for b in menu["choice"]["branches"]] == ["1", "2", "3"]
    # Each remedy is entered only through its branch: no `next` edge chains one remedy to another.
    branch_steps = {b["entry"] for b in menu["choice"]["branches"]}
    assert not [e for e in resolution["edges"] if e["kind"] == "next" and e["to"] in branch_steps]
    wedged = node(resolution, "resolution.2.1")
    assert commands(wedged) == ["kubectl -n scheduler delete pods --all"]
    assert wedged["title"] == "Option 2: Every controller pod is wedged"


def test_alternatively_and_size_options_are_choices_and_if_is_optional() -> None:
    graph = _graph("remedy-menu")
    restart = _unit(graph, "restart-the-worker")
    choice = node(restart, "restart-the-worker.1-2")
    assert choice["choice"]["kind"] == "alternative" and len(choice["choice"]["branches"]) == 2
    spool = node(restart, "restart-the-worker.3")
    assert spool["flags"]["optional"] and spool["flags"]["when"].startswith(
        "If the worker still does not start"
    )
    assert spool["flags"]["destructive"]
    resize = _unit(graph, "resize-the-pool")
    sizes = resize["nodes"][0]
    assert sizes["kind"] == "choice"
    assert [b["title"] for b in sizes["choice"]["branches"]] == [
        "For small clusters (fewer than 20 nodes)",
        "For large clusters",
    ]


def test_config_yaml_promql_and_logs_in_shell_fences_never_run() -> None:
    graph = _graph("config-in-sh")
    assert _all_commands(graph) == ["sudo systemctl reload cache"]
    [unit] = graph["sections"]
    kinds = [b["kind"] for n in unit["nodes"] for b in n["blocks"]]
    assert kinds == ["reference", "reference", "reference", "reference", "shell"]


def test_psql_transcript_is_typed_in_psql_not_run_as_shell() -> None:
    graph = _graph("transcripts")
    count = node(_unit(graph, "count-pending-orders"), "count-pending-orders.1")
    [opener] = count["blocks"][0]["commands"]
    assert opener["text"] == "psql -h db-primary.internal -U ops orders" and opener["session"] == "psql"
    assert _typed(count) == [
        ("psql", "SELECT count(*) FROM orders WHERE state = 'pending';"),
        ("psql", "\\q"),
    ]
    # The output rows of the query are neither commands nor expectations of the shell.
    assert not any("412" in e["text"] for e in opener["expectations"])


def test_rails_console_and_redis_cli_lines_are_shown_to_type() -> None:
    graph = _graph("transcripts")
    rails = node(_unit(graph, "check-the-user-count-from-the-app"), "check-the-user-count-from-the-app.1")
    assert commands(rails) == ["kubectl -n shop exec -it deploy/web -- rails c"]
    assert [w for w, _ in _typed(rails)] == ["irb", "irb"]
    redis = node(_unit(graph, "inspect-the-cache"), "inspect-the-cache.1")
    assert commands(redis) == [] and redis["flags"]["manual"]
    assert _typed(redis) == [("redis-cli", "INFO keyspace"), ("redis-cli", "DBSIZE")]


def test_commands_after_oc_debug_are_typed_on_the_node_then_local_again() -> None:
    graph = _graph("transcripts")
    unit = _unit(graph, "restart-the-kubelet-on-the-node")
    debug = node(unit, "restart-the-kubelet-on-the-node.1")
    assert commands(debug) == ["oc debug node/worker-3"]
    assert [t for _, t in _typed(debug)] == ["chroot /host", "systemctl restart kubelet", "exit"]
    assert _typed(debug)[1][0] == "chroot /host (in oc debug node/worker-3)"
    assert commands(node(unit, "restart-the-kubelet-on-the-node.2")) == ["oc get node worker-3"]


def test_alert_runbook_diagnosis_and_mitigation_are_units() -> None:
    graph = _graph("alert-runbook")
    diagnosis = _unit(graph, "diagnosis")
    assert [n["title"] for n in diagnosis["nodes"]] == [
        "Check that the consumers are running:",
        "Look at the consumer logs for the last ten minutes:",
        "Check the queue depth from the broker",
    ]
    depth = node(diagnosis, "diagnosis.3")
    [command] = depth["blocks"][0]["commands"]
    # The `$ ` prompt is not part of the command; the lines after it are its output.
    assert command["text"] == "rabbitmqctl list_queues name messages"
    assert command["expectations"][0]["text"].endswith("orders  12840")
    [mitigation] = graph["procedures"]
    assert mitigation["title"] == "Mitigation"
    delete = node(mitigation, "1.2")
    assert delete["flags"]["optional"]
    assert [(p["text"], p["kind"]) for p in delete["blocks"][0]["placeholders"]] == [
        ("[POD_NAME]", "bracket")
    ]


def test_tables_of_steps_step_headings_and_step_paragraphs() -> None:
    graph = _graph("table-steps")
    steps = _unit(graph, "steps")
    assert [(n["title"], commands(n)) for n in steps["nodes"]] == [
        ("Generate the new key", ["openssl genrsa -out new-signing.pem 4096"]),
        ("Upload it", ["vault kv put secret/api/signing key=@new-signing.pem"]),
        ("Roll the API", ["kubectl -n api rollout restart deploy/api"]),
    ]
    [procedure] = graph["procedures"]
    assert [n["title"] for n in procedure["nodes"]] == ["Drain the old key", "Remove it"]
    verify = _unit(graph, "verify")
    assert [n["title"] for n in verify["nodes"]] == [
        "Fetch the public key",
        "Compare its fingerprint with the new key's",
    ]


def test_how_to_pairs_prompts_labels_output_and_placeholders() -> None:
    graph = _graph("howto-pairs")
    rebuild = _unit(graph, "rebuild")
    assert commands(node(rebuild, "rebuild.1")) == ["export ENVIRONMENT=staging"]
    task = node(rebuild, "rebuild.2")
    assert commands(task) == ["bundle exec rake search:rebuild[INDEXNAME]"]
    [index] = task["blocks"][0]["placeholders"]
    assert (index["text"], index["description"]) == ("INDEXNAME", "the index that failed")
    # "You should see something like:" and its block are the output of the step before, not a step.
    assert any(
        "Rebuilding products" in e["text"] for c in task["blocks"][0]["commands"] for e in c["expectations"]
    )
    shells = node(rebuild, "rebuild.3-4")
    assert [b["key"] for b in shells["choice"]["branches"]] == ["bash", "fish"]
    count = node(rebuild, "rebuild.5")
    assert count["blocks"][0]["placeholders"][0]["text"] == "<index named in the alert>"
    assert count["flags"]["destructive"]  # the {warning} admonition before it is a warning


def test_example_value_the_prose_gives_is_an_example_not_a_default() -> None:
    markdown = textwrap.dedent("""
        # Local cluster

        ## Connect

        Point kubectl at your cluster:

        ```bash
        kubectl config use-context k8s-context-name
        ```

        If using Docker Desktop, `k8s-context-name` is `docker-desktop`.
        """)
    graph = graph_json(load_text(markdown, "local.md"))
    [unit] = graph["sections"]
    [placeholder] = unit["nodes"][0]["blocks"][0]["placeholders"]
    assert placeholder["text"] == "k8s-context-name" and placeholder["example"] == "docker-desktop"


def test_flags_before_delete_are_destructive() -> None:
    # The shared destructive policy reads the parsed command: `kubectl -n NS delete` asks for the typed word.
    graph = _graph("alert-runbook")
    [mitigation] = graph["procedures"]
    delete = node(mitigation, "1.2")
    assert delete["flags"]["confirm"] == "typed"


def test_shell_groups_and_subshells_run_and_json_does_not() -> None:
    # `{ … } | …` and `( … )` start like JSON or a list, but bash reads them as commands.
    markdown = textwrap.dedent(
        """\
        ## Procedure 1: Groups
        1. **Print and cut**
           ```bash
           { yes 'a line' || true; } | head -c 100
           ( cd /tmp && ls )
           ```
        2. **A body**
           ```bash
           { "replicas": 3 }
           ```
        """
    )
    [procedure] = graph_json(load_text(markdown, "groups.md"))["procedures"]
    assert commands(node(procedure, "1.1")) == [
        "{ yes 'a line' || true; } | head -c 100",
        "( cd /tmp && ls )",
    ]
    assert commands(node(procedure, "1.2")) == []


def test_a_table_whose_code_column_is_not_commands_is_not_a_table_of_steps() -> None:
    # A schema explained row by row: the `Code` column holds Jsonnet, which must never run as shell
    # (`(import "x")` would run ImageMagick's `import`).
    markdown = textwrap.dedent(
        """\
        # Schema

        | Block | Code | What it does |
        | --- | --- | --- |
        | Import | (import "shared/default.jsonnet") | Loads the defaults. |
        | Types | { document_type: ["a", "b"], | The types allowed. |
        | Details | type: "object", | A structured object. |
        """
    )
    graph = graph_json(load_text(markdown, "schema.md"))
    assert [
        c for u in [*graph["procedures"], *graph["sections"]] for n in u["nodes"] for c in commands(n)
    ] == []
