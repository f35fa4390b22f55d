"""The Coq soundness backbone (coq/, ../shared/design/COQ.md): every proof is checked by coqc,
none is admitted, and every theorem rests only on the standard reals' axioms.

In CI (CI=true) a missing coqc is a failure; elsewhere these tests skip with a reason.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from pyverify.exact.brute_checker import certify_brute
from pyverify.exact.fixed import PREC, exp_interval, exp_nonpos, inv_sqrt
from pyverify.exact.weights import exact_weights
import torch

from pyverify.config import ModelConfig
from pyverify.train import TrainConfig, train
from tests.zoo import random_model

ROOT = Path(__file__).resolve().parents[1]
COQ = ROOT / "coq"
FORBIDDEN = ("Admitted", "admit", "Axiom", "Parameter", "Conjecture", "native_compute")
# ../shared/design/COQ.md, "Trust rules": the standard reals' axioms and the specifications of
# primitive integers and floats.
ALLOWED_AXIOMS = {"ClassicalDedekindReals.sig_not_dec", "ClassicalDedekindReals.sig_forall_dec",
                  "FunctionalExtensionality.functional_extensionality_dep"}
ALLOWED_PREFIXES = ("Uint63.", "PrimInt63.", "PrimFloat.", "FloatAxioms.")
# The theorems proved so far, each checked with Print Assumptions.
THEOREMS = ("Semantics.correct_b_spec", "Semantics.all_inputs_length", "Fixed.round_out_correct",
            "Fixed.add_correct", "Fixed.mul_correct", "Fixed.mul_hi_nonneg_correct", "Fixed.from_scaled_correct",
            "Fixed.scaled_score_correct", "Fixed.check_inv_sqrt_correct", "Exp.exp_alternating",
            "Exp.exp_nonpos_correct", "Exp.exp_interval_correct", "Sums.rsum_swap", "Sums.IZR_entry_matmul",
            "Soundness.score_numerator", "Soundness.logit_tables", "Soundness.logit_difference",
            "Soundness.input_certified_correct", "Soundness.brute_sound")


def coqc() -> str:
    path = shutil.which("coqc")
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("coqc is missing in CI: .ci/run installs Coq from Debian (../shared/design/COQ.md)")
        pytest.skip("coqc is not installed (apt-get install coq libcoq-coquelicot libcoq-interval ...)")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A copy of coq/ built with `make` (the checkout is left clean)."""
    coqc()
    folder = tmp_path_factory.mktemp("coq") / "coq"
    shutil.copytree(COQ, folder, ignore=shutil.ignore_patterns("*.vo*", "*.glob", ".*.aux", "Makefile.coq*"))
    r = subprocess.run(["make", "-C", str(folder)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return folder


def coq_sources() -> list[Path]:
    return sorted(COQ.rglob("*.v")) + sorted((ROOT / "templates").glob("*.v.j2"))


def strip_comments(text: str) -> str:
    while "(*" in text:  # Coq comments nest: remove innermost first
        text = re.sub(r"\(\*(?:(?!\(\*)(?!\*\)).)*\*\)", " ", text, flags=re.DOTALL)
    return text


def test_no_admitted_proof_or_new_axiom():
    assert coq_sources()
    for path in coq_sources():
        code = strip_comments(path.read_text())
        for word in FORBIDDEN:
            assert not re.search(rf"\b{word}\b", code), (path.name, word)


def test_every_file_in_the_project_is_built():
    listed = set(re.findall(r"^(theories/\S+\.v)$", (COQ / "_CoqProject").read_text(), flags=re.MULTILINE))
    assert listed == {str(p.relative_to(COQ)) for p in COQ.rglob("*.v")}


def test_library_builds_and_rests_only_on_the_standard_axioms(built, tmp_path):
    script = tmp_path / "Assumptions.v"
    script.write_text("From PyVerify Require Import Semantics Fixed Exp Tables Sums Soundness.\n"
                      + "".join(f"Print Assumptions PyVerify.{name}.\n" for name in THEOREMS))
    r = subprocess.run([coqc(), "-R", str(built / "theories"), "PyVerify", str(script)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    blocks = re.split(r"^(?=Axioms:|Closed under the global context)", r.stdout, flags=re.MULTILINE)
    blocks = [b for b in blocks if b.strip()]
    assert len(blocks) == len(THEOREMS), r.stdout
    for name, block in zip(THEOREMS, blocks):
        axioms = [a for a in re.findall(r"^([A-Za-z_][\w.']*)", block, flags=re.MULTILINE)
                  if a not in ("Axioms", "Closed")]  # unindented lines name the axioms
        if "Closed under the global context" not in block:
            assert axioms, (name, block)
        for axiom in axioms:
            assert axiom in ALLOWED_AXIOMS or axiom.startswith(ALLOWED_PREFIXES), (name, axiom)


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


def tiny_models() -> list:
    """22 tiny models (V 3-4, n = 2, d = h = 3): random with soft to sharp attention, near-tie
    unembeddings, max-like pushes, and briefly trained ones. (Coq computes on Z here; BigZ,
    per COQ.md, will make larger models affordable.)"""
    models = []
    for i in range(16):
        m = random_model(3 + i % 2, 2, seed=500 + i, d=3, h=3, attn_gain=(0.5, 4.0, 20.0)[i % 3],
                         weight_std=(1.0, 0.3, 2.0)[i // 3 % 3])
        with torch.no_grad():
            if i % 4 == 1:  # an exact tie between outputs 0 and 1
                m.unembed.W_U[:, 1] = m.unembed.W_U[:, 0]
            if i % 4 == 2:  # max-like
                V = m.cfg.d_vocab
                m.unembed.W_U[:, :] += 3.0 * torch.linspace(0, 1, V)[None, :]
        models.append(m)
    for seed in range(6):
        trained, _ = train(ModelConfig(d_vocab=3 + seed % 2, n_ctx=2, d_model=4, d_head=4),
                           TrainConfig(seed=seed, steps=60, lr=2e-2, batch_size=64))
        models.append(trained)
    return models


def test_coq_brute_force_checker_equals_python(built, tmp_path):
    """Differential test (issue 9): Coq's check_brute, computed by vm_compute, returns the same
    count as Python's certify_brute on 22 tiny random, adversarial and trained models."""
    models = tiny_models()
    weights = [exact_weights(m) for m in models]
    script = tmp_path / "BruteCheck.v"
    script.write_text(
        "From PyVerify Require Import Semantics Fixed Brute.\nFrom Coq Require Import List ZArith.\n"
        "Import ListNotations.\nOpen Scope Z_scope.\n"
        + "".join(f"Eval vm_compute in check_brute {coq_weights(w)} ({inv_sqrt(w.d_head)[0]}, {inv_sqrt(w.d_head)[1]}).\n"
                  for w in weights))
    r = subprocess.run([coqc(), "-R", str(built / "theories"), "PyVerify", str(script)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    got = [int(v) for v in re.findall(r"= (\d+)%nat", r.stdout)]
    want = [certify_brute(w).count for w in weights]
    assert len(models) == 22 and got == want and sum(want) > 0 and 0 in want  # proofs and refusals both
