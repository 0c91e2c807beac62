"""Package discovery that pyproject.toml cannot express: every `interpreter.*` folder, plus the two
top-level folders that ship inside it (`schemas/` and `site/`, mapped in pyproject.toml)."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["interpreter", "interpreter.*"]),
        "interpreter.schemas",
        "interpreter.site_files",
    ]
)
