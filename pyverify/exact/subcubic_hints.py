"""The subcubic certificate's hints: what the float64 proof search finds, in the one form every
checker reads (`SubcubicHints`: Python's `check_subcubic`, Lean's `checkSubcubic`, Coq's
`check_subcubic`). Nothing here is trusted: the checkers check every case at its hinted gap and
raise each claimed error bound to the exact spread, so a wrong hint can only lower a count.

The attention split EQKE = Main + Err is found here, per handling (docs/strategies.md), in exact
arithmetic so that its claimed bound R[q] on the row spread of Err is, for every handling, a true
bound (and the checkers' count is the handling's own):

  SVD-family splits (svd, max_diff, mean+max_diff, max_diff_exact): Main = A x zᵀ B / (zᵀx)
  for integer directions x, z (≈ the float SVD's top term), so Err = P B with
  P = A - (A x) zᵀ / (zᵀx) exactly;
  max_diff / mean+max_diff: the row-range rule through a basis B ≈ Y Z (as the subproduct
  handlings), the exact error B - Y Z bounded separately;
  svd: √2 σ_max(Err), with σ_max(Err)² at most the float search's t once t K - K G K is shown
  positive definite (G = PᵀP, K = BBᵀ), else at most tr((G K)^8)^(1/8), exact integers;
  max_diff_exact: the exact row range of EQKE - Main;
  subproduct handlings: the row-range rule through each factor;
  exact_EQKE+max_diff_exact: Main = EQKE, R = 0.

Denominators: A = W_EP W_Q and B = W_Kᵀ W_Eᵀ are integers over 2^(2S), EQKE = A B over 2^(4S).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import torch

from pyverify.errors import PyVerifyError
from pyverify.exact.hints import SubcubicHints
from pyverify.exact.weights import ExactWeights, exact_weights, matmul, resid_query, row_range, transpose
from pyverify.model.transformer import MaxOfKTransformer
from pyverify.numeric.counting import cases
from pyverify.numeric.flops import FlopCounter
from pyverify.numeric.strategies.subcubic import (SVD_ERRORS, SubcubicConfig, recursive_directions, search_gaps,
                                                  summaries)
from pyverify.numeric.tables import float64_weights, query_residual

HINT_BITS = 40  # hint vectors are rounded to integers with this many bits
TRACE_POWER = 8  # svd: σ_max(Err)² <= tr((ErrᵀErr)^8)^(1/8)

# The EUPU handlings as the checkers read them: the first three as the row-range rule around
# their row (`eupu_row`), max_diff_exact, global_max_diff_exact.
EUPU_CODES = {"mean_query+max_diff": 0, "max_diff": 0, "svd_query+max_diff": 0, "max_diff_exact": 1,
              "global_max_diff_exact": 2}


@dataclass(frozen=True)
class SearchHints:
    """The float64 search's contribution, checked and never trusted: the gap of each case of
    `counting.cases` (0: no proof claimed); integer direction vectors x, z (length d_head) of
    the rank-one split Main = A x zᵀ B / (zᵀx) ([] when the handling has none); and for the SVD
    family a factorisation B ≈ (Y / 2^ty)(Z / 2^tz) of B = W_Kᵀ W_Eᵀ through the SVD's row basis
    Z ≈ Vh (Y [h][r], Z [r][V]; [] otherwise), whose exact error B - YZ is bounded separately;
    for the quadratic split (`*_recursive`), the directions of `recursive_directions` as integers
    over 2^HINT_BITS: U_q, U_k (lists of d_model-vectors) and w_q, w_k (d_model-vectors)."""

    gaps: list[int]
    x: list[int]
    z: list[int]
    Y: list[list[int]] = ()
    Z: list[list[int]] = ()
    ty: int = 0
    tz: int = 0
    sigma_sq: int = 0  # svd: a claimed bound σ_max(Err)² <= sigma_sq / 2^sigma_bits, checked exactly
    sigma_bits: int = 0
    mu: list[int] = ()  # svd_query+max_diff: the EUPU split's query row, over V 2^S (any row is sound)
    U_q: list[list[int]] = ()
    U_k: list[list[int]] = ()
    w_q: list[int] = ()
    w_k: list[int] = ()


def _integers(v: torch.Tensor) -> list[int]:
    """A float vector as integers, scaled so the largest entry has HINT_BITS bits (all 0 if v is
    0 or not finite)."""
    top = float(v.abs().max()) if v.numel() else 0.0
    if not math.isfinite(top) or top == 0.0:
        return [0] * v.numel()
    return [round(float(x) * 2**HINT_BITS / top) for x in v]


def search_hints(model: MaxOfKTransformer, config: SubcubicConfig) -> SearchHints:
    """Run the float64 proof search (pyverify.numeric.strategies.subcubic) and keep what the exact
    checker can use: the gaps, and the split's direction (the SVD's top term, or the unit
    vector u of the subproduct handlings)."""
    hints = _attention_hints(model, config, search_gaps(model, config, summaries(model, config, FlopCounter())))
    if config.eupu != "svd_query+max_diff":
        return hints
    W = float64_weights(model)
    W_EP = query_residual(W)
    top = torch.linalg.svd(W_EP, full_matrices=False)[2][0]
    mu = top * (top @ W_EP.mean(dim=0))  # the float handling's row: the mean query on the top direction
    S = exact_weights(model).S
    return dataclasses.replace(hints, mu=[round(float(v) * W_EP.shape[0] * 2**S) for v in mu])


def _attention_hints(model: MaxOfKTransformer, config: SubcubicConfig, gaps: torch.Tensor) -> SearchHints:
    """The gaps, and the attention error split's hints (see search_hints)."""
    W = float64_weights(model)
    W_EP = query_residual(W)
    A, B = W_EP @ W["W_Q"], W["W_K"].T @ W["W_E"].T
    handling = config.attention_error
    gaps = [int(g) for g in gaps]
    if handling in SVD_ERRORS:
        QA, RA = torch.linalg.qr(A)
        U_s, _, Vh = torch.linalg.svd(RA @ B, full_matrices=False)
        x = torch.linalg.pinv(RA) @ U_s[:, 0]  # RA x = U0 (RA has full row rank): Main = A x zᵀ B, zᵀx = 1
        z = RA.T @ U_s[:, 0]
        Y = B @ Vh.T  # B = Y Vh when Vh spans B's row space
        top = float(Y.abs().max())
        ty = max(0, HINT_BITS - math.frexp(top)[1]) if math.isfinite(top) and top > 0 else 0
        S = torch.linalg.svdvals(RA @ B)
        # σ_max of the exact residual: the float one, with room for the hints' rounding
        sigma = (float(S[1]) if S.numel() > 1 else 0.0) + 2.0**-30 * float(S[0])
        sigma_sq = (sigma * (1 + 2.0**-20)) ** 2
        sigma_bits = max(0, 60 - math.frexp(sigma_sq)[1]) if math.isfinite(sigma_sq) and sigma_sq > 0 else 0
        return SearchHints(gaps, _integers(x), _integers(z),
                             [[round(float(v) * 2**ty) for v in row] for row in Y],
                             [[round(float(v) * 2**HINT_BITS) for v in row] for row in Vh], ty, HINT_BITS,
                             math.ceil(sigma_sq * 2**sigma_bits) if math.isfinite(sigma_sq) else 0, sigma_bits)
    if handling.endswith("_recursive"):
        dirs = recursive_directions(W, W_EP, FlopCounter())
        def scaled(v: torch.Tensor) -> list[int]:
            return [round(float(x) * 2**HINT_BITS) for x in v]
        return SearchHints(gaps, [], [], U_q=[scaled(u) for u in dirs.U_q.T], U_k=[scaled(u) for u in dirs.U_k.T],
                           w_q=scaled(dirs.w), w_k=scaled(dirs.z))
    if handling.endswith("subproduct"):
        u = A.mean(dim=0)
        return SearchHints(gaps, _integers(u), _integers(u))
    return SearchHints(gaps, [], [])  # exact_EQKE+max_diff_exact


def _iroot_ceil(x: int, k: int) -> int:
    """The least r >= 0 with r^k >= x."""
    if x <= 0:
        return 0
    r = 1 << ((x.bit_length() + k - 1) // k)  # r^k >= x
    lo, hi = 0, r
    while lo < hi:
        mid = (lo + hi) // 2
        if mid**k >= x:
            hi = mid
        else:
            lo = mid + 1
    return lo


@dataclass(frozen=True)
class AttentionSplit:
    """EQKE = Main + Err: R[q] >= the row spread of Err, over den; factors: (main_q, main_k) with
    Main[q][k] = sum_r main_q[r][q] main_k[r][k] over den (every handling but
    exact_EQKE+max_diff_exact, whose Main is EQKE and factors None)."""

    R: list[int]
    den: int
    factors: tuple[list[list[int]], list[list[int]]] | None = None


def attention_split(w: ExactWeights, EQKE: list[list[int]], handling: str, hints: SearchHints) -> AttentionSplit:
    """The exact attention error handling named `handling` (docs/strategies.md)."""
    S, V = w.S, w.d_vocab
    W_EP = resid_query(w)  # over 2^S
    if handling == "exact_EQKE+max_diff_exact":
        return AttentionSplit([0] * V, 1 << (4 * S))
    if handling.endswith("_recursive"):
        return _recursive_split(w, W_EP, hints, handling)
    x, z = hints.x, hints.z
    c = sum(a * b for a, b in zip(x, z))
    if len(x) != w.d_head or len(z) != w.d_head:
        raise PyVerifyError(f"subcubic hint vectors must have d_head = {w.d_head} entries")
    if c < 0:
        z, c = [-v for v in z], -c
    if c == 0:  # no usable direction: Main = 0
        x, z, c = [0] * w.d_head, [0] * w.d_head, 1
    A = matmul(W_EP, w.W_Q)  # [V, h] over 2^(2S)
    Bt = matmul(w.W_E, w.W_K)  # Bᵀ: [V, h] over 2^(2S); B = W_Kᵀ W_Eᵀ
    Ax = [sum(a * b for a, b in zip(row, x)) for row in A]
    zB = [sum(a * b for a, b in zip(col, z)) for col in Bt]
    den = c << (4 * S)  # Main = (A x)(zᵀ B) / den
    P = [[c * a - ax * zl for a, zl in zip(row, z)] for row, ax in zip(A, Ax)]  # Err = P B / den
    B_range = [row_range(col) for col in zip(*Bt)]  # row ranges of B, over 2^(2S)
    if handling == "max_diff_exact":
        R = [row_range([e * c - ax * b for e, b in zip(eq, zB)]) for eq, ax in zip(EQKE, Ax)]
    elif handling in ("max_diff", "mean+max_diff"):
        R = _through_basis(w, P, Bt, hints, handling.startswith("mean+"))
    elif handling == "max_diff_subproduct":
        R = [sum(abs(p) * r for p, r in zip(row, B_range)) for row in P]
    elif handling == "mean+max_diff_subproduct":  # around the mean row P̄ = P_sum / V, all times V
        P_sum = [sum(col) for col in zip(*P)]
        mean_row = [sum(ps * b for ps, b in zip(P_sum, brow)) for brow in Bt]  # V P̄ B, over den
        deviations = [sum(abs(V * p - ps) * r for p, ps, r in zip(row, P_sum, B_range)) for row in P]
        R = [-(-(row_range(mean_row) + d) // V) for d in deviations]  # rounded up
    elif handling == "svd":
        R = [_sigma_bound(w, P, Bt, c, hints)] * V
    else:
        raise PyVerifyError(f"attention error handling {handling!r} has no exact version")
    return AttentionSplit(R, den, ([Ax], [zB]))


def _positive_definite(X: list[list[int]], keep_bits: int = 200) -> bool:
    """A sufficient test that a symmetric integer matrix X is positive definite. X = 2^k X' + E
    with X' = floor(X / 2^k) and 0 <= E < 2^k entrywise, so ‖E‖ < 2^k h; hence X ≻ 0 if
    X' - h I ≻ 0, which holds iff every leading principal minor is > 0 (Sylvester), the minors
    being the pivots of fraction-free (Bareiss) elimination. k keeps X' to about keep_bits bits."""
    h = len(X)
    k = max(0, max(abs(v).bit_length() for row in X for v in row) - keep_bits)
    M = [[(v >> k) - (h if i == j else 0) for j, v in enumerate(row)] for i, row in enumerate(X)]
    prev = 1
    for p in range(h):
        if M[p][p] <= 0:
            return False
        for i in range(p + 1, h):
            for j in range(i, h):  # symmetric: the upper triangle, mirrored
                M[i][j] = (M[p][p] * M[i][j] - M[i][p] * M[p][j]) // prev
                M[j][i] = M[i][j]
        prev = M[p][p]
    return True


def _sigma_bound(w: ExactWeights, P: list[list[int]], Bt: list[list[int]], c: int, hints: SearchHints) -> int:
    """√2 σ_max(Err) times den = c 2^(4S), rounded up, for Err = P B: the `svd` handling's R.
    With G = PᵀP and K = BBᵀ, σ_max(Err)² = λ_max(GK). The hint t = sigma_sq / 2^sigma_bits is
    accepted when tK - KGK is positive definite (then K ≻ 0 and K^(1/2) G K^(1/2) ⪯ t I);
    otherwise λ_max(GK) <= tr((GK)^8)^(1/8) (the eigenvalues of GK are >= 0)."""
    S, t_num, t_bits = w.S, hints.sigma_sq, hints.sigma_bits
    den = c << (4 * S)
    G = [[sum(a * b for a, b in zip(ci, cj)) for cj in zip(*P)] for ci in zip(*P)]  # over c^2 2^(4S)
    K = [[sum(a * b for a, b in zip(ci, cj)) for cj in zip(*Bt)] for ci in zip(*Bt)]  # over 2^(4S)
    if t_num > 0:
        KGK = matmul(matmul(K, G), K)
        X = [[((t_num * c * c * k) << (8 * S)) - (v << t_bits) for k, v in zip(krow, vrow)]
             for krow, vrow in zip(K, KGK)]  # (t K - KGK) times 2^t_bits c^2 2^(12S)
        if _positive_definite(X):
            return _iroot_ceil(-((-2 * t_num * den * den) >> t_bits), 2)
    M = matmul(G, K)  # over den^2
    for _ in range(int(math.log2(TRACE_POWER))):
        M = matmul(M, M)
    trace = sum(M[i][i] for i in range(len(M)))  # >= λ_max(GK)^8 den^16
    return _iroot_ceil(trace << TRACE_POWER, 2 * TRACE_POWER)


def _through_basis(w: ExactWeights, P: list[list[int]], Bt: list[list[int]], hints: SearchHints,
                   mean: bool) -> list[int]:
    """R for Err = P B (P over c 2^(2S), B over 2^(2S)) through the hinted basis: B = YZ + E
    with E = B - YZ exact, so Err = (PY) Z + P E and each part obeys the row-range rule (with
    mean, the mean row of PY Z exactly plus the deviations). Over c 2^(4S), rounded up."""
    Y, Z, t = hints.Y, hints.Z, hints.ty + hints.tz
    h, V = w.d_head, w.d_vocab
    if len(Y) != h or any(len(r) != len(Z) for r in Y) or any(len(r) != V for r in Z):
        raise PyVerifyError(f"subcubic basis hints must be {h} x r and r x {V}")
    YZ = matmul(Y, Z)
    E_range = [row_range([(b << t) - (yz << (2 * w.S)) for b, yz in zip(col, yz_row)])
               for col, yz_row in zip(zip(*Bt), YZ)]  # B - YZ, over 2^(2S + t)
    Z_range = [row_range(row) for row in Z]
    PY = matmul(P, Y)
    through_E = [sum(abs(p) * r for p, r in zip(row, E_range)) for row in P]
    scale = V if mean else 1  # with mean, the Z part is V times its value: around PY_sum / V
    if mean:
        PY_sum = [sum(col) for col in zip(*PY)]
        mean_row = [sum(m * z for m, z in zip(PY_sum, col)) for col in zip(*Z)]
        through_Z = [row_range(mean_row) + sum(abs(V * v - m) * r for v, m, r in zip(row, PY_sum, Z_range))
                     for row in PY]
    else:
        through_Z = [sum(abs(v) * r for v, r in zip(row, Z_range)) for row in PY]
    return [-(-((zpart << (2 * w.S)) + scale * epart) // (scale << t)) for zpart, epart in zip(through_Z, through_E)]


def _minus_projection(X: list[list[int]], U: list[list[int]]) -> list[list[int]]:
    """X (I - P) with P = sum_u u uᵀ / 2^(2 HINT_BITS) (u over 2^HINT_BITS; any u is sound): the
    rows of X less their part along the directions, over 2^(2 HINT_BITS) times X's denominator."""
    along = [[sum(x * v for x, v in zip(row, u)) for u in U] for row in X]
    return [[(x << (2 * HINT_BITS)) - sum(a * u[j] for a, u in zip(coeffs, U)) for j, x in enumerate(row)]
            for row, coeffs in zip(X, along)]


def _spread_through_factors(factors: list[list[list[int]]], means: int) -> tuple[list[int], int]:
    """The row-range rule through each factor (numeric twin: `spread_through_factors`), in
    integers: (R, scale) with the row spread of the product at most R[q] / scale (scale is the
    product of the row counts of the factors taken around their mean row)."""
    if len(factors) == 1:
        return [row_range(row) for row in factors[0]], 1
    A, rest = factors[0], factors[1:]
    inner, scale = _spread_through_factors(rest, max(means - 1, 0))
    if means == 0:
        return [sum(abs(a) * r for a, r in zip(row, inner)) for row in A], scale
    n = len(A)
    total = [sum(col) for col in zip(*A)]  # n times the mean row
    product = total
    for M in rest:
        product = [sum(p * m for p, m in zip(product, col)) for col in zip(*M)]
    mean_spread = row_range(product)  # n times the mean row's exact spread
    return [mean_spread * scale + sum(abs(n * a - s) * r for a, s, r in zip(row, total, inner)) for row in A], n * scale


def _recursive_split(w: ExactWeights, W_EP: list[list[int]], hints: SearchHints, handling: str) -> AttentionSplit:
    """The quadratic split (numeric twin: `_eqke_recursive`, docs/strategies.md), exactly: with
    the hinted directions, E_q2 = W_EP (I - P_q), E_k2 = W_E (I - P_k), Q2 = (I - P_w) W_Q,
    K2 = (I - P_z) W_K, Err = E_q2 Q2 K2ᵀ E_k2ᵀ over den = 2^(4S + 8 HINT_BITS), Main = EQKE - Err
    as four groups of rank-one terms, and R by the row-range rule through the four factors."""
    S, H, d = w.S, HINT_BITS, w.d_model
    U_q, U_k, w_q, w_k = [list(u) for u in hints.U_q], [list(u) for u in hints.U_k], list(hints.w_q), list(hints.w_k)
    if any(len(u) != d for u in U_q + U_k + [w_q, w_k]) or not U_q or not U_k:
        raise PyVerifyError(f"the quadratic split's direction hints must have d_model = {d} entries")
    Wq_t, Wk_t = transpose(w.W_Q), transpose(w.W_K)  # [h][d]
    E_q2 = _minus_projection(W_EP, U_q)  # over 2^(S + 2H)
    E_k2 = _minus_projection(w.W_E, U_k)
    Q2 = transpose(_minus_projection(Wq_t, [w_q]))  # [d][h], over 2^(S + 2H)
    K2 = transpose(_minus_projection(Wk_t, [w_k]))

    def vec_mat(v: list[int], M: list[list[int]]) -> list[int]:  # v M, v [a], M [a][b]
        return [sum(x * m for x, m in zip(v, col)) for col in zip(*M)]

    def mat_vec(M: list[list[int]], v: list[int]) -> list[int]:  # M v
        return [sum(m * x for m, x in zip(row, v)) for row in M]

    to_key = lambda v: mat_vec(w.W_E, mat_vec(w.W_K, v))  # noqa: E731  W_E W_K v, v [h]: over 2^(2S) v's
    query_terms, key_terms, shifts = [], [], []
    for u in U_q:  # E_q P_q W_Q W_Kᵀ E_kᵀ: (E_q u)(uᵀ W_Q W_Kᵀ E_kᵀ), over 2^(4S + 2H)
        query_terms.append(mat_vec(W_EP, u))
        key_terms.append(to_key(vec_mat(u, w.W_Q)))
        shifts.append(6 * H)
    for u in U_k:  # E_q2 W_Q W_Kᵀ P_k E_kᵀ: (E_q2 W_Q W_Kᵀ u)(uᵀ E_kᵀ), over 2^(4S + 4H)
        query_terms.append(mat_vec(E_q2, mat_vec(w.W_Q, vec_mat(u, w.W_K))))
        key_terms.append(mat_vec(w.W_E, u))
        shifts.append(4 * H)
    # E_q2 P_w W_Q W_Kᵀ E_k2ᵀ: (E_q2 w)(wᵀ W_Q W_Kᵀ E_k2ᵀ), over 2^(4S + 6H)
    query_terms.append(mat_vec(E_q2, w_q))
    key_terms.append(mat_vec(E_k2, mat_vec(w.W_K, vec_mat(w_q, w.W_Q))))
    shifts.append(2 * H)
    # E_q2 Q2 W_Kᵀ P_z E_k2ᵀ: (E_q2 Q2 W_Kᵀ z)(zᵀ E_k2ᵀ), over 2^(4S + 8H)
    query_terms.append(mat_vec(E_q2, mat_vec(Q2, vec_mat(w_k, w.W_K))))
    key_terms.append(mat_vec(E_k2, w_k))
    shifts.append(0)
    main_k = [[b << shift for b in row] for row, shift in zip(key_terms, shifts)]
    den = 1 << (4 * S + 8 * H)
    means = {"max_diff_subproduct_recursive": 0, "mean+max_diff_subproduct_recursive": 1,
             "mean_recursive+max_diff_subproduct_recursive": 4}[handling]
    R, scale = _spread_through_factors([E_q2, Q2, transpose(K2), transpose(E_k2)], means)
    return AttentionSplit([-(-r // scale) for r in R], den, (query_terms, main_k))


def eupu_row(w: ExactWeights, handling: str, hints: SearchHints) -> list[int]:
    """V times the row the direct path is split around (over V 2^S; any row is sound): the mean
    query row, 0, or the hinted row (Lean: `SubcubicHints.mu`)."""
    W_EP = resid_query(w)
    mu = {"mean_query+max_diff": [sum(col) for col in zip(*W_EP)], "max_diff": [0] * w.d_model,
          "svd_query+max_diff": list(hints.mu)}[handling]
    if len(mu) != w.d_model:
        raise PyVerifyError(f"the EUPU hint row must have d_model = {w.d_model} entries")
    return mu


def gap_rows(gaps: list[int], V: int, n: int) -> list[list[int]]:
    """The gaps of `counting.cases` by max token: row m holds case (q, m, c) at index q n + c for
    every q <= m and c < n (0 where the case has no inputs) (Lean: the digits of
    `SubcubicHints.gaps`)."""
    rows = [[0] * ((m + 1) * n) for m in range(V)]
    for (q, m, c), g in zip(cases(V, n), gaps):
        rows[m][q * n + c] = g
    return rows


def subcubic_hints(w: ExactWeights, EQKE: list[list[int]], config: SubcubicConfig, search: SearchHints) -> SubcubicHints:
    """The certificate's hints for a configuration (EQKE: the exact table, over 2^(4S)): the EUPU
    code and row, the gaps by max token, and the attention split the handling finds (`attention_split`) as Main's factors and the
    claimed bound R."""
    if config.eupu not in EUPU_CODES:
        raise PyVerifyError(f"EUPU handling {config.eupu!r} has no exact version")
    V, n = w.d_vocab, w.n_ctx
    if len(search.gaps) != len(cases(V, n)):
        raise PyVerifyError(f"the gap hints have {len(search.gaps)} entries; this model has {len(cases(V, n))} cases")
    split = attention_split(w, EQKE, config.attention_error, search)
    eupu = EUPU_CODES[config.eupu]
    main_q, main_k = split.factors if split.factors is not None else ([], [])
    return SubcubicHints(eupu, eupu_row(w, config.eupu, search) if eupu == 0 else [],
                         config.attention == "drop_average_query_per_output_logit_reasoning",
                         gap_rows(search.gaps, V, n), split.factors is None, [list(r) for r in main_q],
                         [list(r) for r in main_k], split.den,
                         list(split.R))
