"""pyverify: machine-checked accuracy bounds for max-of-K transformers.

    import pyverify
    model = pyverify.load("runs/m.pt")                  # a path, a state dict, a HookedTransformer
    pyverify.accuracy(model)                            # float64 count, with its rounding flag
    pyverify.bound(model, "subcubic:default")           # a float64 lower bound
    pyverify.estimate(model, "stratified", flops=1e8)   # an estimate with a confidence interval
    cert = pyverify.certify(model, "cubic")             # exact interval arithmetic
    pyverify.export_lean(cert, "Seed123", "lean")       # a Lean theorem; export_coq for Coq
    pyverify.check("lean"); pyverify.compare(model)     # verdicts and one comparison, as data
"""

from pyverify.version import __version__  # noqa: E402
from pyverify.api import (BruteForceResult, ComparisonRow, Estimate, StrategyResult, TheoremStatus,  # noqa: E402
                          accuracy, bound, certify, check, compare, estimate, export_coq, export_lean, load)
from pyverify.model.checkpoint import save_checkpoint  # noqa: E402
from pyverify.compare import ProverStatus  # noqa: E402
from pyverify.model.config import ModelConfig  # noqa: E402
from pyverify.errors import PyVerifyError  # noqa: E402
from pyverify.exact.result import CertifiedResult  # noqa: E402
from pyverify.provers.base import NoToolchain  # noqa: E402
from pyverify.model.transformer import MaxOfKTransformer  # noqa: E402
from pyverify.model.train import TrainConfig, train  # noqa: E402

__all__ = ["__version__", "load", "accuracy", "bound", "certify", "estimate", "export_lean", "export_coq", "check",
           "compare", "save_checkpoint", "train", "ModelConfig", "TrainConfig", "MaxOfKTransformer", "CertifiedResult",
           "BruteForceResult", "StrategyResult", "Estimate", "ComparisonRow", "ProverStatus", "TheoremStatus",
           "PyVerifyError", "NoToolchain"]
