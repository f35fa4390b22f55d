"""Benchmark: scaling of `pyverify sweep` and `pyverify check` on local Dask workers.

    python scripts/bench_sweep.py [--seeds 10] [--runs 1] [--no-lean] [--no-coq]

1. Wall time of a sweep of --seeds full-size seeds (K=4, V=64, the paper's recipe; training,
   brute force, brute force + cubic + the four subcubic presets in float64 and certified; no
   formal checks), on 1 and on 2 local workers (fresh folders, so every model is trained), and
   the speed-up. Median of --runs runs each.
2. Wall time of checking the full-size Lean cubic certificate lean/Generated/Seed123.lean
   with the bare compiler on 1 worker (one file) and on 2 workers (split into its 14 block
   theorems, compiled by Dask), and the speed-up. Needs PYVERIFY_LEAN (or --lean).
3. The per-seed cost of each stage (from the 1-worker sweep), and of one formal check per
   prover on seed 0: Coq's cubic theorem (coqc) and Lean's (the 1-worker time above).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pyverify.model.config import ModelConfig  # noqa: E402
from pyverify.provers.lean import check_project, find_lean  # noqa: E402
from pyverify.study.sweep import Sweep, run_sweep, sweep_names  # noqa: E402
from pyverify.study.report import cost_markdown  # noqa: E402
from pyverify.model.train import TrainConfig  # noqa: E402


def time_sweep(seeds: int, workers: int, keep: Path | None = None) -> tuple[float, list[dict]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sweep"
        plan = Sweep(out, ModelConfig(), TrainConfig(), sweep_names("all"), torch_threads=1)
        start = time.perf_counter()
        result = run_sweep(plan, list(range(seeds)), workers=workers, progress=False)
        seconds = time.perf_counter() - start
        if result.failed:
            raise SystemExit(f"the sweep failed: {result.failed[0]}")
        records = [json.loads(p.read_text()) for p in sorted((out / "seeds").glob("seed*.json"))]
        if keep is not None:
            shutil.copy(out / "models" / "seed0.safetensors", keep)
            shutil.copy(out / "models" / "seed0.json", keep.with_suffix(".json"))
        return seconds, records


def time_lean_check(lean: str, workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "lean"
        shutil.copytree(ROOT / "lean", project, ignore=shutil.ignore_patterns(".lake"))
        start = time.perf_counter()
        statuses = check_project(project, lean=lean, only={"Seed123"}, workers=workers)[0]
        seconds = time.perf_counter() - start
        if not statuses[0].verified:
            raise SystemExit(f"Seed123 was not verified: {statuses[0].error}")
        return seconds


def time_coq_check(model_path: Path) -> float:
    from pyverify.model.checkpoint import load_model
    from pyverify.provers.coq import check_coq_project
    from pyverify.provers import to_coq

    with tempfile.TemporaryDirectory() as tmp:
        to_coq(load_model(model_path), "Seed0", "cubic", Path(tmp) / "coq")
        start = time.perf_counter()
        statuses = check_coq_project(Path(tmp) / "coq", only={"Seed0"})[0]
        seconds = time.perf_counter() - start
        if not statuses[0].verified:
            raise SystemExit(f"Seed0 (Coq) was not verified: {statuses[0].error}")
        return seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--lean", help="the bare Lean compiler (default: $PYVERIFY_LEAN or lean on PATH)")
    ap.add_argument("--no-lean", action="store_true")
    ap.add_argument("--no-coq", action="store_true")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as keep_dir:
        seed0 = Path(keep_dir) / "seed0.safetensors"
        walls, records = {}, None
        for workers in (1, 2):
            times = []
            for run in range(args.runs):
                seconds, found = time_sweep(args.seeds, workers, keep=seed0 if workers == 1 and run == 0 else None)
                times.append(seconds)
                records = records or found
            walls[workers] = statistics.median(times)
            print(f"sweep of {args.seeds} full-size seeds on {workers} worker{'s' * (workers > 1)}: median "
                  f"{walls[workers]:.1f} s over {args.runs} run(s) ({args.seeds / walls[workers] * 60:.1f} seeds/min)",
                  flush=True)
        print(f"sweep speed-up, 2 workers over 1: {walls[1] / walls[2]:.2f}x")

        lean_seconds = None
        lean = None if args.no_lean else find_lean(args.lean)
        if lean:
            lean_seconds = time_lean_check(lean, 1)
            print(f"Lean check of lean/Generated/Seed123.lean (cubic, 14 blocks), 1 worker: {lean_seconds:.0f} s",
                  flush=True)
            two = time_lean_check(lean, 2)
            print(f"the same split, 2 workers: {two:.0f} s; speed-up {lean_seconds / two:.2f}x", flush=True)
        elif not args.no_lean:
            print("no Lean compiler (set PYVERIFY_LEAN): the Lean figures are skipped")

        checks = []
        if lean_seconds is not None:
            checks.append({"strategy": "cubic", "prover": "lean", "verified": True, "seconds": lean_seconds,
                           "export_seconds": 0.0})
        if not args.no_coq and shutil.which("coqc"):
            coq_seconds = time_coq_check(seed0)
            checks.append({"strategy": "cubic", "prover": "coq", "verified": True, "seconds": coq_seconds,
                           "export_seconds": 0.0})
        print("\nper-seed cost by stage (1-worker sweep; formal checks on one full-size model):")
        print(cost_markdown(records, checks), end="")


if __name__ == "__main__":
    main()
