"""Text a database cannot store: a NUL (PostgreSQL refuses it) or a lone surrogate.

Checked before any SQL: a command's ids and keys, an event's payload, a
ledger's lines. Each finding names the field and the rule.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Final

from xinfang.errors import InvalidDataError
from xinfang.serialization import LONE_SURROGATE_OR_NUL, line_problems

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterable, Iterator

__all__ = ["refuse_unstorable", "unstorable", "unstorable_lines"]

#: The escaped part alone of :data:`~xinfang.serialization.LONE_SURROGATE_OR_NUL`
#: (a quick scan of a whole ledger: a literal prefix).
_ESCAPED: Final = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")

#: The rule a text field breaks when a store cannot keep it.
_STORABLE: Final = (
    "a store keeps only text every backend can store (valid Unicode without NUL: "
    "PostgreSQL refuses U+0000, and no database can encode a lone surrogate)"
)


def _text_problem(text: str) -> str | None:
    """Why a database cannot store ``text`` (``None``: it can)."""
    if "\x00" in text:
        return f"holds a NUL character (U+0000): {_STORABLE}"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            code = ord(text[exc.start])
            return f"holds a lone surrogate (U+{code:04X}), which is not Unicode text: {_STORABLE}"
    return None


def unstorable(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every text in plain data ``value`` (dicts, lists, strings) a database cannot store.

    Paths read ``change.claims[0].facts`` below ``path`` (keys included).
    """
    if isinstance(value, str):
        problem = _text_problem(value)
        if problem is not None:
            yield path or "$", problem
    elif isinstance(value, dict):
        for key, item in value.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and (problem := _text_problem(key)) is not None:
                yield f"{here} (the key)", problem
            yield from unstorable(item, here)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from unstorable(item, f"{path}[{i}]")


def refuse_unstorable(what: str, fields: Iterable[tuple[str, str | None]]) -> None:
    """An :class:`InvalidDataError` naming each field whose text no database can store."""
    problems = [
        (path, problem)
        for path, text in fields
        if text is not None and (problem := _text_problem(text)) is not None
    ]
    if problems:
        raise InvalidDataError(problems, source=what)


def unstorable_lines(text: str, *, raw: bool) -> list[tuple[str, str]]:
    """The ledger lines holding text no database can store: ``line 12 (case ..): $.events..``.

    A quick look for escaped NULs and surrogates and raw NULs first (and for
    raw surrogates with ``raw``: only a ``str`` given by the caller can hold
    them, and the columnar reader, which encodes the text, refuses them);
    then only the lines :data:`~xinfang.serialization.LONE_SURROGATE_OR_NUL`
    marks are parsed. A line that is not
    JSON is left to the ledger's reader, which reports it.
    """
    suspect = "\x00" in text or ("\\u" in text and _ESCAPED.search(text) is not None)
    if not suspect and raw:
        try:
            text.encode("utf-8")  # quicker than a regular expression
        except UnicodeEncodeError:
            suspect = True
    if not suspect:
        return []
    problems: list[tuple[str, str]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not LONE_SURROGATE_OR_NUL.search(line):
            continue
        try:
            doc = json.loads(line)
        except (ValueError, RecursionError):
            continue
        found = list(unstorable(doc, "$"))
        if found:
            problems += line_problems(number, line, found)
    return problems
