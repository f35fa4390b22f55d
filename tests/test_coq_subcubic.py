"""The subcubic checker in Coq (issue 21): `subcubic_sound` holds for every weight, scale and
hint; Coq's count equals Python's (`certify_subcubic`, and `certify_coq_hints` for any hints);
an exported subcubic theorem is checked by coqc and a raised N is rejected."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from pyverify.checkpoint import save_checkpoint
from pyverify.cli import main
from pyverify.exact.brute_checker import certify_brute
from pyverify.exact.fixed import inv_sqrt
from pyverify.exact.subcubic_checker import CoqSubcubicHints, certify_coq_hints, certify_subcubic
from pyverify.exact.weights import exact_weights
from pyverify.export.coq import coq_hints_record, render_coq_module
from pyverify.export.read import read_coq_module, verify_coq_module
from pyverify.strategies.subcubic import PRESETS, SubcubicConfig
from tests.test_coq import built, coq_weights, coqc, tiny_models, trained, zoo_models  # noqa: F401 (fixture)

IMPLEMENTED = [c.name for c in SubcubicConfig.all() if c.implemented]


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


def lying(h: CoqSubcubicHints, w, rng: random.Random) -> CoqSubcubicHints:
    """The same hints with lies: random gaps (out of range too), error bounds far too small,
    random split factors, another EUPU code and row, the other drop_query."""
    V, n = w.d_vocab, w.n_ctx
    gaps = [[rng.randrange(0, V + 3) for _ in range((m + 1) * n)] for m in range(V)]
    code = rng.randrange(3)
    return replace(h, gaps=gaps, err_bound=[rng.choice([0, -5, 1]) for _ in range(V)],
                   main_q=[rng.randrange(-2**20, 2**20) for _ in range(V)] if not h.main_exact else h.main_q,
                   main_k=[rng.randrange(-2**20, 2**20) for _ in range(V)] if not h.main_exact else h.main_k,
                   eupu=code, mu=[rng.randrange(-2**12, 2**12) for _ in range(w.d_model)] if code == 0 else [],
                   drop_query=not h.drop_query)


def test_python_mirror_of_the_coq_checker_equals_certify_subcubic():
    """certify_coq_hints (Coq's checker in Python, reading only the Coq hints) gives
    certify_subcubic's count for every implemented configuration on three models, and a sample
    of them on twelve more: every handling's claimed R is at least the exact spread there."""
    models = tiny_models()[:3] + zoo_models()
    checked = 0
    for i, model in enumerate(models):
        w = exact_weights(model)
        for name in (IMPLEMENTED if i < 3 else IMPLEMENTED[i % 7::7]):
            r = certify_subcubic(model, name)
            assert certify_coq_hints(w, r.coq_hints) == r.count, (i, name)
            checked += 1
    assert checked > 300


def test_coq_subcubic_checker_equals_python_for_honest_and_lying_hints(built, tmp_path):
    """Differential test: Coq's check_subcubic_big (proved equal to check_subcubic, proved sound)
    computed by vm_compute equals Python's count on 32 models, every EUPU handling, every
    attention error handling and both attention handlings among them; with lying hints it
    equals the Python mirror and never exceeds the brute-force truth."""
    rng = random.Random(21)
    models = tiny_models()[:20] + zoo_models()
    cases, want, truth = [], [], []
    for i, model in enumerate(models):
        w = exact_weights(model)
        r = certify_subcubic(model, IMPLEMENTED[(7 * i) % len(IMPLEMENTED)])
        cases.append((w, r.coq_hints))
        want.append(r.count)
        if i % 2 == 0:  # and a lying version of the same hints
            h = lying(r.coq_hints, w, rng)
            cases.append((w, h))
            want.append(certify_coq_hints(w, h))
        truth += [certify_brute(w).count] * (len(cases) - len(truth))
    configs = {IMPLEMENTED[(7 * i) % len(IMPLEMENTED)] for i in range(len(models))}
    assert len(models) == 32 and {c.split("/")[0] for c in configs} >= {"mean_query+max_diff", "max_diff_exact",
                                                                         "global_max_diff_exact"}
    assert len({c.split("/")[2] for c in configs}) == 9 and len({c.split("/")[1] for c in configs}) == 2
    got = coq_subcubic_counts(built, tmp_path, cases)
    assert got == want and sum(want) > 0 and 0 in want
    assert all(g <= t for g, t in zip(got, truth))


def test_malformed_hints_count_nothing(built, tmp_path):
    """An unknown EUPU code, a row of the wrong length or a non-positive denominator: Coq's count
    is 0, as the Python mirror's."""
    model = tiny_models()[2]
    w = exact_weights(model)
    h = certify_subcubic(model, "default").coq_hints
    bad = [replace(h, eupu=3), replace(h, mu=h.mu[:-1]), replace(h, main_exact=False, den=0)]
    assert [certify_coq_hints(w, b) for b in bad] == [0, 0, 0]
    assert coq_subcubic_counts(built, tmp_path, [(w, b) for b in bad]) == [0, 0, 0]


def test_end_to_end_subcubic_theorem(built, tmp_path, capsys):
    """A trained K=4, V=8 model gets a Coq theorem for each preset from `pyverify export
    --strategy subcubic:PRESET --prover coq`; `pyverify check --prover coq` verifies them (the
    statement by full names, the allowed axioms only), the module reads back byte for byte, and
    the theorem with N + 1 is rejected by the kernel."""
    coq_dir = tmp_path / "coq"
    shutil.copytree(built, coq_dir)
    for done in ("Seed123.v", "Tiny.v"):
        (coq_dir / "Generated" / done).unlink()
    model = trained(8, 4, 8, 8, 300)
    path = save_checkpoint(model, tmp_path / "trained.safetensors")
    counts = {}
    for preset in PRESETS:
        name = "Sub" + preset.title().replace("-", "")
        assert main(["export", str(path), "--strategy", f"subcubic:{preset}", "--prover", "coq", "--coq-dir",
                     str(coq_dir), "--name", name]) == 0
        counts[name] = certify_subcubic(model, preset).count
        text = (coq_dir / "Generated" / f"{name}.v").read_text()
        assert (f"Theorem accuracy_lower_bound : well_formed weights /\\ ({counts[name]} <= N.of_nat "
                f"(correct_count weights))%N.") in text
        assert verify_coq_module(coq_dir / "Generated" / f"{name}.v").coq_hints is not None
    assert max(counts.values()) > 8**4 // 4  # real certificates
    capsys.readouterr()
    assert main(["check", "--prover", "coq", "--coq-dir", str(coq_dir)]) == 0
    out = capsys.readouterr().out
    for name in counts:
        assert f"verified  PyVerify.Generated.{name}.accuracy_lower_bound" in out, out

    tampered = coq_dir / "Generated" / "SubDefault.v"
    m = read_coq_module(tampered)
    tampered.write_text(render_coq_module(m.weights, m.name, m.strategy, counts["SubDefault"] + 1, m.architecture,
                                          hints=m.coq_hints))
    assert main(["check", "--prover", "coq", "--coq-dir", str(coq_dir), "--module", "SubDefault"]) == 1
    out = capsys.readouterr().out
    line = next(i for i, s in enumerate(tampered.read_text().splitlines(), 1) if s.startswith("Qed."))
    assert f"FAILED    PyVerify.Generated.SubDefault.accuracy_lower_bound  Generated/SubDefault.v:{line}:" in out, out


def test_coq_export_of_an_unimplemented_configuration_is_refused(tmp_path):
    from pyverify.errors import PyVerifyError
    from pyverify.export.coq import to_coq
    from tests.lean_fixtures import tiny_model

    unimplemented = next(c.name for c in SubcubicConfig.all() if not c.implemented)
    with pytest.raises(PyVerifyError):
        to_coq(tiny_model(), "Tiny", f"subcubic:{unimplemented}", tmp_path / "c")
    assert not (tmp_path / "c").exists()
