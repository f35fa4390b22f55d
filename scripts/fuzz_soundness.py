"""A long adversarial hunt for soundness violations, outside the test suite.

Continues the test zoo (tests/zoo.py) past its 300 models: model i has its own seed, size
and kind, so runs are reproducible and disjoint from the suite's. For each model it checks
that no numeric strategy counts more than the float64 brute force, that the certified
checkers count no more than the truth (within the float64 flag), and, on models with at most
300 inputs, everything against the exact (rational + mpmath) evaluation.

    python scripts/fuzz_soundness.py --seconds 600            # from the repository root
    python scripts/fuzz_soundness.py --first 5000 --count 2000 --all-configs
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyverify.exact.brute_checker import certify_brute  # noqa: E402
from pyverify.exact.cubic_checker import certify_cubic  # noqa: E402
from pyverify.numeric.strategies.cubic import run_cubic  # noqa: E402
from pyverify.numeric.strategies.subcubic import PRESETS, SubcubicConfig, run_subcubic  # noqa: E402
from tests.exact_reference import exact_correct_count  # noqa: E402
from tests.zoo import make_model  # noqa: E402


def violations(i: int, all_configs: bool) -> list[str]:
    z = make_model(i)
    bf = z.brute_force
    found = []
    configs = [c for c in SubcubicConfig.all() if c.implemented] if all_configs else list(PRESETS.values())
    numeric = {"cubic": run_cubic(z.model).count}
    numeric.update({f"subcubic:{c.name}": run_subcubic(z.model, c).count for c in configs})
    found += [f"{name} counts {count} > brute force {bf.correct}" for name, count in numeric.items() if count > bf.correct]
    if z.zero_biases:
        upper = bf.correct + bf.uncertain
        certified = {"exact cubic": certify_cubic(z.model).count}
        if z.inputs <= 10_000:
            certified["exact brute force"] = certify_brute(z.model).count
        found += [f"{name} certifies {count} > {upper}" for name, count in certified.items() if count > upper]
        if z.inputs <= 300:
            truth = exact_correct_count(z.model)
            if abs(bf.correct - truth) > bf.uncertain:
                found.append(f"float64 brute force {bf.correct} is {abs(bf.correct - truth)} from the exact {truth}, "
                             f"beyond its flag {bf.uncertain}")
            found += [f"{name} certifies {count} > exact truth {truth}" for name, count in certified.items()
                      if count > truth]
    return [f"model {i} ({z.kind}, V={z.model.cfg.d_vocab}, n={z.model.cfg.n_ctx}): {v}" for v in found]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--first", type=int, default=300, help="first model index (the suite uses 0..299)")
    ap.add_argument("--count", type=int, default=10**9, help="at most this many models")
    ap.add_argument("--seconds", type=float, default=300.0, help="stop starting new models after this long")
    ap.add_argument("--all-configs", action="store_true", help="every implemented subcubic configuration, not the presets")
    args = ap.parse_args()
    start = time.perf_counter()
    tried, found = 0, []
    for i in range(args.first, args.first + args.count):
        if time.perf_counter() - start > args.seconds:
            break
        found += violations(i, args.all_configs)
        tried += 1
        if tried % 50 == 0:
            print(f"{tried} models, {len(found)} violations, {time.perf_counter() - start:.0f} s", flush=True)
    for line in found:
        print(line)
    print(f"models tried: {tried} (indices {args.first}..{args.first + tried - 1}); violations: {len(found)}")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
