"""Reading the library's TOML data files (calendars, rulebooks, policies, organisations)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xinfang.errors import XinfangError


def read_toml(path: str | Path, error: type[XinfangError], what: str) -> dict[str, Any]:
    """The parsed file, or ``error`` naming the file and what is wrong with it."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise error(f"cannot read {what}: {exc.strerror}", path=str(p)) from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"not valid TOML: {exc}", path=str(p), rule="TOML") from exc
