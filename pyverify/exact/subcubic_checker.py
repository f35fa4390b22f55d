"""The subcubic strategy in exact arithmetic: the certified checker (issues 11 and 29).

Same cases, gaps and bound as pyverify/numeric/strategies/subcubic.py (docs/strategies.md,
"Subcubic"): a case (q, m, c) at gap g is proven when

    spread[q, m] + max(J1[m], p_low J1[m] + (1 - p_low) (J0[m] + H[m - g, m])) < 0.

Here every logit summary (spread, J1, J0, H) is an exact integer over a common denominator,
the attention split EQKE = Main + Err is read from the hints with its claimed error bound raised
to the exact row spread of Err (`checked_split`), and p_low is a fixed-point lower bound
(outward-rounded exp and division). Nothing computed in float64 is trusted: the hints
(`SubcubicHints`, found by pyverify/exact/subcubic_hints.py) supply the gaps, the EUPU row and
the split, and `check_subcubic` evaluates each case at its hinted gap from the weights alone.

`check_subcubic` is the one subcubic checker, in the one certificate format: its Lean twin is
`checkSubcubic` (lean/PyVerify/Subcubic.lean with Hints.lean and Split.lean) and its Coq twin
`check_subcubic` (coq/theories/Subcubic.v, proved sound for every hint in SubcubicSound.v); all
three read the same record, and a missing entry reads as 0 (Coq's `nth` default).

Denominators: EQKE over 2^(4S); the logit summaries are integers over V 2^(4S) (the EUPU row mu
has denominator V 2^S).
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

from pyverify.exact.blocks import subcubic_blocks
from pyverify.exact.fixed import PREC, Interval, exp_nonpos, inv_sqrt, scaled_score
from pyverify.exact.hints import SubcubicHints
from pyverify.exact.result import CertifiedResult
from pyverify.exact.subcubic_hints import SearchHints, search_hints, subcubic_hints
from pyverify.exact.weights import ExactTables, ExactWeights, exact_tables, exact_weights, resid_query, row_range
from pyverify.limits import require_time
from pyverify.model.transformer import MaxOfKTransformer
from pyverify.numeric.counting import case_count, gap_is_legal, non_query_ends
from pyverify.numeric.strategies.subcubic import SubcubicConfig

ONE = 1 << PREC


def hints_ok(w: ExactWeights, h: SubcubicHints) -> bool:
    """Whether the checker reads these hints (Lean: `hintsOk`; Coq: `hints_ok`; otherwise the count
    is 0): an EUPU code of at most 2, a row mu of length d_model for code 0, den > 0 unless
    Main = EQKE."""
    return 0 <= h.eupu <= 2 and (h.eupu != 0 or len(h.mu) == w.d_model) and (h.main_exact or h.den > 0)


def _at(values: list[int], i: int) -> int:
    """values[i], or 0 past the end (Coq: `nth i values 0`)."""
    return values[i] if 0 <= i < len(values) else 0


@dataclass(frozen=True)
class Split:
    """EQKE = Main + Err: Main[q][k] and R[q] (at least the row spread of Err) over den."""

    main: list[list[int]]
    R: list[int]
    den: int


def checked_split(w: ExactWeights, EQKE: list[list[int]], h: SubcubicHints) -> Split:
    """The split the hints describe, with each claimed bound err_bound[q] raised, where needed, to
    the exact spread of row q of Err = EQKE - Main, rounded up to Main's denominator (Lean:
    `checkedSplit`; Coq: `main_row`, `main_den`, `R_used`, proved sound whatever the hints claim)."""
    V, shift = w.d_vocab, 4 * w.S
    if h.main_exact:
        main, den = EQKE, 1 << shift
    else:
        terms = list(zip(h.main_q, h.main_k))
        main = [[sum(_at(a, q) * _at(b, k) for a, b in terms) for k in range(V)] for q in range(V)]
        den = h.den
    spreads = [row_range([e * den - (mk << shift) for e, mk in zip(row, mrow)]) for row, mrow in zip(EQKE, main)]
    return Split(main, [max(_at(h.err_bound, q), -(-spread >> shift)) for q, spread in enumerate(spreads)], den)


@dataclass(frozen=True)
class LogitSummaries:
    """spread[q][m], J1[m], J0[m], H[j][m] as integers over V 2^(4S) (docs/strategies.md)."""

    spread: list[list[int]]
    J1: list[int]
    J0: list[int]
    H: list[list[int]]

def logit_summaries(w: ExactWeights, tables: ExactTables, h: SubcubicHints) -> LogitSummaries:
    """The EUPU handling of code h.eupu (0: the row-range rule around the row h.mu; 1:
    max_diff_exact; 2: global_max_diff_exact), and J1, J0, H, exactly."""
    S, V = w.S, w.d_vocab
    up = V << (2 * S)  # EUPU and M over 2^(2S) -> over V 2^(4S)
    if h.eupu in (1, 2):
        M = [0] * V
        if h.eupu == 1:
            spread = [[max(row[o] - row[m] for o in range(V) if o != m) * up for m in range(V)] for row in tables.EUPU]
        else:
            widest = max(row_range(row) for row in tables.EUPU) * up
            spread = [[widest] * V for _ in range(V)]
    else:
        W_EP = resid_query(w)
        M = [sum(m * u for m, u in zip(h.mu, col)) << (2 * S) for col in zip(*w.W_U)]  # over V 2^(4S)
        U_range = [row_range(row) for row in w.W_U]
        spread = [[sum(abs(V * e - m) * r for e, m, r in zip(row, h.mu, U_range)) << (2 * S)] * V for row in W_EP]
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


def case_proven(L: LogitSummaries, split: Split, prefix_max: list[list[int]], pos: QueryScores,
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


def estimate_seconds(d_vocab: int, n_ctx: int, d_model: int) -> float:
    """A conservative estimate: the float search, the exact tables and summaries, n exps per case."""
    return 5e-7 * d_vocab**3 * n_ctx + 4e-5 * d_vocab**2 * d_model + 1e-4 * d_vocab**2 * n_ctx

def check_subcubic(w: ExactWeights, h: SubcubicHints, blocks: list[tuple[int, int]] | None = None,
                   proven: list[bool] | None = None) -> list[tuple[int, int, int]]:
    """The subcubic checker: (lo, hi, count) for each block of max tokens (default: the Lean
    module's partition `subcubic_blocks`), each count the inputs with max token in [lo, hi) that
    the hints' cases prove; appends each case's verdict to `proven`. Every count is 0 if the hints
    are malformed (`hints_ok`) or n_ctx < 2. For any hints, the total is at most the model's true
    count (Coq: `subcubic_sound`)."""
    V, n = w.d_vocab, w.n_ctx
    if blocks is None:
        blocks = subcubic_blocks(V, n)
    if n < 2 or not hints_ok(w, h):
        return [(lo, hi, 0) for lo, hi in blocks]
    tables = exact_tables(w)
    L = logit_summaries(w, tables, h)
    split = checked_split(w, tables.EQKE, h)
    rows = [[_at(h.gaps[m], i) if m < len(h.gaps) else 0 for i in range((m + 1) * n)] for m in range(V)]
    s = inv_sqrt(w.d_head)
    prefix_max = [list(itertools.accumulate(row, max)) for row in split.main]
    pos = [query_scores(tables.EQKP[q], n, tables.S, s) for q in range(V)]
    sink = [] if proven is None else proven
    return [(lo, hi, subcubic_block(L, split, prefix_max, pos, s, h.drop_query, n, rows, lo, hi, sink))
            for lo, hi in blocks]  # Lean: one `subcubicBlock` theorem per block


def certify_subcubic(model: MaxOfKTransformer, config: SubcubicConfig | str = "default",
                     hints: SearchHints | None = None, force: bool = False) -> CertifiedResult:
    """Certified subcubic count for a model (zero biases, default attention scale): the float
    search's hints (or `hints`), made into the certificate's hints (`subcubic_hints`), then every
    case checked exactly at its hinted gap (`check_subcubic`). Refuses work over the time limit
    unless force. `proven` lists, per case of `counting.cases`, whether it is proven; `hints` is
    the certificate the Lean and Coq checkers read."""
    start = time.perf_counter()
    if isinstance(config, str):
        config = SubcubicConfig.parse(config)
    w = exact_weights(model)
    V, n = w.d_vocab, w.n_ctx
    require_time(f"the certified subcubic checker for V={V}, n={n}", estimate_seconds(V, n, w.d_model), force)
    if hints is None:
        hints = search_hints(model, config)
    certificate = subcubic_hints(w, exact_tables(w).EQKE, config, hints)
    proven: list[bool] = []
    blocks = check_subcubic(w, certificate, proven=proven)
    return CertifiedResult(sum(b[2] for b in blocks), V**n, time.perf_counter() - start, proven, blocks,
                           hints=certificate)


def subcubic_block(L: LogitSummaries, split: Split, prefix_max: list[list[int]], pos: list[QueryScores],
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
