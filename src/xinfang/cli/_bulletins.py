"""The campaign bulletin of ``demo``, ``report`` and ``db report``: check, count, render.

``report_from`` is the shared body of ``report`` and ``db report``: the
organisation and campaign files first, then the cases (from a ledger or the
store), the references checked (a case not placed refuses the bulletin unless
``--allow-unplaced``), the snapshot date chosen, then ``bulletin``: the
snapshots of the burndown, the rendering and the provisional note.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from xinfang import report
from xinfang.campaign import check_references, snapshot
from xinfang.cli._calendars import counting_calendar
from xinfang.cli._clock import since, today
from xinfang.cli._inputs import load_campaign_file, load_org_file
from xinfang.cli._output import (
    EXIT_DATA,
    EXIT_OK,
    MAX_SHOWN,
    Exit,
    Progress,
    check_writable,
    log,
    progress_bars,
    say,
    write,
)
from xinfang.errors import quoted
from xinfang.sheets import bulletin_xlsx

if TYPE_CHECKING:  # pragma: no cover
    import argparse
    import datetime as _dt
    from collections.abc import Callable, Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import Campaign, ReferenceProblem, Snapshot
    from xinfang.case import Case
    from xinfang.responsibility import Organization

__all__ = ["bulletin", "reference_line", "report_from"]


def bulletin(
    args: argparse.Namespace,
    *,
    campaign: Campaign,
    cases: Sequence[Case],
    org: Organization,
    calendar: WorkCalendar,
    as_of: _dt.date,
    basis: str,
    progress: Progress,
    check: Callable[[Snapshot], None] | None = None,
) -> int:
    """Snapshot, burndown and rendering: the shared tail of ``demo`` and ``report``.

    ``check`` sees the bulletin's snapshot before it is rendered (and may refuse it).
    """
    started = time.perf_counter()
    points = sorted(
        {d for d in (campaign.start, *campaign.reviews()) if d < as_of} | {as_of}
    )  # the dates of xinfang.campaign.trend's default burndown
    snaps: dict[_dt.date, Snapshot] = {}
    with progress.bar("computing snapshots", len(points), unit="snapshot") as bar:
        for day in reversed(points):  # the bulletin's own snapshot first
            snaps[day] = snapshot(campaign, cases, org, as_of=day, calendar=calendar)
            bar.update()
    snap = snaps[as_of]
    if check is not None:
        check(snap)
    burndown = [(d, snaps[d].overall.open) for d in points]
    log.info("%d snapshots as of %s in %.2f s", len(points), as_of, since(started))
    if args.format == "xlsx":  # a workbook (xinfang.sheets), to -o FILE
        bulletin_xlsx(
            args, snap, burndown, campaign=campaign, cases=cases, org=org, calendar=calendar
        )
        return EXIT_OK
    started = time.perf_counter()
    with progress.bar(f"rendering {args.format}", 1, unit="bulletin") as bar:
        text = report.render(
            snap,
            burndown,
            format=args.format,
            lang=args.lang,
            calendar=calendar,
            as_of_basis=basis,
            today=today() if basis != "given" else None,
        )
        bar.update()
    log.info("rendered the bulletin (%s, %s) in %.2f s", args.format, args.lang, since(started))
    write(text, args.output)
    args.notes.provisional(report.provisional_dates(snap, calendar))
    return EXIT_OK


def _report_date(given: _dt.date | None, campaign: Campaign) -> tuple[_dt.date, str]:
    """The snapshot date and how it was chosen: given, or today within the campaign."""
    if given is not None:
        return given, "given"
    day = today()
    as_of = min(max(day, campaign.start), campaign.end)
    basis = (
        "today" if as_of == day else ("campaign_start" if day < campaign.start else "campaign_end")
    )
    log.info("as of %s (%s)", as_of, basis)
    return as_of, basis


def reference_line(p: ReferenceProblem, where: Callable[[int], str], campaign_file: str) -> str:
    """One problem in one line: where (file and line), the case, the field, the id, the nearest."""
    place = where(p.index) if p.index is not None else campaign_file
    return f"{place}: {p}"


def _check_placed(
    args: argparse.Namespace,
    cases: Sequence[Case],
    org: Organization,
    campaign: Campaign,
    where: Callable[[int], str],
) -> None:
    """Refuse (exit 1) a bulletin with cases not placed, one line per problem; or note them."""
    found = check_references(cases, org, campaign)
    stopping = [p for p in found if p.unplaced or p.index is None]
    if stopping and not args.allow_unplaced:
        for p in stopping[:MAX_SHOWN]:
            print(reference_line(p, where, args.campaign), file=sys.stderr)
        unplaced = len({p.index for p in stopping if p.index is not None})
        own = sum(p.index is None for p in stopping)
        more = f" (first {MAX_SHOWN} shown)" if len(stopping) > MAX_SHOWN else ""
        ledger = getattr(args, "ledger", None) or f"- (from 'xinfang db export --db {args.db}')"
        what = ", ".join(
            text
            for n, text in (
                (unplaced, f"{unplaced} case(s) not placed (未归属)"),
                (own, f"{own} id(s) of the campaign file that name nothing"),
            )
            if n
        )
        raise Exit(
            EXIT_DATA,
            f"{len(stopping)} reference problem(s){more}: {what}"
            "; fix the ids (the nearest known id is shown when one is close), or add "
            "--allow-unplaced to render the bulletin with the not-placed rows; "
            f"'xinfang validate {ledger} --org {args.org} --campaign {args.campaign}' "
            "lists every problem",
        )
    if found and not args.quiet:
        rest = len(found) - len(stopping)
        shown = f"{len(stopping)} reference problem(s) shown in the bulletin's reconciliation"
        other = f"{rest} unknown id(s) that place nothing" if rest else ""
        say(
            "note: "
            + "; ".join(t for t in (shown if stopping else "", other) if t)
            + " ('xinfang validate --org --campaign' lists them)"
        )


def report_from(
    args: argparse.Namespace,
    read_cases: Callable[[Progress, WorkCalendar], list[Case]],
    where: Callable[[int], str],
) -> int:
    """The bulletin of ``report`` and ``db report``: files first, then the cases, then render.

    A case not placed (an id it names is not in the organisation), a target
    with no case or a campaign unit missing from the organisation refuses
    the bulletin (exit 1, one line per problem) unless ``--allow-unplaced``.
    """
    check_writable(args.output)
    progress = progress_bars(args, 3)
    org = load_org_file(args.org, args.encoding)
    campaign = load_campaign_file(args.campaign, args.encoding)
    calendar = counting_calendar(args)
    cases = read_cases(progress, calendar)
    _check_placed(args, cases, org, campaign, where)
    as_of, basis = _report_date(args.as_of, campaign)

    def placed_as_of(snap: Snapshot) -> None:
        """Refuse a case not placed as the cases stood on the day (an id fixed only later)."""
        groups = snap.reconciliation.unplaced
        if not groups or args.allow_unplaced:
            return
        index = {case.id: k for k, case in enumerate(cases)}
        for g in groups[:MAX_SHOWN]:
            near = f" (nearest known: {g.nearest})" if g.nearest else ""
            print(
                f"{where(index[g.first_case])}: case {g.first_case}: {g.field}: "
                f"{g.code.replace('_', ' ')} id {quoted(g.unknown)}{near}, as of {as_of} "
                f"({g.cases} case(s))",
                file=sys.stderr,
            )
        raise Exit(
            EXIT_DATA,
            f"{snap.reconciliation.not_placed} case(s) not placed (未归属) as they stood on "
            f"{as_of}; fix the ids or add --allow-unplaced",
        )

    return bulletin(
        args,
        campaign=campaign,
        cases=cases,
        org=org,
        calendar=calendar,
        as_of=as_of,
        basis=basis,
        progress=progress,
        check=placed_as_of,
    )
