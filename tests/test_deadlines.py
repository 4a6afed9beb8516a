"""Clocks: the vectorised table equals the per-case clocks; edge rules of the limits."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xinfang as x
from xinfang.strategies import cases

from helpers import OPINION, clock, register, rereview_steps, run, t

D = dt.date


class TestClockTable:
    """clock_table(cases) is clocks(case) for every case, as columns."""

    @given(st.lists(cases(), max_size=6), st.dates(D(2021, 1, 1), D(2026, 12, 31)))
    def test_table_equals_scalar_clocks(self, many: list[x.Case], as_of: dt.date) -> None:
        """Same clocks, same order, same statuses; or the same error."""
        try:
            expect = [c for case in many for c in x.clocks(case, as_of=as_of)]
        except x.XinfangError as exc:
            with pytest.raises(type(exc)):
                x.clock_table(many, as_of=as_of)
            return
        table = x.clock_table(many, as_of=as_of)
        assert table.to_clocks() == expect
        assert len(table) == len(expect)
        counts = table.counts()
        assert sum(counts.values()) == len(expect)
        for status, n in counts.items():
            assert n == sum(1 for c in expect if c.status is status)

    @given(st.lists(cases(), max_size=4), st.sampled_from(x.bundled_rulebooks()))
    def test_table_equals_scalar_under_every_rulebook(self, many: list[x.Case], rb_id: str) -> None:
        """The equality holds for each bundled rulebook."""
        rb = x.bundled_rulebook(rb_id)
        as_of = D(2026, 6, 30)
        expect = [c for case in many for c in x.clocks(case, as_of=as_of, rulebook=rb)]
        assert x.clock_table(many, as_of=as_of, rulebook=rb).to_clocks() == expect

    def test_empty(self) -> None:
        """No cases, no rows."""
        assert len(x.clock_table([], as_of=D(2025, 1, 1))) == 0


class TestLimitEdges:
    """Edge rules of the limits, each with its article."""

    def test_one_day_hearing_pauses_one_day(self) -> None:
        """A hearing held on one day takes that day (听证所需时间, Art. 36 ¶2)."""
        steps = [
            *rereview_steps(),
            (x.StartHearing(), t(2025, 3, 20, 9)),
            (x.EndHearing(), t(2025, 3, 20, 17)),
        ]
        c = clock(run(*steps), "rereview_decision", D(2025, 3, 21))
        assert c.paused_days == 1
        assert c.due == D(2025, 4, 15)  # 04-14 + 1

    def test_a_refused_reforward_opens_a_new_objection_window(self) -> None:
        """After objection and a new forwarding, the new body's objection meets its window."""
        case = run(
            (register(t(2025, 3, 3)), t(2025, 3, 3)),
            (x.Forward(to_unit="甲局"), t(2025, 3, 4)),
            (x.ObjectRemit(reason="不属本单位"), t(2025, 3, 5)),
            (x.Forward(to_unit="乙局"), t(2025, 3, 10)),
            (x.ObjectRemit(reason="也不属本单位"), t(2025, 3, 11)),
        )
        c = clock(case, "remit_objection", D(2025, 4, 1))
        assert (c.started_on, c.status, c.met_on) == (
            D(2025, 3, 10),
            x.ClockStatus.MET,
            D(2025, 3, 11),
        )

    def test_window_check_reads_only_its_own_limit(self) -> None:
        """A review request is not blocked by another clock whose due date lies past the data."""
        case = run(
            (register(t(2026, 11, 27)), t(2026, 11, 27)),
            (x.Accept(), t(2026, 11, 27)),
            (OPINION, t(2026, 12, 1)),
        )
        requested, _ = x.apply(case, x.RequestReview(to_unit="省"), t(2026, 12, 10))
        assert requested.stage is x.Stage.REVIEW_REQUESTED

    def test_extension_must_tell_the_petitioner(self) -> None:
        """Art. 34: the reason for the extension is told to the petitioner."""
        case = run((register(t(2025, 8, 8)), t(2025, 8, 8)), (x.Accept(), t(2025, 8, 8)))
        silent = x.Extend(days=10, approved_by="局长", reason="复杂", petitioner_told=False)
        with pytest.raises(x.TransitionError, match=r"tell the petitioner the reason.*第三十四条"):
            x.apply(case, silent, t(2025, 9, 1))

    @pytest.mark.parametrize("days", [0, -3, "3", True])
    def test_extension_days_are_a_positive_integer(self, days: object) -> None:
        """A malformed extension is refused when built, with the field named."""
        with pytest.raises(x.InvalidDataError, match="days"):
            x.Extend(days=days, approved_by="局长", reason="复杂")  # type: ignore[arg-type]

    def test_lapsed_window_has_no_countdown(self) -> None:
        """A lapsed window is closed: no remaining days."""
        case = run(
            (register(t(2025, 2, 3)), t(2025, 2, 3)),
            (x.Accept(), t(2025, 2, 3)),
            (OPINION, t(2025, 3, 3)),
        )
        c = clock(case, "review_request", D(2025, 5, 1))
        assert c.status is x.ClockStatus.LAPSED
        assert (c.remaining_days, c.remaining_working_days) == (None, None)
