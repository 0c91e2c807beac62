"""Running one unit of the step graph: the context, the runner, steps, executors, the session and the view.

Imports go one way, down this list (tests/test_imports.py fails on a circle):

    launch.py        starting and resuming a run: runbook, journal, session, prompter and view wired
    runner.py        Runner, the run's StepContext: walks the unit, emits events, asks questions
    gates.py         prerequisites, choices, the severity, a high-risk procedure's start
    step.py          one step start to end: in doubt, optional, confirmed, attempted, retried
    manual.py        steps done by hand; message templates announced
    step_inputs.py   the variables and placeholders a step needs
    confirm.py       the question before a step runs, the editor, a skip
    attempt.py       one attempt: each command through its executor, output, expectations
    executors/       the registry, block kind → executor: shell.py (its container.py target),
                     sql.py, http.py (with http_request.py and http_exchange.py)
    context.py       options, Stop and Terminated, the clock; ports and contexts as Protocols
    state.py         RunState, and how a resume rebuilds it from events
    session.py, questions.py, view.py, database.py, docker_engine.py, expect.py: the bash
    session, the questions and prompters, the terminal view, database URLs, the Docker client,
    literal expectations; doctor.py checks what runbooks need on this machine.
"""
