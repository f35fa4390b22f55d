"""Benchmark: cubic and subcubic checking time against a straightforward loop implementation.

    python scripts/bench_strategies.py [--runs 5]

Trains the seed-123 model (K=4, V=64) and prints, for the cubic strategy and each subcubic
preset, the median checking time over --runs runs, cases per second, and the ratio to a
plain Python-loop implementation of the same bound measured in the same run (one run of
the loop version, over all cases). Targets: cubic <= 0.5 s, each subcubic <= 0.1 s.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time

import torch

from pyverify.config import ModelConfig
from pyverify.strategies.cubic import logit_pessimisations, positional_weights, run_cubic
from pyverify.strategies.result import FlopCounter
from pyverify.strategies.subcubic import PRESETS, run_subcubic
from pyverify.tables import path_tables
from pyverify.train import TrainConfig, train


def cubic_loop(model) -> int:
    """The cubic margins case by case in plain Python loops (the naive baseline)."""
    tables = path_tables(model)
    V, n = tables.d_vocab, tables.n_ctx
    flops = FlopCounter()
    low, high, e_query_pos = positional_weights(tables, flops)
    low, high, e_query_pos = low.tolist(), high.tolist(), e_query_pos.tolist()
    EQKE = tables.EQKE.tolist()
    proven = 0
    for m in range(V):
        U, E = (t.tolist() for t in logit_pessimisations(tables, m, flops))
        for q in range(m + 1):
            shift = max(EQKE[q][: m + 1])
            e = [math.exp(x - shift) for x in EQKE[q][: m + 1]]
            W = low[q][n - 1]
            query_term = e[q] * e_query_pos[q] * (E[q] + U[q])
            for k in range(m):
                for c in range(1, n):
                    if q < m and c == n - 1:
                        continue
                    a = n - 1 - c
                    worst = max(e[m] * w * (E[m] + U[q]) + query_term + e[k] * (W - w) * (E[k] + U[q])
                                for w in (low[q][a], high[q][a]))
                    proven += worst < 0
    return proven


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
        print(f"subcubic:{name:<10} checking median {check * 1000:.1f} ms ({cases / check / 1e6:.2f} M cases/s), "
              f"gap search {search * 1000:.0f} ms, bound {results[0].bound:.4f}")


if __name__ == "__main__":
    main()
