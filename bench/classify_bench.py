"""Benchmark: classifications per second with the default policy.

    python bench/classify_bench.py [--n 100000] [--seed 20261127]

Draws ``--n`` random fact sets (every fact varied) and times ``classify`` on
them, best of ``--repeat`` runs, on one core.
"""

from __future__ import annotations

import argparse
import platform
import random
import time

import xinfang as x


def make_facts(n: int, seed: int) -> list[x.CaseFacts]:
    rng = random.Random(seed)
    maybe = (None, True, False)
    return [
        x.CaseFacts(
            category=rng.choice((None, "suggestion", "accusation", "appeal")),
            claim_reasonable=rng.choice(maybe),
            legal_basis=rng.choice(maybe),
            facts_clear=rng.choice(maybe),
            hardship=rng.random() < 0.3,
            unlawful_conduct=tuple(rng.sample(range(1, 7), rng.choice((0, 0, 0, 1)))),
            litigation=rng.random() < 0.1,
            legal_channel=rng.choice((None, None, None, "arbitration", "administrative")),
            duty_request=rng.random() < 0.1,
            in_jurisdiction=rng.random() < 0.9,
            earlier_handlings=rng.randrange(8),
            clear_conclusion=rng.random() < 0.5,
            doubts=rng.random() < 0.2,
            policy_heavy=rng.random() < 0.2,
            group_size=rng.choice((1, 1, 1, 3, 8, 40)),
            skip_level=rng.random() < 0.1,
            beijing_visit=rng.random() < 0.02,
            first_time=rng.random() < 0.6,
            time_sensitive=rng.random() < 0.05,
            accused=rng.random() < 0.1,
            backlog=rng.random() < 0.3,
        )
        for _ in range(n)
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20261127)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    facts = make_facts(args.n, args.seed)
    policy = x.classification.default_policy()
    classify = x.classify
    best = float("inf")
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for f in facts:
            classify(f, policy)
        best = min(best, time.perf_counter() - t0)
    rate = len(facts) / best
    print(
        f"Python {platform.python_version()} on {platform.machine()}, policy {policy.id} "
        f"{policy.version} ({len(policy.rules)} rules), {len(facts):,} fact sets, "
        f"best of {args.repeat}"
    )
    print()
    print("| measurement | fact sets | seconds | classifications/s | goal |")
    print("|---|---:|---:|---:|---|")
    goal = "met" if rate >= 50_000 else "not met"
    print(
        f"| `classify`, default policy | {len(facts):,} | {best:.2f} | {rate:,.0f} | "
        f"≥ 50,000/s: {goal} |"
    )


if __name__ == "__main__":
    main()
