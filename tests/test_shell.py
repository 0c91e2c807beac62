"""What inference reads from shell code: commands, variables, hazards, placeholders, expectations."""

from __future__ import annotations

import pytest

from interpreter.infer.shell import analyse_shell, destructive_reasons, is_never_ending
from interpreter.policy.secrets import is_secret_name


@pytest.mark.parametrize(
    ("command", "destructive"),
    [
        ("git reset --hard abc123f", True),
        ("git push origin main --force-with-lease", True),
        ("git push -f origin main", True),
        ("git push origin main", False),
        ("rm -rf /var/lib/app/cache", True),
        ("rm -f /tmp/lock", False),
        ('psql -c "DROP DATABASE ai_agents;"', True),
        ('psql -c "drop table orders"', True),
        ('psql -c "DELETE FROM orders"', True),
        ('psql -c "DELETE FROM orders WHERE id = 3"', False),
        ('psql -c "UPDATE users SET admin = true"', True),
        ('psql -c "UPDATE users SET admin = true WHERE id = 1"', False),
        ("docker-compose down", True),
        ("docker compose down -v", True),
        ("docker-compose up -d", False),
        ("kubectl delete pod api-0", True),
        ("kubectl get pods", False),
        ("terraform destroy -auto-approve", True),
        ("pg_restore --clean --dbname=app backup.dump", True),
        ("helm upgrade --install api ./chart --force", True),
        ("echo 'git reset --hard is dangerous'", False),  # printed, not run
        ('grep -r "rm -rf" scripts/', False),
        ('echo "DROP TABLE" | psql app', True),  # piped into something that runs it
        ("rm -Rf /var/cache/web", True),
        ("find /tmp -name '*.log' -delete", True),
        ("redis-cli FLUSHALL", True),
        ("git branch -D release-1.2", True),
        ("aws s3 rm s3://bucket/path --recursive", True),
        ("pip install --force-reinstall app", False),
        ("certbot renew --force-renewal", False),
    ],
)
def test_destructive_commands(command: str, destructive: bool) -> None:
    assert bool(destructive_reasons(command)) is destructive


@pytest.mark.parametrize(
    ("command", "never_ending"),
    [
        ("docker-compose logs -f api worker", True),
        ("kubectl logs --follow deploy/api", True),
        ("tail -f /var/log/syslog", True),
        ("tail -F /var/log/syslog", True),
        ("watch -n 5 kubectl get pods", True),
        ("journalctl -u api -f", True),
        ("kubectl get pods -w", True),
        ("docker-compose -f prod.yml up -d", False),
        ("rm -f /tmp/lock", False),
        ("docker-compose logs --tail=100 api", False),
        ("tail -n 50 -f /var/log/web.log", True),
        ("journalctl -fu api", True),
        ("docker-compose up api", True),
        ("docker-compose up -d api", False),
        ("kubectl port-forward svc/api 8080:80", True),
        ("ping db.internal", True),
        ("ping -c 3 db.internal", False),
        ('redis-cli -h "$HOST" ping', False),
    ],
)
def test_never_ending_commands(command: str, never_ending: bool) -> None:
    assert is_never_ending(command) is never_ending


def test_variables_read_set_and_quoted_literally() -> None:
    code = (
        "export TARGET=$(git describe --tags)\n"
        'echo "deploying $TARGET to ${ENVIRONMENT}"\n'
        'curl -d \'{"password": "$ADMIN_PASSWORD"}\' $API_URL  # $NOT_A_USE in a comment\n'
        "for host in $HOSTS; do ssh $host uptime; done\n"
        "echo $HOME $1\n"
    )
    facts = analyse_shell(code, 10, "x.md")
    assert facts.sets == ("TARGET", "host")
    assert facts.uses == ("ENVIRONMENT", "API_URL", "HOSTS")
    assert facts.single_quoted == (("ADMIN_PASSWORD", 12),)
    assert [c.span.start for c in facts.commands] == [10, 11, 12, 13, 14]


def test_continuations_heredocs_comments_and_expectations() -> None:
    code = (
        "# Restore the dump\n"
        "gunzip < backup.sql.gz | \\\n"
        "  psql app\n"
        "cat <<EOF > /etc/app.conf\n"
        "mode=safe\n"
        "EOF\n"
        "curl -s localhost/health\n"
        '# Expected: {"status": "ok"}\n'
        'psql -c "SELECT 1\n'
        '  FROM dual"\n'
    )
    facts = analyse_shell(code, 1, "x.md")
    spans = [(c.span.start, c.span.end) for c in facts.commands]
    assert spans == [(2, 3), (4, 6), (7, 7), (9, 10)]
    assert facts.commands[0].comment == "Restore the dump"
    [expectation] = facts.commands[2].expectations
    assert expectation.literal and expectation.text == '{"status": "ok"}' and expectation.line == 8


def test_console_blocks_run_only_prompt_lines() -> None:
    facts = analyse_shell(
        "$ kubectl get nodes\nNAME STATUS\nnode-1 Ready\n$ echo done\ndone\n", 5, "x.md", console=True
    )
    assert [c.text for c in facts.commands] == ["kubectl get nodes", "echo done"]
    # The output written under a command is one expectation (the operator confirms it once).
    assert [(e.text, e.line) for e in facts.commands[0].expectations] == [("NAME STATUS\nnode-1 Ready", 6)]
    assert not facts.commands[0].expectations[0].literal
    assert [e.text for e in facts.commands[1].expectations] == ["done"]


def test_placeholders() -> None:
    facts = analyse_shell(
        "cd /path/to/app\ngit checkout abc123f\ngit checkout <stable-tag>\n"
        "cp .env.backup-20251120-100000 .env\ncat <<EOF\nx\nEOF\necho deadbeef\n",
        1,
        "x.md",
    )
    assert [(p.text, p.kind, p.line) for p in facts.placeholders] == [
        ("/path/to/app", "path", 1),
        ("abc123f", "commit", 2),
        ("<stable-tag>", "angle", 3),
        (".env.backup-20251120-100000", "timestamp", 4),
    ]


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("ADMIN_API_KEY", True),
        ("DB_PASSWORD", True),
        ("GITHUB_TOKEN", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("KEYCLOAK_URL", False),
        ("MONKEY", False),
        ("STABLE_TAG", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret
