"""The max-of-K model's shape and training-independent settings."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from pyverify.errors import PyVerifyError

# The attention divisor must lie in this range: outside it the float64 scores of any
# reasonable model overflow or vanish, and no trained model uses such a scale.
ATTN_SCALE_MIN, ATTN_SCALE_MAX = 2.0**-20, 2.0**20
# No dimension may exceed this (far beyond any model these tools can analyse).
MAX_DIMENSION = 1 << 24


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
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_DIMENSION:
                raise PyVerifyError(f"config field {name} must be an integer from 1 to {MAX_DIMENSION}, "
                                    f"got {_short(value)}")
        if self.d_vocab < 2:
            raise PyVerifyError(f"d_vocab must be at least 2, got {self.d_vocab}")
        if self.n_ctx < 2:
            raise PyVerifyError(f"n_ctx must be at least 2, got {self.n_ctx}")
        if not isinstance(self.n_heads, int) or isinstance(self.n_heads, bool) or self.n_heads != 1:
            raise PyVerifyError(f"only one attention head is supported, got n_heads={self.n_heads!r}")
        if not isinstance(self.trainable_biases, bool):
            raise PyVerifyError(f"config field trainable_biases must be true or false, got {self.trainable_biases!r}")
        if self.attn_scale is not None:
            value = self.attn_scale
            in_range = (isinstance(value, (int, float)) and not isinstance(value, bool)
                        and ATTN_SCALE_MIN <= value <= ATTN_SCALE_MAX)  # False for NaN; ints compare exactly
            if not in_range:
                raise PyVerifyError(f"attn_scale must be a number between 2^-20 and 2^20 (or null for "
                                    f"sqrt(d_head)), got {_short(value)}")
            object.__setattr__(self, "attn_scale", float(value))

    @property
    def scale(self) -> float:
        """The attention scale as a float divisor: sqrt(d_head) unless set explicitly."""
        return math.sqrt(self.d_head) if self.attn_scale is None else float(self.attn_scale)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "ModelConfig":
        if not isinstance(data, dict):
            raise PyVerifyError(f"model config must be a JSON object, got {_short(data)}")
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise PyVerifyError(f"unknown config field(s): {', '.join(unknown)}")
        return cls(**data)


def _short(value: object) -> str:
    """repr of a user-supplied value, cut to one short line."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
