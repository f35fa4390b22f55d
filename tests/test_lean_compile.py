"""The real Lean 4.35.0 compiler in the loop (issue 18, 19): every committed module and every
module `pyverify export` writes compiles, the kernel's count is Python's, and `pyverify check`
reports nothing false as verified.

The compiler comes from ../shared/lean/setup.sh (the `lean_compiler` fixture); `pyverify check
--lean PATH` drives it without Lake: the shipped library compiled once into a cache folder,
then each generated module, then a file pyverify writes that restates each theorem by full
names and prints its axioms.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from pyverify.provers import lean as lake
from pyverify.numeric.accuracy import count_correct
from pyverify.cli import main
from pyverify.exact import subcubic_checker
from pyverify.exact.subcubic_checker import Split, certify_subcubic, check_subcubic
from pyverify.exact.weights import exact_weights
from pyverify.provers import render_module, to_lean
from pyverify.provers.read import read_lean_module
from pyverify.resources import create_lean_project
from pyverify.numeric.tables import path_tables
from tests.lean_fixtures import attention_trap, direct_path_trap, lying_hints, off_by_one_module, tiny_model

ROOT = Path(__file__).resolve().parents[1]
FULL_SIZE = ("Seed123.lean", "Seed123Subcubic.lean")  # minutes of kernel time: scripts/bench_lean.py
STRATEGIES = ("cubic", "brute-force", "subcubic:default", "subcubic:exact-eqke", "subcubic:svd", "subcubic:quadratic")


def check(capsys, lean_dir: Path, lean: str, *extra: str) -> tuple[int, str]:
    code = main(["check", "--lean", lean, "--lean-dir", str(lean_dir), *extra])
    return code, capsys.readouterr().out


def verified_counts(out: str) -> dict[str, int]:
    return {m: int(n) for m, n in re.findall(r"^verified  Generated\.(\w+)\.\w+ = (\d+)", out, re.M)}


def test_every_committed_module_and_golden_file_compiles(lean_compiler, tmp_path, capsys):
    """lean/Generated (but the two full-size modules) and tests/golden: each verified, at the count
    its module states."""
    project = tmp_path / "lean"
    shutil.copytree(ROOT / "lean", project, ignore=shutil.ignore_patterns(".lake", *FULL_SIZE))
    code, out = check(capsys, project, lean_compiler)
    stated = {p.stem: read_lean_module(p).count for p in (project / "Generated").glob("*.lean")}
    assert code == 0 and verified_counts(out) == stated and len(stated) == 7, out
    golden = create_lean_project(tmp_path / "golden")
    (golden / "Generated").mkdir()
    for name in ("Tiny.lean", "TinySubcubic.lean"):
        shutil.copy(ROOT / "tests" / "golden" / name, golden / "Generated" / name)
    code, out = check(capsys, golden, lean_compiler)
    assert code == 0 and verified_counts(out) == {"Tiny": 10, "TinySubcubic": read_lean_module(
        golden / "Generated" / "TinySubcubic.lean").count}, out


def test_exported_zoo_models_compile_to_pythons_counts(lean_compiler, zoo, tmp_path, capsys):
    """21 zoo models (random, trained, adversarial), each exported with one of cubic, brute force
    (on at most 150 inputs: the kernel takes about 13 ms an input) and the four subcubic presets:
    the kernel accepts every module, so its count is Python's."""
    models = [z for z in zoo if z.zero_biases and z.inputs <= 1500][::4][:21]
    assert len(models) == 21
    lean_dir = tmp_path / "lean"
    expected = {}
    for k, z in enumerate(models):
        strategy = STRATEGIES[k % len(STRATEGIES)]
        if strategy == "brute-force" and z.inputs > 150:
            strategy = "cubic"
        name = f"Zoo{z.index}"
        expected[name] = to_lean(z.model, name, strategy, lean_dir).count
    code, out = check(capsys, lean_dir, lean_compiler)
    assert code == 0 and verified_counts(out) == expected, out
    assert sum(expected.values()) > 0


def test_a_count_off_by_one_is_rejected_by_the_kernel(lean_compiler, tmp_path, capsys):
    """N + 1 in pyverify's own form (so only the kernel can object), in one block: FAILED there."""
    _, line = off_by_one_module(tmp_path / "lean")
    code, out = check(capsys, tmp_path / "lean", lean_compiler)
    assert code == 1 and f"FAILED    Generated.Tiny.cubic_certified  Generated/Tiny.lean:{line}:" in out, out


TAMPERING = {  # what a hostile user writes into a module, and the start of the reason check gives
    "sorry": (":= by decide +kernel", ":= by sorry", "not the module pyverify writes"),
    "axiom": ("set_option maxHeartbeats 0 in\n/-- Block", "axiom cheat : False\n\nset_option maxHeartbeats 0 in\n"
              "/-- Block", "not the module pyverify writes", ":= by decide +kernel", ":= False.elim cheat"),
    "native_decide": (":= by decide +kernel", ":= by native_decide", "not the module pyverify writes"),
    "skip the kernel": ("set_option maxHeartbeats 0 in\n/-- Block", "set_option debug.skipKernelTC true in\n/-- Block",
                        "not the module pyverify writes"),
    "a count that is not the blocks' sum": ("= 10 :=\n  Eq.trans blocks_sum", "= 11 :=\n  Eq.trans blocks_sum",
                                           "do not add up"),
    "an unknown strategy": ("`pyverify export --strategy brute-force`", "`pyverify export --strategy quartic`",
                            "strategy 'quartic' is not one pyverify exports"),
    "shadowing definition": ("open PyVerify\n", "open PyVerify\n\nnoncomputable def checkBrute (w : Weights) (s : Ival)"
                             " : Nat := 16\n", "not the module pyverify writes"),
}


@pytest.mark.parametrize("attack", sorted(TAMPERING))
def test_a_tampered_module_is_reported_failed(attack, lean_compiler, tmp_path, capsys):
    lean_dir = tmp_path / "lean"
    to_lean(tiny_model(), "Tiny", "brute-force", lean_dir)
    path = lean_dir / "Generated" / "Tiny.lean"
    old, new, reason, *more = TAMPERING[attack]
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1).replace(*more[:2] if more else ("", ""), 1))
    code, out = check(capsys, lean_dir, lean_compiler)
    assert code == 1 and "FAILED    Generated.Tiny" in out and reason in out and "verified" not in out, out


@pytest.mark.parametrize("attack", ["sorry", "axiom", "shadowing definition"])
def test_the_restated_theorem_catches_what_gets_past_the_text_check(attack, lean_compiler, tmp_path, capsys,
                                                                    monkeypatch):
    """Defence in depth: with the byte-for-byte check switched off and the tampered text compiled in
    place of pyverify's rendering (as if a renderer let it through), the module compiles, and the
    statement pyverify writes itself (full names, #print axioms) still refuses it."""
    monkeypatch.setattr(lake, "verify_lean_module", read_lean_module)
    lean_dir = tmp_path / "lean"
    to_lean(tiny_model(), "Tiny", "brute-force", lean_dir)
    path = lean_dir / "Generated" / "Tiny.lean"
    text = path.read_text()
    if attack == "shadowing definition":  # a local checkBrute that returns the false claim 16, proved by rfl
        text = text.replace("open PyVerify\n", "open PyVerify\n\nnoncomputable def checkBrute (w : Weights) "
                            "(s : Ival) : Nat := 16\n")
        text = text[:text.index("set_option maxHeartbeats 0 in\n/-- The checker's own partition")]
        text += "theorem brute_force_certified : checkBrute weights scale = 16 :=\n  rfl\n\nend PyVerify.Generated.Tiny\n"
    else:
        old, new, _, *more = TAMPERING[attack]
        text = text.replace(old, new, 1).replace(*more[:2] if more else ("", ""), 1)
    path.write_text(text)
    monkeypatch.setattr(lake, "render_module", lambda *args: text)
    code, out = check(capsys, lean_dir, lean_compiler)
    assert code == 1 and "FAILED    Generated.Tiny" in out and "verified" not in out, out
    assert ("depends on axioms" in out) if attack != "shadowing definition" else ("not accepted" in out), out


def test_an_edited_library_is_reported(lean_compiler, tmp_path, capsys):
    """A copy of the library with the checker redefined: every module FAILED, naming the file."""
    lean_dir = tmp_path / "lean"
    to_lean(tiny_model(), "Tiny", "brute-force", lean_dir)
    brute = lean_dir / "PyVerify" / "Brute.lean"
    brute.write_text(brute.read_text().replace("blockSum (bruteBlock w s) (bruteBlocks w.dVocab w.nCtx)", "16"))
    code, out = check(capsys, lean_dir, lean_compiler)
    assert code == 1 and "core library differs from the one pyverify ships: PyVerify/Brute.lean" in out, out


def test_lying_hints_never_certify_more_than_the_truth(lean_compiler, zoo, tmp_path, capsys, monkeypatch):
    """Issues 19 and 29: the subcubic checker is sound for every hint. Lying hints (the reviewer's
    EUPU code 3 with no row mu; a rank-one Main that grows with the key token, claimed exact, with
    every gap 1; random lies: codes out of range, rows of the wrong length, random gaps, splits and
    claims) on a model that is right only when the last token is the max, on one whose attention
    finds the smallest token, and on small zoo models with few correct inputs: Python's count is at most the float64 brute-force count plus its
    rounding flag, and the real kernel accepts exactly that count. Without the check of the
    claimed error bound, the growing Main over-certifies (the test has teeth)."""
    rng = random.Random(19)
    zoo_models = [z for z in zoo if z.zero_biases and z.inputs <= 400 and z.brute_force.correct < z.inputs // 2][:5]
    assert len(zoo_models) == 5
    lean_dir = tmp_path / "lean"
    create_lean_project(lean_dir)
    (lean_dir / "Generated").mkdir()
    stated, lies_of = {}, {}
    traps = [("Trap", direct_path_trap()), ("AttentionTrap", attention_trap())]
    for index, model in traps + [(z.index, z.model) for z in zoo_models]:
        w = exact_weights(model)
        V, n = w.d_vocab, w.n_ctx
        honest = certify_subcubic(model, "default").hints
        truth = count_correct(path_tables(model))
        every_gap_one = [[1] * ((m + 1) * n) for m in range(V)]
        lies = [replace(honest, eupu=3, mu=[], gaps=every_gap_one),  # the reviewer's attack
                replace(honest, gaps=every_gap_one, main_exact=False, main_q=[[1] * V],
                        main_k=[[k << 200 for k in range(V)]], den=1, err_bound=[0] * V)]  # attention "certain"
        lies += [lying_hints(w, honest, rng) for _ in range(2)]
        for k, lie in enumerate(lies):
            blocks = check_subcubic(w, lie)
            count = sum(c for *_, c in blocks)
            assert count <= truth.correct + truth.uncertain, (index, lie)
            name = f"Lie{index}x{k}"
            (lean_dir / "Generated" / f"{name}.lean").write_text(
                render_module(w, name, "subcubic:default", count, blocks, lie))
            stated[name] = count
        lies_of[index] = (w, lies[1], truth.correct + truth.uncertain)
    code, out = check(capsys, lean_dir, lean_compiler)
    assert code == 0 and verified_counts(out) == stated, out

    def unchecked(w, EQKE, h):  # the claimed bound taken as it is
        main = [[h.main_q[0][q] * h.main_k[0][k] for k in range(w.d_vocab)] for q in range(w.d_vocab)]
        return Split(main, h.err_bound, h.den)

    monkeypatch.setattr(subcubic_checker, "checked_split", unchecked)
    w, lie, bound = lies_of["AttentionTrap"]
    assert sum(c for *_, c in check_subcubic(w, lie)) > bound


def test_check_without_any_lean_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("PYVERIFY_LEAN", raising=False)
    lean_dir = tmp_path / "lean"
    to_lean(tiny_model(), "Tiny", "brute-force", lean_dir)
    assert main(["check", "--lean-dir", str(lean_dir)]) == 3
    captured = capsys.readouterr()
    assert "no Lean toolchain" in captured.err and "verified" not in captured.out


def test_library_build_is_reused(lean_compiler):
    first = lake.library_build(lean_compiler)
    stamp = (first / "PyVerify.olean").stat().st_mtime_ns
    assert lake.library_build(lean_compiler) == first and (first / "PyVerify.olean").stat().st_mtime_ns == stamp
    assert subprocess.run([lean_compiler, "--version"], capture_output=True, text=True).stdout.startswith(
        "Lean (version 4.35.0")


def test_check_never_runs_lake_and_refuses_an_edited_lakefile(lean_compiler, tmp_path, capsys, monkeypatch):
    """With a `lake` on PATH, `check` still compiles only its own rendering with the bare `lean`
    (lake would build the user's files): lake never runs; an edited lakefile is refused, since
    `lake build` there would no longer mean what pyverify checked."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "lake").write_text(f"#!/bin/sh\ntouch {tmp_path / 'lake-ran'}\nexit 0\n")
    (bin_dir / "lake").chmod(0o755)
    (bin_dir / "lean").symlink_to(lean_compiler)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.delenv("PYVERIFY_LEAN", raising=False)
    lean_dir = tmp_path / "lean"
    to_lean(tiny_model(), "Tiny", "brute-force", lean_dir)
    assert main(["check", "--lean-dir", str(lean_dir)]) == 0
    assert "verified  Generated.Tiny.brute_force_certified = 10" in capsys.readouterr().out
    assert not (tmp_path / "lake-ran").exists()
    lakefile = lean_dir / "lakefile.toml"
    lakefile.write_text(lakefile.read_text() + 'moreLeanArgs = ["-Ddebug.skipKernelTC=true"]\n')
    assert main(["check", "--lean-dir", str(lean_dir)]) == 1
    assert "differs from the one pyverify ships: lakefile.toml" in capsys.readouterr().out
