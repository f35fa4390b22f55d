"""A minimal attention-only max-of-K transformer with TransformerLens parameter names.

One layer, one head, no LayerNorm, no MLP, learned absolute positions, causal attention,
the prediction read at the last position. ``model.state_dict()`` has exactly the keys and
shapes of a TransformerLens ``HookedTransformer`` with ``attn_only=True``,
``normalization_type=None``, ``n_layers=1``, ``n_heads=1``.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn

from pyverify.model.config import ModelConfig
from pyverify.errors import PyVerifyError


class _Holder(nn.Module):
    """A plain container so that parameter names nest like TransformerLens' (``embed.W_E``)."""


# What pyverify proves things about, and how a model's settings came to be known (the
# `architecture` line of every generated module, and what the CLI says about a bare state dict).
ARCHITECTURE = ("one attention-only layer with one head, no LayerNorm, learned absolute positions, causal "
                "attention scaled by 1/sqrt(d_head)")
ARCHITECTURE_SOURCES = {
    "pyverify": "its configuration is pyverify's own (built by pyverify, or read from its pyverify sidecar)",
    "cfg": "checked against the TransformerLens configuration it came with",
    "state dict": ("assumed: the weights came as a bare state dict, which cannot show normalization, "
                   "positional-embedding or attention-scale settings"),
}

# The IEEE formats a weight may be stored in. Each is exactly representable in float64, so
# no value is ever rounded on load.
STORED_DTYPES = {torch.float16: "float16", torch.bfloat16: "bfloat16", torch.float32: "float32",
                 torch.float64: "float64"}


class MaxOfKTransformer(nn.Module):
    """The model. ``dtype`` is the parameters' dtype (float32 for training, float64 to hold
    float64 weights exactly); ``stored_dtype`` names the format the weights came in;
    ``architecture_source`` says how its architecture is known (a key of ARCHITECTURE_SOURCES)."""

    def __init__(self, cfg: ModelConfig, dtype: torch.dtype = torch.float32):
        super().__init__()
        self.cfg = cfg
        self.stored_dtype = STORED_DTYPES[dtype]
        self.architecture_source = "pyverify"
        V, n, d, h = cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head

        def zeros(*shape: int) -> nn.Parameter:
            return nn.Parameter(torch.zeros(*shape, dtype=dtype))

        self.embed = _Holder()
        self.embed.W_E = zeros(V, d)
        self.pos_embed = _Holder()
        self.pos_embed.W_pos = zeros(n, d)
        attn = _Holder()
        attn.W_Q = zeros(1, d, h)
        attn.W_K = zeros(1, d, h)
        attn.W_V = zeros(1, d, h)
        attn.W_O = zeros(1, h, d)
        attn.b_Q = zeros(1, h)
        attn.b_K = zeros(1, h)
        attn.b_V = zeros(1, h)
        attn.b_O = zeros(d)
        block = _Holder()
        block.attn = attn
        self.blocks = nn.ModuleList([block])
        self.unembed = _Holder()
        self.unembed.W_U = zeros(d, V)
        self.unembed.b_U = zeros(V)
        for name, p in self.named_parameters():
            if name.split(".")[-1].startswith("b_"):
                p.requires_grad_(cfg.trainable_biases)

    @property
    def attn(self) -> nn.Module:
        return self.blocks[0].attn

    def init_weights(self, generator: torch.Generator) -> None:
        """TransformerLens' GPT-2 style init: every matrix N(0, 0.8/sqrt(d_model)), biases zero."""
        std = 0.8 / math.sqrt(self.cfg.d_model)
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.split(".")[-1].startswith("W_"):
                    p.copy_(torch.randn(p.shape, generator=generator) * std)
                else:
                    p.zero_()

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits at the last position.

        tokens: [batch, n_ctx] integers in [0, d_vocab).  Returns [batch, d_vocab].
        """
        return self.all_logits(tokens)[:, -1, :]

    def all_logits(self, tokens: torch.Tensor) -> torch.Tensor:
        """Logits at every position (causal attention). tokens [B, n] -> [B, n, V]."""
        a = self.attn
        n = tokens.shape[1]
        resid = self.embed.W_E[tokens] + self.pos_embed.W_pos[:n]  # [B, n, d]
        q = resid @ a.W_Q[0] + a.b_Q[0]  # [B, n, h]
        k = resid @ a.W_K[0] + a.b_K[0]
        v = resid @ a.W_V[0] + a.b_V[0]
        scores = (q @ k.transpose(1, 2)) / self.cfg.scale  # [B, n_query, n_key]
        causal = torch.ones(n, n, dtype=torch.bool, device=tokens.device).tril()
        scores = scores.masked_fill(~causal, float("-inf"))
        pattern = scores.softmax(dim=-1)
        attn_out = (pattern @ v) @ a.W_O[0] + a.b_O  # [B, n, d]
        return (resid + attn_out) @ self.unembed.W_U + self.unembed.b_U


# Keys and shapes of the supported architecture, as functions of the config.
def expected_shapes(cfg: ModelConfig) -> dict[str, tuple[int, ...]]:
    V, n, d, h = cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head
    return {
        "embed.W_E": (V, d),
        "pos_embed.W_pos": (n, d),
        "blocks.0.attn.W_Q": (1, d, h),
        "blocks.0.attn.W_K": (1, d, h),
        "blocks.0.attn.W_V": (1, d, h),
        "blocks.0.attn.W_O": (1, h, d),
        "blocks.0.attn.b_Q": (1, h),
        "blocks.0.attn.b_K": (1, h),
        "blocks.0.attn.b_V": (1, h),
        "blocks.0.attn.b_O": (d,),
        "unembed.W_U": (d, V),
        "unembed.b_U": (V,),
    }


# Buffers a TransformerLens state dict carries that hold no learned weights.
_IGNORED_BUFFERS = ("blocks.0.attn.mask", "blocks.0.attn.IGNORE")
# Biases TransformerLens may omit (then they are zero).
_OPTIONAL_KEYS = ("blocks.0.attn.b_Q", "blocks.0.attn.b_K", "blocks.0.attn.b_V",
                  "blocks.0.attn.b_O", "unembed.b_U")


def infer_config(state_dict: dict[str, torch.Tensor], **overrides) -> ModelConfig:
    """Read V, n, d, h from the tensor shapes, after refusing unsupported architectures."""
    check_architecture(state_dict)
    check_tensors(state_dict)
    for key in ("embed.W_E", "pos_embed.W_pos", "blocks.0.attn.W_Q"):
        if key not in state_dict:
            raise PyVerifyError(f"state dict is missing {key}")
    W_E, W_pos, W_Q = state_dict["embed.W_E"], state_dict["pos_embed.W_pos"], state_dict["blocks.0.attn.W_Q"]
    if W_E.dim() != 2 or W_pos.dim() != 2:
        raise PyVerifyError("embed.W_E and pos_embed.W_pos must be 2-dimensional")
    if W_Q.dim() != 3:
        raise PyVerifyError(f"blocks.0.attn.W_Q must have shape [n_heads, d_model, d_head], got {list(W_Q.shape)}")
    if W_Q.shape[0] != 1:
        raise PyVerifyError(f"only one attention head is supported, state dict has {W_Q.shape[0]}")
    fields = dict(d_vocab=W_E.shape[0], n_ctx=W_pos.shape[0], d_model=W_E.shape[1], d_head=W_Q.shape[2])
    fields.update(overrides)
    return ModelConfig(**fields)


def check_architecture(state_dict: dict[str, torch.Tensor]) -> None:
    """Refuse keys that belong to architectures this model cannot represent."""
    for key in state_dict:
        if key.startswith("blocks.") and not key.startswith("blocks.0."):
            raise PyVerifyError(f"only one layer is supported; state dict has {key}")
        if ".ln" in key or key.startswith("ln_final"):
            raise PyVerifyError(f"LayerNorm is not supported; state dict has {key}")
        if ".mlp." in key:
            raise PyVerifyError(f"MLP layers are not supported (attention-only model expected); state dict has {key}")


def check_tensors(state_dict: dict) -> None:
    """Refuse any value that is not a dense tensor (on any device but 'meta') of a supported float
    format with finite entries (buffers TransformerLens carries are skipped)."""
    for key, value in state_dict.items():
        if key in _IGNORED_BUFFERS:
            continue
        if not isinstance(value, torch.Tensor):
            raise PyVerifyError(f"{key} is a {type(value).__name__}, not a tensor")
        if value.layout != torch.strided or value.is_quantized or value.is_nested:
            raise PyVerifyError(f"{key} is a {value.layout} tensor; only dense tensors are supported")
        if value.device.type == "meta":
            raise PyVerifyError(f"{key} is on device 'meta' and holds no readable values")
        if value.dtype not in STORED_DTYPES:
            raise PyVerifyError(f"{key} has dtype {value.dtype}, expected float16, bfloat16, float32 or float64")
        if not torch.isfinite(value).all():
            raise PyVerifyError(f"{key} contains NaN or infinite values")


def nonzero_bias(model: MaxOfKTransformer) -> str | None:
    """The name of the first bias with a non-zero entry, or None (the exact path models zero
    biases only)."""
    return next((k for k, v in model.state_dict().items() if ".b_" in k and bool((v != 0).any())), None)


def architecture_line(model: MaxOfKTransformer) -> str:
    """The architecture certified, and how the model's settings are known (one line)."""
    return f"{ARCHITECTURE}; {ARCHITECTURE_SOURCES[model.architecture_source]}"


def model_from_state_dict(state_dict: dict[str, torch.Tensor], cfg: ModelConfig | None = None,
                          source: str | None = None) -> MaxOfKTransformer:
    """Build a model from a TransformerLens-keyed state dict, refusing anything it cannot represent.

    Missing biases are taken as zero (TransformerLens omits some); every other key must be
    present with the expected shape and finite values. Values are kept exactly: the model
    holds float64 parameters if any weight is stored in float64, else float32 (which holds
    float16 and bfloat16 exactly); ``stored_dtype`` records the stored format(s).
    source: how cfg is known (ARCHITECTURE_SOURCES); by default "state dict" without a cfg.
    """
    check_architecture(state_dict)
    check_tensors(state_dict)
    source = source or ("state dict" if cfg is None else "pyverify")
    if cfg is None:
        cfg = infer_config(state_dict)
    shapes = expected_shapes(cfg)
    unknown = sorted(k for k in state_dict if k not in shapes and k not in _IGNORED_BUFFERS)
    if unknown:
        raise PyVerifyError(f"unexpected key(s) in state dict: {', '.join(unknown)}")
    missing = [k for k in shapes if k not in state_dict and k not in _OPTIONAL_KEYS]
    if missing:
        raise PyVerifyError(f"state dict is missing {', '.join(missing)}")
    present = [k for k in shapes if k in state_dict]
    for key in present:
        if tuple(state_dict[key].shape) != shapes[key]:
            raise PyVerifyError(f"{key} has shape {list(state_dict[key].shape)}, expected {list(shapes[key])}")
    dtypes = sorted({STORED_DTYPES[state_dict[k].dtype] for k in present})
    model = MaxOfKTransformer(cfg, torch.float64 if "float64" in dtypes else torch.float32)
    model.stored_dtype = "+".join(dtypes)
    model.architecture_source = source
    params = dict(model.named_parameters())
    with torch.no_grad():
        for key in present:
            params[key].copy_(state_dict[key].to("cpu"))  # exact: float16, bfloat16 and float32 fit in float32
    return model
