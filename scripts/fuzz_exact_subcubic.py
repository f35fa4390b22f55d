"""A long soundness hunt for the certified subcubic checker, outside the test suite.

For zoo models (tests/zoo.py, continuing past the suite's 300 with --first) that have zero
biases, runs every implemented subcubic configuration both in float64 and certified, and checks
two things. The certified count must be at most the truth: the float64 brute force, within its
rounding flag. It must also be at most the float64 count, within that count's flag.

    python scripts/fuzz_exact_subcubic.py --first 0 --count 300      # from the repository root

Prints every violation and a summary (models, runs, certified counts that differ from float64,
the largest relative gap); exit status 1 on any violation.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyverify.exact.subcubic_checker import certify_subcubic  # noqa: E402
from pyverify.numeric.registry import expand  # noqa: E402
from pyverify.numeric.strategies.subcubic import SubcubicConfig, run_subcubic  # noqa: E402
from tests.zoo import make_model  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--count", type=int, default=300)
    args = ap.parse_args()
    configs = [SubcubicConfig.parse(name.partition(":")[2]) for name in expand("subcubic:*")]
    start = time.perf_counter()
    models = runs = differ = violations = 0
    worst = 0.0
    for i in range(args.first, args.first + args.count):
        z = make_model(i)
        if not z.zero_biases:
            continue
        models += 1
        bf = z.brute_force
        for config in configs:
            exact = certify_subcubic(z.model, config).count
            numeric = run_subcubic(z.model, config)
            runs += 1
            if exact > bf.correct + bf.uncertain or exact > numeric.count + numeric.uncertain:
                violations += 1
                print(f"VIOLATION model {i} {config.name}: certified {exact}, truth {bf.correct} "
                      f"(±{bf.uncertain}), float64 {numeric.count} (±{numeric.uncertain})")
            if exact != numeric.count:
                differ += 1
                if numeric.count:
                    worst = max(worst, (numeric.count - exact) / numeric.count)
    print(f"{models} models, {runs} runs, {violations} violations, {differ} certified counts differ from "
          f"float64 (largest relative gap {worst:.3%}), {time.perf_counter() - start:.0f} s")
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
