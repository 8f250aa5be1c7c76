"""The README fits a screen and keeps the two commands; every relative link of the README, the docs pages and the
package pointer READMEs reaches a file; every docs page is in the site's nav (mkdocs.yml) and every nav entry exists.
`make docs` (mkdocs build --strict) checks the same and the anchors, but needs the site built; this runs in a second."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
README = REPO / "README.md"

FENCE = re.compile(r"^(```|~~~).*?^\1[ \t]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto:, ...


def markdown_files() -> list[Path]:
    pointers = [*REPO.glob("ingestion/*/README.md"), REPO / "benchmarks" / "README.md"]
    return [README, *sorted(DOCS.rglob("*.md")), *sorted(p for p in pointers if p.exists())]


def relative_links(text: str) -> list[str]:
    """The targets of the Markdown links outside code: relative ones only, without their #anchor."""
    prose = CODE_SPAN.sub("", FENCE.sub("", text))
    targets = (m.group(1) for m in LINK.finditer(prose))
    return [t.split("#", 1)[0] for t in targets if not EXTERNAL.match(t) and not t.startswith("#")]


def test_readme_fits_a_screen_and_keeps_the_two_commands():
    text = README.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) <= 150, f"README.md has {len(lines)} lines; move detail into docs/ (at most 150)"
    for command in ("make demo", "make test"):
        assert re.search(rf"\b{command}\b", text), f"README.md no longer says `{command}`"


def test_link_pattern_finds_links_and_ignores_code():
    text = (
        'See [a](docs/a.md#x), ![img](img/b.png "t") and [web](https://x.org), [here](#top).\n'
        "`[not](code.md)`\n```\n[not](fenced.md)\n```\n"
    )
    assert relative_links(text) == ["docs/a.md", "img/b.png"]


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_reaches_a_file(path: Path):
    broken = [t for t in relative_links(path.read_text(encoding="utf-8")) if not (path.parent / t).is_file()]
    assert not broken, f"{path.relative_to(REPO)} links to files that do not exist: {broken}"


def _nav_pages(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [page for item in node for page in _nav_pages(item)]
    if isinstance(node, dict):
        return [page for value in node.values() for page in _nav_pages(value)]
    return []


def test_every_docs_page_is_in_the_nav_and_every_nav_entry_exists():
    config = yaml.safe_load((REPO / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = [p for p in _nav_pages(config["nav"]) if not EXTERNAL.match(p)]
    pages = sorted(str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md"))
    assert sorted(set(nav)) == sorted(nav), "a page is twice in the nav"
    assert not sorted(set(pages) - set(nav)), (
        f"pages missing from the nav of mkdocs.yml: {sorted(set(pages) - set(nav))}"
    )
    assert not sorted(set(nav) - set(pages)), f"nav entries without a page: {sorted(set(nav) - set(pages))}"
    assert config["theme"] == {**config["theme"], "name": "material", "font": False}  # no request to Google Fonts


def test_the_snippets_docs_index_includes_are_marked_in_the_readme():
    readme = README.read_text(encoding="utf-8")
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    names = re.findall(r'^--8<-- "README\.md:([\w-]+)"$', index, re.MULTILINE)
    assert names, "docs/index.md no longer includes the README's sections"
    for name in names:
        for edge in ("start", "end"):
            assert f"--8<-- [{edge}:{name}]" in readme, (
                f"README.md lost the marker [{edge}:{name}] docs/index.md includes"
            )
