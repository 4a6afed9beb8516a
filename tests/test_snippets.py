"""The Python snippets of the README and the docs run as written on the demo's exported files.

Each ```python block is run alone, in a fresh namespace, in a directory where
``xinfang demo --export`` wrote ``ledger.jsonl``, ``org.toml`` and
``campaign.toml``: what a new user has after following the README. A block
that cannot run as it stands (a placeholder, a file of the reader's own) is
preceded by an HTML comment ``<!-- snippet: skip (why) -->``, which mkdocs
does not render; a page may skip only that way, and says why.

A bare expression whose comment states its value (``True``/``False``, a date
or an instant, ``datetime.date(...)``, or a parenthesised tuple of those) is
checked against the value the snippet computes: the docs' claimed results
are the library's.
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import re
import tokenize
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pytest

from xinfang.cli import main

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

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


_ISO: Final = re.compile(r"\d{4}-\d{2}-\d{2}(?:T[0-9:.+\-]+)?")
_BOOL: Final = re.compile(r"(True|False)\b")
_DATE_REPR: Final = re.compile(r"datetime\.date\((\d+), (\d+), (\d+)\)")


def _claim(comment: str) -> str | None:
    """The value a comment states at its start, in the form :func:`_plain` writes, if any."""
    text = comment.lstrip("#").strip()
    if m := _BOOL.match(text):
        return m.group(1)
    if m := _DATE_REPR.match(text):
        return dt.date(*map(int, m.groups())).isoformat()
    if m := _ISO.match(text):
        return m.group(0)
    if text.startswith("("):
        depth = 0
        for i, ch in enumerate(text):
            depth += {"(": 1, ")": -1}.get(ch, 0)
            if depth == 0:
                return text[: i + 1]
    return None


def _plain(value: Any) -> str:
    """A value as the docs write it: dates and instants in ISO form, tuples in parentheses."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return "(" + ", ".join(_plain(v) for v in value) + ")"
    return repr(value)


def _checked(code: str) -> tuple[ast.Module, dict[int, str]]:
    """The block with each bare expression that states its value recorded; line → claim."""
    comments = {
        tok.start[0]: tok.string
        for tok in tokenize.generate_tokens(io.StringIO(code).readline)
        if tok.type == tokenize.COMMENT
    }
    tree = ast.parse(code)
    claims: dict[int, str] = {}
    for k, node in enumerate(tree.body):
        if not isinstance(node, ast.Expr) or node.end_lineno not in comments:
            continue
        claim = _claim(comments[node.end_lineno])
        if claim is None:
            continue
        claims[node.lineno] = claim
        target = ast.Subscript(
            value=ast.Name(id="__values__", ctx=ast.Load()),
            slice=ast.Constant(node.lineno),
            ctx=ast.Store(),
        )
        tree.body[k] = ast.copy_location(ast.Assign(targets=[target], value=node.value), node)
    return ast.fix_missing_locations(tree), claims


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
    tree, claims = _checked(code)
    compiled = compile(tree, f"{page}:{line}", "exec")
    values: dict[int, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        namespace = {"__name__": f"snippet:{page}:{line}", "__values__": values}
        exec(compiled, namespace)  # noqa: S102 - the docs' own code
    capsys.readouterr()
    for at, claim in claims.items():
        assert _plain(values[at]) == claim, f"{page}:{line + at}: the comment says {claim}"


def test_stated_values_are_read_from_comments() -> None:
    """The checker reads each form the docs use, and leaves prose comments alone."""
    assert _claim("# True  (Sunday, 春节调休上班)") == "True"
    assert _claim("# datetime.date(2025, 10, 9): 10-07 is in the holiday") == "2025-10-09"
    assert _claim("# (2004-01-01, 2035-12-31): published to 2026") == "(2004-01-01, 2035-12-31)"
    assert _claim("# 2025-10-09T23:59:59.999999+08:00") == "2025-10-09T23:59:59.999999+08:00"
    assert _claim("# pendulum DateTime 2025-10-09") is None
    assert _plain(((dt.date(2025, 10, 7), "国庆节"),)) == "((2025-10-07, '国庆节'))"
    _, claims = _checked("x = 1\nx == 2  # False\nx  # the answer\n")
    assert claims == {2: "False"}
