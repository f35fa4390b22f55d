"""Rendering a certificate as a Lean module (lean/Generated/NAME.lean) from the templates
(pyverify.provers.coq_render renders the Coq modules; pyverify.provers.write writes them). Rendering is
deterministic: the same weights and options give byte-identical text.
"""

from __future__ import annotations

import hashlib
import re

import jinja2

from pyverify.errors import PyVerifyError
from pyverify.exact.fixed import PREC, inv_sqrt
from pyverify.exact.hints import SubcubicHints
from pyverify.exact.weights import ExactWeights
from pyverify.provers.grammar import checked_code, rendered_fields
from pyverify.provers.pack import pack_matrix
from pyverify.model.transformer import ARCHITECTURE, ARCHITECTURE_SOURCES
from pyverify.resources import templates_dir
from pyverify.numeric.registry import strategy as lookup
from pyverify.numeric.strategies.subcubic import SubcubicConfig
from pyverify.version import __version__

# The proof length of a subcubic configuration (docs/strategies.md): the case checks, plus what
# its EUPU and attention error handlings compute.
EUPU_COST = {"max_diff_exact": "V^2 d (EUPU in full)", "global_max_diff_exact": "V^2 d (EUPU in full)"}
ERROR_COST = {"exact_EQKE+max_diff_exact": "V^2 d (EQKE in full)", "max_diff_exact": "V^2 d (EQKE in full)",
              "max_diff": "V d h + V h^2 (through the SVD basis)", "svd": "V d h + h^3 (a checked sigma bound)"}
FIELDS = (("wE", "W_E"), ("wPos", "W_pos"), ("wQ", "W_Q"), ("wK", "W_K"), ("wV", "W_V"), ("wO", "W_O"), ("wU", "W_U"))
NAME_PATTERN = re.compile(r"^[A-Z][A-Za-z0-9]*$")
BUILT_HERE = f"{ARCHITECTURE}; {ARCHITECTURE_SOURCES['pyverify']}"  # a model pyverify built itself


def environment() -> jinja2.Environment:
    """The jinja2 environment of the templates (Lean and Coq modules)."""
    return jinja2.Environment(loader=jinja2.FileSystemLoader(templates_dir()), undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True, autoescape=False)


def weights_digest(w: ExactWeights) -> str:
    """SHA-256 of the exact weights (shape, S and every integer), independent of file format."""
    h = hashlib.sha256(f"{w.d_vocab},{w.n_ctx},{w.d_model},{w.d_head},{w.S}".encode())
    for _, attr in FIELDS:
        for row in getattr(w, attr):
            h.update((",".join(map(str, row)) + ";").encode())
    return h.hexdigest()


def block_sum(block_fn: str, block_theorem: str, blocks: list[tuple[int, int, int]],
              args: str = "weights scale") -> tuple[str, str, str, str]:
    """The final theorem's pieces, each a small equality the elaborator and the kernel match
    without evaluating a block: the partition `List.cons (MaxBlock.mk lo hi) (…)`; the sum
    `addCount (B₀) (addCount (B₁) … 0)` that `blockSum` unfolds to over it; the same sum of the
    certified block counts; and the proof by congruence from the block theorems that the two
    sums are equal."""
    partition, lhs, rhs, proof = "List.nil", "0", "0", "rfl"
    for j in reversed(range(len(blocks))):
        lo, hi, count = blocks[j]
        last = j == len(blocks) - 1
        wrap = (lambda x: f" {x}") if last else (lambda x: f"\n      ({x})")
        partition = f"List.cons (MaxBlock.mk {lo} {hi})" + wrap(partition)
        lhs = f"addCount ({block_fn} {args} {lo} {hi})" + wrap(lhs)
        rhs = f"addCount {count} " + (rhs if last else f"({rhs})")
        proof = f"congr (congrArg addCount {block_theorem}_{j})" + wrap(proof)
    return partition, lhs, rhs, proof


def lean_matrix(rows: list[list[int]]) -> str:
    """A Lean term for an integer matrix: `decodeMatrix rows cols width 0x…`, or `List.nil`."""
    if not rows or not rows[0]:
        return "List.nil"
    width, packed = pack_matrix(rows)  # hex: Lean Nat literal syntax, no size limit
    return f"decodeMatrix {len(rows)} {len(rows[0])} {width} 0x{packed:x}"


def lean_vector(v: list[int]) -> str:
    """A Lean term for an integer vector: the one row of `lean_matrix`, or `List.nil`."""
    return f"headD ({lean_matrix([v])}) List.nil" if v else "List.nil"


def lean_nat_list(values: list[int]) -> str:
    """A Lean term for a list of naturals, `List.cons 0x… (List.cons … List.nil)`, one per line
    (the library writes lists out, with no list literal)."""
    if not values:
        return "List.nil"
    heads = [f"List.cons 0x{v:x}" for v in values]
    return heads[0] + "".join(f"\n      ({h}" for h in heads[1:]) + " List.nil" + ")" * (len(values) - 1)


def subcubic_class(config: SubcubicConfig) -> str:
    """The proof length of a subcubic configuration, in words."""
    parts = ["V^2 n cases of O(n) each", EUPU_COST.get(config.eupu, "V d (EUPU around one row)"),
             ERROR_COST.get(config.attention_error, "V d h (the split through its factors)")]
    return " + ".join(parts) + " (cubic: V^3 n)"


def gap_bits(V: int) -> int:
    """Bits per gap digit in a Lean module: enough for every gap 0..V."""
    return V.bit_length()


def render_hints(h: SubcubicHints, V: int, n: int) -> dict:
    """The hints' fields as Lean terms, for the template. The gaps of max token m are packed into
    one number, digit q n + c in base 2^gap_bits(V) (Lean: `gapDigit`)."""
    bits = gap_bits(V)
    if len(h.gaps) != V or any(len(row) != (m + 1) * n for m, row in enumerate(h.gaps)):
        raise PyVerifyError(f"the gap hints must have (m + 1) n entries for each max token m < {V}")
    if any(not 0 <= g <= V for row in h.gaps for g in row):
        raise PyVerifyError(f"subcubic gap hints must lie in [0, {V}]")
    if h.den < 0 or h.eupu < 0:
        raise PyVerifyError("the hints' den and eupu must be natural numbers")
    if any(len(row) != V for row in h.main_q + h.main_k):
        raise PyVerifyError(f"the split's factors must be rows of {V} entries")
    packed = [sum(g << (bits * i) for i, g in enumerate(row)) for row in h.gaps]
    return {"eupu": h.eupu, "mu": lean_vector(h.mu), "drop_query": "true" if h.drop_query else "false",
            "gap_bits": bits, "gaps": lean_nat_list(packed), "main_exact": "true" if h.main_exact else "false",
            "main_q": lean_matrix(h.main_q), "main_k": lean_matrix(h.main_k), "den": h.den,
            "err_bound": lean_vector(h.err_bound)}


def render_module(w: ExactWeights, name: str, strategy: str, count: int, blocks: list[tuple[int, int, int]],
                  hints: SubcubicHints | None = None, architecture: str = BUILT_HERE, version: str = __version__) -> str:
    """The generated module's text: one `decide +kernel` theorem per block of max tokens
    ((lo, hi, count) each, covering 0..V-1 as the checker's own partition does) and the final
    theorem, their sum by congruence. A `subcubic:CONFIG` strategy needs its hints.
    architecture: the docstring's line on the model's architecture (`architecture_line`)."""
    rendered_fields(name, strategy, version, w.stored_dtype, architecture)
    s = lookup(strategy)
    lean = s.facts.lean
    if sum(b[2] for b in blocks) != count:
        raise PyVerifyError(f"block counts {[b[2] for b in blocks]} do not add up to {count}")
    if s.facts.configurable != (hints is not None):
        raise PyVerifyError("a subcubic module needs its hints, and only a subcubic one")
    config = s.config
    scale = inv_sqrt(w.d_head)
    tensors = []
    for field, attr in FIELDS:
        rows = getattr(w, attr)
        width, packed = pack_matrix(rows)
        tensors.append({"field": field, "rows": len(rows), "cols": len(rows[0]), "width": width,
                        "packed": "0x" + format(packed, "x")})  # hex: Lean Nat literal syntax, no size limit
    total = w.d_vocab**w.n_ctx
    args = "weights scale" if hints is None else "weights scale hints"
    partition, lhs, rhs, proof = block_sum(lean.block_fn, lean.block_theorem, blocks, args)
    text = environment().get_template("model_module.lean.j2").render(
        name=name, version=version, strategy=strategy, strategy_title=lean.title, digest=weights_digest(w),
        architecture=architecture,
        d_vocab=w.d_vocab, n_ctx=w.n_ctx, d_model=w.d_model, d_head=w.d_head, S=w.S, tensors=tensors,
        stored_dtype=w.stored_dtype,
        prec=PREC, scale_lo=scale[0], scale_hi=scale[1], count=count, total=total,
        accuracy=f"{count / total:.6f}", checker=lean.checker, theorem=lean.theorem, coq_sound=lean.coq_sound,
        blocks=[{"lo": lo, "hi": hi, "count": c} for lo, hi, c in blocks], block_fn=lean.block_fn,
        block_theorem=lean.block_theorem, blocks_fn=lean.blocks_fn, partition=partition, sum_lhs=lhs, sum_rhs=rhs, sum_proof=proof, args=args,
        hints=render_hints(hints, w.d_vocab, w.n_ctx) if hints else None, config=config.name if config else "",
        proof_class=subcubic_class(config) if config else "",
    )
    return checked_code(text, "lean")


def render_root(modules: list[str]) -> str:
    return environment().get_template("root_module.lean.j2").render(modules=sorted(modules))
