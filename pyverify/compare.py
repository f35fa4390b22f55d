"""One table comparing the numeric, exact and formal bounds of a model."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyverify.provers.coq import check_coq_project
from pyverify.provers.coq_render import coq_checker
from pyverify.provers.base import NoToolchain
from pyverify.provers.lean import check_project
from pyverify.exact import certifiable, certify
from pyverify.exact.weights import exact_weights
from pyverify.provers import weights_digest
from pyverify.provers.read import ModuleError, read_coq_module, read_lean_module
from pyverify.model.transformer import MaxOfKTransformer
from pyverify.numeric.registry import run_numeric
from pyverify.numeric.strategies.subcubic import PRESETS


@dataclass(frozen=True)
class ProverStatus:
    """What is known about the Lean or Coq theorem of one strategy for these weights, as data.

    state:   "verified", "failed", "not checked" (the prover was not run: `detail` says why),
             "not exported" (no module for these weights) or "no proof" (no Coq soundness proof
             for the strategy)
    module:  the generated module (relative to the project), if there is one
    detail:  the failure (file:line: message) or why it was not checked
    seconds: the prover's time, when verified
    str() gives the sentence `pyverify compare` prints."""

    state: str
    module: str = ""
    detail: str = ""
    seconds: float = 0.0
    prover: str = ""

    @property
    def verified(self) -> bool:
        return self.state == "verified"

    def __str__(self) -> str:
        if self.state == "verified":
            return f"{self.module}: verified by {self.prover} ({self.seconds:.1f} s)"
        if self.state == "failed":
            return f"{self.module}: failed ({self.detail})" if self.detail else f"{self.module}: failed"
        if self.state == "not checked":
            return f"{self.module}: not checked ({self.detail})" if self.detail else f"{self.module}: not checked"
        return "no Coq soundness proof for this strategy yet" if self.state == "no proof" else "not exported"


@dataclass(frozen=True)
class ComparisonRow:
    strategy: str
    numeric: int  # float64 strategy count
    uncertain: int  # the float64 count's rounding flag (StrategyResult.uncertain)
    exact: int  # certified count (interval arithmetic)
    total: int
    lean: ProverStatus  # the Lean theorem's status
    coq: ProverStatus  # the Coq theorem's status


def find_modules(folder: Path, suffix: str, digest: str, strategy: str) -> list[str]:
    """The generated modules (relative paths) in folder whose weights, decoded from the module
    itself, have this digest, and whose strategy is this one. Unreadable modules are skipped."""
    read = read_lean_module if suffix == ".lean" else read_coq_module
    found = []
    for path in sorted(folder.glob(f"*{suffix}")) if folder.is_dir() else []:
        try:
            module = read(path)
        except ModuleError:
            continue
        if module.strategy == strategy and weights_digest(module.weights) == digest:
            found.append(f"Generated/{path.name}")
    return found


def module_status(relative: str, statuses: list | None, note: str, prover: str) -> ProverStatus:
    """What is known about one generated module: its check's verdict, or why it was not checked."""
    if statuses is None:
        return ProverStatus("not checked", relative, note, prover=prover)
    for s in statuses:
        if s.file == relative:
            if s.verified:
                return ProverStatus("verified", relative, seconds=s.seconds, prover=prover)
            e = s.error
            return ProverStatus("failed", relative, f"{e.path}:{e.line}: {e.message}" if e else "", prover=prover)
    return ProverStatus("not checked", relative, prover=prover)


def lean_status(lean_dir: Path, digest: str, strategy: str, statuses: list | None, note: str) -> ProverStatus:
    """Find a generated Lean module for these weights and strategy and say what is known about it.
    statuses: the result of check_project, or None when Lean was not run (note says why)."""
    modules = find_modules(lean_dir / "Generated", ".lean", digest, strategy)
    return module_status(modules[0], statuses, note, "Lean") if modules else ProverStatus("not exported", prover="Lean")


def coq_status(coq_dir: Path, digest: str, strategy: str, statuses: list | None, note: str) -> ProverStatus:
    """Find a generated Coq module for these weights and strategy and say what is known about it.
    statuses: the result of check_coq_project, or None when coqc was not run (note says why)."""
    if coq_checker(strategy) is None:
        return ProverStatus("no proof", prover="coqc")
    modules = find_modules(coq_dir / "Generated", ".v", digest, strategy)
    return module_status(modules[0], statuses, note, "coqc") if modules else ProverStatus("not exported", prover="coqc")


def compare(model: MaxOfKTransformer, lean_dir: str | Path = "lean", coq_dir: str | Path = "coq",
            run_lake: bool = True, run_coq: bool = True, force: bool = False,
            lean: str | None = None) -> list[ComparisonRow]:
    """Numeric vs exact vs Lean and Coq for cubic (and brute force on small models) and the
    subcubic presets. Runs the Lean and the Coq check once each, if asked and the prover is
    installed."""
    lean_dir, coq_dir = Path(lean_dir), Path(coq_dir)
    w = exact_weights(model)
    digest = weights_digest(w)
    total = w.d_vocab**w.n_ctx
    statuses, note = None, "--no-lake"
    strategies = certifiable(w) + [f"subcubic:{p}" for p in PRESETS]
    lean_ours = {Path(m).stem for s in strategies for m in find_modules(lean_dir / "Generated", ".lean", digest, s)}
    if run_lake and lean_ours:
        try:
            statuses, _, _ = check_project(lean_dir, lean=lean, only=lean_ours)
        except NoToolchain:
            note = "no Lean toolchain"
    coq_statuses, coq_note = None, "--no-coq"
    ours = {Path(m).stem for s in strategies for m in find_modules(coq_dir / "Generated", ".v", digest, s)}
    if run_coq and ours:  # the Coq library is built only when there is a module to check
        try:
            coq_statuses, _ = check_coq_project(coq_dir, only=ours)
        except NoToolchain:
            coq_note = "coqc is not installed"
    rows = []
    for strategy in strategies:
        numeric = run_numeric(strategy, model, force=force)
        exact = certify(model, strategy, force).count
        coq = coq_status(coq_dir, digest, strategy, coq_statuses, coq_note)
        rows.append(ComparisonRow(strategy, numeric.count, numeric.uncertain, exact, total,
                                  lean_status(lean_dir, digest, strategy, statuses, note), coq))
    return rows
