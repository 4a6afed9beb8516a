"""The bulletin as one self-contained HTML page: the laid-out document's blocks as tags."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Final

from xinfang.report._chart import svg_burndown
from xinfang.report._document import Bullets, Heading, Paragraph, Table, lay_out

if TYPE_CHECKING:
    from collections.abc import Sequence

    from xinfang.report._bulletin import Bulletin
    from xinfang.report._document import Block

__all__ = ["FONT_STACK", "page"]

#: Fonts that carry Chinese on common systems, best first; a generic family last.
FONT_STACK: Final = (
    '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Hiragino Sans GB",'
    '"Microsoft YaHei","SimHei","WenQuanYi Micro Hei",sans-serif'
)

_CSS: Final = (
    f"body{{font-family:{FONT_STACK};margin:2em;color:#111}}"
    """
h1{font-size:1.5em;border-bottom:3px solid #b00;padding-bottom:.3em}
h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.9em}
th,td{border:1px solid #999;padding:.25em .5em;text-align:right}
th:first-child,td:first-child{text-align:left}
td:first-child{white-space:nowrap}
tr.total td{font-weight:bold;background:#f3f3f3}
.chart{width:100%;max-width:640px}
.chart text{font-family:inherit;font-size:11px;fill:#333}
.chart .axis{stroke:#555}.chart .grid{stroke:#e3e3e3}
.chart .line{fill:none;stroke:#b00;stroke-width:2}
.chart circle{fill:#b00}.chart .tick,.chart .date{fill:#666}
.bar .track{fill:#eee}.bar .fill{fill:#2a7}
ul.commend li{color:#175}ul.admonish li{color:#a00}
.provisional{color:#a60}p.note{font-size:.9em;color:#555}
p.warning{font-weight:bold;color:#a00}
@media print{body{margin:0}a{color:inherit}}
"""
)

_e = html.escape


def _bar(share: float) -> str:
    width = 200
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="14" class="bar">'
        f'<rect width="{width}" height="14" class="track"/>'
        f'<rect width="{width * share:.1f}" height="14" class="fill"/></svg>'
    )


def _class(style: str) -> str:
    return f' class="{style}"' if style else ""


def _cells(tag: str, values: Sequence[str]) -> str:
    return "".join(f"<{tag}>{_e(v)}</{tag}>" for v in values)


def _rows(table: Table) -> str:
    out = []
    for k, row in enumerate(table.rows):
        marked = table.provisional[k] if table.provisional else ()
        cells = "".join(
            f'<td class="provisional">{_e(v)}</td>' if i in marked else f"<td>{_e(v)}</td>"
            for i, v in enumerate(row)
        )
        bar = f"<td>{_bar(table.bars[k])}</td>" if table.bars else ""
        out.append(f"<tr{_class('total' if k == table.total else '')}>{cells}{bar}</tr>")
    return "".join(out)


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        return f"<h{block.level}>{_e(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        return f"<p{_class(block.style)}>{_e(block.text)}</p>"
    if isinstance(block, Table):
        head = _cells("th", [*block.head, ""] if block.bars else block.head)
        return f"<table{_class(block.style)}><tr>{head}</tr>{_rows(block)}</table>"
    if isinstance(block, Bullets):
        items = "".join(
            f"<li><b>{_e(i.lead)}</b>: {_e(i.text)}</li>" if i.lead else f"<li>{_e(i.text)}</li>"
            for i in block.items
        )
        return f"<ul{_class(block.style)}>{items}</ul>"
    return svg_burndown(block.points, block.title, block.axis)


def page(b: Bulletin) -> str:
    """The bulletin ``b`` as one HTML page (inline CSS and SVG, no scripts)."""
    doc = lay_out(b)
    body = "".join(_block(block) for section in doc.sections for block in section.blocks)
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if doc.lang == "zh" else "en"}"><head>'
        f'<meta charset="utf-8"><title>{_e(doc.title)} {doc.as_of.isoformat()}</title>'
        f"<style>{_CSS}</style></head><body>{body}</body></html>\n"
    )
