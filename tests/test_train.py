import torch

from pyverify.model.config import ModelConfig
from pyverify.model.train import TrainConfig, train


def _weights(seed, steps=40):
    model, info = train(ModelConfig(d_vocab=10, n_ctx=3, d_model=8, d_head=8), TrainConfig(seed=seed, steps=steps))
    return model.state_dict(), info


def test_same_seed_gives_identical_weights():
    a, info_a = _weights(1)
    b, info_b = _weights(1)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert info_a["final_loss"] == info_b["final_loss"]


def test_different_seeds_differ():
    a, _ = _weights(1)
    b, _ = _weights(2)
    assert not torch.equal(a["embed.W_E"], b["embed.W_E"])


def test_biases_stay_zero_and_loss_falls():
    model, info = train(ModelConfig(d_vocab=10, n_ctx=3, d_model=16, d_head=16), TrainConfig(seed=0, steps=300))
    for name, p in model.state_dict().items():
        if ".b_" in name:
            assert float(p.abs().max()) == 0.0, name
    assert info["final_loss"] < 1.0  # log(10) = 2.3 at chance
