"""The house rules of issue 22, as tests anyone can rerun.

A top level on one screen, moved names still working with a warning, no
private name or private attribute reached across modules, no cycle hidden in
a function, modules a reader can hold whole, and ``import xinfang`` that
imports only what is used.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import xinfang

SRC = Path(xinfang.__path__[0])
TOP_LEVEL_LIMIT = 40  # issue 22: "at most ~40 names in xinfang itself"
MODULE_LINES = 800  # a module over this says in its docstring why it is one job

# Private attributes of other libraries' objects that are their documented API.
FOREIGN_PRIVATE_API = frozenset(
    {"_asdict", "_replace", "_fields", "_make", "_field_defaults", "_SubParsersAction"}
)


def _modules() -> list[tuple[str, Path]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out.append((name, path))
    return out


def _package(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def test_top_level_fits_on_one_screen() -> None:
    """The top level holds at most 40 names (issue 22), optional ones included."""
    names = [*xinfang.__all__, *xinfang.OPTIONAL_EXPORTS]
    assert len(names) <= TOP_LEVEL_LIMIT, len(names)
    assert len(set(names)) == len(names)
    assert set(xinfang.__all__) == {*xinfang.EXPORTS, "__version__"}


def test_every_top_level_name_is_its_owners_public_name() -> None:
    """Each top-level name is the same object as in its owner, whose __all__ lists it."""
    for name, owner in xinfang.EXPORTS.items():
        module = importlib.import_module(owner)
        assert name in module.__all__, (name, owner)
        assert getattr(xinfang, name) is getattr(module, name), name


def test_dir_shows_no_implementation_names() -> None:
    """dir(xinfang) shows the exports, the optional names and the public submodules only."""
    shown = set(dir(xinfang))
    assert shown == {*xinfang.__all__, *xinfang.OPTIONAL_EXPORTS, *xinfang.SUBMODULES}
    for leak in ("Any", "TYPE_CHECKING", "annotations", "importlib", "version", "warnings"):
        assert leak not in shown, leak


def test_submodules_listed_are_the_public_ones() -> None:
    """SUBMODULES is exactly the package's public (non-underscore) modules."""
    public = {
        p.stem if p.suffix == ".py" else p.name
        for p in SRC.iterdir()
        if not p.name.startswith("_")
        and (p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists()))
    }
    assert public == set(xinfang.SUBMODULES)


@pytest.mark.parametrize("name", sorted(xinfang.MOVED))
def test_moved_name_still_works_with_a_warning(name: str) -> None:
    """A name that left the top level works from there, warning where it lives now."""
    owner = xinfang.MOVED[name]
    if owner == "xinfang.columnar":
        pytest.importorskip("pyarrow")
    module = importlib.import_module(owner)
    assert name in module.__all__, (name, owner)
    with pytest.warns(DeprecationWarning, match=rf"from {owner} import {name}\b"):
        value = getattr(xinfang, name)
    assert value is getattr(module, name)


def test_moved_and_exported_are_disjoint() -> None:
    """No name is both kept and moved; an unknown name is an AttributeError."""
    assert not set(xinfang.MOVED) & set(xinfang.EXPORTS)
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        xinfang.nonexistent  # noqa: B018


def test_a_from_import_of_a_moved_name_warns() -> None:
    """``from xinfang import Accept`` (moved to xinfang.changes) warns at the import."""
    from xinfang.changes import Accept

    with pytest.warns(DeprecationWarning, match="from xinfang.changes import Accept"):
        from xinfang import Accept as OldPlace  # type: ignore[attr-defined]
    assert OldPlace is Accept


def _import_trace(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(out.split())


HEAVY = ("pyarrow", "psycopg", "dask", "pyspark", "holidays", "numpy", "importlib.metadata")


def test_import_xinfang_imports_nothing_heavy() -> None:
    """``import xinfang`` imports none of pyarrow, psycopg, dask, pyspark, holidays, numpy."""
    loaded = _import_trace("import xinfang")
    assert not {m for m in loaded for h in HEAVY if m == h or m.startswith(h + ".")}


def test_the_core_a_host_imports_first_needs_no_optional_package() -> None:
    """The case, apply, clocks, a calendar and JSON import without the optional packages."""
    loaded = _import_trace(
        "from xinfang import Case, apply, replay, clocks, due_date, china_mainland, "
        "to_json, from_json, bundled_rulebook"
    )
    optional = ("pyarrow", "psycopg", "dask", "pyspark", "holidays")
    assert not {m for m in loaded for h in optional if m == h or m.startswith(h + ".")}


def _defined_private_names(tree: ast.Module) -> set[str]:
    """Every ``_name`` a module defines: functions, classes, assignments, self attributes."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            out.add(node.attr)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            out.add(node.target.id)
        elif isinstance(node, ast.alias):
            out.add(node.asname or node.name)
        elif (  # attrs fields and slots named in strings ("_x") are the module's own
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.startswith("_")
            and node.value.isidentifier()
        ):
            out.add(node.value)
    return {n for n in out if n.startswith("_")}


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_reaches() -> list[str]:
    found: list[str] = []
    for module, path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        own = _defined_private_names(tree)
        package = _package(module, path)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                target = node.module
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    target = ".".join([*base, node.module])
                if not target.startswith("xinfang"):
                    continue
                inside = module == target or module.startswith(target + ".")
                found.extend(  # a package's own modules may import each other
                    f"{module}: from {target} import {alias.name}"
                    for alias in node.names
                    if _is_private(alias.name) and not inside
                )
                # a private module may be imported only from inside its own package
                parts = target.split(".")
                for i, part in enumerate(parts):
                    if _is_private(part) and not (
                        module == ".".join(parts[:i])
                        or module.startswith(".".join(parts[:i]) + ".")
                    ):
                        found.append(f"{module}: imports private module {target}")
                        break
            elif isinstance(node, ast.Attribute) and _is_private(node.attr):
                receiver = node.value
                if isinstance(receiver, ast.Name) and receiver.id in {"self", "cls"}:
                    continue
                if node.attr in own or node.attr in FOREIGN_PRIVATE_API:
                    continue
                found.append(f"{module}:{node.lineno}: reaches into .{node.attr}")
    return found


def test_no_private_name_crosses_modules() -> None:
    """No ``_x`` name, private module or private attribute is reached from another module."""
    assert _private_reaches() == []


def test_no_import_inside_a_function_but_optional_or_lazy_ones() -> None:
    """Imports inside functions are only of optional packages or deliberate lazy loads.

    A function-level import of another xinfang module would hide a cycle; those
    that remain are listed here with their reason, so a new one is a decision.
    """
    found = set()
    for module, path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    if node.module.startswith("xinfang"):
                        found.add((module, node.module))
                elif isinstance(node, ast.Import):
                    for alias in node.names:
                        if alias.name.startswith("xinfang"):
                            found.add((module, alias.name))
    assert sorted(found) == sorted(LAZY_INTERNAL_IMPORTS)


#: (importing module, imported module): function-level imports inside xinfang
#: that are deliberate, each because the imported module needs an optional
#: package or is costly and rarely needed.
LAZY_INTERNAL_IMPORTS: list[tuple[str, str]] = [
    # the top level imports everything on first use (PEP 562); its error class too
    ("xinfang", "xinfang.errors"),
    # the calendar's numpy arrays are built on first use (numpy only for the column paths)
    ("xinfang.calendar", "xinfang.calendar._arrays"),
    ("xinfang.calendar._calendar", "xinfang.calendar._arrays"),
    # the store's column-wise import needs pyarrow (xinfang[columnar])
    ("xinfang.store._ledgers", "xinfang.store._bulk"),
    # the web app needs starlette and jinja2 (xinfang[web])
    ("xinfang.web", "xinfang.web._app"),
    ("xinfang.web._command", "xinfang.web._app"),
]


def test_big_modules_say_why_they_are_one_job() -> None:
    """A module over 800 lines says in its docstring why it is one job."""
    too_big = []
    for module, path in _modules():
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MODULE_LINES:
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            if "one job" not in doc:
                too_big.append(f"{module} ({lines} lines)")
    assert too_big == []


def test_the_api_page_is_generated_from_the_all_lists() -> None:
    """docs/api.md is what tests/api_docs.py makes of the modules' __all__ (regenerate it)."""
    import api_docs

    assert api_docs.PAGE.read_text(encoding="utf-8") == api_docs.render()
    assert api_docs.covered() | {"xinfang.cli"} >= {f"xinfang.{m}" for m in xinfang.SUBMODULES}
