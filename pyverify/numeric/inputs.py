"""The input space of a max-of-K model and what "correct" means on it."""

from __future__ import annotations

import itertools

import torch


def all_inputs(d_vocab: int, n_ctx: int) -> torch.Tensor:
    """Every input sequence in lexicographic order: [V^n, n] int64."""
    return torch.tensor(list(itertools.product(range(d_vocab), repeat=n_ctx)), dtype=torch.int64)


def inputs_from_flat(flat: torch.Tensor, d_vocab: int, width: int) -> torch.Tensor:
    """Token tuples for flat indices in lexicographic order: [B] -> [B, width]."""
    return torch.stack([(flat // d_vocab ** (width - 1 - i)) % d_vocab for i in range(width)], dim=1)


def correct_mask(logits: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """Whether logits[max(x)] is strictly above every other logit (a tie is wrong; a NaN is
    never correct). logits [B, V], tokens [B, n] -> [B] bool"""
    answer = tokens.max(dim=1).values
    right = logits.gather(1, answer[:, None])
    others = logits.scatter(1, answer[:, None], float("-inf"))
    return right[:, 0] > others.amax(dim=1)
