"""Bulletins (通报): a campaign snapshot rendered as Markdown, HTML or JSON.

Rendering sits outside the core: it reads :class:`~xinfang.Snapshot` values
and writes text. Output is deterministic (units in campaign order, agenda
sorted), Chinese by default and English with ``lang="en"``. The HTML page is
self-contained: inline CSS and SVG (a burndown chart and per-unit progress
bars), no scripts, no network, readable printed.

A bulletin never shows a petitioner or a claim: only case ids, units,
clocks and counts, so circulating it cannot pass an accusation to anyone
(Art. 30 ¶3).
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any, Final

from xinfang.serialization import to_dict

if TYPE_CHECKING:
    import datetime as _dt
    from collections.abc import Sequence

    from xinfang.campaign import Progress, Snapshot

__all__ = ["render", "render_html", "render_json", "render_markdown"]

_LABELS: Final = {
    "zh": {
        "title": "信访事项专项攻坚行动通报",
        "as_of": "截至",
        "overall": "总体进展",
        "unit": "单位",
        "targets": "攻坚任务",
        "settled": "已化解(停访息诉)",
        "open": "未化解",
        "in_handling": "办理中",
        "overdue": "超期",
        "plans_incomplete": "方案不完整",
        "new_intake": "新增(预期)",
        "visits": "进京访/越级访",
        "deductions": "扣分",
        "progress": "化解率",
        "rates": "指标",
        "commend": "表扬",
        "admonish": "约谈",
        "none": "无",
        "next_review": "下次调度",
        "agenda": "调度议程(到期或超期事项)",
        "case": "事项",
        "clock": "时限",
        "due": "届满日",
        "status": "状态",
        "burndown": "攻坚任务燃尽图(未化解事项)",
        "follow_up": "约谈落实跟踪",
        "more": "另有 {n} 项",
    },
    "en": {
        "title": "Campaign bulletin: clearing the petition backlog",
        "as_of": "as of",
        "overall": "Overall progress",
        "unit": "Unit",
        "targets": "Targets",
        "settled": "Settled",
        "open": "Open",
        "in_handling": "In handling",
        "overdue": "Overdue",
        "plans_incomplete": "Plans incomplete",
        "new_intake": "New intake (expected)",
        "visits": "Beijing / skip-level visits",
        "deductions": "Deductions",
        "progress": "Progress",
        "rates": "Rates",
        "commend": "Commended",
        "admonish": "Admonition talks",
        "none": "none",
        "next_review": "Next review",
        "agenda": "Agenda of the next review (clocks due or overdue)",
        "case": "Case",
        "clock": "Clock",
        "due": "Due",
        "status": "Status",
        "burndown": "Burndown (open target cases)",
        "follow_up": "Admonitions to follow up",
        "more": "{n} more",
    },
}
_AGENDA_LIMIT: Final = 50
_RATE_NAMES: Final = {
    "zh": {
        "on_time_completion": "按期办结率",
        "timely_acceptance": "及时受理率",
        "participation": "参评率",
        "satisfaction": "满意率",
        "settlement": "化解率",
    },
    "en": {
        "on_time_completion": "on-time completion",
        "timely_acceptance": "timely acceptance",
        "participation": "participation",
        "satisfaction": "satisfaction",
        "settlement": "settlement",
    },
}


def _rate_label(name: str, lang: str) -> str:
    return _RATE_NAMES[lang].get(name, name)


def _labels(lang: str) -> dict[str, str]:
    if lang not in _LABELS:
        raise ValueError(f"unknown language {lang!r}; use 'zh' or 'en'")
    return _LABELS[lang]


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _row(p: Progress) -> list[str]:
    return [
        p.name or p.unit,
        str(p.targets),
        str(p.settled),
        str(p.open),
        str(p.in_handling),
        str(p.overdue),
        str(p.plans_incomplete),
        f"{p.new_intake} ({p.intake_expected:.0f})",
        f"{p.beijing_visits} / {p.skip_level_visits}",
        f"{p.deductions:g}",
        _pct(p.progress if p.targets else None),
    ]


def _headers(t: dict[str, str]) -> list[str]:
    keys = ("unit", "targets", "settled", "open", "in_handling", "overdue", "plans_incomplete")
    return [t[k] for k in keys] + [t["new_intake"], t["visits"], t["deductions"], t["progress"]]


def render_markdown(
    snap: Snapshot, burndown: Sequence[tuple[_dt.date, int]] = (), *, lang: str = "zh"
) -> str:
    """The bulletin as Markdown."""
    t = _labels(lang)
    names = {p.unit: p.name for p in snap.units}
    out = [
        f"# {t['title']}",
        "",
        f"{t['as_of']} {snap.as_of.isoformat()} · {snap.overall.name}",
        "",
    ]
    out += [f"## {t['overall']}", ""]
    head = _headers(t)
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "---|" * len(head))
    for p in (*snap.units, snap.overall):
        out.append("| " + " | ".join(_row(p)) + " |")
    out += ["", f"## {t['rates']}", ""]
    rate_names = [_rate_label(name, lang) for name, _ in snap.overall.rates]
    out.append("| " + " | ".join([t["unit"], *rate_names]) + " |")
    out.append("|" + "---|" * (len(rate_names) + 1))
    for p in (*snap.units, snap.overall):
        out.append("| " + " | ".join([p.name or p.unit, *(_pct(v) for _, v in p.rates)]) + " |")
    for key, items in (("commend", snap.commend), ("admonish", snap.admonish)):
        out += ["", f"## {t[key]}", ""]
        if not items:
            out.append(t["none"])
        out += [f"- **{names.get(i.unit, i.unit)}**: {'; '.join(i.reasons)}" for i in items]
    if burndown:
        out += ["", f"## {t['burndown']}", ""]
        out += [f"- {d.isoformat()}: {n}" for d, n in burndown]
    out += [
        "",
        f"## {t['next_review']}: {snap.next_review.isoformat() if snap.next_review else t['none']}",
        "",
    ]
    if snap.follow_up:
        out.append(f"{t['follow_up']}: " + ", ".join(names.get(u, u) for u in snap.follow_up))
        out.append("")
    out += [f"### {t['agenda']}", ""]
    out.append(f"| {t['case']} | {t['unit']} | {t['clock']} | {t['due']} | {t['status']} |")
    out.append("|---|---|---|---|---|")
    for a in snap.agenda[:_AGENDA_LIMIT]:
        out.append(
            f"| {a.case_id} | {names.get(a.unit, a.unit)} | {a.clock} | "
            f"{a.due.isoformat()} | {a.status} |"
        )
    shown = min(len(snap.agenda), _AGENDA_LIMIT)
    if snap.agenda_total > shown:
        out.append("")
        out.append(t["more"].format(n=snap.agenda_total - shown))
    return "\n".join(out) + "\n"


def _jsonable(snap: Snapshot, burndown: Sequence[tuple[_dt.date, int]]) -> dict[str, Any]:
    data = to_dict(snap)
    data["burndown"] = [[d.isoformat(), n] for d, n in burndown]
    data["schema_version"] = 1
    return data  # type: ignore[no-any-return]


def render_json(
    snap: Snapshot, burndown: Sequence[tuple[_dt.date, int]] = (), *, lang: str = "zh"
) -> str:
    """The bulletin as JSON (the snapshot with its burndown; keys sorted)."""
    _labels(lang)
    return (
        json.dumps(_jsonable(snap, burndown), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    )


def _svg_burndown(burndown: Sequence[tuple[_dt.date, int]], title: str) -> str:
    if not burndown:
        return ""
    w, h, pad = 640, 220, 36
    top = max(n for _, n in burndown) or 1
    first, last = burndown[0][0], burndown[-1][0]
    span = max((last - first).days, 1)

    def xy(d: _dt.date, n: int) -> tuple[float, float]:
        return pad + (w - 2 * pad) * (d - first).days / span, h - pad - (h - 2 * pad) * n / top

    at = [xy(d, n) for d, n in burndown]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in at)
    # Every point gets a dot; a count label only where it does not run into
    # the label to its right (the latest point is always labelled).
    labelled, right = set(), float("inf")
    for i in range(len(at) - 1, -1, -1):
        if right - at[i][0] >= 24:
            labelled.add(i)
            right = at[i][0]
    dots = "".join(
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3"/>'
        + (
            f'<text x="{x:.1f}" y="{y - 8:.1f}" text-anchor="middle">{n}</text>'
            if i in labelled
            else ""
        )
        for i, ((x, y), (_, n)) in enumerate(zip(at, burndown, strict=True))
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" '
        f'aria-label="{html.escape(title)}" class="chart">'
        f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" class="axis"/>'
        f'<line x1="{pad}" y1="{pad / 2}" x2="{pad}" y2="{h - pad}" class="axis"/>'
        f'<polyline points="{points}" class="line"/>{dots}'
        f'<text x="{pad}" y="{h - 8}">{first.isoformat()}</text>'
        f'<text x="{w - pad}" y="{h - 8}" text-anchor="end">{last.isoformat()}</text>'
        "</svg>"
    )


def _bar(p: Progress) -> str:
    share = p.progress if p.targets else 0.0
    width = 200
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="14" class="bar">'
        f'<rect width="{width}" height="14" class="track"/>'
        f'<rect width="{width * share:.1f}" height="14" class="fill"/></svg>'
    )


_CSS: Final = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif;
margin:2em;color:#111}
h1{font-size:1.5em;border-bottom:3px solid #b00;padding-bottom:.3em}
h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;font-size:.9em}
th,td{border:1px solid #999;padding:.25em .5em;text-align:right}
th:first-child,td:first-child{text-align:left}
tr.total td{font-weight:bold;background:#f3f3f3}
.chart{width:100%;max-width:640px}
.chart .axis{stroke:#555}.chart .line{fill:none;stroke:#b00;stroke-width:2}
.chart circle{fill:#b00}.chart text{font-size:11px;fill:#333}
.bar .track{fill:#eee}.bar .fill{fill:#2a7}
ul.commend li{color:#175}ul.admonish li{color:#a00}
@media print{body{margin:0}a{color:inherit}}
"""


def render_html(
    snap: Snapshot, burndown: Sequence[tuple[_dt.date, int]] = (), *, lang: str = "zh"
) -> str:
    """The bulletin as one self-contained HTML page (inline CSS and SVG, no scripts)."""
    t = _labels(lang)
    e = html.escape
    names = {p.unit: p.name for p in snap.units}
    head = "".join(f"<th>{e(h)}</th>" for h in [*_headers(t), ""])
    rows = []
    for p in (*snap.units, snap.overall):
        cls = ' class="total"' if p is snap.overall else ""
        cells = "".join(f"<td>{e(c)}</td>" for c in _row(p))
        rows.append(f"<tr{cls}>{cells}<td>{_bar(p)}</td></tr>")
    rate_names = [_rate_label(name, lang) for name, _ in snap.overall.rates]
    rate_head = "".join(f"<th>{e(n)}</th>" for n in [t["unit"], *rate_names])
    rate_rows = "".join(
        "<tr>"
        f"<td>{e(p.name or p.unit)}</td>"
        + "".join(f"<td>{_pct(v)}</td>" for _, v in p.rates)
        + "</tr>"
        for p in (*snap.units, snap.overall)
    )

    def listing(key: str, items: Sequence[Any]) -> str:
        if not items:
            return f"<h2>{e(t[key])}</h2><p>{e(t['none'])}</p>"
        lis = "".join(
            f"<li><b>{e(names.get(i.unit, i.unit))}</b>: {e('; '.join(i.reasons))}</li>"
            for i in items
        )
        return f'<h2>{e(t[key])}</h2><ul class="{key}">{lis}</ul>'

    agenda_rows = "".join(
        f"<tr><td>{e(a.case_id)}</td><td>{e(names.get(a.unit, a.unit))}</td><td>{e(a.clock)}</td>"
        f"<td>{a.due.isoformat()}</td><td>{e(a.status)}</td></tr>"
        for a in snap.agenda[:_AGENDA_LIMIT]
    )
    shown = min(len(snap.agenda), _AGENDA_LIMIT)
    more = (
        f"<p>{e(t['more'].format(n=snap.agenda_total - shown))}</p>"
        if snap.agenda_total > shown
        else ""
    )
    follow = (
        f"<p>{e(t['follow_up'])}: {e(', '.join(names.get(u, u) for u in snap.follow_up))}</p>"
        if snap.follow_up
        else ""
    )
    review = snap.next_review.isoformat() if snap.next_review else t["none"]
    return (
        f'<!DOCTYPE html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head>'
        f'<meta charset="utf-8"><title>{e(t["title"])} {snap.as_of.isoformat()}</title>'
        f"<style>{_CSS}</style></head><body><h1>{e(t['title'])}</h1>"
        f"<p>{e(t['as_of'])} {snap.as_of.isoformat()} · {e(snap.overall.name)}</p>"
        f"<h2>{e(t['overall'])}</h2><table><tr>{head}</tr>{''.join(rows)}</table>"
        + (
            f"<h2>{e(t['burndown'])}</h2>{_svg_burndown(burndown, t['burndown'])}"
            if burndown
            else ""
        )
        + f"<h2>{e(t['rates'])}</h2><table><tr>{rate_head}</tr>{rate_rows}</table>"
        + listing("commend", snap.commend)
        + listing("admonish", snap.admonish)
        + f"<h2>{e(t['next_review'])}: {review}</h2>{follow}"
        + f"<h3>{e(t['agenda'])}</h3><table><tr><th>{e(t['case'])}</th><th>{e(t['unit'])}</th>"
        f"<th>{e(t['clock'])}</th><th>{e(t['due'])}</th><th>{e(t['status'])}</th></tr>{agenda_rows}</table>"
        f"{more}</body></html>\n"
    )


def render(
    snap: Snapshot,
    burndown: Sequence[tuple[_dt.date, int]] = (),
    *,
    format: str = "md",
    lang: str = "zh",
) -> str:
    """The bulletin in ``format`` ``md``, ``html`` or ``json``."""
    renderers = {"md": render_markdown, "html": render_html, "json": render_json}
    if format not in renderers:
        raise ValueError(f"unknown format {format!r}; use md, html or json")
    return renderers[format](snap, burndown, lang=lang)
