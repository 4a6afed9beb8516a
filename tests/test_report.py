"""The bulletin renderers: one language at a time, a chart whose labels never collide."""

from __future__ import annotations

import datetime as dt
import html
import itertools
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xinfang as x
from shared_world import world
from xinfang import report
from xinfang.report._chart import nice_ticks, svg_burndown
from xinfang.report._text import REASON_CODES, listing_reasons

WORLD = world()
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
D = dt.date
SVG = "{http://www.w3.org/2000/svg}"


def _snap(as_of: dt.date) -> x.Snapshot:
    return x.snapshot(WORLD.campaign, WORLD.cases, WORLD.org, as_of=as_of, calendar=WORLD.calendar)


def _boxes(svg: str) -> list[tuple[float, float, float, float, str]]:
    """Each text's box (left, top, right, bottom), from a generous estimate of glyph widths."""
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    out = []
    for node in root.iter(f"{SVG}text"):
        text = node.text or ""
        width = sum(11.0 if CJK.match(ch) else 7.0 for ch in text)
        xpos, ypos = float(node.get("x", 0)), float(node.get("y", 0))
        anchor = node.get("text-anchor", "start")
        left = {"start": xpos, "middle": xpos - width / 2, "end": xpos - width}[anchor]
        out.append((left, ypos - 10, left + width, ypos + 2, text))
    return out


def _assert_no_collisions(svg: str) -> None:
    boxes = _boxes(svg)
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    _, _, width, height = (float(v) for v in root.get("viewBox", "").split())
    for i, a in enumerate(boxes):
        assert a[0] >= 0 and a[2] <= width and a[1] >= 0 and a[3] <= height, a
        for b in boxes[i + 1 :]:
            apart = a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
            assert apart, (a, b)


class TestChart:
    """The burndown: a y-axis with a scale, dots everywhere, labels that never overlap."""

    def test_demo_chart_has_a_scale_and_no_collisions(self) -> None:
        """The demo's eleven points: ticks 0..400 by 100, every point dotted, no overlap."""
        burndown = x.campaign.trend(
            WORLD.campaign, WORLD.cases, WORLD.org, as_of=WORLD.as_of, calendar=WORLD.calendar
        )
        svg = svg_burndown(burndown, "燃尽图", "未化解事项(件)")
        ticks = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text") if t.get("class") == "tick"]  # noqa: S314
        assert ticks[:5] == ["0", "100", "200", "300", "400"]
        assert svg.count("<circle") == len(burndown)
        assert svg.count('class="grid"') == 5
        _assert_no_collisions(svg)

    @pytest.mark.parametrize(
        "points",
        [
            [(D(2026, 3, 1), 2), (D(2026, 3, 31), 1)],
            [(D(2026, 3, 1), 2), (D(2026, 3, 2), 2)],
            [(D(2026, 3, 1), 0)],
            [(D(2026, 3, 1), 46_604), (D(2026, 3, 2), 46_000), (D(2026, 3, 3), 45_000)],
        ],
    )
    def test_small_campaigns_have_no_collisions(self, points: list[tuple[dt.date, int]]) -> None:
        """Two points, two days, one point, huge counts: still a scale and no overlap."""
        svg = svg_burndown(points, "burndown", "open cases")
        _assert_no_collisions(svg)
        assert f">{points[-1][1]}</text>" in svg
        assert points[0][0].isoformat() in svg

    @given(
        st.lists(st.tuples(st.integers(0, 400), st.integers(0, 100_000)), min_size=1, max_size=40)
    )
    def test_random_burndowns_have_no_collisions(self, raw: list[tuple[int, int]]) -> None:
        """Any burndown: labels and dates never overlap and stay in the picture."""
        start = D(2026, 1, 1)
        points = sorted({start + dt.timedelta(days=d): n for d, n in raw}.items())
        _assert_no_collisions(svg_burndown(points, "t", "open cases"))

    @given(st.integers(0, 10**7))
    def test_nice_ticks(self, top: int) -> None:
        """From 0 to a nice number at or above the top, in equal steps, at most six of them."""
        ticks = nice_ticks(top)
        assert ticks[0] == 0
        assert ticks[-1] >= top
        steps = {b - a for a, b in itertools.pairwise(ticks)}
        assert len(steps) == 1
        (step,) = steps
        assert re.fullmatch(r"[125]0*", str(step))
        assert len(ticks) <= 7


class TestText:
    """Labels, reasons, statuses and notes: all in the chosen language."""

    def test_every_reason_the_campaign_writes_has_a_code(self) -> None:
        """The commend and admonish reasons of the demo, at several dates, all map to codes."""
        seen = set()
        # issue 26: after the campaign's end (2026-12-31) unfinished tasks are a reason too
        for day in (D(2026, 4, 1), D(2026, 5, 1), D(2026, 7, 1), WORLD.as_of, D(2027, 1, 4)):
            snap = _snap(day)
            for listing in (*snap.commend, *snap.admonish):
                zh = listing_reasons(listing, "zh")
                en = listing_reasons(listing, "en")
                assert [r["code"] for r in zh] == [r["code"] for r in en]
                assert [r["text"] for r in zh] == list(listing.reasons)
                assert not any(CJK.search(r["text"]) for r in en)
                seen |= {r["code"] for r in en}
        assert seen == set(REASON_CODES)

    def test_font_stack_names_common_cjk_fonts(self) -> None:
        """The HTML page asks for fonts that carry Chinese on Linux, macOS and Windows."""
        page = report.render(_snap(WORLD.as_of), format="html")
        for font in ("Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei"):
            assert font in page
        assert "sans-serif" in page

    @pytest.mark.parametrize(
        ("kw", "message"),
        [
            ({"format": "pdf"}, "unknown format"),
            ({"lang": "fr"}, "unknown language"),
            ({"as_of_basis": "yesterday"}, "unknown as_of_basis"),
        ],
    )
    def test_unknown_options_are_value_errors(self, kw: dict[str, str], message: str) -> None:
        """An unknown format, language or as-of basis is a ValueError naming it."""
        with pytest.raises(ValueError, match=message):
            report.render(_snap(WORLD.as_of), **kw)  # type: ignore[arg-type]

    def test_no_next_review_is_said_in_words(self) -> None:
        """After the last review the bulletin says there is none, in the chosen language."""
        snap = _snap(WORLD.campaign.end)
        assert snap.next_review is None
        assert "下次调度: 无(行动期内已无后续调度)" in report.render(snap)
        assert "Next review: none" in report.render(snap, lang="en")

    def test_provisional_dates_need_a_calendar(self) -> None:
        """Without the calendar only what the snapshot flagged; with it, provisional years too."""
        snap = _snap(D(2027, 1, 5))
        flagged = tuple(sorted({a.due for a in snap.agenda if a.provisional}))
        assert flagged  # the snapshot itself knows which agenda dates are provisional
        assert report.provisional_dates(snap, None) == flagged
        assert D(2027, 1, 5) in report.provisional_dates(snap, WORLD.calendar)
        text = report.render(snap, calendar=WORLD.calendar)
        assert "截至 2027-01-05(暂定)" in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_and_html_format_the_one_layout(lang: str) -> None:
    """Markdown and HTML show the same headings, table rows and bullets, from one layout."""
    from xinfang.report._bulletin import Bulletin
    from xinfang.report._document import Bullets, Heading, Table, lay_out

    snap = _snap(D(2026, 11, 27))
    bulletin = Bulletin(
        snap, (), lang=lang, calendar=WORLD.calendar, rulebook=None, as_of_basis="given", today=None
    )
    blocks = [b for s in lay_out(bulletin).sections for b in s.blocks]
    md = report.render(snap, format="md", lang=lang, calendar=WORLD.calendar)
    page = report.render(snap, format="html", lang=lang, calendar=WORLD.calendar)
    tables = [b for b in blocks if isinstance(b, Table)]
    assert len(tables) == 4  # overall, plans followed through, rates, agenda (nothing unplaced)
    assert page.count("<table") == len(tables)
    assert md.count("\n|---|") == len(tables)
    md_text = re.sub(r"\\(.)", r"\1", md).replace("&lt;", "<").replace("&gt;", ">")
    page_text = html.unescape(re.sub(r"<[^>]+>", "", page))
    for table in tables:
        for row in table.rows:
            assert "| " + " | ".join(row) + " |" in md_text
            assert "".join(row) in page_text
    for block in blocks:
        if isinstance(block, Heading) and block.level > 1:
            assert f"{'#' * block.level} {block.text}\n" in md_text
            assert f"<h{block.level}>{html.escape(block.text)}</h{block.level}>" in page
        if isinstance(block, Bullets):
            assert all(i.text in md_text and i.text in page_text for i in block.items)
