"""Check and asset metadata shared by the definitions: the Markdown table the checks show their first failures in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import dagster as dg


def md_table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> dg.MetadataValue:
    """A Markdown table of ``rows`` under ``header``, one line a row (a newline in a value becomes a space)."""
    lines = [f"| {' | '.join(header)} |", "|" + "---|" * len(header)]
    lines += [f"| {' | '.join(str(v) for v in row)} |".replace("\n", " ") for row in rows]
    return dg.MetadataValue.md("\n".join(lines))
