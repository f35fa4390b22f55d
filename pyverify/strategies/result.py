"""What every proof strategy returns, and the FLOP counter strategies charge as they run."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch


class FlopCounter:
    """Counts floating-point operations as a strategy performs them.

    Rules (docs/strategies.md, "FLOP accounting"): an elementwise op or a reduction costs one
    FLOP per element it reads from its largest input; exp counts as one FLOP; a matrix product
    [a, b] @ [b, c] costs 2abc; an SVD of an [a, b] matrix (a >= b) costs 4ab^2 + 8b^3 (the
    LAPACK estimate); sorting r rows of length s costs r * s * ceil(log2 s).
    """

    def __init__(self) -> None:
        self.total = 0

    def elementwise(self, *tensors: torch.Tensor) -> None:
        self.total += max(t.numel() for t in tensors)

    def matmul(self, a: int, b: int, c: int) -> None:
        self.total += 2 * a * b * c

    def svd(self, a: int, b: int) -> None:
        a, b = max(a, b), min(a, b)
        self.total += 4 * a * b * b + 8 * b**3

    def sort(self, rows: int, length: int) -> None:
        self.total += rows * length * max(1, (length - 1).bit_length())

    def add(self, n: int) -> None:
        self.total += int(n)


@dataclass
class StrategyResult:
    """A certified count of correct inputs (sound in real arithmetic up to float64 rounding).

    strategy:        full name, e.g. "cubic" or "subcubic:mean_query+max_diff/mean_query+diff/max_diff"
    family:          "brute-force", "cubic" or "subcubic"
    count, total:    inputs proven correct, and V^n
    flops:           FLOPs the checking spent (FlopCounter rules), tables included
    complexity:      asymptotic class of the checking
    unexplained_dim: parameters the proof treats as unstructured (docs/strategies.md)
    seconds:         wall time of the checking
    search_seconds:  wall time of proof search (subcubic gap search), not part of checking
    uncertain:       float64 rounding flag: how many inputs the count could gain or lose if
                     every decision within the a-priori float64 error bound went the other
                     way (0: rounding cannot have changed the count; docs/strategies.md)
    cases:           per-case detail: a dict of equally long 1-D tensors with at least
                     "query", "max", "copies", "lost" (inputs of that case left unproven)
    """

    strategy: str
    family: str
    count: int
    total: int
    flops: int
    complexity: str
    unexplained_dim: int
    seconds: float
    search_seconds: float = 0.0
    uncertain: int = 0
    cases: dict[str, torch.Tensor] = field(default_factory=dict, repr=False)

    @property
    def bound(self) -> float:
        return self.count / self.total

    def worst_cases(self, top: int = 10) -> list[dict]:
        """The cases that lose the most inputs, largest first."""
        if not self.cases:
            return []
        lost = self.cases["lost"]
        order = torch.argsort(lost, descending=True, stable=True)[:top]
        return [{k: int(v[i]) for k, v in self.cases.items()} for i in order.tolist() if int(lost[i]) > 0]

    def to_dict(self) -> dict:
        return {
            "strategy": self.strategy, "family": self.family, "count": self.count, "total": self.total,
            "bound": self.bound, "flops": self.flops, "complexity": self.complexity,
            "unexplained_dim": self.unexplained_dim, "seconds": self.seconds, "search_seconds": self.search_seconds,
            "uncertain": self.uncertain,
        }
