"""The tool table: which tool, subcommand and options make a command destructive or never-ending.

Adding a tool is one row of `TOOL_RULES` (and, when it takes options with values before its
subcommand, one entry of `SYNTAX`). `tests/test_risk.py` holds a case for every row.

What counts as **destructive** here: it deletes or overwrites data or state that re-running a
simple command does not bring back (files, rows, volumes, cluster objects, git history, remote
state), or it takes a whole service, node or machine out of service (`systemctl stop`, `kubectl
drain`, `kubectl scale --replicas=0`, `reboot`). Merely **disruptive** commands, which a rolling
process or one command undoes, are not: `kubectl rollout restart`, `kubectl cordon`, `kubectl
rollout undo` and `helm rollback` (the usual remedy of a runbook), `systemctl restart`, `docker
stop`/`kill` (the container stays), `terraform taint` (the later `apply` is what destroys, and
terraform asks). A `--dry-run` (not `=none`) makes any destructive row harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from .argv import Invocation

__all__ = ["TOOL_RULES", "Effect", "ToolRule"]

Effect = Literal["destructive", "never-ending"]


@dataclass(frozen=True, slots=True)
class ToolRule:
    """One row: when `tools` is called with subcommand `path` and the options match, it has `effect`."""

    tools: str
    """Command names, `|`-separated (`kubectl|oc`); `name*` matches a prefix (`mkfs*`)."""
    path: tuple[str, ...]
    """Subcommand words the positionals start with (`("state", "rm|mv")`); a leading `...` lets
    them start anywhere (`gcloud compute instances delete`). Empty: any call."""
    reason: str
    """Why, in one sentence: shown when the run asks for the typed word and in `validate`."""
    any_of: tuple[str, ...] = ()
    """At least one of these options (empty: none needed)."""
    none_of: tuple[str, ...] = ()
    """None of these options (`ping -c 3` ends by itself)."""
    test: Callable[[Invocation], bool] | None = None
    """A further condition on the arguments (a mode, a replica count, a refspec)."""
    effect: Effect = "destructive"
    needs: tuple[str, ...] = ()
    """Words (any case) a command must hold for this row to apply, so that most commands skip the
    parse (`words.py`); empty: the row's first subcommand word, or for a row without one, none."""


def _rule(
    tools: str,
    path: str,
    reason: str,
    any_of: str = "",
    none_of: str = "",
    test: Callable[[Invocation], bool] | None = None,
    effect: Effect = "destructive",
    needs: str = "",
) -> ToolRule:
    """A row written compactly: `path`, `any_of`, `none_of` and `needs` are space-separated."""
    return ToolRule(
        tools,
        tuple(path.split()),
        reason,
        tuple(any_of.split()),
        tuple(none_of.split()),
        test,
        effect,
        tuple(needs.split()),
    )


def _never(
    tools: str,
    path: str,
    reason: str,
    any_of: str = "",
    none_of: str = "",
    test: Callable[[Invocation], bool] | None = None,
) -> ToolRule:
    return _rule(tools, path, reason, any_of, none_of, test, "never-ending")


def _world_writable(inv: Invocation) -> bool:
    """`chmod 777`, `chmod 0666`, `chmod a+w`, `chmod o=rwx`: anyone on the machine may change it."""
    if not inv.positionals:
        return False
    mode = inv.positionals[0]
    if mode.isdigit():
        return len(mode) <= 4 and int(mode[-1]) & 2 == 2
    for clause in mode.split(","):
        who = ""
        for at, char in enumerate(clause):
            if char in "+=":
                if "w" in clause[at + 1 :].split("-")[0] and ("o" in who or "a" in who):
                    return True
                break
            if char == "-":
                break
            who += char
    return False


def _mass_removal(inv: Invocation) -> bool:
    """`rm dir/*`, `xargs rm`, `find -exec rm {}`: every file a pattern or a list names."""
    return inv.fed or any(word.glob for word in inv.words)


# kubectl subcommands after which a `delete` is a word, not the verb (`kubectl auth can-i delete pods`)
_KUBE_NOT_DELETE = frozenset(
    {"auth", "explain", "describe", "get", "logs", "events", "label", "annotate", "top"}
)


def _kube_verb(inv: Invocation) -> bool:
    """`kubectl delete`, and a plugin's (`kubectl cnpg subscription delete`)."""
    return inv.positionals[0].lower() not in _KUBE_NOT_DELETE


def _eksctl_approved(inv: Invocation) -> bool:
    """With a config file, `eksctl delete nodegroup` only shows its plan until `--approve`."""
    return inv.has("--approve") or not inv.has("-f", "--config-file")


def _replicas_zero(inv: Invocation) -> bool:
    return inv.value("--replicas") in ("0", "00")


def _push_rewrites(inv: Invocation) -> bool:
    """`git push --force`, `-f`, `+main`, `--delete`, `:main`, `--mirror`: the remote loses commits."""
    if inv.has(
        "--force", "-f", "--force-with-lease", "--force-if-includes", "--mirror", "--delete", "-d", "--prune"
    ):
        return True
    return any(p.startswith(("+", ":")) and len(p) > 1 for p in inv.positionals[1:])


def _branch_force_delete(inv: Invocation) -> bool:
    return inv.has("-D") or (inv.has("--delete", "-d") and inv.has("--force", "-f"))


def _size_zero(inv: Invocation) -> bool:
    return (inv.value("-s", "--size") or "").strip() in ("0", "0k", "0K", "0M", "0G")


def _writes_device(inv: Invocation) -> bool:
    """`dd of=…`: it overwrites the file or disk it names (not `/dev/null`)."""
    return any(p.startswith("of=") and p != "of=/dev/null" for p in inv.positionals)


def _http_delete(inv: Invocation) -> bool:
    from .http import destructive_method

    return destructive_method(inv.value("-X", "--request", "--method") or "")


def _httpie_delete(inv: Invocation) -> bool:
    from .http import destructive_method

    return bool(inv.positionals) and destructive_method(inv.positionals[0])


def _one_interval(inv: Invocation) -> bool:
    """`vmstat 1` repeats forever; `vmstat 1 5` stops after five reports."""
    return len(inv.positionals) == 1 and inv.positionals[0].isdigit()


def _debug_shell(inv: Invocation) -> bool:
    """`kubectl debug -it node/x --image=busybox` opens the image's shell and waits for the operator."""
    return inv.has("-i", "--stdin") and not inv.rest


_CLOUD = "deletes cloud resources, which no command brings back"
_DOWN = "stops a service, which stays down until someone starts it again"
_MACHINE = "takes the whole machine down"
_COMPOSE_DOWN = "down stops and removes the containers (and volumes with -v)"
_FOREGROUND = "up without -d runs in the foreground until stopped"
_DETACHED = "-d --detach --wait"
# Not `network`: removing one loses no data, Docker refuses while a container uses it, and
# `docker network create` brings it back.
_DOCKER_OBJECTS = (
    "container|image|volume|service|stack|secret|config|node|plugin|context|builder|buildx"
    "|system|manifest|trust|machine|pod"
)
_RSYNC = "--delete --delete-before --delete-during --delete-delay --delete-after --delete-excluded --del"

# fmt: off
TOOL_RULES: tuple[ToolRule, ...] = (
    # Kubernetes and OpenShift (options may come anywhere: `kubectl -n prod delete`).
    _rule("kubectl|oc|k", "... delete", "kubectl delete removes cluster objects and data", test=_kube_verb),
    _rule("kubectl|oc|k", "drain", "kubectl drain evicts every pod from the node (their local data too)"),
    _rule("oc", "adm drain", "oc adm drain evicts every pod from the node"),
    _rule("kubectl|oc|k", "replace", "kubectl replace --force deletes and recreates objects", "--force"),
    _rule("kubectl|oc|k", "scale", "scaling to zero replicas stops every pod", test=_replicas_zero),
    _rule("kubectl|oc|k", "apply", "kubectl apply --prune deletes objects missing from the files", "--prune"),
    _never("kubectl|oc|k", "logs", "kubectl logs -f follows the log until stopped", "-f --follow"),
    _never("kubectl|oc|k", "get|events", "kubectl get --watch waits for changes", "-w --watch --watch-only"),
    _never("kubectl|oc|k", "port-forward|proxy|attach", "port-forward, proxy and attach run until stopped"),
    _never("kubectl|oc|k", "debug", "kubectl debug -it opens a shell until you leave it", test=_debug_shell),
    _never("stern|kubetail", "", "a log tailer follows logs until stopped"),
    _rule("eksctl", "delete", "eksctl delete removes clusters or node groups", test=_eksctl_approved),
    _rule("minikube|kind", "delete", "minikube delete removes a local cluster and everything in it"),
    _rule("k3d", "cluster|node delete", "k3d cluster delete removes a local cluster and everything in it"),
    # Terraform and OpenTofu.
    _rule("terraform|tofu", "destroy", "terraform destroy removes the infrastructure it manages"),
    _rule("terraform|tofu", "apply", "apply -auto-approve changes (may destroy) infrastructure unreviewed",
          "-auto-approve --auto-approve"),
    _rule("terraform|tofu", "apply", "terraform apply -destroy removes infrastructure", "-destroy --destroy"),
    _rule("terraform|tofu", "state rm|mv|push|replace-provider",
          "terraform state rm/mv/push rewrites the state: resources are forgotten, moved or overwritten"),
    _rule("terraform|tofu", "force-unlock", "force-unlock drops another run's lock: two runs corrupt state"),
    _rule("terraform|tofu", "workspace delete", "terraform workspace delete drops a workspace and its state"),
    _rule("terragrunt", "... destroy", "terragrunt destroy removes the infrastructure it manages"),
    _rule("pulumi|cdk|vagrant", "destroy", "it destroys the stack or machine it manages"),
    # Helm.
    _rule("helm", "uninstall|delete|del|un", "helm uninstall removes a release and its objects"),
    _rule("helm", "upgrade|rollback", "helm --force deletes and recreates objects", "--force"),
    # git.
    _rule("git", "reset", "git reset --hard discards commits and local changes", "--hard"),
    _rule("git", "push", "a force push or a remote delete rewrites the remote branch", none_of="-n --dry-run",
          test=_push_rewrites),
    _rule("git", "clean", "git clean -f deletes untracked files", "-f --force", "-n --dry-run"),
    _rule("git", "checkout|switch", "checkout -f discards local changes", "-f --force --discard-changes"),
    _rule("git", "branch", "git branch -D deletes a branch whatever it holds", test=_branch_force_delete),
    _rule("git", "filter-branch|filter-repo", "rewriting history changes every commit id after it"),
    _rule("git", "stash drop|clear", "git stash drop/clear deletes stashed changes"),
    # Containers.
    _rule("docker|podman|nerdctl", "rm|rmi", "docker rm/rmi removes containers or images"),
    _rule("docker|podman|nerdctl", _DOCKER_OBJECTS + " rm|rmi|remove|prune", "docker … rm deletes data"),
    _rule("docker|podman", "compose down|rm", "docker compose " + _COMPOSE_DOWN),
    _rule("docker-compose|podman-compose", "down|rm", "docker-compose " + _COMPOSE_DOWN),
    _never("docker|podman|nerdctl", "logs", "docker logs -f follows the log until stopped", "-f --follow"),
    _never("docker|podman", "compose logs", "docker compose logs -f follows the logs", "-f --follow"),
    _never("docker-compose|podman-compose", "logs", "docker-compose logs -f follows the logs", "-f --follow"),
    _never("docker|podman", "compose up|watch", "docker compose " + _FOREGROUND, none_of=_DETACHED),
    _never("docker-compose|podman-compose", "up", "docker-compose " + _FOREGROUND, none_of=_DETACHED),
    _never("docker|podman|nerdctl", "stats", "docker stats refreshes until stopped", none_of="--no-stream"),
    _never("docker|podman|nerdctl", "events|attach", "docker events and attach run until stopped"),
    # Services and machines.
    _rule("systemctl", "stop|kill|mask|isolate", "systemctl stop " + _DOWN),
    _rule("systemctl", "disable", "systemctl disable --now " + _DOWN, "--now"),
    _rule("systemctl", "poweroff|reboot|halt|kexec|emergency|rescue", "systemctl reboot " + _MACHINE),
    _rule("service", "* stop", "service … stop " + _DOWN),
    _rule("reboot|poweroff|halt", "", "reboot " + _MACHINE),
    _rule("shutdown", "", "shutdown " + _MACHINE, none_of="-c"),
    # Files and disks.
    _rule("rm", "", "rm -r deletes a whole tree of files", "-r -R --recursive"),
    _rule("rm", "", "rm of a wildcard or of a list deletes every file it matches", test=_mass_removal),
    _rule("unlink|shred", "", "it deletes or overwrites a file for good"),
    _rule("find", "", "find -delete deletes every file it matches", "-delete"),
    _rule("rsync", "", "rsync --delete deletes files at the destination", _RSYNC, "-n --dry-run"),
    _rule("rsync", "", "rsync --remove-source-files deletes the files it copied", "--remove-source-files"),
    _rule("dd", "", "dd of= overwrites the file or disk it names", test=_writes_device),
    _rule("mkfs*|mke2fs|mkswap|wipefs|blkdiscard", "", "it erases a file system or a disk"),
    _rule("truncate", "", "truncate -s 0 empties the file", test=_size_zero),
    _rule("chmod", "", "a world-writable mode lets anyone on the machine change it", test=_world_writable),
    # HTTP.
    _rule("curl|wget", "", "curl -X DELETE removes the resource it names", test=_http_delete, needs="delete"),
    _rule("http|https|xh|xhs", "", "http DELETE removes the resource", test=_httpie_delete, needs="delete"),
    # Databases and stores.
    _rule("redis-cli", "... flushall|flushdb", "FLUSHALL/FLUSHDB deletes every key"),
    _rule("redis-cli", "... shutdown", "redis SHUTDOWN stops the server (NOSAVE loses unsaved keys)"),
    _rule("dropdb", "", "dropdb deletes a database"),
    _rule("dropuser", "", "dropuser deletes a database role"),
    _rule("mysqladmin", "... drop", "mysqladmin drop deletes a database"),
    _rule("pg_restore", "", "pg_restore --clean drops objects before restoring them", "-c --clean"),
    # Clouds.
    _rule("aws", "s3 rm", "aws s3 rm --recursive deletes every object under the prefix", "--recursive"),
    _rule("aws", "s3 rb", "aws s3 rb --force deletes the bucket and every object in it", "--force"),
    _rule("aws", "s3 sync", "aws s3 sync --delete deletes objects missing from the source", "--delete"),
    _rule("aws", "* delete-*|terminate-*|purge-*", "aws … delete-* " + _CLOUD),
    _rule("gcloud", "... delete", "gcloud … delete " + _CLOUD),
    _rule("az", "... delete|purge", "az … delete " + _CLOUD),
    # Commands that run until stopped.
    _never("tail", "", "tail -f follows the file until stopped", "-f -F --follow --retry"),
    _never("journalctl", "", "journalctl -f follows the journal until stopped", "-f --follow"),
    _never("dmesg", "", "dmesg -w follows the kernel log until stopped", "-w --follow"),
    _never("top", "", "top refreshes until stopped", none_of="-n"),
    _never("htop|btop|atop|glances|iftop|nload|iotop", "", "it refreshes until stopped", none_of="-n -b"),
    _never("ping|ping6", "", "ping without -c runs until stopped", none_of="-c -w"),
    _never("tcpdump", "", "tcpdump without -c captures until stopped", none_of="-c -r"),
    _never("vmstat|iostat|mpstat|pidstat", "", "an interval without a count repeats", test=_one_interval),
    _never("sleep", "infinity|inf", "sleep infinity never ends"),
    _never("screen", "", "screen -r attaches to a session until the operator detaches", "-r -x -R"),
    _never("tmux", "attach|attach-session|a|new|new-session", "tmux attach holds the terminal", none_of="-d"),
    _never("aws", "logs tail", "aws logs tail --follow follows the log until stopped", "--follow"),
    _never("heroku", "logs", "heroku logs --tail follows the log until stopped", "-t --tail"),
)
# fmt: on
