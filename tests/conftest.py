"""Hypothesis profiles: ``ci`` (the default under CI=true), ``dev`` (the local default), ``deep``.

The README's test command (``python -m pytest``) must stay within about 90 s
on a 2-core machine, so ``ci`` and ``dev`` run 20 examples per property
(the slow properties pin fewer with ``helpers.examples(n)``); ``deep`` runs
3,000, and 150 times a pinned number, for a thorough search before a
release: ``HYPOTHESIS_PROFILE=deep python -m pytest``.
"""

from __future__ import annotations

import os
import sys

from hypothesis import HealthCheck, settings

# This machine's environment sets PYTHONDONTWRITEBYTECODE=1: then every xdist
# worker and every subprocess a test starts (the command in a real pipe, the
# killed importer, the examples) compiled the library and re-wrote the test
# modules' assertions again, about a fifth of the run's CPU. The test run writes
# its bytecode cache (``__pycache__``, ignored by git) as Python does by default.
sys.dont_write_bytecode = False

settings.register_profile(
    "ci", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=20, deadline=None)
settings.register_profile(
    "deep", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

# CI installs every extra the tests exercise: there a missing one fails the run at
# once instead of letting its tests skip (nothing that needs a component may skip).
if os.environ.get("CI", "").lower() == "true":
    import dask  # noqa: F401
    import distributed  # noqa: F401
    import pyarrow  # noqa: F401
