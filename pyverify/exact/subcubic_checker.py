"""The subcubic strategy in exact arithmetic: a certified count (issue 11).

Same cases, gaps and bound as pyverify/numeric/strategies/subcubic.py (docs/strategies.md,
"Subcubic"): a case (q, m, c) at gap g is proven when

    spread[q, m] + max(J1[m], p_low J1[m] + (1 - p_low) (J0[m] + H[m - g, m])) < 0.

Here every logit summary (spread, J1, J0, H) is an exact integer over a common denominator,
every attention quantity is an exact split EQKE = Main + Err with a rigorous bound R[q] on the
row spread of Err, and p_low is a fixed-point lower bound (outward-rounded exp and division).
Nothing computed in float64 is trusted: the float search supplies the gaps and the integer
directions of the rank-one splits (`SearchHints`), and the checker evaluates each case at its
hinted gap from the weights alone. Where the float64 handling bounds Err from SVD outputs (which
are not themselves bounds), the exact one uses a rigorous bound from exact factors:

  SVD-family splits (svd, max_diff, mean+max_diff, max_diff_exact): Main = A x zᵀ B / (zᵀx)
  for the hint vectors x, z (≈ the float SVD's top term), so Err = P B with
  P = A - (A x) zᵀ / (zᵀx) exactly;
  max_diff / mean+max_diff: the row-range rule through B (as the subproduct handlings);
  svd: √2 σ_max(Err), with σ_max(Err)² at most the hinted t once t K - K G K is shown positive
  definite (G = PᵀP, K = BBᵀ), else at most tr((G K)^8)^(1/8), exact integers;
  max_diff_exact: the exact row range of EQKE - Main.

The count is a sum over blocks of max tokens (`subcubic_blocks`), as in its Lean twin
`checkSubcubic` (lean/PyVerify/Subcubic.lean, with Split.lean, Hints.lean and Definite.lean),
which reads the configuration and hints in the form `lean_hints` gives them. Its Coq twin
`check_subcubic` (coq/theories/Subcubic.v, proved sound for every hint in SubcubicSound.v) reads
the split's result instead (`coq_hints`) and checks its error bound against the exact spread;
`certify_coq_hints` is that checker in Python.

Denominators: A = W_EP W_Q and B = W_Kᵀ W_Eᵀ are integers over 2^(2S), EQKE = A B over 2^(4S);
the logit summaries are integers over V 2^(4S) (the mean query row has denominator V 2^S).
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from dataclasses import dataclass

import torch

from pyverify.numeric.counting import case_count, cases, gap_is_legal, non_query_ends
from pyverify.errors import PyVerifyError
from pyverify.exact.blocks import subcubic_blocks
from pyverify.exact.fixed import PREC, Interval, exp_nonpos, inv_sqrt, scaled_score
from pyverify.exact.hints import CoqSubcubicHints, SubcubicHints
from pyverify.exact.result import CertifiedResult
from pyverify.exact.weights import ExactWeights, exact_tables, exact_weights, matmul, resid_query
from pyverify.limits import require_time
from pyverify.model.transformer import MaxOfKTransformer
from pyverify.numeric.strategies.subcubic import SVD_ERRORS, SubcubicConfig, search_gaps, summaries
from pyverify.numeric.flops import FlopCounter
from pyverify.numeric.tables import float64_weights, query_residual

ONE = 1 << PREC
HINT_BITS = 40  # hint vectors are rounded to integers with this many bits
TRACE_POWER = 8  # svd: σ_max(Err)² <= tr((ErrᵀErr)^8)^(1/8)


@dataclass(frozen=True)
class SearchHints:
    """The float64 search's contribution, checked and never trusted: the gap of each case of
    `counting.cases` (0: no proof claimed); integer direction vectors x, z (length d_head) of
    the rank-one split Main = A x zᵀ B / (zᵀx) ([] when the handling has none); and for the SVD
    family a factorisation B ≈ (Y / 2^ty)(Z / 2^tz) of B = W_Kᵀ W_Eᵀ through the SVD's row basis
    Z ≈ Vh (Y [h][r], Z [r][V]; [] otherwise), whose exact error B - YZ is bounded separately."""

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


# The Lean checker's handling codes (lean/PyVerify/Hints.lean). Every EUPU handling is covered
# (the first three as the row-range rule around their row `eupu_row`), and every implemented
# attention error handling.
EUPU_CODES = {"mean_query+max_diff": 0, "max_diff": 0, "svd_query+max_diff": 0, "max_diff_exact": 1,
              "global_max_diff_exact": 2}
ATTENTION_CODES = {"exact_EQKE+max_diff_exact": 0, "max_diff_exact": 1, "max_diff": 2, "svd": 3,
                   "max_diff_subproduct": 4, "max_diff_subproduct_recursive": 5,
                   "mean+max_diff_subproduct_recursive": 6, "mean+max_diff": 7, "mean+max_diff_subproduct": 8}


def coq_hints(w: ExactWeights, config: SubcubicConfig, hints: SearchHints, split: AttentionSplit) -> CoqSubcubicHints:
    """The Coq form of a configuration, its hints and the split they give (`attention_split`)."""
    eupu = EUPU_CODES[config.eupu]
    drop_query = config.attention == "drop_average_query_per_output_logit_reasoning"
    main_q, main_k = split.factors if split.factors is not None else ([], [])
    return CoqSubcubicHints(eupu, eupu_row(w, config.eupu, hints) if eupu == 0 else [], drop_query,
                            gap_rows(hints.gaps, w.d_vocab, w.n_ctx), split.factors is None, list(main_q),
                            list(main_k), split.den, list(split.R))


def coq_hints_ok(w: ExactWeights, h: CoqSubcubicHints) -> bool:
    """Whether Coq's checker reads these hints (Coq: `hints_ok`; when it fails, the Coq count is 0):
    an EUPU code of at most 2, a row mu of length d_model for code 0, den > 0 unless Main = EQKE."""
    return h.eupu <= 2 and (h.eupu != 0 or len(h.mu) == w.d_model) and (h.main_exact or h.den > 0)


def certify_coq_hints(w: ExactWeights, h: CoqSubcubicHints) -> int:
    """The count of Coq's subcubic checker (coq/theories/Subcubic.v, `check_subcubic`) for these
    hints, in Python: the cases of `certify_subcubic`, with the split read from the hints and R[q]
    the larger of the claim err_bound[q] and the exact row spread of Err = EQKE - Main (rounded up
    to the split's denominator), and missing entries read as 0 (Coq's `nth` default). For the
    hints `certify_subcubic` writes, it is that function's count; for any hints, at most the
    model's true count (Coq: `subcubic_sound`)."""
    V, n, S = w.d_vocab, w.n_ctx, w.S
    if n < 2 or not coq_hints_ok(w, h):
        return 0
    tables = exact_tables(w)

    def at(values: list[int], i: int) -> int:
        return values[i] if i < len(values) else 0

    eupu = {0: "svd_query+max_diff", 1: "max_diff_exact", 2: "global_max_diff_exact"}[h.eupu]
    L = logit_summaries(w, tables, eupu, SearchHints([], [], [], mu=list(h.mu)))
    if h.main_exact:
        main, den = tables.EQKE, 1 << (4 * S)
    else:
        main, den = [[at(h.main_q, q) * at(h.main_k, k) for k in range(V)] for q in range(V)], h.den
    split = checked_split(w, tables.EQKE, AttentionSplit(main, [at(h.err_bound, q) for q in range(V)], den))
    rows = [[(h.gaps[m][i] if m < len(h.gaps) and i < len(h.gaps[m]) else 0) for i in range((m + 1) * n)]
            for m in range(V)]
    return block_counts(w, tables, L, split, h.drop_query, rows, [(0, V)], [])[0][2]


def hints_fit(w: ExactWeights, lh: SubcubicHints) -> bool:
    """Whether Lean hints name known handlings and have the shapes those handlings read (Lean:
    `hintsFit`; when it fails, the Lean count is 0): an EUPU code of at most 2 and an attention
    code of at most 8, directions of length d_head, a d_head x r and r x V basis for the
    handlings through it, a row of length d_model for EUPU code 0."""
    def rectangular(rows: int, cols: int, M: list[list[int]]) -> bool:
        return len(M) == rows and all(len(row) == cols for row in M)

    r = len(lh.Z)
    directions = len(lh.x) == w.d_head and len(lh.z) == w.d_head
    basis = rectangular(w.d_head, r, lh.Y) and rectangular(r, w.d_vocab, lh.Z)
    basis_handling = lh.attention in (ATTENTION_CODES["max_diff"], ATTENTION_CODES["mean+max_diff"])
    attention = lh.attention == 0 or ((directions and basis) if basis_handling else directions)
    eupu = len(lh.mu) == w.d_model if lh.eupu == 0 else lh.eupu <= 2
    return lh.attention <= 8 and attention and eupu


def lean_hints(w: ExactWeights, config: SubcubicConfig, hints: SearchHints) -> SubcubicHints:
    """The Lean form of a configuration and its hints (for `pyverify export --strategy subcubic`)."""
    if not config.implemented:
        raise PyVerifyError(f"subcubic configuration {config.name} has no Lean checker (it is named but not "
                            f"implemented)")
    V, n = w.d_vocab, w.n_ctx
    gap_bits = V.bit_length()
    if any(not 0 <= g <= V for g in hints.gaps):  # V < 2^gap_bits: one digit each
        raise PyVerifyError(f"subcubic gap hints must lie in [0, {V}]")
    packed = [sum(g << (gap_bits * i) for i, g in enumerate(row)) for row in gap_rows(hints.gaps, V, n)]
    eupu = EUPU_CODES[config.eupu]
    lh = SubcubicHints(eupu, ATTENTION_CODES[config.attention_error],
                   config.attention == "drop_average_query_per_output_logit_reasoning", gap_bits, packed,
                   list(hints.x), list(hints.z), [list(r) for r in hints.Y], [list(r) for r in hints.Z],
                   hints.ty, hints.tz, hints.sigma_sq, hints.sigma_bits,
                   eupu_row(w, config.eupu, hints) if eupu == 0 else [])
    if not hints_fit(w, lh):
        raise PyVerifyError(f"the hints of {config.name} do not have the shapes the Lean checker reads")
    return lh


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
        u = W_EP.mean(dim=0) @ W["W_Q"]  # the mean query's direction (the scale does not matter)
        return SearchHints(gaps, _integers(u), _integers(u))
    if handling.endswith("subproduct"):
        u = A.mean(dim=0)
        return SearchHints(gaps, _integers(u), _integers(u))
    return SearchHints(gaps, [], [])  # exact_EQKE+max_diff_exact


def _row_range(row: list[int]) -> int:
    return max(row) - min(row)


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
    """EQKE = Main + Err: Main[q][k] and R[q] (R >= the row spread of Err) as integers over den;
    factors: (main_q, main_k) with Main[q][k] = main_q[q] main_k[k] when Main has rank one (every
    handling but exact_EQKE+max_diff_exact, whose Main is EQKE)."""

    main: list[list[int]]
    R: list[int]
    den: int
    factors: tuple[list[int], list[int]] | None = None


def attention_split(w: ExactWeights, EQKE: list[list[int]], handling: str, hints: SearchHints) -> AttentionSplit:
    """The exact attention error handling named `handling` (docs/strategies.md)."""
    S, V = w.S, w.d_vocab
    W_EP = resid_query(w)  # over 2^S
    if handling == "exact_EQKE+max_diff_exact":
        return AttentionSplit(EQKE, [0] * V, 1 << (4 * S))
    x, z = hints.x, hints.z
    c = sum(a * b for a, b in zip(x, z))
    if len(x) != w.d_head or len(z) != w.d_head:
        raise PyVerifyError(f"subcubic hint vectors must have d_head = {w.d_head} entries")
    if c < 0:
        z, c = [-v for v in z], -c
    if c == 0:  # no usable direction: Main = 0
        x, z, c = [0] * w.d_head, [0] * w.d_head, 1
    if handling.endswith("_recursive"):
        return _recursive_split(w, W_EP, x, c, handling.startswith("mean+"))
    A = matmul(W_EP, w.W_Q)  # [V, h] over 2^(2S)
    Bt = matmul(w.W_E, w.W_K)  # Bᵀ: [V, h] over 2^(2S); B = W_Kᵀ W_Eᵀ
    Ax = [sum(a * b for a, b in zip(row, x)) for row in A]
    zB = [sum(a * b for a, b in zip(col, z)) for col in Bt]
    main = [[a * b for b in zB] for a in Ax]  # over den = c 2^(4S)
    den = c << (4 * S)
    P = [[c * a - ax * zl for a, zl in zip(row, z)] for row, ax in zip(A, Ax)]  # Err = P B / den
    B_range = [_row_range(col) for col in zip(*Bt)]  # row ranges of B, over 2^(2S)
    if handling == "max_diff_exact":
        R = [_row_range([e * c - mk for e, mk in zip(eq, mrow)]) for eq, mrow in zip(EQKE, main)]
    elif handling in ("max_diff", "mean+max_diff"):
        R = _through_basis(w, P, Bt, hints, handling.startswith("mean+"))
    elif handling == "max_diff_subproduct":
        R = [sum(abs(p) * r for p, r in zip(row, B_range)) for row in P]
    elif handling == "mean+max_diff_subproduct":  # around the mean row P̄ = P_sum / V, all times V
        P_sum = [sum(col) for col in zip(*P)]
        mean_row = [sum(ps * b for ps, b in zip(P_sum, brow)) for brow in Bt]  # V P̄ B, over den
        deviations = [sum(abs(V * p - ps) * r for p, ps, r in zip(row, P_sum, B_range)) for row in P]
        R = [-(-(_row_range(mean_row) + d) // V) for d in deviations]  # rounded up
    elif handling == "svd":
        R = [_sigma_bound(w, P, Bt, c, hints)] * V
    else:
        raise PyVerifyError(f"attention error handling {handling!r} has no exact version")
    return AttentionSplit(main, R, den, (Ax, zB))


def checked_split(w: ExactWeights, EQKE: list[list[int]], split: AttentionSplit) -> AttentionSplit:
    """The split with each R[q] raised, where needed, to the exact spread of row q of
    Err = EQKE - Main, rounded up to the split's denominator (Lean: `checkedSplit`; Coq: `R_used`,
    proved sound whatever R claims). For the R of every handling (at least that spread, by
    docs/strategies.md) it changes nothing; the checkers use it so that their soundness rests on
    the Coq theorem rather than on each handling's derivation."""
    shift = 4 * w.S
    spreads = [_row_range([e * split.den - (mk << shift) for e, mk in zip(row, mrow)])
               for row, mrow in zip(EQKE, split.main)]
    return dataclasses.replace(split, R=[max(r, -(-spread >> shift)) for r, spread in zip(split.R, spreads)])


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
    E_range = [_row_range([(b << t) - (yz << (2 * w.S)) for b, yz in zip(col, yz_row)])
               for col, yz_row in zip(zip(*Bt), YZ)]  # B - YZ, over 2^(2S + t)
    Z_range = [_row_range(row) for row in Z]
    PY = matmul(P, Y)
    through_E = [sum(abs(p) * r for p, r in zip(row, E_range)) for row in P]
    scale = V if mean else 1  # with mean, the Z part is V times its value: around PY_sum / V
    if mean:
        PY_sum = [sum(col) for col in zip(*PY)]
        mean_row = [sum(m * z for m, z in zip(PY_sum, col)) for col in zip(*Z)]
        through_Z = [_row_range(mean_row) + sum(abs(V * v - m) * r for v, m, r in zip(row, PY_sum, Z_range))
                     for row in PY]
    else:
        through_Z = [sum(abs(v) * r for v, r in zip(row, Z_range)) for row in PY]
    return [-(-((zpart << (2 * w.S)) + scale * epart) // (scale << t)) for zpart, epart in zip(through_Z, through_E)]


def _recursive_split(w: ExactWeights, W_EP: list[list[int]], u: list[int], c: int, mean: bool) -> AttentionSplit:
    """max_diff_subproduct_recursive and its mean+ variant: Main along u (an h-vector) as
    W_EP (W_Q u) times W_E (W_K u), and R through each factor, exactly (over c 2^(4S) V)."""
    S, V = w.S, w.d_vocab
    Wq_u = [sum(a * b for a, b in zip(row, u)) for row in w.W_Q]  # [d] over 2^S
    main_q = [sum(a * b for a, b in zip(row, Wq_u)) for row in W_EP]  # over 2^(2S)
    Wk_u = [sum(a * b for a, b in zip(row, u)) for row in w.W_K]
    main_k = [sum(a * b for a, b in zip(row, Wk_u)) for row in w.W_E]
    den = (c * V) << (4 * S)
    factors = (main_q, [b * V for b in main_k])
    main = [[a * b for b in factors[1]] for a in main_q]
    Q_perp = [[c * a - wu * ul for a, ul in zip(row, u)] for row, wu in zip(w.W_Q, Wq_u)]  # over c 2^S
    E_range = [_row_range(col) for col in zip(*w.W_E)]  # over 2^S
    B_range = [sum(abs(k) * r for k, r in zip(col, E_range)) for col in zip(*w.W_K)]  # [h] over 2^(2S)
    QB_range = [sum(abs(q) * r for q, r in zip(row, B_range)) for row in Q_perp]  # [d] over c 2^(3S)
    if not mean:
        return AttentionSplit(main, [V * sum(abs(e) * r for e, r in zip(row, QB_range)) for row in W_EP], den, factors)
    mu = [sum(col) for col in zip(*W_EP)]  # V times the mean query row, over 2^S
    mu_Q = [sum(m * q for m, q in zip(mu, col)) for col in zip(*Q_perp)]  # [h]
    mu_QK = [sum(m * k for m, k in zip(mu_Q, row)) for row in w.W_K]  # [d]
    mean_err = [sum(m * e for m, e in zip(mu_QK, row)) for row in w.W_E]  # [V] over c V 2^(4S)
    deviations = [sum(abs(V * e - m) * r for e, m, r in zip(row, mu, QB_range)) for row in W_EP]
    return AttentionSplit(main, [_row_range(mean_err) + d for d in deviations], den, factors)


@dataclass(frozen=True)
class LogitSummaries:
    """spread[q][m], J1[m], J0[m], H[j][m] as integers over V 2^(4S) (docs/strategies.md)."""

    spread: list[list[int]]
    J1: list[int]
    J0: list[int]
    H: list[list[int]]


def eupu_row(w: ExactWeights, handling: str, hints: SearchHints) -> list[int]:
    """V times the row the direct path is split around (over V 2^S; any row is sound): the mean
    query row, 0, or the hinted row (Lean: `SubcubicHints.mu`)."""
    W_EP = resid_query(w)
    mu = {"mean_query+max_diff": [sum(col) for col in zip(*W_EP)], "max_diff": [0] * w.d_model,
          "svd_query+max_diff": list(hints.mu)}[handling]
    if len(mu) != w.d_model:
        raise PyVerifyError(f"the EUPU hint row must have d_model = {w.d_model} entries")
    return mu


def logit_summaries(w: ExactWeights, tables, handling: str, hints: SearchHints) -> LogitSummaries:
    """The EUPU handling named `handling` (svd_query+max_diff: around the hinted row hints.mu),
    and J1, J0, H, exactly."""
    S, V = w.S, w.d_vocab
    up = V << (2 * S)  # EUPU and M over 2^(2S) -> over V 2^(4S)
    if handling in ("max_diff_exact", "global_max_diff_exact"):
        M = [0] * V
        exact = [[max(row[o] - row[m] for o in range(V) if o != m) * up for m in range(V)] for row in tables.EUPU]
        if handling == "max_diff_exact":
            spread = exact
        else:
            widest = max(_row_range(row) for row in tables.EUPU) * up
            spread = [[widest] * V for _ in range(V)]
    elif handling in ("mean_query+max_diff", "max_diff", "svd_query+max_diff"):
        W_EP = resid_query(w)
        mu = eupu_row(w, handling, hints)
        M = [sum(m * u for m, u in zip(mu, col)) << (2 * S) for col in zip(*w.W_U)]  # over V 2^(4S)
        U_range = [_row_range(row) for row in w.W_U]
        spread = [[sum(abs(V * e - m) * r for e, m, r in zip(row, mu, U_range)) << (2 * S)] * V for row in W_EP]
    else:
        raise PyVerifyError(f"EUPU handling {handling!r} has no exact version")
    PW = [[max(row[o] - row[m] for row in tables.PVOU) * V for m in range(V)] for o in range(V)]  # [o][m]
    EVOU = [[v * V for v in row] for row in tables.EVOU]
    J1 = [max(M[o] - M[m] + PW[o][m] + EVOU[m][o] - EVOU[m][m] for o in range(V) if o != m) for m in range(V)]
    J0 = [max(M[o] - M[m] + PW[o][m] for o in range(V) if o != m) for m in range(V)]
    h_km = [[max(EVOU[k][o] - EVOU[k][m] for o in range(V) if o != m) for m in range(V)] for k in range(V)]
    H = [h_km[0]]
    for k in range(1, V):
        H.append([max(a, b) for a, b in zip(H[-1], h_km[k])])
    return LogitSummaries(spread, J1, J0, H)


def scaled_lower(num: int, den: int, s: Interval) -> int:
    """A fixed-point lower bound of (num / den) times the scale (s > 0), for den > 0."""
    return (num * (s[0] if num >= 0 else s[1])) // den


@dataclass(frozen=True)
class QueryScores:
    """One query's positional scores EQKP[q, i] / sqrt(h) (fixed point): the non-query lower ends
    ascending, the non-query upper ends descending, and the query position's interval."""

    lows: list[int]
    highs: list[int]
    query: Interval


def query_scores(eqkp_row: list[int], n: int, S: int, s: Interval) -> QueryScores:
    scores = [scaled_score(raw, 4 * S, s) for raw in eqkp_row]
    return QueryScores(*non_query_ends(scores, n), scores[n - 1])


def case_proven(L: LogitSummaries, split: AttentionSplit, prefix_max: list[list[int]], pos: QueryScores,
                s: Interval, drop_query: bool, n: int, q: int, m: int, c: int, g: int) -> bool:
    """Whether case (q, m, c) is proven at gap g (g = 0: the case with no non-max token).

    p_low = S_M / (S_M + e^-δ S_N [+ e^-δq w_q]) with the a = n-1-c copies of m on the smallest
    positional weights and the c others on the largest. e^-δ enters each term's exponent, and
    every exponent is taken relative to the largest of them (as a log-sum-exp), so each exp has
    an argument <= 0 and the terms that matter do not underflow."""
    a = n - 1 - c
    if q == m and c == 0:
        p_low = ONE  # every position holds m
    else:
        main, R, den = split.main[q], split.R[q], split.den
        d = scaled_lower(main[m] - prefix_max[q][m - g] - R, den, s)
        d_query = d if drop_query else scaled_lower(main[m] - main[q] - R, den, s)
        num_exps = pos.lows[:a] + ([pos.query[0]] if q == m else [])  # lower ends: S_M (and w_q if q = m)
        other_exps = [hi - d for hi in pos.highs[:c]] + ([] if q == m else [pos.query[1] - d_query])
        base = max(num_exps + other_exps)
        num = sum(exp_nonpos(x - base)[0] for x in num_exps)
        other = sum(exp_nonpos(x - base)[1] for x in other_exps)
        p_low = min((num << PREC) // (num + other), ONE) if num > 0 else 0
    J1, J0H = L.J1[m], L.J0[m] + L.H[m - g][m]
    worst = J1 << PREC if J1 >= J0H else (J0H << PREC) + p_low * (J1 - J0H)
    return (L.spread[q][m] << PREC) + worst < 0


def _has_inputs(n: int, q: int, m: int, c: int) -> bool:
    """Whether (q, m, c) is one of `counting.cases`."""
    return case_count(n, q == m, c, 1) > 0 and (c == 0 or m >= 1)


def gap_rows(gaps: list[int], V: int, n: int) -> list[list[int]]:
    """The gaps of `counting.cases` by max token: row m holds case (q, m, c) at index q n + c for
    every q <= m and c < n (0 where the case has no inputs) (Lean: the digits of
    `SubcubicHints.gaps`)."""
    rows = [[0] * ((m + 1) * n) for m in range(V)]
    for (q, m, c), g in zip(cases(V, n), gaps):
        rows[m][q * n + c] = g
    return rows


def estimate_seconds(d_vocab: int, n_ctx: int, d_model: int) -> float:
    """A conservative estimate: the float search, the exact tables and summaries, n exps per case."""
    return 5e-7 * d_vocab**3 * n_ctx + 4e-5 * d_vocab**2 * d_model + 1e-4 * d_vocab**2 * n_ctx


def certify_subcubic(model: MaxOfKTransformer, config: SubcubicConfig | str = "default",
                     hints: SearchHints | None = None, force: bool = False) -> CertifiedResult:
    """Certified subcubic count for a model (zero biases, default attention scale): the float
    search's hints (or `hints`), then every case evaluated exactly at its hinted gap. Refuses
    work over the time limit unless force. `proven` lists, per case of `counting.cases`, whether
    it is proven."""
    start = time.perf_counter()
    if isinstance(config, str):
        config = SubcubicConfig.parse(config)
    if not config.implemented:
        raise PyVerifyError(f"subcubic configuration {config.name} is named but not implemented yet")
    w = exact_weights(model)
    V, n = w.d_vocab, w.n_ctx
    require_time(f"the certified subcubic checker for V={V}, n={n}", estimate_seconds(V, n, w.d_model), force)
    if hints is None:
        hints = search_hints(model, config)
    all_cases = cases(V, n)
    if len(hints.gaps) != len(all_cases):
        raise PyVerifyError(f"the gap hints have {len(hints.gaps)} entries; this model has {len(all_cases)} cases")
    tables = exact_tables(w)
    L = logit_summaries(w, tables, config.eupu, hints)
    split = checked_split(w, tables.EQKE, attention_split(w, tables.EQKE, config.attention_error, hints))
    drop_query = config.attention == "drop_average_query_per_output_logit_reasoning"
    proven = []
    blocks = block_counts(w, tables, L, split, drop_query, gap_rows(hints.gaps, V, n), subcubic_blocks(V, n), proven)
    return CertifiedResult(sum(b[2] for b in blocks), V**n, time.perf_counter() - start, proven, blocks,
                           coq_hints=coq_hints(w, config, hints, split))


def block_counts(w: ExactWeights, tables, L: LogitSummaries, split: AttentionSplit, drop_query: bool,
                 rows: list[list[int]], blocks: list[tuple[int, int]], proven: list[bool]) -> list[tuple[int, int, int]]:
    """(lo, hi, count) for each block of max tokens (`subcubic_block`), from the summaries, the
    split and the gap rows; appends each case's verdict to `proven`."""
    V, n = w.d_vocab, w.n_ctx
    s = inv_sqrt(w.d_head)
    prefix_max = [list(itertools.accumulate(row, max)) for row in split.main]
    pos = [query_scores(tables.EQKP[q], n, tables.S, s) for q in range(V)]
    return [(lo, hi, subcubic_block(L, split, prefix_max, pos, s, drop_query, n, rows, lo, hi, proven))
            for lo, hi in blocks]  # Lean: one `subcubicBlock` theorem per block


def subcubic_block(L: LogitSummaries, split: AttentionSplit, prefix_max: list[list[int]], pos: list[QueryScores],
                   s: Interval, drop_query: bool, n: int, rows: list[list[int]], lo: int, hi: int,
                   proven: list[bool]) -> int:
    """The inputs certified with max token in [lo, hi): every (q, m, c), q <= m, c < n, at its
    hinted gap rows[m][q n + c]; appends to `proven` whether each case of `counting.cases` is
    proven (Lean: `subcubicBlock`)."""
    count = 0
    for m in range(lo, hi):
        for q in range(m + 1):
            for c in range(n):
                g = rows[m][q * n + c]
                g_case = 0 if (q == m and c == 0) else g
                ok = gap_is_legal(q, m, c, g) and case_proven(L, split, prefix_max, pos[q], s, drop_query, n, q, m,
                                                                c, g_case)
                if _has_inputs(n, q, m, c):
                    proven.append(ok)
                if ok:
                    count += case_count(n, q == m, c, m + 1 - g_case)
    return count
