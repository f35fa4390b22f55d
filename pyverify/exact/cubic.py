"""The cubic strategy in fixed-point interval arithmetic: a certified count.

Same cases, same pessimisations and the same formula as pyverify/strategies/cubic.py
(docs/strategies.md, "Cubic"), with every real number replaced by an interval that is
guaranteed to contain it:

    Num(w) = e_m * w * c_m + e_q * w_q * c_q + e_k * (W - w) * c_k

where e_t = exp(score[q, t] - shift) (shift = the largest score upper bound among tokens
<= m, so every exp argument is <= 0), w ranges over the two extreme positional sums, W is
the total positional weight, w_q the query position's weight, and c_t = E[t] + U[q] is
an exact upper bound (E and U are maxima of exact table differences, rounded up once).
A case is proven when the upper end of Num is < 0 for both orderings. Lean twin:
lean/PyVerify/Cubic.lean (checkCubic), same loop order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from pyverify.exact.fixed import Interval, ceil_shift, exp_interval, floor_shift, from_scaled, inv_sqrt, mul
from pyverify.exact.weights import ExactTables, ExactWeights, exact_tables, exact_weights
from pyverify.limits import require_memory, require_time
from pyverify.model import MaxOfKTransformer
from pyverify.strategies.counting import case_count


def to_fixed_hi(raw: int, bits: int) -> int:
    """An upper bound of the exact value raw / 2^bits, in fixed point (Lean: toFixedHi)."""
    return from_scaled(raw, bits)[1]


def scaled_score(raw: int, bits: int, s: Interval) -> Interval:
    """raw / 2^bits times the scale interval s (fixed point, s > 0), rounded outward."""
    a, b = raw * s[0], raw * s[1]
    lo, hi = (a, b) if raw >= 0 else (b, a)
    return floor_shift(lo, bits), ceil_shift(hi, bits)


@dataclass(frozen=True)
class Positional:
    """For one query: bounds on the sums of the a smallest / a largest non-query positional
    weights (low[a] <= any true sum of a weights <= high[a]), the total W, and w_q."""

    low: list[int]
    high: list[int]
    total: Interval
    query: Interval


def positional(tables: ExactTables, q: int, n: int, s: Interval) -> Positional:
    scores = [scaled_score(tables.EQKP[q][i], 4 * tables.S, s) for i in range(n)]
    shift = max(sc[1] for sc in scores)
    weights = [exp_interval((sc[0] - shift, sc[1] - shift)) for sc in scores]
    los = sorted(w[0] for w in weights[: n - 1])
    his = sorted((w[1] for w in weights[: n - 1]), reverse=True)
    low, high = [0], [0]
    for i in range(n - 1):
        low.append(low[-1] + los[i])
        high.append(high[-1] + his[i])
    return Positional(low, high, (low[n - 1], sum(his)), weights[n - 1])


def logit_bounds(tables: ExactTables, m: int) -> tuple[list[int], list[int]]:
    """For max token m, fixed-point upper bounds U[q] (q <= m) and E[t] (t <= m):
    U[q] >= max_{o != m} EUPU[q,o] - EUPU[q,m];
    E[t] >= max_{o != m} EVOU[t,o] - EVOU[t,m] + max_i (PVOU[i,o] - PVOU[i,m])."""
    V = len(tables.EUPU[0])
    S = tables.S
    others = [o for o in range(V) if o != m]
    PW = [max(row[o] - row[m] for row in tables.PVOU) for o in range(V)]
    U = [to_fixed_hi(max(tables.EUPU[q][o] - tables.EUPU[q][m] for o in others), 2 * S) for q in range(m + 1)]
    E = [to_fixed_hi(max(tables.EVOU[t][o] - tables.EVOU[t][m] + PW[o] for o in others), 4 * S) for t in range(m + 1)]
    return U, E


def proven_cases(tables: ExactTables, n: int, h: int) -> list[list[list[list[bool]]]]:
    """proven[m][q][k][c] for q <= m, k <= m (k = m only at c = 0), c < n (see module doc)."""
    V = len(tables.EUPU)
    s = inv_sqrt(h)
    pos = [positional(tables, q, n, s) for q in range(V)]
    out = []
    for m in range(V):
        U, E = logit_bounds(tables, m)
        per_q = []
        for q in range(m + 1):
            scores = [scaled_score(tables.EQKE[q][t], 4 * tables.S, s) for t in range(m + 1)]
            shift = max(sc[1] for sc in scores)
            e = [exp_interval((sc[0] - shift, sc[1] - shift)) for sc in scores]
            c = [E[t] + U[q] for t in range(m + 1)]
            p = pos[q]
            query_term = mul(mul(e[q], p.query), (c[q], c[q]))
            rows = [[False] * n for _ in range(m + 1)]
            # c = 0: every non-query position holds m.
            num = mul(mul(e[m], p.total), (c[m], c[m]))
            rows[m][0] = num[1] + query_term[1] < 0
            k_terms = [mul(e[k], (c[k], c[k])) for k in range(m)]
            for copies in range(1, n):
                if q < m and copies == n - 1:
                    continue
                a = n - 1 - copies
                ends = []
                for w in (p.low[a], p.high[a]):
                    max_term = mul(mul(e[m], (w, w)), (c[m], c[m]))
                    rest = (p.total[0] - w, p.total[1] - w)
                    ends.append((max_term[1] + query_term[1], rest))
                for k in range(m):
                    ok = True
                    for fixed_hi, rest in ends:
                        if fixed_hi + mul(k_terms[k], rest)[1] >= 0:
                            ok = False
                            break
                    rows[k][copies] = ok
            per_q.append(rows)
        out.append(per_q)
    return out


def count_from_proven(proven: list, V: int, n: int) -> int:
    """The certified count: each (q, m, c >= 1) with G proven tokens covers C(n-1, c) G^c inputs."""
    total = 0
    for m in range(V):
        for q in range(m + 1):
            rows = proven[m][q]
            if rows[m][0]:
                total += 1
            for copies in range(1, n):
                good = sum(1 for k in range(m) if rows[k][copies])
                total += case_count(n, q == m, copies, good)
    return total


@dataclass(frozen=True)
class CertifiedResult:
    count: int
    total: int
    seconds: float
    proven: list


def estimate_seconds(d_vocab: int, n_ctx: int, d_model: int) -> float:
    """A conservative estimate of certify_cubic's wall time: the (q, m, k, c) cases and the
    exact tables (measured: 1.7 s for V=64, n=4, d=32 on 2 cores)."""
    return 2e-6 * d_vocab**3 * n_ctx + 2e-5 * d_vocab**2 * d_model


def estimate_bytes(d_vocab: int, n_ctx: int) -> int:
    """Peak memory: the proven[m][q][k][c] lists and the exact tables (big Python integers)."""
    return 8 * d_vocab**3 * n_ctx // 2 + 500 * d_vocab**2 + (1 << 26)


def certify_cubic(model: MaxOfKTransformer | ExactWeights, force: bool = False) -> CertifiedResult:
    """Certified cubic count for a model (zero biases, default attention scale). Refuses work
    over the memory limit, and over the time limit unless force."""
    start = time.perf_counter()
    w = model if isinstance(model, ExactWeights) else exact_weights(model)
    V, n = w.d_vocab, w.n_ctx
    require_memory(f"the certified cubic checker for V={V}, n={n}", estimate_bytes(V, n))
    require_time(f"the certified cubic checker for V={V}, n={n}", estimate_seconds(V, n, w.d_model), force)
    tables = exact_tables(w)
    proven = proven_cases(tables, w.n_ctx, w.d_head)
    count = count_from_proven(proven, w.d_vocab, w.n_ctx)
    return CertifiedResult(count, w.d_vocab**w.n_ctx, time.perf_counter() - start, proven)
