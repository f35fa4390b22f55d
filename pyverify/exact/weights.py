"""A model's weights as exact integers over one power of two, and its path tables exactly.

Every weight is W_int / 2^S with one global S (exact: each stored float16, bfloat16, float32
or float64 is m * 2^e, carried through float64 without rounding). The tables
are then exact integers over a power of two: EUPU over 2^(2S); EQKE, EQKP, EVOU, PVOU over
2^(4S) (before the attention scale, which is irrational and enters in the checkers).
Lean twin: lean/PyVerify/Weights.lean and Tables.lean.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from pyverify.errors import PyVerifyError
from pyverify.exact.floats import scale_exponent, to_scaled_ints
from pyverify.model.transformer import MaxOfKTransformer, nonzero_bias

Matrix = list[list[int]]
TENSORS = ("W_E", "W_pos", "W_Q", "W_K", "W_V", "W_O", "W_U")


@dataclass(frozen=True)
class ExactWeights:
    """Integer matrices (lists of rows) and the shared exponent S: weight = int / 2^S."""

    d_vocab: int
    n_ctx: int
    d_model: int
    d_head: int
    S: int
    W_E: Matrix  # [V, d]
    W_pos: Matrix  # [n, d]
    W_Q: Matrix  # [d, h]
    W_K: Matrix  # [d, h]
    W_V: Matrix  # [d, h]
    W_O: Matrix  # [h, d]
    W_U: Matrix  # [d, V]
    stored_dtype: str = "float32"  # the format(s) the weights were stored in


def exact_weights(model: MaxOfKTransformer) -> ExactWeights:
    """Exact integer weights. Refuses what the certified checkers do not model: non-zero
    biases and a non-default attention scale."""
    cfg = model.cfg
    if cfg.attn_scale is not None:
        raise PyVerifyError("certified checkers support only the default attention scale 1/sqrt(d_head)")
    bias = nonzero_bias(model)
    if bias is not None:
        raise PyVerifyError(f"certified checkers need zero biases; {bias} is non-zero")
    sd = {k: v.detach().to(torch.float64) for k, v in model.state_dict().items()}  # exact for every format
    mats = {
        "W_E": sd["embed.W_E"], "W_pos": sd["pos_embed.W_pos"], "W_U": sd["unembed.W_U"],
        **{k: sd[f"blocks.0.attn.{k}"][0] for k in ("W_Q", "W_K", "W_V", "W_O")},
    }
    flat = [float(x) for k in TENSORS for x in mats[k].flatten().tolist()]
    S = scale_exponent(flat)
    ints = {}
    for k in TENSORS:
        rows = mats[k].tolist()
        ints[k] = [to_scaled_ints(row, S) for row in rows]
    return ExactWeights(cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head, S, **ints,
                        stored_dtype=model.stored_dtype)


def matmul(A: Matrix, B: Matrix) -> Matrix:
    """Exact integer matrix product."""
    Bt = list(zip(*B))
    return [[sum(a * b for a, b in zip(row, col)) for col in Bt] for row in A]


def transpose(A: Matrix) -> Matrix:
    return [list(col) for col in zip(*A)]


@dataclass(frozen=True)
class ExactTables:
    """Exact path tables as integers. EUPU over 2^(2S); the others over 2^(4S), unscaled."""

    S: int
    EUPU: Matrix  # [V_q, V_out]
    EQKE: Matrix  # [V_q, V_k]   (times 1/sqrt(h) = the attention score)
    EQKP: Matrix  # [V_q, n]
    EVOU: Matrix  # [V_k, V_out]
    PVOU: Matrix  # [n, V_out]


def row_range(row: list[int]) -> int:
    """max(row) - min(row), for a non-empty row."""
    return max(row) - min(row)


def resid_query(w: ExactWeights) -> Matrix:
    """W_E + W_pos[n-1]: the residual stream at the query position, per token [V, d], over 2^S."""
    return [[e + p for e, p in zip(row, w.W_pos[-1])] for row in w.W_E]


def exact_tables(w: ExactWeights) -> ExactTables:
    resid_query_rows = resid_query(w)
    QK = matmul(w.W_Q, transpose(w.W_K))  # [d, d] over 2^(2S)
    query_key = matmul(resid_query_rows, QK)  # over 2^(3S)
    OV = matmul(w.W_V, w.W_O)  # [d, d] over 2^(2S)
    OVU = matmul(OV, w.W_U)  # [d, V] over 2^(3S)
    return ExactTables(
        S=w.S,
        EUPU=matmul(resid_query_rows, w.W_U),
        EQKE=matmul(query_key, transpose(w.W_E)),
        EQKP=matmul(query_key, transpose(w.W_pos)),
        EVOU=matmul(w.W_E, OVU),
        PVOU=matmul(w.W_pos, OVU),
    )
