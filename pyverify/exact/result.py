"""What a certified checker returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CertifiedResult:
    """count: inputs certified correct (exact interval arithmetic); total: V^n; seconds: wall
    time; proven: the checker's case-by-case detail (cubic: proven[m][q][k][c]; brute force: []);
    blocks: (lo, hi, count) per block of max tokens (pyverify/exact/blocks.py), summing to count."""

    count: int
    total: int
    seconds: float
    proven: list
    blocks: list[tuple[int, int, int]]
