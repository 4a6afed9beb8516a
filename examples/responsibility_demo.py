"""A small corps, a backlog case owned by its head, an interest declared, and the refusal.

Run it with ``python examples/responsibility_demo.py``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import xinfang as x

SH = zoneinfo.ZoneInfo("Asia/Shanghai")

CORPS = """
levels = ["corps", "detachment", "brigade"]

[[units]]
id = "HQ"
name = "总队"
level = "corps"

[[units]]
id = "D1"
name = "第一支队"
level = "detachment"
parent = "HQ"

[[units]]
id = "D2"
name = "第二支队"
level = "detachment"
parent = "HQ"

[[officials]]
id = "hq-head"
name = "总队长 周一"
unit = "HQ"
post = "head"

[[officials]]
id = "hq-deputy"
name = "副总队长 吴二"
unit = "HQ"
post = "leadership"
liaison_units = ["D1"]

[[officials]]
id = "d1-head"
name = "支队长 郑三"
unit = "D1"
post = "head"

[[officials]]
id = "d1-clerk"
name = "干事 王四"
unit = "D1"
post = "staff"

[[officials]]
id = "d2-head"
name = "支队长 冯五"
unit = "D2"
post = "head"
"""


def at(y: int, m: int, d: int) -> dt.datetime:
    """9:00 on a day in Asia/Shanghai."""
    return dt.datetime(y, m, d, 9, tzinfo=SH)


def main() -> None:
    """Build the corps, assign the backlog case, declare an interest, show the refusal."""
    import tomllib

    org = x.load_organization(tomllib.loads(CORPS))
    print(f"corps: {len(org.units)} units, {len(org.officials)} officials; root {org.root.name}")

    register = x.changes.Register(
        case_id="XF-2019-000042",
        received_at=at(2025, 3, 3),
        channel=x.vocabulary.Channel.VISIT,
        receiving_unit="HQ",
        petitioners=[x.personal.Petitioner(name="陈六")],
        claims=[
            x.changes.Claim(request="落实伤残待遇", facts="2019年起多次反映", reasons="政策规定")
        ],
        backlog_since=dt.date(2019, 6, 1),
    )
    case, _ = x.open_case(register, at(2025, 3, 3))
    case, _ = x.apply(case, x.changes.Forward(to_unit="D1"), at(2025, 3, 4))
    case, _ = x.apply(case, x.changes.Accept(), at(2025, 3, 5))

    policy = x.responsibility.load_assignment_policy()
    print("gaps:", "; ".join(x.responsibility.policy_gaps(case, org, policy)))
    for proposal in x.responsibility.proposed_assignments(case, org, policy):
        case, _ = x.apply(case, proposal, at(2025, 3, 6), by="领导小组办公室", org=org)
        print(f"assigned {proposal.role.value}: {proposal.holder} ({proposal.reason})")
    person = x.changes.AssignRole(
        role=x.vocabulary.Role.RESPONSIBLE_PERSON, holder="d1-clerk", reason="具体承办"
    )
    case, _ = x.apply(case, person, at(2025, 3, 6), org=org)
    plan = x.changes.SettlementPlan(
        owner="d1-head", deadline=dt.date(2025, 6, 30), measures=["组织专班"]
    )
    case, _ = x.apply(case, x.changes.SetPlan(plan=plan), at(2025, 3, 7), org=org)
    print(
        "plan complete:",
        plan.is_complete,
        "| an empty plan lacks:",
        x.changes.SettlementPlan().missing(),
    )
    head = x.responsibility.first_responsible(case, org)
    print("first responsible (derived):", head.name if head else None)

    kin = x.responsibility.Interest(official="d1-head", petitioner="陈六", note="与信访人系亲属")
    print("chains to change after the declaration:", x.responsibility.conflicts(kin, [case], org))
    try:
        x.apply(
            case,
            x.changes.AssignRole(
                role=x.vocabulary.Role.LEAD_OFFICIAL, holder="d1-head", reason="重新包案"
            ),
            at(2025, 3, 10),
            org=org,
            interests=[kin],
        )
    except x.errors.RecusalError as exc:
        print(f"refused: {type(exc).__name__}: {exc}")
    release = x.changes.ReleaseRole(
        role=x.vocabulary.Role.LEAD_OFFICIAL, holder="d1-head", reason="回避"
    )
    case, _ = x.apply(case, release, at(2025, 3, 10), org=org)
    for proposal in x.responsibility.proposed_assignments(case, org, policy, interests=[kin]):
        case, _ = x.apply(case, proposal, at(2025, 3, 10), org=org, interests=[kin])
        print(f"after recusal the policy proposes {proposal.role.value}: {proposal.holder}")
    plan = x.changes.SettlementPlan(
        owner="hq-deputy", deadline=plan.deadline, measures=plan.measures
    )
    case, _ = x.apply(case, x.changes.SetPlan(plan=plan), at(2025, 3, 10), org=org, interests=[kin])
    print("chains still to change:", x.responsibility.conflicts(kin, [case], org))
    print("chain on 2025-03-06:", x.responsibility.chain_as_of(case, dt.date(2025, 3, 6)))
    print("chain on 2025-03-10:", x.responsibility.chain_as_of(case, dt.date(2025, 3, 10)))

    as_of = dt.date(2025, 5, 20)
    told, skipped = x.responsibility.escalations(
        case, x.clocks(case, as_of=as_of), org, as_of=as_of, interests=[kin]
    )
    for e in told:
        print(f"tell {e.official:<10} as {e.target:<18} about {e.clock}")
    for s in skipped:
        print(f"skipped {s.official or '-'} ({s.target}): {s.reason}")


if __name__ == "__main__":
    main()
