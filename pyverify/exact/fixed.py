"""Fixed-point interval arithmetic with outward rounding, and sound enclosures of exp and of
1/sqrt(h). The Lean twin is lean/PyVerify/Fixed.lean and lean/PyVerify/Exp.lean: same names,
same loop order, same rounding.

A fixed-point number is an integer X meaning X / 2^PREC. An interval is a pair (lo, hi) of
such integers with lo <= hi; every operation returns an interval containing every exact
result for arguments in the input intervals.
"""

from __future__ import annotations

import functools
import math

PREC = 40  # fractional bits of every fixed-point number
EXP_GUARD = 24  # extra bits carried inside exp
EXP_TERMS = 14  # Taylor terms (j = 0..13); the last is odd, so the sum is a lower bound

Interval = tuple[int, int]


def floor_shift(x: int, k: int) -> int:
    """floor(x / 2^k) for k >= 0."""
    return x >> k


def ceil_shift(x: int, k: int) -> int:
    """ceil(x / 2^k) for k >= 0."""
    return -((-x) >> k)


def round_out(lo: int, hi: int, k: int) -> Interval:
    """[lo, hi] / 2^k, rounded outward."""
    return floor_shift(lo, k), ceil_shift(hi, k)


def from_scaled(raw: int, bits: int) -> Interval:
    """The exact value raw / 2^bits as a fixed-point interval, rounded outward."""
    if bits >= PREC:
        return floor_shift(raw, bits - PREC), ceil_shift(raw, bits - PREC)
    return raw << (PREC - bits), raw << (PREC - bits)


def add(a: Interval, b: Interval) -> Interval:
    """Sum (Lean: `Ival.add`)."""
    return a[0] + b[0], a[1] + b[1]


def mul(a: Interval, b: Interval) -> Interval:
    """Product of two fixed-point intervals (rounded back to PREC bits, outward)."""
    p1, p2, p3, p4 = a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]
    return round_out(min(p1, p2, p3, p4), max(p1, p2, p3, p4), PREC)


def mul_hi_nonneg(a: Interval, b: Interval) -> int:
    """The upper end of mul(a, b) when a >= 0 (a[0] >= 0): the largest product is a[1] b[1]
    if b[1] >= 0, else a[0] b[1]."""
    top = a[1] * b[1] if b[1] >= 0 else a[0] * b[1]
    return ceil_shift(top, PREC)


def scaled_score(raw: int, bits: int, s: Interval) -> Interval:
    """raw / 2^bits times the scale interval s (fixed point, s > 0), rounded outward
    (Lean: `scaledScore`)."""
    a, b = raw * s[0], raw * s[1]
    lo, hi = (a, b) if raw >= 0 else (b, a)
    return floor_shift(lo, bits), ceil_shift(hi, bits)


def inv_sqrt(h: int) -> Interval:
    """An interval containing 2^PREC / sqrt(h), checked by squaring: lo^2 h <= 4^PREC <= hi^2 h."""
    target = 1 << (2 * PREC)
    lo = math.isqrt(target // h)
    while lo * lo * h > target:
        lo -= 1
    hi = lo + 1
    while hi * hi * h < target:
        hi += 1
    return lo, hi


def check_inv_sqrt(h: int, s: Interval) -> bool:
    """Whether s encloses 2^PREC / sqrt(h), with both ends non-negative: the check the Lean
    and Coq checkers make instead of computing (Lean: `checkInvSqrt`)."""
    target = 1 << (2 * PREC)
    return 0 <= s[0] and 0 <= s[1] and s[0] * s[0] * h <= target <= s[1] * s[1] * h


def halvings(x: int) -> int:
    """The least r >= 0 with |x| <= 2^(PREC + r - 1), i.e. |x / 2^PREC| / 2^r <= 1/2."""
    r = 0
    while -x > (1 << (PREC + r - 1)):
        r += 1
    return r


@functools.lru_cache(maxsize=1 << 16)  # a pure function; checkers ask for the same points often
def exp_nonpos(x: int) -> Interval:
    """An interval containing e^(x / 2^PREC) * 2^PREC, for x <= 0.

    Below -(PREC + 1) the value is under 2^-PREC, so [0, 1]. Otherwise y = x / 2^(PREC + r)
    lies in [-1/2, 0]; the Taylor terms |y|^j / j! decrease, so (Leibniz) a partial sum
    ending on an odd term is below e^y and one ending on an even term is above. Each term
    magnitude is carried as a lower and an upper bound at W = PREC + EXP_GUARD + r bits;
    then e^x = (e^y)^(2^r) by r squarings, rounded outward.
    """
    if x > 0:
        raise ValueError("exp_nonpos needs x <= 0")
    if x <= -((PREC + 1) << PREC):
        return 0, 1
    r = halvings(x)
    W = PREC + EXP_GUARD + r
    y = (-x) << (W - PREC - r)  # |y| * 2^W, exact
    one = 1 << W
    t_lo, t_hi = one, one  # bounds on |y|^j / j! * 2^W, j = 0
    lo, hi = one, one  # bounds on the partial sums
    for j in range(1, EXP_TERMS):
        t_lo = (t_lo * y) // (j << W)
        t_hi = -((-(t_hi * y)) // (j << W))
        if j % 2 == 0:
            lo += t_lo
            hi += t_hi
        else:  # a negative term: the lower bound subtracts its largest possible magnitude
            lo -= t_hi
            if j < EXP_TERMS - 1:  # hi must end on an even term, so it skips the last (odd) one
                hi -= t_lo
    lo = max(lo, 0)
    for _ in range(r):
        lo = (lo * lo) >> W
        hi = -((-(hi * hi)) >> W)
    return round_out(lo, hi, W - PREC)


def exp_upper_pos(x: int) -> int:
    """A crude upper bound of e^(x / 2^PREC) * 2^PREC for x > 0: e^t <= 4^(floor(t) + 1)."""
    return 1 << (PREC + 2 * ((x >> PREC) + 1))


def exp_interval(a: Interval) -> Interval:
    """exp is increasing: exp([lo, hi]) is inside [exp(lo).lo, exp(hi).hi]. The checkers
    shift scores so that hi <= 0; a positive end still gets a sound (crude) bound."""
    lo = exp_nonpos(a[0])[0] if a[0] <= 0 else 1 << PREC
    hi = exp_nonpos(a[1])[1] if a[1] <= 0 else exp_upper_pos(a[1])
    return lo, hi


def max_hi(xs: list[Interval]) -> int:
    """The largest upper end in a list of intervals, or 0 (Lean: `maxHi`)."""
    return max((x[1] for x in xs), default=0)


def exp_shifted(shift: int, xs: list[Interval]) -> list[Interval]:
    """exp(x - shift) for every interval x (Lean: `expShifted`)."""
    return [exp_interval((lo - shift, hi - shift)) for lo, hi in xs]


def div_pos(a: Interval, b: Interval) -> Interval:
    """a / b for a >= 0 and b > 0 (fixed point), rounded outward."""
    if a[0] < 0 or b[0] <= 0:
        raise ValueError("div_pos needs a >= 0 and b > 0")
    return (a[0] << PREC) // b[1], -((-(a[1] << PREC)) // b[0])


def softmax(scores: list[Interval]) -> list[Interval]:
    """Intervals containing softmax(x)_i for every x with x_j in scores[j] (fixed point).

    p_i = e_i / sum_j e_j with e_j = exp(x_j - shift); the shift (the largest upper end)
    cancels. p_i is increasing in x_i and decreasing in every other x_j, so
    p_i >= e_i.lo / (e_i.lo + sum_{j != i} e_j.hi) and p_i <= e_i.hi / (e_i.hi + sum_{j != i} e_j.lo).
    """
    e = exp_shifted(max_hi(scores), scores)
    sum_lo, sum_hi = sum(x[0] for x in e), sum(x[1] for x in e)
    out = []
    for lo, hi in e:
        lower = div_pos((lo, lo), (lo + sum_hi - hi, lo + sum_hi - hi))[0] if lo > 0 else 0
        upper = div_pos((hi, hi), (hi + sum_lo - lo, hi + sum_lo - lo))[1] if hi + sum_lo - lo > 0 else 1 << PREC
        out.append((lower, min(upper, 1 << PREC)))
    return out
