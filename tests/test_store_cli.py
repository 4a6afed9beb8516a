"""The command line's store options: ``--viewer`` on the db commands, ``db init --app-role``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from test_store_scope import HIDDEN, OPEN, ORG, _world
from xinfang.cli import main
from xinfang.serialization import to_toml
from xinfang.store import open_store

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def db(tmp_path: Path) -> tuple[str, str]:
    """A SQLite store with the accusation against U1 and an ordinary case; the org file."""
    url = f"sqlite:///{tmp_path / 'v.db'}"
    with open_store(url) as s:
        _world(s)
    org = tmp_path / "org.toml"
    org.write_text(to_toml(ORG), encoding="utf-8")
    return url, str(org)


def test_db_export_and_due_as_the_accused_units_official(
    db: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Art. 30 ¶3: `db export|due --viewer` of the accused unit's official show no accusation."""
    url, org = db
    assert main(["db", "export", "--db", url, "--viewer", "U1-S", "--org", org, "-q"]) == 0
    out = capsys.readouterr().out
    assert HIDDEN not in out
    assert OPEN in out
    argv = ["db", "due", "--db", url, "--as-of", "2026-11-20", "--within", "60", "-q"]
    assert main([*argv, "--viewer", "U1-S", "--org", org]) == 0
    mine = capsys.readouterr().out
    assert main(argv) == 0
    everyone = capsys.readouterr().out
    assert HIDDEN in everyone
    assert HIDDEN not in mine
    assert OPEN in mine


def test_db_apply_as_the_accused_units_official_finds_no_case(
    db: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Art. 30 ¶3: a command on the accusation by its accused unit reads as an unknown case."""
    url, org = db
    change = tmp_path / "notify.json"
    change.write_text(json.dumps({"kind": "notified", "note": "n"}), encoding="utf-8")
    argv = ["db", "apply", "--db", url, "--at", "2026-11-05T09:00:00+08:00", str(change)]
    hidden = main([*argv[:2], HIDDEN, *argv[2:], "--viewer", "U1-S", "--org", org])
    hidden_err = capsys.readouterr().err
    missing = main([*argv[:2], "XF-NONE-1", *argv[2:], "--viewer", "U1-S", "--org", org])
    missing_err = capsys.readouterr().err
    assert hidden == missing != 0
    assert hidden_err.replace(HIDDEN, "<id>") == missing_err.replace("XF-NONE-1", "<id>")
    assert main([*argv[:2], OPEN, *argv[2:], "--viewer", "U1-S", "--org", org]) == 0
    assert json.loads(capsys.readouterr().out)["by"] == "U1-S"
    with open_store(url) as s:
        assert s.version(HIDDEN) == 1


def test_viewer_needs_the_organisation(
    db: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    """--viewer without --org is a usage error naming --org."""
    url, _ = db
    assert main(["db", "export", "--db", url, "--viewer", "U1-S"]) != 0
    assert "--org" in capsys.readouterr().err


def test_db_init_app_role_on_sqlite_says_there_are_no_roles(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`db init --app-role` on SQLite: an error saying SQLite has no roles."""
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert main(["db", "init", "--db", url, "--app-role", "xf_app", "--print-sql"]) != 0
    assert "no roles" in capsys.readouterr().err


def test_db_report_as_the_accused_units_official(
    db: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Art. 30 ¶3: in `db report --viewer`, a hidden target reads as one that does not exist."""
    url, org = db

    def report(target: str, *viewer: str) -> str:
        campaign = tmp_path / "campaign.toml"
        campaign.write_text(
            'id = "c"\nname = "专项"\nunits = ["U0"]\nstart = 2026-10-01\nend = 2027-03-31\n'
            f'targets = ["{OPEN}", "{target}"]\n',
            encoding="utf-8",
        )
        argv = ["db", "report", "--db", url, "--org", org, "--campaign", str(campaign)]
        argv += ["--as-of", "2026-11-20", "--format", "json", "--allow-unplaced", "-q"]
        assert main([*argv, *viewer]) == 0
        return capsys.readouterr().out

    everyone = report(HIDDEN)
    mine = report(HIDDEN, "--viewer", "U1-S")
    as_if_missing = report("XF-NONE-1", "--viewer", "U1-S")
    assert mine != everyone
    assert mine.replace(HIDDEN, "<id>") == as_if_missing.replace("XF-NONE-1", "<id>")
