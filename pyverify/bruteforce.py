"""Exact brute-force accuracy: the number of inputs in [V]^n that the model gets right.

Uses the separable form of the tables (ARCHITECTURE.md). Fix the query token q (the last
token). With e(i, t) = exp(score of token t at position i), the logits of an input x are,
up to the positive softmax denominator,

    sum_i A[i, x_i]      where  A[i, t, o] = e(i, t) * (EVOU[t, o] + PVOU[i, o] + EUPU[q, o]).

Let m = max(x) and D[i, t, o] = A[i, t, o] - A[i, t, m]. x is correct iff
sum_i D[i, x_i, o] < 0 for every o != m (a tie is wrong).

The inputs with query q and max m form rectangular blocks: position n-1 is q, and if q < m
the first free position j holding m splits them into [0,m)^j x {m} x [0,m]^(n-2-j)
(if q = m, the block is [0,m]^(n-1)). Over a block, an output o can only beat m if
D[n-1, q, o] + sum_i max_{t <= m} D[i, t, o] >= 0, so every other o is dropped before the
block is evaluated; the surviving margins are outer sums of per-position vectors.
A query whose relevant scores span more than WIDE_SPREAD (where a shifted exp() could
underflow to 0 for a whole input) is evaluated input by input with its own softmax instead.
The result is the float64 evaluation of the real-arithmetic model (README: rounding).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import torch
from tqdm.auto import tqdm

from pyverify.errors import PyVerifyError
from pyverify.reference import correct_mask, inputs_from_flat
from pyverify.tables import PathTables, logits_from_tables

# A conservative throughput used only to estimate run time before starting.
ASSUMED_SEQUENCES_PER_SECOND = 5e6
# Above this estimate (seconds), a brute force must be asked for with force=True.
MAX_SECONDS_WITHOUT_FORCE = 600.0
# Largest number of float64 margins held at once (bounds memory at about 8 bytes each).
CHUNK = 1 << 22
# exp(-700) is near the bottom of float64's range; wider score spreads take the stable path.
WIDE_SPREAD = 700.0


@dataclass(frozen=True)
class BruteForceResult:
    correct: int
    total: int
    seconds: float
    flops: int = 0  # floating-point operations after the tables (FlopCounter rules)

    @property
    def accuracy(self) -> float:
        return self.correct / self.total

    def to_dict(self) -> dict:
        return {**asdict(self), "accuracy": self.accuracy}


def estimate_seconds(d_vocab: int, n_ctx: int) -> float:
    """A conservative estimate of brute-force wall time."""
    return d_vocab**n_ctx / ASSUMED_SEQUENCES_PER_SECOND


def relevant_scores(tables: PathTables) -> torch.Tensor:
    """scores[q, i, t] = EQKE[q, t] + EQKP[q, i], with the query position (i = n-1) holding only
    t = q (other entries there are -inf): [V, n, V]."""
    V, n = tables.d_vocab, tables.n_ctx
    scores = tables.EQKE[:, None, :] + tables.EQKP[:, :, None]  # [V_q, n, V_t]
    not_q = ~torch.eye(V, dtype=torch.bool)
    scores[:, n - 1][not_q] = float("-inf")
    return scores


def separable_terms(tables: PathTables) -> torch.Tensor:
    """A[q, i, t, o] = e_q(i, t) * (EVOU[t, o] + PVOU[i, o] + EUPU[q, o]): [V, n, V, V].

    e_q(i, t) = exp(score - max over the query's relevant (i, t)); the shift is common to all
    positions of a query, so it only rescales the logits by a positive factor.
    """
    scores = relevant_scores(tables)
    e = (scores - scores.amax(dim=(1, 2), keepdim=True)).exp()
    values = tables.EVOU[None, None] + tables.PVOU[None, :, None, :] + tables.EUPU[:, None, None, :]
    return e[..., None] * values


def wide_queries(tables: PathTables) -> list[int]:
    """Queries whose relevant scores span more than WIDE_SPREAD: there exp() of a shifted score
    can underflow to 0 for a whole input, so those queries are evaluated input by input."""
    scores = relevant_scores(tables)
    finite = scores.masked_fill(scores == float("-inf"), float("inf"))
    spread = scores.amax(dim=(1, 2)) - finite.amin(dim=(1, 2))
    return (spread > WIDE_SPREAD).nonzero().squeeze(1).tolist()


def _count_query_directly(tables: PathTables, q: int, work: list[int]) -> int:
    """Correct inputs with query token q, by a per-input softmax (the stable path)."""
    V, n = tables.d_vocab, tables.n_ctx
    batch = max(1, CHUNK // (n * V))
    correct = 0
    for start in range(0, V ** (n - 1), batch):
        flat = torch.arange(start, min(start + batch, V ** (n - 1)))
        tokens = torch.cat([inputs_from_flat(flat, V, n - 1), torch.full_like(flat, q)[:, None]], dim=1)
        correct += int(correct_mask(logits_from_tables(tables, tokens), tokens).sum())
        work[0] += 4 * tokens.shape[0] * n * V
    return correct


def _count_negative(const: torch.Tensor, vectors: list[torch.Tensor], work: list[int]) -> int:
    """Count index tuples (k_0, ..., k_r) with max_o (const[o] + sum_i vectors[i][k_i, o]) < 0.

    const: [O]; vectors[i]: [d_i, O]. Splits on the first axis while the block is too big.
    Adds the number of floating-point operations performed to work[0].
    """
    if not vectors:
        work[0] += const.numel()
        return int(const.amax() < 0)
    size = const.numel()
    for v in vectors:
        size *= v.shape[0]
    if size > CHUNK and len(vectors) > 1:
        work[0] += const.numel() * vectors[0].shape[0]
        return sum(_count_negative(const + row, vectors[1:], work) for row in vectors[0])
    total = const
    r = len(vectors)
    for i, v in enumerate(vectors):
        shape = [1] * r + [v.shape[1]]
        shape[i] = v.shape[0]
        total = total + v.view(shape)
        work[0] += total.numel()
    work[0] += total.numel()  # the max over outputs
    return int((total.amax(dim=-1) < 0).sum())


def count_correct(tables: PathTables, force: bool = False, progress: bool = False) -> BruteForceResult:
    """Count the inputs the model gets right, over all V^n of them.

    Raises PyVerifyError if the estimated time exceeds MAX_SECONDS_WITHOUT_FORCE and not force.
    """
    V, n = tables.d_vocab, tables.n_ctx
    est = estimate_seconds(V, n)
    if est > MAX_SECONDS_WITHOUT_FORCE and not force:
        raise PyVerifyError(
            f"brute force over {V}^{n} = {V**n:.3g} inputs would take about {est / 60:.0f} min; "
            "pass --force (force=True) to run it anyway"
        )
    start = time.perf_counter()
    A = separable_terms(tables)
    work = [5 * A.numel()]
    wide = set(wide_queries(tables))
    correct = sum(_count_query_directly(tables, q, work) for q in wide)
    for m in tqdm(range(V), desc="brute force", unit="max token", disable=not progress):
        for q in range(m + 1):
            if q in wide:
                continue
            D = A[q, :, : m + 1] - A[q, :, : m + 1, m : m + 1]  # [n, m+1, V_o]
            slack = 1e-9 * n * float(D.abs().amax())  # keeps outputs that rounding could let tie
            D[..., m] = float("-inf")  # o = m is not a competitor
            best = D[: n - 1].amax(dim=1).sum(dim=0) + D[n - 1, q]  # [V_o]: upper bound per o
            work[0] += 3 * D.numel()
            alive = (best >= -slack).nonzero().squeeze(1)
            if alive.numel() == 0:  # no output can beat m anywhere in the block
                correct += (m + 1) ** (n - 1) - (m ** (n - 1) if q < m else 0)
                continue
            Dq = D[:, :, alive]  # [n, m+1, O]
            const = Dq[n - 1, q]
            if q == m:
                correct += _count_negative(const, [Dq[i] for i in range(n - 1)], work)
                continue
            for j in range(n - 1):  # first free position holding m
                vectors = [Dq[i, :m] for i in range(j)] + [Dq[j, m : m + 1]] + [Dq[i] for i in range(j + 1, n - 1)]
                correct += _count_negative(const, vectors, work)
    return BruteForceResult(correct=correct, total=V**n, seconds=time.perf_counter() - start, flops=work[0])
