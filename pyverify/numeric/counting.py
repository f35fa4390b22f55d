"""The cases the strategies decide, and counting the inputs a proven case covers."""

from __future__ import annotations

import functools
from math import comb


def case_count(n_ctx: int, query_is_max: bool, copies: int, choices: int) -> int:
    """Inputs with a fixed query token and max m, where exactly ``copies`` of the n-1
    non-query positions hold a non-max token drawn from ``choices`` allowed values and the
    other non-query positions hold m.

    If the query is not the max, at least one non-query position must hold m, so
    copies <= n-2; otherwise copies may be n-1. Returns 0 for impossible cases.
    """
    free = n_ctx - 1
    if copies < 0 or copies > free or (not query_is_max and copies == free):
        return 0
    return comb(free, copies) * choices**copies


@functools.lru_cache(maxsize=8)  # a pure function of the shape, asked for by every strategy run
def cases(d_vocab: int, n_ctx: int) -> tuple[tuple[int, int, int], ...]:
    """Every (query q, max m, copies c) whose inputs exist, in the order m, q, c: q <= m, and
    c non-max tokens among the n-1 non-query positions, where c <= n-2 if q < m (one position
    must hold m) and c >= 1 needs a token below m (m >= 1)."""
    return tuple((q, m, c) for m in range(d_vocab) for q in range(m + 1) for c in range(n_ctx)
                 if case_count(n_ctx, q == m, c, 1) and (c == 0 or m >= 1))


def gap_is_legal(q, m, c, g):
    """The subcubic gap rule, on ints or elementwise on tensors: g >= 1, and g <= m (q = m) or
    g <= m - q (q < m), unless q = m and c = 0 (no non-max token: any gap). Every checker reads
    it from here (Lean: `gapLegal`)."""
    g_max = m - q * (q != m)
    return (g >= 1) & (((q == m) & (c == 0)) | (g <= g_max))


def non_query_ends(intervals: list, n_ctx: int) -> tuple[list, list]:
    """The n-1 non-query positions' lower ends ascending and upper ends descending (both
    checkers' orderings of the positional terms: the m copies where they weigh least)."""
    return (sorted(lo for lo, _ in intervals[: n_ctx - 1]),
            sorted((hi for _, hi in intervals[: n_ctx - 1]), reverse=True))
