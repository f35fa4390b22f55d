"""Counting the inputs a proven case covers."""

from __future__ import annotations

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
