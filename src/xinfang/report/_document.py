"""The bulletin laid out once, as a neutral document that each renderer formats.

:func:`lay_out` walks a :class:`~xinfang.report._bulletin.Bulletin` once and
gives its sections in order, each a run of blocks: headings, paragraphs,
tables, bullet lists and the burndown chart. The Markdown and HTML
renderers only format blocks (escaping, tags); they never decide what a
bulletin shows, so a figure added to the bulletin is added here, once.
Texts are plain (unescaped); every renderer escapes every text it writes.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from collections.abc import Sequence

    from xinfang.campaign import Listing
    from xinfang.report._bulletin import Bulletin

__all__ = [
    "Block",
    "Bullets",
    "Chart",
    "Document",
    "Heading",
    "Item",
    "Paragraph",
    "Section",
    "Table",
    "lay_out",
]


@attrs.frozen
class Heading:
    """A heading: level 1 is the bulletin's title, 2 a section, 3 a part of one."""

    level: int
    text: str


@attrs.frozen
class Paragraph:
    """A line of text; ``style`` ``warning`` (shown strong) or ``note`` (shown small), or ""."""

    text: str
    style: str = ""


@attrs.frozen
class Table:
    """A table: the head, the rows' cells, and per row what the formats may mark.

    Rows are plain tuples of cells (a bulletin has hundreds of rows; one object
    per row would be the renderers' main cost).
    """

    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: Per row, the indices of the cells whose date provisional calendar data decided
    #: (empty: none in any row).
    provisional: tuple[tuple[int, ...], ...] = ()
    #: Per row, the share a progress bar after the cells draws (empty: no bar column).
    bars: tuple[float, ...] = ()
    #: The row that is the table's total, shown emphasised (-1: none).
    total: int = -1
    style: str = ""


@attrs.frozen
class Item:
    """A bullet: an optional lead (a unit's name, shown strong) and its text."""

    text: str
    lead: str = ""


@attrs.frozen
class Bullets:
    """A bullet list with a style class (``commend``, ``admonish``, ``reconciliation``)."""

    items: tuple[Item, ...]
    style: str = ""


@attrs.frozen
class Chart:
    """The burndown: (date, open targets) points, the chart's title and its y-axis label."""

    points: tuple[tuple[_dt.date, int], ...]
    title: str
    axis: str


Block = Heading | Paragraph | Table | Bullets | Chart


@attrs.frozen
class Section:
    """A run of blocks under one key (``head``, ``overall``, ``trend``, ``agenda`` ...)."""

    key: str
    blocks: tuple[Block, ...]


@attrs.frozen
class Document:
    """The whole bulletin: its title, language and date, and its sections in order."""

    title: str
    lang: str
    as_of: _dt.date
    sections: tuple[Section, ...]


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], style: str = "") -> Table:
    return Table(head=tuple(head), rows=tuple(map(tuple, rows)), style=style)


def _listing(b: Bulletin, key: str, items: Sequence[Listing]) -> Section:
    """The commend or admonish list: each unit with its reasons, or "none"."""
    sep = b.t["reason_sep"]
    body: Block = (
        Bullets(
            items=tuple(
                Item(lead=b.unit_name(i.unit), text=sep.join(b.reason_texts(i))) for i in items
            ),
            style=key,
        )
        if items
        else Paragraph(b.t["none"])
    )
    return Section(key=key, blocks=(Heading(2, b.t[key]), body))


def lay_out(b: Bulletin) -> Document:
    """The bulletin's sections in order, every text resolved into ``b``'s language."""
    t, snap = b.t, b.snap
    head: list[Block] = [Heading(1, b.title), Paragraph(b.as_of_line())]
    if b.warning():
        head.append(Paragraph(b.warning(), style="warning"))
    rows = b.rows()
    overall = Table(
        head=tuple(b.progress_head()),
        rows=tuple(tuple(b.progress_row(p)) for p in rows),
        bars=tuple(p.progress if p.targets else 0.0 for p in rows),
        total=next(i for i, p in enumerate(rows) if p is snap.overall),
    )
    sections = [
        Section(key="head", blocks=tuple(head)),
        Section(key="overall", blocks=(Heading(2, t["overall"]), overall)),
    ]
    if b.burndown:
        chart = Chart(points=b.burndown, title=t["burndown"], axis=t["chart_axis"])
        sections.append(Section(key="trend", blocks=(Heading(2, t["burndown"]), chart)))
    sections += [
        Section(
            key="follow_through",
            blocks=(
                Heading(2, t["follow_through"]),
                _table(b.plan_head(), [b.plan_row(p) for p in b.rows()]),
            ),
        ),
        Section(
            key="rates",
            blocks=(
                Heading(2, t["rates"]),
                _table(b.rate_head(), [b.rate_row(p) for p in b.rows()]),
            ),
        ),
        _listing(b, "commend", snap.commend),
        _listing(b, "admonish", snap.admonish),
    ]
    agenda_rows, marked = b.agenda_rows()
    agenda: list[Block] = [Heading(2, f"{t['next_review']}: {b.review_line()}")]
    if b.follow_up():
        agenda.append(Paragraph(b.follow_up()))
    agenda += [
        Heading(3, t["agenda"]),
        Table(head=tuple(b.agenda_head()), rows=agenda_rows, provisional=marked),
    ]
    if b.more():
        agenda.append(Paragraph(b.more()))
    sections.append(Section(key="agenda", blocks=tuple(agenda)))
    rec: list[Block] = [
        Heading(2, t["reconciliation"]),
        Bullets(items=tuple(Item(text=line) for line in b.rec_lines()), style="reconciliation"),
        Heading(3, t["unplaced"]),
    ]
    if b.unplaced_rows():
        rec.append(_table(b.unplaced_head(), b.unplaced_rows(), style="unplaced"))
        if b.unplaced_more():
            rec.append(Paragraph(b.unplaced_more()))
    else:
        rec.append(Paragraph(t["unplaced_none"]))
    if b.calendar_note:
        rec.append(Paragraph(b.calendar_note, style="note"))
    sections.append(Section(key="reconciliation", blocks=tuple(rec)))
    return Document(title=b.title, lang=b.lang, as_of=snap.as_of, sections=tuple(sections))
