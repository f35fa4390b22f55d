"""Soundness of every proof strategy against the brute-force count, and their bookkeeping."""

import itertools
import os
import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pyverify.numeric.accuracy import count_correct
from pyverify.errors import PyVerifyError
from pyverify.numeric.inputs import all_inputs
from pyverify.numeric.registry import ALL, expand, run_numeric
from pyverify.numeric.counting import case_count
from pyverify.numeric.strategies.cubic import run_cubic
from pyverify.numeric.strategies.subcubic import PRESETS, SubcubicConfig, run_subcubic
from pyverify.numeric.tables import path_tables
from tests.zoo import quick_trained, random_model

CONFIGS = SubcubicConfig.all()


def truth(model) -> int:
    return count_correct(path_tables(model)).correct


def test_cubic_and_presets_sound_on_the_zoo(zoo):
    """All 300 zoo models (biased ones included): cubic and the four presets never count
    more than the brute force."""
    proven = 0
    for z in zoo:
        bf = z.brute_force.correct
        cubic = run_cubic(z.model).count
        assert cubic <= bf, z.index
        proven += cubic
        for preset in PRESETS.values():
            assert run_subcubic(z.model, preset).count <= bf, (z.index, preset.name)
    assert proven > 0  # the test would be empty if nothing were ever proven


def test_every_subcubic_config_sound_on_the_zoo(zoo):
    """Every 12th zoo model (25, every kind and size) through all 100 configurations."""
    for z in zoo[::12]:
        bf = z.brute_force.correct
        for config in CONFIGS:
            assert run_subcubic(z.model, config).count <= bf, (z.index, config.name)


def test_near_tie_logits_are_not_proven():
    """Outputs 2 and 3 nearly tie everywhere: no input with max 2 or 3 may be certified."""
    model = quick_trained(6, 3, seed=3)
    with torch.no_grad():
        model.unembed.W_U[:, 3] = model.unembed.W_U[:, 2]
        model.unembed.b_U[3] = 1e-7
    bf = truth(model)
    for name in ["cubic"] + [f"subcubic:{c.name}" for c in CONFIGS[::7]]:
        r = run_numeric(name, model)
        assert r.count <= bf, name
        lost_by_max = {int(m): int(l) for m, l in zip(r.cases["max"], r.cases["lost"])}
        for m in (2, 3):
            inputs_with_max = (m + 1) ** 3 - m**3
            lost = sum(int(l) for mm, l in zip(r.cases["max"], r.cases["lost"]) if int(mm) == m)
            assert lost == inputs_with_max, (name, m, lost_by_max)


@settings(max_examples=int(os.environ.get("PYVERIFY_HYPOTHESIS_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), V=st.integers(3, 9), n=st.integers(2, 4),
       gain=st.floats(0.1, 40.0), scale=st.floats(0.05, 5.0), identity=st.floats(0.0, 8.0))
def test_hypothesis_tries_to_break_soundness(seed, V, n, gain, scale, identity):
    """Random weights pushed towards a max-like unembedding by ``identity``."""
    model = random_model(V, n, seed=seed, d=V + 1, h=4, attn_gain=gain, weight_std=scale)
    with torch.no_grad():
        model.unembed.W_U[:V, :] += identity * torch.eye(V, dtype=torch.float32)
        model.blocks[0].attn.W_K[:, :V, 0] += identity * torch.linspace(0, 1, V)
        model.blocks[0].attn.W_Q[:, :, 0] += identity / 4
    bf = truth(model)
    assert run_cubic(model).count <= bf
    for config in PRESETS.values():
        assert run_subcubic(model, config).count <= bf


def test_trained_model_strategy_ordering(trained_k4):
    results = {name: run_numeric(name, trained_k4) for name in ALL}
    bf = results["brute-force"].count
    assert bf == truth(trained_k4)
    assert results["cubic"].count <= bf
    for name, r in results.items():
        assert r.count <= results["cubic"].count or name in ("brute-force", "cubic"), name
    # Soundness and the paper's ballpark on the full-recipe model.
    assert results["cubic"].bound / results["brute-force"].bound > 0.9
    assert results["subcubic:exact-eqke"].count > results["subcubic:quadratic"].count


def test_every_implemented_config_sound_on_trained_model(trained_k4):
    bf = truth(trained_k4)
    for config in CONFIGS:
        assert run_subcubic(trained_k4, config).count <= bf, config.name


def test_case_detail_accounts_for_every_input(trained_k4):
    for name in ("cubic", "subcubic:default"):
        r = run_numeric(name, trained_k4)
        assert int(r.cases["lost"].sum()) + r.count == r.total
        worst = r.worst_cases(3)
        assert worst and worst[0]["lost"] >= worst[-1]["lost"] > 0


@pytest.mark.parametrize("n", [2, 3, 4])
def test_case_count_matches_enumeration(n):
    V = 5
    X = all_inputs(V, n).tolist()
    g = torch.Generator().manual_seed(n)
    for q, m in itertools.product(range(V), range(V)):
        if q > m:
            continue
        proven = [k for k in range(m) if torch.rand(1, generator=g).item() < 0.6]
        for c in range(n):
            expected = sum(
                1 for x in X
                if x[-1] == q and max(x) == m
                and sum(t != m for t in x[:-1]) == c and all(t == m or t in proven for t in x[:-1])
            )
            got = case_count(n, q == m, c, len(proven)) if c > 0 else int(q == m or n > 1)
            assert got == expected, (q, m, c)


def _fit_exponent(sizes, costs):
    xs = [math.log(s) for s in sizes]
    ys = [math.log(c) for c in costs]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)


def test_flops_grow_with_documented_class():
    sizes = [16, 32, 64, 96]
    models = [random_model(V, 4, seed=V, d=4, h=4) for V in sizes]
    cubic = _fit_exponent(sizes, [run_cubic(m).flops for m in models])
    sub = _fit_exponent(sizes, [run_subcubic(m, "default").flops for m in models])
    brute = _fit_exponent(sizes[:2], [run_numeric("brute-force", m).flops for m in models[:2]])
    assert 2.7 < cubic < 3.3  # O(V^3 n)
    assert 1.7 < sub < 2.3  # O(V^2 (n + d))
    assert brute > 3.5  # O(V^(n+1)) for a model that prunes nothing (n = 4 gives ~5)


def test_config_space_names_all_100():
    names = {c.name for c in SubcubicConfig.all()}
    assert len(names) == 100
    assert SubcubicConfig.parse("default") == SubcubicConfig()
    assert len(expand("subcubic:*")) == 100
    with pytest.raises(PyVerifyError, match="unknown EUPU handling"):
        SubcubicConfig.parse("nope/mean_query+diff/svd")
    with pytest.raises(PyVerifyError, match="unknown strategy"):
        run_numeric("quartic", random_model(4, 2, seed=0))
