"""Proof strategies: each turns a model into a certified count of correct inputs.

    run_strategy("brute-force" | "cubic" | "subcubic" | "subcubic:CONFIG", model) -> StrategyResult

CONFIG is "EUPU/attention/attention_error" (see subcubic.SubcubicConfig) or a preset name:
default, exact-eqke, svd, quadratic.
"""

from __future__ import annotations

from pyverify.errors import PyVerifyError
from pyverify.model import MaxOfKTransformer
from pyverify.strategies.bruteforce import run_bruteforce
from pyverify.strategies.cubic import run_cubic
from pyverify.strategies.result import StrategyResult
from pyverify.strategies.subcubic import PRESETS, SubcubicConfig, run_subcubic

# What "--strategy all" runs.
ALL = ("brute-force", "cubic") + tuple(f"subcubic:{p}" for p in PRESETS)


def expand(spec: str) -> list[str]:
    """Strategy names for a user's request: a name, "all", or "subcubic:*" (every implemented config)."""
    if spec == "all":
        return list(ALL)
    if spec == "subcubic:*":
        return [f"subcubic:{c.name}" for c in SubcubicConfig.all() if c.implemented]
    return [spec]


def run_strategy(name: str, model: MaxOfKTransformer, force: bool = False) -> StrategyResult:
    """Run one named strategy on a model."""
    if name == "brute-force":
        return run_bruteforce(model, force=force)
    if name == "cubic":
        return run_cubic(model, force=force)
    if name == "subcubic" or name.startswith("subcubic:"):
        return run_subcubic(model, SubcubicConfig.parse(name.partition(":")[2]), force=force)
    raise PyVerifyError(f"unknown strategy {name!r}; use brute-force, cubic, subcubic[:CONFIG], subcubic:* or all")


__all__ = ["ALL", "StrategyResult", "expand", "run_strategy"]
