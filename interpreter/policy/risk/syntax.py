"""How each tool reads its options: which take a value, and whether short options cluster (`-rf`).

Needed to find a subcommand behind options (`kubectl -n prod delete`, `git -C repo push`) and a
wrapped command behind its wrapper's options (`sudo -u root rm`, `timeout -s KILL 10 cmd`). A tool
not listed reads clustered short options and no option takes a value.
"""

from __future__ import annotations

from .argv import Syntax

__all__ = ["SYNTAX"]


def _values(text: str, clusters: bool = True) -> Syntax:
    return Syntax(frozenset(text.split()), clusters)


_KUBE = _values(
    "-n --namespace --context --cluster --kubeconfig --user -s --server --token --as --as-group"
    " -l --selector -o --output -c --container -f --filename --since --since-time --tail"
    " --field-selector --type -p --patch --replicas --timeout --grace-period --image"
    " --request-timeout --cascade --template --sort-by --chunk-size --target --profile"
)
_DOCKER = _values(
    "-H --host --context -c --config -l --log-level -f --file -p --project-name --env-file"
    " --profile --project-directory -e --env -u --user -w --workdir --name --filter --format"
    " --since --tail --until -n --signal -s --network -v --volume --entrypoint --label --mount"
    " --platform -m --memory --cpus --restart --add-host --dns -h --hostname --log-driver"
    " --log-opt --device --cap-add --cap-drop --security-opt --ulimit --tmpfs --publish --link"
    " --pid --ipc --runtime --shm-size --stop-signal --gpus --index --detach-keys --scale"
    " --time --timeout --pull --ansi --parallel --url --remote --connection --identity"
)
_PG = _values(
    "-d --dbname -f --file -F --format -I --index -j --jobs -L --use-list -n --schema -N"
    " --exclude-schema -P --function -S --superuser -t --table -T --trigger -h --host -p --port"
    " -U --username --role -c --command -v --variable -o --output -E --encoding -l"
)
_TERRAFORM = _values(
    "-var -var-file -target -state -state-out -backup -lock-timeout -parallelism -replace -out -lock",
    clusters=False,
)
_HTTPIE = _values(
    "-a --auth -o --output --session --verify --cert --timeout -p --print -s --style -A --auth-type"
)
_MYSQL = _values(
    "-u --user -h --host -P --port -D --database -e --execute -S --socket --defaults-file"
    " --default-character-set"
)
_PING = _values("-c -w -W -i -s -I -t -Q -p -l -m -M")

SYNTAX: dict[str, Syntax] = {
    **dict.fromkeys(("kubectl", "oc", "k", "kubectl.exe"), _KUBE),
    **dict.fromkeys(("docker", "podman", "docker-compose", "podman-compose", "nerdctl"), _DOCKER),
    **dict.fromkeys(("terraform", "tofu"), _TERRAFORM),
    **dict.fromkeys(("http", "https", "xh", "xhs"), _HTTPIE),
    **dict.fromkeys(("pg_restore", "psql", "dropdb", "dropuser"), _PG),
    **dict.fromkeys(("mysql", "mariadb"), _MYSQL),
    **dict.fromkeys(("ping", "ping6"), _PING),
    "helm": _values(
        "-n --namespace --kube-context --kubeconfig -f --values --set --set-string --set-file"
        " --version --timeout -o --output --repo"
    ),
    "git": _values(
        "-C -c --git-dir --work-tree --namespace -o --push-option --repo -m -b -B -e --exclude"
        " --receive-pack --exec --message -X --strategy-option -s --strategy --depth --reference"
    ),
    "systemctl": _values(
        "-H --host -M --machine -t --type -p --property -n --lines -o --output --state -s --signal"
        " --kill-whom --root"
    ),
    "journalctl": _values(
        "-u --unit -n --lines -p --priority -S --since -U --until -o --output -t --identifier -D"
        " --directory --file -g --grep -M --machine --user-unit -F --field --facility"
    ),
    "tail": _values("-n --lines -c --bytes -s --sleep-interval --pid"),
    "rsync": _values(
        "-e --rsh --exclude --include --filter -f --exclude-from --include-from --files-from"
        " --password-file -T --temp-dir --log-file --bwlimit --timeout --chmod --chown -M"
        " --remote-option --port --out-format -B --block-size --max-size --min-size --partial-dir"
        " --backup-dir --suffix --compare-dest --copy-dest --link-dest"
    ),
    "curl": _values(
        "-X --request -H --header -d --data --data-raw --data-binary --data-urlencode -o --output"
        " -u --user -A --user-agent -b --cookie -c --cookie-jar -e --referer -F --form -T"
        " --upload-file -w --write-out -x --proxy -m --max-time -E --cert -K --config -r --range"
        " -y -Y -z -C --cacert --connect-timeout --retry --resolve --url --json -U --key"
    ),
    "wget": _values("-O --output-document -o --method --header --body-data -T -t"),
    "redis-cli": _values(
        "-h -p -s -a --user --pass -u -r -i -n -d -D --cacert --cacertdir --cert --key --sni"
        " --tls-ciphers --pattern --count --rdb --eval --memkeys-samples --pipe-timeout"
    ),
    "aws": _values(
        "--profile --region --output --endpoint-url --query --color --cli-input-json --ca-bundle"
        " --cli-read-timeout --cli-connect-timeout"
    ),
    "gcloud": _values(
        "--project --zone --region --format --filter --account --configuration"
        " --impersonate-service-account --location --cluster --verbosity --flags-file"
        " --billing-project --limit"
    ),
    "az": _values("-g --resource-group -n --name --subscription -o --output --query -l --location"),
    "truncate": _values("-s --size -r --reference"),
    "clickhouse-client": _values("-q --query -h --host --port -u --user -d --database --password"),
    "cockroach": _values("-e --execute --url --host -d --database -u --user --certs-dir"),
    "sqlite3": _values("-cmd -separator -newline -nullvalue", clusters=False),
    "tcpdump": _values("-c -i -w -r -s -C -G -W -E -F -y -z -Z"),
    "top": _values("-n -d -p -u -U -o -w"),
    "chmod": _values("--reference"),
    "heroku": _values("-a --app -r --remote -n --num -s --source -d --dyno"),
    "find": _values(
        "-name -iname -path -ipath -type -mtime -mmin -ctime -cmin -atime -amin -size -user -group"
        " -perm -maxdepth -mindepth -newer -regex -iregex -wholename -printf -fprint -links -inum",
        clusters=False,
    ),
    # Wrappers: their own options come before the command they run.
    "sudo": _values(
        "-u --user -g --group -h --host -p --prompt -C --close-from -D --chdir -r --role -t --type"
        " -U --other-user -T --command-timeout"
    ),
    "doas": _values("-u -C"),
    "env": _values("-u --unset -C --chdir -S --split-string"),
    "nice": _values("-n --adjustment"),
    "ionice": _values("-c --class -n --classdata -p -P -u"),
    "stdbuf": _values("-i -o -e --input --output --error"),
    "time": _values("-f --format -o --output"),
    "exec": _values("-a"),
    "timeout": _values("-s --signal -k --kill-after"),
    "flock": _values("-w --timeout -E --conflict-exit-code -c --command"),
    "su": _values("-c --command -s --shell -g --group -G --supp-group -w"),
    "runuser": _values("-u --user -g --group -c --command -s --shell"),
    "xargs": _values(
        "-I -i -n --max-args -P --max-procs -L --max-lines -d --delimiter -a --arg-file -s"
        " --max-chars -E --eof --replace"
    ),
    "parallel": _values("-j --jobs -S --sshlogin --joblog -a --arg-file -d --delimiter -I"),
    "watch": _values("-n --interval -q --equexit -s --shotsfile"),
    "aws-vault": _values("--duration -d --region --mfa-token -t --prompt -p --backend"),
    "eksctl": _values("--cluster -c --name -n --region -r --profile -p -f --config-file"),
    "ssh": _values("-b -c -D -E -e -F -I -i -J -L -l -m -O -o -p -Q -R -S -W -w -B -P"),
    "taskset": _values("-c --cpu-list"),
    "strace": _values("-e -o -p -s -u -E -P -S -X -a -b -I -O"),
    "ltrace": _values("-e -o -p -s -u -n -a -A -D -F -l"),
}
