"""The max-of-K model's shape and training-independent settings."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from pyverify.errors import PyVerifyError


@dataclass(frozen=True)
class ModelConfig:
    """Shape of a one-layer, one-head, attention-only max-of-K transformer.

    d_vocab:   V, number of tokens (inputs are integers 0..V-1)
    n_ctx:     n = K, sequence length; the answer is read at position n-1
    d_model:   d, residual stream width
    d_head:    h, query/key/value width
    n_heads:   must be 1
    attn_scale: the divisor of the attention scores, as in TransformerLens. ``None`` means
               the exact real number sqrt(d_head) (TransformerLens' default); a float is
               taken as that exact binary value.
    trainable_biases: if False (the paper's recipe) every bias is zero and frozen.
    """

    d_vocab: int = 64
    n_ctx: int = 4
    d_model: int = 32
    d_head: int = 32
    n_heads: int = 1
    attn_scale: float | None = None
    trainable_biases: bool = False

    def __post_init__(self) -> None:
        for name in ("d_vocab", "n_ctx", "d_model", "d_head"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise PyVerifyError(f"config field {name} must be a positive integer, got {value!r}")
        if self.d_vocab < 2:
            raise PyVerifyError(f"d_vocab must be at least 2, got {self.d_vocab}")
        if self.n_ctx < 2:
            raise PyVerifyError(f"n_ctx must be at least 2, got {self.n_ctx}")
        if self.n_heads != 1:
            raise PyVerifyError(f"only one attention head is supported, got n_heads={self.n_heads}")
        if self.attn_scale is not None and not (math.isfinite(self.attn_scale) and self.attn_scale > 0):
            raise PyVerifyError(f"attn_scale must be a positive finite number, got {self.attn_scale!r}")

    @property
    def scale(self) -> float:
        """The attention scale as a float divisor: sqrt(d_head) unless set explicitly."""
        return math.sqrt(self.d_head) if self.attn_scale is None else float(self.attn_scale)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ModelConfig":
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise PyVerifyError(f"unknown config field(s): {', '.join(unknown)}")
        return cls(**data)
