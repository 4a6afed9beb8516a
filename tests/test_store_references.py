"""The store's import checks a ledger's references as the library does (issue 21).

``Store.import_ledger(..., org=, campaign=)`` refuses, before it writes
anything, a ledger that :func:`xinfang.campaign.check_references` finds a problem in
that stops a case's placement (``unplaced``: the bulletin would list the case
as not placed, 未归属), or, with a campaign, a problem of the campaign itself
(a unit missing from the organisation, a target no case of the ledger or the
store has). The same verdict by the value path and column-wise, on SQLite and
PostgreSQL. Design principle 8 (every count reconciles) and the rules of
``docs/campaign.md`` and ``docs/store.md``.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

import store_helpers
import xinfang as x
from shared_world import world
from store_helpers import digest
from test_reconciliation import ledgers
from xinfang.cli import main
from xinfang.store import open_store

from helpers import examples, require

if TYPE_CHECKING:
    import datetime as dt

require("pyarrow", "the column-wise import needs xinfang[columnar]")

store_url = store_helpers.store_url
WORLD = world()
PATHS = (False, True)  # columnar=False (by value), columnar=True (column-wise)


def _demo_lines() -> list[dict[str, Any]]:
    """The demo ledger's documents (personal data revealed: a store takes it whole)."""
    text = x.dump_ledger(WORLD.cases, reveal_personal_data=True)
    return [json.loads(line) for line in text.splitlines()]


def _text(docs: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n" for d in docs)


def _unit_by_name(docs: list[dict[str, Any]]) -> tuple[int, str, str, str]:
    """One new case's last forwarding written with the unit's name: (line, case, name, unit id)."""
    names = {u.id: u.name for u in WORLD.org.units}
    for k, doc in enumerate(docs):
        moves = [e for e in doc["events"] if e["change"].get("to_unit") in names]
        if doc["id"].startswith("XF-N") and moves:
            unit = moves[-1]["change"]["to_unit"]
            moves[-1]["change"]["to_unit"] = names[unit]
            return k + 1, doc["id"], names[unit], unit
    raise AssertionError("no new case with a forwarding in the demo")  # pragma: no cover


def _refusal(url: str, text: str, columnar: bool, **check: Any) -> x.InvalidDataError:
    """The import's refusal of ``text``; the store is left as it was."""
    with open_store(url) as s:
        before = digest(url)
        with pytest.raises(x.InvalidDataError) as caught:
            s.import_ledger(text, columnar=columnar, **check)
    assert digest(url) == before
    return caught.value


@pytest.mark.parametrize("columnar", PATHS)
def test_a_unit_written_by_name_refuses_the_import_and_writes_nothing(
    store_url: str, columnar: bool
) -> None:
    """A unit written by name leaves a case not placed: refused by line, case and nearest id."""
    docs = _demo_lines()
    line, case_id, name, unit = _unit_by_name(docs)
    err = _refusal(store_url, _text(docs), columnar, org=WORLD.org, campaign=WORLD.campaign)
    assert len(err.problems) == 1
    path, message = err.problems[0]
    assert path == f"line {line} (case {case_id}): handling_unit"
    assert f"'{name}' (nearest known: {unit})" in message
    assert ".change.to_unit" in message
    assert digest(store_url)[0]["xf_journal"] == 0
    # without the organisation the ledger is only read: it imports
    with open_store(store_url) as s:
        assert s.import_ledger(_text(docs), columnar=columnar).added == len(docs)


@pytest.mark.parametrize("columnar", PATHS)
def test_the_demo_ledger_imports_with_its_org_and_campaign(store_url: str, columnar: bool) -> None:
    """The demo's own files agree: every case imported, no problem."""
    text = x.dump_ledger(WORLD.cases, reveal_personal_data=True)
    with open_store(store_url) as s:
        done = s.import_ledger(text, columnar=columnar, org=WORLD.org, campaign=WORLD.campaign)
        assert (done.added, s.count()) == (len(WORLD.cases), len(WORLD.cases))


def test_the_campaigns_own_problems_refuse_it_alike_both_ways(tmp_path: Path) -> None:
    """A target typo and a campaign unit missing from the organisation: each named, nearest id."""
    target = WORLD.campaign.targets[0]
    typo = target[:6] + "O" + target[7:]  # XF-B0000 written XF-B00O0 (a letter O)
    campaign = attrs.evolve(
        WORLD.campaign,
        targets=(typo, *WORLD.campaign.targets[1:]),
        units=(*WORLD.campaign.units, "第一支队"),
    )
    text = x.dump_ledger(WORLD.cases, reveal_personal_data=True)
    seen = []
    for columnar in PATHS:
        url = f"sqlite:///{tmp_path / f'{columnar}.db'}"
        err = _refusal(url, text, columnar, org=WORLD.org, campaign=campaign)
        seen.append(err.problems)
    assert seen[0] == seen[1]
    paths = dict(seen[0])
    assert paths[f"campaign: units[{len(campaign.units) - 1}]"].count("'第一支队'") == 1
    assert f"'{typo}' (nearest known: {target})" in paths["campaign: targets[0]"]
    assert len(paths) == 2


def test_a_target_already_stored_is_a_case_the_store_has(store_url: str) -> None:
    """An import of the later cases alone: a target stored by an earlier import is known."""
    docs = _demo_lines()
    target = WORLD.campaign.targets[0]
    first = [d for d in docs if d["id"] == target]
    rest = [d for d in docs if d["id"] != target]
    with open_store(store_url) as s:
        # before the target's case is stored, the ledger of the rest lacks it
        with pytest.raises(x.InvalidDataError) as caught:
            s.import_ledger(_text(rest), org=WORLD.org, campaign=WORLD.campaign)
        assert [p for p, _ in caught.value.problems] == [
            f"campaign: targets[{WORLD.campaign.targets.index(target)}]"
        ]
        assert s.count() == 0
        s.import_ledger(_text(first), org=WORLD.org)  # (the other targets are not in it)
        done = s.import_ledger(_text(rest), org=WORLD.org, campaign=WORLD.campaign)
        assert done.added == len(rest)


def test_an_unknown_id_that_places_nothing_does_not_refuse(tmp_path: Path) -> None:
    """An unknown receiving unit behind a known handling unit: listed by the check, imported."""
    docs = _demo_lines()
    k, doc = next(
        (k, d)
        for k, d in enumerate(docs)
        if any(e["change"].get("to_unit") for e in d["events"][1:])
    )
    doc["events"][0]["change"]["receiving_unit"] = "外省信访局"
    found = x.campaign.check_references(x.load_ledger(_text(docs)), WORLD.org, WORLD.campaign)
    assert [(p.index, p.field, p.unplaced) for p in found] == [(k, "receiving_unit", False)]
    for columnar in PATHS:
        with open_store(f"sqlite:///{tmp_path / f'{columnar}.db'}") as s:
            text = _text(docs)
            done = s.import_ledger(text, columnar=columnar, org=WORLD.org, campaign=WORLD.campaign)
            assert done.added == len(docs)


@settings(max_examples=examples(20), deadline=None)
@given(w=ledgers(), scoped=st.booleans())
def test_the_import_refuses_exactly_what_stops_placement(
    w: tuple[x.Organization, x.Campaign, list[x.Case], dt.date], scoped: bool
) -> None:
    """Random ledgers with wrong ids: refused iff check_references finds a stopping problem.

    The problems are exactly those (by line and field), both paths alike, nothing written.
    """
    org, campaign, many, _ = w
    given_campaign = campaign if scoped else None
    found = x.campaign.check_references(many, org, given_campaign)
    stopping = [
        f"line {p.index + 1} (case {p.case_id}): {p.field}"
        if p.index is not None
        else f"campaign: {p.field}"
        for p in found
        if p.unplaced or p.index is None
    ]
    event("refused" if stopping else "imported")
    text = x.dump_ledger(many, reveal_personal_data=True)
    with tempfile.TemporaryDirectory() as where:
        for columnar in PATHS:
            url = f"sqlite:///{Path(where) / f'{columnar}.db'}"
            with open_store(url) as s:
                refused: list[str] = []
                try:
                    s.import_ledger(text, columnar=columnar, org=org, campaign=given_campaign)
                except x.InvalidDataError as exc:
                    refused = [p for p, _ in exc.problems]
                assert refused == stopping
                assert s.count() == (0 if stopping else len(many))


def test_db_import_takes_org_and_campaign(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`xinfang db import --org --campaign`: exit 1, one line per problem, nothing imported."""
    assert main(["demo", "--export", str(tmp_path)]) == 0
    ledger = tmp_path / "ledger.jsonl"
    docs = [json.loads(t) for t in ledger.read_text(encoding="utf-8").splitlines()]
    line, case_id, name, unit = _unit_by_name(docs)
    ledger.write_text(_text(docs), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    files = ["--org", str(tmp_path / "org.toml"), "--campaign", str(tmp_path / "campaign.toml")]
    capsys.readouterr()
    assert main(["db", "import", str(ledger), "--db", db, *files]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{ledger}: line {line} (case {case_id}): handling_unit: ")
    assert f"'{name}' (nearest known: {unit})" in err[0]
    assert err[1].endswith(f": 1 problem(s) in {ledger}; nothing was imported")
    with open_store(db) as s:
        assert s.count() == 0
    assert main(["db", "import", str(ledger), "--db", db, "-q"]) == 0


def test_the_column_wise_reader_reads_only_the_suspect_rows_as_values(tmp_path: Path) -> None:
    """Column-wise, the rows naming an unknown id are found from the columns: that row alone."""
    from xinfang.store import _bulk

    docs = _demo_lines()
    line, _, _, _ = _unit_by_name(docs)
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as s:
        ledger = _bulk.read_ledger(s, _text(docs), "ledger", WORLD.org)
        assert ledger.reference_rows() == [line - 1]
        assert _bulk.read_ledger(s, _text(docs), "ledger").reference_rows() == []


def test_a_campaign_without_an_organisation_checks_its_targets_only(tmp_path: Path) -> None:
    """Without org, a unit written by name is not looked at; a target with no case still refuses."""
    docs = _demo_lines()
    _unit_by_name(docs)
    target = WORLD.campaign.targets[-1]
    rest = [d for d in docs if d["id"] != target]
    url = f"sqlite:///{tmp_path / 's.db'}"
    err = _refusal(url, _text(rest), False, campaign=WORLD.campaign)
    assert [p for p, _ in err.problems] == [f"campaign: targets[{len(WORLD.campaign.targets) - 1}]"]
    with open_store(url) as s:
        assert s.import_ledger(_text(docs), campaign=WORLD.campaign).added == len(docs)


def test_a_wrong_type_of_org_or_campaign_is_named(tmp_path: Path) -> None:
    """A file name where the organisation or campaign belongs: an error naming the argument."""
    text = x.dump_ledger(WORLD.cases[:3], reveal_personal_data=True)
    with open_store(f"sqlite:///{tmp_path / 's.db'}") as s:
        for arg in ("org", "campaign"):
            with pytest.raises(x.InvalidDataError) as caught:
                s.import_ledger(text, **{arg: "demo/org.toml"})
            assert caught.value.problems[0][0] == arg
        assert s.count() == 0
