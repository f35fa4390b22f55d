"""What a certified checker returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyverify.exact.hints import SubcubicHints
from pyverify.exact.weights import ExactWeights

TRUSTED = ("exact integer and outward-rounded interval arithmetic in Python (pyverify/exact); a theorem once "
           "Lean or Coq checks the exported module")


@dataclass(frozen=True)
class CertifiedResult:
    """count: inputs certified correct (exact interval arithmetic); total: V^n; seconds: wall
    time; proven: the checker's case-by-case detail (cubic: proven[m][q][k][c]; brute force: []);
    blocks: (lo, hi, count) per block of max tokens (pyverify/exact/blocks.py), summing to count.
    From the subcubic checker also its hints, the certificate the Lean and Coq checkers read;
    from `pyverify.certify` also the strategy's name, the exact weights and the architecture line
    of the model (for the exported module)."""

    count: int
    total: int
    seconds: float
    proven: list = field(repr=False)  # the repr stays short: these hold up to V^3 n entries
    blocks: list[tuple[int, int, int]] = field(repr=False)
    strategy: str = ""
    weights: ExactWeights | None = field(default=None, repr=False)
    hints: SubcubicHints | None = field(default=None, repr=False)
    architecture: str = field(default="", repr=False)

    @property
    def bound(self) -> float:
        return self.count / self.total

    @property
    def trusted(self) -> str:
        """What the count rests on."""
        return TRUSTED
