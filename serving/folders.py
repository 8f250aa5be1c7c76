"""Replace an output folder whole: the close pack and the marts export are written to a staging folder beside their
destination, then swapped in, so a re-run replaces every file and a failure before the swap leaves the old output."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def swap_in(staging: Path, out: Path) -> None:
    """Put the finished ``staging`` folder at ``out`` (same parent), replacing what was there."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)
