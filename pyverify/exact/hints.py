"""The subcubic certificate's hints: data only, in the one form the Python, Lean and Coq checkers
read (pyverify/exact/subcubic_hints.py finds them; every checker re-checks every use)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SubcubicHints:
    """The hints of a subcubic certificate (Coq: the record `hints` of coq/theories/Subcubic.v;
    Lean: `SubcubicHints` of lean/PyVerify/Hints.lean; the same fields in the same order).

    eupu: 0 (the row-range rule around the row mu, over V 2^S), 1 (max_diff_exact) or 2
    (global_max_diff_exact). gaps: the gap of case (q, m, c) at gaps[m][q n + c] (0: no proof
    claimed). The attention split EQKE = Main + Err: Main = EQKE (main_exact, over 2^(4S)) or the
    low-rank sum_r main_q[r][q] main_k[r][k] over den (a rank-one term per r), and err_bound[q], a claimed bound on the row spread of
    Err over the same denominator, which the checkers raise to the exact spread where it is lower,
    so that no hint is trusted."""

    eupu: int
    mu: list[int]
    drop_query: bool
    gaps: list[list[int]]
    main_exact: bool
    main_q: list[list[int]]
    main_k: list[list[int]]
    den: int
    err_bound: list[int]
