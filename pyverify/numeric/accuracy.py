"""Brute-force accuracy in float64: the number of inputs in [V]^n that the model gets right, with a
rounding flag (the inputs whose decision lies within the a-priori float64 error bound).

Uses the separable form of the tables (derived here). Fix the query token q (the last
token). With e(i, t) = exp(score of token t at position i), the logits of an input x are,
up to the positive softmax denominator,

    sum_i A[i, x_i]      where  A[i, t, o] = e(i, t) * (EVOU[t, o] + PVOU[i, o] + EUPU[q, o]).

Let m = max(x) and D[i, t, o] = A[i, t, o] - A[i, t, m]. x is correct iff
sum_i D[i, x_i, o] < 0 for every o != m (a tie is wrong).

The inputs with query q and max m form rectangular blocks: position n-1 is q, and if q < m
the first free position j holding m splits them into [0,m)^j x {m} x [0,m]^(n-2-j)
(if q = m, the block is [0,m]^(n-1)). Over a block, an output o can only beat m if
D[n-1, q, o] + sum_i max_{t <= m} D[i, t, o] >= 0, so every other o is dropped before the
block is evaluated; the surviving margins are outer sums of per-position vectors. The same
bound drops, position by position, every token whose inputs are all clearly correct
(prune_clear), so only the inputs near a decision are summed out one by one.
A query whose relevant scores span more than WIDE_SPREAD (where a shifted exp() could
underflow to 0 for a whole input) is evaluated input by input with its own softmax instead.

Only a positive, finite decision counts: a NaN anywhere makes an input "not correct", and an
output is dropped from a block only when it provably cannot win there.

The result is the float64 evaluation of the real-arithmetic model. Alongside the count it
reports how many inputs have a decisive margin within the a-priori float64 error bound
(tables.RoundingBounds): for those, float64 and exact arithmetic may disagree.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import torch
from tqdm.auto import tqdm

from pyverify.numeric.flops import FlopCounter
from pyverify.limits import require_memory, require_time
from pyverify.numeric.inputs import inputs_from_flat
from pyverify.numeric.tables import PathTables, logits_from_tables

# Largest number of float64 margins held at once (bounds memory at about 8 bytes each).
CHUNK = 1 << 22
# exp(-700) is near the bottom of float64's range; wider score spreads take the stable path.
WIDE_SPREAD = 700.0


@dataclass(frozen=True)
class BruteForceResult:
    """correct: inputs whose float64 logit of max(x) is strictly above every other;
    uncertain: inputs whose decisive margin lies within the a-priori float64 error bound
    (exact arithmetic may classify them either way; 0 means the count is exact)."""

    correct: int
    total: int
    seconds: float
    flops: int = 0  # floating-point operations after the tables (FlopCounter rules)
    uncertain: int = 0

    @property
    def count(self) -> int:
        """The same as `correct`: every result type names its count `count`."""
        return self.correct

    @property
    def accuracy(self) -> float:
        return self.correct / self.total

    def to_dict(self) -> dict:
        return {**asdict(self), "accuracy": self.accuracy}


def estimate_seconds(d_vocab: int, n_ctx: int) -> float:
    """A conservative estimate of brute-force wall time on 2 cores: sequences, the per-block
    overhead of V^2/2 (query, max) blocks, and building their difference tables."""
    V, n = d_vocab, n_ctx
    return V**n / 2e7 + V * (V + 1) / 2 * (1e-4 + 5e-5 * n) + n * V**3 / 4e8


def estimate_bytes(d_vocab: int, n_ctx: int) -> int:
    """Peak memory: the [V, n, V] scores, a query's terms and a block's differences (each
    [n, V, V]), and the chunked outer sums."""
    return 8 * (6 * n_ctx * d_vocab**2 + 6 * CHUNK)


def relevant_scores(tables: PathTables) -> torch.Tensor:
    """scores[q, i, t] = EQKE[q, t] + EQKP[q, i], with the query position (i = n-1) holding only
    t = q (other entries there are -inf): [V, n, V]."""
    V, n = tables.d_vocab, tables.n_ctx
    scores = tables.EQKE[:, None, :] + tables.EQKP[:, :, None]  # [V_q, n, V_t]
    not_q = ~torch.eye(V, dtype=torch.bool)
    scores[:, n - 1][not_q] = float("-inf")
    return scores


def query_terms(tables: PathTables, q: int, scores: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """For query token q: e [n, V] and A [n, V, V_o] with A[i, t, o] = e(i, t) * (EVOU[t, o] +
    PVOU[i, o] + EUPU[q, o]).

    e(i, t) = exp(score - max over the query's relevant (i, t)); the shift is common to all
    positions of the query, so it only rescales the logits by a positive factor.
    scores: relevant_scores(tables)[q], [n, V].
    """
    e = (scores - scores.amax()).exp()
    values = tables.EVOU[None] + tables.PVOU[:, None, :] + tables.EUPU[q][None, None, :]
    return e, e[..., None] * values


def wide_queries(scores: torch.Tensor) -> list[int]:
    """Queries whose relevant scores span more than WIDE_SPREAD (or whose spread is not a
    number): there exp() of a shifted score can underflow to 0 for a whole input, so those
    queries are evaluated input by input. scores: relevant_scores(tables), [V, n, V]."""
    finite = scores.masked_fill(scores == float("-inf"), float("inf"))
    spread = scores.amax(dim=(1, 2)) - finite.amin(dim=(1, 2))
    return (~(spread <= WIDE_SPREAD)).nonzero().squeeze(1).tolist()


def _count_query_directly(tables: PathTables, q: int, tol: float, flops: FlopCounter) -> tuple[int, int]:
    """(correct, uncertain) counts for query token q, by a per-input softmax (the stable path);
    uncertain: the margin is within tol of zero."""
    V, n = tables.d_vocab, tables.n_ctx
    batch = max(1, CHUNK // (n * V))
    correct = uncertain = 0
    for start in range(0, V ** (n - 1), batch):
        flat = torch.arange(start, min(start + batch, V ** (n - 1)))
        tokens = torch.cat([inputs_from_flat(flat, V, n - 1), torch.full_like(flat, q)[:, None]], dim=1)
        logits = logits_from_tables(tables, tokens)
        answer = tokens.max(dim=1).values[:, None]
        worst = logits.scatter(1, answer, float("-inf")).amax(dim=1) - logits.gather(1, answer)[:, 0]
        correct += int((worst < 0).sum())
        uncertain += int((worst.abs() <= tol).sum())  # a NaN is neither
        flops.add(4 * tokens.shape[0] * n * V)
    return correct, uncertain


def _count_negative(const: torch.Tensor, vectors: list[torch.Tensor], z_const: float, z_vectors: list[torch.Tensor],
                    tol: float, z_max: float, flops: FlopCounter) -> tuple[int, int]:
    """Among index tuples (k_0, ..., k_r), with margins total = const + sum_i vectors[i][k_i]
    (scaled by the softmax denominator Z = z_const + sum_i z_vectors[i][k_i]), count those with
    max over outputs < 0 (correct), and those with |max| <= tol Z (uncertain).

    const: [O]; vectors[i]: [d_i, O]; z_vectors[i]: [d_i]; z_max >= every Z of the block.
    First drops, axis by axis, the indices whose every input is clearly correct (prune_clear);
    then splits on the first axis while the block is too big, charging what it computes to flops.
    """
    cleared, const, vectors, z_vectors = prune_clear(const, vectors, z_vectors, 2 * tol * z_max, flops)
    if any(v.shape[0] == 0 for v in vectors) or const.numel() == 0:
        return cleared + (_size(vectors) if const.numel() == 0 else 0), 0
    c, u = _count_box(const, vectors, z_const, z_vectors, tol, z_max, flops)
    return cleared + c, u


def _size(vectors: list[torch.Tensor]) -> int:
    size = 1
    for v in vectors:
        size *= v.shape[0]
    return size


def prune_clear(const: torch.Tensor, vectors: list[torch.Tensor], z_vectors: list[torch.Tensor], threshold: float,
                flops: FlopCounter) -> tuple[int, torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
    """Drop what is clearly correct from the box of index tuples: on each axis in turn, an
    index k whose upper bound const + vectors[a][k] + sum_{i != a} max vectors[i] is below
    -threshold for every output (those inputs are correct and not uncertain, since their
    denominator Z <= z_max); then every output whose upper bound over the remaining box is below
    -threshold (it cannot win or come close anywhere there). A NaN bound keeps what it bounds.
    Returns the number of inputs dropped and the remaining const, vectors and z_vectors."""
    cleared = 0
    for a in range(len(vectors)):
        if const.numel() == 0 or any(v.shape[0] == 0 for v in vectors):
            break
        others = const + sum(v.amax(dim=0) for i, v in enumerate(vectors) if i != a)
        upper = flops.each(vectors[a] + others).amax(dim=1)  # [d_a]
        keep = ~(upper < -threshold)
        dropped = int(keep.numel() - keep.sum())
        if dropped:
            cleared += dropped * _size(vectors) // vectors[a].shape[0]
            vectors = vectors[:a] + [vectors[a][keep]] + vectors[a + 1:]
            z_vectors = z_vectors[:a] + [z_vectors[a][keep]] + z_vectors[a + 1:]
    if const.numel() and all(v.shape[0] for v in vectors):
        alive = ~(flops.each(const + sum(v.amax(dim=0) for v in vectors)) < -threshold)
        if not bool(alive.all()):
            const, vectors = const[alive], [v[:, alive] for v in vectors]
    return cleared, const, vectors, z_vectors


def _count_box(const: torch.Tensor, vectors: list[torch.Tensor], z_const: float, z_vectors: list[torch.Tensor],
               tol: float, z_max: float, flops: FlopCounter) -> tuple[int, int]:
    """_count_negative on a box, by outer sums (split on the first axis while too big)."""
    size = const.numel()
    for v in vectors:
        size *= v.shape[0]
    if size > CHUNK and len(vectors) > 1:
        flops.add(const.numel() * vectors[0].shape[0])
        counts = [_count_negative(const + row, vectors[1:], z_const + float(z), z_vectors[1:], tol, z_max, flops)
                  for row, z in zip(vectors[0], z_vectors[0])]
        return sum(c for c, _ in counts), sum(u for _, u in counts)
    total = const
    r = len(vectors)
    for i, v in enumerate(vectors):
        shape = [1] * r + [v.shape[1]]
        shape[i] = v.shape[0]
        total = flops.each(total + v.view(shape))
    flops.each(total)  # the max over outputs
    best = total.amax(dim=-1)
    # One pass finds the few inputs that are not clearly correct (margin >= -tol Z_max, or NaN):
    # every other input is correct, and only these need their own denominator Z.
    doubtful = (~(best < -tol * z_max)).nonzero()
    if doubtful.shape[0] == 0:
        return best.numel(), 0
    margins = best[tuple(doubtful.T)]
    correct = best.numel() - int((~(margins < 0)).sum())  # a NaN is never correct
    Z = z_const + sum(z[doubtful[:, i]] for i, z in enumerate(z_vectors))
    uncertain = int((margins.abs() <= tol * Z).sum())
    return correct, uncertain


def count_correct(tables: PathTables, force: bool = False, progress: bool = False) -> BruteForceResult:
    """Count the inputs the model gets right, over all V^n of them.

    Raises PyVerifyError if the estimated time exceeds the limit and not force, or if the
    memory it needs exceeds the limit (force or not).
    """
    V, n = tables.d_vocab, tables.n_ctx
    require_memory(f"brute force over {V}^{n} inputs", estimate_bytes(V, n))
    require_time(f"brute force over {V}^{n} = {V**n:.3g} inputs", estimate_seconds(V, n), force)
    start = time.perf_counter()
    tolerance = tables.rounding.margin_error(n).tolist()
    scores = relevant_scores(tables)
    flops = FlopCounter()
    flops.add(5 * n * V * V * V)  # the separable terms
    wide = set(wide_queries(scores))
    correct = uncertain = 0
    for q in wide:
        c, u = _count_query_directly(tables, q, tolerance[q], flops)
        correct, uncertain = correct + c, uncertain + u
    for q in tqdm(range(V), desc="brute force", unit="query token", disable=not progress):
        if q in wide:
            continue
        e, A = query_terms(tables, q, scores[q])
        tol = tolerance[q]
        # z_max[m]: the largest softmax denominator among inputs with query q and max m.
        z_max = (e[: n - 1].cummax(dim=1).values.sum(dim=0) + e[n - 1, q]).tolist()
        for m in range(q, V):
            D = A[:, : m + 1] - A[:, : m + 1, m : m + 1]  # [n, m+1, V_o]
            D[..., m] = float("-inf")  # o = m is not a competitor
            best = D[: n - 1].amax(dim=1).sum(dim=0) + D[n - 1, q]  # [V_o]: upper bound per o
            flops.add(3 * D.numel())
            # o is dropped only if it provably loses by more than the rounding bound (a NaN keeps it).
            alive = (~(best < -2 * tol * z_max[m])).nonzero().squeeze(1)
            if alive.numel() == 0:  # no output can beat m anywhere in the block
                correct += (m + 1) ** (n - 1) - (m ** (n - 1) if q < m else 0)
                continue
            Dq = D[:, :, alive]  # [n, m+1, O]
            args = (tol, z_max[m], flops)
            if q == m:
                c, u = _count_negative(Dq[n - 1, q], [Dq[i] for i in range(n - 1)], float(e[n - 1, q]),
                                       [e[i, : m + 1] for i in range(n - 1)], *args)
                correct, uncertain = correct + c, uncertain + u
                continue
            for j in range(n - 1):  # first free position holding m
                vectors = [Dq[i, :m] for i in range(j)] + [Dq[j, m : m + 1]] + [Dq[i] for i in range(j + 1, n - 1)]
                z_vectors = [e[i, :m] for i in range(j)] + [e[j, m : m + 1]] + [e[i, : m + 1] for i in range(j + 1, n - 1)]
                c, u = _count_negative(Dq[n - 1, q], vectors, float(e[n - 1, q]), z_vectors, *args)
                correct, uncertain = correct + c, uncertain + u
    return BruteForceResult(correct=correct, total=V**n, seconds=time.perf_counter() - start, flops=flops.total,
                            uncertain=uncertain)
