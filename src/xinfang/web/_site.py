"""What each page shows, as JSON-ready data read through one official's view of the store.

Every page and its ``/api/`` twin are built from the same dict (the HTML
template renders it, the API returns it). Every read goes through
:meth:`xinfang.store.Store.for_viewer`: the bulletin counts the cases the
viewer sees in full, and a list reached from a count holds exactly the cases
behind that count (``_counts``: each case's part in the counts, by the
campaign's own rule).
"""

from __future__ import annotations

import contextlib
import json
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Final

from xinfang.campaign import COUNTERS, Campaign, in_view, snapshot, trend
from xinfang.case import Case
from xinfang.deadlines import ClockStatus, clocks
from xinfang.report import render_json
from xinfang.responsibility import Organization, RedactedCase
from xinfang.rulebook import LimitKind
from xinfang.serialization import to_dict
from xinfang.store import UnknownCaseError
from xinfang.vocabulary import Category, Stage
from xinfang.web._counts import (
    ALL_UNITS,
    BULLETIN_COUNTS,
    COUNT_NAMES,
    UNPLACED,
    CaseCounts,
    CountIndex,
    Share,
)
from xinfang.web._query import href, parse_choice, parse_flag, parse_int
from xinfang.web._text import count_label, word

if TYPE_CHECKING:
    import datetime as _dt
    from collections.abc import Callable, Mapping, Sequence

    from xinfang.store import Store, ViewerStore
    from xinfang.web._viewers import Viewer

__all__ = ["Site"]

#: Which clocks explain a case's place in a count (shown beside it in a list).
_CLOCK_COUNTS: Final = frozenset(
    {
        "overdue_cases",
        "plans_overdue",
        "steps_overdue",
        "handling_met",
        "handling_missed",
        "handling_overdue",
        "routing_met",
        "routing_missed",
        "routing_overdue",
    }
)
_SORTS: Final = ("id", "received", "unit", "stage")
_MAX_PER_PAGE: Final = 500
_VIEWERS_KEPT: Final = 64
_BULLETINS_KEPT: Final = 256
_INDEXES_KEPT: Final = 16
_LISTS_KEPT: Final = 1024


class Site:
    """The service's reads: one store, organisation and campaign; answers per viewer.

    Not thread-safe by itself: the app calls it from one worker thread (a
    SQLite connection belongs to the thread that opened it).
    """

    def __init__(
        self,
        store: Store,
        org: Organization,
        campaign: Campaign,
        *,
        today: Callable[[], _dt.date],
    ) -> None:
        self.store = store
        self.org = org
        self.campaign = campaign
        self.today = today
        self._version: int | None = None
        self._views: dict[str, ViewerStore] = {}
        self.counts = CaseCounts(campaign, org, rulebook=store.rulebook, calendar=store.calendar)
        self._seen: OrderedDict[str, tuple[int, list[Case | RedactedCase], dict[str, int]]] = (
            OrderedDict()
        )
        self._bulletins: OrderedDict[tuple[str, _dt.date, str], tuple[int, dict[str, Any]]] = (
            OrderedDict()
        )
        self._indexes: OrderedDict[tuple[str, _dt.date], tuple[int, CountIndex]] = OrderedDict()
        self._lists: OrderedDict[tuple[Any, ...], tuple[int, dict[str, Any]]] = OrderedDict()

    # ------------------------------------------------------------ viewers
    def view(self, viewer: Viewer) -> ViewerStore:
        """The viewer's scoped store (one per official, so its visibility memo is reused)."""
        found = self._views.get(viewer.official)
        if found is None:
            found = self._views[viewer.official] = self.store.for_viewer(viewer.official, self.org)
        return found

    def begin(self) -> None:
        """Start answering a request: the store's mark is read again (once per request)."""
        self._version = None

    def store_version(self) -> int:
        """The store's high-water mark (:meth:`~xinfang.store.Store.journal_mark`), the cache key.

        Read from the unscoped store once per request (:meth:`begin`) and used
        only as a cache key, never shown: every event recorded by any
        connection raises it, so no answer is kept past a command.
        """
        if self._version is None:
            self._version = self.store.journal_mark()
        return self._version

    def known_cases(self, viewer: Viewer) -> list[Case | RedactedCase]:
        """The cases the viewer may know of (whole, or redacted) in id order, per store mark.

        After the mark moved, only the cases whose version moved are read
        again (through the viewer's store, which judges each anew); the
        others are the same values, since the journal only grows. When most
        cases changed, every case is read again.
        """
        key = self.store_version()
        found = self._seen.get(viewer.official)
        if found is not None and found[0] == key:
            self._seen.move_to_end(viewer.official)
            return found[1]
        versions = self.store.case_versions()
        view = self.view(viewer)
        before = found[2] if found is not None else {}
        changed = [cid for cid, v in versions.items() if before.get(cid) != v]
        if found is None or len(changed) > len(versions) // 4:
            cases = sorted(view.iter_cases(), key=lambda c: c.id)
        else:
            kept = {c.id: c for c in found[1]}
            for cid in changed:
                kept.pop(cid, None)
                with contextlib.suppress(UnknownCaseError):  # hidden: as if it did not exist
                    kept[cid] = view.case(cid)
            cases = [kept[cid] for cid in sorted(kept)]
        self._seen[viewer.official] = (key, cases, versions)
        if len(self._seen) > _VIEWERS_KEPT:
            self._seen.popitem(last=False)
        return cases

    def index(self, viewer: Viewer, as_of: _dt.date) -> CountIndex:
        """The viewer's cases behind each count as of a day, built once per store mark.

        Every case's part in the counts is worked out at once (:meth:`CaseCounts.fill`);
        the index then lists, for each bin (a unit, every unit, the not placed
        cases, any bin) and each count, the cases in it in id order, so a
        list reached from a count reads only its own cases.
        """
        key = self.store_version()
        memo = (viewer.official, as_of)
        found = self._indexes.get(memo)
        if found is not None and found[0] == key:
            self._indexes.move_to_end(memo)
            return found[1]
        known = self.known_cases(viewer)
        self.counts.fill([c for c in known if isinstance(c, Case)], as_of)
        built = CountIndex(known, lambda c: self.counts.of(c, as_of))
        self._indexes[memo] = (key, built)
        if len(self._indexes) > _INDEXES_KEPT:
            self._indexes.popitem(last=False)
        return built

    def _full_cases(self, viewer: Viewer) -> list[Case]:
        return [c for c in self.known_cases(viewer) if isinstance(c, Case)]

    def campaign_for(self, viewer: Viewer) -> Campaign:
        """The campaign with only the targets the viewer may see in full or that are not stored.

        A target the viewer may not see is left out, so the bulletin's
        reconciliation never lists its id as a target "not in the ledger"
        (an accusation is not named, nor counted, to the accused unit);
        a target no stored case has is listed as missing for every viewer.
        """
        seen = (c.id for c in self._full_cases(viewer))
        return in_view(self.campaign, seen, self.store.case_ids())  # stored ids: never shown

    def unit_name(self, unit: str | None) -> str:
        """A unit's name in the organisation (its id when unknown)."""
        if unit and self.org.has_unit(unit):
            return self.org.unit(unit).name
        return unit or ""

    def official_name(self, official: str) -> str:
        """An official's name (the id when unknown)."""
        if official and self.org.has_official(official):
            return self.org.official(official).name
        return official

    # ------------------------------------------------------------ the bulletin
    def bulletin(self, viewer: Viewer, *, as_of: _dt.date, lang: str) -> dict[str, Any]:
        """The live bulletin as the viewer sees it, every count with the link to its cases.

        Remembered per viewer, day and language until the store changes.
        """
        key = self.store_version()
        memo = (viewer.official, as_of, lang)
        found = self._bulletins.get(memo)
        if found is not None and found[0] == key:
            return found[1]
        doc = self._bulletin(viewer, as_of=as_of, lang=lang)
        self._bulletins[memo] = (key, doc)
        if len(self._bulletins) > _BULLETINS_KEPT:
            self._bulletins.popitem(last=False)
        return doc

    def _bulletin(self, viewer: Viewer, *, as_of: _dt.date, lang: str) -> dict[str, Any]:
        cases = self._full_cases(viewer)
        campaign = self.campaign_for(viewer)
        snap = snapshot(
            campaign,
            cases,
            self.org,
            as_of=as_of,
            rulebook=self.store.rulebook,
            calendar=self.store.calendar,
        )
        burndown = trend(
            campaign,
            cases,
            self.org,
            as_of=as_of,
            rulebook=self.store.rulebook,
            calendar=self.store.calendar,
        )
        doc: dict[str, Any] = json.loads(
            render_json(snap, burndown, lang=lang, calendar=self.store.calendar)
        )
        rows = [("", ALL_UNITS, snap.overall)]
        rows += [(p.unit, p.unit, p) for p in snap.units]
        if snap.unplaced is not None:
            rows.append((UNPLACED, UNPLACED, snap.unplaced))
        table = []
        for unit, link_unit, progress in rows:
            counters = dict(progress.counters)
            cells = []
            for field, count in (*BULLETIN_COUNTS, *((c, c) for c in COUNTERS[3:])):
                n = getattr(progress, field) if hasattr(progress, field) else counters[count]
                cells.append(
                    {
                        "field": field,
                        "count": count,
                        "value": int(n),
                        "href": href("/cases", count=count, unit=link_unit, as_of=as_of, lang=lang),
                    }
                )
            name = (
                progress.name
                if unit not in ("", UNPLACED)
                else word("overall" if unit == "" else "unplaced", lang)
            )
            table.append({"unit": link_unit, "name": name, "cells": cells})
        doc["table"] = table
        doc["columns"] = [
            {"field": f, "count": c, "label": count_label(c, lang)}
            for f, c in (*BULLETIN_COUNTS, *((c, c) for c in COUNTERS[3:]))
        ]
        doc["chart"] = _chart(burndown)
        doc["viewer"] = {"official": viewer.official, "role": viewer.role.value}
        for item in doc.get("agenda", []):
            item["href"] = href(f"/cases/{item['case_id']}", as_of=as_of, lang=lang)
        return doc

    # ------------------------------------------------------------ lists
    def case_list(
        self, viewer: Viewer, query: Mapping[str, str], *, as_of: _dt.date, lang: str
    ) -> dict[str, Any]:
        """The cases a count or filter selects, paged and sorted, each with why it is listed.

        Remembered per viewer, query, day and language until the store changes.
        """
        key = self.store_version()
        memo = (viewer.official, tuple(sorted(query.items())), as_of, lang)
        found = self._lists.get(memo)
        if found is not None and found[0] == key:
            self._lists.move_to_end(memo)
            return found[1]
        doc = self._case_list(viewer, query, as_of=as_of, lang=lang)
        self._lists[memo] = (key, doc)
        if len(self._lists) > _LISTS_KEPT:
            self._lists.popitem(last=False)
        return doc

    def _case_list(
        self, viewer: Viewer, query: Mapping[str, str], *, as_of: _dt.date, lang: str
    ) -> dict[str, Any]:
        count = parse_choice(query.get("count"), "count", COUNT_NAMES)
        units = (ALL_UNITS, UNPLACED, *self.campaign.units)
        unit = parse_choice(query.get("unit"), "unit", units)
        stage = parse_choice(query.get("stage"), "stage", [s.value for s in Stage])
        category = parse_choice(query.get("category"), "category", [c.value for c in Category])
        status = parse_choice(query.get("status"), "status", [s.value for s in ClockStatus])
        within = parse_int(query.get("within"), "within", -1, 0, 400)
        target = parse_flag(query.get("target"), "target")
        skip = parse_flag(query.get("skip_level"), "skip_level")
        beijing = parse_flag(query.get("beijing_visit"), "beijing_visit")
        sort = query.get("sort") or "id"
        descending = sort.startswith("-")
        sort = parse_choice(sort.removeprefix("-"), "sort", _SORTS) or "id"
        page = parse_int(query.get("page"), "page", 1, 1, 1_000_000)
        per_page = parse_int(query.get("per_page"), "per_page", 50, 1, _MAX_PER_PAGE)
        search = (query.get("q") or "")[:64]

        targets = self.campaign.target_set
        needs_share = count is not None or unit is not None
        rows: list[tuple[Case | RedactedCase, Share | None, int]] = []
        known: Sequence[Case | RedactedCase]
        if needs_share:
            # Only the cases in the count (or the bin): from the index, in id order.
            known = self.index(viewer, as_of).cases_in(unit, count)
        else:
            known = self.known_cases(viewer)
        for case in known:
            if search and search.lower() not in case.id.lower():
                continue
            if isinstance(case, RedactedCase):
                # Known to exist only: in no count, so only in an unfiltered list.
                if (
                    needs_share
                    or any(f is not None for f in (stage, category, status, target, skip, beijing))
                    or within >= 0
                ):
                    continue
                rows.append((case, None, 1))
                continue
            if stage is not None and case.stage.value != stage:
                continue
            if category is not None and (case.category is None or case.category.value != category):
                continue
            if target is not None and (case.id in targets) != target:
                continue
            if skip is not None and case.skip_level != skip:
                continue
            if beijing is not None and case.beijing_visit != beijing:
                continue
            share = None
            weight = 1
            if needs_share:
                share = self.counts.of(case, as_of)
                if unit == UNPLACED and share.bin != UNPLACED:
                    continue
                if unit == ALL_UNITS and share.bin in (None, UNPLACED):
                    continue
                if unit not in (None, ALL_UNITS, UNPLACED) and share.bin != unit:
                    continue
                if count is not None:
                    weight = share.counts.get(count, 0)
                    if not weight:
                        continue
                elif share.bin is None:
                    continue
            if status is not None or within >= 0:
                open_clocks = self._clocks(case, as_of)
                if status is not None and not any(c.status.value == status for c in open_clocks):
                    continue
                if within >= 0 and not any(
                    c.status.is_open
                    and c.remaining_working_days is not None
                    and c.remaining_working_days <= within
                    for c in open_clocks
                ):
                    continue
            rows.append((case, share, weight))

        def key(row: tuple[Case | RedactedCase, Share | None, int]) -> Any:
            c = row[0]
            if sort == "received":
                return (c.received_at, c.id)
            if sort == "unit":
                return (c.handling_unit, c.id)
            if sort == "stage":
                return (c.stage.value if isinstance(c, Case) else c.stage, c.id)
            return c.id

        if sort != "id" or descending:  # the index and the known cases are in id order
            rows.sort(key=key, reverse=descending)
        total = len(rows)
        weight_total = sum(w for _, _, w in rows)
        pages = max(1, -(-total // per_page))
        shown = rows[(page - 1) * per_page : page * per_page]
        items = [self._list_item(c, s, w, count, as_of, lang) for c, s, w in shown]
        filters = {
            k: v
            for k, v in (
                ("count", count),
                ("unit", unit),
                ("stage", stage),
                ("category", category),
                ("status", status),
                ("within", str(within) if within >= 0 else None),
                ("target", query.get("target") if target is not None else None),
                ("skip_level", query.get("skip_level") if skip is not None else None),
                ("beijing_visit", query.get("beijing_visit") if beijing is not None else None),
                ("q", search or None),
            )
            if v is not None
        }
        base = {**filters, "as_of": as_of, "lang": lang}
        return {
            "as_of": as_of.isoformat(),
            "lang": lang,
            "filters": filters,
            "count_label": count_label(count, lang) if count else "",
            "unit_name": (
                word("overall", lang)
                if unit == ALL_UNITS
                else word("unplaced", lang)
                if unit == UNPLACED
                else self.unit_name(unit)
            ),
            "total": total,
            # A count of clocks or moves may count a case more than once: "sum" is the
            # number the bulletin shows, "total" the cases behind it.
            "sum": weight_total,
            "max_weight": max((w for _, _, w in rows), default=0),
            "page": page,
            "pages": pages,
            "per_page": per_page,
            "sort": ("-" if descending else "") + sort,
            "items": items,
            "prev": href("/cases", **base, sort=query.get("sort"), page=page - 1)
            if page > 1
            else None,
            "next": href("/cases", **base, sort=query.get("sort"), page=page + 1)
            if page < pages
            else None,
            "sorts": {
                s: href("/cases", **base, sort=("-" + s) if sort == s and not descending else s)
                for s in _SORTS
            },
            "bulletin": href("/", as_of=as_of, lang=lang),
        }

    def _clocks(self, case: Case, as_of: _dt.date) -> tuple[Any, ...]:
        return clocks(case, as_of=as_of, rulebook=self.store.rulebook, calendar=self.store.calendar)

    def _list_item(  # noqa: PLR0917 - one row of a list: the case and what listed it
        self,
        case: Case | RedactedCase,
        share: Share | None,
        weight: int,
        count: str | None,
        as_of: _dt.date,
        lang: str,
    ) -> dict[str, Any]:
        link = href(f"/cases/{case.id}", as_of=as_of, lang=lang)
        if isinstance(case, RedactedCase):
            return {
                "id": case.id,
                "href": link,
                "redacted": True,
                "received": case.received_at.date().isoformat(),
                "stage": case.stage,
                "unit": case.handling_unit,
                "unit_name": self.unit_name(case.handling_unit),
                "category": case.category or "",
                "why": [word("redacted", lang)],
                "weight": 1,
            }
        why: list[str] = []
        if count in _CLOCK_COUNTS or count is None or count == "in_handling":
            wanted = {
                "overdue_cases": {ClockStatus.OVERDUE},
                "plans_overdue": {ClockStatus.OVERDUE},
                "steps_overdue": {ClockStatus.OVERDUE},
            }.get(count or "")
            kinds = {LimitKind.PLAN} if count in ("plans_overdue", "steps_overdue") else None
            for c in self._clocks(case, as_of):
                if kinds is not None and c.kind not in kinds:
                    continue
                if count == "overdue_cases" and c.kind is LimitKind.PLAN:
                    continue  # a plan clock is a campaign clock, never a statutory breach
                if count == "steps_overdue" and not c.key.startswith("plan_step"):
                    continue
                if count == "plans_overdue" and c.key.startswith("plan_step"):
                    continue
                if wanted is not None and c.status not in wanted:
                    continue
                if count is None and not c.status.is_open:
                    continue
                if count and count.startswith(("handling", "routing")):
                    # The body's duty from acceptance (handling) or from receipt (routing).
                    kind, suffix = count.split("_", 1)
                    start = "accepted" if kind == "handling" else "received"
                    if (
                        c.status.value != suffix
                        or c.kind is not LimitKind.DUTY
                        or c.obligor != "body"
                        or c.starts != start
                    ):
                        continue
                why.append(c.explain(lang) + f" [{word(c.status.value, lang)}]")
        if not why:
            why.append(self._fact(case, count, as_of, lang, weight))
        return {
            "id": case.id,
            "href": link,
            "redacted": False,
            "received": case.received_at.date().isoformat(),
            "stage": case.stage.value,
            "stage_text": word(case.stage.value, lang),
            "unit": case.handling_unit,
            "unit_name": self.unit_name(case.handling_unit),
            "bin": share.bin if share else None,
            "category": case.category.value if case.category else "",
            "target": case.id in self.campaign.target_set,
            "why": why,
            "weight": weight,
        }

    def _fact(self, case: Case, count: str | None, as_of: _dt.date, lang: str, n: int) -> str:
        """The fact that put the case in a count that no clock explains."""
        stage = word(case.stage.value, lang)
        if count == "deadline_moves":
            return f"{word('moves', lang)}: {n}"
        if count in ("plans", "plans_stalled", "cases_moved") and case.plan is not None:
            missing = ", ".join(case.plan.missing())
            state = word("complete", lang) if case.plan.is_complete else word("incomplete", lang)
            return f"{word('plan', lang)}: {state}" + (f" ({missing})" if missing else "")
        if count == "plans" and case.plan is None:
            return f"{word('plan', lang)}: {word('none', lang)}"
        if count in ("bj", "skip", "new"):
            flags = [word(f, lang) for f in ("beijing_visit", "skip_level") if getattr(case, f)]
            return f"{word('received', lang)} {case.received_at.date()}" + (
                f" · {', '.join(flags)}" if flags else ""
            )
        if count == "settled" or case.settled:
            return f"{stage} · {word('settled', lang) if case.settled else ''}".rstrip(" ·")
        return stage

    # ------------------------------------------------------------ one case
    def case_page(
        self, viewer: Viewer, case_id: str, *, as_of: _dt.date, lang: str
    ) -> dict[str, Any]:
        """One case: timeline, clocks explained with their articles, chain and plan.

        A case the viewer may not see raises the store's ``UnknownCaseError``,
        as a case that does not exist does.
        """
        view = self.view(viewer)
        case = view.case(case_id, as_of=as_of)
        back = href("/", as_of=as_of, lang=lang)
        if isinstance(case, RedactedCase):
            return {
                "id": case.id,
                "redacted": True,
                "received": case.received_at.isoformat(),
                "stage": case.stage,
                "unit": case.handling_unit,
                "unit_name": self.unit_name(case.handling_unit),
                "category": case.category or "",
                "as_of": as_of.isoformat(),
                "lang": lang,
                "bulletin": back,
            }
        reveal = viewer.role.reveals_personal_data
        petitioners = [
            {
                "name": p.name,
                "kind": p.kind.value,
                "id_number": (
                    None
                    if p.id_number is None
                    else p.id_number.reveal()
                    if reveal
                    else str(p.id_number.masked())
                ),
                "phone": (
                    None
                    if p.phone is None
                    else p.phone.reveal()
                    if reveal
                    else str(p.phone.masked())
                ),
                "address": p.address if reveal else ("***" if p.address else ""),
            }
            for p in case.petitioners
        ]
        timeline = []
        for e in case.events:
            change = to_dict(e.change, reveal_personal_data=reveal)
            if isinstance(change, dict):
                change.pop("petitioners", None)  # shown above, masked by role
            timeline.append(
                {
                    "seq": e.seq,
                    "at": e.at.isoformat(),
                    "by": e.by,
                    "by_name": self.official_name(e.by),
                    "kind": e.kind,
                    "kind_text": word(e.kind, lang),
                    "details": _flat(change),
                }
            )
        clock_rows = [
            {
                "key": c.key,
                "title": c.title_en if lang == "en" and c.title_en else c.title,
                "citation": c.citation,
                "kind": c.kind.value,
                "status": c.status.value,
                "status_text": word(c.status.value, lang),
                "started_on": c.started_on.isoformat(),
                "due": c.due.isoformat(),
                "met_on": c.met_on.isoformat() if c.met_on else None,
                "remaining_working_days": c.remaining_working_days,
                "provisional": c.provisional,
                "explanation": c.explain(lang),
            }
            for c in self._clocks(case, as_of)
        ]
        chain = [
            {
                "role": h.role.value,
                "role_text": word(h.role.value, lang),
                "holder": h.holder,
                "holder_name": self.official_name(h.holder)
                if self.org.has_official(h.holder)
                else self.unit_name(h.holder),
                "since": h.since.isoformat(),
                "by": h.by,
                "reason": h.reason,
            }
            for h in case.roles
        ]
        plan = None
        if case.plan is not None:
            p = case.plan
            done = case.steps_done
            plan = {
                "owner": p.owner,
                "owner_name": self.official_name(p.owner),
                "deadline": p.deadline.isoformat() if p.deadline else None,
                "measures": list(p.measures),
                "steps": [
                    {
                        "due": m.due.isoformat(),
                        "what": m.what,
                        "done": day.isoformat() if day else None,
                    }
                    for m, day in zip(
                        p.milestones, (*done, *[None] * len(p.milestones)), strict=False
                    )
                ],
                "complete": p.is_complete,
                "missing": list(p.missing()),
            }
        share = self.counts.of(case, as_of)
        return {
            "id": case.id,
            "redacted": False,
            "as_of": as_of.isoformat(),
            "lang": lang,
            "received": case.received_at.isoformat(),
            "channel": case.channel.value,
            "category": case.category.value if case.category else "",
            "category_text": word(case.category.value, lang) if case.category else "",
            "stage": case.stage.value,
            "stage_text": word(case.stage.value, lang),
            "receiving_unit": case.receiving_unit,
            "handling_unit": case.handling_unit,
            "handling_unit_name": self.unit_name(case.handling_unit),
            "responsible_unit": case.responsible_unit,
            "target": case.id in self.campaign.target_set,
            "settled": case.settled,
            "skip_level": case.skip_level,
            "beijing_visit": case.beijing_visit,
            "group_size": case.group_size,
            "petitioners": petitioners,
            "claims": [
                {"request": c.request, "facts": c.facts, "reasons": c.reasons} for c in case.claims
            ],
            "timeline": timeline,
            "clocks": clock_rows,
            "chain": chain,
            "plan": plan,
            "counted_in": [
                {
                    "count": name,
                    "label": count_label(name, lang),
                    "value": v,
                    "href": href("/cases", count=name, unit=share.bin, as_of=as_of, lang=lang),
                }
                for name, v in share.counts.items()
                if name in COUNT_NAMES and share.bin is not None
            ],
            "bulletin": back,
        }

    # ------------------------------------------------------------ the due list
    def due(
        self, viewer: Viewer, query: Mapping[str, str], *, as_of: _dt.date, lang: str
    ) -> dict[str, Any]:
        """The ``due`` command's rows as the viewer sees them, with filters."""
        within = parse_int(query.get("within"), "within", 5, 0, 400)
        kind = parse_choice(query.get("kind"), "kind", [k.value for k in LimitKind])
        status = parse_choice(query.get("status"), "status", [s.value for s in ClockStatus])
        overdue = parse_flag(query.get("overdue"), "overdue")
        kinds = {LimitKind(kind)} if kind else None
        rows = self.view(viewer).due(as_of, within, overdue=overdue is not False, kinds=kinds)
        items = [
            {
                "case_id": c.case_id,
                "href": href(f"/cases/{c.case_id}", as_of=as_of, lang=lang),
                "key": c.key,
                "title": c.title_en if lang == "en" and c.title_en else c.title,
                "kind": c.kind.value,
                "status": c.status.value,
                "status_text": word(c.status.value, lang),
                "due": c.due.isoformat(),
                "remaining_working_days": c.remaining_working_days,
                "citation": c.citation,
                "explanation": c.explain(lang),
            }
            for c in rows
            if status is None or c.status.value == status
        ]
        return {
            "as_of": as_of.isoformat(),
            "lang": lang,
            "within": within,
            "filters": {
                k: v
                for k, v in (("kind", kind), ("status", status), ("overdue", query.get("overdue")))
                if v
            },
            "total": len(items),
            "items": items,
            "bulletin": href("/", as_of=as_of, lang=lang),
        }


def _flat(value: Any, prefix: str = "") -> list[list[str]]:
    """A change's fields as (path, text) pairs for the timeline (empty values left out)."""
    out: list[list[str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _flat(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _flat(v, f"{prefix}[{i}]")
    elif value not in (None, "", False):
        out.append([prefix, str(value)])
    return out


def _chart(burndown: Sequence[tuple[_dt.date, int]]) -> dict[str, Any]:
    """The burndown as SVG coordinates (drawn by the template, no script)."""
    width, height, pad = 600, 220, 36
    if not burndown:
        return {"width": width, "height": height, "points": "", "dots": [], "max": 0}
    top = max(n for _, n in burndown) or 1
    step = (width - 2 * pad) / max(len(burndown) - 1, 1)
    dots = [
        {
            "x": round(pad + i * step, 1),
            "y": round(height - pad - (height - 2 * pad) * n / top, 1),
            "date": d.isoformat(),
            "value": n,
        }
        for i, (d, n) in enumerate(burndown)
    ]
    return {
        "width": width,
        "height": height,
        "pad": pad,
        "base": height - pad,
        "right": width - pad,
        "points": " ".join(f"{p['x']},{p['y']}" for p in dots),
        "dots": dots,
        "max": top,
    }
