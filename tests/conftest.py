"""Hypothesis profiles: ``ci`` (the default under CI=true), ``dev`` (the local default), ``deep``.

The README's test command (``python -m pytest``) must stay within about 90 s
on a 2-core machine, so ``dev`` runs 60 examples per property and ``ci``
50 (the columnar engine's properties brought the suite from about 70 to
about 115 s at 100 and 60); ``deep`` runs 3,000 for a thorough search
before a release. Choose one
with ``HYPOTHESIS_PROFILE=deep python -m pytest``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

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
