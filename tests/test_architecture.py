"""The core layout: layers as documented, no process-wide state, no generated code."""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import xinfang
from xinfang.case import _fold as case_fold
from xinfang.changes import CHANGE_TYPES, Register

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "xinfang"


def test_the_documented_layers_are_the_enforced_contract() -> None:
    """docs/architecture.md lists the same layers as the import-linter contract."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    enforced = [layer.strip() for layer in contract["layers"]]
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = re.search(
        r"tests/test_architecture\.py reads the block below -->\s*```text\n(.*?)```", doc, re.DOTALL
    )
    assert block is not None
    documented = [line.strip() for line in block.group(1).splitlines() if line.strip()]
    assert documented == enforced


def test_every_layer_names_an_existing_module() -> None:
    """No layer in the contract names a module that is not there (or the other way round)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = config["tool"]["importlinter"]["contracts"]
    named = {m.strip() for layer in contract["layers"] for m in layer.split("|")}
    present = {f"xinfang.{m.name}" for m in pkgutil.iter_modules(xinfang.__path__)}
    assert named == present


def test_every_change_class_has_one_fold_handler() -> None:
    """The fold's table has a handler for every change but the registration (which opens a case)."""
    assert set(case_fold.FOLD) == set(CHANGE_TYPES) - {Register}


def test_no_generated_code_and_no_collector_switching_in_the_library() -> None:
    """The source calls no exec/eval and never touches the garbage collector."""
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?<![.\w])(exec|eval)\(", text), path
        assert not re.search(r"\bgc\.|import gc\b", text), path


def test_no_top_level_name_shadows_a_submodule() -> None:
    """`import xinfang.rulebook as m` gives the module, for every submodule."""
    for info in pkgutil.iter_modules(xinfang.__path__):
        module = importlib.import_module(f"xinfang.{info.name}")
        assert getattr(xinfang, info.name, module) is module, info.name


def test_every_public_name_is_importable_and_listed() -> None:
    """`__all__` lists each name once, and each name in it is there."""
    assert len(set(xinfang.__all__)) == len(xinfang.__all__)
    for name in xinfang.__all__:
        assert hasattr(xinfang, name), name


@pytest.mark.parametrize("name", ["to_json", "from_json", "load_ledger", "dump_ledger"])
def test_host_functions_are_at_the_top_level(name: str) -> None:
    """The serialization functions hosts use are importable from `xinfang`."""
    assert callable(getattr(xinfang, name))


_STATE_PROBE = """
import gc, locale, logging, sys, threading
before = (gc.isenabled(), gc.get_threshold(), locale.setlocale(locale.LC_ALL),
          list(logging.getLogger().handlers), logging.getLogger().level, len(threading.enumerate()))
import xinfang
from xinfang.demo import demo_world
w = demo_world()
text = xinfang.dump_ledger(w.cases)
cases = xinfang.load_ledger(text)
snap = xinfang.snapshot(w.campaign, cases, w.org, as_of=w.as_of, calendar=w.calendar)
table = xinfang.clock_table(cases, as_of=w.as_of, calendar=w.calendar)
after = (gc.isenabled(), gc.get_threshold(), locale.setlocale(locale.LC_ALL),
         list(logging.getLogger().handlers), logging.getLogger().level, len(threading.enumerate()))
assert before == after, (before, after)
print("same")
"""


def test_using_the_library_changes_no_process_wide_state() -> None:
    """Loading, sweeping and snapshotting leave the collector, locale, logging and threads alone."""
    out = subprocess.run(
        [sys.executable, "-c", _STATE_PROBE], capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "same"
