"""The Lean subcubic checker (issue 11), checked where Python can check it.

The real compiler checks the committed modules (tests/test_lean_compile.py); here lean/PyVerify/{Definite,Hints,Split,Subcubic}.lean restructure the
Python twin for the kernel: summaries per max token, a top-two pass for `max over o != m`, the
gaps decoded from packed rows, the whole split recomputed per block, fraction-free elimination
as a shrinking submatrix, integer roots bit by bit. `lean_*` below mirrors each Lean definition
line by line (Python ints for `SInt`), and the mirrored block counts must equal the Python
twin's (`certify_subcubic(...).blocks`) on zoo models and on the trained model, for every
configuration with a Lean checker. The generated module's hints must decode to the same hints.
"""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import pytest

from pyverify.exact.blocks import subcubic_blocks
from pyverify.exact.fixed import PREC, check_inv_sqrt, exp_nonpos, inv_sqrt, scaled_score
from pyverify.numeric.counting import cases
from pyverify.exact.subcubic_checker import (ATTENTION_CODES, EUPU_CODES, SearchHints, _iroot_ceil, hints_fit,
                                             _positive_definite, certify_subcubic, lean_hints,
                                             search_hints)
from pyverify.exact.weights import exact_tables, exact_weights, matmul, resid_query, transpose
from pyverify.provers import render_module
from pyverify.provers.pack import unpack_matrix
from pyverify.numeric.registry import strategy
from pyverify.numeric.strategies.subcubic import PRESETS, SubcubicConfig
from pyverify.provers.read import read_lean_module
from tests.lean_fixtures import exact_model, tiny_model
from tests.test_lean_kernel import lean_ceil_div

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = [p for p in sorted((ROOT / "lean" / "Generated").glob("*.lean")) if "checkSubcubic" in p.read_text()]


# --- Definite.lean ------------------------------------------------------------------------------

def lean_positive_definite(X: list[list[int]]) -> bool:
    """positiveDefinite: truncate, subtract h on the diagonal, then `bareissStep` h times."""
    h = len(X)
    k = max(0, max((abs(v) for row in X for v in row), default=0).bit_length() - 200)
    rest = [[(v >> k) - (h if i == j else 0) for j, v in enumerate(row)] for i, row in enumerate(X)]
    ok, prev = True, 1
    for _ in range(h):
        row0 = rest[0] if rest else []
        pivot = row0[0] if row0 else 0
        if ok and pivot > 0:
            top = row0[1:]
            rest = [[(pivot * x - row[0] * y) // prev for x, y in zip(row[1:], top)] for row in rest[1:]]
            ok, prev = True, pivot
        else:
            ok, rest = False, []
    return ok


def lean_iroot_ceil(x: int, k: int) -> int:
    """irootCeil: set bits from the top while r^k < x, then add one."""
    if x == 0:
        return 0
    r = 0
    for i in reversed(range((x.bit_length() + k - 1) // k + 1)):
        if not x <= (r + 2**i) ** k:
            r += 2**i
    return r + 1


def test_fraction_free_elimination_matches_the_python_test():
    """On symmetric matrices (the checker's X = t K - K G K is one), eliminating the whole trailing
    submatrix gives the pivots of Python's upper-triangle elimination."""
    rng = random.Random(1)
    seen = {True: 0, False: 0}
    for _ in range(300):
        h = rng.randint(1, 6)
        L = [[rng.randint(-50, 50) for _ in range(h)] for _ in range(h)]
        X = matmul(L, transpose(L))
        shift = rng.choice([0, 1, 40, -1, -40, -400, -4000])
        bits = rng.choice([0, 0, 150, 300])  # past keep_bits: the truncated test
        X = [[(v + (shift if i == j else 0)) << bits for j, v in enumerate(row)] for i, row in enumerate(X)]
        assert lean_positive_definite(X) == _positive_definite(X)
        seen[_positive_definite(X)] += 1
    assert seen[True] > 20 and seen[False] > 20


def test_integer_root_bit_by_bit_is_the_least_root():
    rng = random.Random(2)
    for _ in range(600):
        k = rng.choice([1, 2, 3, 16])
        x = rng.choice([0, 1, 2, rng.randint(0, 10**6), rng.getrandbits(rng.randint(1, 3000))])
        r = lean_iroot_ceil(x, k)
        assert r == _iroot_ceil(x, k) and r**k >= x and (r == 0 or (r - 1) ** k < x)


# --- Split.lean -------------------------------------------------------------------------------

def row_range(xs: list[int]) -> int:
    """rowRange: maxS 0 xs - minS 0 xs (0 for an empty row)."""
    return max(xs, default=0) - min(xs, default=0)


def lean_transpose(cols: int, rows: list[list[int]]) -> list[list[int]]:
    """transpose: `cols` columns, a missing entry read as 0 (headD)."""
    return [[row[k] if k < len(row) else 0 for row in rows] for k in range(cols)]


def abs_dot(xs: list[int], rs: list[int]) -> int:
    return sum(abs(x) * r for x, r in zip(xs, rs))


def dot(xs: list[int], ys: list[int]) -> int:
    return sum(x * y for x, y in zip(xs, ys))


def lean_direction(h: int, x: list[int], z: list[int]) -> tuple[list[int], list[int], int]:
    c = dot(x, z)
    if c == 0:
        return [0] * h, [0] * h, 1
    return (x, [-v for v in z], -c) if c < 0 else (x, z, c)


def lean_sigma_bound(S: int, P: list[list[int]], B: list[list[int]], c: int, lh) -> int:
    h = len(B)
    den = c << (4 * S)
    PT = transpose(P)
    G = matmul(PT, transpose(PT))
    K = matmul(B, transpose(B))
    KGK = matmul(matmul(K, G), K)
    X = [[((lh.sigma_sq * c * c * k) << (8 * S)) - (v << lh.sigma_bits) for k, v in zip(kr, vr)]
         for kr, vr in zip(K, KGK)]
    if lh.sigma_sq != 0 and lean_positive_definite(X):
        scaled, unit = 2 * lh.sigma_sq * den * den, 2**lh.sigma_bits
        return lean_iroot_ceil((scaled + unit - 1) // unit, 2)
    M = matmul(G, K)
    for _ in range(3):
        M = matmul(M, M)
    trace = sum(M[i][i] for i in range(h))
    return 0 if trace < 0 else lean_iroot_ceil(trace * 2**8, 16)


def lean_attention_split(w, T, lh) -> tuple[list[list[int]], list[int], int]:
    """attentionSplit: (main, R, den)."""
    S, V, h = w.S, w.d_vocab, w.d_head
    if lh.attention == 0:
        return T.EQKE, [0] * V, 2 ** (4 * S)
    x, z, c = lean_direction(h, lh.x, lh.z)
    WEP = resid_query(w)
    if lh.attention in (5, 6):
        u = x
        WqU = [dot(row, u) for row in w.W_Q]
        mainQ = [dot(row, WqU) for row in WEP]
        WkU = [dot(row, u) for row in w.W_K]
        mainK = [dot(row, WkU) for row in w.W_E]
        main = [[a * b * V for b in mainK] for a in mainQ]
        Qperp = [[c * a - wu * ul for a, ul in zip(row, u)] for row, wu in zip(w.W_Q, WqU)]
        ERange = [row_range(col) for col in transpose(w.W_E)]
        BRange = [abs_dot(col, ERange) for col in transpose(w.W_K)]
        QBRange = [abs_dot(row, BRange) for row in Qperp]
        den = c * V * 2 ** (4 * S)
        if lh.attention == 6:
            mu = [sum(col) for col in transpose(WEP)]
            muQ = [dot(mu, col) for col in transpose(Qperp)]
            muQK = [dot(muQ, row) for row in w.W_K]
            mean_spread = row_range([dot(muQK, row) for row in w.W_E])
            return main, [mean_spread + abs_dot([V * e - m for e, m in zip(row, mu)], QBRange) for row in WEP], den
        return main, [V * abs_dot(row, QBRange) for row in WEP], den
    A = matmul(WEP, w.W_Q)
    Bt = matmul(w.W_E, w.W_K)
    B = transpose(Bt)
    Ax = [dot(row, x) for row in A]
    zB = [dot(row, z) for row in Bt]
    main = [[a * b for b in zB] for a in Ax]
    P = [[c * a - ax * zl for a, zl in zip(row, z)] for row, ax in zip(A, Ax)]
    if lh.attention == 1:
        R = [row_range([e * c - mk for e, mk in zip(er, mr)]) for er, mr in zip(T.EQKE, main)]
    elif lh.attention in (2, 7):
        mean = lh.attention == 7
        t = lh.ty + lh.tz
        YZ = [[dot(y, col) for col in lean_transpose(V, lh.Z)] for y in lh.Y]  # matmulT Y (transpose V Z)
        ERange = [row_range([(b << t) - (yz << (2 * S)) for b, yz in zip(br, yzr)]) for br, yzr in zip(B, YZ)]
        ZRange = [row_range(row) for row in lh.Z]
        PY = matmul(P, lh.Y)
        PYsum = [sum(col) for col in transpose(PY)]
        mean_spread = row_range([dot(PYsum, col) for col in lean_transpose(V, lh.Z)])
        scale = V if mean else 1
        R = []
        for pr, pyr in zip(P, PY):
            z_part = (mean_spread + abs_dot([V * v - m for v, m in zip(pyr, PYsum)], ZRange) if mean
                      else abs_dot(pyr, ZRange))
            R.append(lean_ceil_div((z_part << (2 * S)) + scale * abs_dot(pr, ERange), scale * 2**t))
    elif lh.attention == 3:
        R = [lean_sigma_bound(S, P, B, c, lh)] * V
    else:
        BRange = [row_range(row) for row in B]
        if lh.attention == 8:
            Psum = [sum(col) for col in transpose(P)]
            mean_spread = row_range([dot(Psum, brow) for brow in Bt])
            R = [lean_ceil_div(mean_spread + abs_dot([V * p - ps for p, ps in zip(row, Psum)], BRange), V)
                 for row in P]
        else:
            R = [abs_dot(row, BRange) for row in P]
    return main, R, c * 2 ** (4 * S)


# --- Subcubic.lean ------------------------------------------------------------------------------

def lean_checked_split(T, main: list[list[int]], R: list[int], den: int) -> tuple[list[list[int]], list[int], int]:
    """checkedSplit: each R[q] raised to the exact spread of row q of Err = EQKE - Main (over den,
    rounded up)."""
    shift = 4 * T.S
    return main, [max(r, lean_ceil_div(row_range([e * den - (mk << shift) for e, mk in zip(eq, mr)]), 2**shift))
                  for r, eq, mr in zip(R, T.EQKE, main)], den


def lean_top2(row: list[int]) -> tuple[int, int, int]:
    """top2: List.rec adds element i to the result of the suffix, so from the last one down."""
    bottom = -(max(abs(v) for v in row) + 1)
    best, idx, second = bottom, 0, bottom
    for i in reversed(range(len(row))):
        x = row[i]
        if best <= x:
            best, idx, second = x, i, best
        else:
            second = max(second, x)
    return best, idx, second


def others_max(t: tuple[int, int, int], m: int) -> int:
    return t[2] if t[1] == m else t[0]


def running_max(xs: list[int]) -> list[int]:
    out, acc = [], xs[0] if xs else 0
    for x in xs:
        acc = max(acc, x)
        out.append(acc)
    return out


def max_others(m: int, xs: list[int]) -> int:
    rest = xs[:m] + xs[m + 1:]
    return max(rest) if rest else 0


def lean_eupu(w, T, lh) -> tuple[list[int], list[list[int]]]:
    """eupuSummary: (M, spread[q][m])."""
    V = w.d_vocab
    up = V * 2 ** (2 * w.S)
    if lh.eupu == 1:
        return [0] * V, [[(others_max(lean_top2(row), m) - e) * up for m, e in enumerate(row)] for row in T.EUPU]
    if lh.eupu == 2:
        widest = max(row_range(row) for row in T.EUPU) * up
        return [0] * V, [[widest] * V for _ in range(V)]
    URange = [row_range(row) for row in w.W_U]
    M = [dot(lh.mu, col) << (2 * w.S) for col in transpose(w.W_U)]
    spread = [[abs_dot([V * e - m for e, m in zip(row, lh.mu)], URange) << (2 * w.S)] * V for row in resid_query(w)]
    return M, spread


def lean_max_summary(T, V: int, m: int, M: list[int], tops, rowE, colE, colP) -> tuple[int, int, list[int]]:
    Mm, em = M[m], rowE[m]
    rows = [[x - pm for x in row] for row, pm in zip(T.PVOU, colP)]
    PW = [max(col) for col in zip(*rows)]
    base = [mo - Mm + V * pw for mo, pw in zip(M, PW)]
    J1 = max_others(m, [b + V * (e - em) for b, e in zip(base, rowE)])
    hk = [V * (others_max(t, m) - ekm) for t, ekm in zip(tops, colE)]
    return J1, max_others(m, base), running_max(hk)


def lean_p_low(n: int, lows, highs, query, is_max: bool, c: int, d: int, d_query: int) -> int:
    num_exps = lows[: n - 1 - c] + ([query[0]] if is_max else [])
    other_exps = [hi - d for hi in highs[:c]] + ([] if is_max else [query[1] - d_query])
    base = max(num_exps + other_exps)
    num = sum(exp_nonpos(x - base)[0] for x in num_exps)
    other = sum(exp_nonpos(x - base)[1] for x in other_exps)
    one = 2**PREC
    p = (num * one) // (num + other) if num + other else 0
    return 0 if num == 0 else min(p, one)


def lean_blocks(w, s, lh, blocks: list[tuple[int, int]], check_fit: bool = True) -> list[tuple[int, int, int]]:
    """subcubicBlock for each block, the checks first (checkInvSqrt, hintsFit: its twin
    `hints_fit`). Lean recomputes the tables, split and rows in every block; they are the same
    values, so the mirror computes them once. check_fit=False mirrors the checker before issue 19
    (no range or shape check of the hints), to show what the check prevents."""
    if not (check_inv_sqrt(w.d_head, s) and (hints_fit(w, lh) or not check_fit)):
        return [(lo, hi, 0) for lo, hi in blocks]
    T = exact_tables(w)
    V, n = w.d_vocab, w.n_ctx
    main, R, den = lean_checked_split(T, *lean_attention_split(w, T, lh))
    M, spread = lean_eupu(w, T, lh)
    queries = []
    for q in range(V):
        scores = [scaled_score(raw, 4 * T.S, s) for raw in T.EQKP[q]]
        non_query = scores[: n - 1]
        queries.append((q, main[q], running_max(main[q]), R[q], main[q][q], spread[q],
                        sorted(x[0] for x in non_query), sorted((x[1] for x in non_query), reverse=True),
                        scores[n - 1]))
    tops = [lean_top2(row) for row in T.EVOU]
    colsE, colsP = transpose(T.EVOU), transpose(T.PVOU)
    return [(lo, hi, lean_count_block(T, s, lh, n, queries, den, M, tops, colsE, colsP, lo, hi)) for lo, hi in blocks]


def lean_count_block(T, s, lh, n: int, queries, den: int, M, tops, colsE, colsP, lo: int, hi: int) -> int:
    """The loops of subcubicBlock over m in [lo, hi), q <= m and c < n."""
    V = len(T.EVOU)
    total = 0
    for m, gap_row in zip(range(lo, hi), lh.gaps[lo:]):
        J1, J0, H = lean_max_summary(T, V, m, M, tops, T.EVOU[m], colsE[m], colsP[m])
        for q, qmain, qprefix, qR, qmainQ, qspread, lows, highs, query in queries[: m + 1]:
            for c in range(n):
                g = (gap_row >> (lh.gap_bits * (q * n + c))) % 2**lh.gap_bits
                is_max = q == m
                g_case = 0 if (is_max and c == 0) else g
                legal = g >= 1 and ((is_max and c == 0) or g <= (m if is_max else m - q))
                if not legal:
                    continue
                if is_max and c == 0:
                    p = 2**PREC
                else:
                    d = (qmain[m] - qprefix[m - g_case] - qR) * (s[1] if qmain[m] - qprefix[m - g_case] - qR < 0
                                                                   else s[0]) // den
                    dq_num = qmain[m] - qmainQ - qR
                    d_query = d if lh.drop_query else dq_num * (s[1] if dq_num < 0 else s[0]) // den
                    p = lean_p_low(n, lows, highs, query, is_max, c, d, d_query)
                J0H = J0 + H[m - g_case]
                worst = J1 << PREC if J0H <= J1 else (J0H << PREC) + p * (J1 - J0H)
                if (qspread[m] << PREC) + worst < 0:
                    free = n - 1
                    if c <= free and not (not is_max and c == free):
                        total += math.comb(free, c) * (m + 1 - g_case) ** c
    return total


def mirrored_blocks(model, config: SubcubicConfig) -> tuple[list, list]:
    """(the Lean mirror's block counts, the Python twin's), on the same hints."""
    w = exact_weights(model)
    hints = search_hints(model, config)
    lh = lean_hints(w, config, hints)
    s = inv_sqrt(w.d_head)
    ours = lean_blocks(w, s, lh, subcubic_blocks(w.d_vocab, w.n_ctx))
    return ours, certify_subcubic(model, config, hints=hints).blocks


LEAN_CONFIGS = [SubcubicConfig(e, a, r) for e in EUPU_CODES for a in ("mean_query+diff",
                "drop_average_query_per_output_logit_reasoning") for r in ATTENTION_CODES]


def test_the_lean_checker_covers_the_presets():
    assert all(strategy(f"subcubic:{p}").lean for p in PRESETS)
    assert len(LEAN_CONFIGS) == 90
    implemented = [c for c in SubcubicConfig.all() if c.implemented]
    assert sorted(c.name for c in LEAN_CONFIGS) == sorted(c.name for c in implemented)


def test_mirrored_lean_blocks_equal_the_python_twin_on_the_zoo(zoo):
    """Every attention error handling, under drawn EUPU and attention handlings, on a spread of zoo
    models (random, adversarial, trained): the same count in every block."""
    rng = random.Random(11)
    models = [z for z in zoo if z.zero_biases and z.model.cfg.d_vocab >= 3][::9][:10]
    assert len(models) == 10
    proven = 0
    for z in models:  # every attention error handling on every model, EUPU and attention handlings drawn
        for error in ATTENTION_CODES:
            config = SubcubicConfig(rng.choice(list(EUPU_CODES)), rng.choice(
                ["mean_query+diff", "drop_average_query_per_output_logit_reasoning"]), error)
            ours, twin = mirrored_blocks(z.model, config)
            assert ours == twin, (z.index, z.kind, config.name)
            proven += sum(b[2] for b in twin)
    assert proven > 0


def test_mirrored_lean_blocks_equal_the_python_twin_on_the_trained_model(trained_k4):
    for preset in ("default", "exact-eqke", "svd", "quadratic"):
        ours, twin = mirrored_blocks(trained_k4, PRESETS[preset])
        assert ours == twin, preset
        assert sum(b[2] for b in twin) > 0


def test_generated_subcubic_module_holds_the_hints(trained_k4):
    """The module's hints decode to the SubcubicHints they were rendered from, and its theorems are the
    Python twin's block counts."""
    config = PRESETS["svd"]
    w = exact_weights(trained_k4)
    hints = search_hints(trained_k4, config)
    lh = lean_hints(w, config, hints)
    result = certify_subcubic(trained_k4, config, hints=hints)
    text = render_module(w, "Svd", "subcubic:svd", result.count, result.blocks, lh)
    assert len(text.encode()) <= 200 * 1024
    assert "Subcubic configuration `mean_query+max_diff/mean_query+diff/svd`" in text
    assert f"theorem subcubic_certified : checkSubcubic weights scale hints = {result.count} :=" in text
    for j, (lo, hi, count) in enumerate(result.blocks):
        assert f"theorem subcubic_block_{j} : subcubicBlock weights scale hints {lo} {hi} = {count} := by decide +kernel" \
            in text
    body = text[text.index("noncomputable def hints"):text.index("set_option", text.index("noncomputable def hints"))]
    listed = body[body.index("gaps := "):body.index("\n    x := ")]
    assert listed.count("(") == listed.count(")") == w.d_vocab - 1 and listed.rstrip(")").endswith(" List.nil")
    gaps = [int(g, 16) for g in re.findall(r"List.cons 0x([0-9a-f]+)", listed)]
    assert gaps == lh.gaps and len(gaps) == w.d_vocab
    for field, rows in (("Y", lh.Y), ("Z", lh.Z)):
        m = re.search(rf"\n    {field} := decodeMatrix (\d+) (\d+) (\d+) 0x([0-9a-f]+)", body)
        assert unpack_matrix(int(m[1]), int(m[2]), int(m[3]), int(m[4], 16)) == rows
    for field, vec in (("x", lh.x), ("z", lh.z), ("mu", lh.mu)):
        m = re.search(rf"\n    {field} := headD \(decodeMatrix 1 (\d+) (\d+) 0x([0-9a-f]+)\) List.nil", body)
        assert unpack_matrix(1, int(m[1]), int(m[2]), int(m[3], 16)) == [vec]
    for field, value in (("eupu", lh.eupu), ("attention", lh.attention), ("sigmaSq", lh.sigma_sq),
                         ("sigmaBits", lh.sigma_bits), ("ty", lh.ty), ("tz", lh.tz), ("gapBits", lh.gap_bits)):
        assert re.search(rf"\n *{{? *{field} := {value}\n", body), field


def test_configurations_without_a_lean_checker_are_refused(trained_k4):
    from pyverify.errors import PyVerifyError
    config = SubcubicConfig("mean_query+max_diff", "mean_query+diff", "mean_recursive+max_diff_subproduct_recursive")
    assert not strategy(f"subcubic:{config.name}").lean
    with pytest.raises(PyVerifyError, match="no Lean checker"):
        lean_hints(exact_weights(trained_k4), config, SearchHints([], [], []))


def test_golden_tiny_subcubic_module():
    model = tiny_model()
    w, config = exact_weights(model), PRESETS["exact-eqke"]
    hints = search_hints(model, config)
    result = certify_subcubic(model, config, hints=hints)
    text = render_module(w, "TinySubcubic", "subcubic:exact-eqke", result.count, result.blocks,
                         lean_hints(w, config, hints))
    assert result.count > 0 and text == (ROOT / "tests" / "golden" / "TinySubcubic.lean").read_text()


def test_committed_subcubic_modules_state_what_both_twins_compute():
    """Each committed subcubic module (lean/Generated): its hints, decoded, give the Python twin and
    the Lean mirror exactly its block theorems, and its final theorem is their sum."""
    assert {p.stem for p in COMMITTED} >= {"Seed123Subcubic", "SmallDefault", "SmallExactEqke", "SmallSvd",
                                           "SmallQuadratic"}
    for path in COMMITTED:
        m = read_lean_module(path)
        strategy, blocks, lh = m.strategy, m.blocks, m.hints
        w = read_lean_module(path).weights
        V, n = w.d_vocab, w.n_ctx
        config = SubcubicConfig.parse(strategy.partition(":")[2])
        assert [b[:2] for b in blocks] == subcubic_blocks(V, n), path.name
        assert lean_blocks(w, inv_sqrt(w.d_head), lh, subcubic_blocks(V, n)) == blocks, path.name
        gaps = [(lh.gaps[m] >> (lh.gap_bits * (q * n + c))) % 2**lh.gap_bits for q, m, c in cases(V, n)]
        hints = SearchHints(gaps, lh.x, lh.z, lh.Y, lh.Z, lh.ty, lh.tz, lh.sigma_sq, lh.sigma_bits, lh.mu)
        assert lean_hints(w, config, hints) == lh, path.name
        result = certify_subcubic(exact_model(w), config, hints=hints)
        assert result.blocks == blocks and result.count > 0, path.name
        assert f"checkSubcubic weights scale hints = {result.count} :=" in path.read_text()
