"""A long differential hunt between Coq's checkers and Python's, outside the test suite.

The Coq checkers are the proved ones (brute_sound, cubic_sound, subcubic_sound); the Python
exact checkers (and the Lean ones, their transcriptions) are tied to them by tests. This
continues the test zoo (tests/zoo.py) past its 300 models, keeps those with zero biases and at
most --max-inputs inputs, and compares Coq's check_brute_big and check_cubic_big (vm_compute)
with Python's certify_brute and certify_cubic, model by model, in batches of one coqc run each;
and Coq's check_subcubic_big, for one random implemented configuration per model, with
certify_subcubic (honest hints) and with Python's check_subcubic for a lying copy of the hints
(tests/lean_fixtures.lying_hints: random gaps, splits, error bounds, EUPU codes and rows), each
lying count also checked against the brute-force truth.

    python scripts/fuzz_coq.py --first 300 --count 200       # from the repository root

Needs coqc (../shared/design/COQ.md). Prints every mismatch and a summary; exit status 1 if
any count differs.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyverify.exact.brute_checker import certify_brute  # noqa: E402
from pyverify.exact.cubic_checker import certify_cubic  # noqa: E402
from pyverify.exact.subcubic_checker import certify_subcubic, check_subcubic  # noqa: E402
from pyverify.provers.coq_render import coq_hints_record  # noqa: E402
from pyverify.numeric.strategies.subcubic import SubcubicConfig  # noqa: E402
from pyverify.exact.fixed import inv_sqrt  # noqa: E402
from pyverify.exact.weights import exact_weights  # noqa: E402
from scripts.bench_coq import coq_weights  # noqa: E402
from tests.lean_fixtures import lying_hints  # noqa: E402
from tests.zoo import make_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def coq_counts(library: Path, weights: list, checker: str, hints: list | None = None) -> list[int]:
    """One coqc run evaluating `checker` on every model (with its hints record, for subcubic)."""
    records = [f" {coq_hints_record(h)}" for h in hints] if hints is not None else [""] * len(weights)
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "Fuzz.v"
        script.write_text("From PyVerify Require Import Semantics Fixed Brute BruteBig Cubic CubicBig Subcubic "
                          "SubcubicBig.\nFrom Coq Require Import List ZArith.\nImport ListNotations.\n"
                          "Open Scope Z_scope.\n"
                          + "".join(f"Eval vm_compute in {checker} {coq_weights(w)} "
                                    f"({inv_sqrt(w.d_head)[0]}, {inv_sqrt(w.d_head)[1]}){h}.\n"
                                    for w, h in zip(weights, records)))
        r = subprocess.run(["coqc", "-R", str(library / "theories"), "PyVerify", str(script)],
                           capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"coqc failed: {r.stderr.strip()[-400:]}")
    return [int(v) for v in re.findall(r"= (\d+)%(?:nat|N)", r.stdout)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--first", type=int, default=300, help="first zoo index (the suite uses 0..299)")
    ap.add_argument("--count", type=int, default=200, help="zoo models to try")
    ap.add_argument("--max-inputs", type=int, default=4096, help="skip models with more inputs")
    ap.add_argument("--batch", type=int, default=40, help="models per coqc run")
    args = ap.parse_args()
    if shutil.which("coqc") is None:
        raise SystemExit("coqc is not installed (../shared/design/COQ.md)")
    start = time.perf_counter()
    models = []
    for i in range(args.first, args.first + args.count):
        z = make_model(i)
        if z.zero_biases and z.inputs <= args.max_inputs:
            models.append((i, z.kind, exact_weights(z.model), z.model))
    configs = [c.name for c in SubcubicConfig.all() if c.implemented]
    rng = random.Random(args.first)
    mismatches = 0
    with tempfile.TemporaryDirectory() as tmp:
        library = Path(tmp) / "coq"
        shutil.copytree(ROOT / "coq", library, ignore=shutil.ignore_patterns("*.vo*", "*.glob", ".*.aux",
                                                                            "Makefile.coq*", ".*.cache", "Generated"))
        subprocess.run(["make", "-C", str(library)], check=True, capture_output=True)
        for b in range(0, len(models), args.batch):
            batch = models[b:b + args.batch]
            weights = [w for _, _, w, _ in batch]
            for checker, certify in (("check_brute_big", certify_brute), ("check_cubic_big", certify_cubic)):
                for (i, kind, w, _), got in zip(batch, coq_counts(library, weights, checker)):
                    want = certify(w).count
                    if got != want:
                        mismatches += 1
                        print(f"MISMATCH model {i} ({kind}, V={w.d_vocab}, n={w.n_ctx}): {checker} {got}, Python {want}")
            cases = []  # (model, config, lying?, hints, Python's count, the truth)
            for i, kind, w, model in batch:
                config = rng.choice(configs)
                result = certify_subcubic(model, config)
                truth = certify_brute(w).count
                lie = lying_hints(w, result.hints, rng)
                cases += [(i, kind, w, config, "honest", result.hints, result.count, truth),
                          (i, kind, w, config, "lying", lie, sum(c for *_, c in check_subcubic(w, lie)), truth)]
            got = coq_counts(library, [c[2] for c in cases], "check_subcubic_big", [c[5] for c in cases])
            for (i, kind, w, config, how, _, want, truth), count in zip(cases, got):
                if count != want or count > truth:
                    mismatches += 1
                    print(f"MISMATCH model {i} ({kind}, V={w.d_vocab}, n={w.n_ctx}): check_subcubic_big {count} with "
                          f"{how} hints of {config}, Python {want}, truth {truth}")
            print(f"{min(b + args.batch, len(models))} / {len(models)} models compared", flush=True)
    print(f"{len(models)} models (zoo {args.first}..{args.first + args.count - 1}, zero biases, <= {args.max_inputs} "
          f"inputs), brute force, cubic and subcubic (honest and lying hints): {mismatches} mismatches, {time.perf_counter() - start:.0f} s")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
