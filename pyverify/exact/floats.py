"""Stored IEEE weights <-> exact dyadic rationals.

Every finite float16, bfloat16, float32 or float64 is m * 2^e with integers m, e, and each
of those formats converts to float64 (a Python float) without rounding, so one conversion
from a Python float covers them all.
"""

from __future__ import annotations

import math
from fractions import Fraction

import torch

from pyverify.errors import PyVerifyError


def float_to_dyadic(x: float) -> tuple[int, int]:
    """(m, e) with x == m * 2^e exactly and m odd (or (0, 0) for zero; the sign of zero is
    not a number). Raises PyVerifyError for NaN and infinities."""
    if not math.isfinite(x):
        raise PyVerifyError(f"non-finite weight {x!r} cannot be exported")
    num, den = x.as_integer_ratio()  # den is a power of two
    if num == 0:
        return 0, 0
    e = -(den.bit_length() - 1)
    while num % 2 == 0:
        num //= 2
        e += 1
    return num, e


def dyadic_to_float(m: int, e: int, dtype: torch.dtype = torch.float32) -> float:
    """The value m * 2^e of the given dtype; raises if that dtype cannot hold it exactly."""
    value = Fraction(m) * Fraction(2) ** e
    try:
        stored = torch.tensor(float(value), dtype=torch.float64).to(dtype)
    except OverflowError:
        raise PyVerifyError(f"{m} * 2^{e} is not a {dtype}") from None
    if not torch.isfinite(stored) or Fraction(stored.item()) != value:
        raise PyVerifyError(f"{m} * 2^{e} is not a {dtype}")
    return stored.item()


def to_fraction(x: float) -> Fraction:
    """The exact rational value of a stored weight."""
    m, e = float_to_dyadic(x)
    return Fraction(m) * Fraction(2) ** e


def scale_exponent(values: list[float]) -> int:
    """The least S >= 0 such that every value times 2^S is an integer."""
    S = 0
    for x in values:
        m, e = float_to_dyadic(x)
        if m != 0:
            S = max(S, -e)
    return S


def to_scaled_ints(values: list[float], S: int) -> list[int]:
    """value * 2^S for each value (exact integers; S from scale_exponent)."""
    out = []
    for x in values:
        m, e = float_to_dyadic(x)
        shift = e + S
        if shift < 0:
            raise PyVerifyError("scale exponent too small for these values")
        out.append(m << shift)
    return out
