"""The Lean subcubic checker (issues 11 and 29), checked where Python can check it.

The Lean checker reads the one subcubic certificate (`SubcubicHints`) that Python's
`check_subcubic` and Coq's `check_subcubic` read; the real compiler checks that it computes
Python's counts (tests/test_lean_compile.py: the committed modules, exported zoo models, lying
hints). Here: every configuration has the Lean checker, a module holds exactly the
hints it was rendered from, and each committed module's theorems are what Python's checker
computes from the module's own hints.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pyverify.errors import PyVerifyError
from pyverify.exact.blocks import subcubic_blocks
from pyverify.exact.subcubic_checker import certify_subcubic, check_subcubic
from pyverify.exact.weights import exact_weights
from pyverify.numeric.registry import strategy
from pyverify.numeric.strategies.subcubic import PRESETS, SubcubicConfig
from pyverify.provers import render_module
from pyverify.provers.read import read_lean_module
from tests.lean_fixtures import tiny_model

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = [p for p in sorted((ROOT / "lean" / "Generated").glob("*.lean")) if "checkSubcubic" in p.read_text()]


def test_every_configuration_has_the_checkers():
    configs = SubcubicConfig.all()
    assert len(configs) == 100
    assert all(strategy(f"subcubic:{c.name}").facts.lean.checker == "checkSubcubic" for c in configs)
    assert all(strategy(f"subcubic:{p}").facts.coq.checker == "check_subcubic_big" for p in PRESETS)


def test_generated_subcubic_module_holds_the_hints(trained_k4, tmp_path):
    """The module's hints read back to the SubcubicHints it was rendered from, and its theorems are
    Python's block counts."""
    w = exact_weights(trained_k4)
    result = certify_subcubic(trained_k4, PRESETS["svd"])
    text = render_module(w, "Svd", "subcubic:svd", result.count, result.blocks, result.hints)
    assert len(text.encode()) <= 200 * 1024
    assert "Subcubic configuration `mean_query+max_diff/mean_query+diff/svd`" in text
    assert f"theorem subcubic_certified : checkSubcubic weights scale hints = {result.count} :=" in text
    for j, (lo, hi, count) in enumerate(result.blocks):
        assert f"theorem subcubic_block_{j} : subcubicBlock weights scale hints {lo} {hi} = {count} := by decide +kernel" \
            in text
    body = text[text.index("noncomputable def hints"):text.index("set_option", text.index("noncomputable def hints"))]
    listed = body[body.index("gaps := "):body.index("\n    mainExact := ")]
    assert listed.count("(") == listed.count(")") == w.d_vocab - 1 and listed.rstrip(")").endswith(" List.nil")
    assert not result.hints.main_exact and "mainExact := false" in body
    path = tmp_path / "Svd.lean"
    path.write_text(text)
    assert read_lean_module(path).hints == result.hints


def test_gap_hints_a_module_cannot_hold_are_refused(trained_k4):
    w = exact_weights(trained_k4)
    r = certify_subcubic(trained_k4, PRESETS["default"])
    V = w.d_vocab
    bad = [r.hints.gaps[:-1], [r.hints.gaps[0] + [1]] + r.hints.gaps[1:], [[V + 1] + r.hints.gaps[0][1:]] + r.hints.gaps[1:]]
    for gaps in bad:
        with pytest.raises(PyVerifyError, match="gap hints"):
            render_module(w, "Bad", "subcubic:default", r.count, r.blocks, type(r.hints)(**{**r.hints.__dict__, "gaps": gaps}))


def test_golden_tiny_subcubic_module():
    model = tiny_model()
    w = exact_weights(model)
    result = certify_subcubic(model, PRESETS["exact-eqke"])
    text = render_module(w, "TinySubcubic", "subcubic:exact-eqke", result.count, result.blocks, result.hints)
    assert result.count > 0 and text == (ROOT / "tests" / "golden" / "TinySubcubic.lean").read_text()


def test_committed_subcubic_modules_state_what_the_checker_computes():
    """Each committed subcubic module (lean/Generated): Python's checker, on the module's own
    weights and hints, gives exactly its block theorems, and its final theorem is their sum."""
    assert {p.stem for p in COMMITTED} >= {"Seed123Subcubic", "SmallDefault", "SmallExactEqke", "SmallSvd",
                                           "SmallQuadratic"}
    for path in COMMITTED:
        m = read_lean_module(path)
        V, n = m.weights.d_vocab, m.weights.n_ctx
        assert [b[:2] for b in m.blocks] == subcubic_blocks(V, n), path.name
        assert check_subcubic(m.weights, m.hints) == m.blocks and m.count > 0, path.name
        assert sum(b[2] for b in m.blocks) == m.count
        assert re.search(rf"checkSubcubic weights scale hints = {m.count} :=", path.read_text())
