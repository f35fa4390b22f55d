"""Lean fixtures: a deterministic tiny model (V=4, K=2) built from a formula, for golden Lean files;
a model holding given exact weights; lying subcubic hints; a direct-path trap model."""


import torch

from pyverify.model.config import ModelConfig
from pyverify.exact.subcubic_checker import SubcubicHints
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
    """Hints a hostile user might write (issue 19): each field, independently, either the honest
    one or a lie: handling codes in and out of range, rows and directions of wrong lengths (the
    matrices rectangular: a module writes each as one packed number), random gaps and claims."""
    def vector(length: int) -> list[int]:
        return [rng.randint(-2**40, 2**40) for _ in range(length)]

    def near(length: int) -> int:
        return max(0, length + rng.choice((-1, 0, 0, 1)))

    def lie(honest_value, *lies):
        return honest_value if rng.random() < 0.5 else rng.choice(lies)

    r, cols = rng.choice((0, 1, len(honest.Z), w.d_head)), near(w.d_vocab)
    bits = lie(honest.gap_bits, 1, honest.gap_bits + 2)
    gaps = [rng.randrange(2 ** (bits * (m + 1) * w.n_ctx)) for m in range(near(w.d_vocab))]
    return SubcubicHints(
        eupu=lie(honest.eupu, 0, 1, 2, 3, 4, 7), attention=lie(honest.attention, *range(12)),
        drop_query=rng.random() < 0.5, gap_bits=bits, gaps=lie(honest.gaps, gaps),
        x=lie(honest.x, vector(near(w.d_head)), []), z=lie(honest.z, vector(near(w.d_head))),
        Y=lie(honest.Y, [vector(r) for _ in range(near(w.d_head))]), Z=lie(honest.Z, [vector(cols) for _ in range(r)]),
        ty=lie(honest.ty, rng.randrange(50)), tz=lie(honest.tz, rng.randrange(50)),
        sigma_sq=lie(honest.sigma_sq, 0, rng.randrange(2**60)), sigma_bits=lie(honest.sigma_bits, rng.randrange(64)),
        mu=lie(honest.mu, [], vector(near(w.d_model))))


def direct_path_trap(V: int = 6, n: int = 3) -> MaxOfKTransformer:
    """A model right only when the last token is the max: attention finds the max token and the
    OV circuit votes for it (weight 1/2), but the direct path votes for the last token (weight 1)
    and wins. An argument that drops the direct path certifies nearly every input."""
    d = V + 1
    cfg = ModelConfig(d_vocab=V, n_ctx=n, d_model=d, d_head=d)
    model = MaxOfKTransformer(cfg)
    with torch.no_grad():
        for p in model.parameters():
            p.zero_()
        model.embed.W_E[:, :V] = torch.eye(V)
        model.embed.W_E[:, V] = 1.0  # a constant direction: the query
        attn = model.blocks[0].attn
        attn.W_Q[0, V, V] = 8.0  # query = 8 e_V for every token
        attn.W_K[0, :V, V] = torch.arange(V, dtype=torch.float32)  # key = token value along e_V
        attn.W_V[0] = torch.eye(d)
        attn.W_O[0] = torch.eye(d) / 2
        model.unembed.W_U[:V, :] = torch.eye(V)
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
