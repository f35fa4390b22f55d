"""The subcubic checker's hints, as the Lean and the Coq checkers read them: data only (the
checker re-checks every use; pyverify/exact/subcubic_checker.py produces and checks them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SubcubicHints:
    """The search's hints as the Lean checker reads them (lean/PyVerify/Hints.lean: the same name
    and field names): handling codes, and the gaps packed per max token, digit q n + c of row m
    in base 2^gap_bits."""

    eupu: int
    attention: int
    drop_query: bool
    gap_bits: int
    gaps: list[int]
    x: list[int]
    z: list[int]
    Y: list[list[int]]
    Z: list[list[int]]
    ty: int
    tz: int
    sigma_sq: int
    sigma_bits: int
    mu: list[int]


@dataclass(frozen=True)
class CoqSubcubicHints:
    """The hints as the Coq checker reads them (coq/theories/Subcubic.v, `hints`: the same field
    names). The Coq checker transcribes the cases, p_low and the logit summaries; of the split it
    reads the result, EQKE = Main + Err with Main = EQKE (main_exact) or the rank-one
    main_q[q] main_k[k] / den, and the claimed bound err_bound[q] (the split's R[q]) on the row
    spread of Err, which it checks against the exact spread (using the larger), so no hint is
    trusted. gaps: the gap of case (q, m, c) at gaps[m][q n + c] (`gap_rows`); eupu: 0 (around
    the row mu), 1 or 2, the Lean codes."""

    eupu: int
    mu: list[int]
    drop_query: bool
    gaps: list[list[int]]
    main_exact: bool
    main_q: list[int]
    main_k: list[int]
    den: int
    err_bound: list[int]
