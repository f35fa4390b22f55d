"""TransformerLens models and the architecture pyverify certifies (issue 19, section 5; issue 20).

A HookedTransformer is duck-typed (its `cfg` and `state_dict()`): every setting its config has
is checked against the certified model, and a bare state dict is said to be an assumption.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest
import torch

from pyverify.checkpoint import save_checkpoint
from pyverify.cli import main
from pyverify.errors import PyVerifyError
from pyverify.export import to_lean
from pyverify.export.read import read_lean_module
from pyverify.model import ARCHITECTURE_SOURCES
from pyverify.transformer_lens import check_transformer_lens_config, model_from_transformer_lens
from tests.lean_fixtures import tiny_model


def tl_config(**changes) -> SimpleNamespace:
    """The settings of a TransformerLens 3.x HookedTransformerConfig for the tiny model."""
    cfg = dict(n_layers=1, n_heads=1, d_model=4, d_head=4, d_vocab=4, n_ctx=2, d_vocab_out=4, attn_only=True,
               normalization_type=None, positional_embedding_type="standard", attention_dir="causal",
               use_attn_scale=True, attn_scale=math.sqrt(4), final_rms=False, use_local_attn=False,
               n_key_value_heads=None, use_qk_norm=False, output_logits_soft_cap=-1.0, attn_scores_soft_cap=-1.0,
               act_fn=None)
    cfg.update(changes)
    return SimpleNamespace(**cfg)


class FakeHooked:
    """What pyverify reads of a HookedTransformer."""

    def __init__(self, cfg, state_dict):
        self.cfg = cfg
        self._state = state_dict

    def state_dict(self):
        return self._state


@pytest.mark.parametrize("setting, value", [("normalization_type", "LNPre"), ("positional_embedding_type", "shortformer"),
                                            ("use_attn_scale", False), ("attn_scale", 3.0), ("n_layers", 2),
                                            ("attn_only", False), ("output_logits_soft_cap", 30.0),
                                            ("attention_dir", "bidirectional"), ("d_vocab_out", 5)])
def test_a_setting_outside_the_certified_model_is_named(setting, value):
    with pytest.raises(PyVerifyError, match=setting):
        check_transformer_lens_config(tl_config(**{setting: value}))


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
