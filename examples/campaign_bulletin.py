"""Build the campaign over the demo data and write the HTML bulletin.

Run it with ``python examples/campaign_bulletin.py [OUT.html]`` (default:
``bulletin.html`` in the current folder).
"""

from __future__ import annotations

import sys
from pathlib import Path

import xinfang as x
from xinfang import report
from xinfang.demo import demo_world


def main() -> None:
    """Snapshot as of the demo date, burndown over the reviews, one HTML page."""
    world = demo_world()
    snap = x.snapshot(
        world.campaign, world.cases, world.org, as_of=world.as_of, calendar=world.calendar
    )
    burndown = x.campaign.trend(
        world.campaign, world.cases, world.org, as_of=world.as_of, calendar=world.calendar
    )
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "bulletin.html")
    out.write_text(report.render_html(snap, burndown), encoding="utf-8")
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")
    print(
        f"settled {snap.overall.settled}/{snap.overall.targets}; "
        f"commended: {', '.join(i.unit for i in snap.commend) or 'none'}; "
        f"admonition talks: {', '.join(i.unit for i in snap.admonish) or 'none'}"
    )


if __name__ == "__main__":
    main()
