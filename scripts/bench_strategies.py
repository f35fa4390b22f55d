"""Benchmark: cubic and subcubic checking time against a straightforward loop implementation.

    python scripts/bench_strategies.py [--runs 5]

Trains the seed-123 model (K=4, V=64) and prints, for the cubic strategy and each subcubic
preset, the median checking time over --runs runs, cases per second, and the ratio to a
plain Python-loop implementation of the same bound measured in the same run (one run of
the loop version, over all cases). Targets: cubic <= 0.5 s, each subcubic <= 0.1 s.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from pyverify.model.config import ModelConfig
from pyverify.numeric.strategies.cubic import logit_pessimisations, run_cubic
from pyverify.numeric.flops import FlopCounter
from pyverify.numeric.strategies.subcubic import PRESETS, run_subcubic
from pyverify.numeric.tables import path_tables
from pyverify.model.train import TrainConfig, train


def cubic_loop(model) -> int:
    """The cubic bound case by case: for each (q, m, k, c) and both extreme orderings, a
    softmax over the n positions and the pessimised logit difference (the naive baseline)."""
    tables = path_tables(model)
    V, n = tables.d_vocab, tables.n_ctx
    flops = FlopCounter()
    order = tables.EQKP[:, : n - 1].argsort(dim=1)  # positions by increasing positional score
    proven = 0
    for m in range(V):
        U, E = logit_pessimisations(tables, m, flops)
        for q in range(m + 1):
            for k in range(m):
                for c in range(1, n):
                    if q < m and c == n - 1:
                        continue
                    worst = -float("inf")
                    for positions in (order[q], order[q].flip(0)):
                        tokens = torch.full((n,), k)
                        tokens[positions[: n - 1 - c]] = m
                        tokens[n - 1] = q
                        p = (tables.EQKE[q, tokens] + tables.EQKP[q]).softmax(dim=0)
                        worst = max(worst, float(U[q] + (p * E[tokens]).sum()))
                    proven += worst < 0
    return proven


def subcubic_loop(model, config) -> float:
    """Seconds to evaluate every subcubic case one at a time at its searched gap."""
    from pyverify.numeric.strategies.subcubic import _all_cases, case_bounds, search_gaps, summaries

    gaps = search_gaps(model, config, summaries(model, config, FlopCounter()))
    t = time.perf_counter()
    flops = FlopCounter()
    s = summaries(model, config, flops)
    q, m, c = _all_cases(model.cfg.d_vocab, model.cfg.n_ctx)
    for i in range(q.numel()):
        g = gaps[i : i + 1].clamp_min(1) if int(c[i]) or int(q[i]) != int(m[i]) else gaps[i : i + 1] * 0
        if int(m[i]) - int(g) >= 0:
            case_bounds(s, config, q[i : i + 1], m[i : i + 1], c[i : i + 1], g, flops)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    model, _ = train(ModelConfig(), TrainConfig(seed=123))
    V, n = 64, 4

    times = [run_cubic(model).seconds for _ in range(args.runs)]
    fast = statistics.median(times)
    cubic_cases = sum((m + 1) * m * (n - 1) for m in range(V))
    t = time.perf_counter()
    cubic_loop(model)
    slow = time.perf_counter() - t
    print(f"cubic: median {fast:.3f} s over {args.runs} runs ({cubic_cases / fast / 1e6:.2f} M cases/s); "
          f"loop version {slow:.2f} s; speed-up {slow / fast:.0f}x")

    for name, config in PRESETS.items():
        results = [run_subcubic(model, config) for _ in range(args.runs)]
        check = statistics.median(r.seconds for r in results)
        search = statistics.median(r.search_seconds for r in results)
        cases = len(results[0].cases["query"])
        slow = subcubic_loop(model, config)
        print(f"subcubic:{name:<10} checking median {check * 1000:.1f} ms ({cases / check / 1e6:.2f} M cases/s), "
              f"gap search {search * 1000:.0f} ms, bound {results[0].bound:.4f}; "
              f"case-by-case loop {slow:.2f} s, speed-up {slow / check:.0f}x")


if __name__ == "__main__":
    main()
