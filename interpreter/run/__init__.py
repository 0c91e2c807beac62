"""Running one unit of the step graph: the context, the runner, steps, executors, the session and the view."""
