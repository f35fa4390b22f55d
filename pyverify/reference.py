"""Straightforward reference implementations, used as ground truth by tests and benchmarks."""

from __future__ import annotations

import itertools

import torch

from pyverify.model import MaxOfKTransformer


def all_inputs(d_vocab: int, n_ctx: int) -> torch.Tensor:
    """Every input sequence in lexicographic order: [V^n, n] int64."""
    return torch.tensor(list(itertools.product(range(d_vocab), repeat=n_ctx)), dtype=torch.int64)


def inputs_from_flat(flat: torch.Tensor, d_vocab: int, width: int) -> torch.Tensor:
    """Token tuples for flat indices in lexicographic order: [B] -> [B, width]."""
    return torch.stack([(flat // d_vocab ** (width - 1 - i)) % d_vocab for i in range(width)], dim=1)


def correct_mask(logits: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """Whether logits[max(x)] is strictly above every other logit (a tie is wrong). -> [B] bool"""
    answer = tokens.max(dim=1).values
    right = logits.gather(1, answer[:, None])
    others = logits.scatter(1, answer[:, None], float("-inf"))
    return right[:, 0] > others.amax(dim=1)


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
