"""The kernel-written Lean checkers (issue 12), checked where Python can check them.

No Lean toolchain runs here, so the Lean library's new arithmetic and restructurings are
mirrored line by line in Python (`lean_*` below, one per Lean definition) and compared with the
plain Python twin on random data and random models: packed dot products, sign-magnitude division, the
thresholds that replace `end_holds`, the lockstep `logitBounds`, the brute-force position terms
and the block partition. The generated modules' block structure is read from their text.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from pathlib import Path

import pytest

from pyverify.exact import certify
from pyverify.exact.blocks import (BLOCK_WORK, block_count, brute_blocks, cubic_blocks, cut_from, kernel_estimate,
                                   max_blocks, subcubic_blocks)
from pyverify.exact.brute_checker import difference_table
from pyverify.exact.cubic_checker import end_holds, end_thresholds, logit_bounds, token_proven
from pyverify.exact.fixed import PREC, ceil_shift, from_scaled, mul, mul_hi_nonneg
from pyverify.exact.weights import exact_tables, exact_weights, matmul, transpose
from pyverify.numeric.registry import FAMILIES
from pyverify.provers import render_module
from pyverify.provers.read import read_lean_module
from tests.lean_fixtures import tiny_model
from tests.zoo import random_model

ROOT = Path(__file__).resolve().parents[1]
GENERATED = [ROOT / "lean" / "Generated" / "Tiny.lean", ROOT / "lean" / "Generated" / "Seed123.lean",
             ROOT / "tests" / "golden" / "Tiny.lean"]


# --- Lean's SInt division (sign and magnitude over Nat) --------------------------------------

def lean_floor_div(a: int, d: int) -> int:
    """SInt.floorDiv: pick a.neg ⟨true, (|a| + d - 1) / d⟩ ⟨false, |a| / d⟩."""
    return -((abs(a) + d - 1) // d) if a < 0 else a // d


def lean_ceil_div(a: int, d: int) -> int:
    """SInt.ceilDiv: pick a.neg ⟨true, |a| / d⟩ ⟨false, (|a| + d - 1) / d⟩."""
    return -(abs(a) // d) if a < 0 else (a + d - 1) // d


def test_sint_division_rounds_like_python():
    rng = random.Random(0)
    for _ in range(5000):
        a, d = rng.randint(-10**6, 10**6), rng.randint(1, 1000)
        assert lean_floor_div(a, d) == a // d
        assert lean_ceil_div(a, d) == -((-a) // d)
    for k in range(0, 60, 7):
        for a in (-(2**70) - 3, -1, 0, 1, 2**65 + 5):
            assert lean_floor_div(a, 2**k) == a >> k and lean_ceil_div(a, 2**k) == ceil_shift(a, k)


# --- Tables.lean: dot products by one multiplication of packed vectors ------------------------

def lean_bit_length(x: int) -> int:
    """bitLength: Nat.rec with fuel x, halving until 0."""
    n = 0
    while x != 0:
        x //= 2
        n += 1
    return n


def lean_matmul_t(A: list[list[int]], Bt: list[list[int]]) -> list[list[int]]:
    """matmulT: pack rows (digits a + oA) and reversed columns (b + oB) in base X = 2^w,
    X > 4 d oA oB; read the coefficient of X^(d-1) and remove the offsets."""
    d = len(A[0]) if A else 0
    oA = max((abs(x) for row in A for x in row), default=0)
    oB = max((abs(x) for col in Bt for x in col), default=0)
    X = 2 ** lean_bit_length(4 * d * oA * oB)
    shift = X ** (d - 1) if d >= 1 else 1

    def pack(xs: list[int], off: int) -> int:  # packDigits: Σ (x_i + off) X^i, by List.rec
        value = 0
        for x in reversed(xs):
            value = (off - abs(x) if x < 0 else off + x) + X * value
        return value

    rows = [(pack(r, oA), sum(r)) for r in A]
    cols = [(pack(list(reversed(c)), oB), sum(c)) for c in Bt]
    return [[(a * b // shift) % X - oB * sa - oA * sb - d * oA * oB for b, sb in cols] for a, sa in rows]


def test_packed_dot_products_equal_matmul():
    rng = random.Random(1)
    for trial in range(300):
        n, d, m = rng.randint(1, 6), rng.randint(1, 9), rng.randint(1, 6)
        bits = rng.choice([1, 3, 40, 130])
        A = [[rng.randint(-2**bits, 2**bits) for _ in range(d)] for _ in range(n)]
        B = [[rng.randint(-2**bits, 2**bits) for _ in range(m)] for _ in range(d)]
        if trial % 10 == 0:
            A = [[0] * d for _ in range(n)]  # an all-zero factor: X = 1
        if trial % 10 == 1:
            B = [[-(2**bits)] * m for _ in range(d)]  # every digit at the offset's edge
        assert lean_matmul_t(A, transpose(B)) == matmul(A, B), trial
    for x in (0, 1, 2, 3, 255, 256, 2**200 - 1, 2**200):
        assert lean_bit_length(x) == x.bit_length()


# --- Cubic.lean: thresholds instead of evaluating each end per token ------------------------

def test_thresholds_decide_exactly_what_end_holds_decides():
    rng = random.Random(2)
    scale = 1 << PREC
    for trial in range(4000):
        def val():
            return rng.choice([0, 1, -1, rng.randint(-3 * scale, 3 * scale), rng.randint(-50, 50)])
        ends = []
        for _ in range(2):
            r0 = val()
            r1 = r0 + rng.choice([0, 1, rng.randint(0, 2 * scale)])
            ends.append((rng.randint(-2 * scale, scale // 4) if trial % 3 else val(), (r0, r1)))
        t = end_thresholds(ends)
        for _ in range(8):
            a = val()
            k_term = mul((a, a + rng.choice([0, 1, rng.randint(0, scale)])), (val(), val()))  # an ordered `mul` result
            assert token_proven(t, k_term) == all(end_holds(k_term, e) for e in ends), (ends, k_term)


# --- Cubic.lean: logitBounds in lockstep over columns -----------------------------------------

def lean_logit_bounds(T, m: int) -> tuple[list[int], list[int]]:
    """logitBounds with column m of EUPU, EVOU, PVOU: PW by combineRows max of centred rows,
    U and E by maxOthers over the rows q, t <= m (zipWithL stops at the shorter list)."""
    colU, colE, colP = (transpose(M)[m] for M in (T.EUPU, T.EVOU, T.PVOU))
    centred = [[x - pm for x in row] for row, pm in zip(T.PVOU, colP)]
    PW = centred[0]
    for row in reversed(centred[1:]):  # combineRows: the first row, then a right fold
        PW = [max(a, b) for a, b in zip(row, PW)]

    def max_others(xs):  # maxS over takeL m ++ dropL (m+1)
        return max(xs[:m] + xs[m + 1:])
    U = [from_scaled(max_others([x - um for x in row]), 2 * T.S)[1] for row, um in zip(T.EUPU[: m + 1], colU)]
    E = [from_scaled(max_others([x - em + pw for x, pw in zip(row, PW)]), 4 * T.S)[1]
         for row, em in zip(T.EVOU[: m + 1], colE)]
    return U, E


def small_models(count: int, max_vocab: int) -> list:
    """Random zero-bias models of the zoo's kinds of shapes and scales (tests/zoo.py)."""
    return [random_model(4 + i % (max_vocab - 3), 2 + i % 3, seed=i, d=6, h=4 + i % 3, attn_gain=(1.0, 5.0, 25.0)[i % 3],
                         weight_std=(1.0, 0.3, 3.0)[i // 3 % 3]) for i in range(count)]


def test_lockstep_logit_bounds_equal_logit_bounds():
    for i, model in enumerate(small_models(30, 10)):
        T = exact_tables(exact_weights(model))
        for m in range(model.cfg.d_vocab):
            assert lean_logit_bounds(T, m) == logit_bounds(T, m), (i, m)


# --- Brute.lean: each position's terms in lockstep over the outputs ---------------------------

def test_lockstep_position_terms_equal_difference_table():
    for index, model in enumerate(small_models(15, 8)):
        T = exact_tables(exact_weights(model))
        V, n, bits = model.cfg.d_vocab, model.cfg.n_ctx, 4 * T.S
        rng = random.Random(index)
        for _ in range(20):
            x = [rng.randrange(V) for _ in range(n)]
            q, m = x[-1], max(x)
            ei = (rng.randint(0, 1 << PREC), rng.randint(1 << PREC, 2 << PREC))
            D = difference_table(T, q, m, n, bits)
            direct = [(v - T.EUPU[q][m]) << (2 * T.S) for v in T.EUPU[q]]
            for i, t in enumerate(x):  # positionTerms bits m ei (EVOU[t]) (PVOU[i]) direct
                evou, pvou = T.EVOU[t], T.PVOU[i]
                terms = [mul_hi_nonneg(ei, from_scaled(ev - evou[m] + pv - pvou[m] + dr, bits))
                         for ev, pv, dr in zip(evou, pvou, direct)]
                assert terms == [mul_hi_nonneg(ei, D[i][t][o]) for o in range(V)]


# --- Blocks.lean: the partition --------------------------------------------------------------

def test_block_partitions_cover_every_max_token_once():
    for V in range(1, 90):
        for k in (1, 2, 3, 7, V, V + 5):
            for p in (2, 3, 4):
                blocks = max_blocks(V, k, p)
                assert [m for lo, hi in blocks for m in range(lo, hi)] == list(range(V)), (V, k, p)
                assert all(lo < hi for lo, hi in blocks)
                cuts = [cut_from(k, p, j * V**p, V, 0) for j in range(k + 1)]
                assert cuts[0] == 0 and cuts[-1] == V and cuts == sorted(cuts)
    for work, per, V in ((0, 5, 3), (1, 5, 3), (5, 5, 3), (6, 5, 3), (10**9, 5, 64)):
        assert block_count(work, per, V) == min(max(1, math.ceil(work / per)), V)
    assert len(cubic_blocks(64, 4)) == math.ceil(64**3 * 4 / BLOCK_WORK)


def test_brute_force_counts_by_blocks():
    """(The cubic checker's blocks: test_exact.py, on the trained model.)"""
    for V, n in ((16, 3), (10, 3), (7, 4)):
        assert len(brute_blocks(V, n)) > 1
        result = certify(exact_weights(random_model(V, n, seed=V, d=6, h=6, attn_gain=5.0)), "brute-force")
        assert [(lo, hi) for lo, hi, _ in result.blocks] == brute_blocks(V, n)
        assert sum(c for *_, c in result.blocks) == result.count


def test_kernel_estimate_counts_the_blocks_and_grows_with_the_work():
    """The estimate (fitted by scripts/bench_lean.py, which measures the real compiler) names the
    module's own block count and grows with V, n and d for every family."""
    for strategy, partition in (("cubic", cubic_blocks), ("brute-force", brute_blocks), ("subcubic:svd", subcubic_blocks)):
        seconds, peak_gb, k = kernel_estimate(strategy, 16, 3, 16)
        assert k == len(partition(16, 3)) and seconds > 0 and peak_gb > 0
        assert kernel_estimate(strategy, 32, 3, 16)[0] > seconds and kernel_estimate(strategy, 16, 4, 16)[0] > seconds
        assert kernel_estimate(strategy, 16, 3, 32)[0] > seconds


# --- the generated modules -------------------------------------------------------------------

BLOCK = re.compile(r"^theorem (\w+)_(\d+) : (\w+) weights scale (\d+) (\d+) = (\d+) := by decide \+kernel$", re.M)


def block_structure(text: str) -> tuple[str, list[tuple[int, int, int]], int]:
    """(strategy, blocks, count) read from a generated module, checking its final theorem: the
    partition, the unfolded sum over exactly those blocks, the congruence from the block
    theorems in order, and the sum of the block counts."""
    strategy = re.search(r"`pyverify export --strategy ([\w-]+)`", text)[1]
    lean = FAMILIES[strategy].lean
    checker, theorem, block_fn, block_theorem, blocks_fn = (lean.checker, lean.theorem, lean.block_fn,
                                                            lean.block_theorem, lean.blocks_fn)
    found = BLOCK.findall(text)
    assert found and all(p == block_theorem and fn == block_fn for p, _, fn, *_ in found)
    assert [int(j) for _, j, *_ in found] == list(range(len(found)))
    blocks = [(int(lo), int(hi), int(c)) for *_, lo, hi, c in found]
    partition = re.search(rf"theorem blocks_partition : {blocks_fn} \d+ \d+ = (.*?) := rfl\n", text, re.S)
    assert partition and re.findall(r"MaxBlock\.mk (\d+) (\d+)", partition[1]) == [(str(lo), str(hi))
                                                                                   for lo, hi, _ in blocks]
    unfolded = re.search(rf"theorem blocks_sum : {checker} weights scale =\n(.*?) :=\n", text, re.S)
    lhs = " ".join(unfolded[1].split())
    assert re.findall(rf"\({block_fn} weights scale (\d+) (\d+)\)", lhs) == [(str(lo), str(hi)) for lo, hi, _ in blocks]
    final = re.search(rf"theorem {theorem} : {checker} weights scale = (\d+) :=\n  Eq.trans blocks_sum\n"
                      rf"    \(Eq.trans\n      \((.*?)\)\n      \(rfl : (.*?) = \1\)\)\n", text, re.S)
    assert final, "the final theorem is not the sum of the blocks"
    proof, rhs = (" ".join(g.split()) for g in final.groups()[1:])
    assert re.findall(r"addCount (\d+)", rhs) == [str(c) for *_, c in blocks]
    assert re.findall(rf"congrArg addCount {block_theorem}_(\d+)", proof) == [str(j) for j in range(len(blocks))]
    assert lhs.count("addCount") == len(blocks) and proof.endswith("rfl" + ")" * (len(blocks) - 1))
    return strategy, blocks, int(final[1])


@pytest.mark.parametrize("path", GENERATED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_generated_modules_are_kernel_only_block_sums(path):
    text = path.read_text()
    assert "native_decide" not in text and "implemented_by" not in text
    assert text.count("by decide +kernel") == len(re.findall(r"^theorem ", text, re.M)) - 3
    strategy, blocks, count = block_structure(text)
    w = read_lean_module(path).weights
    partition = cubic_blocks(w.d_vocab, w.n_ctx) if strategy == "cubic" else brute_blocks(w.d_vocab, w.n_ctx)
    assert [(lo, hi) for lo, hi, _ in blocks] == partition  # the checker's own partition, in its order
    assert [m for lo, hi, _ in blocks for m in range(lo, hi)] == list(range(w.d_vocab))
    assert sum(c for *_, c in blocks) == count
    assert "Trust base: the Lean kernel only" in text


def test_module_blocks_hold_the_certified_block_counts():
    w = exact_weights(tiny_model())
    result = certify(w, "brute-force")
    text = render_module(w, "Tiny", "brute-force", result.count, result.blocks)
    assert block_structure(text)[1] == result.blocks
    with pytest.raises(Exception, match="do not add up"):
        render_module(w, "Tiny", "brute-force", result.count + 1, result.blocks)


def test_lean_choose_is_the_binomial():
    for n, k in itertools.product(range(12), range(14)):
        c = 1
        for i in range(k):  # choose: Nat.rec, C(n, i+1) = C(n, i) (n - i) / (i + 1), truncating n - i at 0
            c = c * max(n - i, 0) // (i + 1)
        assert c == math.comb(n, k)
