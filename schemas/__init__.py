"""The JSON Schemas of the step graph, annotations and answers (a package so importlib.resources
can load them from a wheel)."""
