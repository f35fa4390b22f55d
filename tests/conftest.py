"""Shared fixtures: random small models and one model trained with the full recipe."""

from __future__ import annotations

import pytest
import torch

from pyverify.config import ModelConfig
from pyverify.model import MaxOfKTransformer
from pyverify.train import TrainConfig, train


def random_model(V: int, n: int, seed: int, d: int = 8, h: int = 8, biases: bool = False,
                 attn_gain: float = 1.0, weight_std: float = 1.0) -> MaxOfKTransformer:
    """A model with i.i.d. normal weights; ``attn_gain`` scales W_Q to sharpen the softmax."""
    cfg = ModelConfig(d_vocab=V, n_ctx=n, d_model=d, d_head=h, trainable_biases=biases)
    model = MaxOfKTransformer(cfg)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            is_bias = name.split(".")[-1].startswith("b_")
            if is_bias and not biases:
                continue
            p.copy_(torch.randn(p.shape, generator=g) * weight_std)
        model.blocks[0].attn.W_Q.mul_(attn_gain)
    return model


@pytest.fixture(scope="session")
def trained_k4() -> MaxOfKTransformer:
    """The paper's recipe, K=4, V=64, seed 123 (about 10 s on 2 cores)."""
    model, _ = train(ModelConfig(), TrainConfig(seed=123))
    return model
