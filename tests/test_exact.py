"""The exact path: bit-identical float32 round trips, enclosures against mpmath, and
soundness of the certified checkers against exhaustive brute force. The certified subcubic
checker (issue 11) is also held to the float64 count, case by case away from ties, and must
stay sound whatever its hints say."""

import dataclasses
import math
import random
import struct

import mpmath
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from pyverify.model.config import ModelConfig
from pyverify.numeric.counting import cases
from pyverify.errors import PyVerifyError
from pyverify.exact.blocks import cubic_blocks
from pyverify.exact.brute_checker import certify_brute
from pyverify.exact.cubic_checker import certify_cubic
from pyverify.exact.fixed import PREC, check_inv_sqrt, exp_interval, exp_nonpos, inv_sqrt, mul, softmax
from pyverify.exact.floats import dyadic_to_float, float_to_dyadic, to_fraction
from pyverify.exact.subcubic_checker import certify_subcubic
from pyverify.exact.subcubic_hints import SearchHints, _positive_definite, attention_split, search_hints
from pyverify.exact.weights import exact_tables, exact_weights
from pyverify.numeric.strategies.cubic import cubic_margins, run_cubic
from pyverify.numeric.strategies.subcubic import (ATTENTION_ERROR_HANDLINGS, EUPU_HANDLINGS, PRESETS, SubcubicConfig,
                                                  _all_cases, _index_gap, case_bounds, run_subcubic, summaries)
from pyverify.numeric.flops import FlopCounter
from pyverify.numeric.tables import path_tables
from tests.exact_reference import exact_correct_count
from tests.zoo import quick_trained, random_model

mpmath.mp.prec = 256


def bits_to_float(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<I", bits))[0]


@pytest.mark.parametrize("bits", [
    0x00000000, 0x80000000,  # +0, -0
    0x00000001, 0x80000001, 0x007FFFFF, 0x00400000,  # subnormals
    0x00800000, 0x3F800000, 0xBF800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x3EAAAAAB, 0x33D6BF95,  # normals
])
def test_float32_round_trip_is_bit_identical(bits):
    x = bits_to_float(bits)
    m, e = float_to_dyadic(x)
    back = dyadic_to_float(m, e, torch.float32)
    if bits in (0x00000000, 0x80000000):
        assert back == 0.0  # the value round-trips; the sign of zero is not a rational
    else:
        assert struct.pack("<f", back) == struct.pack("<I", bits)
    assert to_fraction(x) == mpmath.mpf(x)


def test_random_float32_round_trips():
    rng = random.Random(0)
    for _ in range(20000):
        bits = rng.getrandbits(32)
        if (bits >> 23) & 0xFF == 0xFF:
            continue
        x = bits_to_float(bits)
        assert struct.pack("<f", dyadic_to_float(*float_to_dyadic(x), torch.float32)) == struct.pack("<I", bits) or x == 0


@pytest.mark.parametrize("x", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_values_are_refused(x):
    with pytest.raises(PyVerifyError, match="non-finite"):
        float_to_dyadic(x)


@settings(max_examples=300, deadline=None)
@given(st.integers(-(60 << PREC), 0))
def test_exp_enclosure_contains_true_value(X):
    lo, hi = exp_nonpos(X)
    true = mpmath.exp(mpmath.mpf(X) / 2**PREC) * 2**PREC
    assert lo <= true <= hi
    assert hi - lo <= 2 + true * mpmath.mpf(2) ** -30  # tight: a couple of ulps


def test_exp_interval_and_products_are_sound():
    rng = random.Random(1)
    for _ in range(500):
        a = sorted(rng.randint(-(30 << PREC), 0) for _ in range(2))
        lo, hi = exp_interval(tuple(a))
        for X in a:
            assert lo <= mpmath.exp(mpmath.mpf(X) / 2**PREC) * 2**PREC <= hi
        u = sorted(rng.randint(-(5 << PREC), 5 << PREC) for _ in range(2))
        v = sorted(rng.randint(-(5 << PREC), 5 << PREC) for _ in range(2))
        p = mul(tuple(u), tuple(v))
        for x in u:
            for y in v:
                assert p[0] * 2**PREC <= x * y <= p[1] * 2**PREC


def test_softmax_enclosure_contains_true_weights():
    rng = random.Random(2)
    for _ in range(300):
        n = rng.randint(1, 6)
        spread = rng.choice([1, 5, 40])
        points = [rng.randint(-(spread << PREC), spread << PREC) for _ in range(n)]
        widths = [rng.randint(0, 1 << (PREC - rng.randint(0, 30))) for _ in range(n)]
        scores = [(x, x + w) for x, w in zip(points, widths)]
        enclosure = softmax(scores)
        for trial in range(3):  # true softmax at points inside the score intervals
            xs = [mpmath.mpf(lo + (hi - lo) * trial // 2) / 2**PREC for lo, hi in scores]
            z = sum(mpmath.exp(x) for x in xs)
            for (lo, hi), x in zip(enclosure, xs):
                p = mpmath.exp(x) / z * 2**PREC
                assert lo <= p <= hi
        if all(w == 0 for w in widths):  # exact scores: the enclosure is tight
            assert all(hi - lo <= 4 or hi <= 4 for lo, hi in enclosure)


@pytest.mark.parametrize("h", [1, 2, 3, 8, 32, 64, 127])
def test_inverse_sqrt_enclosure(h):
    s = inv_sqrt(h)
    assert check_inv_sqrt(h, s)
    true = mpmath.mpf(2) ** PREC / mpmath.sqrt(h)
    assert s[0] <= true <= s[1] and s[1] - s[0] <= 1


def test_exact_tables_match_float64():
    model = random_model(7, 3, seed=4, d=5, h=6)
    w = exact_weights(model)
    T = exact_tables(w)
    F = path_tables(model)
    scale = 1 / math.sqrt(6)
    for q in range(7):
        for k in range(7):
            assert math.isclose(T.EQKE[q][k] / 2 ** (4 * w.S) * scale, float(F.EQKE[q, k]), rel_tol=1e-9, abs_tol=1e-12)
            assert math.isclose(T.EUPU[q][k] / 2 ** (2 * w.S), float(F.EUPU[q, k]), rel_tol=1e-9, abs_tol=1e-12)


def test_biases_and_custom_scale_are_refused():
    with pytest.raises(PyVerifyError, match="zero biases"):
        exact_weights(random_model(5, 2, seed=0, biases=True))
    model = random_model(5, 2, seed=0)
    model.cfg = ModelConfig(d_vocab=5, n_ctx=2, d_model=8, d_head=8, attn_scale=2.0)
    with pytest.raises(PyVerifyError, match="attention scale"):
        exact_weights(model)


def exact_domain(zoo):
    """Zoo models with zero biases (the exact path's domain): 240 of the 300."""
    return [z for z in zoo if z.zero_biases]


def test_certified_cubic_sound_on_the_zoo(zoo):
    """The certified cubic count is at most the truth (the float64 brute force, within its
    rounding flag) and at most the float cubic count (within its flag)."""
    models = exact_domain(zoo)
    total = 0
    for z in models:
        bf = z.brute_force
        cubic = certify_cubic(z.model).count
        numeric = run_cubic(z.model)
        assert cubic <= bf.correct + bf.uncertain, z.index
        assert cubic <= numeric.count + numeric.uncertain, z.index  # exact never claims more than float
        total += cubic
    assert len(models) == 240 and total > 0


def test_certified_brute_force_sound_on_the_zoo(zoo):
    """The certified brute force is at most the truth, on every exact-domain model with at
    most 10^4 inputs."""
    models = [z for z in exact_domain(zoo) if z.inputs <= 10_000]
    total = 0
    for z in models:
        bf = z.brute_force
        brute = certify_brute(z.model).count
        assert brute <= bf.correct + bf.uncertain, z.index
        total += brute
    assert len(models) >= 200 and total > 0


def test_every_count_against_the_exact_evaluation(zoo):
    """On models with at most 300 inputs the truth is the exact (rational + mpmath)
    evaluation itself: the float64 brute force is within its flag of it, and the certified
    counts are at most it."""
    models = [z for z in exact_domain(zoo) if z.inputs <= 300]
    for z in models:
        truth = exact_correct_count(z.model)
        bf = z.brute_force
        assert abs(bf.correct - truth) <= bf.uncertain, z.index
        assert certify_cubic(z.model).count <= truth and certify_brute(z.model).count <= truth, z.index
    assert len(models) >= 100


def test_certified_cubic_matches_float_cases_except_near_zero():
    """Where the exact and float strategies disagree on a case, its float margin is tiny."""
    model = quick_trained(12, 4, seed=5)
    exact = certify_cubic(model).proven
    margins = cubic_margins(path_tables(model), FlopCounter())
    V, n = 12, 4
    disagreements = 0
    for m in range(V):
        for q in range(m + 1):
            for k in range(m):
                for c in range(1, n):
                    if q < m and c == n - 1:
                        continue
                    float_proven = bool(margins[q, m, k, c] < 0)
                    if float_proven != exact[m][q][k][c]:
                        disagreements += 1
                        assert float_proven and abs(float(margins[q, m, k, c])) < 1e-6
    assert disagreements <= 2


def test_certified_brute_refuses_large_models():
    with pytest.raises(PyVerifyError, match="small models"):
        certify_brute(random_model(64, 4, seed=0, d=2, h=2))


def test_trained_model_exact_cubic_close_to_float(trained_k4):
    certified = certify_cubic(trained_k4)
    exact = certified.count
    numeric = run_cubic(trained_k4).count
    assert exact <= numeric and numeric - exact <= numeric // 1000
    # the count is the sum over the checker's blocks of max tokens (Lean: one theorem each)
    assert [(lo, hi) for lo, hi, _ in certified.blocks] == cubic_blocks(64, 4)
    assert sum(c for *_, c in certified.blocks) == exact


# --- the certified subcubic checker ----------------------------------------------------------



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
    models = exact_domain(zoo)[::8]
    total = sum(assert_agrees_with_float(z, PRESETS[p]) for z in models for p in PRESETS)
    assert len(models) == 30 and total > 0


def test_every_exact_handling_on_trained_and_random_models(zoo):
    """Every EUPU and attention error handling (each has an exact version) and both attention
    handlings, on a trained and a near-tie model."""
    assert len(ATTENTION_ERROR_HANDLINGS) == 2 * len(EUPU_HANDLINGS)
    chosen = [z for z in zoo if z.zero_biases and z.kind in ("trained", "near-tie")][:2]
    configs = [SubcubicConfig(eupu, "mean_query+diff", err)
               for eupu, err in zip(EUPU_HANDLINGS * 2, ATTENTION_ERROR_HANDLINGS)]
    configs.append(SubcubicConfig("svd_query+max_diff", "drop_average_query_per_output_logit_reasoning", "max_diff"))
    assert {c.eupu for c in configs} == set(EUPU_HANDLINGS)
    for z in chosen:
        for config in configs:
            assert_agrees_with_float(z, config)


def test_hints_are_checked_never_trusted(zoo):
    """Random gaps, directions, bases and a far too small σ claim: the count may drop, never
    rise above the truth; a wrongly shaped hint is refused."""
    rng = random.Random(0)
    for z in exact_domain(zoo)[::40]:
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
                if honest.U_q:  # the quadratic split's directions
                    d = z.model.cfg.d_model
                    lying = dataclasses.replace(
                        lying, U_q=[[rng.randint(-2**40, 2**40) for _ in range(d)] for _ in honest.U_q],
                        U_k=[[rng.randint(-2**40, 2**40) for _ in range(d)] for _ in honest.U_k],
                        w_q=[rng.randint(-2**40, 2**40) for _ in range(d)] if trial else [0] * d,
                        w_k=[rng.randint(-2**40, 2**40) for _ in range(d)])
                assert certify_subcubic(z.model, name, lying).count <= bf.correct + bf.uncertain, (z.index, name)
        svd_query = SubcubicConfig("svd_query+max_diff", "mean_query+diff", "max_diff")
        honest = search_hints(z.model, svd_query)
        lying = dataclasses.replace(honest, mu=[rng.randint(-2**60, 2**60) for _ in honest.mu])
        assert certify_subcubic(z.model, svd_query, lying).count <= bf.correct + bf.uncertain, z.index
    z = exact_domain(zoo)[::40][0]
    with pytest.raises(PyVerifyError, match="cases"):
        certify_subcubic(z.model, "default", dataclasses.replace(search_hints(z.model, PRESETS["default"]), gaps=[1]))
    with pytest.raises(PyVerifyError, match="d_head"):
        certify_subcubic(z.model, "default", SearchHints([0] * len(cases(z.model.cfg.d_vocab, z.model.cfg.n_ctx)),
                                                           [1], [1]))


def test_positive_definite_test_against_eigenvalues():
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
    for z in exact_domain(zoo)[::40][:4]:
        w = exact_weights(z.model)
        EQKE = exact_tables(w).EQKE
        honest = search_hints(z.model, PRESETS["svd"])
        for hints in (honest, dataclasses.replace(honest, sigma_sq=1)):
            split = attention_split(w, EQKE, "svd", hints)
            main_q, main_k = split.factors
            main = [[sum(a[q] * b[k] for a, b in zip(main_q, main_k)) for k in range(w.d_vocab)]
                    for q in range(w.d_vocab)]
            err = torch.tensor([[e * split.den / 2 ** (4 * w.S) - mk for e, mk in zip(er, mr)]
                                for er, mr in zip(EQKE, main)], dtype=torch.float64)
            sigma = float(torch.linalg.matrix_norm(err, ord=2))
            assert split.R[0] >= 2**0.5 * sigma * (1 - 1e-9), z.index
