"""Kernel cost of the full-size Lean certificates, block by block, with the real compiler.

Each block theorem of a generated module is compiled on its own (the module's definitions plus
that one theorem) in a fresh `lean` process, whose CPU time (user + system) and peak resident
memory come from the operating system (wait4); the blocks are independent, so the sum is the
module's kernel cost and the largest peak is its memory need. The module's final theorem (the
partition, the unfolded sum, the congruence) is compiled on its own too, with the blocks stated
as hypotheses of a section. Prints each block, the totals, and pyverify's estimate
(`kernel_estimate`) beside them.

    python scripts/bench_lean.py                                 # both committed full-size modules
    python scripts/bench_lean.py lean/Generated/Seed123.lean --workers 2

Needs a Lean 4.35.0 `lean` ($PYVERIFY_LEAN, or ../shared/lean/setup.sh).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyverify.exact.blocks import kernel_estimate  # noqa: E402
from pyverify.provers.read import read_lean_module  # noqa: E402
from pyverify.provers.lean import library_build  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"^set_option maxHeartbeats 0 in\n/-- Block .*?\n(theorem \w+_block_\d+ : .*? := by decide \+kernel)$",
                   re.M)


def lean_command() -> str:
    if os.environ.get("PYVERIFY_LEAN"):
        return os.environ["PYVERIFY_LEAN"]
    setup = ROOT.parent / "shared" / "lean" / "setup.sh"
    return subprocess.run(["bash", str(setup)], capture_output=True, text=True, check=True).stdout.split()[-1]


def measure(lean: str, library: Path, source: Path) -> tuple[float, float, bool]:
    """(CPU seconds, peak GB, accepted) of `lean source`."""
    env = dict(os.environ, LEAN_PATH=str(library))
    proc = subprocess.Popen([lean, str(source)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    accepted = proc.returncode == 0 and b"error" not in output
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 2**20, accepted


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("modules", nargs="*", type=Path,
                    default=[ROOT / "lean" / "Generated" / "Seed123.lean", ROOT / "lean" / "Generated" / "Seed123Subcubic.lean"])
    ap.add_argument("--workers", type=int, default=1, help="blocks compiled at once (CPU time is per block)")
    args = ap.parse_args()
    lean = lean_command()
    library = library_build(lean)
    failed = False
    for path in args.modules:
        text = path.read_text()
        module = read_lean_module(path)
        head = text[:text.index("set_option maxHeartbeats 0 in\n/-- Block 0")]
        end = f"\nend PyVerify.Generated.{module.name}\n"
        blocks = BLOCK.findall(text)
        final = text[text.index("set_option maxHeartbeats 0 in\n/-- The checker's own partition"):]
        hypotheses = "".join(f"axiom {t.split(' := ')[0].removeprefix('theorem ')}\n" for t in blocks)
        with tempfile.TemporaryDirectory() as tmp:
            sources = []
            for j, theorem in enumerate(blocks):
                source = Path(tmp) / f"Block{j}.lean"
                source.write_text(head + "set_option maxHeartbeats 0 in\n" + theorem + "\n" + end)
                sources.append(source)
            wall = time.perf_counter()
            with ThreadPoolExecutor(args.workers) as pool:
                results = list(pool.map(lambda s: measure(lean, library, s), sources))
            wall = time.perf_counter() - wall
            final_source = Path(tmp) / "Final.lean"  # the blocks as axioms: times the final theorem alone
            final_source.write_text(head + hypotheses + "\n" + final)
            final_cpu, final_gb, final_ok = measure(lean, library, final_source)
        print(f"{path.name}: {module.strategy}, N = {module.count:,}, V = {module.weights.d_vocab}, "
              f"n = {module.weights.n_ctx}, {len(blocks)} blocks")
        for j, ((lo, hi, count), (cpu, gb, ok)) in enumerate(zip(module.blocks, results)):
            print(f"  block {j:2d} [{lo:2d}, {hi:2d}) = {count:>9,}: {cpu:6.1f} s CPU, {gb:4.2f} GB peak"
                  f"{'' if ok else '  REJECTED'}")
        cpu = sum(r[0] for r in results)
        peak = max(r[1] for r in results)
        print(f"  final theorem (blocks as hypotheses): {final_cpu:.1f} s CPU, {final_gb:.2f} GB"
              f"{'' if final_ok else '  REJECTED'}")
        estimate = kernel_estimate(module.strategy, module.weights.d_vocab, module.weights.n_ctx, module.weights.d_model)
        print(f"  total {cpu + final_cpu:.0f} s CPU ({wall:.0f} s wall on {args.workers} worker(s)), peak "
              f"{peak:.2f} GB; kernel_estimate: {estimate[0]:.0f} s, {estimate[1]:.1f} GB")
        failed = failed or not final_ok or not all(r[2] for r in results)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
