"""The one converter: plain data to typed values, every problem named, changes tagged by kind."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources

import pytest
from hypothesis import given

import xinfang as x
from xinfang import convert
from xinfang.strategies import changes

from helpers import accepted_on, t


class TestStructure:
    """``structure`` gives the value or one InvalidDataError listing every problem."""

    def test_every_problem_with_its_path_and_the_source(self) -> None:
        """Two bad fields give two problems; the source heads the message."""
        with pytest.raises(x.InvalidDataError, match=r"^2 problem\(s\) in p\.toml") as info:
            convert.structure(
                {"amount": "3", "unit": "fortnight"}, x.periods.Period, source="p.toml"
            )
        assert {p for p, _ in info.value.problems} == {"$.amount", "$.unit"}

    def test_unknown_keys_are_refused(self) -> None:
        """A key the class does not have is a problem, not silently dropped."""
        with pytest.raises(x.InvalidDataError, match="colour"):
            convert.structure({"request": "退还押金", "colour": "red"}, x.changes.Claim)

    def test_toml_dates_and_iso_dates_alike(self) -> None:
        """A TOML date and its ISO text give the same value."""
        as_date = convert.structure(
            {"due": dt.date(2025, 9, 1), "what": "约谈"}, x.changes.PlanMilestone
        )
        as_text = convert.structure({"due": "2025-09-01", "what": "约谈"}, x.changes.PlanMilestone)
        assert as_date == as_text == x.changes.PlanMilestone(due=dt.date(2025, 9, 1), what="约谈")

    def test_an_integer_is_not_a_string_nor_a_bool_an_integer(self) -> None:
        """Scalars are checked, never coerced."""
        with pytest.raises(x.InvalidDataError, match="expected a string"):
            convert.structure({"request": 5}, x.changes.Claim)
        with pytest.raises(x.InvalidDataError, match="expected an integer"):
            convert.structure({"amount": True}, x.periods.Period)

    def test_the_bundled_policies_structure(self) -> None:
        """The TOML loaders' data goes through the same function."""
        path = resources.files("xinfang") / "data" / "policies" / "escalation.toml"
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert (
            convert.structure(data, x.responsibility.EscalationPolicy)
            == x.responsibility.escalation_policy()
        )


class TestChanges:
    """A change is an object tagged with its ``kind``."""

    @given(changes())
    def test_the_union_is_structured_by_kind(self, change: x.Change) -> None:
        """Read as the union, the kind picks the class."""
        back = convert.structure(convert.unstructure(change), x.Change)  # type: ignore[arg-type]
        assert type(back) is type(change)
        assert back == change

    def test_an_unknown_kind_is_named(self) -> None:
        """An unknown kind is refused with the known ones listed."""
        with pytest.raises(x.InvalidDataError, match="unknown change kind 'teleported'"):
            convert.structure({"kind": "teleported"}, x.Change)  # type: ignore[arg-type]

    def test_a_class_refuses_another_kind(self) -> None:
        """Read as one class, the kind must be that class's."""
        with pytest.raises(x.InvalidDataError, match="expected 'accepted'"):
            convert.structure({"kind": "notified", "route": "ordinary"}, x.changes.Accept)


def test_personal_data_is_written_masked_unless_revealed() -> None:
    """The default export masks; reading it back gives the masked case."""
    case = accepted_on(t(2025, 8, 8))
    masked = convert.unstructure(case)
    whole = convert.unstructure(case, reveal_personal_data=True)
    assert "11010519491231002X" not in str(masked)
    assert "11010519491231002X" in str(whole)
    assert convert.structure(masked, x.Case) == case.masked()
    assert convert.structure(whole, x.Case) == case
