"""Lean fixtures: a deterministic tiny model (V=4, K=2) built from a formula, for golden Lean files;
a model holding given exact weights; lying subcubic hints; a direct-path and an attention trap."""


import torch

from pyverify.model.config import ModelConfig
from pyverify.exact.hints import SubcubicHints
from pyverify.exact.weights import ExactWeights
from pyverify.provers import FIELDS
from pyverify.model.transformer import MaxOfKTransformer


def tiny_model() -> MaxOfKTransformer:
    """Exact dyadic weights from a fixed formula; a max-like unembedding so proofs succeed."""
    cfg = ModelConfig(d_vocab=4, n_ctx=2, d_model=4, d_head=4)
    model = MaxOfKTransformer(cfg)
    with torch.no_grad():
        for k, (name, p) in enumerate(model.named_parameters()):
            if ".b_" in name:
                continue
            idx = torch.arange(p.numel(), dtype=torch.float32).reshape(p.shape)
            p.copy_((((idx * 37 + 11 * k) % 17) - 8) / 16)
        model.embed.W_E.copy_(torch.eye(4) * 2)
        model.unembed.W_U.copy_(torch.eye(4) * 2 + torch.arange(4.0)[None, :] / 8)
    return model


def exact_model(w: ExactWeights) -> MaxOfKTransformer:
    """A model holding exactly the weights w (zero biases), in float64 so every entry is exact."""
    cfg = ModelConfig(d_vocab=w.d_vocab, n_ctx=w.n_ctx, d_model=w.d_model, d_head=w.d_head)
    model = MaxOfKTransformer(cfg).double()
    state = model.state_dict()
    with torch.no_grad():
        for key, p in state.items():
            p.zero_()
        for _, attr in FIELDS:
            key = next(k for k in state if k.endswith(attr) and ".b_" not in k)
            values = torch.tensor(getattr(w, attr), dtype=torch.float64) / 2**w.S
            state[key].copy_(values.reshape(state[key].shape))
    return model


def lying_hints(w: ExactWeights, honest: SubcubicHints, rng) -> SubcubicHints:
    """Hints a hostile user might write (issues 19 and 29): each field, independently, either the
    honest one or a lie that a module can hold (natural codes and denominators, gaps in [0, V] in
    the checker's shape): EUPU codes in and out of range, rows of wrong lengths, random gaps, a
    random or absent split, error bounds far too small."""
    V, n = w.d_vocab, w.n_ctx

    def vector(length: int, bits: int = 40) -> list[int]:
        return [rng.randint(-2**bits, 2**bits) for _ in range(length)]

    def near(length: int) -> int:
        return max(0, length + rng.choice((-1, 0, 0, 1)))

    def lie(honest_value, *lies):
        return honest_value if rng.random() < 0.5 else rng.choice(lies)

    gaps = [[rng.randrange(V + 1) for _ in range((m + 1) * n)] for m in range(V)]
    return SubcubicHints(
        eupu=lie(honest.eupu, 0, 1, 2, 3, 4, 7), mu=lie(honest.mu, [], vector(near(w.d_model), 12)),
        drop_query=rng.random() < 0.5, gaps=lie(honest.gaps, gaps), main_exact=lie(honest.main_exact, True, False),
        main_q=lie(honest.main_q, [vector(V, 20) for _ in range(rng.randrange(4))]),
        main_k=lie(honest.main_k, [vector(V, 20) for _ in range(rng.randrange(4))]),
        den=lie(honest.den, 0, 1, rng.randrange(1, 2**60)),
        err_bound=lie(honest.err_bound, [0] * V, [-5] * near(V), vector(near(V), 8)))


def _query_on_keys(V: int, n: int, d: int, key: torch.Tensor) -> MaxOfKTransformer:
    """A zero model whose tokens are one-hot in dims 0..V-1 plus a constant last dim, whose
    query is 8 times that last dim for every token and whose key is `key[t]` along it: the
    attention score of key token t is 8 key[t]."""
    model = MaxOfKTransformer(ModelConfig(d_vocab=V, n_ctx=n, d_model=d, d_head=d))
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
        model.embed.W_E[:, :V] = torch.eye(V)
        model.embed.W_E[:, d - 1] = 1.0
        model.blocks[0].attn.W_Q[0, d - 1, d - 1] = 8.0
        model.blocks[0].attn.W_K[0, :V, d - 1] = key
    return model


def direct_path_trap(V: int = 6, n: int = 3) -> MaxOfKTransformer:
    """A model right only when the last token is the max: attention finds the max token and the
    OV circuit votes for it (weight 1/2), but the direct path votes for the last token (weight 1)
    and wins. An argument that drops the direct path certifies nearly every input."""
    d = V + 1
    model = _query_on_keys(V, n, d, torch.arange(V, dtype=torch.float32))
    with torch.no_grad():
        model.blocks[0].attn.W_V[0] = torch.eye(d)
        model.blocks[0].attn.W_O[0] = torch.eye(d) / 2
        model.unembed.W_U[:V, :] = torch.eye(V)
    return model


def attention_trap(V: int = 5, n: int = 3) -> MaxOfKTransformer:
    """A model whose attention finds the smallest token, whose OV circuit copies the attended token
    and whose direct path is silent: right only when every token is the same. Hints that claim
    the attention finds the max would certify nearly every input."""
    d = 2 * V + 1
    model = _query_on_keys(V, n, d, -torch.arange(V, dtype=torch.float32))
    with torch.no_grad():
        model.blocks[0].attn.W_V[0, :V, V:2 * V] = torch.eye(V)  # the token, moved to dims V..2V-1
        model.blocks[0].attn.W_O[0] = torch.eye(d)
        model.unembed.W_U[V:2 * V, :] = torch.eye(V)  # read only what attention wrote
    return model


def off_by_one_module(lean_dir) -> tuple:
    """Export tiny_model's cubic certificate to lean_dir as Tiny, then rewrite it in pyverify's own
    form claiming N + 1 in its one block (only the kernel can object). Returns the module's path
    and the line of its block theorem."""
    from pyverify.provers import render_module, to_lean
    from pyverify.provers.read import read_lean_module

    path = to_lean(tiny_model(), "Tiny", "cubic", lean_dir).path
    m = read_lean_module(path)
    (lo, hi, c), = m.blocks
    path.write_text(render_module(m.weights, "Tiny", "cubic", m.count + 1, [(lo, hi, c + 1)], None, m.architecture))
    line = next(i for i, s in enumerate(path.read_text().splitlines(), 1) if s.startswith("theorem cubic_block_0"))
    return path, line
