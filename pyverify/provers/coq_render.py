"""Rendering a certificate as a Coq module (coq/Generated/NAME.v) whose theorem is about the
model itself: `(N <= correct_count weights)%nat`, proved from the checker's soundness theorem
(pyverify.provers.write writes it). Rendering is deterministic: the same weights give
byte-identical text.
"""

from __future__ import annotations


from pyverify.errors import PyVerifyError
from pyverify.exact.fixed import PREC, inv_sqrt
from pyverify.exact.hints import SubcubicHints
from pyverify.exact.weights import ExactWeights
from pyverify.provers.grammar import checked_code, rendered_fields
from pyverify.provers.render import BUILT_HERE, FIELDS, environment, weights_digest
from pyverify.numeric.registry import CoqChecker
from pyverify.numeric.registry import strategy as lookup
from pyverify.version import __version__

def coq_checker(strategy: str) -> CoqChecker | None:
    """The Coq checker of a strategy name's family (every strategy's is proved sound), or None for
    a name that is no strategy."""
    try:
        return lookup(strategy).facts.coq
    except PyVerifyError:
        return None


def statement(count: int, scope: str, weights: str = "weights", prefix: str = "") -> str:
    """The theorem's statement: the weights record is well formed and at least count inputs are
    classified correctly (prefix: the qualification of well_formed and correct_count)."""
    if scope == "nat":
        return f"{prefix}well_formed {weights} /\\ ({count} <= {prefix}correct_count {weights})%nat"
    return f"{prefix}well_formed {weights} /\\ ({count} <= N.of_nat ({prefix}correct_count {weights}))%N"


def estimate_coq_seconds(d_vocab: int, n_ctx: int, d_model: int, strategy: str) -> float:
    """A rough estimate of `coqc` on a generated module (2 cores, Coq 8.16, measured with
    scripts/bench_coq.py): loading, the exact tables on BigZ (~2e-5 s per V^2 d), then the checker
    (its family's `coq_seconds`)."""
    tables = 2e-5 * d_vocab**2 * d_model
    return 1.0 + tables + lookup(strategy).facts.coq_seconds(d_vocab, n_ctx)


def coq_rows(rows: list[list[int]]) -> list[str]:
    """Each row of an integer matrix as Coq list entries (negative numbers in parentheses)."""
    return ["; ".join(f"({v})" if v < 0 else str(v) for v in row) for row in rows]


def coq_list(values: list[int]) -> str:
    """A Coq list of integers (negative numbers in parentheses)."""
    return "[" + "; ".join(f"({v})" if v < 0 else str(v) for v in values) + "]"


def coq_matrix(rows: list[list[int]]) -> str:
    """A Coq list of integer lists, on one line."""
    return "[" + ";".join(coq_list(row) for row in rows) + "]"


def coq_hints_record(h: SubcubicHints) -> str:
    """The Coq checker's hints record (coq/theories/Subcubic.v, `hints`), one field per line."""
    gaps = ";\n    ".join(coq_list(row) + "%nat" for row in h.gaps)
    return (f"{{| eupu := {h.eupu}%nat;\n  mu := {coq_list(h.mu)};\n  drop_query := {str(h.drop_query).lower()};\n"
            f"  gaps := [\n    {gaps}];\n  main_exact := {str(h.main_exact).lower()};\n"
            f"  main_q := {coq_matrix(h.main_q)};\n  main_k := {coq_matrix(h.main_k)};\n  den := {h.den};\n"
            f"  err_bound := {coq_list(h.err_bound)} |}}")


def render_coq_module(w: ExactWeights, name: str, strategy: str, count: int, architecture: str = BUILT_HERE,
                      version: str = __version__, hints: SubcubicHints | None = None) -> str:
    """The generated Coq module's text. architecture: the line on the model's architecture;
    hints: the subcubic checker's hints (required for a subcubic strategy, else None)."""
    rendered_fields(name, strategy, version, w.stored_dtype, architecture)
    coq = coq_checker(strategy)
    if coq is None:
        raise PyVerifyError(f"no Coq soundness proof for --strategy {strategy}")
    if (hints is None) == lookup(strategy).facts.configurable:
        raise PyVerifyError(f"a Coq module for {strategy} needs {'its' if hints is None else 'no'} subcubic hints")
    scale = inv_sqrt(w.d_head)
    tensors = [{"field": attr, "rows": coq_rows(getattr(w, attr))} for _, attr in FIELDS]
    total = w.d_vocab**w.n_ctx
    text = environment().get_template("model_module.v.j2").render(
        name=name, version=version, architecture=architecture, strategy=strategy, strategy_title=coq.title, digest=weights_digest(w),
        d_vocab=w.d_vocab, n_ctx=w.n_ctx, d_model=w.d_model, d_head=w.d_head, S=w.S, tensors=tensors,
        stored_dtype=w.stored_dtype, prec=PREC, scale_lo=scale[0], scale_hi=scale[1], count=count, total=total,
        accuracy=f"{count / total:.6f}", checker=coq.checker, checker_eq=coq.checker_eq, sound=coq.sound,
        scope=coq.scope, statement=statement(count, coq.scope), hints=coq_hints_record(hints) if hints is not None else "")
    return checked_code(text, "coq")
