"""Estimates of the number of correct inputs, beside the proofs (docs/estimates.md).

    estimate(model, "monte-carlo", flops=1e8, seed=0)   # uniform inputs, an exact binomial interval
    estimate(model, "stratified", flops=1e8)             # a proof's count, plus its unproven remainder sampled
    estimate(model, "mechanistic")                       # from the path tables, no sampling, no interval

An estimate is not a bound: it says how many inputs the model is likely to get right, at a stated
cost in FLOPs (counted as the strategies count theirs), with a confidence interval where the method
has one. Every sampled input is evaluated in float64 by the table formula, as the brute force
measures accuracy; a method whose budget covers its whole population enumerates it instead and
returns the exact float64 count.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

import torch

from pyverify.errors import PyVerifyError
from pyverify.numeric.counting import case_count, cases
from pyverify.numeric.flops import FlopCounter
from pyverify.numeric.inputs import correct_mask
from pyverify.limits import require_memory
from pyverify.model.transformer import MaxOfKTransformer
from pyverify.numeric.strategies.cubic import cubic_margins
from pyverify.numeric.tables import PathTables, logits_from_tables, path_tables, table_flops

METHODS = ("monte-carlo", "stratified", "mechanistic")
CHUNK = 1 << 16  # inputs evaluated at once


@dataclass(frozen=True)
class Estimate:
    """An estimate of the number of correct inputs (of `total` = V^n).

    method:     "monte-carlo", "stratified" or "mechanistic"
    count:      the estimated number of correct inputs
    low, high:  a confidence interval for it at `level` (None for the mechanistic estimate)
    flops:      FLOPs spent, tables included (FlopCounter rules)
    samples:    inputs evaluated
    exact:      the budget covered the whole population: count is the exact float64 count
    certified:  stratified: the inputs the proof covers (counted, not sampled)
    """

    method: str
    count: float
    total: int
    low: float | None
    high: float | None
    level: float | None
    flops: int
    samples: int
    exact: bool
    seconds: float
    certified: int = 0

    @property
    def accuracy(self) -> float:
        return self.count / self.total

    def to_dict(self) -> dict:
        return {"method": self.method, "count": self.count, "total": self.total, "accuracy": self.accuracy,
                "low": self.low, "high": self.high, "level": self.level, "flops": self.flops,
                "samples": self.samples, "exact": self.exact, "seconds": self.seconds, "certified": self.certified}


def input_flops(d_vocab: int, n_ctx: int) -> int:
    """FLOPs of one input by the table formula (logits_from_tables and the decision): n scores,
    a softmax (3n), n value rows of V added to their positional rows, weighted and summed (3nV),
    the direct path (V) and the comparison (V)."""
    return 4 * n_ctx + 3 * n_ctx * d_vocab + 2 * d_vocab


def evaluate(tables: PathTables, tokens: torch.Tensor, flops: FlopCounter) -> int:
    """How many of the inputs [B, n] the model gets right (float64, by the table formula)."""
    right = 0
    for chunk in tokens.split(CHUNK):
        right += int(correct_mask(logits_from_tables(tables, chunk), chunk).sum())
    flops.add(len(tokens) * input_flops(tables.d_vocab, tables.n_ctx))
    return right


# -- the exact binomial (Clopper-Pearson) interval ------------------------------------------

def _log_beta_cf(a: float, b: float, x: float) -> float:
    """log of the continued fraction of the regularized incomplete beta function (modified
    Lentz's method), valid for x < (a + 1) / (a + b + 2)."""
    tiny, c, d = 1e-300, 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    f = d
    for k in range(1, 10000):
        for numerator in (k * (b - k) * x / ((a + 2 * k - 1) * (a + 2 * k)),
                          -(a + k) * (a + b + k) * x / ((a + 2 * k) * (a + 2 * k + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            f *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return math.log(f)


def beta_cdf(x: float, a: float, b: float) -> float:
    """The regularized incomplete beta function I_x(a, b), a, b > 0."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front + _log_beta_cf(a, b, x)) / a
    return 1.0 - math.exp(log_front + _log_beta_cf(b, a, 1.0 - x)) / b


def _beta_quantile(p: float, a: float, b: float) -> float:
    lo, hi = 0.0, 1.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if beta_cdf(mid, a, b) < p else (lo, mid)
    return (lo + hi) / 2


def clopper_pearson(successes: int, trials: int, level: float) -> tuple[float, float]:
    """The exact (Clopper-Pearson) interval for a binomial proportion: covers it with
    probability at least `level`, whatever it is."""
    alpha = 1.0 - level
    low = 0.0 if successes == 0 else _beta_quantile(alpha / 2, successes, trials - successes + 1)
    high = 1.0 if successes == trials else _beta_quantile(1 - alpha / 2, successes + 1, trials - successes)
    return low, high


# -- Monte Carlo ---------------------------------------------------------------------------

def _samples(budget: float, spent: int, per_input: int, what: str) -> int:
    samples = int((budget - spent) // per_input)
    if samples < 1:
        raise PyVerifyError(f"a budget of {budget:.3g} FLOPs is too small for {what}: it needs at least "
                            f"{spent + per_input} (its fixed cost and one input)")
    return samples


def monte_carlo(tables: PathTables, budget: float, seed: int, level: float) -> Estimate:
    """Uniform inputs, as many as the budget pays for after the tables; the exact binomial
    interval. A budget that pays for every input enumerates them (the brute force)."""
    start, flops = time.perf_counter(), FlopCounter()
    V, n = tables.d_vocab, tables.n_ctx
    total = V**n
    flops.add(table_flops(tables.cfg))
    samples = _samples(budget, flops.total, input_flops(V, n), "Monte Carlo")
    if samples >= total:
        right = sum(evaluate(tables, _flat_inputs(torch.arange(lo, min(lo + CHUNK, total)), V, n), flops)
                    for lo in range(0, total, CHUNK))
        return Estimate("monte-carlo", float(right), total, float(right), float(right), level, flops.total, total,
                        True, time.perf_counter() - start)
    generator = torch.Generator().manual_seed(seed)
    right = 0
    for lo in range(0, samples, CHUNK):
        tokens = torch.randint(V, (min(CHUNK, samples - lo), n), generator=generator)
        right += evaluate(tables, tokens, flops)
    p_low, p_high = clopper_pearson(right, samples, level)
    return Estimate("monte-carlo", right / samples * total, total, p_low * total, p_high * total, level, flops.total,
                    samples, False, time.perf_counter() - start)


def _flat_inputs(flat: torch.Tensor, V: int, n: int) -> torch.Tensor:
    return torch.stack([(flat // V ** (n - 1 - i)) % V for i in range(n)], dim=1)


# -- proof-stratified ----------------------------------------------------------------------

@dataclass(frozen=True)
class Strata:
    """The unproven remainder of a proof, by case: stratum s is (query[s], max[s], copies[s]);
    good[s, k] says whether non-max token k is proven for it (every input of the case whose c
    non-max tokens are all good is proven); size[s] = C(n-1, c) (m^c - G^c) inputs remain
    (float64: sampling weights), remainder = their exact sum."""

    query: torch.Tensor
    max: torch.Tensor
    copies: torch.Tensor
    good: torch.Tensor  # [S, V] bool
    size: torch.Tensor  # [S] float64
    certified: int
    remainder: int


def cubic_strata(tables: PathTables, flops: FlopCounter) -> Strata:
    """The remainder of the cubic proof, with a case proven only where its float64 margin is
    negative by more than its rounding bound (so every input counted as proven is correct in
    float64 as in exact arithmetic)."""
    V, n = tables.d_vocab, tables.n_ctx
    margins = cubic_margins(tables, flops)
    tol = 3 * tables.rounding.margin_error(n)[:, None, None, None]
    proven = margins < -tol  # [q, m, k, c]; NaN: never
    rows: dict[str, list] = {"query": [], "max": [], "copies": [], "good": [], "size": []}
    certified = 0
    for q, m, c in cases(V, n):
        good = torch.zeros(V, dtype=torch.bool)
        if c == 0:  # one input, all non-query positions m
            proven_here = bool(proven[q, m, 0, 0])
            certified += int(proven_here)
            size = 0 if proven_here else 1
        else:
            good[:m] = proven[q, m, :m, c]
            G = int(good.sum())
            certified += case_count(n, q == m, c, G)
            size = case_count(n, q == m, c, m) - case_count(n, q == m, c, G)
        if size:
            for key, value in zip(rows, (q, m, c, good, size)):
                rows[key].append(value)
    flops.add(V * V * V * n)  # reading the proven tokens
    if not rows["query"]:
        empty = torch.zeros(0, dtype=torch.int64)
        return Strata(empty, empty, empty, torch.zeros(0, V, dtype=torch.bool), torch.zeros(0, dtype=torch.float64),
                      certified, 0)
    return Strata(torch.tensor(rows["query"]), torch.tensor(rows["max"]), torch.tensor(rows["copies"]),
                  torch.stack(rows["good"]), torch.tensor([float(x) for x in rows["size"]], dtype=torch.float64),
                  certified, sum(rows["size"]))


def _place(strata: Strata, s: torch.Tensor, positions: torch.Tensor, tokens: torch.Tensor, n: int) -> torch.Tensor:
    """Inputs of strata s: the query at n-1, `tokens` [B, n-1] at the non-max `positions`
    ([B, n-1] bool), the max elsewhere."""
    x = strata.max[s][:, None].expand(-1, n).clone()
    x[:, : n - 1] = torch.where(positions, tokens, x[:, : n - 1])
    x[:, n - 1] = strata.query[s]
    return x


def sample_remainder(strata: Strata, count: int, n: int, generator: torch.Generator) -> torch.Tensor:
    """`count` inputs drawn uniformly from the union of the strata's remainders [count, n]: a
    stratum in proportion to its size; its non-max positions uniformly; then its c tokens as
    "the first non-good one is slot j" (j drawn by its exact weight G^j (m - G) m^(c-1-j)),
    good ones before slot j, a non-good one at j, any token below m after it."""
    V = strata.good.shape[1]
    s = torch.multinomial(strata.size, count, replacement=True, generator=generator)
    m, c = strata.max[s], strata.copies[s]
    G = strata.good[s].sum(dim=1)
    # positions: c of the n-1 non-query positions, uniformly
    ranks = torch.rand(count, n - 1, generator=generator).argsort(dim=1).argsort(dim=1)
    positions = ranks < c[:, None]
    # the slot of the first non-good token, by its weight
    slots = torch.arange(n - 1)
    mf, Gf, cf = m.double()[:, None], G.double()[:, None], c.double()[:, None]
    weight = torch.where(slots < cf, Gf**slots * (mf - Gf) * mf ** (cf - 1 - slots), torch.zeros(()))
    weight[c == 0, 0] = 1.0  # the input of a c = 0 case has no non-max token: any slot will do
    first = torch.multinomial(weight, 1, generator=generator)[:, 0]
    below = torch.arange(V)[None, :] < m[:, None]  # tokens below the max
    good, bad = strata.good[s] & below, ~strata.good[s] & below
    choice = torch.rand(count, n - 1, V, generator=generator)

    def draw(allowed: torch.Tensor) -> torch.Tensor:  # [count, V] -> [count, n-1], uniform over the allowed
        return torch.where(allowed[:, None, :], choice, torch.full((), -1.0, dtype=choice.dtype)).argmax(dim=2)

    slot_tokens = torch.where(slots < first[:, None], draw(good), torch.where(slots == first[:, None], draw(bad),
                                                                               draw(below)))
    # slot t of an input is its t-th non-max position, in position order
    order = torch.where(positions, slots, torch.full((), n, dtype=torch.int64)).argsort(dim=1)
    tokens = torch.zeros(count, n - 1, dtype=torch.int64)
    tokens.scatter_(1, order, slot_tokens)
    return _place(strata, s, positions, tokens, n)


def enumerate_remainder(strata: Strata, n: int) -> torch.Tensor:
    """Every input of the strata's remainders [R, n]."""
    parts = []
    for s in range(len(strata.size)):
        m, c = int(strata.max[s]), int(strata.copies[s])
        if c == 0:
            parts.append(_place(strata, torch.tensor([s]), torch.zeros(1, n - 1, dtype=torch.bool),
                                torch.zeros(1, n - 1, dtype=torch.int64), n))
            continue
        grid = torch.cartesian_prod(*[torch.arange(m)] * c).reshape(-1, c)
        grid = grid[~strata.good[s][grid].all(dim=1)]
        for chosen in itertools.combinations(range(n - 1), c):
            tokens = torch.zeros(len(grid), n - 1, dtype=torch.int64)
            tokens[:, list(chosen)] = grid
            positions = torch.zeros(len(grid), n - 1, dtype=torch.bool)
            positions[:, list(chosen)] = True
            parts.append(_place(strata, torch.full((len(grid),), s), positions, tokens, n))
    return torch.cat(parts) if parts else torch.zeros(0, n, dtype=torch.int64)


def stratified(tables: PathTables, budget: float, seed: int, level: float) -> Estimate:
    """The cubic proof's count, exact for the inputs it proves, plus its unproven remainder:
    enumerated if the budget pays for it, else sampled uniformly (by stratum, in proportion to
    its size), with the exact binomial interval on the remainder's share of correct inputs."""
    start, flops = time.perf_counter(), FlopCounter()
    V, n = tables.d_vocab, tables.n_ctx
    flops.add(table_flops(tables.cfg))
    strata = cubic_strata(tables, flops)
    remainder = strata.remainder
    per_input = input_flops(V, n)
    if flops.total + remainder * per_input <= budget:
        right = strata.certified + evaluate(tables, enumerate_remainder(strata, n), flops)
        return Estimate("stratified", float(right), V**n, float(right), float(right), level, flops.total, remainder,
                        True, time.perf_counter() - start, strata.certified)
    samples = _samples(budget, flops.total, per_input, "the stratified estimate (the cubic proof)")
    generator = torch.Generator().manual_seed(seed)
    right = 0
    for lo in range(0, samples, CHUNK):
        right += evaluate(tables, sample_remainder(strata, min(CHUNK, samples - lo), n, generator), flops)
    p_low, p_high = clopper_pearson(right, samples, level)
    return Estimate("stratified", strata.certified + right / samples * remainder, V**n,
                    strata.certified + p_low * remainder, strata.certified + p_high * remainder, level, flops.total,
                    samples, False, time.perf_counter() - start, strata.certified)


# -- mechanistic ---------------------------------------------------------------------------

def arrangements(n_ctx: int) -> torch.Tensor:
    """Every choice of non-max positions among the n-1 non-query ones: [2^(n-1), n-1] bool."""
    return torch.tensor(list(itertools.product((False, True), repeat=n_ctx - 1)), dtype=torch.bool).reshape(-1, n_ctx - 1)


def mechanistic_flops(d_vocab: int, n_ctx: int) -> int:
    """The mechanistic estimate's cost after the tables, per (query, max) pair: each position's
    weighted contribution for every token and output (5 V n V), the per-position mean and
    variance over the tokens below the max (3 V n V at most), for every arrangement of the
    non-max positions its fixed part, mean and variance (6 (n-1) V each) and normal tails (3 V),
    and the exact count of the one-position arrangements (2 V^2 (n-1)): O(V^3 n 2^n) in all."""
    V, n = d_vocab, n_ctx
    per_pair = 8 * V * n * V + 2 ** (n - 1) * (6 * (n - 1) * V + 3 * V) + 2 * V * V * (n - 1)
    return V * (V + 1) // 2 * per_pair


def mechanistic(tables: PathTables) -> Estimate:
    """Per case (query q, max m, non-max positions P), the logit margin of m over each output o,
    times the softmax denominator, is a sum over positions of w(token, position, o) =
    e(token, position) (EVOU[token, m] - EVOU[token, o] + PVOU[position, m] - PVOU[position, o]
    + EUPU[q, m] - EUPU[q, o]); the input is correct iff every such sum is positive. The
    positions holding q and m give a fixed part; each non-max position adds an independent
    term (its token uniform below m: the presumption of independence). One non-max position:
    its probability of being right is counted exactly over the m tokens. More: each output's
    sum is taken as normal with the terms' summed mean and variance (the first two
    cumulants), and the outputs as independent, so P(correct) = prod_o Phi(mean_o / sd_o).
    No sampling, and no interval: docs/estimates.md says where it is biased."""
    start, flops = time.perf_counter(), FlopCounter()
    V, n = tables.d_vocab, tables.n_ctx
    require_memory(f"the mechanistic estimate for V={V}, n={n}", 8 * 4 * V * V * n + 8 * 2**n * (n + 2) * V)
    flops.add(table_flops(tables.cfg))
    patterns = arrangements(n)  # [P, n-1]: True where a non-max token sits
    copies = patterns.sum(dim=1)
    single = [(p, int(patterns[p].nonzero()[0])) for p in range(len(patterns)) if copies[p] == 1]
    total = 0.0
    for m in range(V):
        rival = torch.arange(V) != m  # the outputs that compete with m
        value = ((tables.EVOU[:, m:m + 1] - tables.EVOU)[:, None, :] + (tables.PVOU[:, m:m + 1] - tables.PVOU)[None])
        value = value[:, :, rival]
        mine = ((copies == 0) | (m > 0)).double()  # no non-max token below m = 0
        for q in range(m + 1):
            # Every exp is shifted by the largest score of the terms it is summed with, so that no
            # input's terms all underflow: the sign of a margin does not depend on the shift.
            s = tables.EQKE[q][:, None] + tables.EQKP[q][None, :]  # [token, position]
            a = value + (tables.EUPU[q, m] - tables.EUPU[q, rival])[None, None, :]  # [token, pos, o]
            s_m = s[m, : n - 1].expand(len(patterns), -1)
            top = torch.where(patterns, torch.full((), float("-inf"), dtype=s.dtype), s_m).amax(dim=1)
            top = torch.maximum(top, s[q, n - 1])  # [P]: the largest score of the fixed terms
            e_m = torch.where(patterns, torch.zeros((), dtype=s.dtype), (s_m - top[:, None]).exp())
            fixed = (s[q, n - 1] - top).exp()[:, None] * a[q, n - 1] + e_m @ a[m, : n - 1]  # [P, o]
            allowed = mine * (copies < n - 1 if q < m else torch.ones_like(copies, dtype=torch.bool)).double()
            if m == 0:
                total += float(((fixed > 0).all(dim=1).double() * allowed).sum())
                continue
            below = s[:m, : n - 1]  # [k, pos]
            base = below.max()
            terms = (below - base).exp()[:, :, None] * a[:m, : n - 1]  # [k, pos, o], shifted by base
            shift = torch.maximum(top, base)  # [P]
            mean = fixed * (top - shift).exp()[:, None] + (base - shift).exp()[:, None] * (
                patterns.double() @ terms.mean(dim=0))
            sd = (base - shift).exp()[:, None] * (patterns.double() @ terms.var(dim=0, unbiased=False)).sqrt()
            tail = torch.where(sd > 0, torch.special.ndtr(mean / sd), (mean > 0).double()).prod(dim=1)  # [P]
            tail[copies == 0] = (fixed[copies == 0] > 0).all(dim=1).double()
            for p, i in single:  # one non-max position: exactly, over its m tokens, each shifted alone
                own = torch.maximum(top[p], s[:m, i])  # [k]
                margin = fixed[p][None, :] * (top[p] - own).exp()[:, None] + (s[:m, i] - own).exp()[:, None] * a[:m, i]
                tail[p] = float((margin > 0).all(dim=1).sum()) / m
            total += float((tail * allowed * float(m) ** copies.double()).sum())
    flops.add(mechanistic_flops(V, n))
    return Estimate("mechanistic", total, V**n, None, None, None, flops.total, 0, False, time.perf_counter() - start)


def estimate(model: MaxOfKTransformer, method: str = "monte-carlo", flops: float = 1e8, seed: int = 0,
             level: float = 0.95) -> Estimate:
    """The estimated number of correct inputs of a model by one method (METHODS), within a
    budget of `flops` FLOPs (the mechanistic estimate has a fixed cost and refuses a smaller
    budget), deterministic given `seed`, with an interval at `level` where the method has one."""
    if method not in METHODS:
        raise PyVerifyError(f"unknown estimation method {method!r}; choose from {', '.join(METHODS)}")
    if not (flops > 0 and math.isfinite(flops)):
        raise PyVerifyError(f"the budget must be a positive number of FLOPs, not {flops!r}")
    if not 0 < level < 1:
        raise PyVerifyError(f"the confidence level must be strictly between 0 and 1, not {level!r}")
    V, n = model.cfg.d_vocab, model.cfg.n_ctx
    tables = path_tables(model)
    if method == "monte-carlo":
        return monte_carlo(tables, flops, seed, level)
    if method == "stratified":
        require_memory(f"the stratified estimate for V={V}, n={n} (the cubic proof)", 8 * 4 * V**3 * n)
        return stratified(tables, flops, seed, level)
    cost = table_flops(model.cfg) + mechanistic_flops(V, n)
    if flops < cost:
        raise PyVerifyError(f"the mechanistic estimate costs {cost:.3g} FLOPs for V={V}, n={n}; a budget of "
                            f"{flops:.3g} is too small")
    return mechanistic(tables)
