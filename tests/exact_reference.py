"""Ground truth for small models: the real-arithmetic model evaluated from the stored values.

Tables are exact integers (pyverify.exact.weights); only exp and sqrt are evaluated, by
mpmath at 400 bits. A margin that is exactly zero (all of its integer differences vanish)
stays exactly zero, so ties are found exactly; any other margin is resolved far below 2^-300.
"""

from __future__ import annotations

import itertools

import mpmath

from pyverify.exact.weights import exact_tables, exact_weights
from pyverify.model.transformer import MaxOfKTransformer

TIE = mpmath.mpf(2) ** -300


def exact_correct_count(model: MaxOfKTransformer) -> int:
    """The number of inputs the real-arithmetic model gets right (zero biases, default scale)."""
    w = exact_weights(model)
    T = exact_tables(w)
    V, n = w.d_vocab, w.n_ctx
    correct = 0
    with mpmath.workprec(400):
        inv_sqrt_h = 1 / mpmath.sqrt(w.d_head)
        den2, den4 = mpmath.mpf(2) ** (2 * w.S), mpmath.mpf(2) ** (4 * w.S)
        for x in itertools.product(range(V), repeat=n):
            q, m = x[-1], max(x)
            scores = [mpmath.mpf(T.EQKE[q][x[i]] + T.EQKP[q][i]) / den4 * inv_sqrt_h for i in range(n)]
            top = max(scores)
            e = [mpmath.exp(s - top) for s in scores]
            Z = sum(e)
            margins = []
            for o in range(V):
                if o == m:
                    continue
                margin = mpmath.mpf(T.EUPU[q][o] - T.EUPU[q][m]) / den2
                for i in range(n):
                    diff = T.EVOU[x[i]][o] - T.EVOU[x[i]][m] + T.PVOU[i][o] - T.PVOU[i][m]
                    margin += e[i] / Z * mpmath.mpf(diff) / den4
                margins.append(margin)
            correct += all(margin < -TIE for margin in margins)
    return correct
