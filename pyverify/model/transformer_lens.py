"""TransformerLens models, duck-typed: a `HookedTransformer` (anything with `cfg` and
`state_dict()`) becomes the model pyverify proves things about, or is refused.

A state dict cannot show settings that change the function but not the keys (LayerNorm
without weights, shortformer positions, a custom attention scale, clipped queries, ...). A
`cfg` can, and the check is a closed world: every setting the cfg has must be one of
TransformerLens 3.9's settings (SETTINGS) with a value that leaves the certified function
unchanged; an unknown setting is refused, since a new one may change what the model computes.
A HookedTransformer module is checked too: no hook, no patched forward, no module beyond those
of a one-layer attention-only model, and attention attributes equal to what its cfg says.
TransformerLens itself is never imported.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from pyverify.model.config import ModelConfig
from pyverify.errors import PyVerifyError
from pyverify.model.transformer import MaxOfKTransformer, model_from_state_dict


def _same(value: Any, wanted: Any) -> bool:
    """value is wanted: the same object for None and booleans, else equal and not a boolean."""
    if wanted is None or isinstance(wanted, bool):
        return value is wanted
    return not isinstance(value, bool) and value == wanted


def _is(*values: Any) -> tuple[Callable[[Any, dict], bool], str]:
    return lambda v, cfg: any(_same(v, x) for x in values), " or ".join(repr(x) for x in values)


ANY = (lambda v, cfg: True, "any value (it does not change this model's function)")
OFF_OR_UNSET = (lambda v, cfg: v is None or (not isinstance(v, bool) and float(v) <= 0), "None or <= 0 (off)")
DIMENSION = (lambda v, cfg: isinstance(v, int) and not isinstance(v, bool) and v >= 1, "a positive integer")

# Every setting of TransformerLens 3.9's HookedTransformerConfig (with its base
# TransformerLensConfig), and the values under which the model computes exactly the certified
# function: one attention-only layer, one head, no normalization, learned absolute positions,
# causal attention scaled by 1/sqrt(d_head). A setting missing from a cfg (another version)
# takes its default, which is one of these values.
SETTINGS: dict[str, tuple[Callable[[Any, dict], bool], str]] = {
    # the shape pyverify reads
    "d_model": DIMENSION, "d_head": DIMENSION, "n_ctx": DIMENSION, "d_vocab": DIMENSION,
    "d_vocab_out": (lambda v, cfg: v in (-1, cfg.get("d_vocab")), "-1 or d_vocab"),
    # the architecture
    "n_layers": _is(1), "n_heads": _is(1), "attn_only": _is(True), "normalization_type": _is(None),
    "positional_embedding_type": _is("standard"), "attention_dir": _is("causal"), "use_attn_scale": _is(True),
    "attn_scale": (lambda v, cfg: v == -1.0 or v == math.sqrt(cfg.get("d_head", 0)), "-1.0 (unset) or sqrt(d_head)"),
    "final_rms": _is(False), "use_local_attn": _is(False), "n_key_value_heads": _is(None), "use_qk_norm": _is(False),
    "clip_qkv": _is(None), "use_logn_attn": _is(False), "use_dynamic_ntk_rope": _is(False),
    "ungroup_grouped_query_attention": _is(False), "original_architecture": _is(None),
    "scale_attn_by_inverse_layer_idx": _is(False, True),  # divides layer 0's scores by 0 + 1
    "parallel_attn_mlp": _is(False), "post_embedding_ln": _is(False), "load_in_4bit": _is(False),
    "quantization_method": _is(None), "num_experts": _is(None), "experts_per_token": _is(None),
    "relative_attention_max_distance": _is(None), "relative_attention_num_buckets": _is(None),
    "tie_word_embeddings": _is(False), "use_normalization_before_and_after": _is(False),
    "attn_scores_soft_cap": OFF_OR_UNSET, "output_logits_soft_cap": OFF_OR_UNSET, "use_NTK_by_parts_rope": _is(False),
    "use_yarn_rope": _is(False), "use_attention_sinks": _is(False), "uses_rms_norm": _is(False),
    # read only by settings required off above (local attention, log-n scaling, rotary positions,
    # MLPs, normalization, mixtures of experts)
    "window_size": ANY, "attn_types": ANY, "train_seq_length": ANY, "rotary_dim": ANY, "rotary_base": ANY,
    "rotary_base_local": ANY, "rotary_scaling_factor": ANY, "rotary_adjacent_pairs": ANY,
    "NTK_by_parts_low_freq_factor": ANY, "NTK_by_parts_high_freq_factor": ANY, "NTK_by_parts_factor": ANY,
    "NTK_original_ctx_len": ANY, "yarn_factor": ANY, "yarn_attention_factor": ANY, "yarn_beta_fast": ANY,
    "yarn_beta_slow": ANY, "yarn_original_max_position_embeddings": ANY, "yarn_truncate": ANY,
    "yarn_global_attn_only": ANY, "d_mlp": ANY, "act_fn": ANY, "gated_mlp": ANY, "eps": ANY,
    "layer_norm_folding": ANY, "norm_topk_prob": ANY,
    # hooks that compute the same values, initialisation, devices, tokenizer and provenance
    "use_attn_result": ANY, "use_split_qkv_input": ANY, "use_hook_mlp_in": ANY, "use_attn_in": ANY,
    "use_hook_tokens": ANY, "model_name": ANY, "device": ANY, "n_devices": ANY, "dtype": ANY, "seed": ANY,
    "init_mode": ANY, "initializer_range": ANY, "init_weights": ANY, "n_params": ANY, "default_prepend_bos": ANY,
    "tokenizer_name": ANY, "tokenizer_prepends_bos": ANY, "trust_remote_code": ANY, "from_checkpoint": ANY,
    "checkpoint_index": ANY, "checkpoint_label_type": ANY, "checkpoint_value": ANY, "decoder_start_token_id": ANY,
}

# The modules of a one-layer attention-only HookedTransformer without normalization, by name (the
# model itself aside); HookPoints may sit anywhere, and must hold no hook.
MODULES = {"embed": "Embed", "pos_embed": "PosEmbed", "blocks": ("ModuleList", "TypedModuleList"),
           "blocks.0": "TransformerBlock", "blocks.0.ln1": "Identity", "blocks.0.attn": "Attention",
           "unembed": "Unembed"}


def _settings(cfg) -> dict:
    if isinstance(cfg, dict):
        return dict(cfg)
    try:
        return dict(vars(cfg))
    except TypeError:
        raise PyVerifyError(f"a TransformerLens config must be a dict or an object, not a {type(cfg).__name__}") from None


def check_transformer_lens_config(cfg) -> ModelConfig:
    """The pyverify config of a TransformerLens config (an object or a dict), or PyVerifyError
    naming the first setting that is unknown or outside the certified function (SETTINGS)."""
    settings = _settings(cfg)
    for name in ("d_vocab", "n_ctx", "d_model", "d_head"):
        if name not in settings:
            raise PyVerifyError(f"the TransformerLens config lacks {name}")
    for name, value in settings.items():
        if name not in SETTINGS:
            raise PyVerifyError(f"TransformerLens setting {name}={value!r} is unknown to pyverify, which certifies only "
                                "settings it knows to leave the function unchanged")
        allowed, described = SETTINGS[name]
        try:
            ok = allowed(value, settings)
        except (TypeError, ValueError):
            ok = False
        if not ok:
            raise PyVerifyError(f"TransformerLens setting {name}={value!r} is not supported (the certified model has "
                                f"{name} = {described})")
    return ModelConfig(**{k: int(settings[k]) for k in ("d_vocab", "n_ctx", "d_model", "d_head")})


def check_hooked_module(hooked: torch.nn.Module) -> None:
    """Refuse a HookedTransformer whose module would not compute what its cfg says: a forward
    hook (TransformerLens's permanent hooks among them) or a global one, a forward patched on an
    instance, a module a one-layer attention-only model does not have, a component holding
    another cfg, or attention attributes (scale, type, masking) other than the cfg's."""
    settings = _settings(hooked.cfg)
    if torch.nn.modules.module._global_forward_hooks or torch.nn.modules.module._global_forward_pre_hooks:
        raise PyVerifyError("a global forward hook is registered in torch; remove it before loading the model")
    for name, module in hooked.named_modules():
        where = name or "the model"
        if module._forward_hooks or module._forward_pre_hooks:
            raise PyVerifyError(f"{where} has a forward hook, which changes what the model computes; remove it "
                                "(model.reset_hooks(including_permanent=True))")
        if "forward" in vars(module):
            raise PyVerifyError(f"{where} has a forward patched on the instance")
        kind = type(module).__name__
        expected = MODULES.get(name, "HookPoint")
        if name and kind != "HookPoint" and kind not in (expected if isinstance(expected, tuple) else (expected,)):
            raise PyVerifyError(f"{where} is a {kind}, which a one-layer attention-only model does not have")
        cfg = getattr(module, "cfg", None)
        if cfg is not None and cfg is not hooked.cfg and _settings(cfg) != settings:
            raise PyVerifyError(f"{where} holds a config other than the model's")
    attn = hooked.get_submodule("blocks.0.attn")
    scale = math.sqrt(settings["d_head"])
    checks = {"attn_scale": (getattr(attn, "attn_scale", scale), scale), "attn_type": (getattr(attn, "attn_type",
              "global"), "global"), "_attention_dir_override": (getattr(attn, "_attention_dir_override", None), None),
              "q_norm": (getattr(attn, "q_norm", None), None), "k_norm": (getattr(attn, "k_norm", None), None)}
    for attribute, (value, wanted) in checks.items():
        if not (value is wanted if wanted is None else value == wanted):
            raise PyVerifyError(f"blocks[0].attn.{attribute} is {value!r}, but the cfg's model has {wanted!r}")
    _check_ignore(getattr(attn, "IGNORE", None))


def _check_ignore(ignore) -> None:
    """Refuse a mask value (TransformerLens's IGNORE buffer) other than -inf."""
    if ignore is not None and not (torch.is_tensor(ignore) and ignore.numel() == 1 and float(ignore) == -math.inf):
        raise PyVerifyError("blocks[0].attn.IGNORE is not -inf: masked positions would take part in the softmax")


def model_from_transformer_lens(hooked) -> MaxOfKTransformer:
    """A HookedTransformer (duck-typed: `cfg` and `state_dict()`), on any device, checked
    against its config (and, if it is a torch module, its modules) and read exactly."""
    if not hasattr(hooked, "cfg") or not callable(getattr(hooked, "state_dict", None)):
        raise PyVerifyError(f"a {type(hooked).__name__} is not a TransformerLens model (no cfg and state_dict())")
    cfg = check_transformer_lens_config(hooked.cfg)
    if isinstance(hooked, torch.nn.Module):
        check_hooked_module(hooked)
    state_dict = {k: v.detach().to("cpu") if isinstance(v, torch.Tensor) and v.device.type != "meta" else v
                  for k, v in hooked.state_dict().items()}
    _check_ignore(state_dict.get("blocks.0.attn.IGNORE"))
    return model_from_state_dict(state_dict, cfg, source="cfg")
