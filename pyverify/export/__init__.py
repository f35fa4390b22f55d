"""Exporting a certified bound as a Lean module (lean/Generated/NAME.lean) from the templates
(pyverify.export.coq writes the Coq modules).

    from pyverify.export import to_lean
    result = to_lean(model, name="Seed123", strategy="cubic", lean_dir="lean")

Rendering is deterministic: the same weights and options give byte-identical files.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from pyverify import __version__
from pyverify.atomic import write_text_atomic
from pyverify.errors import PyVerifyError
from pyverify.exact import certify
from pyverify.exact.fixed import PREC, inv_sqrt
from pyverify.exact.weights import ExactWeights, exact_weights
from pyverify.export.pack import pack_matrix
from pyverify.model import MaxOfKTransformer
from pyverify.resources import create_lean_project, templates_dir

# Per certifiable strategy: the Lean checker, a title, the theorem's name, and the Coq theorem
# that proves the checker's argument (for its Coq twin).
STRATEGIES = {"cubic": ("checkCubic", "Cubic", "cubic_certified", "cubic_sound"),
              "brute-force": ("checkBrute", "Brute-force", "brute_force_certified", "brute_sound")}
FIELDS = (("wE", "W_E"), ("wPos", "W_pos"), ("wQ", "W_Q"), ("wK", "W_K"), ("wV", "W_V"), ("wO", "W_O"), ("wU", "W_U"))
# Models with at most this many inputs get `decide +kernel`; larger ones `native_decide`.
KERNEL_MAX_INPUTS = 64
NAME_PATTERN = re.compile(r"^[A-Z][A-Za-z0-9]*$")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    name: str
    strategy: str
    count: int
    total: int
    method: str  # "decide +kernel" or "native_decide"
    size_bytes: int
    certify_seconds: float
    check_estimate_seconds: float | None = None  # the prover's expected time, where pyverify estimates it


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


def choose_method(w: ExactWeights, method: str) -> bool:
    """True for `decide +kernel`. "auto" picks it for models with at most KERNEL_MAX_INPUTS inputs."""
    if method == "kernel":
        return True
    if method == "native":
        return False
    if method != "auto":
        raise PyVerifyError(f"unknown proof method {method!r}; use auto, kernel or native")
    return w.d_vocab**w.n_ctx <= KERNEL_MAX_INPUTS


def render_module(w: ExactWeights, name: str, strategy: str, count: int, kernel: bool) -> str:
    """The generated module's text."""
    checker, title, theorem, coq_sound = STRATEGIES[strategy]
    scale = inv_sqrt(w.d_head)
    tensors = []
    for field, attr in FIELDS:
        rows = getattr(w, attr)
        width, packed = pack_matrix(rows)
        tensors.append({"field": field, "rows": len(rows), "cols": len(rows[0]), "width": width,
                        "packed": "0x" + format(packed, "x")})  # hex: Lean Nat literal syntax, no size limit
    total = w.d_vocab**w.n_ctx
    return environment().get_template("model_module.lean.j2").render(
        name=name, version=__version__, strategy=strategy, strategy_title=title, digest=weights_digest(w),
        d_vocab=w.d_vocab, n_ctx=w.n_ctx, d_model=w.d_model, d_head=w.d_head, S=w.S, tensors=tensors,
        stored_dtype=w.stored_dtype,
        prec=PREC, scale_lo=scale[0], scale_hi=scale[1], count=count, total=total,
        accuracy=f"{count / total:.6f}", checker=checker, theorem=theorem, coq_sound=coq_sound, kernel=kernel,
        tactic="decide +kernel" if kernel else "native_decide",
        trust="kernel evaluation only" if kernel else "trusts the Lean compiler as well as the kernel",
    )


def render_root(modules: list[str]) -> str:
    return environment().get_template("root_module.lean.j2").render(modules=sorted(modules))


def generated_modules(lean_dir: Path) -> list[str]:
    folder = lean_dir / "Generated"
    return sorted(p.stem for p in folder.glob("*.lean")) if folder.is_dir() else []


def to_lean(model: MaxOfKTransformer, name: str, strategy: str = "cubic", lean_dir: str | Path = "lean",
            method: str = "auto", force: bool = False) -> ExportResult:
    """Certify the model with the exact checker, write lean/Generated/NAME.lean and update the
    root module lean/Generated.lean, both atomically. A missing (or empty) lean_dir becomes a
    complete Lake project first. force: run a certification estimated to take long."""
    if not NAME_PATTERN.match(name):
        raise PyVerifyError(f"--name {name!r} must be an UpperCamelCase Lean identifier (letters and digits)")
    lean_dir = Path(lean_dir)
    w = exact_weights(model)
    kernel = choose_method(w, method)
    certified = certify(w, strategy, force)
    count, seconds = certified.count, certified.seconds
    if not (lean_dir / "lakefile.toml").exists():
        create_lean_project(lean_dir)  # a complete Lake project, created only once the certificate exists
    text = render_module(w, name, strategy, count, kernel)
    path = lean_dir / "Generated" / f"{name}.lean"
    write_text_atomic(path, text)
    write_text_atomic(lean_dir / "Generated.lean", render_root(generated_modules(lean_dir)))
    return ExportResult(path, name, strategy, count, w.d_vocab**w.n_ctx,
                        "decide +kernel" if kernel else "native_decide", len(text.encode()), seconds)
