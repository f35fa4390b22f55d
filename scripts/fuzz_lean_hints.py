"""Lying subcubic hints through the real Lean compiler, past the suite's range (issue 19).

For zoo models beyond the suite's 300 (zero biases, at most --max-inputs inputs) and the
direct-path and attention trap models, draws --lies lying hints per model (codes in and out of
range, rows of wrong lengths, random gaps, splits and claims; tests/lean_fixtures.lying_hints),
computes Python's count (`check_subcubic`, the same checker on the same certificate), asserts it
is at most the float64 brute-force count plus its rounding flag, writes each as a generated
module stating that count, and has `pyverify check --lean` compile them: every module must be
verified (the kernel computes Python's count). Prints every violation and disagreement, and a summary.

    python scripts/fuzz_lean_hints.py --first 300 --count 100 --lies 4    # from the repository root

Needs a Lean 4.35.0 `lean` ($PYVERIFY_LEAN, or ../shared/lean/setup.sh). Exit status 1 on any
violation or disagreement.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyverify.numeric.accuracy import count_correct  # noqa: E402
from pyverify.exact.subcubic_checker import certify_subcubic, check_subcubic, hints_ok  # noqa: E402
from pyverify.exact.weights import exact_weights  # noqa: E402
from pyverify.provers import render_module  # noqa: E402
from pyverify.provers.lean import check_project  # noqa: E402
from pyverify.resources import create_lean_project  # noqa: E402
from pyverify.numeric.strategies.subcubic import PRESETS, SubcubicConfig  # noqa: E402
from pyverify.numeric.tables import path_tables  # noqa: E402
from tests.lean_fixtures import attention_trap, direct_path_trap, lying_hints  # noqa: E402
from tests.zoo import make_model  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def lean_command() -> str:
    if os.environ.get("PYVERIFY_LEAN"):
        return os.environ["PYVERIFY_LEAN"]
    setup = ROOT.parent / "shared" / "lean" / "setup.sh"
    return subprocess.run(["bash", str(setup)], capture_output=True, text=True, check=True).stdout.split()[-1]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--first", type=int, default=300, help="first zoo index (the suite uses 0..299)")
    ap.add_argument("--count", type=int, default=60, help="zoo models to try")
    ap.add_argument("--lies", type=int, default=4, help="lying hints per model")
    ap.add_argument("--max-inputs", type=int, default=400, help="skip models with more inputs")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    lean = lean_command()
    rng = random.Random(args.seed)
    start = time.perf_counter()
    models = [("Trap", direct_path_trap()), ("AttentionTrap", attention_trap())]
    for i in range(args.first, args.first + args.count):
        z = make_model(i)
        if z.zero_biases and z.inputs <= args.max_inputs:
            models.append((str(i), z.model))
    violations, fitting, positive, stated = 0, 0, 0, {}
    with tempfile.TemporaryDirectory() as tmp:
        lean_dir = create_lean_project(Path(tmp) / "lean")
        (lean_dir / "Generated").mkdir()
        for index, model in models:
            w = exact_weights(model)
            truth = count_correct(path_tables(model))
            config = SubcubicConfig.parse(rng.choice(list(PRESETS)))
            honest = certify_subcubic(model, config).hints
            for k in range(args.lies):
                lie = lying_hints(w, honest, rng)
                blocks = check_subcubic(w, lie)
                count = sum(c for *_, c in blocks)
                fitting += hints_ok(w, lie)
                positive += count > 0
                if count > truth.correct + truth.uncertain:
                    violations += 1
                    print(f"VIOLATION model {index}: {count} certified, at most {truth.correct + truth.uncertain} right")
                name = f"Lie{index}x{k}"
                (lean_dir / "Generated" / f"{name}.lean").write_text(
                    render_module(w, name, f"subcubic:{config.name}", count, blocks, lie))
                stated[name] = count
        statuses, _, _ = check_project(lean_dir, lean=lean)
    disagreements = [s for s in statuses if not s.verified]
    for s in disagreements:
        print(f"DISAGREEMENT {s.module}: {s.error.message if s.error else 'failed'}")
    print(f"{len(models)} models (the two traps, zoo {args.first}..{args.first + args.count - 1} with zero biases and <= "
          f"{args.max_inputs} inputs), {len(stated)} lying hints ({fitting} of the shapes the checker reads, "
          f"{positive} certifying > 0): {violations} violations, {len(disagreements)} kernel disagreements, "
          f"{time.perf_counter() - start:.0f} s")
    return 1 if violations or disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
