"""The viewer-scoped store: one official's view, every read and command scoped.

Every answer passes :func:`xinfang.responsibility.visibility` (信访工作条例 Art. 30 ¶3,
Art. 28 ¶3); a case the viewer may not see does not exist for the view.
"""

from __future__ import annotations

import io
import json
from typing import IO, TYPE_CHECKING, Any, Final

from xinfang.campaign import in_view
from xinfang.campaign import snapshot as campaign_snapshot
from xinfang.case import Case
from xinfang.errors import InvalidDataError
from xinfang.responsibility import DEFAULT_SCOPE, Visibility, redact, visibility
from xinfang.store._arguments import ids_arg, int_arg, interests_arg, key_arg, org_arg
from xinfang.store._commands import apply_command, only_full, register_command
from xinfang.store._errors import ConcurrencyError, UnknownCaseError
from xinfang.store._journal import (
    BATCH,
    StoreBase,
    case_of,
    database_of,
    journal_pages,
    payloads,
    payloads_of,
    unknown,
)
from xinfang.store._ledgers import write_cases
from xinfang.store._milestones import milestone_pages, unscoped_arg
from xinfang.store._queries import due_clocks, read_case

if TYPE_CHECKING:  # pragma: no cover
    import datetime as _dt
    from collections.abc import Collection, Iterable, Iterator, Mapping

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import Campaign, Snapshot
    from xinfang.changes import Change, Event, Register
    from xinfang.deadlines import Clock
    from xinfang.responsibility import AccusedScope, Interest, Organization, RedactedCase
    from xinfang.rulebook import LimitKind, Rulebook

__all__ = ["ViewerStore"]

#: The journal row of the one-event case a view reads and judges for a missing id
#: (see :meth:`ViewerStore._judge`).
_DECOY: Final = (
    '{"seq": 1, "at": "2026-01-05T09:00:00+08:00", "by": "decoy", "change": {"kind": '
    '"registered", "case_id": "decoy", "received_at": "2026-01-05T09:00:00+08:00", '
    '"channel": "letter", "receiving_unit": "decoy", "petitioners": [{"name": "decoy"}], '
    '"claims": [{"request": "decoy"}]}}'
)


class ViewerStore:
    """One official's view of a :class:`Store`: every read and command is scoped.

    Made by :meth:`Store.for_viewer`. Every answer has passed
    :func:`xinfang.responsibility.visibility` (信访工作条例 Art. 30 ¶3, Art. 28 ¶3) for
    ``viewer`` in ``org``, judged on each case as it stands now:

    - a case the viewer may not see (``Visibility.NONE``: the accused, an
      official of an accused unit or a unit under it, one who must step
      aside) does not exist for the view: it is in no count, id list,
      iteration, due row, per-unit count, snapshot or export; reading it or
      acting on it raises the :class:`UnknownCaseError` a missing case
      raises, with the same words;
    - a case the viewer may see only exists (``REDACTED``) is counted and
      listed by :meth:`count`, :meth:`case_ids` and :meth:`iter_cases`
      (as :func:`xinfang.responsibility.redact` gives it) and read by :meth:`case`; its
      events, version, clocks and whole ledger line are refused
      (:class:`~xinfang.errors.ConfidentialityError`), and it is left out of
      :meth:`due`, :meth:`open_cases_by_unit`, :meth:`snapshot` and the
      exports, which are made of what the viewer sees in full;
    - commands are recorded as the viewer's (``by=viewer``), checked against
      the view's organisation, and allowed only on cases the viewer sees in
      full.

    The view shares the store's connection (close the store). It remembers
    each case's visibility per version (the journal is append-only), so a
    second read of an unchanged store replays nothing.
    """

    def __init__(
        self,
        store: StoreBase,
        viewer: str,
        org: Organization,
        *,
        interests: Iterable[Interest] = (),
        scope: AccusedScope | None = None,
    ) -> None:
        what = "Store.for_viewer"
        if not isinstance(store, StoreBase):
            raise InvalidDataError(
                [("store", f"expected a Store, got {type(store).__name__}")], source=what
            )
        key_arg(viewer, "viewer", what)
        org_arg(org, what)
        self._store = store
        self._db = database_of(store)
        self.viewer: str = viewer
        self.org: Organization = org
        self.interests: tuple[Interest, ...] = interests_arg(interests, what)
        self.scope: AccusedScope = scope if scope is not None else DEFAULT_SCOPE
        self._seen: dict[str, tuple[int, Visibility]] = {}

    def __repr__(self) -> str:
        return f"ViewerStore({self._db.url!r}, viewer={self.viewer!r})"

    # ------------------------------------------------------------ visibility
    def _judge(self, case: Case | None) -> Visibility:
        """What the viewer may see of ``case`` (a command's gate: nothing remembered).

        ``None`` (a missing case): a one-event decoy is read and judged, so
        a missing case costs about what a hidden one does (the same order of
        magnitude: ``docs/store.md``), and ``NONE`` is the answer.
        """
        if case is None:
            decoy = case_of([json.loads(_DECOY)])
            visibility(self.viewer, decoy, self.org, interests=self.interests, scope=self.scope)
            return Visibility.NONE
        return visibility(self.viewer, case, self.org, interests=self.interests, scope=self.scope)

    def _visibility(self, case: Case) -> Visibility:
        """:meth:`_judge` of a stored case, remembered for its version."""
        seen = self._judge(case)
        self._seen[case.id] = (len(case.events), seen)
        return seen

    def _stored_ids(self) -> list[str]:
        """Every stored case id (to tell a hidden target from a missing one; never shown)."""
        return [str(r[0]) for r in self._db.run("SELECT case_id FROM xf_case")]

    def _seen_map(self) -> dict[str, Visibility]:
        """Every case the viewer may know of (in case id order) and how much they see."""
        db = self._db
        rows = [
            (str(r[0]), int(r[1]))
            for r in db.run("SELECT case_id, version FROM xf_case ORDER BY case_id")
        ]
        stale = [cid for cid, v in rows if self._seen.get(cid, (-1,))[0] != v]
        for i in range(0, len(stale), BATCH):
            for cid, journal in payloads_of(db, stale[i : i + BATCH]).items():
                self._visibility(case_of(journal, source=f"journal of case {cid}"))
        out: dict[str, Visibility] = {}
        for cid, _ in rows:
            found = self._seen.get(cid)
            if found is not None and found[1] is not Visibility.NONE:
                out[cid] = found[1]
        return out

    def _full_ids(self) -> set[str]:
        return {cid for cid, seen in self._seen_map().items() if seen is Visibility.FULL}

    def _full_case(self, case_id: str, action: str) -> Case:
        """The case, if the viewer sees it in full (else as :func:`only_full` says)."""
        found = payloads(self._db, case_id)
        if not found:
            self._judge(None)
            raise unknown(case_id)
        case = case_of(found, source=f"journal of case {case_id}")
        only_full(self._visibility(case), case_id, action)
        return case

    # ------------------------------------------------------------ basics
    @property
    def url(self) -> str:
        """The store's URL (without a password)."""
        return self._db.url

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._db.dialect

    @property
    def rulebook(self) -> Rulebook:
        """The store's rulebook (its clock projections' and commands' default)."""
        return self._store.rulebook

    @property
    def calendar(self) -> WorkCalendar:
        """The store's calendar (its clock projections' and commands' default)."""
        return self._store.calendar

    # ------------------------------------------------------------ reads
    def count(self) -> int:
        """The number of cases the viewer may know of (seen in full or redacted)."""
        return len(self._seen_map())

    def case_ids(self) -> list[str]:
        """The ids of the cases the viewer may know of, sorted."""
        return list(self._seen_map())

    def version(self, case_id: str) -> int:
        """The case's version; 0 when it is not stored or hidden from the viewer.

        A case the viewer sees only redacted: :class:`~xinfang.errors.ConfidentialityError`.
        """
        key_arg(case_id, "case_id", "ViewerStore.version")
        try:
            case = self._full_case(case_id, "read the version of")
        except UnknownCaseError:
            return 0
        return len(case.events)

    def events(self, case_id: str) -> tuple[Event, ...]:
        """The case's events, if the viewer sees it in full (else unknown, or refused)."""
        key_arg(case_id, "case_id", "ViewerStore.events")
        return self._full_case(case_id, "read the events of").events

    def case(self, case_id: str, *, as_of: _dt.date | None = None) -> Case | RedactedCase:
        """:meth:`Store.case` with the view's viewer: the case, its redacted form, or unknown."""
        key_arg(case_id, "case_id", "ViewerStore.case")
        if not self._db.one("SELECT 1 FROM xf_journal WHERE case_id = ?", (case_id,)):
            self._judge(None)
            raise unknown(case_id)
        return read_case(
            self._store,
            case_id,
            as_of=as_of,
            viewer=self.viewer,
            org=self.org,
            interests=self.interests,
            scope=self.scope,
        )

    def iter_cases(self, *, batch: int = BATCH) -> Iterator[Case | RedactedCase]:
        """The cases the viewer may know of, in id order: whole, or redacted."""
        int_arg(batch, "batch", "ViewerStore.iter_cases")
        for page in journal_pages(self._db, max(batch, 1)):
            for cid, found in page:
                case = case_of(found, source=f"journal of case {cid}")
                seen = self._visibility(case)
                if seen is Visibility.FULL:
                    yield case
                elif seen is Visibility.REDACTED:
                    yield redact(case)

    def cases(self, case_ids: Iterable[str], *, unscoped: bool = False) -> list[Case]:
        """:meth:`Store.cases` of cases the viewer sees in full (never unscoped).

        A hidden id is unknown, as a missing one is (the same words); a case
        seen only redacted is refused (:class:`~xinfang.errors.ConfidentialityError`),
        as :meth:`events` refuses it: what a sweep of the view's milestones
        reads as values (:func:`xinfang.columnar.sweep_store`) is whole cases
        of :meth:`milestone_pages` only.
        """
        unscoped_arg(unscoped, False, "ViewerStore.cases")
        wanted = ids_arg(case_ids, "ViewerStore.cases")
        ids = list(dict.fromkeys(wanted))
        found: dict[str, list[Any]] = {}
        for i in range(0, len(ids), BATCH):
            found.update(payloads_of(self._db, ids[i : i + BATCH]))
        read: dict[str, Case] = {}
        for cid in ids:
            if cid not in found:
                self._judge(None)
                raise unknown(cid)
            case = case_of(found[cid], source=f"journal of case {cid}")
            only_full(self._visibility(case), cid, "read")
            read[cid] = case
        return [read[cid] for cid in wanted]

    def milestone_pages(
        self, batch: int = BATCH, *, unscoped: bool = False
    ) -> Iterator[list[tuple[Any, ...]]]:
        """:meth:`Store.milestone_pages` of the cases the viewer sees in full (never unscoped).

        A redacted case's milestones are its history (when it was accepted,
        heard, settled): left out, as :meth:`due` and :meth:`snapshot` leave it.
        """
        unscoped_arg(unscoped, False, "ViewerStore.milestone_pages")
        return self._milestone_pages(int_arg(batch, "batch", "ViewerStore.milestone_pages") or 1)

    def _milestone_pages(self, size: int) -> Iterator[list[tuple[Any, ...]]]:
        # A row is shown only at the version its case was judged at: a case that
        # received events between the judgement and the page (an accusation
        # recategorised, a unit changed) is judged again at the row's version.
        self._seen_map()
        for page in milestone_pages(self._db, size):
            rows = [r for r in page if self._full_at(str(r[0]), int(r[1]))]
            if rows:
                yield rows

    def _full_at(self, case_id: str, version: int) -> bool:
        """Whether the viewer sees ``case_id`` in full as its version ``version`` stands."""
        seen = self._seen.get(case_id)
        if seen is not None and seen[0] == version:
            return seen[1] is Visibility.FULL
        found = payloads_of(self._db, [case_id]).get(case_id)
        if found is None or len(found) < version:  # the row and its journal are written together
            actual = 0 if found is None else len(found)
            raise ConcurrencyError(
                case_id,
                expected=version,
                actual=actual,
                detail="its milestones row is ahead of its journal: run db check",
            )
        # the case as the row stands (events recorded since are judged when read)
        case = case_of(found[:version], source=f"journal of case {case_id}")
        return self._judge(case) is Visibility.FULL

    def _full_cases(self) -> Iterator[Case]:
        for case in self.iter_cases():
            if isinstance(case, Case):
                yield case

    def due(
        self,
        as_of: _dt.date,
        within: int = 5,
        *,
        overdue: bool = True,
        due_soon: int = 3,
        kinds: Collection[LimitKind] | None = None,
    ) -> tuple[Clock, ...]:
        """:meth:`Store.due` over the cases the viewer sees in full."""
        rows = due_clocks(
            self._store, as_of, within, overdue=overdue, due_soon=due_soon, kinds=kinds
        )
        if not rows:
            return rows
        full = self._full_ids()
        return tuple(c for c in rows if c.case_id in full)

    def open_cases_by_unit(self, case_ids: Collection[str] | None = None) -> dict[str, int]:
        """:meth:`Store.open_cases_by_unit` over the cases the viewer sees in full."""
        wanted = None
        if case_ids is not None:
            wanted = set(ids_arg(case_ids, "ViewerStore.open_cases_by_unit"))
        full = self._full_ids()
        counts: dict[str, int] = {}
        for cid, unit in self._db.run("SELECT case_id, unit FROM xf_case WHERE NOT terminal"):
            if cid in full and (wanted is None or cid in wanted):
                counts[str(unit)] = counts.get(str(unit), 0) + 1
        return dict(sorted(counts.items()))

    def campaign_in_view(self, campaign: Campaign) -> Campaign:
        """The campaign as the viewer may see it (:func:`xinfang.campaign.in_view`).

        A target stored but hidden from the viewer (an accusation, to the
        accused: 信访工作条例 (2022) 第三十条第三款) is left out, so that counts
        made over the viewer's cases (:func:`xinfang.columnar.sweep_store`)
        are finished without naming it as "not in the ledger".
        """
        return self._in_view(campaign, self._full_ids())

    def _in_view(self, campaign: Campaign, visible: Iterable[str]) -> Campaign:
        return in_view(campaign, visible, self._stored_ids())

    def snapshot(
        self,
        campaign: Campaign,
        *,
        as_of: _dt.date,
        rulebook: Rulebook | None = None,
        calendar: WorkCalendar | None = None,
    ) -> Snapshot:
        """The campaign's snapshot over the cases the viewer sees in full (the view's org).

        Targets the viewer may not see are left out (:func:`xinfang.campaign.in_view`):
        no count or reconciliation line names or counts a hidden accusation.
        """
        store = self._store
        cases = list(self._full_cases())
        return campaign_snapshot(
            self._in_view(campaign, (c.id for c in cases)),
            cases,
            self.org,
            as_of=as_of,
            rulebook=rulebook if rulebook is not None else store.rulebook,
            calendar=calendar if calendar is not None else store.calendar,
        )

    def write_ledger(self, out: IO[str], *, reveal_personal_data: bool = False) -> int:
        """The cases the viewer sees in full as a JSON Lines ledger; how many were written.

        A ledger line is a whole case, so a case the viewer sees only
        redacted is not written (:meth:`case_ids` lists it).
        """
        return write_cases(out, self._full_cases(), reveal_personal_data=reveal_personal_data)

    def export_ledger(self, *, reveal_personal_data: bool = False) -> str:
        """:meth:`write_ledger` as text."""
        out = io.StringIO()
        write_cases(out, self._full_cases(), reveal_personal_data=reveal_personal_data)
        return out.getvalue()

    # ------------------------------------------------------------ commands
    def register(
        self,
        change: Register,
        at: _dt.datetime,
        *,
        idempotency_key: str | None = None,
    ) -> tuple[Case, Event]:
        """Register a new case as the viewer (``by=viewer``).

        Refused (:class:`~xinfang.errors.ConfidentialityError`, nothing written) when
        the viewer could not see the case once registered. An id already
        taken is refused with one message, whether or not the viewer may see
        that case (an id the caller chooses cannot hide that it is taken:
        give cases ids that carry no meaning).
        """
        return register_command(
            self._store,
            change,
            at,
            by=self.viewer,
            idempotency_key=idempotency_key,
            gate=self._judge,
        )

    def apply(
        self,
        case_id: str,
        change: Change,
        *,
        at: _dt.datetime,
        expected_version: int | None = None,
        idempotency_key: str | None = None,
        rulebook: Rulebook | None = None,
        calendar: WorkCalendar | None = None,
        related: Mapping[str, Case] | None = None,
    ) -> tuple[Case, Event]:
        """:meth:`Store.apply` as the viewer, on a case the viewer sees in full.

        A case the viewer may not see raises the :class:`UnknownCaseError` of
        a missing case (checked under the case's lock, before the
        idempotency key and the version); a redacted one a
        :class:`~xinfang.errors.ConfidentialityError`. The view's organisation,
        interests and scope are the command's.
        """
        return apply_command(
            self._store,
            case_id,
            change,
            at=at,
            by=self.viewer,
            expected_version=expected_version,
            idempotency_key=idempotency_key,
            org=self.org,
            rulebook=rulebook,
            calendar=calendar,
            related_cases=related,
            interests=self.interests,
            scope=self.scope,
            gate=self._judge,
        )
