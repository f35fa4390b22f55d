"""Benchmark: the certified subcubic checker on the seed-123 model (K=4, V=64), per preset.

    python scripts/bench_exact_subcubic.py [--runs 3]         # the seed-123 model
    python scripts/bench_exact_subcubic.py --seeds 20 --runs 1  # means over the sweep's seeds 0..19

For each preset: the float64 count and its rounding flag, the certified count and the gap
between them, the checking FLOPs of the float strategy, the median time of the exact check
over --runs runs (hints given; the float search that makes them is timed separately) and its
ratio to the float64 check measured in the same run, and the size of the Lean module
`pyverify export --strategy subcubic:PRESET` writes. Targets (issue 11): exact <= 2 s per
preset; certified within 0.5% of float64; module <= 200 KiB.
"""

from __future__ import annotations

import argparse
import statistics
import time

from pyverify.model.config import ModelConfig
from pyverify.exact.subcubic_checker import certify_subcubic
from pyverify.exact.subcubic_hints import search_hints
from pyverify.exact.weights import exact_weights
from pyverify.provers import render_module
from pyverify.numeric.strategies.subcubic import PRESETS, run_subcubic
from pyverify.model.train import TrainConfig, train


def measure(model, config, name: str, runs: int) -> dict:
    """One preset on one model: the float64 and certified counts, times (medians) and module size."""
    numeric = [run_subcubic(model, config) for _ in range(runs)]
    t = time.perf_counter()
    hints = search_hints(model, config)
    search = time.perf_counter() - t
    exact = [certify_subcubic(model, config, hints) for _ in range(runs)]
    f, e = numeric[0], exact[0]
    w = exact_weights(model)
    module = render_module(w, "Bench", f"subcubic:{name}", e.count, e.blocks, e.hints)
    return {"float64": f.count, "flag": f.uncertain, "certified": e.count, "total": f.total, "flops": f.flops,
            "search": search, "exact": statistics.median(r.seconds for r in exact),
            "float": statistics.median(r.seconds for r in numeric), "kib": len(module.encode()) / 1024}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=123)
    ap.add_argument("--seeds", type=int, default=0,
                    help="instead of --seed: train seeds 0..N-1 and print each preset's means over them")
    args = ap.parse_args()
    seeds = list(range(args.seeds)) if args.seeds else [args.seed]
    models = [train(ModelConfig(), TrainConfig(seed=seed))[0] for seed in seeds]
    if args.seeds:
        print(f"means over seeds 0..{args.seeds - 1}")
        print(f"{'preset':<12} {'float64 bound':>13} {'certified bound':>15} {'FLOPs':>9} {'exact s':>8} "
              f"{'Lean KiB':>8}")
        for name, config in PRESETS.items():
            rows = [measure(model, config, name, args.runs) for model in models]
            mean = {k: statistics.mean(r[k] / (r["total"] if k in ("float64", "certified") else 1) for r in rows)
                    for k in ("float64", "certified", "flops", "exact", "kib")}
            print(f"{name:<12} {mean['float64']:>13.4f} {mean['certified']:>15.4f} {mean['flops']:>9.3g} "
                  f"{mean['exact']:>8.2f} {mean['kib']:>8.0f}")
        return
    print(f"{'preset':<12} {'float64':>10} {'flag':>5} {'certified':>10} {'lost':>8} {'FLOPs':>9} "
          f"{'search s':>8} {'exact s':>8} {'float s':>8} {'ratio':>6} {'Lean KiB':>8}")
    for name, config in PRESETS.items():
        r = measure(models[0], config, name, args.runs)
        lost = (r["float64"] - r["certified"]) / r["float64"] if r["float64"] else 0.0
        print(f"{name:<12} {r['float64']:>10} {r['flag']:>5} {r['certified']:>10} {lost:>8.3%} {r['flops']:>9.3g} "
              f"{r['search']:>8.2f} {r['exact']:>8.2f} {r['float']:>8.3f} {r['exact'] / r['float']:>5.0f}x "
              f"{r['kib']:>8.0f}")


if __name__ == "__main__":
    main()
