"""Benchmark: the exact path on the seed-123 model (K=4, V=64).

    python scripts/bench_exact.py [--runs 3]

Prints the certified cubic count N_exact against the float64 cubic count, the median time of
the certified cubic over --runs runs and its ratio to the float64 cubic measured in the same
run, the certified brute force on a small trained model (V=10, K=5: 100,000 inputs), and the
size of the generated Lean module. Targets: certified cubic <= 60 s; N_exact within 0.1% of
the float count; module < 2 MB.
"""

from __future__ import annotations

import argparse
import statistics
import time

from pyverify.model.config import ModelConfig
from pyverify.exact.blocks import kernel_estimate
from pyverify.exact.brute_checker import certify_brute
from pyverify.exact.cubic_checker import certify_cubic
from pyverify.exact.weights import exact_weights
from pyverify.provers import render_module
from pyverify.numeric.strategies.cubic import run_cubic
from pyverify.model.train import TrainConfig, train


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    model, _ = train(ModelConfig(), TrainConfig(seed=123))
    exact_runs = [certify_cubic(model) for _ in range(args.runs)]
    float_runs = [run_cubic(model) for _ in range(args.runs)]
    n_exact, n_float = exact_runs[0].count, float_runs[0].count
    t_exact = statistics.median(r.seconds for r in exact_runs)
    t_float = statistics.median(r.seconds for r in float_runs)
    print(f"certified cubic: N_exact = {n_exact}, float64 cubic = {n_float}, "
          f"difference {n_float - n_exact} ({(n_float - n_exact) / n_float:.4%})")
    print(f"certified cubic median {t_exact:.2f} s over {args.runs} runs; float64 cubic {t_float:.3f} s "
          f"(exact / float = {t_exact / t_float:.0f}x)")
    w = exact_weights(model)
    text = render_module(w, "Seed123", "cubic", n_exact, exact_runs[0].blocks)
    seconds, peak_gb, blocks = kernel_estimate("cubic", w.d_vocab, w.n_ctx, w.d_model)
    print(f"generated module: {len(text.encode()) / 1024:.0f} KiB (S = {w.S} bits per weight), {blocks} block "
          f"theorems; Lean kernel estimate {seconds:.0f} s of CPU, {peak_gb:.1f} GB peak (not measured here)")

    small, _ = train(ModelConfig(d_vocab=10, n_ctx=5, d_model=16, d_head=16), TrainConfig(seed=1, steps=1500))
    t = time.perf_counter()
    r = certify_brute(small)
    dt = time.perf_counter() - t
    print(f"certified brute force, V=10 K=5: {r.count}/{r.total} in {dt:.1f} s ({r.total / dt:.0f} inputs/s)")


if __name__ == "__main__":
    main()
