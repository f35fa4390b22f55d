"""TransformerLens models and the architecture pyverify certifies (issue 19, section 5; issue 20).

A HookedTransformer is duck-typed (its `cfg` and `state_dict()`): every setting its config has
is checked against the certified model, and a bare state dict is said to be an assumption.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import torch

from pyverify.model.checkpoint import save_checkpoint
from pyverify.cli import main
from pyverify.errors import PyVerifyError
from pyverify.provers import to_lean
from pyverify.provers.read import read_lean_module
from pyverify.model.transformer import ARCHITECTURE_SOURCES
from pyverify.model.transformer_lens import SETTINGS, check_transformer_lens_config, model_from_transformer_lens
from tests.lean_fixtures import tiny_model


# Every setting of TransformerLens 3.9's HookedTransformerConfig (with its base
# TransformerLensConfig) at its default, as TransformerLens fills it in for an attention-only model.
TL39_DEFAULTS = dict(
    d_model=4, d_head=4, n_layers=1, n_ctx=2, n_heads=1, d_mlp=16, d_vocab=4, device="cpu", use_attn_result=False,
    use_split_qkv_input=False, default_prepend_bos=True, positional_embedding_type="standard", n_key_value_heads=None,
    attn_only=True, gated_mlp=False, uses_rms_norm=False, eps=1e-05, layer_norm_folding=False, act_fn="relu",
    normalization_type=None, num_experts=None, experts_per_token=None, final_rms=False, dtype=torch.float32,
    model_name="custom", use_attn_scale=True, attn_scale=math.sqrt(4), use_hook_mlp_in=False, use_attn_in=False,
    use_qk_norm=False, clip_qkv=None, use_logn_attn=False, train_seq_length=None, use_dynamic_ntk_rope=False,
    use_local_attn=False, ungroup_grouped_query_attention=False, original_architecture=None, from_checkpoint=False,
    checkpoint_index=None, checkpoint_label_type=None, checkpoint_value=None, tokenizer_name=None, window_size=None,
    attn_types=None, init_mode="gpt2", n_devices=1, attention_dir="causal", seed=None, initializer_range=0.4,
    init_weights=True, scale_attn_by_inverse_layer_idx=False, d_vocab_out=4, parallel_attn_mlp=False, rotary_dim=None,
    n_params=64, use_hook_tokens=False, tokenizer_prepends_bos=None, post_embedding_ln=False, rotary_base=10000,
    rotary_base_local=None, rotary_scaling_factor=1.0, trust_remote_code=False, rotary_adjacent_pairs=False,
    load_in_4bit=False, quantization_method=None, relative_attention_max_distance=None,
    relative_attention_num_buckets=None, decoder_start_token_id=None, tie_word_embeddings=False,
    use_normalization_before_and_after=False, attn_scores_soft_cap=-1.0, output_logits_soft_cap=-1.0,
    use_NTK_by_parts_rope=False, NTK_by_parts_low_freq_factor=1.0, NTK_by_parts_high_freq_factor=4.0,
    NTK_by_parts_factor=8.0, NTK_original_ctx_len=8192, use_yarn_rope=False, yarn_factor=1.0, yarn_attention_factor=1.0,
    yarn_beta_fast=32.0, yarn_beta_slow=1.0, yarn_original_max_position_embeddings=4096, yarn_truncate=True,
    yarn_global_attn_only=False, use_attention_sinks=False, norm_topk_prob=False)


def tl_config(**changes) -> SimpleNamespace:
    """A stand-in for TransformerLens 3.9's HookedTransformerConfig of the tiny model: every field."""
    return SimpleNamespace(**{**TL39_DEFAULTS, **changes})


class FakeHooked:
    """What pyverify reads of a HookedTransformer."""

    def __init__(self, cfg, state_dict):
        self.cfg = cfg
        self._state = state_dict

    def state_dict(self):
        return self._state


def test_every_transformer_lens_setting_is_known_and_the_defaults_are_accepted():
    """The closed world covers every field of TransformerLens 3.9's config; its defaults for this
    model pass, as an object and as a dict."""
    assert set(TL39_DEFAULTS) <= set(SETTINGS)
    assert check_transformer_lens_config(tl_config()) == check_transformer_lens_config(dict(TL39_DEFAULTS))


@pytest.mark.parametrize("setting, value", [("normalization_type", "LNPre"), ("positional_embedding_type", "shortformer"),
                                            ("use_attn_scale", False), ("attn_scale", 3.0), ("n_layers", 2),
                                            ("attn_only", False), ("output_logits_soft_cap", 30.0),
                                            ("attention_dir", "bidirectional"), ("d_vocab_out", 5),
                                            ("clip_qkv", 0.05), ("use_logn_attn", True), ("use_attention_sinks", True),
                                            ("original_architecture", "OlmoeForCausalLM"), ("n_key_value_heads", 1),
                                            ("use_local_attn", True), ("n_heads", True),
                                            ("a_setting_of_transformer_lens_3_10", 1)])
def test_a_setting_outside_the_certified_model_is_named(setting, value):
    """A setting that changes the function, or one pyverify does not know, is refused in one line
    naming it."""
    with pytest.raises(PyVerifyError, match=setting):
        check_transformer_lens_config(tl_config(**{setting: value}))


class HookPoint(torch.nn.Module):
    def forward(self, x):
        return x


class Attention(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg, self.attn_scale, self.attn_type, self.q_norm, self.k_norm = cfg, math.sqrt(cfg.d_head), "global", None, None
        self.register_buffer("IGNORE", torch.tensor(-math.inf))
        self.hook_pattern = HookPoint()


class TransformerBlock(torch.nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln1, self.attn = torch.nn.Identity(), Attention(cfg)


class HookedStandIn(torch.nn.Module):
    """The module structure of TransformerLens 3.9's HookedTransformer for this model (what
    check_hooked_module reads), with the tiny model's weights."""

    def __init__(self):
        super().__init__()
        self.cfg = tl_config()
        self.embed, self.pos_embed, self.unembed = (type(n, (torch.nn.Module,), {})() for n in ("Embed", "PosEmbed",
                                                                                              "Unembed"))
        self.hook_embed = HookPoint()
        self.blocks = torch.nn.ModuleList([TransformerBlock(self.cfg)])

    def state_dict(self, *args, **kwargs):
        return tiny_model().state_dict()


def patch_hook(m):
    m.blocks[0].attn.hook_pattern.register_forward_hook(lambda module, args, out: out * 0 + 0.5)


@pytest.mark.parametrize("patch, reason", [
    (patch_hook, "blocks.0.attn.hook_pattern has a forward hook"),
    (lambda m: setattr(m.blocks[0].attn, "attn_scale", 2.5), "attn_scale is 2.5"),
    (lambda m: m.blocks[0].attn.IGNORE.fill_(0.0), "IGNORE is not -inf"),
    (lambda m: setattr(m, "ln_final", torch.nn.LayerNorm(4)), "ln_final is a LayerNorm"),
    (lambda m: setattr(m.blocks[0].attn, "forward", lambda x: x), "forward patched"),
    (lambda m: setattr(m.blocks[0].attn, "cfg", tl_config(attn_scale=3.0)), "config other than the model's"),
])
def test_a_hooked_module_that_computes_something_else_is_refused(patch, reason):
    """Hooks, patched attributes and extra modules change the function without touching the
    cfg or the weights: each is refused in one line; the untouched stand-in loads."""
    assert model_from_transformer_lens(HookedStandIn()).architecture_source == "cfg"
    hooked = HookedStandIn()
    patch(hooked)
    with pytest.raises(PyVerifyError, match=reason):
        model_from_transformer_lens(hooked)


def test_a_hooked_transformer_is_read_exactly_with_its_config():
    reference = tiny_model()
    state = {k: v.clone() for k, v in reference.state_dict().items()}
    state["blocks.0.attn.mask"] = torch.tril(torch.ones(2, 2, dtype=torch.bool))  # TransformerLens buffers
    model = model_from_transformer_lens(FakeHooked(tl_config(), state))
    assert model.architecture_source == "cfg"
    for key, value in reference.state_dict().items():
        assert torch.equal(model.state_dict()[key].to(value.dtype), value), key
    with pytest.raises(PyVerifyError, match="not a TransformerLens model"):
        model_from_transformer_lens(object())


def test_the_module_says_how_the_architecture_is_known(tmp_path, capsys):
    """A bare state dict: the CLI and the module docstring say the architecture was assumed."""
    path = tmp_path / "tiny.pt"
    torch.save(tiny_model().state_dict(), path)
    assert main(["export", str(path), "--strategy", "brute-force", "--name", "Tiny",
                 "--lean-dir", str(tmp_path / "lean")]) == 0
    assert "architecture" in capsys.readouterr().err
    module = read_lean_module(tmp_path / "lean" / "Generated" / "Tiny.lean")
    assert module.architecture.endswith(ARCHITECTURE_SOURCES["state dict"])
    saved = save_checkpoint(tiny_model(), tmp_path / "tiny.safetensors")
    assert main(["export", str(saved), "--strategy", "brute-force", "--name", "Tiny", "--lean-dir",
                 str(tmp_path / "lean")]) == 0
    assert "architecture" not in capsys.readouterr().err
    module = read_lean_module(tmp_path / "lean" / "Generated" / "Tiny.lean")
    assert module.architecture.endswith(ARCHITECTURE_SOURCES["pyverify"])


def test_lean_export_never_overwrites_a_file_pyverify_did_not_write(tmp_path):
    lean_dir = tmp_path / "lean"
    to_lean(tiny_model(), "Tiny", "brute-force", lean_dir)
    mine = lean_dir / "Generated" / "Tiny.lean"
    mine.write_text("-- my own module\n")
    with pytest.raises(PyVerifyError, match="was not written by pyverify"):
        to_lean(tiny_model(), "Tiny", "brute-force", lean_dir)
    assert mine.read_text() == "-- my own module\n"
    to_lean(tiny_model(), "Tiny", "brute-force", lean_dir, force=True)
    assert read_lean_module(mine).count == 10


def test_a_real_hooked_transformer_counts_as_transformer_lens_does():
    """TransformerLens 3.x (its HookedTransformer; 4.x removed it), when installed: a V=16, K=4
    attention-only model passed as the object; pyverify's count of correct inputs equals the
    count from TransformerLens's own forward pass (float64) on every one of the 65,536 inputs."""
    transformer_lens = pytest.importorskip("transformer_lens", reason="TransformerLens is not installed "
                                           "(pip install 'pyverify[transformer-lens]')")
    if not hasattr(transformer_lens, "HookedTransformer"):
        pytest.skip("this TransformerLens has no HookedTransformer (4.x); the test needs 3.x")
    import itertools

    import pyverify

    cfg = transformer_lens.HookedTransformerConfig(
        n_layers=1, n_heads=1, d_model=32, d_head=32, d_vocab=16, n_ctx=4, attn_only=True, act_fn="relu",
        normalization_type=None, positional_embedding_type="standard", dtype=torch.float64, seed=7, device="cpu")
    hooked = transformer_lens.HookedTransformer(cfg)
    model = pyverify.load(hooked)
    assert model.architecture_source == "cfg"
    ours = pyverify.accuracy(model)
    tokens = torch.tensor(list(itertools.product(range(16), repeat=4)))
    with torch.no_grad():
        logits = torch.cat([hooked(batch)[:, -1, :] for batch in tokens.split(8192)])
    target = tokens.max(dim=1).values
    others = logits.clone()
    others[torch.arange(len(tokens)), target] = float("-inf")
    theirs = int((logits[torch.arange(len(tokens)), target] > others.max(dim=1).values).sum())
    assert ours.uncertain == 0 and ours.correct == theirs and ours.total == 16**4


def test_a_real_hooked_transformer_that_computes_something_else_is_refused():
    """TransformerLens 3.x, when installed: the settings and patches the hostile review found
    (clip_qkv, log-n attention, a permanent hook, a patched attention scale) are refused."""
    transformer_lens = pytest.importorskip("transformer_lens", reason="TransformerLens is not installed "
                                           "(pip install 'pyverify[transformer-lens]')")
    if not hasattr(transformer_lens, "HookedTransformer"):
        pytest.skip("this TransformerLens has no HookedTransformer (4.x); the test needs 3.x")
    import pyverify

    def hooked(**settings):
        return transformer_lens.HookedTransformer(transformer_lens.HookedTransformerConfig(
            n_layers=1, n_heads=1, d_model=8, d_head=8, d_vocab=6, n_ctx=3, attn_only=True, act_fn="relu",
            normalization_type=None, dtype=torch.float64, seed=3, device="cpu", **settings))

    with pytest.raises(PyVerifyError, match="clip_qkv"):
        pyverify.load(hooked(clip_qkv=0.05))
    with pytest.raises(PyVerifyError, match="use_logn_attn"):
        pyverify.load(hooked(use_logn_attn=True, train_seq_length=2))
    model = hooked()
    model.add_hook("blocks.0.attn.hook_pattern", lambda pattern, hook: pattern.flip(-1), is_permanent=True)
    with pytest.raises(PyVerifyError, match="forward hook"):
        pyverify.load(model)
    model.reset_hooks(including_permanent=True)
    assert pyverify.load(model).architecture_source == "cfg"
    model.blocks[0].attn.attn_scale = 2.0
    with pytest.raises(PyVerifyError, match="attn_scale"):
        pyverify.load(model)
