"""The model zoo every soundness test shares, built once per session (conftest.py `zoo`).

300 small models (V 4..16, n 2..4) of five kinds, so that the strategies prove a lot and
soundness is really at stake:

  trained      50 steps of AdamW at lr 2e-2 (max-like; half with a sharpened softmax)
  random       i.i.d. normal weights, soft to very sharp attention, small to large scale
  biased       random weights with non-zero biases (numeric path only)
  near-tie     trained or random, with two outputs equal up to a tiny offset (or exactly)
  max-like     random weights pushed towards a max-like unembedding and key ordering
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import torch

from pyverify.numeric.accuracy import BruteForceResult, count_correct
from pyverify.numeric.tables import path_tables

from pyverify.model.config import ModelConfig
from pyverify.model.transformer import MaxOfKTransformer
from pyverify.model.train import TrainConfig, train

SIZE = 300
KINDS = ("trained", "random", "biased", "near-tie", "max-like")


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


def quick_trained(V: int, n: int, seed: int, steps: int = 50) -> MaxOfKTransformer:
    """A briefly trained model: few steps at a high learning rate already gives max-like weights."""
    model, _ = train(ModelConfig(d_vocab=V, n_ctx=n, d_model=8, d_head=8),
                     TrainConfig(seed=seed, steps=steps, lr=2e-2, batch_size=64))
    return model


@dataclass
class ZooModel:
    index: int
    kind: str
    model: MaxOfKTransformer

    @cached_property
    def brute_force(self) -> BruteForceResult:
        """The float64 brute-force count (computed once, shared by every test)."""
        return count_correct(path_tables(self.model))

    @property
    def zero_biases(self) -> bool:
        """Whether the exact path (which models zero biases only) can take this model."""
        return all(float(p.abs().max()) == 0 for k, p in self.model.state_dict().items() if ".b_" in k)

    @property
    def inputs(self) -> int:
        return self.model.cfg.d_vocab ** self.model.cfg.n_ctx


def make_model(i: int) -> ZooModel:
    V, n = 4 + i % 13, 2 + i % 3
    kind = KINDS[i % len(KINDS)]
    if kind == "trained":
        model = quick_trained(V, n, seed=i)
        if i % 2:
            with torch.no_grad():
                model.blocks[0].attn.W_Q.mul_(8.0)  # sharper softmax than training produced
    elif kind == "random":
        model = random_model(V, n, seed=i, d=6, h=6, attn_gain=(1.0, 5.0, 25.0)[i % 3],
                             weight_std=(1.0, 0.3, 3.0)[i // 3 % 3])
    elif kind == "biased":
        model = random_model(V, n, seed=i, d=6, h=6, attn_gain=(1.0, 5.0, 25.0)[i % 3], biases=True)
    elif kind == "near-tie":
        model = quick_trained(V, n, seed=i) if i % 2 else random_model(V, n, seed=i, d=6, h=4)
        with torch.no_grad():  # an exact tie, a relative offset of 2^-20, or an absolute one of 1e-6
            model.unembed.W_U[:, 1] = model.unembed.W_U[:, 0] * (1.0, 1.0 + 2.0**-20, 1.0)[i % 3]
            if i % 3 == 2:
                model.unembed.W_U[:, 1] += 1e-6
    else:  # max-like
        model = random_model(V, n, seed=i, d=V + 1, h=4, attn_gain=(0.5, 4.0, 30.0)[i % 3],
                             weight_std=(0.2, 1.0, 3.0)[i // 3 % 3])
        push = (1.0, 4.0, 8.0)[i // 7 % 3]
        with torch.no_grad():
            model.unembed.W_U[:V, :] += push * torch.eye(V)
            model.blocks[0].attn.W_K[:, :V, 0] += push * torch.linspace(0, 1, V)
            model.blocks[0].attn.W_Q[:, :, 0] += push / 4
    return ZooModel(i, kind, model)


def build_zoo(size: int = SIZE) -> list[ZooModel]:
    return [make_model(i) for i in range(size)]
