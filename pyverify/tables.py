"""Path tables of a max-of-K model (the paper's EUPU, EQKE, EQKP, EVOU, PVOU), in float64.

For an input x (query token q = x[n-1]) the model's last-position logits are exactly

    scores_i = EQKE[q, x_i] + EQKP[q, i]                 (+ a key-independent constant)
    p        = softmax(scores)
    logits   = EUPU[q] + sum_i p_i * (EVOU[x_i] + PVOU[i])

The attention scale is applied here and only here: EQKE and EQKP are already divided by
``cfg.scale`` (sqrt(d_head) by default), so they are the attention scores themselves.

Biases are folded in exactly: b_V, b_O and b_U add a constant row to EUPU (the softmax
weights sum to 1); b_Q adds a key-dependent term to EQKE and EQKP; b_K adds q·b_K to every
score of a query, a constant that cancels in the softmax, so it drops out.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from pyverify.config import ModelConfig
from pyverify.model import MaxOfKTransformer


@dataclass(frozen=True)
class PathTables:
    """The five path tables (float64).

    EUPU [V_query, V_out]; EQKE [V_query, V_key]; EQKP [V_query, n_pos];
    EVOU [V_key, V_out]; PVOU [n_pos, V_out].
    """

    cfg: ModelConfig
    EUPU: torch.Tensor
    EQKE: torch.Tensor
    EQKP: torch.Tensor
    EVOU: torch.Tensor
    PVOU: torch.Tensor

    @property
    def d_vocab(self) -> int:
        return self.cfg.d_vocab

    @property
    def n_ctx(self) -> int:
        return self.cfg.n_ctx


def path_tables(model: MaxOfKTransformer) -> PathTables:
    """Compute the tables in float64 from the model's float32 weights."""
    cfg = model.cfg
    with torch.no_grad():
        W = {k: v.detach().to(torch.float64) for k, v in model.state_dict().items()}
    W_E, W_pos, W_U, b_U = W["embed.W_E"], W["pos_embed.W_pos"], W["unembed.W_U"], W["unembed.b_U"]
    W_Q, W_K, W_V, W_O = (W[f"blocks.0.attn.{k}"][0] for k in ("W_Q", "W_K", "W_V", "W_O"))
    b_Q, b_V, b_O = W["blocks.0.attn.b_Q"][0], W["blocks.0.attn.b_V"][0], W["blocks.0.attn.b_O"]

    resid_query = W_E + W_pos[-1]  # [V, d]: residual stream at the last position, by its token
    query = resid_query @ W_Q + b_Q  # [V, h]
    EUPU = resid_query @ W_U + ((b_V @ W_O + b_O) @ W_U + b_U)
    EQKE = (query @ W_K.T @ W_E.T) / cfg.scale
    EQKP = (query @ W_K.T @ W_pos.T) / cfg.scale
    OV_U = W_V @ W_O @ W_U  # [d, V]
    EVOU = W_E @ OV_U
    PVOU = W_pos @ OV_U
    return PathTables(cfg, EUPU, EQKE, EQKP, EVOU, PVOU)


def logits_from_tables(tables: PathTables, tokens: torch.Tensor) -> torch.Tensor:
    """Last-position logits by the table formula. tokens [B, n] -> [B, V] (float64)."""
    q = tokens[:, -1]
    positions = torch.arange(tokens.shape[1])
    scores = tables.EQKE[q[:, None], tokens] + tables.EQKP[q][:, positions]  # [B, n]
    p = scores.softmax(dim=-1)
    values = tables.EVOU[tokens] + tables.PVOU[positions]  # [B, n, V]
    return tables.EUPU[q] + (p[:, :, None] * values).sum(dim=1)
