"""The web service in a real browser: Debian's chromium driven by Playwright against uvicorn.

Marked ``browser``: left out of the quick command, run by ``.ci/run`` as its own
step (``python -m pytest -m browser``), which installs chromium with apt-get when
it is missing. Under ``CI=true`` these tests fail instead of skipping. They write
the screenshots shown in ``docs/web.md``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from web_helpers import accusations
from xinfang.demo import demo_world

if TYPE_CHECKING:
    from collections.abc import Iterator

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parent.parent / "docs"
MISSING = "XF-Z9999"


def _chromium() -> str:
    found = shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but chromium is missing: .ci/run installs it with apt-get")
        pytest.skip("no chromium (apt-get install chromium)")
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``xinfang serve --demo``'s app under a really started uvicorn, on a free loopback port."""
    import uvicorn

    from xinfang.web._command import load_app

    args = argparse.Namespace(demo=True, lang="zh", timeout=60.0)
    app, _ = load_app(args, str(tmp_path_factory.mktemp("serve")))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    for _ in range(200):  # started within 20 s, or the test fails below
        if srv.started:
            break
        threading.Event().wait(0.1)
    assert srv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(30)
        sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless chromium (Debian's) through Playwright's ``executable_path``."""
    path = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def _page(browser: Any, official: str) -> tuple[Any, list[str]]:
    context = browser.new_context(
        extra_http_headers={"X-Official-Id": official}, viewport={"width": 1500, "height": 900}
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return page, problems


def test_leading_group_clicks_counts_and_opens_a_case(server: str, browser: Any) -> None:
    """Click three counts: each list is as long as the number; a case's clocks explained."""
    page, problems = _page(browser, "HQ-H")
    page.goto(server + "/")
    assert page.locator("#bulletin").is_visible()
    page.screenshot(path=str(DOCS / "web-bulletin.png"))
    picked: list[tuple[str, str, int]] = []
    seen: set[str] = set()
    for link in page.locator("a.count").all():
        count = link.get_attribute("data-count") or ""
        value = int(link.inner_text())
        if count not in seen and 0 < value <= 50:
            seen.add(count)
            picked.append((count, link.get_attribute("href") or "", value))
        if len(picked) == 3:
            break
    assert len(picked) == 3
    for count, href, value in picked:
        page.goto(server + "/")
        page.locator(f'a.count[data-count="{count}"][href="{href}"]').first.click()
        page.wait_for_load_state()
        assert page.locator("#cases tbody tr").count() == value, (count, value)
        assert page.locator("#total").inner_text() == str(value) or "sum" in page.content()
    page.screenshot(path=str(DOCS / "web-list.png"))
    page.goto(server + "/cases?count=plans_overdue&unit=all")  # a target: chain and plan
    page.locator("#cases tbody tr a").first.click()
    page.wait_for_load_state()
    rows = page.locator("#clocks tbody tr")
    assert rows.count() > 0
    for k in range(rows.count()):
        assert rows.nth(k).locator(".explanation").inner_text().strip()
        article = rows.nth(k).locator("td").last.inner_text()
        assert article  # every clock names its source: an article, or the campaign's rule
        if "plan" not in (rows.nth(k).get_attribute("class") or "").split():
            assert "条" in article
    page.screenshot(path=str(DOCS / "web-case.png"))
    assert not problems, problems  # no script errors, no CSP violations reported


def test_accused_unit_reaches_no_accusation(server: str, browser: Any) -> None:
    """Art. 30 ¶3: D8's official finds no accusation by page, link, list, search or guessed URL."""
    hidden = accusations(demo_world())
    assert hidden
    page, problems = _page(browser, "D8-S")

    def clean() -> None:
        text = page.content()
        assert not [h for h in hidden if h in text], page.url

    page.goto(server + "/")
    clean()
    hrefs = [a.get_attribute("href") for a in page.locator('tr[data-unit="all"] a.count').all()]
    for href in hrefs:
        page.goto(server + (href or ""))
        clean()
    for path in ("/cases?per_page=500", "/due?within=400", "/cases?q=XF&per_page=500"):
        page.goto(server + path)
        clean()
    page.goto(server + f"/cases/{MISSING}")
    missing = page.content()
    page.goto(server + f"/case/{MISSING}")
    missing_guess = page.content()
    for case_id in hidden:
        page.goto(server + f"/cases?q={case_id}")
        assert page.locator("#total").inner_text() == "0"
        response = page.goto(server + f"/cases/{case_id}")
        assert response is not None
        assert response.status == 404
        assert page.content().replace(case_id, MISSING) == missing
        response = page.goto(server + f"/case/{case_id}")
        assert response is not None
        assert response.status == 404
        assert page.content() == missing_guess
    # The 404 answers above are the point; nothing else may be reported (a script, the CSP).
    assert not [p for p in problems if "404" not in p], problems
