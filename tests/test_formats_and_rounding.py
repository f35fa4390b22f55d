"""Weights are carried exactly in every stored format, and the numeric path's rounding flag
is honest (issue 7, sections 1, 2 and 5)."""

from __future__ import annotations

import struct
from fractions import Fraction

import pytest
import torch

from pyverify.numeric.accuracy import count_correct
from pyverify.model.checkpoint import load_model, save_checkpoint
from pyverify.model.config import ModelConfig
from pyverify.exact.brute_checker import certify_brute
from pyverify.exact.cubic_checker import certify_cubic
from pyverify.exact.floats import dyadic_to_float, float_to_dyadic
from pyverify.exact.weights import exact_weights
from pyverify.provers import render_module, weights_digest
from pyverify.model.transformer import MaxOfKTransformer
from pyverify.numeric.inputs import all_inputs, correct_mask
from pyverify.numeric.registry import ALL, run_numeric
from pyverify.numeric.strategies.cubic import cubic_margins
from pyverify.numeric.flops import FlopCounter
from pyverify.numeric.tables import PathTables, logits_from_tables, path_tables
from pyverify.model.train import TrainConfig, train
from tests.exact_reference import exact_correct_count


def zero_state_dict(V: int, n: int, d: int, h: int, dtype: torch.dtype) -> dict:
    model = MaxOfKTransformer(ModelConfig(d_vocab=V, n_ctx=n, d_model=d, d_head=h), dtype)
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def test_float64_weights_are_not_rounded_to_float32(tmp_path):
    """Issue 7, reproducer 1: a - 3b = 0 exactly in float64 but not after rounding to float32,
    so every input ties: 0 of 4 are correct, and nothing may certify more."""
    b = 1 + 2**-24 + 2**-40
    sd = zero_state_dict(2, 2, 2, 1, torch.float64)
    sd["embed.W_E"] = torch.tensor([[3 * b, b], [3 * b, b]], dtype=torch.float64)
    sd["unembed.W_U"] = torch.tensor([[1.0, 0.0], [0.0, 3.0]], dtype=torch.float64)
    torch.save(sd, tmp_path / "tl.pt")
    model = load_model(tmp_path / "tl.pt")
    assert model.stored_dtype == "float64"
    assert exact_correct_count(model) == 0
    bf = count_correct(path_tables(model))
    assert bf.correct == 0
    for name in ALL:
        assert run_numeric(name, model).count == 0, name
    assert certify_brute(model).count == 0 and certify_cubic(model).count == 0
    # Saving keeps float64: the round trip is exact.
    path = save_checkpoint(model, tmp_path / "again.safetensors")
    again = load_model(path)
    assert again.stored_dtype == "float64"
    assert all(torch.equal(again.state_dict()[k], v) for k, v in model.state_dict().items())


def test_float_rounding_flag_covers_a_hidden_tie():
    """Issue 7, reproducer 5: 2^60 + 1 - 2^60 is 0 in float64 but 1 exactly, so every logit
    ties (0 correct) while float64 says 3. The flag must cover the difference."""
    sd = zero_state_dict(2, 2, 3, 1, torch.float32)
    sd["embed.W_E"] = torch.ones(2, 3)
    sd["unembed.W_U"] = torch.tensor([[2.0**60, 0.0], [1.0, 1.0], [-(2.0**60), 0.0]])
    from pyverify.model.transformer import model_from_state_dict
    model = model_from_state_dict(sd)
    truth = exact_correct_count(model)
    assert truth == 0
    bf = count_correct(path_tables(model))
    assert abs(bf.correct - truth) <= bf.uncertain and bf.uncertain > 0
    for name in ALL:
        r = run_numeric(name, model)
        assert r.count - r.uncertain <= truth, name
    assert certify_brute(model).count == 0 and certify_cubic(model).count == 0


def small_trained(V=5, n=3, seed=0) -> MaxOfKTransformer:
    model, _ = train(ModelConfig(d_vocab=V, n_ctx=n, d_model=8, d_head=8), TrainConfig(seed=seed, steps=300))
    return model


def stored_copy(model: MaxOfKTransformer, dtype: torch.dtype) -> dict:
    """The model's weights in dtype; for float64, perturbed below float32's resolution."""
    sd = {k: v.detach().to(dtype) for k, v in model.state_dict().items()}
    if dtype == torch.float64:
        for k, v in sd.items():
            if ".b_" not in k:
                sd[k] = v + v * 2.0**-35  # not a float32 any more
    return sd


@pytest.mark.parametrize("dtype", [torch.float64, torch.float16, torch.bfloat16])
def test_every_path_agrees_with_exact_evaluation_of_stored_values(tmp_path, dtype):
    sd = stored_copy(small_trained(), dtype)
    torch.save(sd, tmp_path / "m.pt")
    model = load_model(tmp_path / "m.pt")
    name = {torch.float64: "float64", torch.float16: "float16", torch.bfloat16: "bfloat16"}[dtype]
    assert model.stored_dtype == name
    w = exact_weights(model)
    flat = [(k, i, x) for k, v in sd.items() if ".b_" not in k for i, x in enumerate(v.flatten().tolist())]
    fields = {"embed.W_E": w.W_E, "pos_embed.W_pos": w.W_pos, "unembed.W_U": w.W_U, "blocks.0.attn.W_Q": w.W_Q,
              "blocks.0.attn.W_K": w.W_K, "blocks.0.attn.W_V": w.W_V, "blocks.0.attn.W_O": w.W_O}
    for key, i, x in flat:  # exact weights are the stored values, bit for bit
        row_major = [v for row in fields[key] for v in row]
        assert Fraction(row_major[i], 2**w.S) == Fraction(x), (key, i)
    truth = exact_correct_count(model)
    assert truth > 0
    bf = count_correct(path_tables(model))
    assert abs(bf.correct - truth) <= bf.uncertain
    for strategy in ALL:
        r = run_numeric(strategy, model)
        assert r.count - r.uncertain <= truth, strategy
    brute = certify_brute(model)
    certified = brute.count
    assert certified <= truth and certify_cubic(model).count <= truth
    text = render_module(w, "Stored", "brute-force", certified, brute.blocks)
    assert f"stored as {name}" in text and weights_digest(w) in text
    assert f"checkBrute weights scale = {certified}" in text
    if dtype == torch.float64:  # the digest is of the exact values: rounding would change it
        assert weights_digest(w) != weights_digest(exact_weights(model.float()))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_dyadic_round_trip_in_every_format(dtype):
    g = torch.Generator().manual_seed(0)
    values = (torch.randn(2000, generator=g, dtype=torch.float64) * 10.0 ** torch.randint(-6, 6, (2000,), generator=g))
    stored = values.to(dtype)
    stored = stored[torch.isfinite(stored)]
    for x in stored.tolist():
        m, e = float_to_dyadic(x)
        assert Fraction(m) * Fraction(2) ** e == Fraction(x)
        assert dyadic_to_float(m, e, dtype) == x


def test_float32_bit_patterns_round_trip():
    for bits in (0x00000001, 0x807FFFFF, 0x00800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x3EAAAAAB):
        x = struct.unpack("<f", struct.pack("<I", bits))[0]
        back = dyadic_to_float(*float_to_dyadic(x), torch.float32)
        assert struct.pack("<f", back) == struct.pack("<I", bits)


def test_nan_in_tables_never_counts_as_correct():
    """Issue 7, section 2: any NaN makes an input or case unproven, never correct."""
    model = small_trained(V=6, n=3, seed=1)
    tables = path_tables(model)
    tokens = all_inputs(6, 3)
    clean = correct_mask(logits_from_tables(tables, tokens), tokens)
    assert count_correct(tables).correct == int(clean.sum())
    poisoned = PathTables(tables.cfg, tables.EUPU, tables.EQKE.clone(), tables.EQKP, tables.EVOU.clone(),
                          tables.PVOU, tables.rounding)
    poisoned.EVOU[2, 4] = float("nan")  # every input holding token 2 has a NaN logit for output 4
    holds_2 = (tokens == 2).any(dim=1)
    assert count_correct(poisoned).correct == int((clean & ~holds_2).sum())
    poisoned.EQKE[3, 1] = float("inf")  # query 3 attending to token 1: inf - inf in the softmax
    query_3_sees_1 = (tokens[:, -1] == 3) & (tokens[:, :-1] == 1).any(dim=1)
    assert count_correct(poisoned).correct == int((clean & ~holds_2 & ~query_3_sees_1).sum())
    margins = cubic_margins(poisoned, FlopCounter())
    assert not (margins[:, 2] < 0).any() and not (margins[:, :, 2] < 0).any()  # max 2 or k = 2: unproven
    assert not (margins[3, :, 1, 1:] < 0).any()  # query 3 with copies of token 1: unproven


def test_trained_model_has_no_rounding_doubt(trained_k4):
    for name in ("brute-force", "cubic", "subcubic:default"):
        assert run_numeric(name, trained_k4).uncertain == 0, name
