"""Lean fixtures: a deterministic tiny model (V=4, K=2) built from a formula, for golden Lean files,
and the exact weights a generated Lean module holds."""

import re
from pathlib import Path

import torch

from pyverify.config import ModelConfig
from pyverify.exact.subcubic_checker import LeanHints
from pyverify.exact.weights import ExactWeights
from pyverify.export import FIELDS
from pyverify.export.pack import unpack_matrix
from pyverify.model import MaxOfKTransformer


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


def lean_module_weights(path: Path) -> ExactWeights:
    """The exact weights a generated Lean module holds (its packed matrices, decoded), so that
    other renderings (the Coq module) can be made from the very same model."""
    text = Path(path).read_text()
    dims = {k: int(re.search(rf"{k} := (\d+)", text)[1]) for k in ("dVocab", "nCtx", "dModel", "dHead", "S")}
    matrices = {}
    for field, attr in FIELDS:
        m = re.search(rf"{field} := decodeMatrix (\d+) (\d+) (\d+)\s+0x([0-9a-f]+)", text)
        matrices[attr] = unpack_matrix(int(m[1]), int(m[2]), int(m[3]), int(m[4], 16))
    stored = re.search(r"stored as (\w+)", text)[1]
    return ExactWeights(dims["dVocab"], dims["nCtx"], dims["dModel"], dims["dHead"], dims["S"], **matrices,
                        stored_dtype=stored)


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


def lean_module_hints(path: Path) -> tuple[str, list[tuple[int, int, int]], LeanHints]:
    """A generated subcubic module's strategy, block theorems (lo, hi, count) and hints, decoded."""
    text = Path(path).read_text()
    strategy = re.search(r"`pyverify export --strategy (\S+)`", text)[1]
    blocks = [(int(a), int(b), int(c)) for a, b, c in
              re.findall(r"subcubicBlock weights scale hints (\d+) (\d+) = (\d+) := by decide \+kernel", text)]
    body = text[text.index("noncomputable def hints"):]
    body = body[:body.index("\n\n")]

    def number(field: str) -> int:
        return int(re.search(rf"\b{field} := (\d+)", body)[1])

    def matrix(field: str) -> list[list[int]]:
        m = re.search(rf"\b{field} := decodeMatrix (\d+) (\d+) (\d+) 0x([0-9a-f]+)", body)
        return unpack_matrix(int(m[1]), int(m[2]), int(m[3]), int(m[4], 16)) if m else []

    def vector(field: str) -> list[int]:
        m = re.search(rf"\b{field} := headD \(decodeMatrix 1 (\d+) (\d+) 0x([0-9a-f]+)\) List.nil", body)
        return unpack_matrix(1, int(m[1]), int(m[2]), int(m[3], 16))[0] if m else []

    gaps_text = body[body.index("gaps := "):body.index("\n    x := ")]
    hints = LeanHints(number("eupu"), number("attention"), "dropQuery := true" in body, number("gapBits"),
                      [int(g, 16) for g in re.findall(r"List.cons 0x([0-9a-f]+)", gaps_text)], vector("x"),
                      vector("z"), matrix("Y"), matrix("Z"), number("ty"), number("tz"), number("sigmaSq"),
                      number("sigmaBits"), vector("mu"))
    return strategy, blocks, hints


def lying_hints(w: ExactWeights, honest: LeanHints, rng) -> LeanHints:
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
    return LeanHints(
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
