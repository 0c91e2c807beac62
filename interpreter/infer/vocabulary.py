"""Words that tell a command from other text: well-known programs, shell builtins, interactive programs."""

from __future__ import annotations

__all__ = ["BUILTINS", "KNOWN_COMMANDS", "SHELLS"]

# Programs an operations runbook commonly runs. A line starting with one of these is a command
# even where nothing else says so (a fence with no language); an unknown first word is accepted
# only where the fence or its prose says it holds commands.
KNOWN_COMMANDS = frozenset(
    """
    ab ack ag age ansible ansible-playbook ansible-vault apt apt-get argocd aws awk az base64
    basename bash bat bq brew bundle bunx bzip2 cargo cat cd certbot chmod chown chroot chartpress
    cilium circleci clickhouse-client cmctl column comm composer conda consul cp crictl crontab
    csvlook ctr curl cut cqlsh date dd deno df diff dig direnv dirname dnf docker docker-compose
    doctl dos2unix du echo eksctl env envsubst etcdctl exit export expr fd fgrep file find firebase
    flux fly free gcloud gem getent gh git git-crypt glab go gpg grep gsutil gunzip gzip head heroku
    helm helmfile hostname htop http httpie hub id ifconfig install ip iptables irb istioctl java jq
    journalctl jsonnet just k3d k6 k9s kafka-topics kill killall kind kops kubeadm kubectl kubectx
    kubens kustomize less ln locust logcli ls lsblk lsof make man mc minikube mkdir mktemp mongo
    mongosh mongodump mongorestore more mount mv mysql mysqldump mysqladmin nc ncdu netstat nginx
    nix nix-shell node nohup npm npx nslookup nvidia-smi oc op openssl packer parallel pass patch
    pg_basebackup pg_ctl pg_dump pg_dumpall pg_isready pg_restore pgbench php pip pip3 pipenv pipx
    ping pkill pnpm podman poetry printenv printf promtool ps psql pulumi pwd pwgen pytest python
    python3 rails rake rbenv read redis-cli rm rmdir rsync ruby rustup s3cmd scp screen sed seq
    service set sha256sum shellcheck skaffold sleep sort source sops sqlite3 ss ssh ssh-add
    ssh-keygen stat stern strace su sudo swapoff sysctl systemctl tail tar tcpdump tee telnet
    terraform terragrunt test tfenv time timeout tmux top touch tr traceroute tree tsh umount uname
    unset unzip uptime useradd usermod vagrant vault velero vi vim virtualenv wait watch wc wget
    which whoami xargs yarn yq zcat zip
    """.split()  # noqa: SIM905 (a word list reads best as words)
)

# Words bash itself reads at the start of a command.
BUILTINS = frozenset(
    """
    . : [ [[ alias bg break builtin case cd command continue declare dirs disown echo eval exec exit
    export false fg for function getopts hash if jobs let local popd printf pushd pwd read readonly
    return select set shift shopt source test then trap true type typeset ulimit umask unalias unset
    until wait while { ( !
    """.split()  # noqa: SIM905 (a word list reads best as words)
)

SHELLS = frozenset(
    {"sh", "bash", "zsh", "ash", "dash", "ksh", "fish", "/bin/sh", "/bin/bash", "/bin/zsh", "/bin/ash"}
)
"""A shell started with no command: the operator works inside it."""
