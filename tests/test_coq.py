"""The Coq soundness backbone (coq/, ../shared/design/COQ.md): every proof is checked by coqc,
none is admitted, and every theorem rests only on the standard reals' axioms.

In CI (CI=true) a missing coqc is a failure; elsewhere these tests skip with a reason.
"""

from __future__ import annotations

import functools
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import torch

from pyverify.provers import coq as coq_check
from pyverify.model.checkpoint import save_checkpoint
from pyverify.cli import main
from pyverify.model.config import ModelConfig
from pyverify.provers.coq import ALLOWED_AXIOMS, ALLOWED_PREFIXES, assumptions, disallowed
from pyverify.exact.brute_checker import certify_brute
from pyverify.exact.fixed import PREC, exp_interval, exp_nonpos, inv_sqrt
from pyverify.exact.weights import exact_weights
from pyverify.provers import render_coq_module, to_coq
from pyverify.exact.subcubic_checker import certify_subcubic
from pyverify.provers.read import read_coq_module
from pyverify.provers.verify import verify_coq_module
from pyverify.model.train import TrainConfig, train
from pyverify.provers.read import read_lean_module
from tests.lean_fixtures import tiny_model
from pyverify.exact.cubic_checker import certify_cubic
from tests.zoo import make_model, random_model

ROOT = Path(__file__).resolve().parents[1]
COQ = ROOT / "coq"
FORBIDDEN = ("Admitted", "admit", "Axiom", "Parameter", "Conjecture", "native_compute")
# The theorems proved so far, each checked with Print Assumptions.
THEOREMS = ("Semantics.correct_b_spec", "Shapes.well_formed_b_correct", "Semantics.all_inputs_length", "Fixed.round_out_correct",
            "Fixed.add_correct", "Fixed.mul_correct", "Fixed.mul_hi_nonneg_correct", "Fixed.from_scaled_correct",
            "Fixed.scaled_score_correct", "Fixed.check_inv_sqrt_correct", "Exp.exp_alternating",
            "Exp.exp_nonpos_correct", "Exp.exp_interval_correct", "Sums.rsum_swap", "Sums.IZR_entry_matmul",
            "Soundness.score_numerator", "Soundness.logit_tables", "Soundness.logit_difference",
            "Soundness.input_certified_correct", "Soundness.brute_sound", "BruteBig.check_brute_big_eq",
            "CubicBig.check_cubic_big_eq", "Sorting.smallest_le_selected", "Sorting.selected_le_largest",
            "Counting.count_pattern", "Counting.count_cases", "Soundness.mixture", "Soundness.difference_le",
            "Soundness.num_neg", "Soundness.cubic_sound", "Sorting.smallest_le_selected_R",
            "Sorting.selected_le_largest_R", "SubcubicSound.eupu_bound", "SubcubicSound.logit_bound",
            "SubcubicSound.p_low_le", "SubcubicSound.subcubic_input_correct", "SubcubicSound.subcubic_sound",
            "SubcubicBig.check_subcubic_big_eq")


def coqc() -> str:
    path = shutil.which("coqc")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("coqc is missing in CI: .ci/run installs Coq from Debian (../shared/design/COQ.md)")
        pytest.skip("coqc is not installed (apt-get install coq libcoq-bignums)")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A copy of coq/ with the library built by `make` (coq_check.library_build: once, in the
    cache `pyverify check` uses too; the checkout is left clean)."""
    library, _ = coq_check.library_build(coqc(), shutil.which("make"))
    folder = tmp_path_factory.mktemp("coq") / "coq"
    shutil.copytree(COQ, folder, ignore=shutil.ignore_patterns("*.vo*", "*.glob", ".*.aux", "Makefile.coq*", ".*.cache"))
    for compiled in (library / "theories").glob("*.vo"):
        shutil.copy2(compiled, folder / "theories" / compiled.name)
    return folder


def coq_sources() -> list[Path]:
    return sorted(COQ.rglob("*.v")) + sorted((ROOT / "templates").glob("*.v.j2"))


def strip_comments(text: str) -> str:
    while "(*" in text:  # Coq comments nest: remove innermost first
        text = re.sub(r"\(\*(?:(?!\(\*)(?!\*\)).)*\*\)", " ", text, flags=re.DOTALL)
    return text


def test_no_admitted_proof_or_new_axiom():
    """No forbidden word anywhere in the library (the checkers' carriers are records of
    operations, not module types: no declaration at all); Print Assumptions is checked for
    every theorem below."""
    assert coq_sources()
    for path in coq_sources():
        code = strip_comments(path.read_text())
        for word in FORBIDDEN:
            assert not re.search(rf"\b{word}\b", code), (path.name, word)


def test_every_library_file_is_built():
    listed = set(re.findall(r"^(theories/\S+\.v)$", (COQ / "_CoqProject").read_text(), flags=re.MULTILINE))
    assert listed == {str(p.relative_to(COQ)) for p in (COQ / "theories").glob("*.v")}
    assert {p.parent.name for p in COQ.rglob("*.v")} == {"theories", "Generated"}  # nothing else to build


def test_committed_tiny_module_is_current(tmp_path):
    """coq/Generated/Tiny.v is what export writes for the Lean Tiny's weights, byte for byte,
    also when export has to create the Coq project first."""
    w = exact_weights(tiny_model())
    committed = (COQ / "Generated" / "Tiny.v").read_text()
    assert render_coq_module(w, "Tiny", "brute-force", certify_brute(w).count) == committed
    r = to_coq(tiny_model(), "Tiny", "brute-force", tmp_path / "new")
    assert r.path.read_text() == committed and r.count == certify_brute(w).count
    for name in ("Makefile", "_CoqProject", "theories/Semantics.v", "theories/Soundness.v"):
        assert (tmp_path / "new" / name).read_bytes() == (COQ / name).read_bytes(), name
    assert f"Theorem accuracy_lower_bound : well_formed weights /\\ ({r.count} <= correct_count weights)%nat." in committed


def test_committed_seed123_module_is_current():
    """coq/Generated/Seed123.v holds the committed Lean Seed123's very weights (same digest) and the
    certified cubic count of issue 10, 16,025,319. (coqc checks it in about 80 s: measured with
    `pyverify check --prover coq`, not in this suite.)"""
    w = read_lean_module(ROOT / "lean" / "Generated" / "Seed123.lean").weights
    count = certify_cubic(w).count
    committed = (COQ / "Generated" / "Seed123.v").read_text()
    assert count == 16025319 and render_coq_module(w, "Seed123", "cubic", count) == committed
    assert "Theorem accuracy_lower_bound : well_formed weights /\\ (16025319 <= N.of_nat (correct_count weights))%N." in committed


def test_library_builds_and_rests_only_on_the_standard_axioms(built, tmp_path):
    """Print Assumptions of a tuple of every listed theorem (one traversal covers them all), and of
    brute_sound and subcubic_sound alone, name only the allowed axioms; both do use the reals'
    axioms."""
    preamble = ("From PyVerify Require Import Semantics Shapes Fixed Exp Tables Sums Soundness BruteBig CubicBig Sorting "
                "Counting SubcubicFacts SubcubicSound SubcubicBig.\n"
                f"Definition proved := ({', '.join('@PyVerify.' + name for name in THEOREMS)}).\n")
    everything, brute_sound, subcubic_sound = assumptions(
        coqc(), built, preamble, ["proved", "PyVerify.Soundness.brute_sound", "PyVerify.SubcubicSound.subcubic_sound"])
    assert not disallowed(everything) and set(brute_sound) == set(ALLOWED_AXIOMS)
    assert set(subcubic_sound) == set(ALLOWED_AXIOMS)  # for every hint, with the reals' axioms only
    assert set(ALLOWED_AXIOMS) <= set(everything)  # the reals' axioms: the check is not vacuous


def test_a_false_statement_is_rejected(built, tmp_path):
    """The build really checks: a wrong rounding claim does not compile."""
    script = tmp_path / "Wrong.v"
    script.write_text("From PyVerify Require Import Fixed.\nFrom Coq Require Import ZArith.\n"
                      "Goal Fixed.floor_shift 3 1 = 2%Z. Proof. reflexivity. Qed.\n")
    r = subprocess.run([coqc(), "-R", str(built / "theories"), "PyVerify", str(script)],
                       capture_output=True, text=True)
    assert r.returncode != 0


def test_coq_exp_enclosure_equals_python(built, tmp_path):
    """Differential test: Coq's exp_nonpos and exp_interval (computed by vm_compute) return
    exactly the intervals of their Python twins, across the whole range the checkers use."""
    rng = random.Random(0)
    points = [0, -1, -(1 << 39), -(1 << 40), -(41 << 40), -(41 << 40) + 1, -(41 << 40) - 1]
    points += [-rng.randint(0, 45 << PREC) for _ in range(60)]
    intervals = [(-(3 << PREC), -(1 << PREC)), (-(1 << PREC), 5 << PREC), (1 << PREC, (7 << PREC) + 3), (0, 0)]
    script = tmp_path / "ExpCheck.v"
    script.write_text("From PyVerify Require Import Fixed Exp.\nFrom Coq Require Import ZArith.\n"
                      + "".join(f"Eval vm_compute in Exp.exp_nonpos ({x})%Z.\n" for x in points)
                      + "".join(f"Eval vm_compute in Exp.exp_interval (({a})%Z, ({b})%Z).\n" for a, b in intervals))
    r = subprocess.run([coqc(), "-R", str(built / "theories"), "PyVerify", str(script)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    got = [(int(a), int(b)) for a, b in re.findall(r"= \((-?\d+), (-?\d+)\)", r.stdout)]
    want = [exp_nonpos(x) for x in points] + [exp_interval(i) for i in intervals]
    assert got == want


def coq_matrix(rows: list[list[int]]) -> str:
    return "[" + "; ".join("[" + "; ".join(f"({v})" for v in row) + "]" for row in rows) + "]"


def coq_weights(w) -> str:
    fields = "; ".join(f"{name} := {coq_matrix(getattr(w, name))}" for name in
                       ("W_E", "W_pos", "W_Q", "W_K", "W_V", "W_O", "W_U"))
    return (f"{{| d_vocab := {w.d_vocab}; n_ctx := {w.n_ctx}; d_model := {w.d_model}; d_head := {w.d_head}; "
            f"S := {w.S}; {fields} |}}")


@functools.lru_cache(maxsize=1)
def tiny_models() -> list:
    """23 tiny models (V 3-4, n = 2 or 3, d_model 3-4 and d_head 2-4, equal or not): random with
    soft to sharp attention, near-tie unembeddings, max-like pushes, and briefly trained ones."""
    models = []
    for i in range(16):
        m = random_model(3 + i % 2, 2 + i // 8, seed=500 + i, d=3, h=3 - i % 2, attn_gain=(0.5, 4.0, 20.0)[i % 3],
                         weight_std=(1.0, 0.3, 2.0)[i // 3 % 3])
        with torch.no_grad():
            if i % 4 == 1:  # an exact tie between outputs 0 and 1
                m.unembed.W_U[:, 1] = m.unembed.W_U[:, 0]
            if i % 4 == 2:  # max-like
                V = m.cfg.d_vocab
                m.unembed.W_U[:, :] += 3.0 * torch.linspace(0, 1, V)[None, :]
        models.append(m)
    tie = random_model(3, 2, seed=600, d=3, h=2)
    with torch.no_grad():
        tie.unembed.W_U.zero_()  # every logit ties: nothing can be certified
    models.append(tie)
    for seed in range(6):
        trained, _ = train(ModelConfig(d_vocab=3 + seed % 2, n_ctx=2, d_model=4, d_head=4 - seed % 2),
                           TrainConfig(seed=seed, steps=60, lr=2e-2, batch_size=64))
        models.append(trained)
    return models


def coq_counts(built: Path, tmp_path: Path, weights: list, checker: str) -> list[int]:
    """Coq's `checker` evaluated by vm_compute on every model (one coqc run)."""
    script = tmp_path / f"{checker}.v"
    script.write_text(
        "From PyVerify Require Import Semantics Fixed Brute BruteBig Cubic CubicBig.\n"
        "From Coq Require Import List ZArith.\nImport ListNotations.\nOpen Scope Z_scope.\n"
        + "".join(f"Eval vm_compute in {checker} {coq_weights(w)} ({inv_sqrt(w.d_head)[0]}, {inv_sqrt(w.d_head)[1]}).\n"
                  for w in weights))
    r = subprocess.run([coqc(), "-R", str(built / "theories"), "PyVerify", str(script)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    return [int(v) for v in re.findall(r"= (\d+)%(?:nat|N)", r.stdout)]


def test_coq_brute_force_checker_equals_python(built, tmp_path):
    """Differential test (issue 9): Coq's checker (check_brute_big, proved equal to check_brute),
    computed by vm_compute, returns the same count as Python's certify_brute on 23 tiny random,
    adversarial and trained models, with d_model = d_head and not."""
    weights = [exact_weights(m) for m in tiny_models()]
    assert any(w.d_model != w.d_head for w in weights) and any(w.n_ctx == 3 for w in weights)
    got = coq_counts(built, tmp_path, weights, "check_brute_big")
    want = [certify_brute(w).count for w in weights]
    assert len(weights) == 23 and got == want and sum(want) > 0 and 0 in want  # proofs and refusals both


@functools.lru_cache(maxsize=1)
def zoo_models() -> list:
    """Twelve small zero-bias models of the soundness zoo (tests/zoo.py): near-ties (exact and
    2^-20 apart), max-like pushes with sharp attention, random, briefly trained (some sharpened), n = 2 to 4."""
    picked = [make_model(i) for i in (0, 1, 3, 4, 5, 6, 8, 9, 14, 18, 19, 28)]
    assert {z.kind for z in picked} == {"trained", "near-tie", "max-like", "random"}
    return [z.model for z in picked]


def test_coq_cubic_checker_equals_python(built, tmp_path):
    """Differential test (issue 10): Coq's cubic checker (check_cubic_big, proved equal to
    check_cubic), computed by vm_compute, returns Python's certify_cubic count on 35 models."""
    weights = [exact_weights(m) for m in tiny_models() + zoo_models()]
    assert all(w.d_vocab ** w.n_ctx <= 13**4 for w in weights)
    got = coq_counts(built, tmp_path, weights, "check_cubic_big")
    want = [certify_cubic(w).count for w in weights]
    assert len(weights) == 35 and got == want and sum(want) > 0 and 0 in want


@functools.lru_cache(maxsize=4)
def trained(V: int, n: int, d: int, h: int, steps: int):
    model, _ = train(ModelConfig(d_vocab=V, n_ctx=n, d_model=d, d_head=h),
                     TrainConfig(seed=0, steps=steps, lr=2e-2, batch_size=64))
    return model


def test_end_to_end_theorems_for_trained_models(built, tmp_path, capsys):
    """Issues 9, 10 and 21, "Done when": trained V=4, n=2 and V=8, n=3 models (brute force) and a
    trained K=4, V=8 model (cubic and subcubic:default) get Coq theorems about the real model
    from `pyverify export --prover coq`, `pyverify check --prover coq` verifies them (and the
    committed Tiny) with the allowed axioms only, compare shows the Coq column, and theorems
    whose N is raised by one are rejected at their line."""
    coq_dir = tmp_path / "coq"
    shutil.copytree(built, coq_dir)
    (coq_dir / "Generated" / "Seed123.v").unlink()  # 80 s of coqc: checked outside the suite
    models = {"TrainedV4": trained(4, 2, 4, 4, 200), "TrainedV8": trained(8, 3, 8, 6, 300)}
    counts = {}
    for name, model in models.items():
        path = save_checkpoint(model, tmp_path / f"{name}.safetensors")
        assert main(["export", str(path), "--strategy", "brute-force", "--prover", "coq", "--coq-dir", str(coq_dir),
                     "--name", name]) == 0
        counts[name] = certify_brute(exact_weights(model)).count
        text = (coq_dir / "Generated" / f"{name}.v").read_text()
        assert f"Theorem accuracy_lower_bound : well_formed weights /\\ ({counts[name]} <= correct_count weights)%nat." in text
    assert counts["TrainedV8"] > 256  # a real certificate, not a vacuous one
    cubic = trained(8, 4, 8, 8, 300)
    path = save_checkpoint(cubic, tmp_path / "TrainedCubic.safetensors")
    assert main(["export", str(path), "--strategy", "cubic", "--prover", "coq", "--coq-dir", str(coq_dir),
                 "--name", "TrainedCubic"]) == 0
    counts["TrainedCubic"] = certify_cubic(exact_weights(cubic)).count
    assert counts["TrainedCubic"] > 8**4 // 2
    text = (coq_dir / "Generated" / "TrainedCubic.v").read_text()
    assert f"Theorem accuracy_lower_bound : well_formed weights /\\ ({counts['TrainedCubic']} <= N.of_nat (correct_count weights))%N." in text
    assert main(["export", str(path), "--strategy", "subcubic:default", "--prover", "coq", "--coq-dir", str(coq_dir),
                 "--name", "TrainedSubcubic"]) == 0
    counts["TrainedSubcubic"] = certify_subcubic(cubic, "default").count
    assert counts["TrainedSubcubic"] > 8**4 // 4
    text = (coq_dir / "Generated" / "TrainedSubcubic.v").read_text()
    assert f"Theorem accuracy_lower_bound : well_formed weights /\\ ({counts['TrainedSubcubic']} <= N.of_nat (correct_count weights))%N." in text
    assert "Definition hints : Subcubic.hints :=" in text
    assert verify_coq_module(coq_dir / "Generated" / "TrainedSubcubic.v").hints is not None  # reads back
    capsys.readouterr()
    assert main(["check", "--prover", "coq", "--coq-dir", str(coq_dir)]) == 0
    out = capsys.readouterr().out
    for name in ("Tiny", "TrainedV4", "TrainedV8", "TrainedCubic", "TrainedSubcubic"):
        assert f"verified  PyVerify.Generated.{name}.accuracy_lower_bound" in out, out

    # The theorem's axioms, listed by Coq itself (`check` compiled its own rendering elsewhere and
    # left nothing in coq_dir: compile the module here).
    assert not list((coq_dir / "Generated").glob("*.vo"))
    assert subprocess.run([coqc(), "-R", str(built / "theories"), "PyVerify", "-R", "Generated", "PyVerify.Generated",
                           "Generated/TrainedV8.v"], cwd=coq_dir, capture_output=True).returncode == 0
    [axioms] = assumptions(coqc(), coq_dir, "From PyVerify.Generated Require TrainedV8.\n",
                           ["PyVerify.Generated.TrainedV8.accuracy_lower_bound"], library=built)
    assert set(ALLOWED_AXIOMS) <= set(axioms) and not disallowed(axioms)
    assert any(a.startswith(ALLOWED_PREFIXES) for a in axioms)  # vm_compute on BigZ: primitive integers

    for done in ("TrainedV8.v", "Tiny.v"):  # the rest needs only the small model
        (coq_dir / "Generated" / done).unlink()
    assert main(["compare", str(tmp_path / "TrainedV4.safetensors"), "--coq-dir", str(coq_dir), "--no-lake"]) == 0
    out = capsys.readouterr().out
    assert "Coq:  Generated/TrainedV4.v: verified by coqc" in out, out

    for name in ("TrainedV4", "TrainedCubic", "TrainedSubcubic"):
        # N + 1 in pyverify's own form (a hand edit would be refused before coqc runs): the kernel must reject it
        tampered = coq_dir / "Generated" / f"{name}.v"
        m = read_coq_module(tampered)
        tampered.write_text(render_coq_module(m.weights, m.name, m.strategy, counts[name] + 1, m.architecture,
                                              hints=m.hints))
        assert f"({counts[name] + 1} <= " in tampered.read_text()
    assert main(["check", "--prover", "coq", "--coq-dir", str(coq_dir), "--module", "TrainedV4", "--module",
                 "TrainedCubic", "--module", "TrainedSubcubic"]) == 1
    out = capsys.readouterr().out
    for name in ("TrainedV4", "TrainedCubic", "TrainedSubcubic"):
        text = (coq_dir / "Generated" / f"{name}.v").read_text()
        line = next(i for i, s in enumerate(text.splitlines(), 1) if s.startswith("Qed."))  # the kernel's check
        assert f"FAILED    PyVerify.Generated.{name}.accuracy_lower_bound  Generated/{name}.v:{line}:" in out, out


def test_check_without_coqc_exits_3_and_says_so(monkeypatch, capsys):
    monkeypatch.setattr(coq_check.shutil, "which", lambda name: None)
    assert main(["check", "--prover", "coq", "--coq-dir", str(COQ)]) == 3
    err = capsys.readouterr().err
    assert "no Coq" in err and "nothing was checked" in err and "verified" not in err


def test_coq_export_reports_a_check_estimate(tmp_path, capsys):
    """export --prover coq says roughly how long coqc will take; the estimate grows with the
    vocabulary, with K for brute force, and is small for the tiny model."""
    import json

    from pyverify.provers.coq_render import estimate_coq_seconds as estimate

    path = save_checkpoint(tiny_model(), tmp_path / "tiny.safetensors")
    assert main(["export", str(path), "--strategy", "brute-force", "--prover", "coq", "--coq-dir",
                 str(tmp_path / "c"), "--name", "Tiny", "--json"]) == 0
    module = json.loads(capsys.readouterr().out)["modules"][0]
    assert module["prover"] == "coq" and 0 < module["check_estimate_seconds"] < 10
    assert estimate(64, 4, 32, "cubic") > estimate(32, 4, 32, "cubic") > estimate(16, 4, 16, "cubic")
    assert estimate(16, 4, 16, "brute-force") > 10 * estimate(16, 3, 16, "brute-force")


def test_check_both_checks_coq_when_lean_is_missing(built, tmp_path, monkeypatch, capsys):
    """--prover both: a missing Lean toolchain is reported, the Coq theorems are still checked,
    and the exit status (3) says that not everything asked for was checked."""
    from pyverify.provers import lean as lake

    coq_dir = tmp_path / "coq"
    shutil.copytree(built, coq_dir)
    (coq_dir / "Generated" / "Seed123.v").unlink()
    real_which = shutil.which
    monkeypatch.setattr(lake.shutil, "which", lambda name: None if name in ("lake", "lean") else real_which(name))
    monkeypatch.delenv("PYVERIFY_LEAN", raising=False)
    assert main(["check", "--prover", "both", "--lean-dir", str(ROOT / "lean"), "--coq-dir", str(coq_dir)]) == 3
    out, err = capsys.readouterr()
    assert "verified  PyVerify.Generated.Tiny.accuracy_lower_bound" in out and "no Lean toolchain" in err


# --- what `check --prover coq` refuses (issue 19, section 2) -------------------------------------

def tiny_coq_project(tmp_path: Path) -> Path:
    coq_dir = tmp_path / "coq"
    to_coq(tiny_model(), "Tiny", "brute-force", coq_dir)
    return coq_dir


MODULE_TAMPERING = {  # an edit of Generated/Tiny.v, and the reason check gives
    "an axiom in a module named Uint63": (
        "Theorem accuracy_lower_bound", "Module Uint63. Axiom cheat : (16 <= correct_count weights)%nat. End Uint63.\n"
        "Theorem accuracy_lower_bound", "not the module pyverify writes"),
    "a local correct_count": ("Theorem accuracy_lower_bound", "Definition correct_count (w : Semantics.weights) := 16%nat.\n"
                              "Theorem accuracy_lower_bound", "not the module pyverify writes"),
    "an admitted lemma": ("Theorem accuracy_lower_bound : well_formed weights /\\ (10 <= correct_count weights)%nat.",
                          "Lemma accuracy_lower_bound : (16 <= correct_count weights)%nat. Admitted.\n"
                          "Theorem unused : (10 <= correct_count weights)%nat.", "cannot read the theorem"),
    "one weight changed": ("    [32; 0; 0; 0];", "    [31; 0; 0; 0];", "not the module pyverify writes"),
    "an ill-formed record": ("d_vocab := 4;", "d_vocab := 3;", "the weights record is ill-formed"),
}


@pytest.mark.parametrize("attack", sorted(MODULE_TAMPERING))
def test_a_tampered_coq_module_is_reported_failed(attack, tmp_path, capsys):
    coqc()
    coq_dir = tiny_coq_project(tmp_path)
    path = coq_dir / "Generated" / "Tiny.v"
    old, new, reason = MODULE_TAMPERING[attack]
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new, 1))
    assert main(["check", "--prover", "coq", "--coq-dir", str(coq_dir)]) == 1
    out = capsys.readouterr().out
    assert "FAILED    PyVerify.Generated.Tiny" in out and reason in out and "verified" not in out, out


@pytest.mark.parametrize("attack", ["an axiom in a library file Uint63.v", "correct_count edited in Semantics.v"])
def test_a_tampered_coq_library_is_reported_failed(attack, tmp_path, capsys):
    coqc()
    coq_dir = tiny_coq_project(tmp_path)
    if attack.startswith("an axiom"):
        (coq_dir / "theories" / "Uint63.v").write_text("Axiom cheat : False.\n")
        reason = "theories/Uint63.v (not shipped)"
    else:
        semantics = coq_dir / "theories" / "Semantics.v"
        semantics.write_text(semantics.read_text() + "\n(* edited *)\n")
        reason = "differs from the one pyverify ships: theories/Semantics.v"
    assert main(["check", "--prover", "coq", "--coq-dir", str(coq_dir)]) == 1
    out = capsys.readouterr().out
    assert "FAILED    PyVerify.Generated.Tiny" in out and reason in out, out


def test_axioms_are_allowed_by_full_name_only(built, tmp_path, capsys, monkeypatch):
    """Defence in depth: with the byte-for-byte check off and the tampered text compiled in place of
    pyverify's rendering, a module whose proof uses an axiom it declares in a module named Uint63
    compiles, prints as `Uint63.cheat`, and is still refused: its full name is
    PyVerify.Generated.Tiny.Uint63.cheat."""
    from pyverify.provers.read import read_coq_module as read

    monkeypatch.setattr(coq_check, "verify_coq_module", read)
    coq_dir = tmp_path / "coq"
    shutil.copytree(built, coq_dir)
    (coq_dir / "Generated" / "Seed123.v").unlink()
    path = coq_dir / "Generated" / "Tiny.v"
    text = path.read_text()
    head = text[:text.index("Theorem accuracy_lower_bound")]
    path.write_text(head + "Module Uint63. Axiom cheat : (16 <= correct_count weights)%nat. End Uint63.\n"
                    "Theorem accuracy_lower_bound : well_formed weights /\\ (16 <= correct_count weights)%nat.\n"
                    "Proof. split; [apply well_formed_b_correct; vm_compute; reflexivity | exact Uint63.cheat]. Qed.\n")
    monkeypatch.setattr(coq_check, "render_coq_module", lambda *args: path.read_text())
    assert main(["check", "--prover", "coq", "--coq-dir", str(coq_dir)]) == 1
    out = capsys.readouterr().out
    assert "outside the allowed list: PyVerify.Generated.Tiny.Uint63.cheat" in out and "verified" not in out, out


def test_compare_recomputes_the_digest_from_the_weights(tmp_path, capsys):
    """A module whose weights were changed (its digest comment kept) is not the model's module."""
    coq_dir = tiny_coq_project(tmp_path)
    path = coq_dir / "Generated" / "Tiny.v"
    path.write_text(path.read_text().replace("    [32; 0; 0; 0];", "    [31; 0; 0; 0];", 1))
    model = save_checkpoint(tiny_model(), tmp_path / "tiny.safetensors")
    assert main(["compare", str(model), "--coq-dir", str(coq_dir), "--lean-dir", str(tmp_path / "none"),
                 "--no-lake", "--no-coq"]) == 0
    out = capsys.readouterr().out
    assert "Coq:  not exported" in out and "Generated/Tiny.v" not in out, out


def test_export_never_overwrites_a_file_pyverify_did_not_write(tmp_path, capsys):
    """A user's own Generated/Tiny.v in a pyverify Coq project is kept unless --force; a bad
    --coq-dir with --prover both writes no Lean module either."""
    coq_dir = tiny_coq_project(tmp_path)
    mine = coq_dir / "Generated" / "Tiny.v"
    mine.write_text("(* my own proof *)\n")
    model = save_checkpoint(tiny_model(), tmp_path / "tiny.safetensors")
    args = ["export", str(model), "--strategy", "brute-force", "--prover", "coq", "--coq-dir", str(coq_dir),
            "--name", "Tiny"]
    assert main(args) == 2
    assert "was not written by pyverify" in capsys.readouterr().err and mine.read_text() == "(* my own proof *)\n"
    assert main(args + ["--force"]) == 0 and "Theorem accuracy_lower_bound" in mine.read_text()
    foreign = tmp_path / "theirs"
    foreign.mkdir()
    (foreign / "_CoqProject").write_text("-R . Theirs\n")
    lean_dir = tmp_path / "lean"
    assert main(["export", str(model), "--strategy", "brute-force", "--prover", "both", "--coq-dir", str(foreign),
                 "--lean-dir", str(lean_dir), "--name", "Tiny"]) == 2
    assert "not a pyverify Coq project with the library" in capsys.readouterr().err and not lean_dir.exists()


def test_a_theorem_about_an_ill_formed_record_does_not_compile(built, tmp_path):
    """The statement implies the shapes: a record whose d_vocab is not its number of embedding rows
    (here the tiny model's 4 rows declared as 3) cannot get its theorem, whatever the count."""
    from dataclasses import replace

    coq_dir = tmp_path / "coq"
    shutil.copytree(built, coq_dir)
    w = replace(exact_weights(tiny_model()), d_vocab=3)
    (coq_dir / "Generated" / "Bad.v").write_text(render_coq_module(w, "Bad", "brute-force", 0))
    r = subprocess.run([coqc(), "-R", str(coq_dir / "theories"), "PyVerify", "-R", str(coq_dir / "Generated"),
                        "PyVerify.Generated", "Generated/Bad.v"], cwd=coq_dir, capture_output=True, text=True)
    line = next(i for i, s in enumerate((coq_dir / "Generated" / "Bad.v").read_text().splitlines(), 1)
                if "well_formed_b_correct" in s)
    assert r.returncode != 0 and f'Bad.v", line {line},' in r.stderr + r.stdout, r.stderr  # the shapes' step fails
