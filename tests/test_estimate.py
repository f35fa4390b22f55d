"""Estimates beside proofs (issue 30): Monte Carlo, proof-stratified and mechanistic estimates
of the number of correct inputs, checked against the exact (brute-force) count.

The intervals cover the truth at their nominal rate (200 seeded repetitions and a binomial
test), the stratified estimate samples its remainder uniformly and is exact at full budget, the
mechanistic estimate is exact where its argument is (one non-max position), every estimate is
deterministic given its seed, and bad requests are one line with exit 2.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest
import torch

import pyverify
from pyverify.cli import main
from pyverify.model.config import ModelConfig
from pyverify.errors import PyVerifyError
from pyverify.numeric.estimate import (beta_cdf, clopper_pearson, cubic_strata, enumerate_remainder, estimate, input_flops,
                               sample_remainder)
from pyverify.numeric.flops import FlopCounter
from pyverify.numeric.tables import path_tables, table_flops
from pyverify.model.train import TrainConfig, train

REPETITIONS = 200


def binomial_upper_tail(k: int, n: int, p: float) -> float:
    """P(X >= k) for X ~ Binomial(n, p)."""
    return sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1))


@pytest.fixture(scope="module")
def half_trained():
    """A V=8, K=3 model right on about 90% of its inputs, with a cubic proof that leaves a
    remainder of a few dozen inputs: (model, exact count)."""
    model, _ = train(ModelConfig(d_vocab=8, n_ctx=3, d_model=16, d_head=16), TrainConfig(steps=300, seed=1))
    truth = pyverify.accuracy(model)
    assert truth.uncertain == 0 and 0 < truth.correct < 512
    return model, truth.correct


def budget(model, method: str, samples: int) -> float:
    """The FLOPs that pay for a method's fixed cost and `samples` inputs."""
    per_input = input_flops(model.cfg.d_vocab, model.cfg.n_ctx)
    if method == "monte-carlo":
        return table_flops(model.cfg) + samples * per_input
    full = estimate(model, "stratified", 1e12)  # exact: its FLOPs are the fixed cost and the whole remainder
    return full.flops - full.samples * per_input + samples * per_input


def test_the_exact_binomial_interval_is_right():
    """I_x(a, b) against closed forms, and the Clopper-Pearson ends against their definition."""
    assert beta_cdf(0.3, 1, 1) == pytest.approx(0.3, abs=1e-12)
    assert beta_cdf(0.3, 2, 1) == pytest.approx(0.09, abs=1e-12)
    assert beta_cdf(0.7, 1, 3) == pytest.approx(1 - 0.3**3, abs=1e-12)
    low, high = clopper_pearson(7, 20, 0.95)
    assert binomial_upper_tail(7, 20, low) == pytest.approx(0.025, abs=1e-9)
    assert 1 - binomial_upper_tail(8, 20, high) == pytest.approx(0.025, abs=1e-9)
    assert clopper_pearson(0, 10, 0.9)[0] == 0 and clopper_pearson(10, 10, 0.9)[1] == 1


@pytest.mark.parametrize("method", ["monte-carlo", "stratified"])
def test_intervals_cover_the_truth_at_their_nominal_rate(half_trained, method):
    """200 seeded estimates on a budget that samples (not enumerates): the 95% interval misses
    the exact count no more often than a binomial test at the 0.1% level allows (the exact
    interval is conservative, so fewer misses are expected)."""
    model, truth = half_trained
    flops = budget(model, method, 30)
    estimates = [estimate(model, method, flops, seed=s) for s in range(REPETITIONS)]
    assert not any(e.exact for e in estimates) and all(e.samples == 30 for e in estimates)
    misses = sum(not (e.low <= truth <= e.high) for e in estimates)
    assert binomial_upper_tail(misses, REPETITIONS, 0.05) > 1e-3, misses
    mean = sum(e.count for e in estimates) / REPETITIONS  # unbiased: the mean is near the truth
    assert abs(mean - truth) < 4 * max(e.high - e.low for e in estimates) / math.sqrt(REPETITIONS)


def test_the_remainder_is_sampled_uniformly(half_trained):
    """Every sampled input lies in the cubic proof's unproven remainder, and each remainder input
    is drawn about equally often (a chi-square test over 60 draws per input)."""
    model, _ = half_trained
    tables = path_tables(model)
    strata = cubic_strata(tables, FlopCounter())
    remainder = {tuple(x) for x in enumerate_remainder(strata, 3).tolist()}
    assert len(remainder) == strata.remainder == int(strata.size.sum()) > 10
    draws = 60 * len(remainder)
    counts = Counter(tuple(x) for x in sample_remainder(strata, draws, 3, torch.Generator().manual_seed(5)).tolist())
    assert set(counts) == remainder
    chi2 = sum((counts[x] - 60) ** 2 / 60 for x in remainder)
    assert chi2 < len(remainder) + 6 * math.sqrt(2 * len(remainder)), chi2


def test_full_budgets_return_the_exact_count(zoo):
    """Monte Carlo enumerates every input and the stratified estimate the proof's remainder
    when the budget pays for it: both equal the brute force, on every zoo kind."""
    checked = 0
    for z in zoo[::15]:
        if z.brute_force.uncertain:
            continue
        for method in ("monte-carlo", "stratified"):
            e = estimate(z.model, method, 1e12)
            assert e.exact and e.count == e.low == e.high == z.brute_force.correct, (z.index, z.kind, method)
        checked += 1
    assert checked >= 15


def test_the_mechanistic_estimate_is_exact_with_one_non_max_position(zoo):
    """With K = 2 every case has at most one non-max position, which the estimate counts exactly
    over its tokens: it equals the brute force. With K = 3 and 4 it stays within [0, V^K]."""
    two = [z for z in zoo if z.model.cfg.n_ctx == 2 and not z.brute_force.uncertain][::3]
    assert len(two) >= 10
    for z in two:
        assert estimate(z.model, "mechanistic", 1e12).count == pytest.approx(z.brute_force.correct, abs=1e-6), z.index
    for z in [z for z in zoo if z.model.cfg.n_ctx > 2][:20]:
        e = estimate(z.model, "mechanistic", 1e12)
        assert 0 <= e.count <= z.inputs and e.low is None and e.samples == 0


def test_estimates_are_deterministic_given_their_seed(half_trained):
    model, _ = half_trained
    for method in ("monte-carlo", "stratified", "mechanistic"):
        flops = 1e9 if method == "mechanistic" else budget(model, method, 20)
        first, again = estimate(model, method, flops, seed=3), estimate(model, method, flops, seed=3)
        assert (first.count, first.low, first.high, first.flops) == (again.count, again.low, again.high, again.flops)
    flops = budget(model, "monte-carlo", 20)
    assert estimate(model, "monte-carlo", flops, seed=3).count != estimate(model, "monte-carlo", flops, seed=4).count


def test_the_api_takes_what_load_takes(half_trained, tmp_path):
    model, truth = half_trained
    path = pyverify.save_checkpoint(model, tmp_path / "m.safetensors")
    assert pyverify.estimate(path, "monte-carlo", 1e9).count == truth
    assert pyverify.estimate(model.state_dict(), "stratified", 1e9).count == truth


@pytest.mark.parametrize("args, message", [
    (["--flops", "0"], "must be a positive number"),
    (["--flops", "-5"], "must be a positive number"),
    (["--flops", "100"], "too small for Monte Carlo"),
    (["--method", "stratified", "--flops", "30000"], "too small for the stratified estimate"),
    (["--method", "mechanistic", "--flops", "2000"], "the mechanistic estimate costs"),
    (["--level", "1.5"], "confidence level"),
])
def test_bad_requests_are_one_line(half_trained, tmp_path, capsys, args, message):
    path = pyverify.save_checkpoint(half_trained[0], tmp_path / "m.safetensors")
    assert main(["estimate", str(path), *args]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_model_too_large_for_memory_is_refused(half_trained, tmp_path, capsys, monkeypatch):
    path = pyverify.save_checkpoint(half_trained[0], tmp_path / "m.safetensors")
    monkeypatch.setenv("PYVERIFY_MEMORY_GB", "0.0000001")
    for method in ("stratified", "mechanistic"):
        assert main(["estimate", str(path), "--method", method, "--flops", "1e9"]) == 2
        assert "memory" in capsys.readouterr().err
    with pytest.raises(PyVerifyError, match="unknown estimation method"):
        estimate(half_trained[0], "importance")


def test_the_command_line_prints_the_estimate(half_trained, tmp_path, capsys):
    import json

    path = pyverify.save_checkpoint(half_trained[0], tmp_path / "m.safetensors")
    flops = budget(half_trained[0], "stratified", 20)
    assert main(["estimate", str(path), "--method", "stratified", "--flops", str(flops), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["method"] == "stratified" and data["low"] <= data["count"] <= data["high"] and data["certified"] > 0
    assert main(["estimate", str(path), "--method", "mechanistic", "--flops", "1e9"]) == 0
    assert "no interval" in capsys.readouterr().out
