"""The demo world, built once for the whole test session (not part of the library).

``xinfang.demo.demo_world()`` builds 480 cases command by command (about a
quarter of a second each time); a ``DemoWorld`` is a frozen value, so the
test modules that only read it share one. ``test_campaign`` still builds it
anew to check that it is deterministic.
"""

from __future__ import annotations

import functools

from xinfang.demo import DemoWorld, demo_world


@functools.cache
def world() -> DemoWorld:
    """The default demo world (seed 2026, 320 backlog and 160 intake cases)."""
    return demo_world()
