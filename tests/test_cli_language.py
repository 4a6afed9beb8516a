"""The command speaks one language at a time; bad dates and ledgers get one clear message.

`xinfang due`, `xinfang db due` and `xinfang db check` print labels, statuses
and citations in the chosen language (Chinese by default, `--lang en`), never
an enum code or a Python repr; a citation in an explanation is in the
explanation's language (issue 21: 依据:民法典 Arts. 201, 203 in Chinese text).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

import xinfang as x
from xinfang.cli import main
from xinfang.deadlines import ClockStatus, status_label
from xinfang.demo import demo_world
from xinfang.periods import LAW_TITLES, _from_zh, _zh_number, cite

if TYPE_CHECKING:
    from pathlib import Path

AS_OF = "2026-12-28"  # some clocks fall due in 2027: provisional
CJK = re.compile(r"[\u3400-\u9fff]")
CODES = ("due_soon", "overdue ", "running", "paused ")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's files, written once by `xinfang demo --export`."""
    folder = tmp_path_factory.mktemp("lang")
    assert main(["demo", "--export", str(folder), "-q"]) == 0
    return folder


# ------------------------------------------------------------ citations
class TestCitations:
    """A citation reads in one language: the law's title and its article numbers."""

    def test_the_civil_code_rule_in_chinese_and_english(self) -> None:
        """民法典 Arts. 201, 203 (the default counting rule) reads wholly in each language."""
        rule = x.periods.CountingRule().citation
        assert cite(rule) == "民法典 第二百零一条、第二百零三条; 民事诉讼法 第八十五条"
        assert cite(rule, "en") == "Civil Code Arts. 201, 203; Civil Procedure Law Art. 85"

    def test_paragraphs_items_and_ranges(self) -> None:
        """Art. 23 ¶3-4, Art. 22 (3) and Arts. 200-204 of the 2022 regulation and Civil Code."""
        assert cite("信访工作条例 (2022) 第二十三条第三款、第四款", "en") == (
            "Regulations on Petition Work (2022) Art. 23 ¶3, ¶4"
        )
        assert cite("信访工作条例 (2022) 第二十二条第三项", "en") == (
            "Regulations on Petition Work (2022) Art. 22 (3)"
        )
        assert cite("民法典 Arts. 200-204") == "民法典 第二百条至第二百零四条"

    @given(st.integers(1, 9999))
    def test_chinese_numerals_round_trip(self, n: int) -> None:
        """Every article number 1-9999 reads back from its Chinese numerals."""
        assert _from_zh(_zh_number(n)) == n

    @given(
        st.sampled_from(sorted(LAW_TITLES)),
        st.lists(
            st.tuples(st.integers(1, 300), st.none() | st.integers(1, 9), st.none()),
            min_size=1,
            max_size=4,
        ),
    )
    def test_chinese_citations_round_trip_through_english(
        self, law: str, refs: list[tuple[int, int | None, None]]
    ) -> None:
        """Any 第N条[第M款]、... citation goes to English without Chinese numerals and back."""
        zh = (
            law
            + " "
            + "、".join(
                f"第{_zh_number(a)}条" + (f"第{_zh_number(p)}款" if p else "") for a, p, _ in refs
            )
        )
        en = cite(zh, "en")
        assert not CJK.search(en)
        assert cite(en) == zh

    def test_every_bundled_citation_reads_in_english(self) -> None:
        """Each limit of every bundled rulebook cites its article without Chinese in English."""
        for name in ("xinfang-2022", "xinfang-2005"):
            book = x.load_rulebook(_bundled_path(name))
            for limit in book.limits:
                assert not CJK.search(cite(limit.citation, "en")), limit.citation

    def test_explanations_cite_in_their_own_language(self) -> None:
        """A due date's and a clock's explanation: 依据 in Chinese, Rule: in English, unmixed."""
        due = x.due_date(dt.date(2025, 8, 8), x.periods.Period.days(60))
        assert "依据:民法典 第二百零一条、第二百零三条" in due.explain()
        assert "Arts." not in due.explain()
        assert "Rule: Civil Code Arts. 201, 203" in due.explain("en")
        assert not CJK.search(due.explain("en").split("Rule:")[1])
        case = demo_world().cases[0]
        for clock in x.clocks(case, as_of=dt.date(2026, 11, 27)):
            assert not CJK.search(clock.explain("en").split("Rule:")[1].split(";")[0])
            assert "Art" not in clock.explain().split("依据:")[1]

    def test_status_labels(self) -> None:
        """Each status has a Chinese and an English label; neither is its code."""
        for status in ClockStatus:
            assert CJK.search(status_label(status))
            assert "_" not in status_label(status, "en")
        with pytest.raises(x.XinfangError, match="unknown language"):
            status_label(ClockStatus.OVERDUE, "fr")


def _bundled_path(name: str) -> str:
    from pathlib import Path

    return str(Path(x.__file__).parent / "data" / "rulebooks" / f"{name}.toml")


# ------------------------------------------------------------ the command
def test_due_speaks_chinese_by_default_and_english_when_asked(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Statuses, titles, citations, marks and the summary: all in one language, no codes."""
    ledger = str(demo / "ledger.jsonl")
    assert main(["due", ledger, "--as-of", AS_OF, "--within", "5"]) == 0
    zh = capsys.readouterr()
    assert zh.out and not any(code in zh.out for code in CODES)
    assert "Art" not in zh.out and "provisional" not in zh.out and "clock(s)" not in zh.err
    assert "(暂定)" in zh.out and "注意:" in zh.err
    assert main(["due", ledger, "--as-of", AS_OF, "--within", "5", "--lang", "en"]) == 0
    en = capsys.readouterr()
    assert not CJK.search(en.out) and not CJK.search(en.err)
    assert "(provisional)" in en.out and "due soon" in en.out
    assert [line[:10] for line in zh.out.splitlines()] == [
        line[:10] for line in en.out.splitlines()
    ]


def test_due_json_keeps_codes_beside_their_text(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """JSON rows keep the status code for machines and add its text in the chosen language."""
    argv = ["due", str(demo / "ledger.jsonl"), "--as-of", AS_OF, "--format", "json", "-q"]
    assert main([*argv, "--lang", "en"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["lang"] == "en"
    for clock in doc["clocks"]:
        assert clock["status_text"] == clock["status"].replace("_", " ")
        assert not CJK.search(clock["citation_text"] + clock["title_text"])


def test_db_due_and_db_check_speak_the_language(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`db due` lists like `due`; `db check` says its verdict in words, never a repr."""
    db = ["--db", f"sqlite:///{tmp_path / 'lang.db'}", "-q"]
    assert main(["db", "import", str(demo / "ledger.jsonl"), *db]) == 0
    assert main(["db", "due", *db, "--as-of", AS_OF, "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out and not CJK.search(out)
    assert main(["db", "check", *db]) == 0
    assert capsys.readouterr().out == "已核对 480 件案件: 投影与日志一致\n"
    assert main(["db", "check", *db, "--lang", "en"]) == 0
    assert capsys.readouterr().out == (
        "checked 480 case(s): the projections agree with the journal\n"
    )
    # Projections made on the provisional calendar disagree with a strict recomputation.
    assert main(["db", "check", *db, "--strict-calendar", "--lang", "en"]) == 1
    out = capsys.readouterr().out
    assert "problem(s)" in out and "CheckReport" not in out and "!=" not in out
    assert "the clock rows differ from the journal's" in out


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-12-02+08:00", "expected a date YYYY-MM-DD, e.g. 2026-12-02"),
        ("2026/12/02", "is not a date: expected YYYY-MM-DD, e.g. 2026-12-02"),
        ("2026-02-30", "day is out of range for month"),
        ("1900-01-01", "outside the range xinfang accepts"),
    ],
)
def test_a_bad_date_option_shows_the_form(
    text: str, says: str, demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--as-of with a wrong date: usage error (2) naming the option, the form and an example."""
    assert main(["due", str(demo / "ledger.jsonl"), "--as-of", text]) == 2
    err = capsys.readouterr().err
    assert "argument --as-of" in err and says in err


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2026-12-02+08:00", "a date with an offset but no time"),
        ("2026-12-02", "a date without a time or offset"),
        ("2026-12-02T09:30", "has no offset"),
        ("0001-01-01T00:00:00+08:00", "outside the range xinfang accepts"),
    ],
)
def test_a_bad_instant_option_shows_the_form(
    text: str, says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--at with a wrong instant: names what is wrong and shows the form by example."""
    argv = ["db", "apply", "C1", "change.json", "--db", f"sqlite:///{tmp_path / 'x.db'}"]
    assert main([*argv, "--at", text]) == 2
    err = capsys.readouterr().err
    assert says in err
    assert ("e.g. 2026-12-02T09:30:00+08:00" in err) == ("outside" not in says)
    if "offset but no time" in says:
        assert "no offset" not in err


@pytest.mark.parametrize("shape", ["array", "pretty"])
@pytest.mark.parametrize("command", ["due", "validate", "report", "db import"])
def test_a_json_file_that_is_not_json_lines_gets_one_message(
    shape: str, command: str, demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JSON array or a pretty-printed document as a ledger: one line saying one case per line."""
    docs = [json.loads(line) for line in (demo / "ledger.jsonl").read_text("utf-8").splitlines()]
    bad = tmp_path / "cases.json"
    value = docs[:3] if shape == "array" else docs[0]
    bad.write_text(json.dumps(value, ensure_ascii=False, indent=2), encoding="utf-8")
    argv = {
        "due": ["due", str(bad)],
        "validate": ["validate", str(bad)],
        "report": [
            "report",
            str(bad),
            "--org",
            str(demo / "org.toml"),
            "--campaign",
            str(demo / "campaign.toml"),
        ],
        "db import": ["db", "import", str(bad), "--db", f"sqlite:///{tmp_path / 'x.db'}"],
    }[command]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "a ledger holds one case per line" in err
    assert ("JSON array" in err) == (shape == "array")
