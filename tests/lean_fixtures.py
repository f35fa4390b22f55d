"""A deterministic tiny model (V=4, K=2) built from a formula, for golden Lean files."""

import torch

from pyverify.config import ModelConfig
from pyverify.model import MaxOfKTransformer


def tiny_model() -> MaxOfKTransformer:
    """Exact dyadic weights from a fixed formula; a max-like unembedding so proofs succeed."""
    cfg = ModelConfig(d_vocab=4, n_ctx=2, d_model=4, d_head=4)
    model = MaxOfKTransformer(cfg)
    with torch.no_grad():
        for k, (name, p) in enumerate(model.named_parameters()):
            if ".b_" in name:
                continue
            idx = torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape)
            p.copy_((((idx * 37 + 11 * k) % 17) - 8) / 16)
        model.embed.W_E.copy_(torch.eye(4) * 2)
        model.unembed.W_U.copy_(torch.eye(4) * 2 + torch.arange(4.0)[None, :] / 8)
    return model
