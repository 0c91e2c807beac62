"""What a shell fence holds when it is not shell (policy/languages.py), and placeholder forms
(policy/placeholders.py): each shape recognised, and real shell left alone."""

from __future__ import annotations

import subprocess

import pytest

from interpreter.policy.languages import not_shell
from interpreter.policy.placeholders import neutralise

NOT_SHELL = [
    ('rate(http_requests_total{job="api"}[5m])', True, "promql"),
    ('up{job="node", instance=~"db-.*"} == 0', True, "promql"),
    ("orders=# SELECT count(*) FROM orders;\n count\n-------\n    42\n", True, "psql"),
    ("mysql> SHOW PROCESSLIST;\n", True, "mysql"),
    ("127.0.0.1:6379> INFO replication\n", True, "redis"),
    ("irb(main):001:0> User.count\n=> 12\n", True, "ruby"),
    ('{"replicas": 3,\n "image": "api:1.4"}\n', True, "json"),
    ("resources:\n  limits:\n    memory: 2Gi\n", True, "yaml"),
    ("[database]\nhost = db.internal\nport = 5432\n", True, "ini"),
    ('region = "eu-west-2"\nenable_backups = true\n', True, "hcl"),
    ("SELECT pid FROM pg_stat_activity WHERE state = 'active';\n", True, "sql"),
    ("set -x CLUSTER prod-eu\nset -x TOKEN (vault read -field=t secret/x)\n", True, "fish"),
    ("gpg --edit-card\n\ngpg/card> admin\n", True, "session"),
    ("Error: no such host\nRetrying in 5 seconds...\n", False, "text"),
    ("-rw-r--r--  1 ana  staff   193 22 Sep 14:07 id_ed25519.pub\n...\n", False, "text"),
]

SHELL = [
    "kubectl -n api rollout undo deploy/api\nkubectl -n api rollout status deploy/api\n",
    'curl -s "http://prometheus:9090/api/v1/query?query=rate(x[5m])"\n',
    "export COLOR=#ff0000\necho $COLOR\n",
    "cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: Namespace\nEOF\n",
    "psql \"$DATABASE_URL\" -c 'SELECT 1'\n",
    "for host in a b; do\n  ssh $host uptime\ndone\n",
    "set -x\nmake deploy\n",
]


@pytest.mark.parametrize(("code", "parses", "language"), NOT_SHELL)
def test_other_content_is_named(code: str, parses: bool, language: str) -> None:
    assert not_shell(code, parses) == language


@pytest.mark.parametrize("code", SHELL)
def test_shell_is_left_alone(code: str) -> None:
    assert not_shell(code, parses=True) is None


def test_a_broken_command_is_not_taken_for_output() -> None:
    assert not_shell('kubectl describe pod web-1 -n shop"\n', parses=False) is None


@pytest.mark.parametrize(
    ("written", "words"),
    [
        ("kubectl delete pod <pod identified as the problem pod>", 4),
        ("kubectl rollout undo deploy <>", 5),
        ("sg live <environment|url>", 3),
        ("helm rollback {{ release name }} {previous revision}", 4),
        ("export ENVIRONMENT=[dev|prod]", 2),
        ("kubectl logs [POD_NAME]", 3),
    ],
)
def test_placeholders_become_one_word_bash_accepts(written: str, words: int) -> None:
    text = neutralise(written)
    assert len(text.split()) == words and "PLACEHOLDER_" in text
    assert subprocess.run(["bash", "-n"], input=text, text=True, check=False).returncode == 0


@pytest.mark.parametrize(
    "shell",
    [
        "sort < in.txt > out.txt",
        "diff <(ls a) <(ls b)",
        "cat <<EOF",
        "echo {a,b} {1..3} ${HOME}",
        "{ echo a; echo b; } > log",
        "find . -name '*.tmp' -exec rm {} \\;",
        "[ -f x ] && [[ -n $Y ]] && ls file[0-9]",
        "awk '{print $1}' access.log",
    ],
)
def test_shell_syntax_that_looks_alike_is_kept(shell: str) -> None:
    assert neutralise(shell) == shell
