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


def float64_weights(model: MaxOfKTransformer) -> dict[str, torch.Tensor]:
    """The weights in float64 under short names (head dimension dropped): W_E, W_pos, W_Q, W_K,
    W_V, W_O, b_Q, b_K, b_V, b_O, W_U, b_U. Exact: every float32 is a float64."""
    sd = {k: v.detach().to(torch.float64) for k, v in model.state_dict().items()}
    W = {"W_E": sd["embed.W_E"], "W_pos": sd["pos_embed.W_pos"], "W_U": sd["unembed.W_U"], "b_U": sd["unembed.b_U"]}
    for k in ("W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V"):
        W[k] = sd[f"blocks.0.attn.{k}"][0]
    W["b_O"] = sd["blocks.0.attn.b_O"]
    return W


def path_tables(model: MaxOfKTransformer) -> PathTables:
    """Compute the tables in float64 from the model's float32 weights."""
    cfg = model.cfg
    W = float64_weights(model)
    W_E, W_pos, W_U, b_U = W["W_E"], W["W_pos"], W["W_U"], W["b_U"]
    W_Q, W_K, W_V, W_O = W["W_Q"], W["W_K"], W["W_V"], W["W_O"]
    b_Q, b_V, b_O = W["b_Q"], W["b_V"], W["b_O"]

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


def table_flops(cfg: ModelConfig, names: tuple[str, ...] = ("EUPU", "EQKE", "EQKP", "EVOU", "PVOU")) -> int:
    """FLOPs ``path_tables`` spends on the named tables (shared products counted once)."""
    V, n, d, h = cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head
    cost = {
        "EUPU": 2 * V * d * V,
        "EQKE": 2 * V * d * V,
        "EQKP": 2 * V * d * n,
        "EVOU": 2 * V * d * V,
        "PVOU": 2 * n * d * V,
    }
    total = V * d + sum(cost[k] for k in names)
    if "EQKE" in names or "EQKP" in names:
        total += 2 * V * d * h + 2 * V * h * d  # (W_E + W_pos[-1]) W_Q W_K^T
    if "EVOU" in names or "PVOU" in names:
        total += 2 * d * h * d + 2 * d * d * V  # W_V W_O W_U
    return total
