"""The tamper suite of issue 19, run against `pyverify check` outside the test suite: every
attack on a generated module or on the library that the tests try, for Lean (with the bare
compiler) and Coq, each in a fresh project; prints one line per attack and a summary.

    python scripts/tamper_check.py            # from the repository root

Needs a Lean 4.35.0 `lean` ($PYVERIFY_LEAN, or ../shared/lean/setup.sh) and coqc. Exit status 1
if any tampered module is reported verified, or an untouched one is not.
"""

from __future__ import annotations

import contextlib
import io
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pyverify.cli import main as cli  # noqa: E402
from pyverify.export import to_lean  # noqa: E402
from pyverify.export.coq import to_coq  # noqa: E402
from scripts.fuzz_lean_hints import lean_command  # noqa: E402
from tests.lean_fixtures import tiny_model  # noqa: E402
from tests.test_coq import MODULE_TAMPERING  # noqa: E402
from tests.test_lean_compile import TAMPERING  # noqa: E402


def check(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli(["check", *args])
    return code, out.getvalue()


def lean_attack(lean: str, tmp: Path, edit) -> tuple[int, str]:
    lean_dir = tmp / "lean"
    to_lean(tiny_model(), "Tiny", "brute-force", lean_dir)
    edit(lean_dir)
    return check("--lean", lean, "--lean-dir", str(lean_dir))


def coq_attack(tmp: Path, edit) -> tuple[int, str]:
    coq_dir = tmp / "coq"
    to_coq(tiny_model(), "Tiny", "brute-force", coq_dir)
    edit(coq_dir)
    return check("--prover", "coq", "--coq-dir", str(coq_dir))


def replace_in(path: Path, *pairs: str):
    def edit(folder: Path) -> None:
        target = folder / path
        text = target.read_text()
        for old, new in zip(pairs[::2], pairs[1::2]):
            assert old in text, (path, old)
            text = text.replace(old, new, 1)
        target.write_text(text)
    return edit


def main() -> int:
    lean = lean_command()
    attacks = [("Lean", "nothing (the control)", lambda t: lean_attack(lean, t, lambda d: None), True)]
    for name, (old, new, _, *more) in sorted(TAMPERING.items()):
        attacks.append(("Lean", name, lambda t, e=replace_in(Path("Generated/Tiny.lean"), old, new, *more):
                        lean_attack(lean, t, e), False))
    attacks.append(("Lean", "checker redefined in the library", lambda t: lean_attack(lean, t, replace_in(
        Path("PyVerify/Brute.lean"), "blockSum (bruteBlock w s) (bruteBlocks w.dVocab w.nCtx)", "16")), False))
    attacks.append(("Coq", "nothing (the control)", lambda t: coq_attack(t, lambda d: None), True))
    for name, (old, new, _) in sorted(MODULE_TAMPERING.items()):
        attacks.append(("Coq", name, lambda t, e=replace_in(Path("Generated/Tiny.v"), old, new): coq_attack(t, e),
                        False))
    attacks.append(("Coq", "an axiom in a library file Uint63.v",
                    lambda t: coq_attack(t, lambda d: (d / "theories" / "Uint63.v").write_text("Axiom cheat : False.\n")),
                    False))
    attacks.append(("Coq", "correct_count edited in Semantics.v", lambda t: coq_attack(t, replace_in(
        Path("theories/Semantics.v"), "length (filter (correct_b w)", "d_vocab w ^ n_ctx w + 0 * length (filter (correct_b w)")),
                    False))
    wrong = 0
    for prover, name, run, should_verify in attacks:
        with tempfile.TemporaryDirectory() as tmp:
            code, out = run(Path(tmp))
        verified = code == 0 and "verified" in out
        ok = verified == should_verify
        wrong += not ok
        reason = next((line.split(": ", 1)[-1] for line in out.splitlines() if line.startswith("FAILED")), "verified")
        print(f"{'ok   ' if ok else 'WRONG'} {prover:<4} {name:<40} {reason[:90]}")
    print(f"{len(attacks)} attacks and controls: {wrong} wrong")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
