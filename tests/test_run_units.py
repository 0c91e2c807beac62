"""`runbook run FILE` without --procedure: the only unit runs; several make a menu in a terminal,
and without one the run stops with exit 2, listing them and how to name one (issue 13)."""

from __future__ import annotations

from pathlib import Path

from support.runs import journal, write
from support.terminal import answer, finish, spawn, without_terminal

ALERT = """
    # Alert: queue backlog

    ## Diagnosis

    - See how long the queue is:

      ```bash
      echo diagnosed > diagnosis.txt
      ```

    ## Mitigation

    1. Drain the workers:

       ```bash
       echo drained > drained.txt
       ```

    2. Delete the stuck lease:

       ```bash
       kubectl -n jobs delete lease stuck-lease
       ```
    """


def test_the_only_unit_runs_without_naming_it(tmp_path: Path) -> None:
    rb = write(
        tmp_path,
        """
        # Restart

        ## Procedure 1: Restart the worker

        1. **Restart**

           ```bash
           echo restarted > restarted.txt
           ```
        """,
    )
    done = without_terminal(tmp_path, "run", str(rb), "--yes")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "restarted.txt").read_text() == "restarted\n"
    assert journal(tmp_path)[0]["data"]["procedure"]["id"] == "1"


def test_several_units_without_a_terminal_stop_with_the_list_and_how_to_choose(tmp_path: Path) -> None:
    rb = write(tmp_path, ALERT)
    for extra in ((), ("--dry-run",)):
        stopped = without_terminal(tmp_path, "run", str(rb), "--yes", *extra)
        assert stopped.returncode == 2
        lines = stopped.stderr.splitlines()
        assert "has 2 procedures or runnable sections; name the one to run with --procedure" in lines[0]
        assert "for example --procedure 1" in lines[0]
        # Ids, titles and step counts (procedures by number, then sections), destructive steps counted.
        assert [line.split() for line in lines[2:]] == [
            ["1", "Mitigation", "(2", "steps,", "1", "destructive)"],
            ["diagnosis", "Diagnosis", "(1", "step)"],
        ]
        assert "Traceback" not in stopped.stderr
    assert not (tmp_path / "runs").exists()  # nothing was journaled, nothing ran
    assert not (tmp_path / "diagnosis.txt").exists()


def test_the_menu_in_a_terminal_takes_what_procedure_takes(tmp_path: Path) -> None:
    rb = write(tmp_path, ALERT)
    child = spawn(tmp_path, "run", str(rb))
    child.expect_exact("2 procedures or runnable sections in")
    child.expect_exact("1) Mitigation  (2 steps, 1 destructive)")
    child.expect_exact("2) [diagnosis] Diagnosis   (1 step)")
    answer(child, "? Which one do you run", "diagnosis")
    child.expect_exact("next time: --procedure diagnosis")
    answer(child, "? Run diagnosis.1", "r")
    assert finish(child) == 0
    assert (tmp_path / "diagnosis.txt").exists() and not (tmp_path / "drained.txt").exists()
    assert journal(tmp_path)[0]["data"]["procedure"]["id"] == "diagnosis"


def test_the_dry_run_menu_picks_by_position_too(tmp_path: Path) -> None:
    rb = write(tmp_path, ALERT)
    child = spawn(tmp_path, "run", str(rb), "--dry-run")
    answer(child, "? Which one do you run", "1")
    child.expect_exact("Plan for Mitigation (nothing is run)")
    assert finish(child) == 0
    assert not (tmp_path / "runs").exists()


def test_a_file_with_nothing_to_run_says_so(tmp_path: Path) -> None:
    rb = write(tmp_path, "# Notes\n\nJust prose, no commands.\n")
    stopped = without_terminal(tmp_path, "run", str(rb))
    assert stopped.returncode == 2
    assert "has no procedures or runnable sections: nothing here has steps with commands" in stopped.stderr
