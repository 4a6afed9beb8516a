"""The web service in process (Starlette's test client): pages, API, viewers, safety, counts."""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import store_helpers
from web_helpers import (
    PHONE,
    RESIDENT_ID,
    SCRIPT_NAME,
    TestClient,
    accusations,
    as_of,
    small_world,
    stored,
)
from xinfang.campaign import snapshot
from xinfang.changes import Settle
from xinfang.errors import InvalidDataError, MissingDependencyError
from xinfang.instants import SHANGHAI
from xinfang.responsibility import Visibility, visibility
from xinfang.serialization import to_dict
from xinfang.store import open_store
from xinfang.web import (
    CSP,
    Auth,
    Viewer,
    ViewerRole,
    Viewers,
    create_app,
    demo_viewers,
    load_viewers,
    sign_token,
    verify_token,
)

from helpers import examples

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from xinfang.demo import DemoWorld

store_url = store_helpers.store_url
LEAD = {"X-Official-Id": "HQ-H"}
PAGES = ("/", "/cases", "/cases/XF-B0001", "/due")
MISSING = "XF-Z9999"
_URLS: dict[int, str] = {}


def _viewers(w: DemoWorld) -> Viewers:
    return demo_viewers(w.org, leading_group=w.campaign.leading_group)


@pytest.fixture(scope="module", params=store_helpers.BACKENDS)
def client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    """The small world served from each backend (one app per module and backend)."""
    w = small_world()
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path_factory.mktemp('web') / 'w.db'}"])
    else:
        urls = store_helpers.pg_schema_url()
    url = next(urls)
    app = create_app(stored(url, w), w.org, w.campaign, _viewers(w), as_of=as_of(w))
    with TestClient(app) as c:
        _URLS[id(c)] = url
        yield c
    for _ in urls:  # drops the PostgreSQL schema
        pass


def _api(c: TestClient, path: str, who: str = "HQ-H") -> Any:
    r = c.get(path, headers={"X-Official-Id": who})
    assert r.status_code == 200, (path, r.text[:300])
    return r.json()


def _links(doc: dict[str, Any]) -> list[tuple[str, int]]:
    return [(cell["href"], cell["value"]) for row in doc["table"] for cell in row["cells"]]


def _check_links(c: TestClient, who: str = "HQ-H", *, rows: int | None = None) -> int:
    """Every count of the bulletin (of its first ``rows`` rows): its list's sum is the number."""
    doc = _api(c, "/api", who)
    if rows is not None:
        doc = {**doc, "table": doc["table"][:rows]}
    links = _links(doc)
    for link, number in links:
        listed = _api(c, "/api" + link + "&per_page=1", who)
        assert listed["sum"] == number, (link, listed["sum"], number)
        if listed["max_weight"] <= 1:  # a count of cases: one row each
            assert listed["total"] == number, link
        else:  # a count of clocks or moves: a row per case, with its number
            assert listed["total"] < number, link
    return len(links)


# ------------------------------------------------------------------ pages and API
def test_every_page_and_its_api_twin_answer(client: TestClient) -> None:
    """Each page answers as HTML with the CSP header, its /api/ twin as JSON of the same data."""
    for path in PAGES:
        page = client.get(path, headers=LEAD)
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == CSP
        assert "<script" not in page.text.lower()
        api = client.get("/api" + ("" if path == "/" else path), headers=LEAD)
        assert api.status_code == 200, path
        assert api.headers["content-type"].startswith("application/json")
    bulletin = _api(client, "/api")
    assert bulletin["text"]["title"] in client.get("/", headers=LEAD).text


def test_bulletin_counts_link_to_lists_of_exactly_those_cases(client: TestClient) -> None:
    """The total row's numbers and one unit's link to lists of exactly that many cases.

    Both backends; every link of the full demo bulletin is followed by
    ``test_every_link_of_the_demo_bulletin_leads_to_its_count``.
    """
    assert _check_links(client, rows=2) > 50


def test_bulletin_is_the_snapshot_of_what_the_viewer_sees(client: TestClient) -> None:
    """The served bulletin's progress is ``xinfang.campaign.snapshot`` of the visible cases."""
    w = small_world()
    for who in ("HQ-H", "D8-S"):
        seen = [c for c in w.cases if visibility(who, c, w.org) is Visibility.FULL]
        snap = snapshot(w.campaign, seen, w.org, as_of=w.as_of, calendar=w.calendar)
        doc = _api(client, "/api", who)
        assert doc["overall"] == json.loads(json.dumps(to_dict(snap.overall)))
        assert [u["unit"] for u in doc["units"]] == list(w.campaign.units)


def test_bulletin_in_english_and_chinese(client: TestClient) -> None:
    """``?lang=en`` words the page in English, the default in Chinese."""
    zh = client.get("/", headers=LEAD).text
    en = client.get("/?lang=en", headers=LEAD).text
    assert "通报" in zh
    assert "Bulletin" in en
    assert 'lang="en"' in en


def test_case_page_explains_clocks_with_articles_timeline_chain_plan(client: TestClient) -> None:
    """A case page: every event with who and when, each clock explained with its article."""
    w = small_world()
    case = next(c for c in w.cases if c.plan is not None and c.roles)
    doc = _api(client, f"/api/cases/{case.id}")
    assert [e["seq"] for e in doc["timeline"]] == [e.seq for e in case.events]
    assert all(e["by"] and e["at"] for e in doc["timeline"])
    assert doc["clocks"]
    for clock in doc["clocks"]:
        assert clock["explanation"]
        assert "条例" in clock["citation"] or clock["kind"] == "plan"
    assert {h["role"] for h in doc["chain"]} == {h.role.value for h in case.roles}
    assert doc["plan"]["complete"] is case.plan.is_complete
    page = client.get(f"/cases/{case.id}", headers=LEAD).text
    assert doc["clocks"][0]["explanation"].split(":")[0] in page


def test_case_lists_filter_page_and_sort(client: TestClient) -> None:
    """Filters narrow a list, pages split it, sorting orders it."""
    w = small_world()
    every = _api(client, "/api/cases?per_page=500")
    assert every["total"] == len(w.cases)  # the leading group sees every case of the corps
    d1 = _api(client, "/api/cases?unit=D1&per_page=500")
    assert 0 < d1["total"] < every["total"]
    accepted = _api(client, "/api/cases?stage=accepted&per_page=500")
    assert all(i["stage"] == "accepted" for i in accepted["items"])
    targets = _api(client, "/api/cases?target=yes&per_page=500")
    assert targets["total"] == len(w.campaign.targets)
    first = _api(client, "/api/cases?per_page=10&page=1")
    second = _api(client, "/api/cases?per_page=10&page=2")
    assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in second["items"]})
    down = _api(client, "/api/cases?sort=-id&per_page=500")
    assert [i["id"] for i in down["items"]] == sorted(
        (i["id"] for i in every["items"]), reverse=True
    )
    overdue = _api(client, "/api/cases?status=overdue&per_page=500")
    assert overdue["total"] > 0
    soon = _api(client, "/api/cases?within=0&per_page=500")
    assert soon["total"] >= overdue["total"]


def test_due_list_is_the_scoped_store_due(client: TestClient) -> None:
    """/due shows exactly the rows of ``ViewerStore.due`` for the viewer, explained."""
    w = small_world()
    doc = _api(client, "/api/due?within=5")
    with open_store(_url_of(client), calendar=w.calendar) as s:
        rows = s.for_viewer("HQ-H", w.org).due(w.as_of, 5)
    assert [(i["case_id"], i["key"]) for i in doc["items"]] == [(c.case_id, c.key) for c in rows]
    assert all(i["explanation"] for i in doc["items"])


def _url_of(c: TestClient) -> str:
    return _URLS[id(c)]


# ------------------------------------------------------------------ who is looking
def test_without_a_known_viewer_401_and_nothing_else(client: TestClient) -> None:
    """No header, an unknown official, a bad value: 401 with only the rule, on every path."""
    for path in (*PAGES, "/api", "/api/cases", "/static/web.css", "/nowhere"):
        for headers in ({}, {"X-Official-Id": "nobody"}, {"X-Official-Id": ""}):
            r = client.get(path, headers=headers)
            assert r.status_code == 401, (path, headers)
            assert "XF-" not in r.text
            assert len(r.text) < 120


def test_accused_unit_sees_no_accusation_anywhere(client: TestClient) -> None:
    """Art. 30 ¶3: no page, list, count, search or guessed URL shows an accusation to D8."""
    w = small_world()
    hidden = accusations(w)
    assert hidden
    pattern = re.compile("|".join(re.escape(h) for h in hidden))
    # The total row's lists hold every placed case a unit row's list of the same count holds.
    for who in ("D8-S", "D8-H"):
        headers = {"X-Official-Id": who}
        paths = (*PAGES, "/api", "/api/cases?per_page=500", "/api/due?within=400")
        bodies = [client.get(path, headers=headers).text for path in paths]
        doc = _api(client, "/api", who)
        for link, number in _links({"table": doc["table"][:1]}):
            listed = client.get("/api" + link + "&per_page=500", headers=headers)
            assert listed.json()["sum"] == number  # the viewer's own counts reconcile
            bodies.append(listed.text)
            bodies.append(client.get(link, headers=headers).text)
        bodies.append(client.get("/api/cases?q=XF&per_page=500", headers=headers).text)
        for body in bodies:
            assert not pattern.search(body)
        missing_page = client.get(f"/cases/{MISSING}", headers=headers)
        missing_api = client.get(f"/api/cases/{MISSING}", headers=headers)
        for case_id in hidden:
            for path, missing in (
                (f"/cases/{case_id}", missing_page),
                (f"/api/cases/{case_id}", missing_api),
            ):
                r = client.get(path, headers=headers)
                assert r.status_code == missing.status_code == 404
                assert r.text.replace(case_id, MISSING) == missing.text
            r = client.get(f"/api/cases?q={case_id}", headers=headers)
            assert r.json()["total"] == 0


def test_personal_data_masked_unless_the_role_may_see_it(client: TestClient) -> None:
    """The petition office sees ID numbers and phones whole; the leading group and units masked."""
    staff = _api(client, "/api/cases/XF-S0001", "D2-S")["petitioners"][0]
    assert staff["id_number"] == RESIDENT_ID
    assert staff["phone"] == PHONE
    for who in ("HQ-H", "D2-H"):
        text = client.get("/api/cases/XF-S0001", headers={"X-Official-Id": who}).text
        page = client.get("/cases/XF-S0001", headers={"X-Official-Id": who}).text
        for body in (text, page):
            assert RESIDENT_ID not in body
            assert PHONE not in body
            assert "某市某路" not in body


def test_a_script_name_renders_as_text(client: TestClient) -> None:
    """HTML is autoescaped: a petitioner named ``<script>`` is shown as text, never markup."""
    page = client.get("/cases/XF-S0001", headers=LEAD).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert SCRIPT_NAME not in page
    assert _api(client, "/api/cases/XF-S0001")["petitioners"][0]["name"] == SCRIPT_NAME


# ------------------------------------------------------------------ safety
def test_read_only_and_bounded(client: TestClient) -> None:
    """No method but GET/HEAD; no request body; no request target over the limit."""
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        r = client.request(method, "/api/cases", headers=LEAD)
        assert r.status_code == 405
    r = client.request("GET", "/api", headers={**LEAD, "Content-Length": "5"}, content=b"hello")
    assert r.status_code == 413
    assert client.get("/api/cases?q=" + "x" * 3000, headers=LEAD).status_code == 414
    assert client.head("/", headers=LEAD).status_code == 200


def test_bad_queries_answer_with_the_rule_never_a_trace(client: TestClient) -> None:
    """A bad parameter is a 400 naming the field; pages and API alike; no stack trace."""
    for query in ("as_of=2026-13-01", "count=nope", "page=0", "lang=fr", "within=x"):
        api = client.get(f"/api/cases?{query}", headers=LEAD)
        assert api.status_code == 400, query
        error = api.json()["error"]
        assert error["message"].split(":")[1].strip() in query or "query" in error["message"]
        page = client.get(f"/cases?{query}", headers=LEAD)
        assert page.status_code == 400
        for body in (api.text, page.text):
            assert "Traceback" not in body
            assert 'File "' not in body
    out = client.get("/api/due?as_of=1800-01-01", headers=LEAD)
    assert out.status_code == 400
    assert client.get("/nowhere", headers=LEAD).status_code == 404


def test_an_internal_error_is_logged_not_shown(tmp_path: Path) -> None:
    """A failure inside the service answers 500 with a fixed message; the detail is only logged."""
    w = small_world()

    def broken() -> Any:
        raise RuntimeError("secret detail /etc/passwd")

    app = create_app(broken, w.org, w.campaign, _viewers(w), as_of=as_of(w))
    with TestClient(app) as c:
        for path in ("/", "/api"):
            r = c.get(path, headers=LEAD)
            assert r.status_code == 500
            assert "secret" not in r.text
            assert "Traceback" not in r.text


def test_a_slow_request_is_cut_at_the_time_limit(tmp_path: Path) -> None:
    """A request that would take longer than ``timeout`` answers 503 (the rule names the limit)."""
    import threading

    w = small_world()
    release = threading.Event()

    def stuck() -> Any:
        release.wait(10)  # released at the end of the test
        raise RuntimeError("never served")

    app = create_app(stuck, w.org, w.campaign, _viewers(w), as_of=as_of(w), timeout=0.05)
    with TestClient(app) as c:
        r = c.get("/api", headers=LEAD)
        release.set()
    assert r.status_code == 503
    assert "0.05" in r.json()["error"]["rule"]


def test_never_stale_after_a_command(tmp_path: Path) -> None:
    """A command recorded in the store shows in the next answer and page (caches keyed by mark)."""
    w = small_world()
    url = f"sqlite:///{tmp_path / 'w.db'}"
    app = create_app(stored(url, w), w.org, w.campaign, _viewers(w), as_of=as_of(w))
    with TestClient(app) as c:
        before = _api(c, "/api")["overall"]
        _api(c, "/api/cases?per_page=500", "D8-H")  # an accused unit's cases, kept before
        open_ids = [
            i["id"] for i in _api(c, "/api/cases?count=open&unit=all&per_page=500")["items"]
        ]
        case = next(x for x in w.cases if x.id in open_ids)
        with open_store(url, calendar=w.calendar) as s:
            at = case.events[-1].at.astimezone(SHANGHAI)
            s.apply(case.id, Settle(evidence="息诉罢访"), at=at, by="D1-S", org=w.org)
        after = _api(c, "/api")["overall"]
        assert after["settled"] == before["settled"] + 1
        assert after["open"] == before["open"] - 1
        listed = _api(c, "/api/cases?count=open&unit=all&per_page=500")
        assert case.id not in {i["id"] for i in listed["items"]}
        # The rendered pages too (the app keeps a page per cached answer), after a second
        # command on another case read through the page first.
        other = next(x for x in w.cases if x.id in open_ids and x.id != case.id)
        page = "/cases?count=open&unit=all&per_page=500"
        assert f'href="/cases/{other.id}' in c.get(page, headers=LEAD).text
        bulletin = c.get("/", headers=LEAD).text
        with open_store(url, calendar=w.calendar) as s:
            at = other.events[-1].at.astimezone(SHANGHAI)
            s.apply(other.id, Settle(evidence="息诉罢访"), at=at, by="D1-S", org=w.org)
        assert f'href="/cases/{other.id}' not in c.get(page, headers=LEAD).text
        assert c.get("/", headers=LEAD).text != bulletin
        assert _api(c, "/api")["overall"]["settled"] == before["settled"] + 2
        # Only the two settled cases were read again: every answer equals a new app's.
        fresh = create_app(
            lambda: open_store(url, calendar=w.calendar),
            w.org,
            w.campaign,
            _viewers(w),
            as_of=as_of(w),
        )
        with TestClient(fresh) as f:
            for who in ("HQ-H", "D8-H"):
                for path in ("/api", "/api/cases?per_page=500", "/api/cases?count=open&unit=all"):
                    assert _api(c, path, who) == _api(f, path, who)


# ------------------------------------------------------------------ viewers and tokens
@given(st.text(min_size=1, max_size=40), st.integers(1, 2**40))
def test_a_signed_token_names_its_official_until_it_expires(official: str, expires: int) -> None:
    """A token verifies with its key before its expiry, never after, never with another key."""
    key, other = b"k" * 32, b"o" * 32
    token = sign_token(official, key, expires=expires)
    assert verify_token(token, (other, key), now=expires - 1) == official
    assert verify_token(token, (key,), now=expires) is None
    assert verify_token(token, (other,), now=expires - 1) is None
    head, _, sig = token.rpartition(".")
    forged = f"{head}.{'A' if sig[0] != 'A' else 'B'}{sig[1:]}"
    assert verify_token(forged, (key,), now=expires - 1) is None


def test_token_auth_accepts_a_signed_token_and_refuses_the_header(tmp_path: Path) -> None:
    """With ``auth = "token"`` a valid bearer token is the viewer; the header alone is not."""
    w = small_world()
    key = b"a long random secret of the host"
    viewers = Viewers(
        viewers=(Viewer(official="HQ-H", role=ViewerRole.LEADING_GROUP),),
        auth=Auth.TOKEN,
        keys=(key,),
    )
    url = f"sqlite:///{tmp_path / 'w.db'}"
    app = create_app(
        stored(url, w), w.org, w.campaign, viewers, as_of=as_of(w), clock=lambda: 1000.0
    )
    with TestClient(app) as c:
        good = sign_token("HQ-H", key, expires=2000)
        assert c.get("/api/due", headers={"Authorization": f"Bearer {good}"}).status_code == 200
        late = sign_token("HQ-H", key, expires=999)
        assert c.get("/api/due", headers={"Authorization": f"Bearer {late}"}).status_code == 401
        stranger = sign_token("D1-H", key, expires=2000)  # signed, but not a listed viewer
        assert c.get("/api/due", headers={"Authorization": f"Bearer {stranger}"}).status_code == 401
        assert c.get("/api/due", headers=LEAD).status_code == 401


def test_a_viewers_file_is_read_whole_or_refused_with_every_problem(tmp_path: Path) -> None:
    """load_viewers names every bad row by its path; nothing is half read."""
    good = tmp_path / "viewers.toml"
    good.write_text(
        'header = "X-Remote-User"\n[[viewers]]\nofficial = "HQ-H"\nrole = "leading_group"\n',
        encoding="utf-8",
    )
    v = load_viewers(good)
    assert v.header == "X-Remote-User"
    assert v.get("HQ-H") == Viewer(official="HQ-H", role=ViewerRole.LEADING_GROUP)
    with pytest.raises(InvalidDataError) as bad:
        load_viewers(
            {
                "auth": "magic",
                "viewers": [
                    {"official": "A", "role": "king"},
                    {"official": "B", "role": "unit", "colour": 1},
                    {"official": "B", "role": "unit"},
                ],
            }
        )
    text = str(bad.value)
    for path in ("auth", "viewers[0].role", "viewers[1].colour", "viewers[2].official"):
        assert path in text
    with pytest.raises(InvalidDataError, match=r"viewers\[0\].official"):
        load_viewers({"viewers": [{"official": "ghost", "role": "unit"}]}).check(small_world().org)


def test_the_viewer_header_is_configurable(tmp_path: Path) -> None:
    """The proxy's header is the viewers file's ``header``; the default one is then ignored."""
    w = small_world()
    viewers = load_viewers(
        {"header": "X-Remote-User", "viewers": [{"official": "HQ-H", "role": "leading_group"}]}
    )
    url = f"sqlite:///{tmp_path / 'w.db'}"
    app = create_app(stored(url, w), w.org, w.campaign, viewers, as_of=as_of(w))
    with TestClient(app) as c:
        assert c.get("/api/due", headers={"X-Remote-User": "HQ-H"}).status_code == 200
        assert c.get("/api/due", headers=LEAD).status_code == 401


# ------------------------------------------------------------------ the command
def test_serve_without_a_store_or_demo_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """``xinfang serve`` alone says what it needs and exits 2."""
    from xinfang.cli import main

    assert main(["serve"]) == 2
    assert "--demo" in capsys.readouterr().err


def test_serve_without_the_web_extra_names_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without uvicorn installed, ``xinfang serve`` fails with the extra to install."""
    from xinfang.cli import main

    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert main(["serve", "--demo"]) == 1
    assert "xinfang[web]" in capsys.readouterr().err


def test_create_app_without_starlette_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """``xinfang.web.create_app`` without the extra raises MissingDependencyError naming it."""
    import xinfang.web

    monkeypatch.delitem(sys.modules, "xinfang.web._app", raising=False)
    monkeypatch.delattr(xinfang.web, "_app", raising=False)
    monkeypatch.setitem(sys.modules, "starlette.applications", None)
    with pytest.raises(MissingDependencyError, match=r"xinfang\[web\]"):
        xinfang.web.__getattr__("create_app")


def test_every_link_of_the_demo_bulletin_leads_to_its_count(tmp_path: Path) -> None:
    """``serve --demo``: every number of the demo bulletin links to a list of that many cases."""
    from xinfang.web._command import load_app

    args = argparse.Namespace(demo=True, lang="en", timeout=60.0)
    app, what = load_app(args, str(tmp_path))
    assert "HQ-H" in what
    assert "leading_group" in what
    with TestClient(app) as c:
        assert _check_links(c) > 200


def test_embedded_in_a_host_application(tmp_path: Path) -> None:
    """Mounted under a host's path, the pages link inside the mount and the API answers there."""
    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse
    from starlette.routing import Mount, Route

    w = small_world()
    url = f"sqlite:///{tmp_path / 'w.db'}"
    app = create_app(stored(url, w), w.org, w.campaign, _viewers(w), as_of=as_of(w))

    async def home(request: Any) -> PlainTextResponse:
        return PlainTextResponse("the host's own page")

    host = Starlette(routes=[Route("/", home), Mount("/xinfang", app=app)])
    with TestClient(host) as c:
        assert c.get("/").text == "the host's own page"
        page = c.get("/xinfang/", headers=LEAD).text
        links = re.findall(r'href="([^"]+)"', page)
        assert links
        assert all(h.startswith(("/xinfang/", "?")) for h in links), links[:5]
        first = next(h for h in links if "count=" in h).replace("&amp;", "&")
        assert c.get(first, headers=LEAD).status_code == 200
        assert c.get("/xinfang/api/due", headers=LEAD).status_code == 200
        missing = c.get("/xinfang/api/cases/XF-Z9999", headers=LEAD)
        assert missing.status_code == 404
        assert missing.json()["error"]["status"] == 404
        assert c.get("/xinfang/api/due").json()["error"]["status"] == 401


def test_column_wise_shares_equal_each_case_counted_alone() -> None:
    """Each case's part in the counts, worked out column-wise, is ``snapshot_counts`` of it alone.

    Over the small world on two days (during the campaign and at its end), with
    one case the campaign cannot place (an unknown handling unit).
    """
    import attrs

    from xinfang.case import replay
    from xinfang.changes import Forward, Register
    from xinfang.rulebook import bundled_rulebook
    from xinfang.web._counts import CaseCounts

    w = small_world()
    base = next(c for c in w.cases if c.handling_unit and not c.roles)
    events = list(base.events)
    k = next(i for i, e in enumerate(events) if isinstance(e.change, Forward))
    events[k] = attrs.evolve(events[k], change=Forward(to_unit="第九支队"))
    assert isinstance(events[0].change, Register)
    events[0] = attrs.evolve(events[0], change=attrs.evolve(events[0].change, case_id="XF-U0001"))
    odd = replay(events)
    cases = [*w.cases, odd]
    rb = bundled_rulebook()
    for day in (w.as_of, w.campaign.end):
        bulk = CaseCounts(w.campaign, w.org, rulebook=rb, calendar=w.calendar)
        bulk.fill(cases, day)
        alone = CaseCounts(w.campaign, w.org, rulebook=rb, calendar=w.calendar)
        assert bulk.fallbacks == 0  # the column-wise run itself agreed with the campaign
        for case in cases:
            a, b = alone.of(case, day), bulk.of(case, day)
            assert (a.bin, a.counts) == (b.bin, b.counts), (case.id, day)
    assert alone.of(odd, w.as_of).bin == "unplaced"


def test_serve_with_a_store_and_files_builds_the_app(tmp_path: Path) -> None:
    """``serve --db --org --campaign --viewers``: the store served to the viewers of the file."""
    from xinfang.serialization import to_toml
    from xinfang.web._command import load_app

    w = small_world()
    url = f"sqlite:///{tmp_path / 'w.db'}"
    stored(url, w)
    (tmp_path / "org.toml").write_text(to_toml(w.org), encoding="utf-8")
    (tmp_path / "campaign.toml").write_text(to_toml(w.campaign), encoding="utf-8")
    (tmp_path / "viewers.toml").write_text(
        '[[viewers]]\nofficial = "D1-S"\nrole = "petition_office"\n', encoding="utf-8"
    )
    args = argparse.Namespace(
        demo=False,
        db=url,
        org=str(tmp_path / "org.toml"),
        campaign=str(tmp_path / "campaign.toml"),
        viewers=str(tmp_path / "viewers.toml"),
        lang="zh",
        timeout=20.0,
    )
    app, what = load_app(args, str(tmp_path))
    assert "1 viewers" in what
    with TestClient(app) as c:
        staff = {"X-Official-Id": "D1-S"}
        doc = c.get(f"/api/due?as_of={w.as_of}&within=5", headers=staff).json()
        with open_store(url, calendar=w.calendar) as s:
            rows = s.for_viewer("D1-S", w.org).due(w.as_of, 5)
        assert [(i["case_id"], i["key"]) for i in doc["items"]] == [
            (r.case_id, r.key) for r in rows
        ]
        assert c.get("/api/due", headers=LEAD).status_code == 401  # not in this viewers file


def test_an_accusation_outside_the_chain_is_shown_only_as_existing(client: TestClient) -> None:
    """Art. 30 ¶3: an official outside the chain sees that an accusation exists, nothing more."""
    w = small_world()
    who = "D2-P"
    redacted = [c for c in w.cases if visibility(who, c, w.org) is Visibility.REDACTED]
    assert redacted
    case = redacted[0]
    listed = _api(client, "/api/cases?per_page=500", who)
    row = next(i for i in listed["items"] if i["id"] == case.id)
    assert row["redacted"] is True
    page = _api(client, f"/api/cases/{case.id}", who)
    assert page["redacted"] is True
    assert not {"petitioners", "claims", "timeline", "clocks", "chain", "plan"} & set(page)
    html = client.get(f"/cases/{case.id}", headers={"X-Official-Id": who}).text
    assert case.claims[0].request not in html
    assert case.petitioners[0].name not in html
    counted = _api(client, "/api/cases?count=cases&unit=all&per_page=500", who)
    assert case.id not in {i["id"] for i in counted["items"]}  # in no count
    assert _api(client, f"/api/cases?count=cases&unit=all&q={case.id}", who)["total"] == 0


@settings(max_examples=examples(8))
@given(
    seed=st.integers(0, 10_000),
    backlog=st.integers(0, 24),
    intake=st.integers(0, 12),
    days=st.integers(-20, 320),
)
def test_each_cases_counts_add_up_to_the_bulletins(
    seed: int, backlog: int, intake: int, days: int
) -> None:
    """For any corps and day, the cases' own counts add up to the snapshot's, unit by unit.

    The invariant every list rests on: a list reached from a count holds
    the cases whose own counts hold it, so its sum is the bulletin's number.
    """
    import datetime as dt

    from hypothesis import assume

    from xinfang.campaign import snapshot_counts
    from xinfang.demo import demo_world
    from xinfang.rulebook import bundled_rulebook
    from xinfang.web._counts import UNPLACED, CaseCounts

    w = demo_world(seed=seed, backlog=backlog, intake=intake)
    assume(w.cases)
    day = w.campaign.start + dt.timedelta(days=days)
    rb = bundled_rulebook()
    counts = CaseCounts(w.campaign, w.org, rulebook=rb, calendar=w.calendar)
    counts.fill(list(w.cases), day)
    real = snapshot_counts(w.campaign, list(w.cases), w.org, as_of=day, calendar=w.calendar)
    sums: dict[tuple[str | None, str], int] = {}
    for case in w.cases:
        share = counts.of(case, day)
        for name, v in share.counts.items():
            sums[share.bin, name] = sums.get((share.bin, name), 0) + v
    for name, values in real.counts:
        for i, unit in enumerate(real.units):
            assert sums.get((unit, name), 0) == values[i], (unit, name)
    for name, v in real.unplaced_counts:
        assert sums.get((UNPLACED, name), 0) == v
    assert counts.fallbacks == 0
