"""The one registry of proof strategies: every consumer (the CLI, export, compare, sweep, the
public API) reads what a strategy is and can do from here.

    strategy("subcubic:svd")   # Strategy(name, family, config, proof_class, lean=True, coq=True, ...)
    expand("all")              # the names "--strategy all" means
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pyverify.errors import PyVerifyError
from pyverify.model.transformer import MaxOfKTransformer
from pyverify.numeric.strategies.bruteforce import run_bruteforce
from pyverify.numeric.strategies.cubic import run_cubic
from pyverify.numeric.strategies.result import StrategyResult
from pyverify.numeric.strategies.subcubic import PRESETS, SubcubicConfig, complexity, run_subcubic

FAMILIES = ("brute-force", "cubic", "subcubic")
# What "--strategy all" runs.
ALL = ("brute-force", "cubic") + tuple(f"subcubic:{p}" for p in PRESETS)
# The families whose checker has a Coq soundness proof (coq/theories/Soundness.v, SubcubicSound.v).
COQ_PROVED = ("brute-force", "cubic", "subcubic")


@dataclass(frozen=True)
class Strategy:
    """One proof strategy.

    name:         as the CLI takes it: "brute-force", "cubic" or "subcubic:CONFIG" (a preset name
                  stays a preset name)
    family:       "brute-force", "cubic" or "subcubic"
    config:       the subcubic configuration, else None
    proof_class:  the asymptotic cost of checking the proof
    certifiable:  whether an exact (certified) checker exists; for brute force, only small models
    lean:         whether a Lean checker exists (`pyverify export`)
    coq:          whether the checker's soundness is a Coq theorem (`--prover coq`)
    """

    name: str
    family: str
    config: SubcubicConfig | None
    proof_class: str
    certifiable: bool
    lean: bool
    coq: bool

    def numeric(self) -> Callable[..., StrategyResult]:
        """The float64 runner: f(model, force=False) -> StrategyResult."""

        if self.family == "subcubic":
            return lambda model, force=False: run_subcubic(model, self.config, force=force)
        return run_bruteforce if self.family == "brute-force" else run_cubic


def strategy(name: str) -> Strategy:
    """The strategy a name denotes, or PyVerifyError naming what is accepted."""
    family, colon, config_text = name.partition(":")
    if family == "brute-force" and not colon:
        return Strategy(name, family, None, "O(V^(n+1) n)", True, True, family in COQ_PROVED)
    if family == "cubic" and not colon:
        return Strategy(name, family, None, "O(V^3 n + V^2 d)", True, True, family in COQ_PROVED)
    if family == "subcubic":
        config = SubcubicConfig.parse(config_text)
        return Strategy(name, family, config, complexity(config), config.implemented, config.implemented,
                        config.implemented and family in COQ_PROVED)
    raise PyVerifyError(f"unknown strategy {name!r}; use brute-force, cubic, subcubic[:CONFIG] (a preset: "
                        f"{', '.join(PRESETS)}, or EUPU/attention/error), subcubic:* or all")


def expand(spec: str) -> list[str]:
    """Strategy names for a user's request: a name, "all", or "subcubic:*" (every implemented config)."""
    if spec == "all":
        return list(ALL)
    if spec == "subcubic:*":
        return [f"subcubic:{c.name}" for c in SubcubicConfig.all() if c.implemented]
    strategy(spec)
    return [spec]


def run_numeric(name: str, model: MaxOfKTransformer, force: bool = False) -> StrategyResult:
    """The float64 bound of one named strategy on a model (a StrategyResult: an estimate)."""
    return strategy(name).numeric()(model, force=force)
