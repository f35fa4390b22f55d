"""The exact path: stored weights (any IEEE format) as exact integers, fixed-point interval
arithmetic with outward rounding, and certified checkers whose Lean twins live in
lean/PyVerify/.

    certify(exact_weights(model), "cubic").count     # or "brute-force" (small models)
"""

from __future__ import annotations

from pyverify.errors import PyVerifyError
from pyverify.exact.brute_checker import MAX_INPUTS, certify_brute
from pyverify.exact.cubic_checker import certify_cubic
from pyverify.exact.result import CertifiedResult
from pyverify.exact.weights import ExactWeights

# The strategies a certificate can be made for.
CERTIFIABLE = ("cubic", "brute-force")


def certifiable(w: ExactWeights) -> list[str]:
    """The strategies that can certify this model (brute force only for small ones)."""
    return [s for s in CERTIFIABLE if s != "brute-force" or w.d_vocab**w.n_ctx <= MAX_INPUTS]


def certify(w: ExactWeights, strategy: str, force: bool = False) -> CertifiedResult:
    """The certified count of one strategy. force: run work estimated to take long."""
    if strategy == "cubic":
        return certify_cubic(w, force=force)
    if strategy == "brute-force":
        if w.d_vocab**w.n_ctx > MAX_INPUTS:
            raise PyVerifyError(f"certified brute force is for small models (at most {MAX_INPUTS} inputs, this one "
                                f"has {w.d_vocab}^{w.n_ctx}); use --strategy cubic")
        return certify_brute(w, force=force)
    raise PyVerifyError(f"certifiable strategies are {', '.join(CERTIFIABLE)}, not {strategy!r}")
