"""Small builders shared by the case tests (not part of the library)."""

from __future__ import annotations

import datetime as dt
import importlib
import os
from typing import Any

import pytest

import xinfang as x
from xinfang.instants import SHANGHAI

#: ``HYPOTHESIS_PROFILE=deep``: a property whose examples are pinned (a slow one, kept
#: small for the quick command) runs this many times as many (the deep profile's 3,000
#: against the quick profiles' 20), so that "deeper" reaches every property.
DEPTH = 150 if os.environ.get("HYPOTHESIS_PROFILE") == "deep" else 1


def examples(n: int) -> int:
    """A pinned ``max_examples``: ``n`` in the quick profiles, ``n * DEPTH`` under ``deep``."""
    return n * DEPTH


def t(y: int, m: int, d: int, h: int = 9) -> dt.datetime:
    """An aware instant in Asia/Shanghai."""
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


def register(received: dt.datetime, **kw: object) -> x.changes.Register:
    """A plain registration with one petitioner and one claim."""
    args: dict[str, object] = {
        "case_id": "XF-1",
        "received_at": received,
        "channel": x.vocabulary.Channel.LETTER,
        "receiving_unit": "市信访局",
        "petitioners": [
            x.personal.Petitioner(name="张三", id_number="11010519491231002X", phone="13812345678")
        ],
        "claims": [x.changes.Claim(request="退还押金", facts="2019年起拖欠", reasons="合同约定")],
    }
    args.update(kw)
    return x.changes.Register(**args)  # type: ignore[arg-type]


def run(*steps: tuple[x.Change, dt.datetime], rulebook: x.Rulebook | None = None) -> x.Case:
    """Apply a registration and commands in order."""
    (first, at0), *rest = steps
    assert isinstance(first, x.changes.Register)
    case, _ = x.open_case(first, at0, by="clerk")
    for change, at in rest:
        case, _ = x.apply(case, change, at, by="clerk", rulebook=rulebook)
    return case


def accepted_on(day: dt.datetime, **kw: object) -> x.Case:
    """A case received and accepted on ``day``."""
    return run((register(day, **kw), day), (x.changes.Accept(), day))


def clock(case: x.Case, key: str, as_of: dt.date, **kw: object) -> x.Clock:
    """The clock named ``key``."""
    found = [c for c in x.clocks(case, as_of=as_of, **kw) if c.key == key]  # type: ignore[arg-type]
    assert found, f"no clock {key}"
    return found[0]


def vector_agrees(many: list[x.Case], as_of: dt.date) -> bool:
    """Whether clock_table gives exactly the clocks of clocks(), case by case."""
    table = x.clock_table(many, as_of=as_of)
    return table.to_clocks() == [c for case in many for c in x.clocks(case, as_of=as_of)]


OPINION = x.changes.IssueOpinion(outcome=x.vocabulary.Outcome.NOT_SUPPORTED, basis="缺乏事实根据")


def rereview_steps() -> list[tuple[x.Change, dt.datetime]]:
    """Received and accepted 2025-01-02, replied, reviewed, re-review requested 2025-03-15."""
    return [
        (register(t(2025, 1, 2)), t(2025, 1, 2)),
        (x.changes.Accept(), t(2025, 1, 2)),
        (OPINION, t(2025, 1, 20)),
        (x.changes.RequestReview(to_unit="省信访局"), t(2025, 2, 5)),
        (
            x.changes.IssueReviewOpinion(outcome=x.vocabulary.Outcome.NOT_SUPPORTED, basis="维持"),
            t(2025, 3, 1),
        ),
        (x.changes.RequestReReview(to_unit="国家信访局"), t(2025, 3, 15)),
    ]


def require(module: str, reason: str) -> Any:
    """``module``, imported; skipped with ``reason`` when missing, except under ``CI=true``.

    CI installs every extra, so a missing optional package there is a failure,
    not a skip (nothing that needs a component may skip in CI).
    """
    if os.environ.get("CI", "").lower() == "true":
        try:
            return importlib.import_module(module)
        except ImportError as exc:
            pytest.fail(f"CI=true but {module} is not installed ({reason}): {exc}")
    return pytest.importorskip(module, reason=reason)
