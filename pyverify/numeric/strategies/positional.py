"""Positional attention weights, in logs: shared by the cubic and subcubic strategies."""

from __future__ import annotations

import torch

from pyverify.numeric.flops import FlopCounter


def positional_log_weights(EQKP: torch.Tensor, flops: FlopCounter) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """For each query q, logs of sums of positional weights exp(EQKP[q, i]) over non-query i.

    EQKP: [V, n]. Returns (log_low, log_high, log_query): log_low[q, a] / log_high[q, a] is
    the log of the sum of the a smallest / largest weights ([V, n], -inf for a = 0);
    log_query[q] = EQKP[q, n-1]. Logs keep tiny weights from underflowing to 0, and the
    complement of the a smallest is the n-1-a largest, so no exps are ever subtracted.
    """
    V, n = EQKP.shape
    ascending = flops.sort_rows(EQKP[:, : n - 1])
    minus_inf = torch.full((V, 1), float("-inf"), dtype=EQKP.dtype)
    log_low = torch.cat([minus_inf, flops.log_cumsum_exp(ascending)], dim=1)
    log_high = torch.cat([minus_inf, flops.log_cumsum_exp(ascending.flip(1))], dim=1)
    return log_low, log_high, EQKP[:, n - 1].clone()
