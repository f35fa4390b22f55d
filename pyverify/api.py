"""The public Python API: load a model, measure it, bound it, certify it, export the certificate
to Lean and Coq, check the theorems and compare. The command line calls these functions and
nothing else of the pipeline.

    import pyverify
    model = pyverify.load("runs/m.pt")            # a path, a state dict, or a HookedTransformer
    cert = pyverify.certify(model, "cubic")         # exact interval arithmetic
    pyverify.export_lean(cert, "Seed123", "lean")   # lean/Generated/Seed123.lean
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol, Union

import torch

from pyverify.compare import ComparisonRow
from pyverify.compare import compare as _compare
from pyverify.errors import PyVerifyError
from pyverify.exact import certify as _certify
from pyverify.exact.result import CertifiedResult
from pyverify.model.checkpoint import load_model
from pyverify.model.transformer import MaxOfKTransformer, model_from_state_dict
from pyverify.model.transformer_lens import model_from_transformer_lens
from pyverify.numeric.accuracy import BruteForceResult, count_correct
from pyverify.numeric.estimate import Estimate
from pyverify.numeric.estimate import estimate as _estimate
from pyverify.numeric.registry import run_numeric
from pyverify.numeric.strategies.result import StrategyResult
from pyverify.numeric.tables import path_tables
from pyverify.provers import export_coq, export_lean
from pyverify.provers.base import TheoremStatus
from pyverify.provers.coq import check_coq_project
from pyverify.provers.lean import check_project



class HookedLike(Protocol):
    """What pyverify reads of a TransformerLens HookedTransformer (duck-typed)."""

    cfg: Any

    def state_dict(self) -> Mapping[str, Any]: ...


# Everything `load` takes: a path, a state dict, a HookedTransformer or a pyverify model.
ModelSource = Union[str, Path, Mapping[str, torch.Tensor], HookedLike, MaxOfKTransformer]

__all__ = ["load", "accuracy", "bound", "certify", "estimate", "export_lean", "export_coq", "check", "compare",
           "BruteForceResult", "StrategyResult", "Estimate", "ComparisonRow", "TheoremStatus", "ModelSource"]


def load(source: ModelSource) -> MaxOfKTransformer:
    """The model pyverify proves things about, from: a file path (`.safetensors` checkpoint
    with or without its sidecar, `.pt`/`.pth` TransformerLens state dict); a state dict (a
    mapping of TransformerLens names to tensors, on any device); a TransformerLens
    `HookedTransformer` (duck-typed: its `cfg` and `state_dict()`; every setting of its cfg is
    checked); or a pyverify model (returned as it is). Refuses anything else with one line."""

    if isinstance(source, MaxOfKTransformer):
        return source
    if isinstance(source, (str, Path)):
        return load_model(source)
    if isinstance(source, Mapping):
        return model_from_state_dict(dict(source))
    if hasattr(source, "cfg") and callable(getattr(source, "state_dict", None)):
        return model_from_transformer_lens(source)
    raise PyVerifyError(f"cannot load a model from a {type(source).__name__} (give a path, a state dict or a "
                        "HookedTransformer)")


def accuracy(model: ModelSource, force: bool = False, progress: bool = False) -> BruteForceResult:
    """The float64 count of correct inputs over all V^n (`.correct`, `.total`, `.accuracy`),
    with `.uncertain`: the inputs whose decision lies within the float64 rounding bound.
    model: anything `load` takes. force: run a count estimated to take over 10 minutes;
    progress: a progress bar."""
    return count_correct(path_tables(load(model)), force=force, progress=progress)


def bound(model: ModelSource, strategy: str = "cubic", force: bool = False) -> StrategyResult:
    """A float64 lower bound (an estimate) by one strategy: brute-force, cubic or
    subcubic[:CONFIG] (`.count`, `.bound`, `.flops`, `.uncertain`, ...). model: anything
    `load` takes."""
    return run_numeric(strategy, load(model), force=force)


def certify(model: ModelSource, strategy: str = "cubic", force: bool = False) -> CertifiedResult:
    """The certified count of one strategy in exact interval arithmetic (`.count`, `.blocks`,
    ...), the certificate `export_lean` and `export_coq` write. model: anything `load` takes."""
    return _certify(load(model), strategy, force)


def estimate(model: ModelSource, method: str = "monte-carlo", flops: float = 1e8, seed: int = 0, level: float = 0.95) -> Estimate:
    """An estimate of the number of correct inputs (`.count`, `.low`, `.high`, `.flops`, ...)
    by monte-carlo, stratified (the cubic proof's count plus its sampled remainder) or
    mechanistic (from the path tables, no interval), within `flops` FLOPs, deterministic given
    `seed`: docs/estimates.md. model: anything `load` takes."""
    return _estimate(load(model), method, flops, seed, level)


def check(lean_dir: str | Path | None = "lean", coq_dir: str | Path | None = None, lean: str | None = None,
          modules: set[str] | None = None, progress: Callable[[str], None] | None = None,
          workers: int = 1) -> list[TheoremStatus]:
    """Check the generated theorems of a Lean project (with the bare compiler `lean`) and/or
    a Coq project; one TheoremStatus per module (`.verified`, `.count`, `.error`, `.seconds`).
    Raises NoToolchain when a requested prover is missing. progress is told what starts.
    workers > 1: the bare compiler checks each Lean module's blocks on that many Dask workers."""

    statuses = []
    if lean_dir is not None:
        statuses += check_project(lean_dir, lean=lean, only=modules, progress=progress, workers=workers)[0]
    if coq_dir is not None:
        statuses += check_coq_project(coq_dir, only=modules, progress=progress)[0]
    return statuses


def compare(model: ModelSource, lean_dir: str | Path = "lean", coq_dir: str | Path = "coq",
            check_lean: bool = True, check_coq: bool = True, lean: str | None = None,
            force: bool = False) -> list[ComparisonRow]:
    """One row per strategy (cubic, brute force on small models, the four subcubic presets):
    the float64 bound, its rounding flag, the certified count, and what the Lean and Coq checks
    say of the modules for these weights. model: anything `load` takes."""
    return _compare(load(model), lean_dir, coq_dir, run_lake=check_lean, run_coq=check_coq, force=force, lean=lean)
