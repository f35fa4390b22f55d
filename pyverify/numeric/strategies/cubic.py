"""The cubic proof strategy, O(V^3 n): path tables checked case by case.

A case is (query token q, max token m, non-max token k < m, copies c): the inputs whose
query is q, whose n-1 non-query positions hold c copies of k and n-1-c copies of m. For
each case we bound the largest wrong-minus-right logit over every order of those tokens;
docs/strategies.md ("Cubic") proves that

    Num(w) = e^{EQKE[q,m]} w (E[m] + U[q]) + e^{EQKE[q,q]+EQKP[q,n-1]} (E[q] + U[q])
             + e^{EQKE[q,k]} (W - w) (E[k] + U[q])

is positive multiple of an upper bound on that logit difference, where w is the positional
weight sum exp(EQKP) of the positions holding m, W the sum over all non-query positions,
U[q] = max_{o != m} EUPU[q,o] - EUPU[q,m], and E[t] = max_{o != m} (EVOU[t,o] - EVOU[t,m] +
max_i (PVOU[i,o] - PVOU[i,m])). Num is linear in w, so the two extreme orderings (m on the
positions of least / greatest positional score) bound every ordering. A case is proven when
both are negative. Proven non-max tokens mix freely: an input whose c non-max positions
hold any proven tokens is dominated by the pure case of its worst token, so each (q, m, c)
with G proven tokens covers C(n-1, c) * G^c inputs.
"""

from __future__ import annotations

import time

import torch

from pyverify.limits import require_memory, require_time
from pyverify.model.transformer import MaxOfKTransformer
from pyverify.numeric.counting import case_count, cases
from pyverify.numeric.flops import FlopCounter
from pyverify.numeric.strategies.positional import positional_log_weights
from pyverify.numeric.strategies.result import StrategyResult
from pyverify.numeric.tables import PathTables, path_tables, table_flops


def logit_pessimisations(tables: PathTables, m: int, flops: FlopCounter) -> tuple[torch.Tensor, torch.Tensor]:
    """For max token m: U[q] for q <= m and E[t] for t <= m (see the module docstring)."""
    V = tables.d_vocab
    EUPU_d = tables.EUPU[: m + 1] - tables.EUPU[: m + 1, m : m + 1]
    EUPU_d[:, m] = float("-inf")
    U = EUPU_d.amax(dim=1)
    PVOU_worst = (tables.PVOU - tables.PVOU[:, m : m + 1]).amax(dim=0)  # [V_o]
    EPVOU_d = tables.EVOU[: m + 1] - tables.EVOU[: m + 1, m : m + 1] + PVOU_worst
    EPVOU_d[:, m] = float("-inf")
    E = EPVOU_d.amax(dim=1)
    flops.add(2 * (m + 1) * V)  # EUPU centring and max
    flops.add(2 * tables.n_ctx * V)  # PVOU centring and max
    flops.add(3 * (m + 1) * V)  # EVOU centring, + PVOU, max
    return U, E


def cubic_margins(tables: PathTables, flops: FlopCounter) -> torch.Tensor:
    """Num for every case, maximised over the two extreme orderings: [V_q, V_max, V_k, n_copies].

    Each case's Num is divided by its largest positive weight (F1 in docs/strategies.md), so
    only its sign is meaningful. Entries that are not cases (q > m, k >= m, impossible
    copies) are NaN; case (q, m, ., c=0) is stored at k = 0 and means "all non-query
    positions hold m" (valid for every m).
    """
    V, n = tables.d_vocab, tables.n_ctx
    out = torch.full((V, V, V, n), float("nan"), dtype=torch.float64)
    log_low, log_high, log_query_pos = positional_log_weights(tables.EQKP, flops)
    copies = torch.arange(n)
    n_max = n - 1 - copies  # copies of m among non-query positions, [c]
    for m in range(V):
        U, E = logit_pessimisations(tables, m, flops)
        q = torch.arange(m + 1)
        rows = tables.EQKE[: m + 1, : m + 1]  # [q, token]
        log_query = rows[q, q] + log_query_pos[: m + 1]  # [q]
        # Ordering "m on the lowest positions": m-weight low[n_max], k-weight high[copies]; and the mirror.
        # The case's margin is the larger of the two (torch.maximum keeps a NaN: never proven).
        if m > 0:
            nums = []
            for log_m_pos, log_k_pos in ((log_low, log_high), (log_high, log_low)):
                la = rows[:, m, None] + log_m_pos[: m + 1][:, n_max]  # [q, c]
                lc = rows[:, :m, None] + log_k_pos[: m + 1][:, None, copies]  # [q, k, c]
                top = torch.maximum(torch.maximum(la, log_query[:, None])[:, None, :], lc)  # [q, k, c]
                nums.append((la[:, None, :] - top).exp() * (E[m] + U)[:, None, None]
                            + (log_query[:, None, None] - top).exp() * (E[: m + 1] + U)[:, None, None]
                            + (lc - top).exp() * (E[None, :m] + U[:, None])[:, :, None])
                flops.add(12 * nums[-1].numel())
            out[: m + 1, m, :m, :] = torch.maximum(*nums)
            out[: m + 1, m, :m, 0] = float("nan")
            out[:m, m, :m, n - 1] = float("nan")  # q < m needs at least one m among non-query positions
        # c = 0: every non-query position holds m (both orderings coincide).
        la = rows[:, m] + log_low[: m + 1, n - 1]
        top = torch.maximum(la, log_query)
        out[: m + 1, m, 0, 0] = (la - top).exp() * (E[m] + U) + (log_query - top).exp() * (E[: m + 1] + U)
        flops.add(8 * (m + 1))
    return out


def estimate_bytes(d_vocab: int, n_ctx: int) -> int:
    """Peak memory of cubic_margins: the [V, V, V, n] margins and two orderings' temporaries."""
    return 8 * 4 * d_vocab**3 * n_ctx


def count_cubic(proven: torch.Tensor, n_ctx: int) -> tuple[int, dict[str, torch.Tensor]]:
    """Certified count from the proven cases ([V_q, V_max, V_k, n] bool; see cubic_margins
    for the layout), and per-(q, m, c) case detail."""
    V = proven.shape[0]
    proven_tokens = proven.sum(dim=2).tolist()  # [q][m][c]; entries k >= m are never proven
    all_max = proven[:, :, 0, 0].tolist()  # [q][m]: the case c = 0
    rows = {"query": [], "max": [], "copies": [], "proven_tokens": [], "lost": []}
    total = 0
    for q, m, c in cases(V, n_ctx):
        possible = case_count(n_ctx, q == m, c, m if c > 0 else 1)
        if c == 0:  # a single input: the non-query positions all hold m
            good = int(all_max[q][m])
            got = good
        else:
            good = proven_tokens[q][m][c]
            got = case_count(n_ctx, q == m, c, good)
        total += got
        for key, value in zip(rows, (q, m, c, good, possible - got)):
            rows[key].append(value)
    return total, {k: torch.tensor(v, dtype=torch.int64) for k, v in rows.items()}


def estimate_seconds(d_vocab: int, n_ctx: int) -> float:
    """A conservative estimate on 2 cores (measured: 0.06 s for V=64, n=4)."""
    return 2e-8 * d_vocab**3 * n_ctx + 1e-5 * d_vocab**2 * n_ctx


def run_cubic(model: MaxOfKTransformer, tables: PathTables | None = None, force: bool = False) -> StrategyResult:
    """The cubic strategy on a model (tables are computed, and charged, if not given).
    Refuses work over the memory limit, and over the time limit unless force."""
    V, n = model.cfg.d_vocab, model.cfg.n_ctx
    require_memory(f"the cubic strategy for V={V}, n={n}", estimate_bytes(V, n))
    require_time(f"the cubic strategy for V={V}, n={n}", estimate_seconds(V, n), force)
    start = time.perf_counter()
    flops = FlopCounter()
    if tables is None:
        tables = path_tables(model)
    flops.add(table_flops(model.cfg))
    margins = cubic_margins(tables, flops)
    count, cases = count_cubic(margins < 0, tables.n_ctx)  # NaN compares False: never proven
    V, n = tables.d_vocab, tables.n_ctx
    flops.add(V * V * V * n)  # counting proven tokens
    seconds = time.perf_counter() - start
    # Rounding flag: each normalised margin is a sum of three terms with weights <= 1, each
    # off by at most the per-query margin error.
    tol = 3 * tables.rounding.margin_error(n)[:, None, None, None]
    optimistic, _ = count_cubic(margins < tol, n)
    robust, _ = count_cubic(margins < -tol, n)
    return StrategyResult(
        strategy="cubic", family="cubic", count=count, total=V**n, flops=flops.total,
        complexity="O(V^3 n + V^2 d)", unexplained_dim=3 * V * V + 2 * V * n,
        seconds=seconds, cases=cases, uncertain=optimistic - robust,
    )
