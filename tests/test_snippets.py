"""The Python snippets of the README and the docs run as written on the demo's exported files.

Each ```python block is run alone, in a fresh namespace, in a directory where
``xinfang demo --export`` wrote ``ledger.jsonl``, ``org.toml`` and
``campaign.toml``: what a new user has after following the README. A block
that cannot run as it stands (a placeholder, a file of the reader's own) is
preceded by an HTML comment ``<!-- snippet: skip (why) -->``, which mkdocs
does not render; a page may skip only that way, and says why.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from xinfang.cli import main

if TYPE_CHECKING:
    from collections.abc import Iterator

ROOT = Path(__file__).resolve().parent.parent
#: The pages whose Python snippets must run (README first: what a new user reads).
PAGES = ("README.md", "docs/index.md", "docs/columnar.md", "docs/calendar.md")
_BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)
_SKIP = re.compile(r"<!-- snippet: skip \((.+?)\) -->\s*$")


def _blocks(page: str) -> Iterator[tuple[int, str, str | None]]:
    """``(line, code, skip reason)`` of every ```python block of ``page``."""
    text = (ROOT / page).read_text(encoding="utf-8")
    for m in _BLOCK.finditer(text):
        line = text.count("\n", 0, m.start()) + 1
        before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        skip = _SKIP.search(before)
        yield line, m.group(1), skip.group(1) if skip else None


SNIPPETS = [(page, line, code, skip) for page in PAGES for line, code, skip in _blocks(page)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's files, as ``xinfang demo --export DIR`` writes them."""
    folder = tmp_path_factory.mktemp("demo-export")
    assert main(["demo", "--export", str(folder), "-q"]) == 0
    return folder


def test_every_page_has_snippets_and_few_are_skipped() -> None:
    """Each listed page has Python blocks, and every skipped block says why."""
    for page in PAGES:
        found = [s for s in SNIPPETS if s[0] == page]
        assert found, f"{page} has no ```python block"
        assert sum(s[3] is not None for s in found) < len(found), f"{page} skips every block"


@pytest.mark.parametrize(
    "snippet", SNIPPETS, ids=[f"{page}:{line}" for page, line, _, _ in SNIPPETS]
)
def test_snippet_runs_as_written(
    snippet: tuple[str, int, str, str | None],
    exported: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The block runs alone, unchanged, beside the demo's exported files, without a warning."""
    page, line, code, skip = snippet
    if skip is not None:
        pytest.skip(f"{page}:{line}: {skip}")
    monkeypatch.chdir(exported)
    compiled = compile(code, f"{page}:{line}", "exec")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exec(compiled, {"__name__": f"snippet:{page}:{line}"})  # noqa: S102 - the docs' own code
    capsys.readouterr()
