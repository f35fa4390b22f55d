"""Why EUPU `max_diff` is far below the paper's camera-ready data (issue 28).

`max_diff` (mu = 0) bounds EUPU[q, o] - EUPU[q, m] by sum_j |W_EP[q, j]| rowrange(W_U[j]), so
its bound grows with the common offset of W_EP's rows. The model's direct path reads the query
position, W_EP = W_E + W_pos[n-1] (pyverify, and the paper after its W_EP fix); the paper's
camera-ready code used W_E + mean_p W_pos, which is not the model's residual. This prints, per
seed, pyverify's float64 bound with each residual in the direct path (the attention, as in both
codes, reads W_pos[n-1]; `exact_EQKE+max_diff_exact` keeps it out of the comparison).

    python3 scripts/paper_query_residual.py study/k4/models/seed0.safetensors ...
"""

from __future__ import annotations

import sys

from pyverify.model.checkpoint import load_model
from pyverify.numeric.strategies import subcubic
from pyverify.numeric.strategies.subcubic import SubcubicConfig, run_subcubic

CONFIG = SubcubicConfig("max_diff", "mean_query+diff", "exact_EQKE+max_diff_exact")


def paper_eupu_split(W: dict, handling: str, flops):
    """The EUPU handling with the paper's camera-ready W_EP = W_E + mean_p W_pos (the direct path
    only; its attention, like ours, reads W_pos[n-1])."""
    W_pos = W["W_pos"].clone()
    W_pos[-1] = W["W_pos"].mean(dim=0)
    return model_eupu_split(W | {"W_pos": W_pos}, handling, flops)


model_eupu_split = subcubic.eupu_split


def main(paths: list[str]) -> None:
    print("model                          W_E + W_pos[n-1]  W_E + mean W_pos (paper, camera-ready)")
    for path in paths:
        model = load_model(path)
        ours = run_subcubic(model, CONFIG).bound
        subcubic.eupu_split = paper_eupu_split
        try:
            paper = run_subcubic(model, CONFIG).bound
        finally:
            subcubic.eupu_split = model_eupu_split
        print(f"{path[-30:]:30s} {ours:16.3f}  {paper:16.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
