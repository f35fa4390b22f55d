"""Benchmark: Coq's checkers evaluated by vm_compute (on BigZ), against the Python exact path.

    python scripts/bench_coq.py [--brute 4x2,8x3,16x3,32x3] [--cubic 8,16,32,64]
                                [--subcubic default,exact-eqke,svd,quadratic] [--runs 1]

Needs coqc (../shared/design/COQ.md). Builds the Coq library in a temporary copy of coq/ and
reports its build time; then, per model, the Python exact count and time, the Coq count (it
must be equal) and the coqc time and peak memory of one `Eval vm_compute` of the tables (on BigZ,
as the checkers compute them) and of the checker, tables included (median over --runs). Brute
force: trained models VxK (K = n_ctx). Cubic: trained K=4 models with d_model = d_head =
min(V, 32); V=64 is the seed-123 model of the README. Subcubic: the named presets on that
seed-123 model. Issue 31's target: <= 30 s of coqc for the full-size cubic module and for each
subcubic preset.
"""

from __future__ import annotations

import argparse
import functools
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from pyverify.model.config import ModelConfig
from pyverify.exact.brute_checker import certify_brute
from pyverify.exact.cubic_checker import certify_cubic
from pyverify.exact.fixed import inv_sqrt
from pyverify.exact.subcubic_checker import certify_subcubic
from pyverify.exact.weights import ExactWeights, exact_weights
from pyverify.provers import FIELDS
from pyverify.provers.coq_render import coq_hints_record, coq_rows
from pyverify.model.train import TrainConfig, train

ROOT = Path(__file__).resolve().parents[1]


def coq_weights(w: ExactWeights) -> str:
    fields = "; ".join(f"{attr} := [{'; '.join('[' + r + ']' for r in coq_rows(getattr(w, attr)))}]"
                       for _, attr in FIELDS)
    return (f"{{| d_vocab := {w.d_vocab}; n_ctx := {w.n_ctx}; d_model := {w.d_model}; d_head := {w.d_head}; "
            f"S := {w.S}; {fields} |}}")


def coq_eval(library: Path, w: ExactWeights, checker: str, hints: str = "") -> tuple[int, float, float, float]:
    """(count, tables seconds, checker seconds, peak MiB) of one coqc run of `checker` on the
    weights, the scale and (subcubic) the hints record."""
    lo, hi = inv_sqrt(w.d_head)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "Bench.v"
        script.write_text("From PyVerify Require Import Semantics Fixed Tables BigCarrier Brute BruteBig Cubic CubicBig "
                          "Subcubic SubcubicBig.\n"
                          "From Coq Require Import List ZArith.\nImport ListNotations.\nOpen Scope Z_scope.\n"
                          f"Definition w0 := {coq_weights(w)}.\n"
                          "Time Eval vm_compute in length (Big.EQKE (TablesB.exact_tables w0)).\n"
                          f"Time Eval vm_compute in {checker} w0 ({lo}, {hi}) {hints}.\n")
        r = subprocess.run(["/usr/bin/time", "-f", "PEAK %M", "coqc", "-R", str(library / "theories"), "PyVerify",
                            str(script)], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"coqc failed: {r.stderr.strip()[-400:]}")
    count = int(re.findall(r"= (\d+)%(?:nat|N)", r.stdout)[-1])
    tables, check = (float(t) for t in re.findall(r"Finished transaction in ([\d.]+) secs", r.stdout))
    peak = int(re.search(r"PEAK (\d+)", r.stderr)[1]) / 1024
    return count, tables, check, peak


@functools.cache
def trained(V: int, n: int):
    """The README's seed-123 model for K=4, V=64; otherwise a model trained briefly (seed 0)."""
    if (V, n) == (64, 4):
        return train(ModelConfig(), TrainConfig(seed=123))[0]
    d = min(V, 32)
    return train(ModelConfig(d_vocab=V, n_ctx=n, d_model=d, d_head=d), TrainConfig(seed=0, steps=1500, lr=3e-3))[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--brute", default="4x2,8x3,16x3", help="comma-separated VxK for the brute-force checker")
    ap.add_argument("--cubic", default="8,16,32,64", help="comma-separated V (K=4) for the cubic checker")
    ap.add_argument("--subcubic", default="default,exact-eqke,svd,quadratic",
                    help="comma-separated subcubic presets, on the K=4, V=64 seed-123 model")
    ap.add_argument("--runs", type=int, default=1)
    args = ap.parse_args()
    if shutil.which("coqc") is None:
        raise SystemExit("coqc is not installed (../shared/design/COQ.md)")
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "coq"
        shutil.copytree(ROOT / "coq", library, ignore=shutil.ignore_patterns("*.vo*", "*.glob", ".*.aux",
                                                                            "Makefile.coq*", ".*.cache", "Generated"))
        start = time.perf_counter()
        subprocess.run(["make", "-C", str(library)], check=True, capture_output=True)
        print(f"Coq library: built in {time.perf_counter() - start:.1f} s (make, one core)")
        jobs = [("brute", spec, *map(int, spec.split("x"))) for spec in args.brute.split(",") if spec]
        jobs += [("cubic", "", int(v), 4) for v in args.cubic.split(",") if v]
        jobs += [("subcubic", preset, 64, 4) for preset in args.subcubic.split(",") if preset]
        for kind, preset, V, n in jobs:
            model = trained(V, n)
            w = exact_weights(model)
            start = time.perf_counter()
            if kind == "subcubic":
                result = certify_subcubic(model, preset, force=True)
                hints = f"({coq_hints_record(result.hints)})"
            else:
                result = (certify_brute if kind == "brute" else certify_cubic)(w, force=True)
                hints = ""
            python_seconds = time.perf_counter() - start
            runs = [coq_eval(library, w, f"check_{kind}_big", hints) for _ in range(args.runs)]
            count = runs[0][0]
            tables = statistics.median(r[1] for r in runs)
            check = statistics.median(r[2] for r in runs)
            peak = max(r[3] for r in runs)
            assert all(r[0] == count for r in runs)
            status = "equal" if count == result.count else f"DIFFERENT (Python {result.count})"
            name = f"{kind} {preset}" if kind == "subcubic" else kind
            print(f"{name:<19} V={V:<3} K={n}  {V ** n:>9} inputs  N = {count:>9} ({status})  "
                  f"Python {python_seconds:6.2f} s  Coq: tables {tables:5.1f} s, checker with tables {check:6.1f} s  "
                  f"peak {peak:5.0f} MiB  (Coq / Python = {check / python_seconds:.0f}x)")


if __name__ == "__main__":
    main()
