"""The run's shell session: each command in its own bash and process group, state carried between them."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["CommandResult", "ShellSession", "Spawn"]

Status = Literal["ok", "failed", "stopped", "timeout", "interrupted", "errored"]
Spawn = Callable[..., Any]
"""Starts a process like `subprocess.Popen` (a test hands in a fake)."""

# Sourced by every command's bash through BASH_ENV: strict pipelines, and on exit the working
# directory and variables are written to a private file, so the next command starts where this
# one left off, as in an operator's terminal. BASH_ENV is unset first so scripts the command runs
# do not write the file too. A command whose start the journal records first waits at the gate:
# it reads `go` from a pipe only the interpreter writes, once the event naming its process group
# is on disk; an interpreter killed before that closes the pipe, and the command never runs.
_PRELUDE = r"""unset BASH_ENV
if [[ -n ${RUNBOOK_GATE-} ]]; then
  IFS= builtin read -r -u "$RUNBOOK_GATE" __runbook_go
  builtin exec {RUNBOOK_GATE}<&-
  [[ ${__runbook_go-} == go ]] || builtin exit 125
  builtin unset RUNBOOK_GATE __runbook_go
fi
set -o pipefail
__runbook_save() {
  local status=$?
  {
    builtin printf 'PWD=%s\0' "$PWD"
    local __runbook_name
    for __runbook_name in ${RUNBOOK_CAPTURE-}; do
      [[ -v $__runbook_name ]] && builtin printf '%s=%s\0' "$__runbook_name" "${!__runbook_name}"
    done
    builtin printf '%s\0' '--exported--'
    # compgen is missing from bash built without programmable completion: env -0 then.
    if (( BASH_VERSINFO[0] >= 4 )) && builtin compgen -e >| "$RUNBOOK_STATE.names"; then
      local -a __runbook_names
      builtin mapfile -t __runbook_names < "$RUNBOOK_STATE.names"
      for __runbook_name in "${__runbook_names[@]}"; do
        builtin printf '%s=%s\0' "$__runbook_name" "${!__runbook_name}"
      done
      builtin printf '%s\0' '--functions--'
      builtin declare -fx
    else
      env -0
    fi
  } >| "$RUNBOOK_STATE" 2>/dev/null
  return $status
}
trap __runbook_save EXIT
"""
# The exported variables are listed by bash builtins alone (compgen, mapfile, printf): `env -0`
# would cost a process per command, as much as the command `true` itself.
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FUNCTION_END = re.compile(r"^declare -f\S* (\S+)$", re.M)
_INTERNAL = frozenset(
    {"BASH_ENV", "RUNBOOK_STATE", "RUNBOOK_CAPTURE", "RUNBOOK_GATE", "PWD", "OLDPWD", "SHLVL", "_"}
)


@dataclass(frozen=True, slots=True)
class CommandResult:
    """How one command ended: a value, whatever happened."""

    status: Status
    """ok; failed (non-zero exit); stopped (by the operator, or a never-ending command's timeout);
    timeout; interrupted (Ctrl-C); errored (could not start at all)."""
    exit_code: int | None
    duration: float
    error: str = ""
    """Why the command could not start, for `errored`."""
    details: dict[str, Any] = field(default_factory=dict)
    """What the step's journal entry should carry besides (a sql block's statements and rows)."""


@dataclass(slots=True)
class ShellSession:
    """Environment and working directory shared by the commands of one run."""

    env: dict[str, str]
    cwd: str
    spawn: Spawn = subprocess.Popen
    terminal: int | None = None
    """The operator's terminal (a file descriptor) as the commands' input, when there is one:
    `docker-compose exec`, `sudo` and `ssh` prompts need it. None: commands read nothing."""
    grace: float = 2.0
    """Seconds between SIGINT, SIGTERM and SIGKILL when stopping a command's process group."""
    _private: Path = field(init=False)

    def __post_init__(self) -> None:
        # State files may hold secrets: they live in a private folder, never in the run folder, and
        # in memory (tmpfs) where the system has one: creating a file on a journaled disk costs
        # more than the command `true`, and a secret in RAM never reaches a disk.
        _remove_stale_folders()
        self._private = Path(tempfile.mkdtemp(prefix=f"runbook-session-{os.getpid()}-", dir=_private_root()))
        (self._private / "prelude.sh").write_text(_PRELUDE, "utf-8")

    def _command_env(self, capture: Sequence[str]) -> tuple[Path, dict[str, str]]:
        """The environment one command starts with: the session's variables, and the prelude that
        restores the state the last command left and saves the state this one leaves (in `state`)."""
        state = self._private / "state"
        state.unlink(missing_ok=True)
        env = {
            **self.env,
            "BASH_ENV": str(self._private / "prelude.sh"),
            "RUNBOOK_STATE": str(state),
            "RUNBOOK_CAPTURE": " ".join(capture),
        }
        return state, env

    def close(self) -> None:
        shutil.rmtree(self._private, ignore_errors=True)

    def run(
        self,
        command: str,
        sink: Callable[[bytes], None],
        *,
        early: Callable[[bytes], bytes] | None = None,
        capture: tuple[str, ...] = (),
        timeout: float | None = None,
        never_ending: bool = False,
        on_spawn: Callable[[int | None], None] | None = None,
    ) -> CommandResult:
        """Run one command in bash, streaming its output to `sink` until it ends.

        `on_spawn`, when given, is called with the command's process group (None for a process
        that is not a real child) after bash has started and before the command runs: the run
        journals it there. If it raises, the command never runs and the exception is raised here.

        `early`, when given, sees each chunk first, in the thread that reads the output, and
        returns what `sink` gets: work there (masking, the journal's output file, its hash)
        overlaps with `sink`'s (the screen), and is done before the screen shows the chunk.
        An exception it raises stops the command and is raised here.

        Ctrl-C (KeyboardInterrupt) while it runs stops its whole process group and returns
        `interrupted`, or `stopped` for a never-ending command; it never propagates.
        """
        state, env = self._command_env(capture)
        started = time.monotonic()
        saved_terminal = _terminal_settings(self.terminal)
        gate = os.pipe() if on_spawn is not None else None
        extra: dict[str, Any] = {}
        if gate is not None:
            env["RUNBOOK_GATE"] = str(gate[0])
            extra["pass_fds"] = (gate[0],)
        try:
            process = self.spawn(
                ["bash", "-c", command],
                cwd=self.cwd,
                env=env,
                stdin=self.terminal if self.terminal is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **extra,
            )
        except OSError as exc:
            _close(gate)
            return CommandResult("errored", None, time.monotonic() - started, f"cannot start bash: {exc}")
        if gate is not None and on_spawn is not None:
            os.close(gate[0])
            try:
                pid = getattr(process, "pid", 0)
                on_spawn(pid if isinstance(process, subprocess.Popen) and pid > 1 else None)
            except KeyboardInterrupt:
                # Ctrl-C before the command was let go: it never runs, as if stopped at once.
                os.close(gate[1])
                self._stop(process)
                _restore_terminal(self.terminal, saved_terminal)
                return CommandResult(
                    "stopped" if never_ending else "interrupted", None, time.monotonic() - started
                )
            except BaseException:
                os.close(gate[1])  # no `go`: bash exits without running the command
                self._stop(process)
                raise
            with contextlib.suppress(OSError):
                os.write(gate[1], b"go\n")
            os.close(gate[1])
        chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=8)  # 8 MiB at most
        reading = _Gate()
        reader = threading.Thread(target=_pump, args=(process.stdout, chunks, early, reading), daemon=True)
        reader.start()
        status: Status | None = None
        deadline = started + timeout if timeout else None
        exited_at: float | None = None
        try:
            while True:
                wait = 0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic()))
                try:
                    chunk = chunks.get(timeout=wait)
                except queue.Empty:
                    if deadline is not None and time.monotonic() >= deadline:
                        status = "stopped" if never_ending else "timeout"
                        self._stop(process)
                    elif process.poll() is not None:
                        # bash is done; a child it left in the background (`server &`) may hold
                        # the output open for ever: it goes on running, the run does not wait.
                        exited_at = exited_at or time.monotonic()
                        if time.monotonic() - exited_at > 0.3:
                            break
                    continue
                if chunk is None:
                    break
                if isinstance(chunk, BaseException):
                    raise chunk
                sink(chunk)
        except KeyboardInterrupt:
            status = "stopped" if never_ending else "interrupted"
            self._stop(process)
            _drain(chunks, sink)
        except BaseException:
            self._stop(process)  # SIGTERM, SIGHUP, anything: never leave the command running
            reading.close()
            raise
        reading.close()  # a background child may still write: what it writes now goes nowhere
        reader.join(timeout=self.grace if status else 0.1)
        _restore_terminal(self.terminal, saved_terminal)  # a command may leave it raw
        code = process.wait()
        self._load_state(state)
        if status is None:
            status = "ok" if code == 0 else "failed"
        return CommandResult(status, code, time.monotonic() - started)

    def handover(self, command: str, *, capture: tuple[str, ...] = ()) -> CommandResult:
        """Run a command the operator works in (`ssh host`, `psql`, `kubectl exec -it pod -- bash`)
        with the terminal handed over, and wait until they leave it.

        Nothing is captured and there is no timeout: the command reads and writes the terminal
        itself, in the interpreter's own process group so that it is the terminal's foreground
        (Ctrl-C, Ctrl-Z and window sizes reach it, not the run). The run ignores SIGINT and
        SIGQUIT meanwhile, as a shell does for its foreground job. The terminal's settings are
        restored afterwards (a session may leave it raw). SIGTERM or SIGHUP to the run stop the
        command and propagate. The status is `ok` whatever the exit code (the last command typed
        inside makes it): whether the work was done is the operator's to say; only a command that
        could not start (exit 126, 127) is `errored`.
        """
        state, env = self._command_env(capture)
        started = time.monotonic()
        saved_terminal = _terminal_settings(self.terminal)
        held = _hold_for_foreground()
        try:
            try:
                process = self.spawn(["bash", "-c", command], cwd=self.cwd, env=env, stdin=self.terminal)
            except OSError as exc:
                return CommandResult("errored", None, time.monotonic() - started, f"cannot start bash: {exc}")
            try:
                code = process.wait()
            except BaseException:
                self._signal_group_member(process)
                raise
        finally:
            _release_foreground(held)
            _restore_terminal(self.terminal, saved_terminal)
        self._load_state(state)
        took = time.monotonic() - started
        code = 128 - code if code < 0 else code  # ended by a signal: as a shell reports it
        if code in (126, 127):
            return CommandResult("errored", code, took, f"the session could not start (exit {code})")
        return CommandResult("ok", code, took)

    def _signal_group_member(self, process: Any) -> None:
        """Stop a handed-over command, which shares the run's process group: SIGTERM, then SIGKILL."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError, OSError):
                process.send_signal(sig)
            try:
                process.wait(timeout=self.grace)
                return
            except subprocess.TimeoutExpired:
                continue

    def _stop(self, process: Any) -> None:
        """SIGINT, then SIGTERM, then SIGKILL to the command's whole process group.

        A second Ctrl-C while it stops must not leave the group running: SIGINT is held off
        until the group is gone.
        """
        previous = _hold_interrupts()
        try:
            self._signal_group(process)
        finally:
            _release_interrupts(previous)

    def _signal_group(self, process: Any) -> None:
        # Only a real child, leader of its own group, is signalled by group (never pid 0 or 1).
        real = isinstance(process, subprocess.Popen) and process.pid > 1
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            try:
                if not real:
                    raise ProcessLookupError
                os.killpg(process.pid, sig)
            except (ProcessLookupError, PermissionError):
                # Already gone, or a fake process in a test: signal the process itself.
                try:
                    process.send_signal(sig)
                except (ProcessLookupError, OSError):
                    return
            try:
                process.wait(timeout=self.grace)
                # The leader is gone; make sure nothing it started is left in the group.
                if real:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(process.pid, signal.SIGKILL)
                return
            except subprocess.TimeoutExpired:
                continue

    def _load_state(self, state: Path) -> None:
        try:
            raw = state.read_bytes()
        except OSError:
            return  # the command's bash did not write it (killed, or a fake process)
        finally:
            state.unlink(missing_ok=True)
        captured, _, exported = raw.partition(b"--exported--\0")
        exported, functions_found, functions = exported.partition(b"--functions--\0")
        env = {}
        for item in exported.split(b"\0"):
            name, sep, value = item.decode("utf-8", "replace").partition("=")
            if sep and name not in _INTERNAL:
                env[name] = value
        if functions_found:
            # Bash lists only the variables it can hold: names it cannot (`a.b`) pass through it
            # unchanged, and exported functions travel as BASH_FUNC_name%%, as `env` shows them.
            env.update({k: v for k, v in self.env.items() if not _IDENTIFIER.fullmatch(k) and "%%" not in k})
            env.update(_exported_functions(functions.decode("utf-8", "replace")))
        for item in captured.split(b"\0"):
            name, sep, value = item.decode("utf-8", "replace").partition("=")
            if name == "PWD" and value and os.path.isdir(value):
                self.cwd = value
            elif sep and name and name not in _INTERNAL:
                env[name] = value
        if env:
            self.env = env


def _exported_functions(listing: str) -> dict[str, str]:
    """`declare -fx` output (`f () \n{ …\n}\ndeclare -fx f`) as environment entries."""
    functions = {}
    start = 0
    for end in _FUNCTION_END.finditer(listing):
        name = end.group(1)
        definition = listing[start : end.start()].strip("\n")
        start = end.end()
        head, brace, body = definition.partition("{")
        if brace and head.strip() == f"{name} ()":
            functions[f"BASH_FUNC_{name}%%"] = "() {" + body  # bash imports only `() {` exactly
    return functions


def _close(fds: tuple[int, int] | None) -> None:
    for fd in fds or ():
        with contextlib.suppress(OSError):
            os.close(fd)


def _private_root() -> str:
    """Where private folders go: /dev/shm (memory) when it is there and writable, else the temp folder."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else tempfile.gettempdir()


def _remove_stale_folders() -> None:
    """Private folders of interpreters that were killed (their state files may hold secrets)."""
    roots = dict.fromkeys((_private_root(), tempfile.gettempdir()))
    for folder in (f for root in roots for f in Path(root).glob("runbook-session-*-*")):
        pid = folder.name.split("-")[2]
        try:
            if not pid.isdigit() or folder.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (PermissionError, OSError):
            continue


def _terminal_settings(fd: int | None) -> Any:
    if fd is None:
        return None
    try:
        import termios

        return termios.tcgetattr(fd)
    except (ImportError, OSError):
        return None


def _restore_terminal(fd: int | None, settings: Any) -> None:
    if fd is None or settings is None:
        return
    try:
        import termios

        termios.tcsetattr(fd, termios.TCSADRAIN, settings)
    except (ImportError, OSError):
        pass


def _hold_for_foreground() -> list[tuple[int, Any]]:
    """SIGINT and SIGQUIT caught and dropped while a handed-over command has the terminal (main
    thread only). A handler, not SIG_IGN: an ignored signal stays ignored in the child across
    exec, and Ctrl-C must reach the session; a handler is reset to the default there."""
    if threading.current_thread() is not threading.main_thread():
        return []
    return [(sig, signal.signal(sig, _dropped)) for sig in (signal.SIGINT, signal.SIGQUIT)]


def _dropped(_signum: int, _frame: object) -> None:
    return None


def _release_foreground(held: list[tuple[int, Any]]) -> None:
    for sig, previous in held:
        signal.signal(sig, previous)


def _hold_interrupts() -> Any:
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGINT, signal.SIG_IGN)


def _release_interrupts(previous: Any) -> None:
    if previous is not None:
        signal.signal(signal.SIGINT, previous)


_CHUNK = 1 << 20
"""Bytes read from a command's output at a time: a gigabyte of output is a thousand chunks, not
sixteen thousand, so the per-chunk work (masking, live view, journal file) stays small."""


def _reader(stream: Any) -> Callable[[int], bytes]:
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return getattr(stream, "read1", None) or stream.read  # type: ignore[no-any-return]
    with contextlib.suppress(AttributeError, OSError):
        # Linux: a pipe of 1 MiB instead of 64 KiB, so a fast writer is not woken for every 64 KiB.
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, _CHUNK)
    return lambda size: os.read(fd, size)


class _Gate:
    """Lets the reader thread call `early` only until the run has finished with the command."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.closed = False

    def close(self) -> None:
        with self.lock:
            self.closed = True


def _pump(
    stream: Any,
    chunks: queue.Queue[bytes | BaseException | None],
    early: Callable[[bytes], bytes] | None,
    gate: _Gate,
) -> None:
    read = _reader(stream)
    try:
        while True:
            chunk = read(_CHUNK)
            if not chunk:
                break
            if early is not None:
                failure: Exception | None = None
                with gate.lock:
                    if gate.closed:
                        return
                    try:
                        chunk = early(chunk)
                    except Exception as exc:
                        failure = exc
                if failure is not None:
                    chunks.put(failure)  # raised in the run's thread, which stops the command
                    return
            chunks.put(chunk)
    except (OSError, ValueError):
        pass
    finally:
        chunks.put(None)


def _drain(chunks: queue.Queue[bytes | BaseException | None], sink: Callable[[bytes], None]) -> None:
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        try:
            chunk = chunks.get(timeout=0.1)
        except queue.Empty:
            continue
        if chunk is None or isinstance(chunk, BaseException):
            return
        sink(chunk)
