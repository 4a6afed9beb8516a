"""Random commands through the store and through the pure API, side by side, equal at every step."""

from __future__ import annotations

import datetime as dt
import itertools

import attrs
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

import store_helpers
import xinfang as x
import xinfang.store
from xinfang import strategies as xs
from xinfang.store import Store, open_store

from helpers import examples

store_url = store_helpers.store_url
_RUN = itertools.count()
_SEEN: dict[str, int] = {"applied": 0, "refused": 0}


def _machine(url: str) -> type[RuleBasedStateMachine]:
    class StoreVsPure(RuleBasedStateMachine):
        """The store and a dict of pure values receive the same commands."""

        ids = Bundle("ids")

        def __init__(self) -> None:
            super().__init__()
            self.store: Store = open_store(url)
            self.model: dict[str, x.Case] = {}
            self.prefix = f"R{next(_RUN)}-"
            self.last: str | None = None

        @rule(target=ids, reg=xs.registrations(), delay=st.integers(0, 600))
        def register(self, reg: x.changes.Register, delay: int) -> str:
            reg = attrs.evolve(reg, case_id=f"{self.prefix}{len(self.model)}")
            at = reg.received_at + dt.timedelta(minutes=delay)
            pure = x.open_case(reg, at, by="clerk")
            got = self.store.register(reg, at, by="clerk")
            assert got == pure
            self.model[reg.case_id] = pure[0]
            self.last = reg.case_id
            return reg.case_id

        @rule(
            case_id=ids,
            change=xs.changes(),
            days=st.integers(0, 40),
            stale=st.booleans(),
        )
        def command(self, case_id: str, change: x.Change, days: int, stale: bool) -> None:
            case = self.model[case_id]
            at = case.events[-1].at + dt.timedelta(days=days, minutes=7)
            version = len(case.events)
            related = {c: self.model[c] for c in case.repeat_of if c in self.model}
            try:
                pure: tuple[x.Case, x.Event] | Exception = x.apply(
                    case, change, at, by="clerk", related=related
                )
            except x.XinfangError as exc:
                pure = exc
            try:
                got: tuple[x.Case, x.Event] | Exception = self.store.apply(
                    case_id,
                    change,
                    at=at,
                    by="clerk",
                    expected_version=version - 1 if stale else version,
                )
            except x.XinfangError as exc:
                got = exc
            if stale:
                assert isinstance(got, x.store.ConcurrencyError)
            elif isinstance(pure, Exception):
                assert type(got) is type(pure), (got, pure)
                _SEEN["refused"] += 1
            else:
                assert got == pure
                _SEEN["applied"] += 1
                self.model[case_id] = pure[0]
            self.last = case_id

        @invariant()
        def same_case(self) -> None:
            if self.last is not None:
                assert self.store.case(self.last) == self.model[self.last]
                assert self.store.version(self.last) == len(self.model[self.last].events)

        def teardown(self) -> None:
            try:
                assert self.store.check().ok
            finally:
                self.store.close()

    return StoreVsPure


def test_store_and_pure_api_agree(store_url: str) -> None:
    """Random registrations and commands: the store equals the pure fold at every step."""
    pg = not store_url.startswith("sqlite")
    before = dict(_SEEN)
    run_state_machine_as_test(
        _machine(store_url),
        settings=settings(
            max_examples=examples(8) if pg else examples(15),
            stateful_step_count=15,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    assert _SEEN["applied"] > before["applied"]
    assert _SEEN["refused"] > before["refused"]
