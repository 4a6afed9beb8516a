"""Rulebooks: the law as data, loaded by the public loader, failing whole with file and key."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs
import pytest

import xinfang as x
from xinfang.rulebook import START_EVENTS

from helpers import accepted_on, clock

if TYPE_CHECKING:
    from pathlib import Path


class TestBundled:
    """The bundled rulebooks carry the limits of REFERENCE §3 with their articles."""

    def test_ids(self) -> None:
        """Four rulebooks ship: 2022 (default), 2005, simplified, a local example."""
        assert x.rulebook.bundled_rulebooks() == (
            "simplified-2016",
            "xinfang-2005",
            "xinfang-2022",
            "zhejiang-2016",
        )
        assert x.bundled_rulebook() is x.bundled_rulebook("xinfang-2022")

    @pytest.mark.parametrize(
        ("key", "period", "article"),
        [
            ("routing", x.periods.Period.days(15), "第二十二条"),
            ("receipt_notice", x.periods.Period.days(15), "第二十三条"),
            ("remit_objection", x.periods.Period.working_days(5), "第二十三条第三款"),
            ("handling", x.periods.Period.days(60), "第三十四条"),
            ("extension", x.periods.Period.days(30), "第三十四条"),
            ("review_request", x.periods.Period.days(30), "第三十五条"),
            ("review_decision", x.periods.Period.days(30), "第三十五条"),
            ("rereview_request", x.periods.Period.days(30), "第三十六条"),
            ("rereview_decision", x.periods.Period.days(30), "第三十六条"),
        ],
    )
    def test_2022_limits(self, key: str, period: x.periods.Period, article: str) -> None:
        """Each 2022 limit has its period and cites its article."""
        lim = x.bundled_rulebook("xinfang-2022")[key]
        assert lim.period == period
        assert article in lim.citation

    def test_2022_handling_applies_to_art_31_6_only(self) -> None:
        """2022: the 60-day limit binds Art. 31(6) matters; 2005 Art. 33: every accepted matter."""
        assert x.bundled_rulebook("xinfang-2022")["handling"].applies_to == (
            ("route", frozenset({"ordinary"})),
        )
        # Changed with issue 20: 2005 Art. 33 (信访事项应当自受理之日起60日内办结) has no
        # category split, so its 60 days bind every accepted matter, suggestions included.
        assert x.bundled_rulebook("xinfang-2005")["handling"].applies_to == ()

    def test_only_rereview_decision_excludes_hearing_time(self) -> None:
        """Hearing time is excluded from the re-review limit only (Art. 36 ¶2)."""
        rb = x.bundled_rulebook()
        assert [lim.key for lim in rb.limits if lim.pauses_for_hearing] == ["rereview_decision"]

    def test_simplified_layers_on_2022(self) -> None:
        """The simplified rulebook keeps 2022's limits and adds 3 / 10 working days."""
        rb = x.bundled_rulebook("simplified-2016")
        assert rb["acceptance_decision"].period == x.periods.Period.working_days(3)
        assert rb["simplified_handling"].period == x.periods.Period.working_days(10)
        assert rb["review_request"] == x.bundled_rulebook()["review_request"]

    def test_missing_limit_is_a_clear_error(self) -> None:
        """Asking a rulebook for a limit it lacks names what it has."""
        with pytest.raises(x.errors.RulebookError, match="has no limit 'remit_objection'"):
            x.bundled_rulebook("xinfang-2005")["remit_objection"]


GOOD = """
format = 1
id = "local"
title = "本地规定"
version = "2026"
base = "xinfang-2022"

[limits.handling]
title = "办结"
period = "45日"
starts = "accepted"
ends = ["opinion_issued"]
citation = "本地规定 第十条"
"""


class TestLoader:
    """Hosts load their own rulebooks through the same loader; bad ones fail at load."""

    def test_host_rulebook_overrides_a_base(self, tmp_path: Path) -> None:
        """A local file layered on 2022 changes one limit and keeps the rest."""
        path = tmp_path / "local.toml"
        path.write_text(GOOD, encoding="utf-8")
        rb = x.load_rulebook(path)
        assert rb["handling"].period == x.periods.Period.days(45)
        assert rb["review_request"] == x.bundled_rulebook()["review_request"]
        assert rb.counting == x.bundled_rulebook().counting

    @pytest.mark.parametrize(
        ("edit", "key", "fragment"),
        [
            (('period = "45日"', 'period = "45 weeks"'), "limits.handling.period", "60日"),
            (('starts = "accepted"', 'starts = "born"'), "limits.handling.starts", "born"),
            (('ends = ["opinion_issued"]', "ends = []"), "limits.handling.ends", "non-empty"),
            (('ends = ["opinion_issued"]', 'ends = ["x"]'), "limits.handling.ends[0]", "'x'"),
            (('citation = "本地规定 第十条"', ""), "limits.handling.citation", "citation"),
            (('base = "xinfang-2022"', 'base = "nope"'), "base", "nope"),
            (('title = "办结"', 'title = "办结"\nwhen = 1'), "limits.handling.when", "unknown key"),
            (('version = "2026"', 'version = "2026"\nformat2 = 1'), "format2", "unknown key"),
            (
                ('starts = "accepted"', 'starts = "accepted"\napplies_to = { route = ["sea"] }'),
                "limits.handling.applies_to.route",
                "'sea'",
            ),
            (
                ('starts = "accepted"', 'starts = "accepted"\nkind = "maybe"'),
                "limits.handling.kind",
                "maybe",
            ),
        ],
    )
    def test_bad_rulebook_names_file_key_and_problem(
        self, tmp_path: Path, edit: tuple[str, str], key: str, fragment: str
    ) -> None:
        """Each mistake fails at load with the file, the key and what is wrong."""
        path = tmp_path / "bad.toml"
        path.write_text(GOOD.replace(*edit), encoding="utf-8")
        with pytest.raises(x.errors.RulebookError) as info:
            x.load_rulebook(path)
        text = str(info.value)
        assert f"bad.toml: {key}" in text
        assert fragment in text

    def test_cap_must_extend_a_duty(self) -> None:
        """An extension cap must point at a duty of the same rulebook."""
        data = {
            "id": "x",
            "title": "t",
            "version": "1",
            "limits": {
                "ext": {
                    "title": "延期",
                    "period": "30日",
                    "kind": "cap",
                    "extends": "nothing",
                    "citation": "c",
                },
            },
        }
        with pytest.raises(x.errors.RulebookError, match=r"limits\.ext\.extends"):
            x.load_rulebook(data)

    def test_not_toml(self, tmp_path: Path) -> None:
        """A file that is not TOML is reported with its path."""
        path = tmp_path / "broken.toml"
        path.write_text("limits = [", encoding="utf-8")
        with pytest.raises(x.errors.RulebookError, match=r"broken\.toml.*not valid TOML"):
            x.load_rulebook(path)

    def test_every_start_event_has_a_milestone(self) -> None:
        """Each start event a rulebook may name is a milestone the case records."""
        fields = {f.name for f in __import__("attrs").fields(x.case.Milestones)}
        assert {"last_forwarded" if s == "forwarded" else s for s in START_EVENTS} <= fields


def test_each_rulebook_counts_its_own_plan_art34() -> None:
    """Art. 34's 60 days: a rulebook that says 30 counts 30, the bundled one still 60 (issue 22).

    The clock plan is derived from the frozen rulebook by value, not stored on it: the
    rulebook carries no cache, equal rulebooks hash alike, and a changed one gets its own plan.
    """
    rb = x.bundled_rulebook()
    assert "_cache" not in {f.name for f in attrs.fields(type(rb))}
    same = attrs.evolve(rb)
    assert same == rb
    assert hash(same) == hash(rb)
    handling = rb["handling"]
    shorter = attrs.evolve(
        rb,
        limits=tuple(
            attrs.evolve(lim, period=x.periods.Period.days(30)) if lim is handling else lim
            for lim in rb.limits
        ),
    )
    case = accepted_on(dt.datetime(2025, 3, 3, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    as_of = dt.date(2025, 3, 10)
    assert clock(case, "handling", as_of, rulebook=rb).due == dt.date(2025, 5, 6)
    assert clock(case, "handling", as_of, rulebook=shorter).due == dt.date(2025, 4, 2)
    assert clock(case, "handling", as_of, rulebook=same).due == dt.date(2025, 5, 6)
