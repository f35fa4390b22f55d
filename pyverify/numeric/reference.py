"""A straightforward reference implementation, the ground truth of tests and benchmarks."""

from __future__ import annotations

import torch

from pyverify.numeric.inputs import correct_mask, inputs_from_flat
from pyverify.model.transformer import MaxOfKTransformer


def count_correct_naive(model: MaxOfKTransformer, batch_size: int = 1 << 16, dtype=torch.float64) -> int:
    """Count correct inputs by a batched forward pass of the model over every input."""
    V, n = model.cfg.d_vocab, model.cfg.n_ctx
    model = model.to(dtype)
    correct = 0
    with torch.no_grad():
        for start in range(0, V**n, batch_size):
            flat = torch.arange(start, min(start + batch_size, V**n))
            tokens = inputs_from_flat(flat, V, n)
            correct += int(correct_mask(model(tokens), tokens).sum())
    return correct
