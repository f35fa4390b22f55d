"""The cubic strategy in fixed-point interval arithmetic: a certified count.

Same cases, same pessimisations and the same formula as pyverify/numeric/strategies/cubic.py
(docs/strategies.md, "Cubic"), with every real number replaced by an interval that is
guaranteed to contain it:

    Num(w) = e_m * w * c_m + e_q * w_q * c_q + e_k * (W - w) * c_k

where e_t = exp(score[q, t] - shift) (shift = the largest score upper bound among tokens
<= m, so every exp argument is <= 0), w ranges over the two extreme positional sums, W is
the total positional weight, w_q the query position's weight, and c_t = E[t] + U[q] is
an exact upper bound (E and U are maxima of exact table differences, rounded up once).
A case is proven when the upper end of Num is < 0 for both orderings (decided per token by
two comparisons against `end_thresholds`). Lean twin: lean/PyVerify/Cubic.lean (checkCubic),
same blocks and loop order: for each block of max tokens (`cubic_blocks`), for each m,
`logit_bounds`, then for each q <= m, `proven_qm` and `count_qm` (fused in Lean's `countQM`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pyverify.exact.blocks import cubic_blocks
from pyverify.exact.fixed import PREC, Interval, exp_shifted, from_scaled, inv_sqrt, max_hi, mul, scaled_score
from pyverify.exact.result import CertifiedResult
from pyverify.exact.weights import ExactTables, ExactWeights, exact_tables, exact_weights
from pyverify.limits import require_memory, require_time
from pyverify.model.transformer import MaxOfKTransformer
from pyverify.numeric.counting import case_count, non_query_ends


@dataclass(frozen=True)
class Positional:
    """For one query: bounds on the sums of the a smallest / a largest non-query positional
    weights (low[a] <= any true sum of a weights <= high[a]), the total W, and w_q.
    (Lean: `Positional`.)"""

    low: list[int]
    high: list[int]
    total: Interval
    query: Interval


def positional(eqkp_row: list[int], n: int, S: int, s: Interval) -> Positional:
    """Positional weights from a row of EQKP (Lean: `positional`)."""
    scores = [scaled_score(raw, 4 * S, s) for raw in eqkp_row]
    weights = exp_shifted(max_hi(scores), scores)
    los, his = non_query_ends(weights, n)
    low, high = [0], [0]
    for i in range(n - 1):
        low.append(low[-1] + los[i])
        high.append(high[-1] + his[i])
    return Positional(low, high, (low[n - 1], sum(his)), weights[n - 1])


def logit_bounds(tables: ExactTables, m: int) -> tuple[list[int], list[int]]:
    """For max token m, fixed-point upper bounds U[q] (q <= m) and E[t] (t <= m):
    U[q] >= max_{o != m} EUPU[q,o] - EUPU[q,m];
    E[t] >= max_{o != m} EVOU[t,o] - EVOU[t,m] + max_i (PVOU[i,o] - PVOU[i,m]).
    (Lean: `logitBounds`.)"""
    V = len(tables.EUPU[0])
    S = tables.S
    others = [o for o in range(V) if o != m]
    PW = [max(row[o] - row[m] for row in tables.PVOU) for o in range(V)]
    U = [from_scaled(max(tables.EUPU[q][o] - tables.EUPU[q][m] for o in others), 2 * S)[1] for q in range(m + 1)]
    E = [from_scaled(max(tables.EVOU[t][o] - tables.EVOU[t][m] + PW[o] for o in others), 4 * S)[1]
         for t in range(m + 1)]
    return U, E


def case_end(p: Positional, e_m: Interval, c_m: int, query_hi: int, w: int) -> tuple[int, Interval]:
    """One extreme ordering of a case (the copies of m carry positional weight w): the upper
    end of the max-token term plus the query term, and W - w (Lean: `caseEnd`)."""
    max_term = mul(mul(e_m, (w, w)), (c_m, c_m))
    return max_term[1] + query_hi, (p.total[0] - w, p.total[1] - w)


def end_holds(k_term: Interval, end: tuple[int, Interval]) -> bool:
    """Whether Num < 0 at this end for a non-max token with term k_term: the definition that
    `end_thresholds` decides with two comparisons per token."""
    fixed_hi, rest = end
    return fixed_hi + mul(k_term, rest)[1] < 0


@dataclass(frozen=True)
class Thresholds:
    """What a non-max token's term [a, b] must satisfy for every end of a case to hold:
    feasible, b <= up (unless None) and a >= low (unless None) (Lean: `Thresholds`)."""

    feasible: bool
    up: int | None
    low: int | None


def end_thresholds(ends: list[tuple[int, Interval]]) -> Thresholds:
    """Thresholds equivalent to `end_holds` at every end, for terms with a <= b (every `mul`
    result). An end (F, [r0, r1]) holds iff ceil(max(a r, b r : r = r0, r1) / 2^PREC) < -F, iff
    every product a r, b r is <= L = (-F - 1) 2^PREC. For r > 0 that is b <= floor(L / r), for
    r < 0 it is a >= ceil(L / r), for r = 0 it is 0 <= L (Lean: `endThresholds`)."""
    feasible, up, low = True, None, None
    for fixed_hi, rest in ends:
        L = (-fixed_hi - 1) << PREC
        for r in rest:
            if r > 0:
                up = L // r if up is None else min(up, L // r)
            elif r < 0:
                bound = -(L // -r)
                low = bound if low is None else max(low, bound)
            else:
                feasible = feasible and L >= 0
    return Thresholds(feasible, up, low)


def token_proven(t: Thresholds, k_term: Interval) -> bool:
    """Whether every end holds for a non-max token with term k_term (Lean: `tokenProven`)."""
    return t.feasible and (t.up is None or k_term[1] <= t.up) and (t.low is None or k_term[0] >= t.low)


def proven_qm(tables: ExactTables, p: Positional, s: Interval, n: int, m: int, q: int,
              bounds: tuple[list[int], list[int]]) -> list[list[bool]]:
    """rows[k][c] for query q and max m: whether case (q, m, k, c) is proven; rows[m][0] is the
    case whose non-query positions all hold m (see the module doc)."""
    U, E = bounds
    scores = [scaled_score(tables.EQKE[q][t], 4 * tables.S, s) for t in range(m + 1)]
    e = exp_shifted(max_hi(scores), scores)
    c = [E[t] + U[q] for t in range(m + 1)]
    query_term = mul(mul(e[q], p.query), (c[q], c[q]))
    rows = [[False] * n for _ in range(m + 1)]
    num = mul(mul(e[m], p.total), (c[m], c[m]))
    rows[m][0] = num[1] + query_term[1] < 0
    k_terms = [mul(e[k], (c[k], c[k])) for k in range(m)]
    for copies in range(1, n):
        if q < m and copies == n - 1:
            continue
        a = n - 1 - copies
        t = end_thresholds([case_end(p, e[m], c[m], query_term[1], w) for w in (p.low[a], p.high[a])])
        for k in range(m):
            rows[k][copies] = token_proven(t, k_terms[k])
    return rows


def count_qm(rows: list[list[bool]], n: int, m: int, q: int) -> int:
    """The inputs certified for query q and max m: each copies c >= 1 with G proven tokens
    covers C(n-1, c) G^c inputs (Lean: `countQM`, which fuses this with `proven_qm`)."""
    total = 1 if rows[m][0] else 0
    for copies in range(1, n):
        good = sum(1 for k in range(m) if rows[k][copies])
        total += case_count(n, q == m, copies, good)
    return total


def estimate_seconds(d_vocab: int, n_ctx: int, d_model: int) -> float:
    """A conservative estimate of certify_cubic's wall time: the (q, m, k, c) cases and the
    exact tables (measured: 1.7 s for V=64, n=4, d=32 on 2 cores)."""
    return 2e-6 * d_vocab**3 * n_ctx + 2e-5 * d_vocab**2 * d_model


def estimate_bytes(d_vocab: int, n_ctx: int) -> int:
    """Peak memory: the proven[m][q][k][c] lists and the exact tables (big Python integers)."""
    return 8 * d_vocab**3 * n_ctx // 2 + 500 * d_vocab**2 + (1 << 26)


def cubic_block(tables: ExactTables, pos: list[Positional], s: Interval, n: int, lo: int, hi: int) -> tuple[int, list]:
    """The inputs certified with max token in [lo, hi), and proven[m - lo][q] for those m
    (Lean: `cubicBlock`, which first checks s and builds the tables itself)."""
    count, proven = 0, []
    for m in range(lo, hi):
        bounds = logit_bounds(tables, m)
        proven.append([proven_qm(tables, pos[q], s, n, m, q, bounds) for q in range(m + 1)])
        count += sum(count_qm(rows, n, m, q) for q, rows in enumerate(proven[-1]))
    return count, proven


def certify_cubic(model: MaxOfKTransformer | ExactWeights, force: bool = False) -> CertifiedResult:
    """Certified cubic count for a model (zero biases, default attention scale): the sum of the
    block counts over `cubic_blocks` (Lean: `checkCubic`). Refuses work over the memory limit,
    and over the time limit unless force."""
    start = time.perf_counter()
    w = model if isinstance(model, ExactWeights) else exact_weights(model)
    V, n = w.d_vocab, w.n_ctx
    require_memory(f"the certified cubic checker for V={V}, n={n}", estimate_bytes(V, n))
    require_time(f"the certified cubic checker for V={V}, n={n}", estimate_seconds(V, n, w.d_model), force)
    tables = exact_tables(w)
    s = inv_sqrt(w.d_head)
    pos = [positional(tables.EQKP[q], n, tables.S, s) for q in range(V)]
    blocks, proven = [], []  # proven[m][q] = proven_qm(...) (the case-by-case detail)
    for lo, hi in cubic_blocks(V, n):
        count, detail = cubic_block(tables, pos, s, n, lo, hi)
        blocks.append((lo, hi, count))
        proven += detail
    return CertifiedResult(sum(b[2] for b in blocks), V**n, time.perf_counter() - start, proven, blocks)
