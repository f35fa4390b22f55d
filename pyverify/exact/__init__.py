"""The exact path: stored weights (any IEEE format) as exact integers, fixed-point interval
arithmetic with outward rounding, and certified checkers whose Lean twins live in
lean/PyVerify/.

    certify(model, "cubic").count     # or "brute-force" (small models), or "subcubic:PRESET"
"""

from __future__ import annotations

from dataclasses import replace

from pyverify.errors import PyVerifyError
from pyverify.exact.brute_checker import MAX_INPUTS, certify_brute
from pyverify.exact.cubic_checker import certify_cubic
from pyverify.exact.result import CertifiedResult
from pyverify.exact.subcubic_checker import certify_subcubic
from pyverify.exact.weights import ExactWeights, exact_weights
from pyverify.model.transformer import MaxOfKTransformer, architecture_line
from pyverify.numeric.registry import strategy as lookup


def certifiable(w: ExactWeights) -> list[str]:
    """The non-subcubic strategies that can certify this model (brute force only for small ones)."""
    return ["cubic"] + (["brute-force"] if w.d_vocab**w.n_ctx <= MAX_INPUTS else [])


# The certified checkers of the families without a configuration, by family.
CHECKERS = {"brute-force": certify_brute, "cubic": certify_cubic}


def certify(model: MaxOfKTransformer | ExactWeights, strategy: str, force: bool = False) -> CertifiedResult:
    """The certified count of one strategy (brute-force, cubic, or any
    subcubic:CONFIG), in exact interval arithmetic, with its blocks, the exact weights, the
    subcubic certificate's hints, and the model's architecture line: everything an
    export needs. A subcubic strategy needs the model (its float64 proof search), not only its
    exact weights. force: run work estimated to take long."""
    s = lookup(strategy)
    w = model if isinstance(model, ExactWeights) else exact_weights(model)
    limit = s.facts.certified_inputs
    if limit is not None and w.d_vocab**w.n_ctx > limit:
        raise PyVerifyError(f"certified {s.family.replace('-', ' ')} is for small models (at most {limit} inputs, this one has "
                            f"{w.d_vocab}^{w.n_ctx}); use --strategy cubic")
    if s.facts.configurable:
        if isinstance(model, ExactWeights):
            raise PyVerifyError("a certified subcubic count needs the model, for its float64 proof search")
        result = certify_subcubic(model, s.config, force=force)
    else:
        result = CHECKERS[s.family](w, force=force)
    architecture = architecture_line(model) if isinstance(model, MaxOfKTransformer) else ""
    return replace(result, strategy=strategy, weights=w, architecture=architecture)
