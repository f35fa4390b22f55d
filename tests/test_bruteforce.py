import pytest
import torch

from pyverify.numeric.accuracy import count_correct
from pyverify.errors import PyVerifyError
from pyverify.numeric.reference import count_correct_naive
from pyverify.numeric.tables import path_tables
from tests.zoo import random_model


@pytest.mark.parametrize("n", [2, 3, 4])
@pytest.mark.parametrize("seed", range(4))
def test_brute_force_equals_naive_forward(n, seed):
    model = random_model(8, n, seed=seed, biases=seed % 2 == 1)
    assert count_correct(path_tables(model)).correct == count_correct_naive(model)


@pytest.mark.parametrize("gain", [5.0, 30.0])
def test_brute_force_with_sharp_attention(gain):
    model = random_model(7, 4, seed=11, attn_gain=gain)
    assert count_correct(path_tables(model)).correct == count_correct_naive(model)


def _exact_model(V, n, seed):
    """Small-integer weights and zero W_Q: uniform attention (p = 1/n, exact for n in {2, 4}),
    so every logit is computed exactly in float64 and exact ties are frequent."""
    model = random_model(V, n, seed=seed, d=3, h=3)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".b_" not in name:
                p.copy_(torch.randint(-2, 3, p.shape, generator=g).to(p.dtype))
        model.blocks[0].attn.W_Q.zero_()
    return model


@pytest.mark.parametrize("n", [2, 4])
@pytest.mark.parametrize("seed", range(5))
def test_brute_force_counts_exact_ties_as_wrong(n, seed):
    model = _exact_model(6, n, seed)
    with torch.no_grad():
        model.unembed.W_U[:, 4] = model.unembed.W_U[:, 2]  # outputs 2 and 4 always tie
    bf = count_correct(path_tables(model)).correct
    assert bf == count_correct_naive(model)
    with torch.no_grad():
        model.unembed.b_U[4] = 1000.0  # 4 now always wins: only inputs with max exactly 4 are right
    only4 = count_correct(path_tables(model)).correct
    assert only4 == count_correct_naive(model) == 5**n - 4**n


def test_many_random_models_agree():
    for seed in range(40):
        V = 5 + seed % 6
        n = 2 + seed % 3
        model = random_model(V, n, seed=100 + seed, d=4, h=4, attn_gain=1 + seed % 4 * 3)
        assert count_correct(path_tables(model)).correct == count_correct_naive(model), seed


@pytest.mark.parametrize("seed", range(6))
def test_brute_force_with_huge_scores(seed):
    """Weights large enough that attention scores span thousands: exp() must not underflow
    a whole input into a fake tie."""
    model = random_model(3 + seed % 3, 2 + seed % 3, seed=seed, d=5, h=4, weight_std=4.0)
    assert count_correct(path_tables(model)).correct == count_correct_naive(model)


def test_long_request_is_refused_without_force():
    model = random_model(64, 6, seed=0, d=2, h=2)
    with pytest.raises(PyVerifyError, match="--force"):
        count_correct(path_tables(model))


def test_trained_model_accuracy(trained_k4):
    result = count_correct(path_tables(trained_k4))
    assert result.total == 64**4
    assert result.accuracy >= 0.98


@pytest.mark.parametrize("seed", range(6))
def test_pruning_clear_rows_changes_no_count(seed):
    """_count_negative (prune the clearly correct indices and outputs, then count the rest)
    equals counting the whole box, on random blocks: well separated, borderline, and with NaN."""
    from pyverify.numeric.accuracy import _count_box, _count_negative
    from pyverify.numeric.flops import FlopCounter

    g = torch.Generator().manual_seed(seed)
    sizes, outputs = [5, 1, 6][: 2 + seed % 2], 4
    const = torch.randn(outputs, generator=g, dtype=torch.float64) - (3.0 if seed < 3 else 0.5)
    vectors = [torch.randn(d, outputs, generator=g, dtype=torch.float64) for d in sizes]
    if seed == 5:
        vectors[0][2, 1] = float("nan")
    z_vectors = [torch.rand(d, generator=g, dtype=torch.float64) + 0.5 for d in sizes]
    z_max = 1.0 + sum(float(z.max()) for z in z_vectors)
    for tol in (1e-3, 0.05):
        pruned = _count_negative(const, vectors, 1.0, z_vectors, tol, z_max, FlopCounter())
        whole = _count_box(const, vectors, 1.0, z_vectors, tol, z_max, FlopCounter())
        assert pruned == whole
