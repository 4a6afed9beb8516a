"""Classification: the policy as data, every conclusion explained, Art. 27 for every fact set."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import pytest
import tomli_w
from hypothesis import given
from hypothesis import strategies as st

import xinfang as x
from xinfang.classification import FACT_KINDS, rule_table
from xinfang.strategies import case_facts

from helpers import register, run, t

if TYPE_CHECKING:
    from pathlib import Path

POLICY = x.classification.default_policy()
RULE_IDS = {r.id for r in POLICY.rules}


def facts(**kw: Any) -> x.CaseFacts:
    return x.CaseFacts(**kw)


class TestProperties:
    """What every classification keeps, whatever the facts."""

    @given(case_facts())
    def test_total_deterministic_and_explained(self, f: x.CaseFacts) -> None:
        """Every fact set gets a class and a route; each conclusion has a reason naming a rule."""
        c = x.classify(f)
        assert c == x.classify(f)
        # Changed with issue #11: category and route are the library's enums.
        assert c.category in set(x.vocabulary.Category)
        assert isinstance(c.route, x.vocabulary.Route)
        assert c.why(c.category)
        assert c.why(c.route)
        for d in c.dispositions:
            assert c.why(f"disposition={d.value}")
        for tac in c.tactics:
            assert c.why(f"tactic={tac.value}")
        for flag in c.risk_flags:
            assert c.why(f"risk={flag}")
        if c.priority:
            assert c.why(f"priority={c.priority}")
        assert all(r.rule in RULE_IDS and r.citation for r in c.reasons)
        assert (c.policy_id, c.policy_digest) == (POLICY.id, POLICY.digest)

    @given(case_facts())
    def test_article_27_holds_for_every_fact_combination(self, f: x.CaseFacts) -> None:
        """三到位一处理: reasonable → resolve, unreasonable → educate, hardship → assist, ..."""
        d = x.classify(f).dispositions
        assert (x.classification.Disposition.RESOLVE in d) == (f.claim_reasonable is True)
        assert (x.classification.Disposition.EDUCATE in d) == (f.claim_reasonable is False)
        assert (x.classification.Disposition.ASSIST in d) == f.hardship
        assert (x.classification.Disposition.ENFORCE in d) == bool(f.unlawful_conduct)

    @given(case_facts())
    def test_litigation_never_goes_to_ordinary_handling(self, f: x.CaseFacts) -> None:
        """诉访分离 (Art. 28 ¶2): a litigation matter is routed to the political-legal organs."""
        c = x.classify(f)
        if f.litigation:
            assert c.route is x.vocabulary.Route.LITIGATION
        assert not (f.litigation and c.route is x.vocabulary.Route.ORDINARY)

    @given(case_facts())
    def test_a_suggestion_is_never_enforced_for_being_a_suggestion(self, f: x.CaseFacts) -> None:
        """Only unlawful conduct brings enforcement; a suggestion's class never does."""
        g = attrs.evolve(f, category="suggestion", unlawful_conduct=())
        assert x.classification.Disposition.ENFORCE not in x.classify(g).dispositions

    @given(case_facts(), st.data())
    def test_unread_facts_never_change_the_outcome(
        self, f: x.CaseFacts, data: st.DataObject
    ) -> None:
        """A fact the policy does not read cannot change its decision."""
        small = x.classification.load_policy(
            {
                "id": "small",
                "version": "1",
                "rules": [
                    {
                        "id": "a",
                        "when": {"fact": "hardship"},
                        "then": {"dispositions": ["assist"]},
                        "citation": "Art. 27",
                        "zh": "帮扶",
                        "en": "assist",
                    },
                    {
                        "id": "r",
                        "when": {"always": True},
                        "then": {"route": "ordinary"},
                        "citation": "Art. 31(6)",
                        "zh": "其他",
                        "en": "other",
                    },
                ],
            }
        )
        assert small.reads == frozenset({"hardship"})
        unread = sorted(set(FACT_KINDS) - small.reads - {"category"})
        name = data.draw(st.sampled_from(unread))
        other = data.draw(case_facts())
        g = attrs.evolve(f, **{name: getattr(other, name)})
        assert x.classify(g, small) == x.classify(f, small)

    def test_policy_round_trips_with_the_same_digest(self, tmp_path: Path) -> None:
        """Dump and load (mapping and TOML file) give the same policy and digest."""
        again = x.classification.load_policy(POLICY.to_dict())
        assert again.digest == POLICY.digest
        assert again == POLICY
        path = tmp_path / "p.toml"
        path.write_text(tomli_w.dumps(POLICY.to_dict()), encoding="utf-8")
        assert x.classification.load_policy(path).digest == POLICY.digest


EXAMPLES: dict[str, dict[str, Any]] = {
    "class-suggestion": {"category": "suggestion"},
    "class-accusation": {"category": "accusation"},
    "class-appeal": {"category": "appeal"},
    "class-accused": {"accused": True},
    "class-residual": {},
    "route-litigation": {"litigation": True},
    "route-suggestion": {"category": "suggestion"},
    "route-accusation": {"category": "accusation"},
    "route-arbitration": {"legal_channel": "arbitration"},
    "route-party-discipline": {"legal_channel": "party_discipline"},
    "route-administrative": {"legal_channel": "administrative"},
    "route-duty": {"duty_request": True},
    "route-ordinary": {"category": "appeal"},
    "disp-resolve": {"claim_reasonable": True},
    "disp-educate": {"claim_reasonable": False},
    "disp-assist": {"hardship": True},
    "disp-enforce": {"unlawful_conduct": (1,)},
    "tactic-task-force": {"earlier_handlings": 3},
    "tactic-expert-review": {"doubts": True},
    "tactic-inter-agency": {"in_jurisdiction": False},
    "tactic-legal-adviser": {"backlog": True},
    "tactic-evidence": {"claim_reasonable": False},
    "tactic-hearing-group": {"group_size": 30},
    "tactic-simplified": {"facts_clear": True},
    "risk-beijing-visit": {"beijing_visit": True},
    "risk-skip-level": {"skip_level": True},
    "risk-time-sensitive": {"time_sensitive": True},
}


class TestDefaultRules:
    """Each default rule fires on its example, with its citation."""

    def test_every_rule_has_an_example(self) -> None:
        """No rule of the default policy goes untested."""
        assert set(EXAMPLES) == RULE_IDS

    @pytest.mark.parametrize("rule_id", sorted(EXAMPLES))
    def test_rule_fires(self, rule_id: str) -> None:
        """The rule's example makes it fire."""
        c = x.classify(facts(**EXAMPLES[rule_id]))
        assert rule_id in {r.rule for r in c.reasons}

    def test_worked_example(self) -> None:
        """An unreasonable, unlawful repeat Beijing visitor in hardship."""
        c = x.classify(
            facts(
                category="appeal",
                claim_reasonable=False,
                hardship=True,
                unlawful_conduct=(4,),
                earlier_handlings=5,
                beijing_visit=True,
                first_time=False,
            )
        )
        assert c.route is x.vocabulary.Route.ORDINARY
        assert c.dispositions == {
            x.classification.Disposition.EDUCATE,
            x.classification.Disposition.ASSIST,
            x.classification.Disposition.ENFORCE,
        }
        assert c.tactics == {
            x.classification.Tactic.TASK_FORCE,
            x.classification.Tactic.EVIDENCE_PRESERVATION,
        }
        assert c.priority == 3
        assert c.risk_flags == ("unlawful_conduct", "beijing_visit")
        assert "第四十七条" in c.why("disposition=enforce")[0].citation

    def test_facts_from_a_case(self) -> None:
        """CaseFacts.from_case takes what the case records and adds the assessments."""
        case = run(
            (register(t(2025, 3, 3), repeat_of=["OLD-1"], beijing_visit=True), t(2025, 3, 3))
        )
        f = x.CaseFacts.from_case(case, claim_reasonable=True, earlier_handlings=4)
        assert (f.first_time, f.beijing_visit, f.claim_reasonable) == (False, True, True)
        assert x.classification.Tactic.TASK_FORCE in x.classify(f).tactics

    def test_host_override_of_the_task_force_threshold(self) -> None:
        """A host raises the threshold to 5 handlings: 4 no longer calls for a task force."""
        strict = x.classification.load_policy(
            {"id": "local", "version": "1", "parameters": {"task_force_min_handlings": 5}},
            base=POLICY,
        )
        four = facts(earlier_handlings=4)
        assert x.classification.Tactic.TASK_FORCE in x.classify(four).tactics
        assert x.classification.Tactic.TASK_FORCE not in x.classify(four, strict).tactics
        assert (
            x.classification.Tactic.TASK_FORCE
            in x.classify(facts(earlier_handlings=5), strict).tactics
        )
        assert strict.digest != POLICY.digest


def _policy(*rules: dict[str, Any], **top: Any) -> dict[str, Any]:
    base = [
        {
            "id": "r",
            "when": {"always": True},
            "then": {"route": "ordinary"},
            "citation": "c",
            "zh": "z",
            "en": "e",
        }
    ]
    return {"id": "p", "version": "1", "rules": [*rules, *base], **top}


def _rule(rid: str, when: Any, then: Any) -> dict[str, Any]:
    return {"id": rid, "when": when, "then": then, "citation": "c", "zh": "z", "en": "e"}


class TestBadPolicies:
    """A bad policy fails at load with the rule and the problem."""

    @pytest.mark.parametrize(
        ("data", "fragment"),
        [
            (_policy(_rule("a", {"fact": "mood"}, {"priority": 1})), "unknown fact 'mood'"),
            (_policy(_rule("a", {"fact": "hardship", "eq": 3}, {"priority": 1})), "does not fit"),
            (
                _policy(_rule("a", {"fact": "group_size", "ge": "big"}, {"priority": 1})),
                "does not fit",
            ),
            (
                _policy(
                    _rule("a", {"fact": "hardship"}, {"priority": 1}),
                    _rule("a", {"fact": "doubts"}, {"priority": 1}),
                ),
                "given twice",
            ),
            (
                _policy(
                    _rule(
                        "a",
                        {
                            "all": [
                                {"fact": "category", "eq": "appeal"},
                                {"fact": "category", "eq": "suggestion"},
                            ]
                        },
                        {"priority": 1},
                    )
                ),
                "unreachable",
            ),
            (
                _policy(
                    _rule("a", {"fact": "hardship"}, {"route": "duty"}),
                    _rule("b", {"fact": "hardship"}, {"route": "arbitration"}),
                ),
                "contradiction",
            ),
            (_policy(_rule("a", {"fact": "hardship"}, {"colour": "red"})), "unknown outcome"),
            (_policy(_rule("a", {"fact": "hardship"}, {"tactics": ["prayer"]})), "unknown tactic"),
            (
                _policy(
                    _rule(
                        "a", {"fact": "earlier_handlings", "ge": {"param": "nope"}}, {"priority": 1}
                    )
                ),
                "unknown parameter",
            ),
            (
                {
                    "id": "p",
                    "version": "1",
                    "rules": [_rule("a", {"fact": "hardship"}, {"priority": 1})],
                },
                "catch-all",
            ),
        ],
    )
    def test_refused(self, data: dict[str, Any], fragment: str) -> None:
        """Each mistake is named."""
        with pytest.raises(x.errors.PolicyError, match=fragment):
            x.classification.load_policy(data)

    def test_file_and_rule_in_the_message(self, tmp_path: Path) -> None:
        """Loading from a file names the file and the rule."""
        path = tmp_path / "local.toml"
        path.write_text(tomli_w.dumps(_policy(_rule("bad-one", {"fact": "mood"}, {"priority": 1}))))
        with pytest.raises(x.errors.PolicyError, match=r"local\.toml: rules\[0\] \(bad-one\)"):
            x.classification.load_policy(path)


def test_docs_hold_the_generated_rule_table() -> None:
    """docs/policy.md shows the default policy's rules exactly as generated."""
    from pathlib import Path

    page = (Path(__file__).resolve().parent.parent / "docs" / "policy.md").read_text("utf-8")
    assert rule_table(POLICY) in page
