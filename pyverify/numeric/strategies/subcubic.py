"""The subcubic proof family: O(V^2 n) cases, each decided in O(1) from precomputed summaries.

A case is (query q, max m, copies c, gap g): the inputs whose query token is q, whose n-1
non-query positions hold c non-max tokens, all at most m - g, and m elsewhere (if q < m, q
itself is a non-max token and must be at most m - g). For every such input
(docs/strategies.md, "Subcubic" proves each step)

    logit[o] - logit[m] <= spread[q, m] + max(J1[m], p_low J1[m] + (1 - p_low) (J0[m] + H[m, g]))

  M, spread the EUPU handling: EUPU[q, o] - EUPU[q, m] <= M[o] - M[m] + spread[q, m]
  PW[o, m]  = max_i PVOU[i, o] - PVOU[i, m]
  J1[m]     = max_{o != m} M[o] - M[m] + PW[o, m] + EVOU[m, o] - EVOU[m, m]
  J0[m]     = max_{o != m} M[o] - M[m] + PW[o, m]
  H[m, g]   = max_{k <= m-g, o != m} EVOU[k, o] - EVOU[k, m]      (prefix max over k)
  p_low     a lower bound on the attention paid to the copies of m, from a lower bound
            delta on EQKE[q, m] - EQKE[q, k] for the non-max tokens k <= m - g, with the
            copies of m put on the positions of least positional score.

delta comes from a split EQKE = Main + Err where Main is cheap to scan (exact EQKE, or a
few rank-one terms) and Err has row spread at most R[q] (the attention error handling):
delta = Main[q, m] - max_{k <= m-g} Main[q, k] - R[q].

The configuration space is the paper's: 5 EUPU handlings x 2 attention handlings x 10
attention-error handlings = 100 configurations (see SubcubicConfig.all()), each name meaning
what it means in the paper's code unless docs/strategies.md says otherwise. The proof *search* picks, for each (q, m, c), the smallest gap that proves the
case; checking recomputes everything from the weights and evaluates only the chosen gaps.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass

import torch

from pyverify.errors import PyVerifyError
from pyverify.limits import require_memory, require_time
from pyverify.model.transformer import MaxOfKTransformer
from pyverify.numeric.counting import case_count, cases, gap_is_legal
from pyverify.numeric.flops import FlopCounter
from pyverify.numeric.strategies.positional import positional_log_weights
from pyverify.numeric.strategies.result import StrategyResult
from pyverify.numeric.tables import UNIT_ROUNDOFF, float64_weights, path_tables, query_residual

# (case, gap) pairs evaluated at once by the gap search (bounds its memory).
SEARCH_CHUNK = 1 << 20

EUPU_HANDLINGS = ("mean_query+max_diff", "svd_query+max_diff", "max_diff", "max_diff_exact", "global_max_diff_exact")
ATTENTION_HANDLINGS = ("mean_query+diff", "drop_average_query_per_output_logit_reasoning")
ATTENTION_ERROR_HANDLINGS = (
    "svd",
    "max_diff",
    "max_diff_subproduct",
    "max_diff_subproduct_recursive",
    "mean+max_diff",
    "mean+max_diff_subproduct",
    "mean+max_diff_subproduct_recursive",
    "mean_recursive+max_diff_subproduct_recursive",
    "max_diff_exact",
    "exact_EQKE+max_diff_exact",
)
# The attention error handlings split EQKE along the SVD's top term (the float search finds it).
SVD_ERRORS = ("svd", "max_diff", "mean+max_diff", "max_diff_exact")


@dataclass(frozen=True)
class SubcubicConfig:
    """One point of the configuration space; its name is "EUPU/attention/attention_error"."""

    eupu: str = "mean_query+max_diff"
    attention: str = "mean_query+diff"
    attention_error: str = "max_diff"

    def __post_init__(self) -> None:
        for value, allowed, axis in ((self.eupu, EUPU_HANDLINGS, "EUPU handling"),
                                     (self.attention, ATTENTION_HANDLINGS, "attention handling"),
                                     (self.attention_error, ATTENTION_ERROR_HANDLINGS, "attention error handling")):
            if value not in allowed:
                raise PyVerifyError(f"unknown {axis} {value!r}; choose from {', '.join(allowed)}")

    @property
    def name(self) -> str:
        return f"{self.eupu}/{self.attention}/{self.attention_error}"

    @property
    def uses_svd(self) -> bool:
        return self.eupu == "svd_query+max_diff" or self.attention_error in SVD_ERRORS

    @property
    def quadratic(self) -> bool:
        """No V*d^2 term in the EQKE and EUPU handling (no SVD, no V x d x d product)."""
        return self.eupu in ("mean_query+max_diff", "max_diff", "max_diff_exact", "global_max_diff_exact") and \
            self.attention_error in ("max_diff_subproduct_recursive", "mean+max_diff_subproduct_recursive",
                                     "mean_recursive+max_diff_subproduct_recursive", "exact_EQKE+max_diff_exact")

    @classmethod
    def parse(cls, text: str) -> "SubcubicConfig":
        """"EUPU/attention/error", or a preset name (see PRESETS), or "" for the default."""
        if text in PRESETS:
            return PRESETS[text]
        if text == "":
            return cls()
        parts = text.split("/")
        if len(parts) != 3:
            raise PyVerifyError(
                f"subcubic config {text!r} must be EUPU/attention/error or one of {', '.join(PRESETS)}")
        return cls(*parts)

    @classmethod
    def all(cls) -> list["SubcubicConfig"]:
        """All 100 configurations."""
        return [cls(*c) for c in itertools.product(EUPU_HANDLINGS, ATTENTION_HANDLINGS, ATTENTION_ERROR_HANDLINGS)]


PRESETS = {
    "default": SubcubicConfig("mean_query+max_diff", "mean_query+diff", "max_diff"),
    "exact-eqke": SubcubicConfig("max_diff_exact", "mean_query+diff", "exact_EQKE+max_diff_exact"),
    "svd": SubcubicConfig("mean_query+max_diff", "mean_query+diff", "svd"),
    "quadratic": SubcubicConfig("mean_query+max_diff", "mean_query+diff", "mean+max_diff_subproduct_recursive"),
}


@dataclass
class Summaries:
    """Everything a case needs, O(V^2 n) numbers (shapes in brackets)."""

    spread: torch.Tensor  # [V_q, V_m]
    J1: torch.Tensor  # [V_m]: max_{o != m} M_d[o] + PVOU_worst[o, m] + EVOU[m, o] - EVOU[m, m]
    J0: torch.Tensor  # [V_m]: max_{o != m} M_d[o] + PVOU_worst[o, m]
    H: torch.Tensor  # [V_kmax, V_m]: H[j, m] = max_{k <= j, o != m} EVOU[k, o] - EVOU[k, m]
    main: torch.Tensor  # [V_q, V_k]
    main_prefix_max: torch.Tensor  # [V_q, V_k]
    R: torch.Tensor  # [V_q]
    log_low: torch.Tensor  # [V_q, n]: log of the sum of the a smallest non-query positional weights
    log_rest: torch.Tensor  # [V_q, n]: log of the sum of the other n-1-a
    log_w_query: torch.Tensor  # [V_q]


def _max_excluding_diagonal(values: torch.Tensor, flops: FlopCounter) -> torch.Tensor:
    """out[r, m] = max_{o != m} values[r, o], by the top two of each row. [R, V] -> [R, V]."""
    top = flops.each(values).topk(2, dim=1)
    V = values.shape[1]
    is_argmax = top.indices[:, :1] == torch.arange(V)[None, :]
    return torch.where(is_argmax, top.values[:, 1:2], top.values[:, :1])


def _row_range(x: torch.Tensor, flops: FlopCounter) -> torch.Tensor:
    """max - min of each row: [R, C] -> [R]."""
    flops.each(x)
    return x.amax(dim=1) - x.amin(dim=1)


def _unit(x: torch.Tensor) -> torch.Tensor:
    """x / |x|, or the first basis vector when x = 0 (any unit vector gives a valid split)."""
    norm = x.norm()
    if norm > 0:
        return x / norm
    e0 = torch.zeros_like(x)
    e0[0] = 1.0
    return e0


# EUPU handlings: EUPU[q, o] - EUPU[q, m] <= (mean_row[o] - mean_row[m]) + spread[q, m] for
# every o != m. Each returns mean_row [V_o] and spread [V_q, V_m].

def _eupu_exact(EUPU: torch.Tensor, flops: FlopCounter) -> tuple[torch.Tensor, torch.Tensor]:
    """max_diff_exact: the exact margin max_{o != m} EUPU[q, o] - EUPU[q, m], O(V^2) by a top-two trick."""
    zeros = torch.zeros(EUPU.shape[1], dtype=EUPU.dtype)
    return zeros, flops.each(_max_excluding_diagonal(EUPU, flops) - EUPU)


def _eupu_global(EUPU: torch.Tensor, flops: FlopCounter) -> tuple[torch.Tensor, torch.Tensor]:
    """global_max_diff_exact: one spread for every query, the largest row range of EUPU."""
    V = EUPU.shape[1]
    spread = _row_range(EUPU, flops).amax()
    return torch.zeros(V, dtype=EUPU.dtype), spread.expand(V, V).clone()


def _eupu_around(W_EP: torch.Tensor, W_U: torch.Tensor, const: torch.Tensor, mu: torch.Tensor,
                 flops: FlopCounter) -> tuple[torch.Tensor, torch.Tensor]:
    """EUPU = mu W_U + (W_EP - mu) W_U: the query-independent row mu W_U, and a spread from
    |W_EP[q] - mu| . rowrange(W_U) (the rule sum_j a_j (b_jo - b_jm) <= sum_j |a_j| rowrange(b_j))."""
    V = W_EP.shape[0]
    mean_row = flops.each(flops.mm(mu, W_U) + const)
    spread = flops.mm(flops.each((W_EP - mu).abs()), _row_range(W_U, flops))
    return mean_row, spread[:, None].expand(V, V).clone()


def eupu_split(W: dict, handling: str, flops: FlopCounter) -> tuple[torch.Tensor, torch.Tensor]:
    """The EUPU handling named `handling`: (mean_row [V_o], spread [V_q, V_m])."""
    W_EP = flops.each(query_residual(W))
    const = flops.each(flops.mm(flops.each(flops.mm(W["b_V"], W["W_O"]) + W["b_O"]), W["W_U"]) + W["b_U"])
    if handling in ("max_diff_exact", "global_max_diff_exact"):
        EUPU = flops.each(flops.mm(W_EP, W["W_U"]) + const)
        return (_eupu_exact if handling == "max_diff_exact" else _eupu_global)(EUPU, flops)
    if handling == "mean_query+max_diff":
        mu = flops.each(W_EP).mean(dim=0)
    elif handling == "svd_query+max_diff":
        _, _, Vh = flops.svd(W_EP)
        mu = flops.each(Vh[0] * flops.mm(Vh[0], flops.each(W_EP).mean(dim=0)))  # the mean row on the top direction
    else:  # max_diff
        mu = torch.zeros(W_EP.shape[1], dtype=W_EP.dtype)
    return _eupu_around(W_EP, W["W_U"], const, mu, flops)


# Attention error handlings: EQKE = Main + Err with Err[q, k] - Err[q, k'] <= R[q]. EQKE = A B
# with A = (W_EP W_Q + b_Q) / scale [V, h] and B = W_K^T W_E^T [h, V] (b_K cancels in the softmax).
# Each returns (Main [V_q, V_k], R [V_q]).

def _spread_through(P: torch.Tensor, Q: torch.Tensor, centre: bool, flops: FlopCounter) -> torch.Tensor:
    """R[q] >= the row spread of P @ Q: sum_j |P[q, j]| rowrange(Q_j), or, with centre, the exact
    spread of the mean row's product plus that bound for the deviations from the mean row."""
    Q_range = _row_range(Q, flops)
    if not centre:
        return flops.mm(flops.each(P.abs()), Q_range)
    P_mean = flops.each(P).mean(dim=0)
    mean_spread = _row_range(flops.mm(P_mean, Q)[None, :], flops)[0]
    return flops.each(mean_spread + flops.mm(flops.each((P - P_mean).abs()), Q_range))


def _eqke_exact(A: torch.Tensor, B: torch.Tensor, flops: FlopCounter) -> tuple[torch.Tensor, torch.Tensor]:
    """exact_EQKE+max_diff_exact: Main = A B itself, R = 0."""
    return flops.mm(A, B), torch.zeros(A.shape[0], dtype=A.dtype)


def _eqke_svd_family(A: torch.Tensor, B: torch.Tensor, handling: str,
                     flops: FlopCounter) -> tuple[torch.Tensor, torch.Tensor]:
    """max_diff_exact, svd, max_diff, mean+max_diff: Main = the rank-one SVD term of A B,
    found without forming A B (A = QR, then the SVD of R B)."""
    QA, RA = flops.qr(A)
    U_s, S, Vh = flops.svd(flops.mm(RA, B))
    left = flops.mm(QA, U_s)  # [V, h]
    main = flops.each((left[:, 0] * S[0])[:, None] * Vh[0][None, :])
    if handling == "max_diff_exact":
        # The residual itself, not P @ Q: then R bounds EQKE - Main up to the rounding of
        # one product, whatever the accuracy of the SVD.
        return main, _row_range(flops.each(flops.mm(A, B) - main), flops)
    if handling == "svd":
        # |Err[q, k] - Err[q, k']| <= sqrt(2) * sigma_max(Err) = sqrt(2) * S[1].
        second = S[1] if S.numel() > 1 else torch.zeros((), dtype=S.dtype)
        return main, torch.full((A.shape[0],), math.sqrt(2) * float(second), dtype=A.dtype)
    P = flops.each(left[:, 1:] * S[1:])  # Err = P @ Q, the other singular directions
    return main, _spread_through(P, Vh[1:], handling == "mean+max_diff", flops)


def _eqke_subproduct(A: torch.Tensor, B: torch.Tensor, handling: str,
                     flops: FlopCounter) -> tuple[torch.Tensor, torch.Tensor]:
    """max_diff_subproduct, mean+max_diff_subproduct: Main = rank one along u = the mean row of
    A (no SVD), Err = (A - (A u) u^T) B."""
    u = _unit(flops.each(A).mean(dim=0))
    Au = flops.mm(A, u)
    main = flops.each(Au[:, None] * flops.mm(u, B)[None, :])
    P = flops.each(A - Au[:, None] * u[None, :])
    return main, _spread_through(P, B, handling.startswith("mean+"), flops)


# The quadratic split (the paper's max_diff_subproduct_recursive family): how many directions are
# peeled off each factor of EQKE = E_q W_Q W_K^T E_k^T, and the subspace iteration that finds them.
QUERY_DIRECTIONS = 2
KEY_DIRECTIONS = 2
DIRECTION_STEPS = 8


def top_directions(X: torch.Tensor, k: int, flops: FlopCounter) -> torch.Tensor:
    """An orthonormal basis [d, k] of (an approximation to) the top-k right singular subspace of
    X [r, d], by subspace iteration from the mean row and fixed pseudo-random columns: no SVD,
    O(r d k) a step. Any basis gives a sound split; a better one a tighter bound."""
    d = X.shape[1]
    start = torch.randn(d, k, generator=torch.Generator().manual_seed(0), dtype=torch.float64).to(X.dtype)
    start[:, 0] = _unit(flops.each(X).mean(dim=0))
    U = flops.qr(start)[0]
    for _ in range(DIRECTION_STEPS):
        U = flops.qr(flops.mm(X.T, flops.mm(X, U)))[0]
    return U


@dataclass(frozen=True)
class RecursiveDirections:
    """The directions the quadratic split peels off: U_q [d, k_q] of the query rows W_EP, U_k
    [d, k_k] of the key rows W_E, and the top left singular direction w [d] of W_Q and z [d]
    of W_K (each orthonormal)."""

    U_q: torch.Tensor
    U_k: torch.Tensor
    w: torch.Tensor
    z: torch.Tensor


def recursive_directions(W: dict, W_EP: torch.Tensor, flops: FlopCounter) -> RecursiveDirections:
    """The quadratic split's directions (the paper: two query and two key directions, and the top
    singular direction of W_Q and of W_K)."""
    return RecursiveDirections(top_directions(W_EP, QUERY_DIRECTIONS, flops), top_directions(W["W_E"], KEY_DIRECTIONS, flops),
                               top_directions(W["W_Q"].T, 1, flops)[:, 0], top_directions(W["W_K"].T, 1, flops)[:, 0])


def spread_through_factors(factors: list[torch.Tensor], means: int, flops: FlopCounter) -> torch.Tensor:
    """R[q] >= the row spread of the product of `factors` without forming it (O(sum of their
    sizes)): the row-range rule through each factor in turn, rowrange(A M)[q] <= sum_j |A[q, j]|
    rowrange(M)[j], applied from the right; at the first `means` factors, around their mean row,
    whose product is taken exactly (the paper's max_row_diffs_per_dim_no_multipy)."""
    if len(factors) == 1:
        return _row_range(factors[0], flops)
    A, rest = factors[0], factors[1:]
    inner = spread_through_factors(rest, max(means - 1, 0), flops)
    if means == 0:
        return flops.mm(flops.each(A.abs()), inner)
    mean_row = flops.each(A).mean(dim=0)
    product = mean_row
    for M in rest:
        product = flops.mm(product, M)
    return flops.each(_row_range(product[None, :], flops)[0] + flops.mm(flops.each((A - mean_row).abs()), inner))


def _eqke_recursive(W: dict, W_EP: torch.Tensor, scale: float, handling: str,
                    flops: FlopCounter) -> tuple[torch.Tensor, torch.Tensor]:
    """max_diff_subproduct_recursive and its mean+ and mean_recursive+ variants (the paper's
    quadratic split): with E_q = W_EP, E_k = W_E and the directions of `recursive_directions`,
    E_q = E_q P_q + E_q2 (P_q = U_q U_q^T), E_k = E_k P_k + E_k2, W_Q = P_w W_Q + Q2,
    W_K = P_z W_K + K2. Then EQKE = Main + Err with Err = E_q2 Q2 K2^T E_k2^T / scale and Main
    a sum of k_q + k_k + 3 rank-one terms, each formed in O(V (V + d)):

        E_q P_q W_Q W_K^T E_k^T + E_q2 W_Q W_K^T P_k E_k^T + E_q2 P_w W_Q W_K^T E_k2^T
        + E_q2 Q2 W_K^T P_z E_k2^T + 1 b_Q^T W_K^T E_k^T.

    R: `spread_through_factors` on (E_q2, Q2, K2^T, E_k2^T): with mean+ around the mean query
    row, with mean_recursive+ around the mean row of every factor. Nothing of size V x d x d is
    formed and no SVD is taken."""
    E_q, E_k, W_Q, W_K, b_Q = W_EP, W["W_E"], W["W_Q"], W["W_K"], W["b_Q"]
    dirs = recursive_directions(W, W_EP, flops)
    U_q, U_k, w, z = dirs.U_q, dirs.U_k, dirs.w, dirs.z
    E_q2 = flops.each(E_q - flops.mm(flops.mm(E_q, U_q), U_q.T))
    E_k2 = flops.each(E_k - flops.mm(flops.mm(E_k, U_k), U_k.T))
    Q2 = flops.each(W_Q - w[:, None] * flops.mm(w, W_Q)[None, :])
    K2 = flops.each(W_K - z[:, None] * flops.mm(z, W_K)[None, :])
    KtEk = lambda X: flops.mm(flops.mm(X, W_K.T), E_k.T)  # noqa: E731  X W_K^T E_k^T, X [r, h]
    terms = [(flops.mm(E_q, U_q), KtEk(flops.mm(U_q.T, W_Q))),
             (flops.mm(E_q2, flops.mm(W_Q, flops.mm(W_K.T, U_k))), flops.mm(U_k.T, E_k.T)),
             (flops.mm(E_q2, w)[:, None], flops.mm(flops.mm(flops.mm(w, W_Q), W_K.T), E_k2.T)[None, :]),
             (flops.mm(E_q2, flops.mm(Q2, flops.mm(W_K.T, z)))[:, None], flops.mm(z, E_k2.T)[None, :]),
             (torch.ones(E_q.shape[0], 1, dtype=E_q.dtype), KtEk(b_Q[None, :]))]
    main = flops.each(sum(flops.mm(a, b) for a, b in terms) / scale)
    means = {"max_diff_subproduct_recursive": 0, "mean+max_diff_subproduct_recursive": 1,
             "mean_recursive+max_diff_subproduct_recursive": 4}[handling]
    R = spread_through_factors([E_q2, Q2, K2.T, E_k2.T], means, flops)
    return main, flops.each(R / scale)


def eqke_split(W: dict, scale: float, handling: str, flops: FlopCounter) -> tuple[torch.Tensor, torch.Tensor]:
    """The attention error handling named `handling`: (Main [V_q, V_k], R [V_q])."""
    W_EP = flops.each(query_residual(W))
    if handling.endswith("_recursive"):
        return _eqke_recursive(W, W_EP, scale, handling, flops)
    A = flops.each(flops.mm(W_EP, W["W_Q"]) + W["b_Q"]) / scale  # [V, h]
    B = flops.mm(W["W_K"].T, W["W_E"].T)  # [h, V]
    if handling == "exact_EQKE+max_diff_exact":
        return _eqke_exact(A, B, flops)
    if handling in ("max_diff_subproduct", "mean+max_diff_subproduct"):
        return _eqke_subproduct(A, B, handling, flops)
    return _eqke_svd_family(A, B, handling, flops)


def summaries(model: MaxOfKTransformer, config: SubcubicConfig, flops: FlopCounter) -> Summaries:
    """Compute every per-model summary the case bounds need."""
    cfg = model.cfg
    W = float64_weights(model)
    mean_row, spread = eupu_split(W, config.eupu, flops)

    OVU = flops.mm(W["W_V"], flops.mm(W["W_O"], W["W_U"]))  # [d, V]
    EVOU = flops.mm(W["W_E"], OVU)
    PVOU = flops.mm(W["W_pos"], OVU)
    PW = flops.each(PVOU[:, :, None] - PVOU[:, None, :]).amax(dim=0)  # [o, m]: max_i PVOU[i, o] - PVOU[i, m]
    base = flops.each(mean_row[:, None] - mean_row[None, :] + PW)
    base.fill_diagonal_(float("-inf"))
    J0 = flops.each(base).amax(dim=0)
    J1 = flops.each(base + (EVOU - EVOU.diagonal()[:, None]).T).amax(dim=0)  # EVOU[m, o] - EVOU[m, m] at [o, m]
    h_km = flops.each(_max_excluding_diagonal(EVOU, flops) - EVOU)  # [k, m]
    H = flops.each(h_km).cummax(dim=0).values

    main, R = eqke_split(W, cfg.scale, config.attention_error, flops)
    main_prefix_max = flops.each(main).cummax(dim=1).values

    # Positional scores EQKP = ((W_E + W_pos[-1]) W_Q + b_Q) W_K^T W_pos^T / scale, without V x d x d.
    KP = flops.mm(W["W_K"].T, W["W_pos"].T)  # [h, n]
    W_EP = flops.each(query_residual(W))
    EQKP = flops.each(flops.mm(W_EP, flops.mm(W["W_Q"], KP)) + flops.mm(W["b_Q"], KP)) / cfg.scale
    log_low, log_high, log_w_query = positional_log_weights(EQKP, flops)
    for name, value in (("EUPU spread", spread), ("J1", J1), ("J0", J0), ("H", H), ("EQKE main term", main),
                        ("EQKE residual bound", R), ("EQKP", EQKP)):
        if not torch.isfinite(value).all():
            raise PyVerifyError(f"subcubic:{config.name}: {name} is not finite in float64 for this model")
    # log_rest[q, a]: the log of the n-1-a largest weights, the complement of the a smallest.
    return Summaries(spread=spread, J1=J1, J0=J0, H=H, main=main, main_prefix_max=main_prefix_max, R=R,
                     log_low=log_low, log_rest=log_high.flip(1), log_w_query=log_w_query)


def case_bounds(s: Summaries, config: SubcubicConfig, q: torch.Tensor, m: torch.Tensor, c: torch.Tensor,
                g: torch.Tensor, flops: FlopCounter, tol_logit: float = 0.0, tol_log_ratio: float = 0.0) -> torch.Tensor:
    """The logit bound for cases given as equal-shaped integer tensors (q, m, c, g); < 0 proves.

    Requires q <= m, g >= 1, m - g >= 0, and (q == m or q <= m - g). tol_logit (added to each
    logit summary) and tol_log_ratio (taken from the log of the max/non-max weight ratio)
    pessimise the bound when positive and make it optimistic when negative: the rounding flag.
    """
    n = s.log_low.shape[1]
    a = n - 1 - c  # copies of m among the non-query positions
    delta = s.main[q, m] - s.main_prefix_max[q, m - g] - s.R[q]
    if config.attention == "mean_query+diff":
        delta_query = s.main[q, m] - s.main[q, q] - s.R[q]
    else:
        delta_query = delta
    query_is_max = q == m
    # p_low = 1 / (1 + ratio); ratio = (non-max weight upper bound) / (max weight), in logs.
    log_nonmax = s.log_rest[q, a] - delta
    log_nonmax = torch.where(query_is_max, log_nonmax, torch.logaddexp(log_nonmax, s.log_w_query[q] - delta_query))
    log_max = torch.where(query_is_max, torch.logaddexp(s.log_low[q, a], s.log_w_query[q]), s.log_low[q, a])
    p_low = torch.sigmoid(log_max - log_nonmax - tol_log_ratio)  # = 1 / (1 + exp(log_nonmax - log_max))
    J1, J0H = s.J1[m] + tol_logit, s.J0[m] + s.H[m - g, m] + 2 * tol_logit
    bound = s.spread[q, m] + tol_logit + torch.maximum(J1, p_low * J1 + (1 - p_low) * J0H)
    flops.add(25 * q.numel())
    return bound


def _all_cases(V: int, n: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """counting.cases as three int64 tensors (q, m, c)."""
    q, m, c = torch.tensor(cases(V, n), dtype=torch.int64).T
    return q, m, c


def _index_gap(q: torch.Tensor, m: torch.Tensor, c: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """The gap used for table look-ups: 0 for cases with no non-max token (q == m, c == 0),
    where p_low = 1 exactly and the gap plays no part; g elsewhere."""
    return torch.where((q == m) & (c == 0), torch.zeros_like(g), g)


def search_gaps(model: MaxOfKTransformer, config: SubcubicConfig, s: Summaries) -> torch.Tensor:
    """Proof search: for each case (q, m, c) of _all_cases, the smallest gap that proves it, or 0.
    Cases are tried in chunks of SEARCH_CHUNK (case, gap) pairs, which bounds memory."""
    V, n = model.cfg.d_vocab, model.cfg.n_ctx
    cases = _all_cases(V, n)
    gaps = torch.arange(1, V + 1)[None, :]
    step = max(1, SEARCH_CHUNK // V)
    found = []
    for start in range(0, cases[0].numel(), step):
        q, m, c = (t[start : start + step, None] for t in cases)
        shape = torch.broadcast_shapes(q.shape, gaps.shape)
        q, m, c, g = (t.expand(shape) for t in (q, m, c, gaps))
        legal = gap_is_legal(q, m, c, g)
        g_index = torch.where(legal, _index_gap(q, m, c, g), torch.zeros_like(g))
        proven = legal & (case_bounds(s, config, q, m, c, g_index, FlopCounter()) < 0)
        first = torch.where(proven, g, torch.full_like(g, V + 1)).amin(dim=1)
        found.append(torch.where(first <= V, first, torch.zeros_like(first)))
    return torch.cat(found)


def _count_proven(n: int, q: torch.Tensor, m: torch.Tensor, c: torch.Tensor, gaps: torch.Tensor,
                  proven: torch.Tensor) -> tuple[int, list[int]]:
    """The number of inputs the proven cases cover, and the inputs each case leaves unproven."""
    total, lost = 0, []
    for qi, mi, ci, gi, ok in zip(q.tolist(), m.tolist(), c.tolist(), gaps.tolist(), proven.tolist()):
        possible = 1 if ci == 0 else case_count(n, qi == mi, ci, mi)
        got = 0
        if ok:
            got = 1 if ci == 0 else case_count(n, qi == mi, ci, mi - gi + 1)
        total += got
        lost.append(possible - got)
    return total, lost


def check_gaps(model: MaxOfKTransformer, config: SubcubicConfig, gaps: torch.Tensor,
               flops: FlopCounter) -> tuple[int, dict[str, torch.Tensor]]:
    """Checking: recompute the summaries, evaluate each case at its gap, count what is proven.

    gaps[i] is the gap of case i of _all_cases (0: no proof claimed).
    """
    s = summaries(model, config, flops)
    V, n = model.cfg.d_vocab, model.cfg.n_ctx
    q, m, c = _all_cases(V, n)
    if gaps.shape != q.shape:
        raise PyVerifyError("gap table does not match the model's cases")
    legal = (gaps >= 1) & gap_is_legal(q, m, c, gaps)
    g_index = torch.where(legal, _index_gap(q, m, c, gaps), torch.zeros_like(gaps))
    proven = legal & (case_bounds(s, config, q, m, c, g_index, flops) < 0)  # a NaN bound proves nothing
    total, lost = _count_proven(n, q, m, c, gaps, proven)
    flops.add(4 * q.numel())
    cases = {"query": q, "max": m, "copies": c, "gap": torch.where(proven, gaps, torch.zeros_like(gaps)),
             "lost": torch.tensor(lost, dtype=torch.int64)}
    return total, cases


def rounding_flag(model: MaxOfKTransformer, config: SubcubicConfig, s: Summaries, gaps: torch.Tensor) -> int:
    """The inputs between the optimistic and the pessimistic count at the checked gaps, with
    every summary in s moved by its a-priori float64 error bound (not part of the proof:
    neither timed nor charged)."""
    tol_logit, tol_ratio = rounding_tolerances(model, config)
    V, n = model.cfg.d_vocab, model.cfg.n_ctx
    q, m, c = _all_cases(V, n)
    legal = (gaps >= 1) & gap_is_legal(q, m, c, gaps)
    g_index = torch.where(legal, _index_gap(q, m, c, gaps), torch.zeros_like(gaps))
    optimistic, pessimistic = (
        _count_proven(n, q, m, c, gaps, legal & (case_bounds(s, config, q, m, c, g_index, FlopCounter(),
                                                             sign * tol_logit, sign * tol_ratio) < 0))[0]
        for sign in (-1.0, 1.0))
    return optimistic - pessimistic


def rounding_tolerances(model: MaxOfKTransformer, config: SubcubicConfig) -> tuple[float, float]:
    """A-priori float64 error bounds for the case bound's inputs: (per logit summary, on the log
    of the max/non-max attention ratio). Logit summaries are maxima of differences of table
    entries; the ratio's log is a score difference and two log-sums of positional weights;
    with an SVD, the computed residual differs from EQKE - Main by the SVD's backward error
    (at most 10 (V + h) u ||A||_F ||B||_F here, a generous multiple of LAPACK's bound)."""
    bounds = path_tables(model).rounding  # raises if the model overflows float64
    u = UNIT_ROUNDOFF
    V, n, h = model.cfg.d_vocab, model.cfg.n_ctx, model.cfg.d_head
    tol_logit = 2 * float(bounds.delta_error.amax()) + 8 * u * float(bounds.delta_max.amax())
    tol_ratio = 12 * float(bounds.score_error.amax()) + 4 * n * u
    if config.uses_svd and config.attention_error != "max_diff_exact":
        W = float64_weights(model)
        A = (query_residual(W) @ W["W_Q"] + W["b_Q"]) / model.cfg.scale
        B = W["W_K"].T @ W["W_E"].T
        tol_ratio += 2 * 10 * (V + h) * u * float(A.norm() * B.norm())
    return tol_logit, tol_ratio


def complexity(config: SubcubicConfig) -> str:
    terms = ["V^2 n", "V^2 d"]  # the cases; EVOU
    if config.uses_svd or config.attention_error in ("max_diff_subproduct", "mean+max_diff_subproduct"):
        terms.append("V d^2")
    return "O(" + " + ".join(terms) + ")"


def unexplained_dim(config: SubcubicConfig, V: int, n: int) -> int:
    eqke = V * V if config.attention_error in ("exact_EQKE+max_diff_exact",) else 3 * V
    eupu = V * V if config.eupu in ("max_diff_exact", "global_max_diff_exact") else 2 * V
    return eqke + eupu + V * V + 2 * n * V  # + EVOU summaries and the positional tables


def estimate_bytes(d_vocab: int, n_ctx: int) -> int:
    """Peak memory: the O(V^2 n) summaries and case tables, and one search chunk."""
    return 8 * (20 * d_vocab**2 + 12 * n_ctx * d_vocab**2) + 8 * 24 * SEARCH_CHUNK


def estimate_seconds(d_vocab: int, n_ctx: int) -> float:
    """A conservative estimate on 2 cores: the search tries every gap of every case (V^3 n / 2
    pairs, about 50 ns each), then three Python passes count the V^2 n / 2 cases."""
    return 1e-7 * d_vocab**3 * n_ctx / 2 + 1e-5 * d_vocab**2 * n_ctx / 2


def run_subcubic(model: MaxOfKTransformer, config: SubcubicConfig | str = "default",
                 force: bool = False) -> StrategyResult:
    """Search the gaps, then check them; returns the certified count and the costs of checking.
    Refuses work over the memory limit, and over the time limit unless force."""
    if isinstance(config, str):
        config = SubcubicConfig.parse(config)
    V, n = model.cfg.d_vocab, model.cfg.n_ctx
    require_memory(f"subcubic:{config.name} for V={V}, n={n}", estimate_bytes(V, n))
    require_time(f"subcubic:{config.name} for V={V}, n={n}", estimate_seconds(V, n), force)
    try:
        t0 = time.perf_counter()
        searched = summaries(model, config, FlopCounter())
        gaps = search_gaps(model, config, searched)
        t1 = time.perf_counter()
        flops = FlopCounter()
        count, cases = check_gaps(model, config, gaps, flops)  # recomputes everything it uses
        t2 = time.perf_counter()
        uncertain = rounding_flag(model, config, searched, gaps)
    except torch.linalg.LinAlgError as e:
        raise PyVerifyError(f"subcubic:{config.name}: the SVD failed for this model ({str(e).splitlines()[0]}); "
                            "try a configuration without an SVD") from None
    return StrategyResult(
        strategy=f"subcubic:{config.name}", family="subcubic", count=count, total=V**n, flops=flops.total,
        complexity=complexity(config), unexplained_dim=unexplained_dim(config, V, n),
        seconds=t2 - t1, search_seconds=t1 - t0, cases=cases, uncertain=uncertain,
    )
