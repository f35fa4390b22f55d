"""The subcubic checker in Coq (issues 21 and 29): Coq's count equals Python's `check_subcubic`
on the same hints, honest or lying, and never exceeds the truth; every handling's claimed error
bound is a true bound, so checking it changes no count. `subcubic_sound` and its axioms are in
tests/test_coq.py (THEOREMS), as is the end-to-end theorem of a trained model."""

from __future__ import annotations

import random
import re
import subprocess
from dataclasses import replace
from pathlib import Path

from pyverify.exact.brute_checker import certify_brute
from pyverify.exact.fixed import inv_sqrt
from pyverify.exact.subcubic_checker import certify_subcubic, check_subcubic, checked_split
from pyverify.exact.weights import exact_tables, exact_weights
from pyverify.provers.coq_render import coq_hints_record
from pyverify.numeric.strategies.subcubic import SubcubicConfig
from tests.lean_fixtures import lying_hints
from tests.test_coq import built, coq_weights, coqc, tiny_models, zoo_models  # noqa: F401 (built: a fixture)

CONFIGS = [c.name for c in SubcubicConfig.all()]


def coq_subcubic_counts(library: Path, tmp_path: Path, cases: list) -> list[int]:
    """check_subcubic_big evaluated by vm_compute on every (weights, hints) pair (one coqc run)."""
    script = tmp_path / "subcubic.v"
    script.write_text(
        "From PyVerify Require Import Semantics Fixed Subcubic SubcubicBig.\n"
        "From Coq Require Import List ZArith.\nImport ListNotations.\nOpen Scope Z_scope.\n"
        + "".join(f"Eval vm_compute in check_subcubic_big {coq_weights(w)} ({inv_sqrt(w.d_head)[0]}, "
                  f"{inv_sqrt(w.d_head)[1]}) {coq_hints_record(h)}.\n" for w, h in cases))
    r = subprocess.run([coqc(), "-R", str(library / "theories"), "PyVerify", str(script)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    return [int(v) for v in re.findall(r"= (\d+)%N", r.stdout)]


def checked(w, h) -> int:
    """Python's count for these hints."""
    return sum(c for *_, c in check_subcubic(w, h))


def test_every_handlings_claimed_bound_is_a_true_bound():
    """For every configuration on three models, and a sample of them on twelve more,
    the hints' claimed bound on each row spread of Err is at least the exact spread: the check
    raises nothing, so each handling's derivation (docs/strategies.md) holds in exact arithmetic
    and the count is the handling's own."""
    models = tiny_models()[:3] + zoo_models()
    seen = 0
    for i, model in enumerate(models):
        w = exact_weights(model)
        EQKE = exact_tables(w).EQKE
        for name in (CONFIGS if i < 3 else CONFIGS[i % 11::11]):
            h = certify_subcubic(model, name).hints
            assert checked_split(w, EQKE, h).R == h.err_bound, (i, name)
            seen += 1
    assert seen > 280


def test_coq_subcubic_checker_equals_python_for_honest_and_lying_hints(built, tmp_path):
    """Differential test: Coq's check_subcubic_big (proved equal to check_subcubic, proved sound)
    computed by vm_compute equals Python's count on 32 models, every EUPU handling, every
    attention error handling and both attention handlings among them; with lying hints too, and
    never above the brute-force truth; malformed hints (an unknown EUPU code, a row of the wrong
    length, a zero denominator) count nothing."""
    rng = random.Random(21)
    models = tiny_models()[:20] + zoo_models()
    cases, want, truth = [], [], []
    for i, model in enumerate(models):
        w = exact_weights(model)
        r = certify_subcubic(model, CONFIGS[(7 * i) % len(CONFIGS)])
        assert checked(w, r.hints) == r.count
        cases.append((w, r.hints))
        if i % 3 == 0:  # and a lying version of the same hints
            cases.append((w, lying_hints(w, r.hints, rng)))
        if i == 2:  # malformed: the count is 0
            h = r.hints
            for bad in (replace(h, eupu=3), replace(h, mu=h.mu[:-1]), replace(h, main_exact=False, den=0)):
                cases.append((w, bad))
                assert checked(w, bad) == 0
        truth += [certify_brute(w).count] * (len(cases) - len(truth))
    want = [checked(w, h) for w, h in cases]
    configs = {CONFIGS[(7 * i) % len(CONFIGS)] for i in range(len(models))}
    assert len(models) == 32 and {c.split("/")[0] for c in configs} >= {"mean_query+max_diff", "max_diff_exact",
                                                                         "global_max_diff_exact"}
    assert len({c.split("/")[2] for c in configs}) == 10 and len({c.split("/")[1] for c in configs}) == 2
    got = coq_subcubic_counts(built, tmp_path, cases)
    assert got == want and sum(want) > 0 and 0 in want
    assert all(g <= t for g, t in zip(got, truth))
