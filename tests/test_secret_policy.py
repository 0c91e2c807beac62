"""The one secret policy (policy/secrets.py): what `validate` reports as a plain-text secret, and what not.

Every value below is made up for this test (none is a real credential); the shapes are the ones
leaks take and the placeholders runbooks write instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from interpreter.policy.secrets import find_secrets, is_secret_name, secret_values

# Assembled from parts so that no scanner mistakes this file for a leak.
AWS_ID = "AKIA" + "Q3EGRX7TNLMB2ZUV"
AWS_SECRET = "kR9vT2mQ" + "/xW7pL4nZ8bY3cF6hJ1sD5gA0eU+oI9tN2mK4qV"
GITHUB = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"
GITHUB_PAT = "github_pat_" + "11ABCDE2F0" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1"
GITLAB = "glpat-" + "x7Kp2QzR9mWv4LtN8bYc"
SLACK = "xoxb-" + "2048-1024-Tq8Wz3Kx9Lm2Rv7P"
KEY_BODY = "MIIEowIBAAKCAQEA" + "7vQ2kR9mT4xW8pL3nZ6bY1cF5hJ0sD2gA9eU4oI7tN3mK8qV"

LEAKS = [
    (f"export AWS_ACCESS_KEY_ID={AWS_ID}", "AWS access key"),
    (f"aws_secret_access_key = {AWS_SECRET}", "aws_secret_access_key"),
    (f"git clone https://{GITHUB}@github.com/acme/app", "GitHub"),
    (f"GH_TOKEN={GITHUB_PAT} gh pr list", "GH_TOKEN"),
    (f'curl -H "PRIVATE-TOKEN: {GITLAB}" https://gitlab.example.com/api/v4/projects', "GitLab"),
    (f"SLACK_BOT={SLACK}", "Slack"),
    ("psql postgresql://app:Zq8-vR3t!xP2@db.internal:5432/app", "password in a URL"),
    ("DB_PASSWORD=hunter2hunter2 ./migrate.sh", "DB_PASSWORD"),
    ("  password: s3cr3tvalue", "password"),
    ('{"api_key": "f3c9a1e07b5d4c2e8a6f1b3d5c7e9a0b"}', "api_key"),
    ("mysql -u root -pS3cr3tPass! shop", "MySQL"),
    ('curl -H "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl"', "bearer"),
]

NOT_SECRETS = [
    "export API_TOKEN=${API_TOKEN:?set it first}",
    "TOKEN_TTL=3600",
    "kubectl get secret tls -o yaml",
    "secretName: tls-cert",
    "passwordSecretRef: db-creds",
    "password: <password>",
    "password: &password <password>",
    "password: *password",
    "client_secret: CLIENT_SECRET",
    "grafana_token: token",
    "DB_PASSWORD=$DB_PASSWORD ./migrate.sh",
    "token: ${{ secrets.DEPLOY_TOKEN }}",
    "password: changeme",
    "api_key: xxxxxxxxxxxxxxxx",
    "password: '{{ .Values.db.password }}'",
    "docker exec -it db mysql --user=root --password=root",
    "gcloud sql users create drill --instance=<instance> --password=drill",
    "It looks like postgresql://user:a-secret-password@hostname/db in the console",
    "psql postgresql://postgres:postgres@localhost:5432/app",
    "export TF_TOKEN=$(gcloud secrets versions access latest --secret=TFC_TEAM_TOKEN)",
    "--secret=TFC_TEAM_TOKEN",
    "SSH_PRIVATE_KEY=~/.ssh/id_ed25519",
    "GOOGLE_CREDENTIALS=./service-account.json",
    "password: ENC[AES256_GCM,data:q9Xv2,iv:Tz3k,tag:Mw==,type:str]",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
    "GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "Rotate the API_KEY: every 90 days.",
    "The secret: keep it in the vault.",
]


@pytest.mark.parametrize(("line", "what"), LEAKS, ids=[what for _, what in LEAKS])
def test_leaks_are_found(line: str, what: str) -> None:
    [secret] = find_secrets([line])
    assert what.lower() in secret.what.lower()
    assert secret.value in line and len(secret.value) >= 8


@pytest.mark.parametrize("line", NOT_SECRETS)
def test_placeholders_and_references_are_not_secrets(line: str) -> None:
    assert find_secrets([line]) == []


def test_a_private_key_block_is_a_secret_and_its_outline_is_not() -> None:
    block = ["-----BEGIN RSA PRIVATE KEY-----", KEY_BODY, "-----END RSA PRIVATE KEY-----"]
    [secret] = find_secrets(block)
    assert secret.line == 1 and "private key" in secret.what
    outline = ["-----BEGIN OPENSSH PRIVATE KEY-----", "...", "-----END OPENSSH PRIVATE KEY-----"]
    assert find_secrets(outline) == []


def test_one_name_policy_for_masking_and_for_validate() -> None:
    """The run masks every secret-named variable; the names validate reads values for are among them."""
    for name in (
        "DB_PASSWORD",
        "GITHUB_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "GOOGLE_CREDENTIALS",
        "API_KEY",
        "SSH_KEY",
    ):
        assert is_secret_name(name), name
    for name in ("HOME", "KEYBOARD", "MONKEY", "REGION", "NAMESPACE"):
        assert not is_secret_name(name), name
    line = "GOOGLE_CREDENTIALS=Zx81kPq0Lm7Rt2Vb"
    assert secret_values([line]) == ["Zx81kPq0Lm7Rt2Vb"]


def test_validate_reports_the_leak_and_masks_it_in_every_message(tmp_path: Path) -> None:
    from interpreter.validate import validate

    text = (
        "---\nowner: sre\nreview_by: 2099-01-01\n---\n\n# Deploy\n\n## Procedure 1: Deploy\n\n"
        f"1. **Log in**\n   ```bash\n   export GH_TOKEN={GITHUB}\n   gh auth status\n   ```\n"
    )
    (tmp_path / "r.md").write_text(text)
    [result] = validate([str(tmp_path / "r.md")], shellcheck=False)
    [secret] = [f for f in result.findings if f.rule == "safety/secret-in-text"]
    assert (secret.line, secret.severity) == (12, "error")
    assert all(GITHUB not in f.message + f.hint for f in result.findings)
