"""Brute force as a proof strategy: every input checked (float64; see docs/strategies.md)."""

from __future__ import annotations

from pyverify.numeric.accuracy import count_correct
from pyverify.model.transformer import MaxOfKTransformer
from pyverify.numeric.strategies.result import StrategyResult
from pyverify.numeric.tables import path_tables, table_flops


def run_bruteforce(model: MaxOfKTransformer, force: bool = False) -> StrategyResult:
    """The exact count of correct inputs, as a (float64-evaluated) bound."""
    V, n = model.cfg.d_vocab, model.cfg.n_ctx
    result = count_correct(path_tables(model), force=force)
    return StrategyResult(
        strategy="brute-force", family="brute-force", count=result.correct, total=result.total,
        flops=table_flops(model.cfg) + result.flops, complexity="O(V^(n+1) n)", unexplained_dim=V**n,
        seconds=result.seconds, uncertain=result.uncertain,
    )
