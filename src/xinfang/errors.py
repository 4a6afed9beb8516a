"""The one error hierarchy of xinfang.

Every error the library raises on purpose derives from :class:`XinfangError`.
Each carries the *field path* of the offending input (``path``) and the *rule*
it broke (``rule``: an article of a regulation, a data-format rule, or a
library invariant), so a host can show both to the person who must fix it.
"""

from __future__ import annotations

import reprlib
from typing import Final

__all__ = [
    "QUOTE_LIMIT",
    "CalendarDataError",
    "CalendarRangeError",
    "ConcurrencyError",
    "ConfidentialityError",
    "FinalityError",
    "InvalidDataError",
    "MissingDependencyError",
    "NaiveDatetimeError",
    "OrganizationError",
    "PeriodError",
    "PolicyError",
    "RecusalError",
    "RulebookError",
    "StoreError",
    "TransitionError",
    "UnknownCaseError",
    "WindowClosedError",
    "XinfangError",
    "quoted",
]

#: The most characters of a bad value that an error message quotes.
QUOTE_LIMIT: Final = 60


def _repr(limit: int) -> reprlib.Repr:
    r = reprlib.Repr()
    r.maxstring = r.maxother = r.maxlong = limit
    r.maxlist = r.maxtuple = r.maxdict = r.maxset = r.maxfrozenset = 6
    r.maxlevel = 2
    return r


_REPR: Final = _repr(QUOTE_LIMIT)


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """``value`` as an error message quotes it: its repr, cut to a bounded prefix.

    A long string keeps its first ``limit`` characters and says how long it
    was; any other value is shown as :mod:`reprlib` shortens it. The result
    is never much longer than ``limit`` characters, however large the value.
    """
    if isinstance(value, str | bytes):
        shown = repr(value[:limit])
        cut = len(shown) > limit + 3  # escapes (\x1f, \U00018d09) lengthen a repr
        if cut:
            shown = shown[:limit]
        if cut or len(value) > limit:
            return f"{shown}... ({len(value)} characters)"
        return shown
    try:
        text = (_REPR if limit == QUOTE_LIMIT else _repr(limit)).repr(value)
    except Exception:  # a value whose repr fails is still named, by its type
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit + 20 else f"{text[:limit]}... ({type(value).__name__})"


class XinfangError(Exception):
    """Root of every error xinfang raises on purpose.

    ``path`` names where the problem is (a field path such as
    ``"year[0].makeup_workdays[2]"``, or a file and key), ``rule`` names what
    was broken (e.g. ``"民法典 Art. 203"`` or ``"calendar format"``). ``index``
    is the position of the offending item when a batch refused it (a replayed
    event, a change of :func:`xinfang.procedure.apply_all`).
    """

    path: str | None
    rule: str | None
    index: int | None = None

    def __init__(self, message: str, *, path: str | None = None, rule: str | None = None) -> None:
        self.message = message
        self.path = path
        self.rule = rule
        parts = []
        if path:
            parts.append(f"{path}: ")
        parts.append(message)
        if rule:
            parts.append(f" [rule: {rule}]")
        super().__init__("".join(parts))


class CalendarRangeError(XinfangError, LookupError):
    """A date lies outside the range a :class:`~xinfang.WorkCalendar` covers.

    The calendar never guesses: outside its published data it does not know
    which days are holidays or make-up working days.
    """


class CalendarDataError(XinfangError, ValueError):
    """Calendar data (a mapping or TOML file) is malformed or contradictory."""


class NaiveDatetimeError(XinfangError, ValueError):
    """A datetime without a time zone was given where an instant is required."""


class PeriodError(XinfangError, ValueError):
    """A period or counting rule is malformed (negative, unknown unit, unparsable text)."""


class RulebookError(XinfangError, ValueError):
    """A rulebook (TOML file or mapping) is malformed; raised at load, naming file and key."""


class TransitionError(XinfangError):
    """A command is not allowed on a case in its current state; names the rule and article.

    ``index`` is the position of the offending event when a replay refused it.
    """

    index: int | None = None


class WindowClosedError(TransitionError):
    """A request came outside the window the law allows (e.g. review after 30 days, Art. 35)."""


class FinalityError(TransitionError):
    """The same facts and reasons after re-review are not accepted again (Art. 36 ¶3)."""


class InvalidDataError(XinfangError, ValueError):
    """Malformed input data; ``problems`` lists every ``(field path, message)`` found.

    Nothing is partly loaded: the whole document is rejected.
    """

    problems: tuple[tuple[str, str], ...]

    def __init__(
        self, problems: list[tuple[str, str]] | tuple[tuple[str, str], ...], *, source: str = ""
    ) -> None:
        self.problems = tuple(problems)
        head = f"{len(self.problems)} problem(s) in {source or 'input'}"
        lines = "; ".join(f"{path}: {msg}" for path, msg in self.problems[:20])
        more = f"; ... {len(self.problems) - 20} more" if len(self.problems) > 20 else ""
        super().__init__(f"{head}: {lines}{more}", rule="data format")
        self.source = source


class RecusalError(TransitionError):
    """An official with a direct interest was put in a case's chain (Art. 28 ¶3)."""


class ConfidentialityError(TransitionError):
    """An accusation would reach the accused person or unit (Art. 30 ¶3; Art. 46)."""


class OrganizationError(XinfangError, ValueError):
    """An organisation is malformed: not one tree, unknown units, two heads, ..."""


class PolicyError(XinfangError, ValueError):
    """An assignment or escalation policy is malformed."""


class StoreError(XinfangError):
    """The database refused or could not do what was asked (busy, schema, driver).

    The message names the database (its URL without a password) and what was
    being read or written; ``__cause__`` keeps the driver's own error.
    """


class MissingDependencyError(XinfangError, ImportError):
    """An optional part of xinfang needs a package that is not installed.

    The message names the extra that installs it (``pip install
    'xinfang[columnar]'``). Also an :class:`ImportError`.
    """

    def __init__(self, message: str, *, path: str | None = None, rule: str | None = None) -> None:
        super().__init__(message, path=path, rule=rule)
        self.path = path  # ImportError.__init__ resets it


class ConcurrencyError(XinfangError):
    """Another writer got there first: the case is not at the version the command expected.

    ``case_id``, ``expected`` (the version the caller read) and ``actual``
    (the version the store holds) name the conflict. Re-read and re-apply
    (:func:`xinfang.store.retry`).
    """

    case_id: str
    expected: int
    actual: int

    def __init__(self, case_id: str, *, expected: int, actual: int, detail: str = "") -> None:
        self.case_id = case_id
        self.expected = expected
        self.actual = actual
        more = f" ({detail})" if detail else ""
        super().__init__(
            f"expected version {expected}, but the store holds version {actual}{more}",
            path=f"case {case_id}",
            rule="optimistic concurrency: one event per case and version",
        )


class UnknownCaseError(XinfangError, LookupError):
    """No case with this id in the store (or none the viewer may know of)."""
