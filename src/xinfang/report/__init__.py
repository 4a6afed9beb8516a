"""Bulletins (通报): a campaign snapshot rendered as Markdown, HTML or JSON.

Rendering sits outside the core: it reads :class:`~xinfang.Snapshot` values
and writes text. Output is deterministic (units in campaign order, agenda
sorted). One language at a time: Chinese by default, English with
``lang="en"``; every label, status, clock title, reason and note is in the
chosen language, and only the names the host's data gives (units, the
campaign) are shown as written. The HTML page is self-contained: inline
CSS and SVG (a burndown chart with a scaled y-axis and per-unit progress
bars), no scripts, no network, readable printed. JSON carries the stable
codes of the snapshot and, beside them, the chosen language's text.

Every bulletin prints its reconciliation (事项核对): cases in = placed +
outside the campaign by reason + not placed (未归属), the not placed cases
grouped by the unknown id that stopped them (with the nearest known id),
the same for the targets, and the campaign units the organisation lacks;
when anything is not placed, a warning under the date says so.

Given the ``calendar`` the snapshot was counted on, a bulletin marks every
date that provisional calendar data decided (暂定 / provisional) and says
why under the agenda. Given ``as_of_basis``, it says how the snapshot date
was chosen when the caller did not give one.

A bulletin never shows a petitioner or a claim: only case ids, units,
clocks and counts, so circulating it cannot pass an accusation to anyone
(Art. 30 ¶3).

The package: :mod:`._text` holds every word, :mod:`._bulletin` resolves a
snapshot into one language, :mod:`._document` lays the bulletin out once as
sections of blocks, which :mod:`._markdown` and :mod:`._html` format;
:mod:`._json` writes the codes and texts; :mod:`._chart` draws the burndown.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final

from xinfang.report._bulletin import Bulletin, provisional_dates
from xinfang.report._html import FONT_STACK, page
from xinfang.report._json import JSON_SCHEMA_VERSION, jsonable
from xinfang.report._markdown import markdown
from xinfang.report._text import AS_OF_BASES, LANGS, REASON_CODES

if TYPE_CHECKING:
    import datetime as _dt
    from collections.abc import Callable, Mapping, Sequence

    from xinfang.calendar import WorkCalendar
    from xinfang.campaign import Snapshot
    from xinfang.rulebook import Rulebook

__all__ = [
    "AS_OF_BASES",
    "FONT_STACK",
    "FORMATS",
    "JSON_SCHEMA_VERSION",
    "LANGS",
    "REASON_CODES",
    "provisional_dates",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
]

#: The formats :func:`render` writes.
FORMATS: Final = ("md", "html", "json")


def render_markdown(
    snap: Snapshot,
    burndown: Sequence[tuple[_dt.date, int]] = (),
    *,
    lang: str = "zh",
    calendar: WorkCalendar | None = None,
    rulebook: Rulebook | None = None,
    as_of_basis: str = "given",
    today: _dt.date | None = None,
) -> str:
    """The bulletin as Markdown (every cell escaped)."""
    return markdown(
        Bulletin(
            snap,
            burndown,
            lang=lang,
            calendar=calendar,
            rulebook=rulebook,
            as_of_basis=as_of_basis,
            today=today,
        )
    )


def render_html(
    snap: Snapshot,
    burndown: Sequence[tuple[_dt.date, int]] = (),
    *,
    lang: str = "zh",
    calendar: WorkCalendar | None = None,
    rulebook: Rulebook | None = None,
    as_of_basis: str = "given",
    today: _dt.date | None = None,
) -> str:
    """The bulletin as one self-contained HTML page (inline CSS and SVG, no scripts)."""
    return page(
        Bulletin(
            snap,
            burndown,
            lang=lang,
            calendar=calendar,
            rulebook=rulebook,
            as_of_basis=as_of_basis,
            today=today,
        )
    )


def render_json(
    snap: Snapshot,
    burndown: Sequence[tuple[_dt.date, int]] = (),
    *,
    lang: str = "zh",
    calendar: WorkCalendar | None = None,
    rulebook: Rulebook | None = None,
    as_of_basis: str = "given",
    today: _dt.date | None = None,
) -> str:
    """The bulletin as JSON: the snapshot's codes and the chosen language's text (keys sorted)."""
    b = Bulletin(
        snap,
        burndown,
        lang=lang,
        calendar=calendar,
        rulebook=rulebook,
        as_of_basis=as_of_basis,
        today=today,
    )
    return json.dumps(jsonable(b), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def render(
    snap: Snapshot,
    burndown: Sequence[tuple[_dt.date, int]] = (),
    *,
    format: str = "md",
    lang: str = "zh",
    calendar: WorkCalendar | None = None,
    rulebook: Rulebook | None = None,
    as_of_basis: str = "given",
    today: _dt.date | None = None,
) -> str:
    """The bulletin in ``format`` ``md``, ``html`` or ``json``, in ``lang`` ``zh`` or ``en``.

    Args:
        snap: the snapshot.
        burndown: its trend (:func:`~xinfang.campaign.trend`), drawn as the burndown.
        format: ``md``, ``html`` or ``json``.
        lang: ``zh`` or ``en``; the whole bulletin is in that language.
        calendar: the calendar the snapshot was counted on; dates that its
            provisional years decided are marked, with a note.
        rulebook: for the agenda's clock titles (default: the bundled 2022 one).
        as_of_basis: how the snapshot date was chosen (``given``, ``today``,
            ``campaign_start``, ``campaign_end``).
        today: the day the bulletin was made, shown when the date was clamped.

    Raises:
        ValueError: an unknown format, language or as-of basis.
    """
    renderers: Mapping[str, Callable[..., str]] = {
        "md": render_markdown,
        "html": render_html,
        "json": render_json,
    }
    if format not in renderers:
        raise ValueError(f"unknown format {format!r}; use md, html or json")
    return renderers[format](
        snap,
        burndown,
        lang=lang,
        calendar=calendar,
        rulebook=rulebook,
        as_of_basis=as_of_basis,
        today=today,
    )
