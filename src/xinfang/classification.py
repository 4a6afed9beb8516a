"""The classification policy: class, route, 三到位一处理 dispositions, tactics, priority.

A :class:`Policy` is data: a TOML table of rules, each a declarative
condition over :class:`CaseFacts` (``all`` / ``any`` / ``not``, comparisons,
membership; no ``eval``) and an outcome, with its citation and a short
explanation in Chinese and English. :func:`classify` applies every rule and
returns a :class:`Classification` whose every conclusion carries the reasons
(rule id, citation, explanation) that produced it, and the policy's id,
version and content digest for audit.

Conditions are compiled once into plain Python closures, so a
classification is a handful of attribute reads and comparisons.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import json
import operator
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import attrs

from xinfang._toml import read_toml
from xinfang.errors import InvalidDataError, PolicyError, quoted
from xinfang.vocabulary import Category, Route

if TYPE_CHECKING:
    from xinfang.case import Case

__all__ = [
    "CaseFacts",
    "Classification",
    "Disposition",
    "Policy",
    "PolicyRule",
    "Reason",
    "Tactic",
    "classify",
    "default_policy",
    "load_policy",
    "rule_table",
]

_RULE: Final = "xinfang policy format 1 (docs/policy.md)"


class Disposition(enum.Enum):
    """三到位一处理 (Art. 27): what the handling must achieve; not exclusive of one another."""

    RESOLVE = "resolve"  # 诉求合理的解决问题到位
    EDUCATE = "educate"  # 诉求无理的思想教育到位
    ASSIST = "assist"  # 生活困难的帮扶救助到位
    ENFORCE = "enforce"  # 行为违法的依法处理


class Tactic(enum.Enum):
    """Tactics for hard cases (the campaign speech) and procedure choices."""

    TASK_FORCE = "task_force"  # 组织专班
    EXPERT_REVIEW = "expert_review"  # 专家调查论证
    INTER_AGENCY = "inter_agency"  # 协调有关部门
    LEGAL_ADVISER = "legal_adviser"  # 法律顾问
    EVIDENCE_PRESERVATION = "evidence_preservation"  # 固定证据
    HEARING_RECOMMENDED = "hearing_recommended"  # 听证 (Art. 31(6))
    SIMPLIFIED_ELIGIBLE = "simplified_eligible"  # 简易办理


#: Where a matter can go: every :class:`~xinfang.vocabulary.Route`
#: (Art. 31, accusations, suggestions).
_ROUTES: Final = tuple(r.value for r in Route)
#: The legal channels of Art. 31 (2)-(4) a ``legal_channel`` fact may name.
LEGAL_CHANNELS: Final = frozenset({Route.ARBITRATION, Route.PARTY_DISCIPLINE, Route.ADMINISTRATIVE})


def _category(value: Category | str | None) -> Category | None:
    if value is None or isinstance(value, Category):
        return value
    if isinstance(value, str):
        try:
            return Category(value)
        except ValueError:
            pass
    codes = [c.value for c in Category]
    raise InvalidDataError(
        [("category", f"unknown category {quoted(value)}; one of {codes}")], source="CaseFacts"
    )


def _legal_channel(value: Route | str | None) -> Route | None:
    if value is None:
        return None
    route = value if isinstance(value, Route) else None
    if route is None and isinstance(value, str):
        try:
            route = Route(value)
        except ValueError:
            route = None
    if route not in LEGAL_CHANNELS:
        codes = sorted(r.value for r in LEGAL_CHANNELS)
        raise InvalidDataError(
            [("legal_channel", f"unknown legal channel {quoted(value)}; one of {codes}")],
            source="CaseFacts",
        )
    return route


def _int_tuple(value: Any) -> tuple[int, ...]:
    try:
        out = tuple(value)
    except TypeError:
        out = None
    if out is None or not all(isinstance(v, int) and not isinstance(v, bool) for v in out):
        raise InvalidDataError(
            [("unlawful_conduct", "must be a list of Art. 26 item numbers (integers)")],
            source="CaseFacts",
        )
    return out


@attrs.frozen(kw_only=True)
class CaseFacts:
    """What the policy decides on: facts of the case and staff assessments.

    ``None`` means not yet assessed. Build from a case with
    :meth:`from_case`, adding the assessments. ``category`` is a
    :class:`~xinfang.vocabulary.Category` and ``legal_channel`` a
    :class:`~xinfang.vocabulary.Route` (arbitration, party discipline or administrative);
    their codes are converted, anything else is refused, as is a fact of the
    wrong type (a bool where a number is due, a number where a bool is).
    """

    category: Category | None = attrs.field(default=None, converter=_category)
    claim_reasonable: bool | None = None
    legal_basis: bool | None = None
    facts_clear: bool | None = None
    hardship: bool = False
    unlawful_conduct: tuple[int, ...] = attrs.field(default=(), converter=_int_tuple)  # Art. 26
    litigation: bool = False  # involves litigation rights relief (诉讼权利救济)
    legal_channel: Route | None = attrs.field(default=None, converter=_legal_channel)
    duty_request: bool = False  # asks a body to investigate a violation or protect rights
    in_jurisdiction: bool = True
    earlier_handlings: int = 0
    clear_conclusion: bool = False  # an earlier handling reached a clear conclusion
    doubts: bool = False
    policy_heavy: bool = False
    group_size: int = 1
    skip_level: bool = False
    beijing_visit: bool = False
    first_time: bool = True
    time_sensitive: bool = False
    accused: bool = False
    backlog: bool = False

    def __attrs_post_init__(self) -> None:
        problems = []
        for name, kind in FACT_KINDS.items():
            value = getattr(self, name)
            if kind == "bool" and not isinstance(value, bool):
                problems.append((name, f"must be true or false, got {quoted(value)}"))
            elif kind == "opt_bool" and value is not None and not isinstance(value, bool):
                problems.append((name, f"must be true, false or null, got {quoted(value)}"))
            elif kind == "int" and (not isinstance(value, int) or isinstance(value, bool)):
                problems.append((name, f"must be an integer, got {quoted(value)}"))
        if isinstance(self.group_size, int) and self.group_size < 1:
            problems.append(("group_size", "must be at least 1"))
        if isinstance(self.earlier_handlings, int) and self.earlier_handlings < 0:
            problems.append(("earlier_handlings", "cannot be negative"))
        if problems:
            raise InvalidDataError(problems, source="CaseFacts")

    @classmethod
    def from_case(cls, case: Case, **assessments: Any) -> CaseFacts:
        """The facts a case records, plus the staff's ``assessments`` (keyword facts)."""
        derived: dict[str, Any] = {
            "category": case.category,
            "group_size": case.group_size,
            "skip_level": case.skip_level,
            "beijing_visit": case.beijing_visit,
            "first_time": not case.is_repeat,
            "accused": bool(case.accused_persons or case.accused_units),
            "backlog": case.is_backlog,
        }
        derived.update(assessments)
        return cls(**derived)


#: Each fact's kind, for checking a policy at load: "bool", "opt_bool", "int", "str", "ints".
FACT_KINDS: Final = {
    "category": "enum",
    "claim_reasonable": "opt_bool",
    "legal_basis": "opt_bool",
    "facts_clear": "opt_bool",
    "hardship": "bool",
    "unlawful_conduct": "ints",
    "litigation": "bool",
    "legal_channel": "enum",
    "duty_request": "bool",
    "in_jurisdiction": "bool",
    "earlier_handlings": "int",
    "clear_conclusion": "bool",
    "doubts": "bool",
    "policy_heavy": "bool",
    "group_size": "int",
    "skip_level": "bool",
    "beijing_visit": "bool",
    "first_time": "bool",
    "time_sensitive": "bool",
    "accused": "bool",
    "backlog": "bool",
}
_STR_VALUES: Final = {
    "category": frozenset(c.value for c in Category),
    "legal_channel": frozenset(r.value for r in LEGAL_CHANNELS),
}
#: The enum an "enum" fact holds: a policy's codes for it are read into members.
_FACT_ENUMS: Final[Mapping[str, type[enum.Enum]]] = {"category": Category, "legal_channel": Route}


def _as_member(fact: str, value: Any) -> Any:
    """A policy literal for an enum fact, as the member (like is compared with like)."""
    enum_cls = _FACT_ENUMS.get(fact)
    if enum_cls is None:
        return value
    if isinstance(value, list):
        return [enum_cls(v) for v in value]
    return enum_cls(value)


@attrs.frozen(kw_only=True)
class Reason:
    """Why one conclusion was reached: the rule, its citation, and an explanation."""

    rule: str
    conclusion: str
    citation: str
    zh: str
    en: str


@attrs.frozen(kw_only=True)
class Classification:
    """The policy's decision on one case, with a reason for every conclusion.

    ``category`` and ``route`` are the library's enums; a reason's
    ``conclusion`` names them by code (``"route=litigation"``).
    """

    category: Category | None
    route: Route
    dispositions: frozenset[Disposition]
    tactics: frozenset[Tactic]
    priority: int
    risk_flags: tuple[str, ...]
    reasons: tuple[Reason, ...]
    policy_id: str
    policy_version: str
    policy_digest: str

    def why(self, conclusion: str | enum.Enum) -> tuple[Reason, ...]:
        """The reasons for one conclusion (``"route=litigation"``, ``Route.LITIGATION``, ...)."""
        if isinstance(conclusion, enum.Enum):
            name = {Category: "category", Route: "route"}.get(type(conclusion), "")
            name = name or ("disposition" if isinstance(conclusion, Disposition) else "tactic")
            conclusion = f"{name}={conclusion.value}"
        return tuple(r for r in self.reasons if r.conclusion == conclusion)


Condition = Callable[[CaseFacts], bool]


@attrs.frozen(kw_only=True)
class PolicyRule:
    """One rule: a condition (as data), an outcome, its citation and explanation."""

    id: str
    when: Mapping[str, Any] = attrs.field(eq=False, hash=False)
    then: Mapping[str, Any] = attrs.field(eq=False, hash=False)
    citation: str
    zh: str
    en: str


class _Step(NamedTuple):
    """One rule, compiled: its condition and its outcome with the reasons made in advance."""

    rule: PolicyRule
    when: Condition
    category: Category | None
    category_reason: Reason | None
    route: Route | None
    route_reason: Reason | None
    dispositions: frozenset[Disposition]
    tactics: frozenset[Tactic]
    priority: int
    priority_reason: Reason | None
    flags: tuple[str, ...]
    reasons: tuple[Reason, ...]  # for dispositions, tactics and risk flags


def _step(rule: PolicyRule, when: Condition) -> _Step:
    then = rule.then

    def reason(conclusion: str) -> Reason:
        return Reason(
            rule=rule.id, conclusion=conclusion, citation=rule.citation, zh=rule.zh, en=rule.en
        )

    category = then.get("category")
    route = then.get("route")
    priority = then.get("priority", 0)
    always = [reason(f"disposition={c}") for c in then.get("dispositions", ())]
    always += [reason(f"tactic={c}") for c in then.get("tactics", ())]
    always += [reason(f"risk={c}") for c in then.get("risk_flags", ())]
    return _Step(
        rule=rule,
        when=when,
        category=Category(category) if category else None,
        category_reason=reason(f"category={category}") if category else None,
        route=Route(route) if route else None,
        route_reason=reason(f"route={route}") if route else None,
        dispositions=frozenset(Disposition(c) for c in then.get("dispositions", ())),
        tactics=frozenset(Tactic(c) for c in then.get("tactics", ())),
        priority=priority,
        priority_reason=reason(f"priority={priority}") if priority else None,
        flags=tuple(then.get("risk_flags", ())),
        reasons=tuple(always),
    )


@attrs.frozen(kw_only=True)
class Policy:
    """A named, versioned policy: parameters and an ordered list of rules.

    ``digest`` is the SHA-256 of the policy's canonical JSON form: the same
    content gives the same digest however it was written or loaded.
    """

    id: str
    version: str
    title: str
    parameters: Mapping[str, Any] = attrs.field(eq=False, hash=False)
    rules: tuple[PolicyRule, ...]
    digest: str
    reads: frozenset[str]
    _compiled: tuple[_Step, ...] = attrs.field(eq=False, hash=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The policy as the mapping :func:`load_policy` reads (canonical form)."""
        return _canonical_dict(self.id, self.version, self.title, self.parameters, self.rules)


def _canonical_dict(
    pid: str, version: str, title: str, parameters: Mapping[str, Any], rules: tuple[PolicyRule, ...]
) -> dict[str, Any]:
    return {
        "format": 1,
        "id": pid,
        "version": version,
        "title": title,
        "parameters": dict(parameters),
        "rules": [
            {
                "id": r.id,
                "when": r.when,
                "then": r.then,
                "citation": r.citation,
                "zh": r.zh,
                "en": r.en,
            }
            for r in rules
        ],
    }


# ------------------------------------------------------------ compiling
_OPS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "lt": lambda a, b: a is not None and a < b,
    "le": lambda a, b: a is not None and a <= b,
    "gt": lambda a, b: a is not None and a > b,
    "ge": lambda a, b: a is not None and a >= b,
    "in": lambda a, b: a in b,
    "contains": lambda a, b: b in a,
    "nonempty": lambda a, b: bool(a) is b,
}


def _and(a: Condition, b: Condition) -> Condition:
    return lambda f: a(f) and b(f)


def _or(a: Condition, b: Condition) -> Condition:
    return lambda f: a(f) or b(f)


def _value(raw: Any, params: Mapping[str, Any], path: str) -> Any:
    if isinstance(raw, Mapping):
        if set(raw) != {"param"} or not isinstance(raw["param"], str):
            raise PolicyError('a value is a literal or {param = "name"}', path=path, rule=_RULE)
        name = raw["param"]
        if name not in params:
            raise PolicyError(f"unknown parameter {name!r}", path=path, rule=_RULE)
        return params[name]
    return raw


def _check_type(fact: str, op: str, value: Any, path: str) -> None:
    kind = FACT_KINDS[fact]
    ok: bool
    if op == "nonempty":
        ok = kind == "ints" and isinstance(value, bool)
    elif op == "contains":
        ok = kind == "ints" and isinstance(value, int) and not isinstance(value, bool)
    elif op == "in":
        ok = isinstance(value, list) and all(_scalar_ok(kind, fact, v) for v in value)
    elif op in ("lt", "le", "gt", "ge"):
        ok = kind == "int" and isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = _scalar_ok(kind, fact, value)
    if not ok:
        raise PolicyError(
            f"{fact!r} is {kind}; {op} {value!r} does not fit it", path=path, rule=_RULE
        )


def _scalar_ok(kind: str, fact: str, value: Any) -> bool:
    if kind in ("bool", "opt_bool"):
        return isinstance(value, bool)
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind in ("str", "enum"):
        return isinstance(value, str) and value in _STR_VALUES.get(fact, {value})
    return False


def _compile(
    cond: Any, params: Mapping[str, Any], path: str, reads: set[str]
) -> tuple[Condition, tuple[tuple[str, Any], ...]]:
    """A closure for ``cond``, and the (fact, value) pairs it requires (to find contradictions)."""
    if not isinstance(cond, Mapping) or not cond:
        raise PolicyError("a condition is a non-empty table", path=path, rule=_RULE)
    if "all" in cond or "any" in cond:
        key = "all" if "all" in cond else "any"
        if set(cond) != {key} or not isinstance(cond[key], list) or not cond[key]:
            raise PolicyError(f"{key} takes a non-empty list of conditions", path=path, rule=_RULE)
        parts = [_compile(c, params, f"{path}.{key}[{i}]", reads) for i, c in enumerate(cond[key])]
        fns = [p[0] for p in parts]
        if key == "all":
            needs = tuple(pair for p in parts for pair in p[1])
            seen: dict[str, Any] = {}
            for name, wanted in needs:
                if name in seen and seen[name] != wanted:
                    raise PolicyError(
                        f"unreachable: {name} cannot be both {seen[name]!r} and {wanted!r}",
                        path=path,
                        rule=_RULE,
                    )
                seen[name] = wanted
            return functools.reduce(_and, fns), needs
        return functools.reduce(_or, fns), ()
    if "always" in cond:
        if cond != {"always": True}:
            raise PolicyError("write the catch-all as {always = true}", path=path, rule=_RULE)
        return (lambda f: True), ()
    if "not" in cond:
        if set(cond) != {"not"}:
            raise PolicyError("not takes one condition", path=path, rule=_RULE)
        inner, _ = _compile(cond["not"], params, f"{path}.not", reads)
        return (lambda f: not inner(f)), ()
    fact = cond.get("fact")
    if fact not in FACT_KINDS:
        raise PolicyError(
            f"unknown fact {fact!r}; facts: {sorted(FACT_KINDS)}", path=f"{path}.fact", rule=_RULE
        )
    ops = [k for k in cond if k != "fact"]
    if len(ops) > 1 or (ops and ops[0] not in _OPS):
        raise PolicyError(
            f"one comparison per test, from {sorted(_OPS)}; got {ops}", path=path, rule=_RULE
        )
    reads.add(fact)
    if not ops:  # {fact = "hardship"}: the fact is true
        if FACT_KINDS[fact] not in ("bool", "opt_bool"):
            raise PolicyError(f"{fact!r} is not true/false; compare it", path=path, rule=_RULE)
        get_flag = operator.attrgetter(fact)
        return (lambda f: get_flag(f) is True), ((fact, True),)
    op = ops[0]
    value = _value(cond[op], params, f"{path}.{op}")
    _check_type(fact, op, value, f"{path}.{op}")
    value = _as_member(fact, value)
    needs = ((fact, value),) if op == "eq" else ()
    get = operator.attrgetter(fact)
    if op == "eq":
        return (lambda f: get(f) == value), needs
    if op == "in":
        members = frozenset(value)
        return (lambda f: get(f) in members), needs
    fn = _OPS[op]
    return (lambda f: fn(get(f), value)), needs


_OUTCOME_KEYS: Final = frozenset(
    {"category", "route", "dispositions", "tactics", "priority", "risk_flags"}
)


def _check_then(then: Any, path: str) -> dict[str, Any]:
    if not isinstance(then, Mapping) or not then:
        raise PolicyError("then is a non-empty table of outcomes", path=path, rule=_RULE)
    unknown = sorted(set(then) - _OUTCOME_KEYS)
    if unknown:
        raise PolicyError(
            f"unknown outcome {unknown[0]!r}; one of {sorted(_OUTCOME_KEYS)}",
            path=f"{path}.{unknown[0]}",
            rule=_RULE,
        )
    if "category" in then and then["category"] not in _STR_VALUES["category"]:
        raise PolicyError(f"unknown category {then['category']!r}", path=f"{path}.category")
    if "route" in then and then["route"] not in _ROUTES:
        raise PolicyError(
            f"unknown route {then['route']!r}; one of {_ROUTES}", path=f"{path}.route"
        )
    for key, enum_cls in (("dispositions", Disposition), ("tactics", Tactic)):
        for j, code in enumerate(then.get(key, [])):
            try:
                enum_cls(code)
            except ValueError:
                codes = [m.value for m in enum_cls]
                raise PolicyError(
                    f"unknown {key[:-1]} {code!r}; one of {codes}", path=f"{path}.{key}[{j}]"
                ) from None
    if "priority" in then and not (
        isinstance(then["priority"], int) and not isinstance(then["priority"], bool)
    ):
        raise PolicyError("priority is an integer", path=f"{path}.priority")
    if "risk_flags" in then and not all(isinstance(x, str) for x in then["risk_flags"]):
        raise PolicyError("risk_flags is a list of strings", path=f"{path}.risk_flags")
    return dict(then)


def _digest(data: Mapping[str, Any]) -> str:
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _build(data: Any, base: Policy | None = None) -> Policy:
    if not isinstance(data, Mapping):
        raise PolicyError("a policy is a table", rule=_RULE)
    allowed = {"format", "id", "version", "title", "base", "parameters", "rules"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise PolicyError(f"unknown key {unknown[0]!r}", path=unknown[0], rule=_RULE)
    if data.get("format", 1) != 1:
        raise PolicyError("unsupported format; this version reads 1", path="format", rule=_RULE)
    for key in ("id", "version"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise PolicyError(f"{key} is a non-empty string", path=key, rule=_RULE)
    params: dict[str, Any] = dict(base.parameters) if base else {}
    raw_params = data.get("parameters", {})
    if not isinstance(raw_params, Mapping):
        raise PolicyError("parameters is a table", path="parameters", rule=_RULE)
    params.update(raw_params)
    raw_rules = data.get("rules", [])
    if not isinstance(raw_rules, list):
        raise PolicyError("rules is an array of tables ([[rules]])", path="rules", rule=_RULE)
    rules_by_id: dict[str, PolicyRule] = {r.id: r for r in base.rules} if base else {}
    seen: set[str] = set()
    for i, raw in enumerate(raw_rules):
        path = f"rules[{i}]"
        if not isinstance(raw, Mapping):
            raise PolicyError("each rule is a table", path=path, rule=_RULE)
        extra = sorted(set(raw) - {"id", "when", "then", "citation", "zh", "en"})
        if extra:
            raise PolicyError(f"unknown key {extra[0]!r}", path=f"{path}.{extra[0]}", rule=_RULE)
        for key in ("id", "citation", "zh", "en"):
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise PolicyError(f"{key} is a non-empty string", path=f"{path}.{key}", rule=_RULE)
        rid = raw["id"]
        if rid in seen:
            raise PolicyError(f"rule id {rid!r} is given twice", path=f"{path}.id", rule=_RULE)
        seen.add(rid)
        if "when" not in raw:
            raise PolicyError("missing 'when'", path=f"{path}.when", rule=_RULE)
        rules_by_id[rid] = PolicyRule(
            id=rid,
            when=raw["when"],
            then=_check_then(raw.get("then"), f"{path}.then"),
            citation=raw["citation"],
            zh=raw["zh"],
            en=raw["en"],
        )
    rules = tuple(rules_by_id.values())
    reads: set[str] = set()
    compiled = []
    route_rules: dict[str, tuple[str, str]] = {}
    for i, r in enumerate(rules):
        fn, _ = _compile(r.when, params, f"rules[{i}] ({r.id}).when", reads)
        compiled.append(_step(r, fn))
        if "route" in r.then:
            key = json.dumps(r.when, sort_keys=True, ensure_ascii=False)
            if key in route_rules and route_rules[key][1] != r.then["route"]:
                raise PolicyError(
                    f"contradiction: rules {route_rules[key][0]!r} and {r.id!r} have the same "
                    "condition and different routes",
                    path=f"rules[{i}] ({r.id}).then.route",
                    rule=_RULE,
                )
            route_rules[key] = (r.id, r.then["route"])
    catch_all = [r.id for r in rules if "route" in r.then and r.when == {"always": True}]
    if not catch_all:
        raise PolicyError(
            "no catch-all route rule: add a last rule with when = {always = true} and a route, "
            "so every fact combination gets a route",
            path="rules",
            rule=_RULE,
        )
    last_route = [r.id for r in rules if "route" in r.then][-1]
    if last_route != catch_all[0] or len(catch_all) > 1:
        raise PolicyError(
            f"unreachable: route rules after the catch-all {catch_all[0]!r} never fire",
            path="rules",
            rule=_RULE,
        )
    title = data.get("title", base.title if base else "")
    canonical = _canonical_dict(data["id"], data["version"], title, params, rules)
    return Policy(
        id=data["id"],
        version=data["version"],
        title=title,
        parameters=params,
        rules=rules,
        digest=_digest(canonical),
        reads=frozenset(reads),
        compiled=tuple(compiled),
    )


def load_policy(source: str | Path | Mapping[str, Any], *, base: Policy | None = None) -> Policy:
    """A policy from a TOML file or a mapping; ``base`` layers it on another policy.

    With a base, parameters are overridden by name and rules by id (new ids
    are appended). A bad policy fails here with :class:`~xinfang.errors.PolicyError`
    naming the file, the rule and the problem.
    """
    if isinstance(source, Mapping):
        return _build(source, base)
    p = Path(source)
    data = read_toml(p, PolicyError, "policy")
    try:
        return _build(data, base)
    except PolicyError as exc:
        where = f"{p}: {exc.path}" if exc.path else str(p)
        raise PolicyError(exc.message, path=where, rule=exc.rule) from None


@functools.cache
def default_policy() -> Policy:
    """The bundled default policy: the 2022 regulation and the campaign speech's tactics."""
    path = resources.files("xinfang") / "data" / "policies" / "classification.toml"
    return load_policy(str(path))


def classify(facts: CaseFacts, policy: Policy | None = None) -> Classification:
    """Apply every rule of ``policy`` (default: :func:`default_policy`) to ``facts``.

    Total and deterministic: every fact combination gets a class (or none
    when unknown), a route (``ordinary`` unless a route rule fires: the first
    route rule in policy order wins), dispositions, tactics, the highest
    priority that fired, risk flags, and the reasons for each.
    """
    if not isinstance(facts, CaseFacts):
        raise InvalidDataError(
            [("facts", f"expected CaseFacts, got {type(facts).__name__}")], source="classify"
        )
    pol = policy if policy is not None else default_policy()
    if not isinstance(pol, Policy):
        raise PolicyError(f"not a policy: {type(pol).__name__}", path="policy")
    category = facts.category
    route = None
    dispositions: set[Disposition] = set()
    tactics: set[Tactic] = set()
    priority = 0
    flags: list[str] = []
    reasons: list[Reason] = []
    for step in pol._compiled:  # the policy's own compiled rules
        if not step.when(facts):
            continue
        if step.category is not None:
            category = step.category
            reasons.append(step.category_reason)  # type: ignore[arg-type]
        if step.route is not None and route is None:
            route = step.route
            reasons.append(step.route_reason)  # type: ignore[arg-type]
        if step.reasons:
            dispositions |= step.dispositions
            tactics |= step.tactics
            for flag in step.flags:
                if flag not in flags:
                    flags.append(flag)
            reasons.extend(step.reasons)
        if step.priority > priority:
            priority = step.priority
            reasons.append(step.priority_reason)  # type: ignore[arg-type]
    if route is None:  # pragma: no cover - every policy has a catch-all route rule
        raise PolicyError(f"policy {pol.id!r} gave no route", path="rules")
    return Classification(
        category=category,
        route=route,
        dispositions=frozenset(dispositions),
        tactics=frozenset(tactics),
        priority=priority,
        risk_flags=tuple(flags),
        reasons=tuple(reasons),
        policy_id=pol.id,
        policy_version=pol.version,
        policy_digest=pol.digest,
    )


def _condition_text(cond: Mapping[str, Any]) -> str:
    if "always" in cond:
        return "always"
    if "all" in cond:
        return "(" + " and ".join(_condition_text(c) for c in cond["all"]) + ")"
    if "any" in cond:
        return "(" + " or ".join(_condition_text(c) for c in cond["any"]) + ")"
    if "not" in cond:
        inner = _condition_text(cond["not"])
        return f"not {inner}" if inner.startswith("(") else f"not ({inner})"
    fact = cond["fact"]
    ops = [k for k in cond if k != "fact"]
    if not ops:
        return str(fact)
    op = ops[0]
    value = cond[op]
    shown = (
        f"{{{value['param']}}}"
        if isinstance(value, Mapping)
        else json.dumps(value, ensure_ascii=False)
    )
    symbol = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥"}.get(op, op)
    return f"{fact} {symbol} {shown}"


def _outcome_text(then: Mapping[str, Any]) -> str:
    parts = [f"{key} = {then[key]}" for key in ("category", "route") if key in then]
    parts.extend(
        f"{key} += {', '.join(then[key])}"
        for key in ("dispositions", "tactics", "risk_flags")
        if then.get(key)
    )
    if "priority" in then:
        parts.append(f"priority ≥ {then['priority']}")
    return "; ".join(parts)


def rule_table(policy: Policy) -> str:
    """The policy's rules as a Markdown table (rule, condition, outcome, citation).

    ``docs/policy.md`` holds this table for the default policy; a test keeps
    them equal.
    """
    lines = [
        f"Policy `{policy.id}` version {policy.version}, digest `{policy.digest[:16]}…`; "
        "parameters: "
        + ", ".join(f"`{k} = {v}`" for k, v in sorted(policy.parameters.items()))
        + ".",
        "",
        "| rule | condition | outcome | citation |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| `{r.id}` | {_condition_text(r.when)} | {_outcome_text(r.then)} | {r.citation} |"
        for r in policy.rules
    ]
    return "\n".join(lines) + "\n"
