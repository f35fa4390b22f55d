import math

import pytest
import torch

from pyverify.model.checkpoint import load_model, save_checkpoint
from pyverify.model.config import ModelConfig
from pyverify.errors import PyVerifyError
from pyverify.model.transformer import model_from_state_dict
from pyverify.numeric.inputs import all_inputs
from pyverify.numeric.tables import logits_from_tables, path_tables
from tests.zoo import random_model


@pytest.mark.parametrize("biases", [False, True])
@pytest.mark.parametrize("V,n", [(8, 2), (10, 4), (6, 5)])
def test_forward_equals_table_formula(V, n, biases):
    model = random_model(V, n, seed=V * n, biases=biases).double()
    tokens = torch.randint(0, V, (500, n), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        direct = model(tokens)
    via_tables = logits_from_tables(path_tables(model), tokens)
    assert torch.allclose(direct, via_tables, atol=1e-9, rtol=1e-9)


def test_custom_attention_scale_is_applied_in_tables():
    model = random_model(7, 3, seed=3)
    model.cfg = ModelConfig(d_vocab=7, n_ctx=3, d_model=8, d_head=8, attn_scale=0.5)
    model = model.double()
    tokens = all_inputs(7, 3)
    with torch.no_grad():
        direct = model(tokens)
    assert torch.allclose(direct, logits_from_tables(path_tables(model), tokens), atol=1e-9)
    default = ModelConfig(d_vocab=7, n_ctx=3, d_model=8, d_head=8)
    assert default.scale == math.sqrt(8)


def test_transformerlens_state_dict_round_trips(tmp_path):
    model = random_model(9, 3, seed=5, biases=True)
    sd = dict(model.state_dict())
    sd["blocks.0.attn.mask"] = torch.ones(3, 3).tril().bool()  # buffers TransformerLens carries
    sd["blocks.0.attn.IGNORE"] = torch.tensor(-1e5)
    torch.save(sd, tmp_path / "tl.pt")
    loaded = load_model(tmp_path / "tl.pt")
    assert loaded.cfg.d_vocab == 9 and loaded.cfg.n_ctx == 3 and loaded.cfg.d_head == 8
    for k, v in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v), k


def test_missing_biases_are_zero():
    model = random_model(6, 2, seed=1)
    sd = {k: v for k, v in model.state_dict().items() if ".b_" not in k}
    loaded = model_from_state_dict(sd)
    assert all(float(p.abs().max()) == 0 for k, p in loaded.state_dict().items() if ".b_" in k)


def test_checkpoint_round_trip_and_bare_safetensors(tmp_path):
    model = random_model(11, 4, seed=2)
    path = save_checkpoint(model, tmp_path / "m", {"seed": 7})
    assert path.name == "m.safetensors" and (tmp_path / "m.json").exists()
    loaded = load_model(path)
    assert loaded.cfg == model.cfg
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in model.state_dict().items())
    (tmp_path / "m.json").unlink()  # a bare safetensors file: config inferred from shapes
    assert load_model(path).cfg.d_vocab == 11


def _sd():
    return dict(random_model(6, 3, seed=0).state_dict())


@pytest.mark.parametrize("mutate,message", [
    (lambda sd: sd.update({"blocks.0.ln1.w": torch.ones(8)}), "LayerNorm"),
    (lambda sd: sd.update({"ln_final.w": torch.ones(8)}), "LayerNorm"),
    (lambda sd: sd.update({"blocks.0.mlp.W_in": torch.ones(8, 32)}), "MLP"),
    (lambda sd: sd.update({"blocks.1.attn.W_Q": torch.ones(1, 8, 8)}), "one layer"),
    (lambda sd: sd.update({"blocks.0.attn.W_Q": torch.ones(2, 8, 8)}), "one attention head"),
    (lambda sd: sd.update({"unembed.W_U": torch.ones(8, 5)}), "shape"),
    (lambda sd: sd["embed.W_E"].__setitem__((0, 0), float("nan")), "NaN"),
    (lambda sd: sd["pos_embed.W_pos"].__setitem__((1, 1), float("inf")), "infinite"),
    (lambda sd: sd.pop("blocks.0.attn.W_V"), "missing blocks.0.attn.W_V"),
    (lambda sd: sd.pop("embed.W_E"), "missing embed.W_E"),
    (lambda sd: sd.update({"mystery": torch.ones(1)}), "unexpected key"),
    (lambda sd: sd.update({"unembed.W_U": torch.ones(8, 6, dtype=torch.int64)}), "dtype"),
])
def test_malformed_state_dicts_are_refused(mutate, message):
    sd = _sd()
    mutate(sd)
    with pytest.raises(PyVerifyError, match=message):
        model_from_state_dict(sd)


def test_bad_files_are_refused(tmp_path):
    with pytest.raises(PyVerifyError, match="no such file"):
        load_model(tmp_path / "absent.safetensors")
    (tmp_path / "junk.safetensors").write_bytes(b"not a tensor file")
    with pytest.raises(PyVerifyError, match="not a readable safetensors"):
        load_model(tmp_path / "junk.safetensors")
    (tmp_path / "junk.pt").write_bytes(b"\x80\x04garbage")
    with pytest.raises(PyVerifyError, match="not a readable torch"):
        load_model(tmp_path / "junk.pt")
    (tmp_path / "m.txt").write_text("hi")
    with pytest.raises(PyVerifyError, match="unknown model file type"):
        load_model(tmp_path / "m.txt")
    torch.save([1, 2], tmp_path / "list.pt")
    with pytest.raises(PyVerifyError, match="state dict"):
        load_model(tmp_path / "list.pt")


def test_bad_config_values_are_refused():
    with pytest.raises(PyVerifyError, match="n_heads"):
        ModelConfig(n_heads=2)
    with pytest.raises(PyVerifyError, match="d_vocab"):
        ModelConfig(d_vocab=0)
    with pytest.raises(PyVerifyError, match="attn_scale"):
        ModelConfig(attn_scale=float("nan"))
