"""The certified subcubic checker (issue 11): sound against the truth on the zoo, never above
the float64 count, equal to it case by case away from ties, and sound whatever the hints say."""

from __future__ import annotations

import dataclasses
import random

import pytest
import torch

from pyverify.counting import cases
from pyverify.errors import PyVerifyError
from pyverify.exact.subcubic_checker import SubcubicHints, certify_subcubic, search_hints
from pyverify.flops import FlopCounter
from pyverify.strategies.subcubic import (PRESETS, SubcubicConfig, _all_cases, _index_gap, case_bounds, run_subcubic,
                                          summaries)

EXACT_ERROR_HANDLINGS = ("svd", "max_diff", "mean+max_diff", "max_diff_exact", "max_diff_subproduct",
                         "mean+max_diff_subproduct", "max_diff_subproduct_recursive",
                         "mean+max_diff_subproduct_recursive", "exact_EQKE+max_diff_exact")


def sample(zoo, step: int) -> list:
    """Every step-th zoo model with zero biases (the exact path's domain)."""
    return [z for z in zoo if z.zero_biases][::step]


def assert_agrees_with_float(z, config: SubcubicConfig) -> int:
    """Exact <= truth and <= float (within its flag); a case the two decide differently has a
    float margin within 1e-9 of zero. Returns the certified count."""
    exact = certify_subcubic(z.model, config)
    numeric = run_subcubic(z.model, config)
    bf = z.brute_force
    assert exact.count <= bf.correct + bf.uncertain, (z.index, config.name)
    assert exact.count <= numeric.count + numeric.uncertain, (z.index, config.name)
    float_proven = (numeric.cases["gap"] > 0).tolist()
    differ = [i for i, (a, b) in enumerate(zip(exact.proven, float_proven)) if a != b]
    if differ:
        s = summaries(z.model, config, FlopCounter())
        q, m, c = (t[differ] for t in _all_cases(z.model.cfg.d_vocab, z.model.cfg.n_ctx))
        g = torch.tensor(search_hints(z.model, config).gaps)[differ]
        margins = case_bounds(s, config, q, m, c, _index_gap(q, m, c, g), FlopCounter())
        assert bool((margins.abs() < 1e-9).all()), (z.index, config.name, margins)
    return exact.count


def test_presets_sound_and_equal_to_float_on_the_zoo(zoo):
    models = sample(zoo, 8)
    total = sum(assert_agrees_with_float(z, PRESETS[p]) for z in models for p in PRESETS)
    assert len(models) == 30 and total > 0


def test_every_exact_handling_on_trained_and_random_models(zoo):
    """Each attention error handling and EUPU handling with an exact version, and both
    attention handlings, on a trained and a near-tie model."""
    chosen = [z for z in zoo if z.zero_biases and z.kind in ("trained", "near-tie")][:2]
    configs = [SubcubicConfig(eupu, "mean_query+diff", err) for eupu, err in zip(
        ["mean_query+max_diff", "max_diff", "max_diff_exact", "global_max_diff_exact"] * 3, EXACT_ERROR_HANDLINGS)]
    configs.append(SubcubicConfig("max_diff", "drop_average_query_per_output_logit_reasoning", "max_diff"))
    for z in chosen:
        for config in configs:
            assert_agrees_with_float(z, config)


def test_hints_are_checked_never_trusted(zoo):
    """Random gaps, directions, bases and a far too small σ claim: the count may drop, never
    rise above the truth; a wrongly shaped hint is refused."""
    rng = random.Random(0)
    for z in sample(zoo, 40):
        V, h = z.model.cfg.d_vocab, z.model.cfg.d_head
        bf = z.brute_force
        for name in PRESETS:
            honest = search_hints(z.model, PRESETS[name])
            for trial in range(3):
                r = len(honest.Z)
                lying = dataclasses.replace(
                    honest, gaps=[rng.randint(0, V + 1) for _ in honest.gaps],
                    x=[rng.randint(-2**40, 2**40) for _ in range(h)] if trial else [0] * h,
                    z=[rng.randint(-2**40, 2**40) for _ in range(h)],
                    Y=[[rng.randint(-2**40, 2**40) for _ in range(r)] for _ in range(h)] if r else honest.Y,
                    Z=[[rng.randint(-2**40, 2**40) for _ in range(V)] for _ in range(r)] if r else honest.Z,
                    sigma_sq=1 if honest.sigma_sq else 0)
                if not honest.x:
                    lying = dataclasses.replace(lying, x=[], z=[])
                assert certify_subcubic(z.model, name, lying).count <= bf.correct + bf.uncertain, (z.index, name)
    z = sample(zoo, 40)[0]
    with pytest.raises(PyVerifyError, match="cases"):
        certify_subcubic(z.model, "default", dataclasses.replace(search_hints(z.model, PRESETS["default"]), gaps=[1]))
    with pytest.raises(PyVerifyError, match="d_head"):
        certify_subcubic(z.model, "default", SubcubicHints([0] * len(cases(z.model.cfg.d_vocab, z.model.cfg.n_ctx)),
                                                           [1], [1]))


def test_positive_definite_test_against_eigenvalues():
    from pyverify.exact.subcubic_checker import _positive_definite
    rng = random.Random(1)
    for trial in range(200):
        h = rng.randint(1, 7)
        scale = 2 ** rng.choice([0, 30, 300])  # large entries take the rounded path
        M = torch.randint(-50, 50, (h, h), dtype=torch.float64)
        X = M @ M.T + torch.diag(torch.tensor([rng.choice([-30.0, 1.0, 30.0]) for _ in range(h)]))
        smallest = float(torch.linalg.eigvalsh(X).min())
        verdict = _positive_definite([[int(v) * scale for v in row] for row in X.tolist()])
        if smallest < 0:
            assert not verdict, (trial, smallest)  # never accepts a matrix that is not PD
        elif smallest > 2 * h:
            assert verdict, (trial, smallest)  # accepts a clearly PD one


def test_svd_bound_is_above_the_true_spectral_norm(zoo):
    """R of the svd handling is at least √2 σ_max(EQKE - Main), whether the σ hint is honest
    (accepted) or far too small (rejected: the trace bound is used instead)."""
    from pyverify.exact.subcubic_checker import attention_split
    from pyverify.exact.weights import exact_tables, exact_weights
    for z in sample(zoo, 40)[:4]:
        w = exact_weights(z.model)
        EQKE = exact_tables(w).EQKE
        honest = search_hints(z.model, PRESETS["svd"])
        for hints in (honest, dataclasses.replace(honest, sigma_sq=1)):
            split = attention_split(w, EQKE, "svd", hints)
            err = torch.tensor([[e * split.den / 2 ** (4 * w.S) - mk for e, mk in zip(er, mr)]
                                for er, mr in zip(EQKE, split.main)], dtype=torch.float64)
            sigma = float(torch.linalg.matrix_norm(err, ord=2))
            assert split.R[0] >= 2**0.5 * sigma * (1 - 1e-9), z.index
