"""Proof strategies in float64: brute force, cubic and the subcubic family. Each turns a model
into a lower bound on its count of correct inputs computed in float64 (an estimate: the exact
checkers in pyverify/exact certify). The registry (pyverify/numeric/registry.py) names them and runs them.
"""

from pyverify.numeric.strategies.result import StrategyResult

__all__ = ["StrategyResult"]
