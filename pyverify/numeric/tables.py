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

Rounding: float64 tables differ from the exact ones. Each entry is a chain of at most K =
2 d + 2 h + 8 rounded operations (products, sums, the float sqrt of the scale), so its error
is at most gamma_K = K u / (1 - K u) times the same chain evaluated on absolute values
(u = 2^-53; Higham, *Accuracy and Stability of Numerical Algorithms*, 2nd ed., sec. 3.1 and
3.5). ``RoundingBounds`` holds these a-priori bounds, doubled to cover second-order terms and
the rounding of the absolute-value chain itself; strategies use them to flag decisions that
float64 rounding could have changed (docs/strategies.md, "Rounding").
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from pyverify.model.config import ModelConfig
from pyverify.errors import PyVerifyError
from pyverify.model.transformer import MaxOfKTransformer

UNIT_ROUNDOFF = 2.0**-53


@dataclass(frozen=True)
class RoundingBounds:
    """A-priori float64 error bounds, per query token (each [V]).

    delta_error[q]: error of any logit-difference term EVOU[t,o] - EVOU[t,m] + PVOU[i,o] -
                    PVOU[i,m] + EUPU[q,o] - EUPU[q,m] as computed from the tables
    delta_max[q]:   an upper bound on the magnitude of such a term
    score_error[q]: error of any attention score EQKE[q,t] + EQKP[q,i]
    """

    delta_error: torch.Tensor
    delta_max: torch.Tensor
    score_error: torch.Tensor

    def margin_error(self, n_ctx: int) -> torch.Tensor:
        """[V]: a bound on the error of a computed logit difference (normalised by the softmax
        denominator) for an input with query q: table errors, plus the relative error of the
        attention weights (exp of scores with error score_error, shifted by another such
        score) times the largest term, plus the rounding of the n-term evaluation."""
        u = UNIT_ROUNDOFF
        weight_error = torch.expm1(2 * self.score_error + 8 * u)
        return 2 * (self.delta_error + (weight_error + (n_ctx + 4) * u) * self.delta_max)


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
    rounding: RoundingBounds

    @property
    def d_vocab(self) -> int:
        return self.cfg.d_vocab

    @property
    def n_ctx(self) -> int:
        return self.cfg.n_ctx


def float64_weights(model: MaxOfKTransformer) -> dict[str, torch.Tensor]:
    """The weights in float64 under short names (head dimension dropped): W_E, W_pos, W_Q, W_K,
    W_V, W_O, b_Q, b_K, b_V, b_O, W_U, b_U. Exact: every stored format fits in float64."""
    sd = {k: v.detach().to(torch.float64) for k, v in model.state_dict().items()}
    W = {"W_E": sd["embed.W_E"], "W_pos": sd["pos_embed.W_pos"], "W_U": sd["unembed.W_U"], "b_U": sd["unembed.b_U"]}
    for k in ("W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V"):
        W[k] = sd[f"blocks.0.attn.{k}"][0]
    W["b_O"] = sd["blocks.0.attn.b_O"]
    return W


def query_residual(W: dict[str, torch.Tensor]) -> torch.Tensor:
    """W_E + W_pos[n-1] [V, d]: the residual stream at the query position, by its token (the
    float64 twin of pyverify.exact.weights.resid_query)."""
    return W["W_E"] + W["W_pos"][-1]


def path_tables(model: MaxOfKTransformer) -> PathTables:
    """Compute the tables in float64 from the model's weights (converted exactly), with their
    a-priori rounding bounds. Refuses models whose tables overflow float64."""
    cfg = model.cfg
    W = float64_weights(model)
    tables = _tables(cfg, W)
    magnitudes = _tables(cfg, {k: v.abs() for k, v in W.items()})  # the same chains on |weights|
    for name, value in zip(("EUPU", "EQKE", "EQKP", "EVOU", "PVOU"), magnitudes):
        if not torch.isfinite(value).all():
            raise PyVerifyError(f"the float64 table {name} overflows for these weights; the numeric path "
                                "cannot evaluate this model")
    K = 2 * cfg.d_model + 2 * cfg.d_head + 8
    u = UNIT_ROUNDOFF
    err = 2 * K * u / (1 - K * u)  # doubled gamma_K
    EUPU_m, EQKE_m, EQKP_m, EVOU_m, PVOU_m = magnitudes
    delta_max = 2 * (EVOU_m.amax() + PVOU_m.amax() + EUPU_m.amax(dim=1))
    rounding = RoundingBounds(
        delta_error=err * delta_max + 4 * u * delta_max,  # table errors, and the two subtractions
        delta_max=delta_max,
        score_error=(err + 2 * u) * (EQKE_m.amax(dim=1) + EQKP_m.amax(dim=1)),  # tables, and their sum
    )
    return PathTables(cfg, *tables, rounding)


def _tables(cfg: ModelConfig, W: dict[str, torch.Tensor]) -> tuple[torch.Tensor, ...]:
    """(EUPU, EQKE, EQKP, EVOU, PVOU) from float64 weights (see the module docstring)."""
    W_E, W_pos, W_U, b_U = W["W_E"], W["W_pos"], W["W_U"], W["b_U"]
    W_Q, W_K, W_V, W_O = W["W_Q"], W["W_K"], W["W_V"], W["W_O"]
    b_Q, b_V, b_O = W["b_Q"], W["b_V"], W["b_O"]

    resid_query = query_residual(W)  # [V, d]: residual stream at the last position, by its token
    query = resid_query @ W_Q + b_Q  # [V, h]
    EUPU = resid_query @ W_U + ((b_V @ W_O + b_O) @ W_U + b_U)
    EQKE = (query @ W_K.T @ W_E.T) / cfg.scale
    EQKP = (query @ W_K.T @ W_pos.T) / cfg.scale
    OV_U = W_V @ W_O @ W_U  # [d, V]
    EVOU = W_E @ OV_U
    PVOU = W_pos @ OV_U
    return EUPU, EQKE, EQKP, EVOU, PVOU


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
