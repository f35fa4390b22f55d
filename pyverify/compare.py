"""One table comparing the numeric, exact and formal bounds of a model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyverify.lake import NoToolchain, check_project
from pyverify.exact import certifiable, certify
from pyverify.exact.weights import exact_weights
from pyverify.export import STRATEGIES, weights_digest
from pyverify.model import MaxOfKTransformer
from pyverify.strategies import run_strategy


@dataclass(frozen=True)
class ComparisonRow:
    strategy: str
    numeric: int  # float64 strategy count
    uncertain: int  # the float64 count's rounding flag (StrategyResult.uncertain)
    exact: int  # certified count (interval arithmetic)
    total: int
    lean: str  # the Lean theorem's status, in words


def lean_status(lean_dir: Path, digest: str, strategy: str, statuses: list | None, note: str) -> str:
    """Find a generated module for these weights and strategy and say what is known about it.
    statuses: the result of check_project, or None when lake was not run (note says why)."""
    theorem = STRATEGIES[strategy][2]
    folder = lean_dir / "Generated"
    modules = []
    if folder.is_dir():
        for p in sorted(folder.glob("*.lean")):
            text = p.read_text()
            if digest in text and f"theorem {theorem}" in text:
                modules.append(p)
    if not modules:
        return "not exported"
    relative = f"Generated/{modules[0].name}"
    if statuses is None:
        return f"{relative}: not checked ({note})"
    for s in statuses:
        if s.file == relative and s.theorem == theorem:
            if s.verified:
                return f"{relative}: verified by lake build"
            e = s.error
            return f"{relative}: failed ({e.path}:{e.line}: {e.message})" if e else f"{relative}: failed"
    return f"{relative}: not found by lake"


def compare(model: MaxOfKTransformer, lean_dir: str | Path = "lean", run_lake: bool = True,
            force: bool = False) -> list[ComparisonRow]:
    """Numeric vs exact vs Lean for cubic (and brute force on small models). Runs `lake build`
    once if run_lake and a toolchain is present."""
    lean_dir = Path(lean_dir)
    w = exact_weights(model)
    digest = weights_digest(w)
    total = w.d_vocab**w.n_ctx
    statuses, note = None, "--no-lake"
    if run_lake:
        try:
            statuses, _, _ = check_project(lean_dir)
        except NoToolchain:
            note = "no Lean toolchain"
    rows = []
    for strategy in certifiable(w):
        numeric = run_strategy(strategy, model, force=force)
        rows.append(ComparisonRow(strategy, numeric.count, numeric.uncertain, certify(w, strategy, force).count,
                                  total, lean_status(lean_dir, digest, strategy, statuses, note)))
    return rows
