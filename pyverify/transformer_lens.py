"""TransformerLens models, duck-typed: a `HookedTransformer` (anything with `cfg` and
`state_dict()`) becomes the model pyverify proves things about, or is refused.

A state dict cannot show settings that change the function but not the keys (LayerNorm
without weights, shortformer positions, a custom attention scale, ...). A `cfg` can: every
setting it has is checked against the one model pyverify certifies, and the first that
differs is named. TransformerLens itself is never imported.
"""

from __future__ import annotations

import math

import torch

from pyverify.config import ModelConfig
from pyverify.errors import PyVerifyError
from pyverify.model import MaxOfKTransformer, model_from_state_dict

# Settings of a TransformerLens config and the values the certified model has. A setting the
# config does not have (another TransformerLens version) is not checked.
REQUIRED = {
    "n_layers": 1,
    "n_heads": 1,
    "attn_only": True,
    "normalization_type": None,
    "positional_embedding_type": "standard",
    "attention_dir": "causal",
    "use_attn_scale": True,
    "final_rms": False,
    "use_local_attn": False,
    "n_key_value_heads": None,
    "use_qk_norm": False,
    "use_normalization_before_and_after": False,
}


def _setting(cfg, name: str):
    return cfg.get(name, REQUIRED.get(name)) if isinstance(cfg, dict) else getattr(cfg, name, REQUIRED.get(name))


def check_transformer_lens_config(cfg) -> ModelConfig:
    """The pyverify config of a TransformerLens config (an object or a dict), or PyVerifyError
    naming the first setting outside the certified architecture."""
    for name, required in REQUIRED.items():
        value = _setting(cfg, name)
        if value != required:
            raise PyVerifyError(f"TransformerLens setting {name}={value!r} is not supported (the certified model "
                                f"has {name}={required!r})")
    for name in ("output_logits_soft_cap", "attn_scores_soft_cap"):
        value = _setting(cfg, name)
        if value is not None and value > 0:
            raise PyVerifyError(f"TransformerLens setting {name}={value!r} is not supported (no soft cap)")
    try:
        dims = {k: int(_setting(cfg, k)) for k in ("d_vocab", "n_ctx", "d_model", "d_head")}
    except (TypeError, ValueError):
        raise PyVerifyError("the TransformerLens config lacks d_vocab, n_ctx, d_model or d_head") from None
    out = _setting(cfg, "d_vocab_out")
    if out not in (None, -1, dims["d_vocab"]):
        raise PyVerifyError(f"TransformerLens setting d_vocab_out={out!r} differs from d_vocab={dims['d_vocab']}")
    scale = _setting(cfg, "attn_scale")
    if scale is not None and float(scale) != math.sqrt(dims["d_head"]):
        raise PyVerifyError(f"TransformerLens setting attn_scale={scale!r} is not sqrt(d_head) = "
                            f"{math.sqrt(dims['d_head'])!r}; certificates are for the default scale")
    return ModelConfig(**dims)


def model_from_transformer_lens(hooked) -> MaxOfKTransformer:
    """A HookedTransformer (duck-typed: `cfg` and `state_dict()`), on any device, checked
    against its config and read exactly."""
    if not hasattr(hooked, "cfg") or not callable(getattr(hooked, "state_dict", None)):
        raise PyVerifyError(f"a {type(hooked).__name__} is not a TransformerLens model (no cfg and state_dict())")
    cfg = check_transformer_lens_config(hooked.cfg)
    state_dict = {k: v.detach().to("cpu") if isinstance(v, torch.Tensor) and v.device.type != "meta" else v
                  for k, v in hooked.state_dict().items()}
    return model_from_state_dict(state_dict, cfg, source="cfg")
