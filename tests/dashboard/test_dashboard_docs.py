"""docs/dashboard.md names every figure function of dashboard/queries.py, and every page; each figure declares the
tables it reads and they are marts, metric tables, reference data or the publication table of the published copy."""

from __future__ import annotations

from pathlib import Path

from dashboard import queries
from dashboard.pages import PAGES

DOC = Path(__file__).resolve().parents[2] / "docs" / "dashboard.md"


def test_every_figure_and_page_is_documented():
    text = DOC.read_text(encoding="utf-8")
    missing = [name for name in queries.FIGURES if f"`{name}`" not in text]
    assert not missing, f"docs/dashboard.md does not name these figure functions: {missing}"
    assert [title for _, title, _ in PAGES if title.split(" and ")[0] not in text] == []


def test_every_figure_reads_only_the_published_schemas():
    for fig in queries.FIGURES.values():
        assert fig.tables, fig.name
        schemas = {t.split(".")[0] for t in fig.tables}
        assert schemas <= {"marts", "metrics", "reference", "main"}, (fig.name, fig.tables)
        assert fig.doc, f"{fig.name} has no docstring (its caption on the page)"
