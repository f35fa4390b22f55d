"""One table comparing the numeric, exact and formal bounds of a model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyverify.coqc import check_coq_project
from pyverify.export.coq import COQ_STRATEGIES
from pyverify.lake import NoToolchain, check_project
from pyverify.exact import certifiable, certify
from pyverify.exact.subcubic_checker import certify_subcubic
from pyverify.exact.weights import exact_weights
from pyverify.export import STRATEGIES, weights_digest
from pyverify.model import MaxOfKTransformer
from pyverify.strategies import run_strategy
from pyverify.strategies.subcubic import PRESETS


@dataclass(frozen=True)
class ComparisonRow:
    strategy: str
    numeric: int  # float64 strategy count
    uncertain: int  # the float64 count's rounding flag (StrategyResult.uncertain)
    exact: int  # certified count (interval arithmetic)
    total: int
    lean: str  # the Lean theorem's status, in words
    coq: str  # the Coq theorem's status, in words


def lean_status(lean_dir: Path, digest: str, strategy: str, statuses: list | None, note: str) -> str:
    """Find a generated module for these weights and strategy and say what is known about it.
    statuses: the result of check_project, or None when lake was not run (note says why)."""
    theorem = STRATEGIES[strategy.partition(":")[0]][2]
    marker = f"`pyverify export --strategy {strategy}`"
    folder = lean_dir / "Generated"
    modules = []
    if folder.is_dir():
        for p in sorted(folder.glob("*.lean")):
            text = p.read_text()
            if digest in text and marker in text and f"theorem {theorem}" in text:
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


def coq_modules(coq_dir: Path, digest: str, strategy: str) -> list[str]:
    """The generated Coq modules (relative paths) for these weights and strategy."""
    folder = coq_dir / "Generated"
    if not folder.is_dir():
        return []
    marker = f"[pyverify export --strategy {strategy} --prover coq]"
    return [f"Generated/{p.name}" for p in sorted(folder.glob("*.v")) if digest in (text := p.read_text())
            and marker in text]


def coq_status(coq_dir: Path, digest: str, strategy: str, statuses: list | None, note: str) -> str:
    """Find a generated Coq module for these weights and strategy and say what is known about it.
    statuses: the result of check_coq_project, or None when coqc was not run (note says why)."""
    if strategy not in COQ_STRATEGIES:
        return "no Coq soundness proof for this strategy yet"
    modules = coq_modules(coq_dir, digest, strategy)
    if not modules:
        return "not exported"
    relative = modules[0]
    if statuses is None:
        return f"{relative}: not checked ({note})"
    for s in statuses:
        if s.file == relative:
            if s.verified:
                return f"{relative}: verified by coqc ({s.seconds:.1f} s)"
            e = s.error
            return f"{relative}: failed ({e.path}:{e.line}: {e.message})" if e else f"{relative}: failed"
    return f"{relative}: not found by coqc"


def compare(model: MaxOfKTransformer, lean_dir: str | Path = "lean", coq_dir: str | Path = "coq",
            run_lake: bool = True, run_coq: bool = True, force: bool = False) -> list[ComparisonRow]:
    """Numeric vs exact vs Lean and Coq for cubic (and brute force on small models), and numeric
    vs exact vs Lean for the subcubic presets. Runs `lake build` and the Coq check once each, if asked
    and the prover is installed."""
    lean_dir, coq_dir = Path(lean_dir), Path(coq_dir)
    w = exact_weights(model)
    digest = weights_digest(w)
    total = w.d_vocab**w.n_ctx
    statuses, note = None, "--no-lake"
    if run_lake:
        try:
            statuses, _, _ = check_project(lean_dir)
        except NoToolchain:
            note = "no Lean toolchain"
    coq_statuses, coq_note = None, "--no-coq"
    ours = {m for s in COQ_STRATEGIES for m in coq_modules(coq_dir, digest, s)}
    if run_coq and ours:  # the Coq library is built only when there is a module to check
        try:
            coq_statuses, _ = check_coq_project(coq_dir, only=ours)
        except NoToolchain:
            coq_note = "coqc is not installed"
    rows = []
    for strategy in certifiable(w):
        numeric = run_strategy(strategy, model, force=force)
        rows.append(ComparisonRow(strategy, numeric.count, numeric.uncertain, certify(w, strategy, force).count,
                                  total, lean_status(lean_dir, digest, strategy, statuses, note),
                                  coq_status(coq_dir, digest, strategy, coq_statuses, coq_note)))
    for preset in PRESETS:  # a Lean checker, no Coq proof yet
        strategy = f"subcubic:{preset}"
        numeric = run_strategy(strategy, model, force=force)
        rows.append(ComparisonRow(strategy, numeric.count, numeric.uncertain,
                                  certify_subcubic(model, preset, force=force).count, total,
                                  lean_status(lean_dir, digest, strategy, statuses, note),
                                  coq_status(coq_dir, digest, strategy, None, "")))
    return rows
