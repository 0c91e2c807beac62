"""Questions a run asks, the answers given in advance, and the prompters that ask the rest."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from ..errors import RunbookError, UsageError

__all__ = [
    "ALIASES",
    "IN_DOUBT_DECISIONS",
    "MENU",
    "Answers",
    "LeftPrompt",
    "Prompter",
    "Question",
    "TerminalPrompter",
    "UnansweredQuestion",
    "check_names",
    "load_answers",
    "menu",
    "parse_pairs",
]

Kind = Literal["yesno", "choice", "text", "secret", "typed"]


@dataclass(frozen=True, slots=True)
class Question:
    """One thing the operator decides."""

    id: str
    """Stable id, answerable in advance with `--answer ID=VALUE` (or `--var` for variables)."""
    kind: Kind
    prompt: str
    choices: tuple[tuple[str, str], ...] = ()
    """(key, label) pairs for a choice; the operator answers a key or its position."""
    default: str | None = None
    word: str = ""
    """For a typed confirmation: the word to type."""
    flag: str = ""
    """How to answer it without a terminal, shown when it goes unanswered."""

    def how(self) -> str:
        if self.flag:
            return self.flag
        if self.kind == "choice":
            return f"--answer {self.id}={'|'.join(k for k, _ in self.choices)}"
        if self.kind == "yesno":
            return f"--answer {self.id}=yes|no"
        if self.kind == "typed":
            return f"--answer {self.id}={self.word}  (or --yes --allow-destructive)"
        return f"--answer {self.id}=VALUE"


class UnansweredQuestion(RunbookError):
    """A question had no answer and there is no terminal to ask: the run stops, it never guesses."""

    exit_code = 2

    def __init__(self, question: Question) -> None:
        super().__init__(
            f"unanswered question {question.id}: {question.prompt}",
            f"answer it with {question.how()}, or run in a terminal",
        )
        self.question = question


class Prompter(Protocol):
    """Asks the operator; returns the answer as text."""

    def ask(self, question: Question) -> str: ...


def parse_pairs(pairs: tuple[str, ...] | list[str], what: str) -> dict[str, str]:
    """`NAME=VALUE` pairs from the command line.

    Raises:
        UsageError: a pair without `=`.
    """
    found: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"{what} {pair!r} is not NAME=VALUE", f"write {what} NAME=VALUE")
        found[name.strip()] = value
    check_names(found if what == "--var" else {}, found, what)
    return found


def check_names(variables: dict[str, str], answers: dict[str, str], where: str) -> None:
    """Variables (and `var:NAME` answers) must have names a run may take from outside
    (`policy.names`): none that bash or the loader read as code.

    Raises:
        UsageError: one has not; the message names it.
    """
    from ..policy.names import taken_name

    names = [*variables, *(k[4:] for k in answers if k.startswith("var:"))]
    try:
        for name in names:
            taken_name(name, where)
    except ValueError as exc:
        raise UsageError(str(exc), "give the value another name; a runbook reads it as $NAME") from None


def load_answers(path: str) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Answers, variables and notes from a YAML answers file (schemas/answers.json).

    Raises:
        UsageError: the file cannot be read, is not YAML, or breaks the schema (with the line).
    """
    import yaml

    from .. import jsonschemas
    from ..parse import yamlsafe
    from ..policy.paths import ANSWERS_LIMIT, read_regular

    try:
        text = read_regular(path, ANSWERS_LIMIT, "an answers file").decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read the answers file: {exc}") from exc
    except RunbookError as exc:
        raise UsageError(exc.message, "--answers names a YAML file") from exc
    try:
        # Every value as written: `1.10` is a release, not the number 1.1.
        data = yamlsafe.load(text, "base") or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else path
        what = "is refused: it" if isinstance(exc, yamlsafe.YamlBudgetError) else "is not valid YAML:"
        raise UsageError(f"{where}: answers file {what} {getattr(exc, 'problem', exc)}") from exc
    problems = jsonschemas.errors("answers", data)
    if problems:
        raise UsageError(f"{path}: {jsonschemas.describe(problems[0])}", "see schemas/answers.json")

    answers = {str(k): str(v) for k, v in (data.get("answers") or {}).items()}
    variables = {str(k): str(v) for k, v in (data.get("vars") or {}).items()}
    notes = {str(k): str(v) for k, v in (data.get("notes") or {}).items()}
    check_names(variables, answers, path)
    return answers, variables, notes


@dataclass(slots=True)
class Answers:
    """Answers given before the run: `--answer`, `--answers FILE`, and the ones a resumed run recorded."""

    given: dict[str, str] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def get(self, question_id: str) -> str | None:
        """The answer, whether or not it was used before (for checks that do not consume it)."""
        return self.given.get(question_id)

    def take(self, question_id: str) -> str | None:
        """The answer, once: a second ask of the same question finds none."""
        if question_id in self.given and question_id not in self.used:
            self.used.add(question_id)
            return self.given[question_id]
        return None

    def has(self, question_id: str) -> bool:
        """True when an answer waits for this question."""
        return question_id in self.given and question_id not in self.used


MENU = (
    ("r", "run"),
    ("s", "skip"),
    ("e", "edit"),
    ("n", "note"),
    ("h", "shell"),
    ("b", "back"),
    ("a", "abort"),
)
"""The one menu of a step, the same letters and numbers everywhere: before it runs (`ID:run`),
after it failed (`ID:failed`), and in doubt after a kill (`ID:in-doubt`, which adds `d`). On a
destructive step, run is where the typed word is asked. Labels may say more (`run again`), the
keys and their order never change."""
RUN_CHOICES = MENU
"""Before a step runs (`ID:run`)."""
FAILED_CHOICES = MENU
"""After a step failed (`ID:failed`)."""
IN_DOUBT_CHOICES = (*MENU, ("d", "done: it finished, mark it done"))
"""A step a killed run had started and never finished (`ID:in-doubt`)."""
ALIASES = {"retry": "r", "rerun": "r", "done": "d"}
"""Words an answer may use for a menu key (`--answer 2.3:in-doubt=rerun`, as earlier versions named it)."""
IN_DOUBT_DECISIONS = {"r": "rerun", "d": "done", "s": "skip", "a": "abort"}
"""How a step in doubt was settled, in the journal's words (`step.in-doubt` events)."""


def menu(
    labels: dict[str, str] | None = None, extra: tuple[tuple[str, str], ...] = ()
) -> tuple[tuple[str, str], ...]:
    """The one menu with some labels said for the situation (`{"r": "run again (retry)"}`)."""
    labels = labels or {}
    return tuple((key, labels.get(key, label)) for key, label in MENU) + extra


class LeftPrompt(KeyboardInterrupt):
    """The operator left at a prompt (Ctrl-D, or Ctrl-C confirmed): the run stops, resumable."""


def normalise(question: Question, answer: str) -> str | None:
    """The canonical answer (`yes`/`no`, a choice's key), or None when it is not one of the options."""
    text = answer.strip()
    if question.kind == "yesno":
        lowered = text.lower()
        if lowered in ("y", "yes", "true", "1", "ok", "done"):
            return "yes"
        if lowered in ("n", "no", "false", "0"):
            return "no"
        return None
    if question.kind == "choice":
        keys = [k for k, _ in question.choices]
        if text in keys:
            return text
        by_lower = {k.lower(): k for k in keys}
        if text.lower() in by_lower:
            return by_lower[text.lower()]
        if text.isdigit() and 1 <= int(text) <= len(keys):
            return keys[int(text) - 1]
        # The option's word: `run`, `skip`, `abort` for r, s, a; or an alias (`retry`, `rerun`).
        words = [k for k, label in question.choices if label.split(" ")[0].lower() == text.lower()]
        if len(words) == 1:
            return words[0]
        alias = ALIASES.get(text.lower())
        return alias if alias in keys else None
    if question.kind == "typed":
        return text if text == question.word else None
    return answer


@dataclass(slots=True)
class TerminalPrompter:
    """Asks on the terminal: numbered menus, hidden input for secrets, typed words for danger."""

    write: Callable[[str], None]
    read: Callable[[str], str] = input
    read_secret: Callable[[str], str] = getpass.getpass
    width: Callable[[], int] | None = None
    """The terminal's width: a question longer than it is written (wrapped between words) and
    answered on the line below, not folded mid-word by the terminal."""

    def ask(self, question: Question) -> str:
        """The operator's answer (what is asked is shown, never obeyed: policy.terminal). A typed
        word left empty (Enter), or answered wrong five times, is `""`: nothing is confirmed, and
        the caller goes back to where it asked.

        Raises:
            LeftPrompt: Ctrl-D, or Ctrl-C and a yes to stopping the run (it can be resumed).
            UnansweredQuestion: five answers that are not one of the options.
        """
        for _ in range(5):
            if question.kind == "choice":
                self._choices(question)
            suffix = {
                "yesno": " [y/n]",
                "typed": f" (type {question.word} to go on, Enter to go back)",
                "choice": "",
                "text": "",
                "secret": " (hidden)",
            }[question.kind]
            default = f" [{question.default}]" if question.default is not None else ""
            from ..policy.terminal import visible

            prompt = visible(f"? {question.prompt}{suffix}{default}: ")  # shown, never obeyed
            if self.width is not None and len(prompt) >= self.width():
                self.write(prompt.rstrip())
                prompt = "  > "
            raw = self._read(question, prompt)
            if not raw.strip() and question.default is not None:
                raw = question.default
            answer = normalise(question, raw)
            if answer is not None and (answer.strip() or question.kind in ("text", "secret")):
                return answer
            if question.kind == "typed":
                if not raw.strip():
                    self.write("  nothing was run")
                    return ""  # Enter: back to where it was asked
                self.write(f"  that is not {question.word!r}; nothing was run")
                continue
            self.write("  please answer one of the options")
        if question.kind == "typed":
            return ""  # five wrong words: nothing is confirmed, back to where it was asked
        raise UnansweredQuestion(question)

    def _choices(self, question: Question) -> None:
        from ..policy.terminal import visible

        for index, (key, label) in enumerate(question.choices, start=1):
            label = visible(label)  # branch titles come from the runbook
            self.write(f"  {index}) {label}" if key == str(index) else f"  {index}) [{key}] {label}")

    def _read(self, question: Question, prompt: str) -> str:
        """One line, with Ctrl-D and Ctrl-C turned into the operator's decision."""
        while True:
            try:
                return self.read_secret(prompt) if question.kind == "secret" else self.read(prompt)
            except EOFError:
                self.write("")
                raise LeftPrompt(f"left at {question.id} (Ctrl-D)") from None
            except KeyboardInterrupt:
                # Ctrl-C at a prompt does not end the run at once: a second one, or a yes, does.
                self.write("")
                try:
                    sure = self.read("? Ctrl-C: stop the run here (resume it later)? [y/N]: ")
                except (KeyboardInterrupt, EOFError):
                    sure = "y"
                if sure.strip().lower() in ("y", "yes"):
                    self.write("")
                    raise LeftPrompt(f"stopped at {question.id} (Ctrl-C)") from None
                if question.kind == "choice":
                    self._choices(question)


def stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()
