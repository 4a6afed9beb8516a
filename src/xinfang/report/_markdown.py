"""The bulletin as Markdown: the laid-out document's blocks, every text escaped."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from xinfang.report._document import (
    Bullets,
    Heading,
    Paragraph,
    Section,
    Table,
    lay_out,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from xinfang.report._bulletin import Bulletin
    from xinfang.report._document import Block

__all__ = ["markdown"]

_MD_SPECIAL: Final = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "*": "\\*",
        "_": "\\_",
        "`": "\\`",
        "[": "\\[",
        "]": "\\]",
        "<": "&lt;",
        ">": "&gt;",
        "\r": " ",
        "\n": " ",
    }
)


def _md(text: str) -> str:
    """Text made safe for a Markdown table cell or inline run (pipes, emphasis, newlines)."""
    return text.translate(_MD_SPECIAL)


def _md_row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(_md(c) for c in cells) + " |"


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"{'#' * block.level} {_md(block.text)}"
    if isinstance(block, Paragraph):
        return f"**{_md(block.text)}**" if block.style == "warning" else _md(block.text)
    if isinstance(block, Table):
        lines = [_md_row(block.head), "|" + "---|" * len(block.head)]
        return "\n".join(lines + [_md_row(row) for row in block.rows])
    if isinstance(block, Bullets):
        return "\n".join(
            f"- **{_md(i.lead)}**: {_md(i.text)}" if i.lead else f"- {_md(i.text)}"
            for i in block.items
        )
    # Markdown draws no chart: the burndown is its list of dates.
    return "\n".join(f"- {day.isoformat()}: {n}" for day, n in block.points)


def _order(sections: Sequence[Section]) -> list[Section]:
    """The sections, the burndown's list after the lists (where Markdown has always had it)."""
    trend = [s for s in sections if s.key == "trend"]
    rest = [s for s in sections if s.key != "trend"]
    at = next(i for i, s in enumerate(rest) if s.key == "admonish") + 1
    return [*rest[:at], *trend, *rest[at:]]


def markdown(b: Bulletin) -> str:
    """The bulletin ``b`` as Markdown: blocks apart by one blank line."""
    doc = lay_out(b)
    blocks = [_block(block) for section in _order(doc.sections) for block in section.blocks]
    return "\n\n".join(blocks) + "\n"
