"""What every proof strategy returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import torch


@dataclass
class StrategyResult:
    """A float64 lower bound on the count of correct inputs: an estimate, sound in real
    arithmetic only up to float64 rounding (`uncertain`); `pyverify.certify` certifies.

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
