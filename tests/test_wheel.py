"""The schemas ship inside the wheel and load from it, not only from the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from support.paths import ROOT, SEED


def test_schemas_load_from_the_installed_wheel(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-q", "-w", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("runbook_interpreter-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    # Every package of the checkout is in the wheel: the build finds them, nobody lists them.
    packages = {
        f"{init.parent.relative_to(ROOT).as_posix()}/__init__.py"
        for init in (ROOT / "interpreter").rglob("__init__.py")
    }
    assert packages <= names, sorted(packages - names)
    assert {
        "interpreter/site_files/templates/postmortem.html",
        "interpreter/schemas/graph.json",
        "interpreter/schemas/annotations.json",
        "interpreter/py.typed",
        "interpreter/site_files/templates/base.html",
        "interpreter/site_files/assets/site.js",
        "interpreter/site_files/assets/site.css",
    } <= names
    # Import the package from the wheel (zip import, like an installed copy) in a folder
    # outside the checkout, and build a graph, which validates against the schema.
    code = (
        "import interpreter, json\n"
        "from interpreter.infer.load import load\nfrom interpreter.plan.graph import graph_json\n"
        f"graph = graph_json(load({str(SEED)!r}))\n"
        "print(interpreter.__file__)\nprint(len(graph['procedures']))\n"
        # The site's templates and assets come from the wheel too.
        "from pathlib import Path\nfrom interpreter.site import build_site\n"
        f"build_site([{str(SEED)!r}], Path('site'), shellcheck=False)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(wheel)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
    )
    origin, procedures = done.stdout.split()
    assert origin.startswith(str(wheel)) and procedures == "5"
    assert (
        "Procedure 2: Database Migration Rollback"
        in (tmp_path / "site" / "rollback-procedures.html").read_text()
    )
    assert (tmp_path / "site" / "assets" / "site.js").read_text() == (
        ROOT / "site" / "assets" / "site.js"
    ).read_text()
