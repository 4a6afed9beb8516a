"""Statutory time limits as data: the :class:`Rulebook`.

A rulebook names each time limit of a petition procedure: its period, the
event that starts it, the events that satisfy it, which cases it applies to,
how it is counted, and the article it comes from. Bundled rulebooks (the 2022
regulation, the 2005 regulation, the simplified procedure, a local example)
are TOML files read by the same public loader hosts use for their own.

The format (version 1) is documented in ``docs/lifecycle.md``.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Final

import attrs

from xinfang._toml import read_toml
from xinfang.errors import PeriodError, RulebookError, quoted
from xinfang.periods import MAX_PERIOD_AMOUNT, CountingRule, Period
from xinfang.vocabulary import Category, Channel, Procedure, Route, UnitKind

__all__ = [
    "BINDS_ATTRIBUTE",
    "DUE_ON_EVENTS",
    "END_EVENTS",
    "START_EVENTS",
    "STOP_EVENTS",
    "ExtensionBase",
    "Finality",
    "Limit",
    "LimitKind",
    "Rulebook",
    "bundled_rulebook",
    "bundled_rulebooks",
    "load_rulebook",
]

_FORMAT: Final = 1
_RULE: Final = "xinfang rulebook format 1 (docs/lifecycle.md)"

#: What may start a clock: the case milestone whose local date is day 0.
START_EVENTS: Final = frozenset(
    {
        "received",  # the matter was received (registration's received_at)
        "forwarded",  # the body received a forwarded or assigned matter (Art. 23 ¶3)
        "assigned",  # the latest assignment (交办, Art. 22 (3))
        "accepted",
        "opinion_delivered",  # the petitioner received the written handling opinion
        "review_requested",
        "review_delivered",  # the petitioner received the written review opinion
        "rereview_requested",
    }
)

#: What may satisfy a clock: kinds of case events.
END_EVENTS: Final = frozenset(
    {
        "forwarded",
        "assigned",
        "declined",
        "accepted",
        "notified",
        "remit_objected",
        "reported_back",  # the 办结报告 of an assigned matter (Art. 22 (3))
        "agreement_recorded",  # a mediation or reconciliation agreement (Art. 33)
        "opinion_issued",
        "review_requested",
        "review_opinion_issued",
        "rereview_requested",
        "rereview_opinion_issued",
    }
)

#: What may make a clock moot: any end event, settlement (the petitioner stopped), or
#: the end of a forwarding's duty: the sending body approved the receiver's objection,
#: or the materials went back to it (Art. 23 ¶3).
STOP_EVENTS: Final = END_EVENTS | {"settled", "objection_approved", "materials_returned"}

#: Milestones that can be a limit's due date itself (``due_on``): a day a body set.
DUE_ON_EVENTS: Final = frozenset({"report_back_due"})

#: Whose kind a limit's ``binds`` tests, by the limit's start: the body that received
#: the matter, the body it was forwarded or assigned to, or the handling body.
BINDS_ATTRIBUTE: Final = {
    "received": "receiving_unit_kind",
    "forwarded": "forwarded_unit_kind",
    "assigned": "forwarded_unit_kind",
}
#: For every other start, the handling body's kind.
DEFAULT_BINDS_ATTRIBUTE: Final = "handling_unit_kind"

#: Case attributes a limit's ``applies_to`` may test, with their allowed codes (a unit
#: kind there must be recorded: unlike ``binds``, a kind not recorded does not match).
CONDITION_KEYS: Final = {
    name: frozenset(member.value for member in enum_cls)
    for name, enum_cls in (
        ("route", Route),
        ("category", Category),
        ("procedure", Procedure),
        ("channel", Channel),
        ("receiving_unit_kind", UnitKind),
        ("forwarded_unit_kind", UnitKind),
        ("handling_unit_kind", UnitKind),
    )
}


class ExtensionBase(enum.Enum):
    """What an approved extension is added to (Art. 34: 适当延长办理期限).

    ``NOMINAL_END``: to the nominal end of the handling period, so 60 + 30
    days are counted as one period from acceptance and rolled forward once
    (the default). ``ROLLED_END``: to the end of the 60 days after any
    roll-forward off a rest day (the more generous reading of "the end of
    the 60").
    """

    NOMINAL_END = "nominal_end"
    ROLLED_END = "rolled_end"


#: What kind of instrument a rule comes from (``[finality] source_kind``).
SOURCE_KINDS: Final = frozenset({"regulation", "ministerial", "local"})


@attrs.frozen(kw_only=True)
class Finality:
    """When a matter is final (不再受理), and the refusals that cite the rulebook.

    ``final_citation``: the article that makes a re-reviewed matter final
    (2022 第三十六条第三款; 2005 第三十五条第三款): a repeat with the same
    facts and reasons is refused at acceptance, forwarding and assignment.
    ``handled_citation``: the article by which a higher body does not accept
    a matter already accepted or being handled within its limits (2022
    第十九条第三款; 2005 第十六条). ``after_lapsed_window``: a reply (or
    review opinion) whose review (or re-review) window lapsed unused is final
    too. That rule is not in either regulation; ``citation`` and ``source``
    name where it comes from, ``source_kind`` what kind of instrument that is
    (``regulation``, ``ministerial`` or ``local``), and ``good_reason``
    whether a good reason (正当理由) the host records on the command lifts
    it (its text: 无正当理由 ... 不再受理).
    """

    after_lapsed_window: bool = False
    citation: str = ""
    source: str = ""
    source_kind: str = ""
    good_reason: bool = True
    final_citation: str = "信访工作条例 (2022) 第三十六条第三款"
    handled_citation: str = "信访工作条例 (2022) 第十九条第三款"


class LimitKind(enum.Enum):
    """How a limit binds.

    ``DUTY``: the body must act within it (met / missed / overdue).
    ``WINDOW``: an act is allowed only within it (used / lapsed); a late act is refused.
    ``CAP``: a ceiling on an extension of another limit (no clock of its own).
    ``PLAN``: a campaign clock, not a statutory limit: the deadline of a
    settlement plan (明确时限), whose due day is the date the plan sets (never
    rolled). No rulebook declares one (:data:`xinfang.deadlines.PLAN_LIMIT`).
    """

    DUTY = "duty"
    WINDOW = "window"
    CAP = "cap"
    PLAN = "plan"


def _frozen_str(value: Any) -> frozenset[str]:
    return frozenset(value)


def _conditions(value: Mapping[str, Any]) -> tuple[tuple[str, frozenset[str]], ...]:
    return tuple(sorted((k, frozenset(v)) for k, v in dict(value).items()))


@attrs.frozen(kw_only=True)
class Limit:
    """One statutory time limit.

    Attributes:
        key: its name in the rulebook (``"handling"``, ``"review_request"``, ...).
        title: a short Chinese title; ``title_en`` the English one.
        period: how long it runs.
        kind: duty, window or cap (see :class:`LimitKind`).
        starts: the milestone that starts it (one of :data:`START_EVENTS`).
        ends: the event kinds that satisfy it (from :data:`END_EVENTS`).
        stops: event kinds that make it moot without satisfying it (e.g. a
            remit-objection window stops once the body accepts the matter).
        applies_to: conditions on the case, ``((attribute, allowed codes), ...)``;
            empty means every case.
        obligor: who must act: ``"body"`` or ``"petitioner"``.
        pauses_for_hearing: hearing time is not counted (e.g. Art. 36 ¶2).
        extends: for a cap, the limit it extends; ``max_times`` how often.
        citation: the article, e.g. ``"信访工作条例 (2022) 第三十四条"``.
        binds: the kinds of body the limit binds (:class:`~xinfang.vocabulary.UnitKind`);
            empty binds every kind. Whose kind is tested follows the start
            (:data:`BINDS_ATTRIBUTE`); a kind not recorded binds.
        waived_if_identity_unclear: the limit is not owed when the
            petitioner's name or address is unclear (Art. 23 ¶2 但书).
        due_on: a milestone that is the due date itself (``report_back_due``:
            the day an assignment set, Art. 22 (3)); the period is then unused.
        exempt: ``((unit kind, category codes), ...)``: the limit does not bind a
            body of that kind (the kind :attr:`binds` tests) on a matter of one of
            those categories (Art. 23 ¶4: a political-legal body on a matter of
            litigation-rights relief, a discipline inspection body on an
            accusation). A category not recorded is not exempt.
    """

    key: str
    title: str
    title_en: str
    period: Period
    kind: LimitKind
    citation: str
    starts: str = ""
    ends: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen_str)
    stops: frozenset[str] = attrs.field(default=frozenset(), converter=_frozen_str)
    applies_to: tuple[tuple[str, frozenset[str]], ...] = attrs.field(
        default=(), converter=_conditions
    )
    obligor: str = "body"
    pauses_for_hearing: bool = False
    extends: str = ""
    max_times: int = 0
    binds: frozenset[UnitKind] = attrs.field(default=frozenset(), converter=frozenset)
    waived_if_identity_unclear: bool = False
    due_on: str = ""
    exempt: tuple[tuple[UnitKind, frozenset[str]], ...] = ()

    @property
    def binds_attribute(self) -> str:
        """The case attribute whose unit kind :attr:`binds` tests."""
        return BINDS_ATTRIBUTE.get(self.starts, DEFAULT_BINDS_ATTRIBUTE)

    def applies(self, attributes: Mapping[str, str | None]) -> bool:
        """Whether the limit applies to a case with these attribute codes (and binds its body)."""
        if not all(attributes.get(name) in allowed for name, allowed in self.applies_to):
            return False
        if self.waived_if_identity_unclear and attributes.get("identity_unclear") == "true":
            return False
        kind = attributes.get(self.binds_attribute)
        if self.binds and kind is not None and kind not in {k.value for k in self.binds}:
            return False
        category = attributes.get("category")
        return not any(kind == k.value and category in cats for k, cats in self.exempt)


@attrs.frozen(kw_only=True, cache_hash=True)
class Rulebook:
    """A named, versioned, citeable set of time limits.

    Attributes:
        id: a stable identifier (``"xinfang-2022"``).
        title: the instrument's title; ``version`` its version or date in force.
        source: where the text comes from.
        counting: how its periods are counted.
        limits: the limits by key.
        extension_base: what an extension is added to (``[counting]
            extension_base``; default the nominal end).
        finality: when a matter is final beyond a re-review (``[finality]``).
    """

    id: str
    title: str
    version: str
    source: str
    counting: CountingRule
    limits: tuple[Limit, ...]
    extension_base: ExtensionBase = ExtensionBase.NOMINAL_END
    finality: Finality = Finality()
    _by_key: dict[str, Limit] = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {lim.key: lim for lim in self.limits})
        dup = sorted({lim.key for lim in self.limits if self._by_key[lim.key] is not lim})
        if dup:
            raise RulebookError(f"limit {dup[0]!r} is given twice", path=f"limits.{dup[0]}")

    def __contains__(self, key: object) -> bool:
        return key in self._by_key

    def get(self, key: str) -> Limit | None:
        """The limit named ``key``, or ``None``."""
        return self._by_key.get(key)

    def __getitem__(self, key: str) -> Limit:
        try:
            return self._by_key[key]
        except KeyError:
            raise RulebookError(
                f"rulebook {self.id!r} has no limit {key!r}; it has {sorted(self._by_key)}",
                path=f"limits.{key}",
            ) from None

    def cap_for(self, key: str) -> Limit | None:
        """The cap (extension ceiling) that extends limit ``key``, if any."""
        for lim in self.limits:
            if lim.kind is LimitKind.CAP and lim.extends == key:
                return lim
        return None

    @property
    def clock_limits(self) -> tuple[Limit, ...]:
        """The limits that run as clocks (duties and windows, not caps)."""
        return tuple(lim for lim in self.limits if lim.kind is not LimitKind.CAP)


# ------------------------------------------------------------------ loading
def _err(msg: str, path: str) -> RulebookError:
    return RulebookError(msg, path=path, rule=_RULE)


def _str(data: Mapping[str, Any], key: str, path: str, *, required: bool = True) -> str:
    if key not in data:
        if required:
            raise _err(f"missing required key {key!r}", f"{path}.{key}" if path else key)
        return ""
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise _err(f"{key!r} must be a non-empty string", f"{path}.{key}" if path else key)
    return value


def _event_kinds(
    raw: Mapping[str, Any], key: str, allowed: frozenset[str], path: str, *, required: bool
) -> list[str]:
    """A list of event kinds under ``key``, each one of ``allowed``."""
    kinds = raw.get(key, [])
    if not isinstance(kinds, list) or not all(isinstance(e, str) for e in kinds):
        raise _err(f"{key} must be a list of event kinds", f"{path}.{key}")
    if required and not kinds:
        raise _err(f"{key} must be a non-empty list of event kinds", f"{path}.{key}")
    for j, e in enumerate(kinds):
        if e not in allowed:
            msg = f"unknown event kind {e!r}; one of {sorted(allowed)}"
            raise _err(msg, f"{path}.{key}[{j}]")
    return kinds


def _exempt(raw: Any, path: str) -> tuple[tuple[UnitKind, frozenset[str]], ...]:
    """``exempt = [{ unit_kind = "...", category = ["..."] }, ...]``."""
    if not isinstance(raw, list):
        raise _err("exempt must be a list of { unit_kind, category } tables", path)
    out = []
    for j, item in enumerate(raw):
        p = f"{path}[{j}]"
        if not isinstance(item, Mapping) or set(item) != {"unit_kind", "category"}:
            raise _err("each exemption is a table with unit_kind and category", p)
        try:
            kind = UnitKind(item["unit_kind"])
        except (ValueError, TypeError):
            raise _err(
                f"unknown unit kind {item['unit_kind']!r}; one of {[k.value for k in UnitKind]}",
                f"{p}.unit_kind",
            ) from None
        codes = item["category"]
        allowed = CONDITION_KEYS["category"]
        if not isinstance(codes, list) or not codes or not all(c in allowed for c in codes):
            raise _err(f"category must be a non-empty list of {sorted(allowed)}", f"{p}.category")
        out.append((kind, frozenset(codes)))
    return tuple(out)


def _limit(key: str, raw: Any, path: str) -> Limit:
    if not isinstance(raw, Mapping):
        raise _err("each limit must be a table", path)
    allowed = {
        "title",
        "title_en",
        "period",
        "kind",
        "starts",
        "ends",
        "stops",
        "applies_to",
        "obligor",
        "pauses_for_hearing",
        "extends",
        "max_times",
        "citation",
        "binds",
        "waived_if_identity_unclear",
        "due_on",
        "exempt",
    }
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise _err(
            f"unknown key {unknown[0]!r} (expected {sorted(allowed)})", f"{path}.{unknown[0]}"
        )
    due_on = raw.get("due_on", "")
    if not isinstance(due_on, str) or (due_on and due_on not in DUE_ON_EVENTS):
        raise _err(
            f"due_on must be one of {sorted(DUE_ON_EVENTS)}, got {quoted(due_on)}", f"{path}.due_on"
        )
    try:
        if due_on and "period" not in raw:
            period = Period.days(0)
        else:
            period = Period.parse(_str(raw, "period", path))
    except PeriodError as exc:
        raise _err(exc.message, f"{path}.period") from None
    if period.amount > MAX_PERIOD_AMOUNT:
        raise _err(
            f"a period of {period} is longer than the {MAX_PERIOD_AMOUNT} days "
            "(or working days) a rulebook may set",
            f"{path}.period",
        )
    binds_raw = raw.get("binds", [])
    if not isinstance(binds_raw, list) or not all(isinstance(b, str) for b in binds_raw):
        raise _err("binds must be a list of unit kinds", f"{path}.binds")
    binds: set[UnitKind] = set()
    for j, code in enumerate(binds_raw):
        try:
            binds.add(UnitKind(code))
        except ValueError:
            raise _err(
                f"unknown unit kind {code!r}; one of {[k.value for k in UnitKind]}",
                f"{path}.binds[{j}]",
            ) from None
    exempt = _exempt(raw.get("exempt", []), f"{path}.exempt")
    waived = raw.get("waived_if_identity_unclear", False)
    if not isinstance(waived, bool):
        raise _err(
            "waived_if_identity_unclear must be true or false",
            f"{path}.waived_if_identity_unclear",
        )
    kind_code = raw.get("kind", "duty")
    try:
        kind = LimitKind(kind_code)
    except (ValueError, TypeError):
        kind = None
    if kind is None or kind is LimitKind.PLAN:
        raise _err(
            f"kind must be one of {[k.value for k in LimitKind if k is not LimitKind.PLAN]}, "
            f"got {quoted(kind_code)} (a plan's deadline is a campaign clock, not a rulebook "
            "limit)",
            f"{path}.kind",
        )
    citation = _str(raw, "citation", path)
    title = _str(raw, "title", path)
    title_en = _str(raw, "title_en", path, required=False) or key.replace("_", " ")
    obligor = raw.get("obligor", "petitioner" if key.endswith("_request") else "body")
    if not isinstance(obligor, str) or obligor not in {"body", "petitioner"}:
        raise _err(
            f"obligor must be 'body' or 'petitioner', got {quoted(obligor)}", f"{path}.obligor"
        )
    pauses = raw.get("pauses_for_hearing", False)
    if not isinstance(pauses, bool):
        raise _err("pauses_for_hearing must be true or false", f"{path}.pauses_for_hearing")
    common: dict[str, Any] = {
        "key": key,
        "title": title,
        "title_en": title_en,
        "period": period,
        "kind": kind,
        "citation": citation,
        "obligor": obligor,
        "binds": frozenset(binds),
        "waived_if_identity_unclear": waived,
    }
    if exempt:
        common["exempt"] = exempt
    if kind is LimitKind.CAP:
        extends = _str(raw, "extends", path)
        max_times = raw.get("max_times", 1)
        if not isinstance(max_times, int) or isinstance(max_times, bool) or max_times < 1:
            raise _err("max_times must be a positive integer", f"{path}.max_times")
        for bad in ("starts", "ends", "stops", "applies_to", "due_on", "exempt"):
            if bad in raw:
                raise _err(f"a cap has no {bad!r}: it extends {extends!r}", f"{path}.{bad}")
        return Limit(**common, extends=extends, max_times=max_times)
    starts = _str(raw, "starts", path)
    if starts not in START_EVENTS:
        raise _err(
            f"starts must be one of {sorted(START_EVENTS)}, got {quoted(starts)}", f"{path}.starts"
        )
    ends = _event_kinds(raw, "ends", END_EVENTS, path, required=True)
    stops = _event_kinds(raw, "stops", STOP_EVENTS, path, required=False)
    cond = raw.get("applies_to", {})
    if not isinstance(cond, Mapping):
        raise _err("applies_to must be a table of attribute = [codes]", f"{path}.applies_to")
    for name, codes in cond.items():
        # a key that is not a name stays out of the path (it is quoted, bounded, in the message)
        p = f"{path}.applies_to" + (
            f".{name}" if isinstance(name, str) and name.isidentifier() else ""
        )
        if not isinstance(name, str) or name not in CONDITION_KEYS:
            raise _err(f"unknown case attribute {quoted(name)}; one of {sorted(CONDITION_KEYS)}", p)
        if not isinstance(codes, list) or not codes:
            raise _err("must be a non-empty list of codes", p)
        for code in codes:
            if not isinstance(code, str) or code not in CONDITION_KEYS[name]:
                raise _err(
                    f"unknown {name} code {code!r}; one of {sorted(CONDITION_KEYS[name])}", p
                )
    return Limit(
        **common,
        starts=starts,
        ends=ends,
        stops=stops,
        applies_to=cond,
        pauses_for_hearing=pauses,
        due_on=due_on,
    )


def _extension_base(raw: Any, base: ExtensionBase) -> ExtensionBase:
    if not isinstance(raw, Mapping) or "extension_base" not in raw:
        return base
    code = raw["extension_base"]
    try:
        return ExtensionBase(code)
    except ValueError:
        raise _err(
            f"extension_base must be one of {[b.value for b in ExtensionBase]}, got {code!r}",
            "counting.extension_base",
        ) from None


def _finality(raw: Any, base: Finality) -> Finality:
    if raw is None:
        return base
    if not isinstance(raw, Mapping):
        raise _err("finality must be a table", "finality")
    known = {
        "after_lapsed_window",
        "citation",
        "source",
        "source_kind",
        "good_reason",
        "final_citation",
        "handled_citation",
    }
    unknown = sorted(set(raw) - known)
    if unknown:
        raise _err(f"unknown key {unknown[0]!r}", f"finality.{unknown[0]}")
    flags: dict[str, Any] = {}
    for key in ("after_lapsed_window", "good_reason"):
        value = raw.get(key, getattr(base, key))
        if not isinstance(value, bool):
            raise _err(f"{key} must be true or false", f"finality.{key}")
        flags[key] = value
    kind = _str(raw, "source_kind", "finality", required=False) or base.source_kind
    if kind and kind not in SOURCE_KINDS:
        raise _err(
            f"source_kind must be one of {sorted(SOURCE_KINDS)}, got {kind!r}",
            "finality.source_kind",
        )
    texts: dict[str, Any] = {
        key: _str(raw, key, "finality", required=False) or getattr(base, key)
        for key in ("citation", "source", "final_citation", "handled_citation")
    }
    out = attrs.evolve(base, **flags, **texts, source_kind=kind)
    if out.after_lapsed_window and not out.citation:
        raise _err(
            "finality after a lapsed window needs a citation: it is not in the regulation",
            "finality.citation",
        )
    return out


def _counting(raw: Any, base: CountingRule, citation: str) -> CountingRule:
    if raw is None:
        return base
    if not isinstance(raw, Mapping):
        raise _err("counting must be a table", "counting")
    raw = {k: v for k, v in raw.items() if k != "extension_base"}
    switches = ("exclude_start_day", "roll_forward", "weekend_is_rest_day")
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        if key in switches:
            if not isinstance(value, bool):
                raise _err(f"{key} must be true or false", f"counting.{key}")
            kwargs[key] = value
        elif key in ("timezone", "citation"):
            if not isinstance(value, str):
                raise _err(f"{key} must be a string", f"counting.{key}")
            kwargs[key] = value
        else:
            raise _err(f"unknown key {key!r}", f"counting.{key}")
    kwargs.setdefault("citation", citation or base.citation)
    return attrs.evolve(base, **kwargs)


def _build(data: Mapping[str, Any], resolve_base: bool = True) -> Rulebook:
    if not isinstance(data, Mapping):
        raise _err("a rulebook must be a table", "")
    allowed = {
        "format",
        "id",
        "title",
        "version",
        "source",
        "base",
        "counting",
        "finality",
        "limits",
    }
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise _err(f"unknown key {unknown[0]!r} (expected {sorted(allowed)})", unknown[0])
    if data.get("format", _FORMAT) != _FORMAT:
        raise _err(f"unsupported format {data.get('format')!r}; this version reads 1", "format")
    base: Rulebook | None = None
    if "base" in data:
        base_id = _str(data, "base", "")
        try:
            base = bundled_rulebook(base_id)
        except RulebookError:
            raise _err(
                f"unknown base rulebook {base_id!r}; bundled: {sorted(_bundled_files())}", "base"
            ) from None
    limits_raw = data.get("limits", {})
    if not isinstance(limits_raw, Mapping):
        raise _err("limits must be a table of [limits.NAME] tables", "limits")
    limits: dict[str, Limit] = {lim.key: lim for lim in base.limits} if base else {}
    for key, raw in limits_raw.items():
        limits[key] = _limit(key, raw, f"limits.{key}")
    if not limits:
        raise _err("a rulebook needs at least one limit", "limits")
    for lim in limits.values():
        if lim.kind is LimitKind.CAP and (
            lim.extends not in limits or limits[lim.extends].kind is not LimitKind.DUTY
        ):
            raise _err(
                f"cap {lim.key!r} extends {lim.extends!r}, which is not a duty in this rulebook",
                f"limits.{lim.key}.extends",
            )
    caps = [lim.extends for lim in limits.values() if lim.kind is LimitKind.CAP]
    dup = sorted({k for k in caps if caps.count(k) > 1})
    if dup:
        raise _err(f"limit {dup[0]!r} has more than one cap", "limits")
    counting_base = base.counting if base else CountingRule()
    return Rulebook(
        id=_str(data, "id", ""),
        title=_str(data, "title", ""),
        version=_str(data, "version", ""),
        source=_str(data, "source", "", required=False) or (base.source if base else ""),
        counting=_counting(data.get("counting"), counting_base, ""),
        limits=tuple(limits.values()),
        extension_base=_extension_base(
            data.get("counting"), base.extension_base if base else ExtensionBase.NOMINAL_END
        ),
        finality=_finality(data.get("finality"), base.finality if base else Finality()),
    )


def load_rulebook(source: str | Path | Mapping[str, Any]) -> Rulebook:
    """Load a rulebook from a TOML file path or an already-parsed mapping.

    A bad rulebook fails here, whole, with :class:`~xinfang.errors.RulebookError`
    naming the file, the key and what is wrong.
    """
    if isinstance(source, Mapping):
        return _build(source)
    p = Path(source)
    data = read_toml(p, RulebookError, "rulebook")
    try:
        return _build(data)
    except RulebookError as exc:
        where = f"{p}: {exc.path}" if exc.path else str(p)
        raise RulebookError(exc.message, path=where, rule=exc.rule) from None


def _bundled_files() -> dict[str, str]:
    root = resources.files("xinfang") / "data" / "rulebooks"
    out: dict[str, str] = {}
    for entry in root.iterdir():
        if entry.name.endswith(".toml"):
            out[entry.name.removesuffix(".toml")] = str(entry)
    return out


def bundled_rulebooks() -> tuple[str, ...]:
    """The ids of the bundled rulebooks."""
    return tuple(sorted(_bundled_files()))


def bundled_rulebook(id: str = "xinfang-2022") -> Rulebook:
    """A bundled rulebook by id (default: the 2022 信访工作条例), loaded once.

    Bundled: ``xinfang-2022``, ``xinfang-2005``, ``simplified-2016``,
    ``zhejiang-2016``. See :func:`bundled_rulebooks`.
    """
    return _bundled(id)


@functools.cache
def _bundled(id: str) -> Rulebook:
    files = _bundled_files()
    if id not in files:
        raise RulebookError(f"no bundled rulebook {id!r}; bundled: {sorted(files)}", path="id")
    return load_rulebook(files[id])
