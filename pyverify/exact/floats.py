"""float32 <-> exact dyadic rationals. Every finite float32 is m * 2^e with integers m, e."""

from __future__ import annotations

import struct
from fractions import Fraction

from pyverify.errors import PyVerifyError


def float32_to_dyadic(x: float) -> tuple[int, int]:
    """(m, e) with x == m * 2^e exactly, x read as a float32; |m| < 2^24, e >= -149.

    Raises PyVerifyError for NaN and infinities. -0.0 gives (0, 0) (the sign of zero is
    not a number; float32_bits keeps it when bit-identity matters).
    """
    (bits,) = struct.unpack("<I", struct.pack("<f", x))
    sign = -1 if bits >> 31 else 1
    exponent = (bits >> 23) & 0xFF
    fraction = bits & 0x7FFFFF
    if exponent == 0xFF:
        raise PyVerifyError(f"non-finite weight {x!r} cannot be exported")
    if exponent == 0:  # subnormal or zero
        m, e = fraction, -149
    else:
        m, e = fraction | 0x800000, exponent - 150
    if m == 0:
        return 0, 0
    while m % 2 == 0:  # canonical form: m odd
        m //= 2
        e += 1
    return sign * m, e


def dyadic_to_float32(m: int, e: int) -> float:
    """The float32 equal to m * 2^e; raises if it is not exactly representable."""
    value = Fraction(m) * Fraction(2) ** e
    (as32,) = struct.unpack("<f", struct.pack("<f", float(value)))
    if Fraction(as32) != value:
        raise PyVerifyError(f"{m} * 2^{e} is not a float32")
    return as32


def to_fraction(x: float) -> Fraction:
    """The exact rational value of a float32."""
    m, e = float32_to_dyadic(x)
    return Fraction(m) * Fraction(2) ** e


def scale_exponent(values: list[float]) -> int:
    """The least S >= 0 such that every value times 2^S is an integer."""
    S = 0
    for x in values:
        m, e = float32_to_dyadic(x)
        if m != 0:
            S = max(S, -e)
    return S


def to_scaled_ints(values: list[float], S: int) -> list[int]:
    """value * 2^S for each float32 (exact integers; S from scale_exponent)."""
    out = []
    for x in values:
        m, e = float32_to_dyadic(x)
        shift = e + S
        if shift < 0:
            raise PyVerifyError("scale exponent too small for these values")
        out.append(m << shift)
    return out
