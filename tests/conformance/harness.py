"""The conformance suite's paths: one pinned ledger, run the way each engine reads it.

A *path* takes a ledger's text and says what it makes of it as an
:class:`Outcome`: the verdict (``accepted`` or ``refused``), the problems
(``(field path, message)`` pairs, exactly as the path words them), the cases
and every clock as of the ledger's day. The paths (the model is narwhals'
backend-parametrised suite, one test body over every backend):

- ``replay``: :func:`xinfang.load_ledger` (the value fold) and :func:`xinfang.clocks`;
- ``load_journal``: the columnar read and fold, :func:`xinfang.columnar.journal_clocks`;
- ``store:<backend>:<columns|values>``: :meth:`xinfang.Store.import_ledger`
  column-wise or by the value path, then :meth:`~xinfang.Store.due` (the stored
  clock projection), on SQLite and PostgreSQL;
- ``apply``: the case's events as commands through :func:`xinfang.apply` under
  the rulebook, the guards that need a rulebook included (the other paths read
  history, which those guards do not judge).

Not part of the library: ``tests/conformance`` only.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

import xinfang as x
from xinfang.columnar import _api as columnar_api
from xinfang.columnar._milestones import milestones_from_cases
from xinfang.columnar._reader import parse_ledger

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

LEDGERS: Final = Path(__file__).parent / "ledgers"
DEFAULT_RULEBOOK: Final = "xinfang-2022"
#: Every clock with at most this many working days left: all of a pinned ledger's
#: (their due dates are within months of the day; the calendar ends in 2026).
_ALL_DAYS: Final = 200

#: The organisation the ``apply`` path checks chain changes against (role ledgers).
ORG: Final = x.Organization(
    levels=("city", "district"),
    units=[
        x.responsibility.Unit(id="市信访局", name="市信访局", level="city"),
        x.responsibility.Unit(id="区信访局", name="区信访局", level="district", parent="市信访局"),
    ],
    officials=[x.responsibility.Official(id="o-1", name="李四", unit="市信访局")],
)


@attrs.frozen(kw_only=True)
class Run:
    """One judgement a pinned ledger's expectations ask for: some of its lines, read together."""

    rule: str
    name: str
    lines: tuple[int, ...]
    text: str
    rulebook: str
    as_of: dt.date
    expect: Mapping[str, Any]
    #: Lines (of the same ledger) whose cases the ``apply`` path passes as ``related=``.
    related: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """The pytest id: ``rule/run``."""
        return f"{self.rule}/{self.name}"


@attrs.frozen(kw_only=True)
class Outcome:
    """What a path makes of a ledger: verdict, problems, cases' milestones and clocks."""

    verdict: str
    problems: tuple[tuple[str, str], ...] = ()
    #: Every started clock: (case id, limit key, started, due, status).
    clocks: frozenset[tuple[str, str, dt.date, dt.date, str]] = frozenset()
    #: Only the open ones are compared with the store (it keeps open clocks only).
    open_clocks: frozenset[tuple[str, str, dt.date, dt.date, str]] = frozenset()
    cases: tuple[x.Case, ...] = ()
    #: Per case: whether the column fold certified it itself (load_journal only).
    certified: tuple[bool, ...] = ()
    rule: str = ""


def expectations() -> list[tuple[str, dict[str, Any]]]:
    """Every ``ledgers/<rule>.toml`` as (rule file stem, its data), sorted."""
    return [
        (p.stem, tomllib.loads(p.read_text(encoding="utf-8")))
        for p in sorted(LEDGERS.glob("*.toml"))
    ]


def runs() -> list[Run]:
    """Every judgement of every pinned ledger."""
    out = []
    for stem, spec in expectations():
        lines = (LEDGERS / f"{stem}.jsonl").read_text(encoding="utf-8").split("\n")
        for i, run in enumerate(spec["run"], start=1):
            numbers = tuple(run["lines"])
            text = "".join(lines[n - 1] + "\n" for n in numbers)
            related = tuple(lines[n - 1] for n in run.get("related", ()))
            out.append(
                Run(
                    rule=stem,
                    name=run.get("name", f"{i}"),
                    lines=numbers,
                    text=text,
                    rulebook=spec.get("rulebook", DEFAULT_RULEBOOK),
                    as_of=run.get("as_of", spec["as_of"]),
                    expect=run,
                    related=related,
                )
            )
    return out


def _clock_rows(
    cases: Sequence[x.Case], as_of: dt.date, rulebook: x.Rulebook
) -> frozenset[tuple[str, str, dt.date, dt.date, str]]:
    return frozenset(
        (c.case_id, c.key, c.started_on, c.due, c.status.value)
        for case in cases
        for c in x.clocks(case, as_of=as_of, rulebook=rulebook)
    )


def _open(rows: frozenset[tuple[str, str, dt.date, dt.date, str]]) -> frozenset[Any]:
    return frozenset(r for r in rows if x.ClockStatus(r[4]).is_open)


def replay(run: Run) -> Outcome:
    """The value path: :func:`xinfang.load_ledger`, then :func:`xinfang.clocks`."""
    rb = x.bundled_rulebook(run.rulebook)
    try:
        cases = x.load_ledger(run.text)
    except x.InvalidDataError as exc:
        return Outcome(verdict="refused", problems=tuple(exc.problems), rule=exc.rule)
    rows = _clock_rows(cases, run.as_of, rb)
    return Outcome(verdict="accepted", clocks=rows, open_clocks=_open(rows), cases=tuple(cases))


def load_journal(run: Run) -> Outcome:
    """The columnar path: ``xinfang.load_journal``, then ``xinfang.columnar.journal_clocks``.

    Its milestones must equal the value fold's of its own cases (checked
    here: a column fold that certified a case wrongly would show); whether
    the column fold certified each case itself is reported.
    """
    rb = x.bundled_rulebook(run.rulebook)
    try:
        journal = x.load_journal(run.text.encode())
    except x.InvalidDataError as exc:
        return Outcome(verdict="refused", problems=tuple(exc.problems), rule=exc.rule)
    cases = journal.cases()
    assert journal.milestones.equals(milestones_from_cases(cases)), "column fold ≠ value fold"
    parsed = parse_ledger(run.text.encode())
    folded = columnar_api._fold(parsed.journal, parsed.offsets, parsed.suspicious)
    table = x.columnar.journal_clocks(journal, as_of=run.as_of, rulebook=rb).clocks
    rows = frozenset(
        (r["case_id"], r["limit"], r["started"], r["due"], r["status"]) for r in table.to_pylist()
    )
    return Outcome(
        verdict="accepted",
        clocks=rows,
        open_clocks=_open(rows),
        cases=tuple(cases),
        certified=tuple(not s for s in folded.suspicious.tolist()),
    )


def store_path(store: x.Store, *, columnar: bool) -> Callable[[Run], Outcome]:
    """The store's import into ``store`` (column-wise or by value), then its clock projection."""

    def run_import(run: Run) -> Outcome:
        ids = [c.id for c in _ids_of(run.text)]
        before = {cid: store.version(cid) for cid in ids}
        try:
            store.import_ledger(run.text, columnar=columnar)
        except x.InvalidDataError as exc:
            after = {cid: store.version(cid) for cid in ids}
            assert after == before, "a refused ledger wrote something"
            return Outcome(verdict="refused", problems=tuple(exc.problems), rule=exc.rule)
        wanted = set(ids)
        clocks = store.due(run.as_of, _ALL_DAYS)
        rows = frozenset(
            (c.case_id, c.key, c.started_on, c.due, c.status.value)
            for c in clocks
            if c.case_id in wanted
        )
        cases = tuple(store.case(cid) for cid in dict.fromkeys(ids))
        return Outcome(verdict="accepted", open_clocks=rows, cases=cases)  # type: ignore[arg-type]

    return run_import


@attrs.frozen
class _Id:
    id: str


def _ids_of(text: str) -> list[_Id]:
    """The ``id`` of each line that gives one (the case ids a store import may write)."""
    import json

    out = []
    for line in text.splitlines():
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("id"), str):
            out.append(_Id(doc["id"]))
    return out


def apply_path(run: Run) -> Outcome:
    """The command path: each line's events as commands through :func:`xinfang.apply`.

    Under the run's rulebook, with the cases of ``related`` lines as
    ``related=`` and :data:`ORG` for chain changes; every guard is checked,
    those that need a rulebook too. A refusal's problem is the error's text.
    """
    rb = x.bundled_rulebook(run.rulebook)
    related = {c.id: c for c in x.load_ledger("".join(f"{t}\n" for t in run.related))}
    cases = []
    for text in run.text.splitlines():
        try:
            events = x.from_json(text, x.Case).events if _replayable(text) else _raw_events(text)
        except x.InvalidDataError as exc:
            return Outcome(verdict="refused", problems=tuple(exc.problems), rule=exc.rule)
        case: x.Case | None = None
        for event in events:
            try:
                case, _ = x.apply(
                    case,
                    event.change,
                    event.at,
                    by=event.by,
                    rulebook=rb,
                    related=related,
                    org=ORG,
                )
            except x.XinfangError as exc:
                return Outcome(
                    verdict="refused", problems=(("apply", str(exc)),), rule=str(exc.rule)
                )
        assert case is not None
        cases.append(case)
    rows = _clock_rows(cases, run.as_of, rb)
    return Outcome(verdict="accepted", clocks=rows, open_clocks=_open(rows), cases=tuple(cases))


def _replayable(text: str) -> bool:
    try:
        x.from_json(text, x.Case)
    except x.InvalidDataError:
        return False
    return True


def _raw_events(text: str) -> list[x.Event]:
    """A line's events structured one by one (the fold would refuse the whole case)."""
    import json

    doc = json.loads(text)
    return [x.from_dict(e, x.Event) for e in doc["events"]]
