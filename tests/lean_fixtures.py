"""Lean fixtures: a deterministic tiny model (V=4, K=2) built from a formula, for golden Lean files,
and the exact weights a generated Lean module holds."""

import re
from pathlib import Path

import torch

from pyverify.config import ModelConfig
from pyverify.exact.weights import ExactWeights
from pyverify.export import FIELDS
from pyverify.export.pack import unpack_matrix
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


def lean_module_weights(path: Path) -> ExactWeights:
    """The exact weights a generated Lean module holds (its packed matrices, decoded), so that
    other renderings (the Coq module) can be made from the very same model."""
    text = Path(path).read_text()
    dims = {k: int(re.search(rf"{k} := (\d+)", text)[1]) for k in ("dVocab", "nCtx", "dModel", "dHead", "S")}
    matrices = {}
    for field, attr in FIELDS:
        m = re.search(rf"{field} := decodeMatrix (\d+) (\d+) (\d+)\s+0x([0-9a-f]+)", text)
        matrices[attr] = unpack_matrix(int(m[1]), int(m[2]), int(m[3]), int(m[4], 16))
    stored = re.search(r"stored as (\w+)", text)[1]
    return ExactWeights(dims["dVocab"], dims["nCtx"], dims["dModel"], dims["dHead"], dims["S"], **matrices,
                        stored_dtype=stored)
