"""The one registry of proof strategies and of their families: every consumer (the CLI, export,
the provers, compare, sweep, the public API) reads what a strategy is and can do from here, and
what differs between families from its one Family record.

    strategy("subcubic:svd")   # Strategy(name, family, config, proof_class, lean=True, coq=True, ...)
    FAMILIES["cubic"].lean     # its Lean checker's names; .coq, .measures, .certified_inputs, ...
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

# What "--strategy all" runs.
ALL = ("brute-force", "cubic") + tuple(f"subcubic:{p}" for p in PRESETS)


@dataclass(frozen=True)
class LeanChecker:
    """A family's Lean checker (lean/PyVerify): the checker, the module's title, its final theorem,
    the Coq theorem proving the checker's twin, the per-block count, the block theorems' prefix,
    and the checker's partition of the max tokens."""

    checker: str
    title: str
    theorem: str
    coq_sound: str
    block_fn: str
    block_theorem: str
    blocks_fn: str


@dataclass(frozen=True)
class CoqChecker:
    """A family's Coq checker (coq/theories), whose soundness is a Coq theorem: the checker
    evaluated by vm_compute (on BigZ), the theorem equating it with the checker on Z, the
    soundness theorem, a title, and the type of the count (`nat`, or binary `N` where counts reach
    V^K = 16,777,216: a unary nat that large does not fit)."""

    checker: str
    checker_eq: str
    sound: str
    title: str
    scope: str


@dataclass(frozen=True)
class Family:
    """Everything that differs between strategy families, for every layer.

    configurable:     takes a CONFIG (`subcubic:CONFIG`), and its certificates carry the float64
                      proof search's hints
    measures:         its float64 run is the accuracy measurement itself (brute force)
    certified_inputs: the most inputs its exact checker takes (None: any)
    lean_inputs:      the most inputs whose Lean certificate a sweep exports (None: any)
    lean, coq:        its Lean and Coq checkers
    coq_seconds:      coqc's time on the checker at (V, n) after the tables (2 cores, Coq 8.16,
                      scripts/bench_coq.py): rough, for the estimate `export` prints
    run:              its float64 runner, run(model, config, force) -> StrategyResult
    """

    name: str
    configurable: bool
    measures: bool
    certified_inputs: int | None
    lean_inputs: int | None
    lean: LeanChecker
    coq: CoqChecker
    coq_seconds: Callable[[int, int], float]
    run: Callable[..., StrategyResult]


FAMILIES = {
    "brute-force": Family(
        "brute-force", configurable=False, measures=True, certified_inputs=200_000, lean_inputs=5000,
        lean=LeanChecker("checkBrute", "Brute-force", "brute_force_certified", "Soundness.brute_sound", "bruteBlock",
                         "brute_force_block", "bruteBlocks"),
        coq=CoqChecker("check_brute_big", "check_brute_big_eq", "brute_sound", "Brute-force", "nat"),
        coq_seconds=lambda V, n: V**n * 1.25e-3 * n * (0.28 + 0.03 * V),  # per input, ms: 1.25 n (0.28 + 0.03 V)
        run=lambda model, config, force: run_bruteforce(model, force=force)),
    "cubic": Family(
        "cubic", configurable=False, measures=False, certified_inputs=None, lean_inputs=None,
        lean=LeanChecker("checkCubic", "Cubic", "cubic_certified", "Soundness.cubic_sound", "cubicBlock",
                         "cubic_block", "cubicBlocks"),
        coq=CoqChecker("check_cubic_big", "check_cubic_big_eq", "cubic_sound", "Cubic", "N"),
        coq_seconds=lambda V, n: 27.0 * (V / 64) ** 2.5 * (n / 4),  # Seed123: 31 s of coqc in all
        run=lambda model, config, force: run_cubic(model, force=force)),
    "subcubic": Family(
        "subcubic", configurable=True, measures=False, certified_inputs=None, lean_inputs=None,
        lean=LeanChecker("checkSubcubic", "Subcubic", "subcubic_certified", "SubcubicSound.subcubic_sound",
                         "subcubicBlock", "subcubic_block", "subcubicBlocks"),
        coq=CoqChecker("check_subcubic_big", "check_subcubic_big_eq", "subcubic_sound", "Subcubic", "N"),
        coq_seconds=lambda V, n: 20.0 * (V / 64) ** 2 * (n / 4),  # the presets: 16-21 s of checker, quadratic 37 s
        run=lambda model, config, force: run_subcubic(model, config, force=force)),
}


@dataclass(frozen=True)
class Strategy:
    """One proof strategy.

    name:         as the CLI takes it: "brute-force", "cubic" or "subcubic:CONFIG" (a preset name
                  stays a preset name)
    family:       "brute-force", "cubic" or "subcubic"
    config:       the subcubic configuration, else None
    proof_class:  the asymptotic cost of checking the proof
    """

    name: str
    family: str
    config: SubcubicConfig | None
    proof_class: str

    @property
    def facts(self) -> Family:
        """The record of its family."""
        return FAMILIES[self.family]


PROOF_CLASS = {"brute-force": "O(V^(n+1) n)", "cubic": "O(V^3 n + V^2 d)"}


def strategy(name: str) -> Strategy:
    """The strategy a name denotes, or PyVerifyError naming what is accepted."""
    family, colon, config_text = name.partition(":")
    if family in FAMILIES and FAMILIES[family].configurable:
        config = SubcubicConfig.parse(config_text)
        return Strategy(name, family, config, complexity(config))
    if family in FAMILIES and not colon:
        return Strategy(name, family, None, PROOF_CLASS[family])
    raise PyVerifyError(f"unknown strategy {name!r}; use brute-force, cubic, subcubic[:CONFIG] (a preset: "
                        f"{', '.join(PRESETS)}, or EUPU/attention/error), subcubic:* or all")


def expand(spec: str) -> list[str]:
    """Strategy names for a user's request: a name, "all", or "subcubic:*" (every config)."""
    if spec == "all":
        return list(ALL)
    if spec == "subcubic:*":
        return [f"subcubic:{c.name}" for c in SubcubicConfig.all()]
    strategy(spec)
    return [spec]


def run_numeric(name: str, model: MaxOfKTransformer, force: bool = False) -> StrategyResult:
    """The float64 bound of one named strategy on a model (a StrategyResult: an estimate)."""
    s = strategy(name)
    return s.facts.run(model, s.config, force)
