"""Benchmark: exact brute-force accuracy vs a straightforward batched forward pass.

    python scripts/bench_bruteforce.py [--runs 5] [--naive-runs 1] [--k5]

Trains the seed-123 model (paper recipe, K=4, V=64), then prints the median wall time of
pyverify's brute force over the 16,777,216 inputs, sequences/second, the naive forward
pass's time on the same model in the same run, the speed-up, and the peak memory (max RSS)
of a child process that only loads the model and runs the brute force.
With --k5 it also trains a K=5 model and times one brute force over 1.07e9 inputs.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

from pyverify.numeric.accuracy import count_correct
from pyverify.model.checkpoint import load_model, save_checkpoint
from pyverify.model.config import ModelConfig
from pyverify.numeric.reference import count_correct_naive
from pyverify.numeric.tables import path_tables
from pyverify.model.train import TrainConfig, train


def child(path: str) -> None:
    result = count_correct(path_tables(load_model(path)))
    print(result.correct, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--naive-runs", type=int, default=1)
    ap.add_argument("--k5", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child)

    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    model, info = train(ModelConfig(), TrainConfig(seed=123))
    print(f"trained K=4 V=64 seed 123 in {info['train_seconds']:.1f} s")
    tables = path_tables(model)
    times, correct = [], None
    for _ in range(args.runs):
        r = count_correct(tables)
        times.append(r.seconds)
        correct = r.correct
    fast = statistics.median(times)
    total = 64**4
    print(f"pyverify brute force: {correct}/{total} correct, median {fast:.3f} s over {args.runs} runs "
          f"({total / fast / 1e6:.1f} M sequences/s)")

    naive_times = []
    for _ in range(args.naive_runs):
        t = time.perf_counter()
        naive = count_correct_naive(model, dtype=torch.float32)
        naive_times.append(time.perf_counter() - t)
    slow = statistics.median(naive_times)
    print(f"naive batched forward (float32): {naive}/{total} correct, median {slow:.2f} s "
          f"({total / slow / 1e6:.2f} M sequences/s)")
    print(f"speed-up: {slow / fast:.1f}x")

    with tempfile.TemporaryDirectory() as tmp:
        path = save_checkpoint(model, Path(tmp) / "m.safetensors")
        out = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True, check=True)
        _, rss_kib = out.stdout.split()
        print(f"peak memory of a process that loads the model and runs the brute force: {int(rss_kib) / 1024:.0f} MiB")

    if args.k5:
        m5, info5 = train(ModelConfig(n_ctx=5), TrainConfig(seed=123))
        r = count_correct(path_tables(m5), progress=True)
        print(f"K=5 V=64 (trained {info5['train_seconds']:.1f} s): {r.correct}/{r.total} correct "
              f"(accuracy {r.accuracy:.6f}) in {r.seconds:.1f} s ({r.total / r.seconds / 1e6:.1f} M sequences/s)")


if __name__ == "__main__":
    main()
