"""Certified brute force for small models: every input, fixed-point intervals throughout.

For input x with query q = x[n-1] and max m: e_i encloses exp(score_i - shift) and
D_i[o] encloses EVOU[x_i,o] - EVOU[x_i,m] + PVOU[i,o] - PVOU[i,m] + EUPU[q,o] - EUPU[q,m];
x is certified correct when, for every o != m, the upper end of sum_i e_i D_i[o] is < 0
(that sum is the logit difference times the positive softmax denominator; a tie is never
certified). Lean twin: lean/PyVerify/Brute.lean (checkBrute), the same blocks of max tokens.
"""

from __future__ import annotations

import itertools
import time

from pyverify.errors import PyVerifyError
from pyverify.exact.blocks import brute_blocks
from pyverify.exact.fixed import PREC, add, exp_shifted, from_scaled, inv_sqrt, max_hi, scaled_score
from pyverify.exact.result import CertifiedResult
from pyverify.exact.weights import ExactTables, ExactWeights, exact_tables, exact_weights
from pyverify.limits import require_memory, require_time
from pyverify.model.transformer import MaxOfKTransformer
from pyverify.numeric.registry import FAMILIES

MAX_INPUTS = FAMILIES["brute-force"].certified_inputs  # the most inputs it takes


def difference_table(T: ExactTables, q: int, m: int, n: int, bits: int) -> list:
    """D[i][t][o] encloses EVOU[t,o] - EVOU[t,m] + PVOU[i,o] - PVOU[i,m] + EUPU[q,o] - EUPU[q,m]
    (t <= m), computed exactly over 2^bits and rounded once by `from_scaled` (Lean: `difference`
    is one entry of it)."""
    V = len(T.EUPU)
    return [[[from_scaled(T.EVOU[t][o] - T.EVOU[t][m] + T.PVOU[i][o] - T.PVOU[i][m]
                             + ((T.EUPU[q][o] - T.EUPU[q][m]) << (2 * T.S)), bits)
              for o in range(V)] for t in range(m + 1)] for i in range(n)]


def estimate_bytes(d_vocab: int, n_ctx: int) -> int:
    """Peak memory: one difference table per (query, max) pair, n (m+1) V intervals each."""
    V, n = d_vocab, n_ctx
    return 160 * n * V * sum((m + 1) * (m + 1) for m in range(V)) + (1 << 26)


def estimate_seconds(d_vocab: int, n_ctx: int) -> float:
    """A conservative estimate of certify_brute's wall time: V outputs at n positions for each
    of the V^n inputs, about a microsecond each."""
    return 1e-6 * d_vocab ** (n_ctx + 1) * n_ctx


def certify_brute(model: MaxOfKTransformer | ExactWeights, force: bool = False) -> CertifiedResult:
    """Certified count of correct inputs, checking every input (V^n <= MAX_INPUTS), block by
    block of max tokens (`brute_blocks`; Lean: `checkBrute`, one `bruteBlock` each). Refuses work
    over the memory limit, and over the time limit unless force."""
    start = time.perf_counter()
    w = model if isinstance(model, ExactWeights) else exact_weights(model)
    V, n = w.d_vocab, w.n_ctx
    if V**n > MAX_INPUTS:
        raise PyVerifyError(f"certified brute force is for small models: {V}^{n} inputs exceeds {MAX_INPUTS}")
    require_memory(f"the certified brute-force checker for V={V}, n={n}", estimate_bytes(V, n))
    require_time(f"the certified brute-force checker for V={V}, n={n}", estimate_seconds(V, n), force)
    T = exact_tables(w)
    s = inv_sqrt(w.d_head)
    token_score = [[scaled_score(T.EQKE[q][t], 4 * T.S, s) for t in range(V)] for q in range(V)]
    pos_score = [[scaled_score(T.EQKP[q][i], 4 * T.S, s) for i in range(n)] for q in range(V)]
    diffs: dict[tuple[int, int], list] = {}  # difference tables by (q, m), built on first use
    blocks = [(lo, hi, brute_block(T, n, token_score, pos_score, diffs, lo, hi)) for lo, hi in brute_blocks(V, n)]
    return CertifiedResult(sum(b[2] for b in blocks), V**n, time.perf_counter() - start, [], blocks)


def brute_block(T: ExactTables, n: int, token_score: list, pos_score: list, diffs: dict, lo: int, hi: int) -> int:
    """The inputs certified with max token in [lo, hi): those over tokens < hi whose max is >= lo.
    token_score[q][t], pos_score[q][i]: the scaled scores; diffs: difference tables by (q, m),
    filled on first use (Lean: `bruteBlock`, which first checks the scale and builds the tables)."""
    bits = 4 * T.S
    correct = 0
    for x in itertools.product(range(hi), repeat=n):
        q, m = x[n - 1], max(x)
        if m < lo:
            continue
        if (q, m) not in diffs:
            diffs[(q, m)] = difference_table(T, q, m, n, bits)
        scores = [add(token_score[q][x[i]], pos_score[q][i]) for i in range(n)]
        correct += input_certified(x, m, exp_shifted(max_hi(scores), scores), diffs[(q, m)])
    return correct


def input_certified(x: tuple[int, ...], m: int, e: list, D: list) -> bool:
    """Whether input x (max m, attention weights e) is certified correct: for every o != m the
    upper end of sum_i e_i D[i][x_i][o] is < 0 (Lean: `inputCertified`). Each term is
    `mul_hi_nonneg(e[i], D[i][x[i]][o])`, written out over all o at once for speed."""
    totals = None
    for i, t in enumerate(x):
        lo, hi = e[i]
        terms = [-((-(hi * b if b >= 0 else lo * b)) >> PREC) for _, b in D[i][t]]
        totals = terms if totals is None else [a + b for a, b in zip(totals, terms)]
    return all(total < 0 for o, total in enumerate(totals) if o != m)
