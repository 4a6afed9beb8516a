"""The store's argument checks: each wrong argument an error naming it, before any SQL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from xinfang.changes import Change
from xinfang.errors import InvalidDataError, quoted
from xinfang.responsibility import Interest, Organization
from xinfang.rulebook import LimitKind

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Collection

__all__ = [
    "MAX_ID_LENGTH",
    "change_arg",
    "command_args",
    "ids_arg",
    "int_arg",
    "interests_arg",
    "key_arg",
    "kinds_arg",
    "org_arg",
]

#: The most characters a case id, an idempotency key, an actor (``by``) or a
#: viewer may hold in the store, on every backend alike. Checked before any
#: SQL runs: PostgreSQL's indexes cannot hold much more (a 1,000,000-character
#: id failed there with a 1 MB message while SQLite took it).
MAX_ID_LENGTH: Final = 256


def key_arg(value: object, name: str, what: str) -> str:
    """``value`` if it is text of at most :data:`MAX_ID_LENGTH` characters, else an error."""
    if not isinstance(value, str):
        raise InvalidDataError(
            [(name, f"expected text, got {type(value).__name__} {quoted(value)}")], source=what
        )
    if len(value) > MAX_ID_LENGTH:
        raise InvalidDataError(
            [
                (
                    name,
                    (
                        f"{len(value):,} characters, more than the {MAX_ID_LENGTH} an id or key "
                        f"may hold in a store: {quoted(value)}"
                    ),
                )
            ],
            source=what,
        )
    return value


def ids_arg(case_ids: object, what: str) -> list[str]:
    """A collection of case ids, each checked as :func:`key_arg` does."""
    if isinstance(case_ids, str | bytes) or not hasattr(case_ids, "__iter__"):
        raise InvalidDataError(
            [("case_ids", f"expected a collection of case ids, got {type(case_ids).__name__}")],
            source=what,
        )
    return [key_arg(cid, f"case_ids[{i}]", what) for i, cid in enumerate(case_ids)]


def kinds_arg(kinds: Collection[LimitKind] | None, what: str) -> frozenset[LimitKind] | None:
    """The clock kinds asked for (``None``: every kind); anything but kinds is refused."""
    if kinds is None:
        return None
    found = frozenset(kinds) if not isinstance(kinds, str | bytes) else frozenset({kinds})
    bad = [k for k in found if not isinstance(k, LimitKind) or k is LimitKind.CAP]
    if bad:
        raise InvalidDataError(
            [("kinds", f"expected clock kinds (LimitKind), got {quoted(bad[0])}")], source=what
        )
    return found


def int_arg(value: object, name: str, what: str, *, optional: bool = False) -> int | None:
    """``value`` if it is a whole number of 0 or more (or ``None`` when ``optional``)."""
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        got = type(value).__name__
        raise InvalidDataError(
            [(name, f"expected a whole number of 0 or more, got {got} {quoted(value)}")],
            source=what,
        )
    return value


def change_arg(value: object, what: str) -> Change:
    """``value`` if it is a change (``Accept()``, ...), else an error naming ``change``."""
    if not isinstance(value, Change):
        raise InvalidDataError(
            [
                (
                    "change",
                    (
                        f"expected a change value (e.g. xinfang.changes.Accept()), got "
                        f"{type(value).__name__} {quoted(value)}; read a dict with "
                        "xinfang.from_dict(data, Change)"
                    ),
                )
            ],
            source=what,
        )
    return value


def org_arg(org: object, what: str) -> None:
    """Refuse an ``org`` that is not an :class:`~xinfang.Organization`."""
    if not isinstance(org, Organization):
        raise InvalidDataError(
            [("org", f"expected an Organization, got {type(org).__name__} {quoted(org)}")],
            source=what,
        )


def command_args(
    what: str,
    *,
    by: object,
    key: object,
    org: object = None,
    related: object = None,
    interests: object = (),
) -> tuple[Interest, ...]:
    """Check a command's common arguments; the interests as a tuple."""
    key_arg(by, "by", what)
    if key is not None:
        key_arg(key, "idempotency_key", what)
    if org is not None:
        org_arg(org, what)
    if related is not None and not isinstance(related, dict | Mapping):
        raise InvalidDataError(
            [("related", f"expected a mapping of case id to Case, got {type(related).__name__}")],
            source=what,
        )
    return interests_arg(interests, what)


def interests_arg(interests: object, what: str) -> tuple[Interest, ...]:
    """``interests`` as a tuple, if each is an :class:`~xinfang.responsibility.Interest`."""
    if isinstance(interests, str | bytes | dict) or not hasattr(interests, "__iter__"):
        raise InvalidDataError(
            [("interests", f"expected Interest values, got {type(interests).__name__}")],
            source=what,
        )
    found = tuple(interests)
    for i, item in enumerate(found):
        if not isinstance(item, Interest):
            raise InvalidDataError(
                [(f"interests[{i}]", f"expected an Interest, got {type(item).__name__}")],
                source=what,
            )
    return found
