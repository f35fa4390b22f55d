"""The exact path: bit-identical float32 round trips, enclosures against mpmath, and
soundness of the certified checkers against exhaustive brute force."""

import math
import random
import struct

import mpmath
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from pyverify.config import ModelConfig
from pyverify.errors import PyVerifyError
from pyverify.exact.blocks import cubic_blocks
from pyverify.exact.brute_checker import certify_brute
from pyverify.exact.cubic_checker import certify_cubic
from pyverify.exact.fixed import PREC, check_inv_sqrt, exp_interval, exp_nonpos, inv_sqrt, mul, softmax
from pyverify.exact.floats import dyadic_to_float, float_to_dyadic, to_fraction
from pyverify.exact.weights import exact_tables, exact_weights
from pyverify.strategies.cubic import cubic_margins, run_cubic
from pyverify.flops import FlopCounter
from pyverify.tables import path_tables
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
