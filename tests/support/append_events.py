"""Append COUNT note events to one run, as a separate writer would (tests of concurrent writers).

    python tests/support/append_events.py STORE RUN_ID WRITER COUNT [PAD]

STORE is a PostgreSQL URL or a runs folder. Prints "ready" once connected, then appends.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

from interpreter.journal.contract import Store
from interpreter.journal.folder import DirectoryStore
from interpreter.journal.postgres import PostgresStore


def main() -> None:
    where, run_id, writer, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    pad = "x" * int(sys.argv[5]) if len(sys.argv) > 5 else ""
    store: Store = (
        PostgresStore(where, Path("unused"))
        if where.startswith("postgresql://")
        else DirectoryStore(Path(where))
    )
    print("ready", flush=True)
    for i in range(count):
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        store.append(
            run_id,
            {
                "v": 1,
                "seq": 1,
                "run": run_id,
                "type": "note.added",
                "time": now,
                "elapsed": 0.0,
                "actor": f"{writer}@test",
                "step": None,
                "data": {"text": f"{writer} {i}", "writer": writer, "i": i, "pad": pad},
            },
        )
    store.close()


if __name__ == "__main__":
    main()
