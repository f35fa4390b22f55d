"""Exporting a certified bound as a Lean module (lean/Generated/NAME.lean) from the templates
(pyverify.export.coq writes the Coq modules).

    from pyverify.export import export_lean
    result = export_lean(pyverify.certify(model, "cubic"), name="Seed123", lean_dir="lean")

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
from pyverify.exact.blocks import kernel_estimate
from pyverify.exact.fixed import PREC, inv_sqrt
from pyverify.exact.result import CertifiedResult
from pyverify.exact.subcubic_checker import SubcubicHints
from pyverify.exact.weights import ExactWeights
from pyverify.export.grammar import checked_code, rendered_fields
from pyverify.export.pack import pack_matrix
from pyverify.export.split import is_split, split_folder, split_module, stored_parts
from pyverify.registry import strategy as lookup
from pyverify.model import ARCHITECTURE, ARCHITECTURE_SOURCES, MaxOfKTransformer
from pyverify.strategies.subcubic import SubcubicConfig
from pyverify.resources import create_lean_project, templates_dir

# Per certifiable strategy: the Lean checker, a title, the theorem's name, the Coq theorem that
# proves the checker's argument (for its Coq twin), the Lean per-block count with its theorems' prefix, and
# the checker's partition of the max tokens.
# "subcubic" stands for every `subcubic:CONFIG` (one Lean checker, its configuration in the hints).
STRATEGIES = {"cubic": ("checkCubic", "Cubic", "cubic_certified", "Soundness.cubic_sound", "cubicBlock",
                        "cubic_block", "cubicBlocks"),
              "brute-force": ("checkBrute", "Brute-force", "brute_force_certified", "Soundness.brute_sound",
                              "bruteBlock", "brute_force_block", "bruteBlocks"),
              "subcubic": ("checkSubcubic", "Subcubic", "subcubic_certified", "SubcubicSound.subcubic_sound",
                           "subcubicBlock", "subcubic_block", "subcubicBlocks")}

# The proof length of a subcubic configuration (docs/strategies.md): the case checks, plus what
# its EUPU and attention error handlings compute.
EUPU_COST = {"max_diff_exact": "V^2 d (EUPU in full)", "global_max_diff_exact": "V^2 d (EUPU in full)"}
ERROR_COST = {"exact_EQKE+max_diff_exact": "V^2 d (EQKE in full)", "max_diff_exact": "V^2 d (EQKE in full)",
              "max_diff": "V d h + V h^2 (through the SVD basis)", "svd": "V d h + h^3 (a checked sigma bound)"}
FIELDS = (("wE", "W_E"), ("wPos", "W_pos"), ("wQ", "W_Q"), ("wK", "W_K"), ("wV", "W_V"), ("wO", "W_O"), ("wU", "W_U"))
NAME_PATTERN = re.compile(r"^[A-Z][A-Za-z0-9]*$")
BUILT_HERE = f"{ARCHITECTURE}; {ARCHITECTURE_SOURCES['pyverify']}"  # a model pyverify built itself


@dataclass(frozen=True)
class ExportResult:
    path: Path
    name: str
    strategy: str
    count: int
    total: int
    method: str  # the proof method: "decide +kernel" (Lean), "vm_compute" (Coq)
    size_bytes: int
    certify_seconds: float
    check_estimate_seconds: float | None = None  # the prover's expected time, where pyverify estimates it
    blocks: int = 1  # Lean: block theorems in the module
    peak_gb_estimate: float | None = None  # Lean: the kernel's expected peak memory, largest block


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


def render_hints(h: SubcubicHints) -> dict:
    """The hints' fields as Lean terms, for the template."""
    return {"eupu": h.eupu, "attention": h.attention, "drop_query": "true" if h.drop_query else "false",
            "gap_bits": h.gap_bits, "gaps": lean_nat_list(h.gaps), "x": lean_vector(h.x),
            "z": lean_vector(h.z), "Y": lean_matrix(h.Y), "Z": lean_matrix(h.Z), "ty": h.ty, "tz": h.tz,
            "sigma_sq": h.sigma_sq, "sigma_bits": h.sigma_bits, "mu": lean_vector(h.mu)}


def render_module(w: ExactWeights, name: str, strategy: str, count: int, blocks: list[tuple[int, int, int]],
                  hints: SubcubicHints | None = None, architecture: str = BUILT_HERE, version: str = __version__) -> str:
    """The generated module's text: one `decide +kernel` theorem per block of max tokens
    ((lo, hi, count) each, covering 0..V-1 as the checker's own partition does) and the final
    theorem, their sum by congruence. A `subcubic:CONFIG` strategy needs its hints.
    architecture: the docstring's line on the model's architecture (`architecture_line`)."""
    rendered_fields(name, strategy, version, w.stored_dtype, architecture)
    family, _, config_text = strategy.partition(":")
    checker, title, theorem, coq_sound, block_fn, block_theorem, blocks_fn = STRATEGIES[family]
    if sum(b[2] for b in blocks) != count:
        raise PyVerifyError(f"block counts {[b[2] for b in blocks]} do not add up to {count}")
    if (family == "subcubic") != (hints is not None):
        raise PyVerifyError("a subcubic module needs its hints, and only a subcubic one")
    config = SubcubicConfig.parse(config_text) if family == "subcubic" else None
    scale = inv_sqrt(w.d_head)
    tensors = []
    for field, attr in FIELDS:
        rows = getattr(w, attr)
        width, packed = pack_matrix(rows)
        tensors.append({"field": field, "rows": len(rows), "cols": len(rows[0]), "width": width,
                        "packed": "0x" + format(packed, "x")})  # hex: Lean Nat literal syntax, no size limit
    total = w.d_vocab**w.n_ctx
    args = "weights scale" if hints is None else "weights scale hints"
    partition, lhs, rhs, proof = block_sum(block_fn, block_theorem, blocks, args)
    text = environment().get_template("model_module.lean.j2").render(
        name=name, version=version, strategy=strategy, strategy_title=title, digest=weights_digest(w),
        architecture=architecture,
        d_vocab=w.d_vocab, n_ctx=w.n_ctx, d_model=w.d_model, d_head=w.d_head, S=w.S, tensors=tensors,
        stored_dtype=w.stored_dtype,
        prec=PREC, scale_lo=scale[0], scale_hi=scale[1], count=count, total=total,
        accuracy=f"{count / total:.6f}", checker=checker, theorem=theorem, coq_sound=coq_sound,
        blocks=[{"lo": lo, "hi": hi, "count": c} for lo, hi, c in blocks], block_fn=block_fn,
        block_theorem=block_theorem, blocks_fn=blocks_fn, partition=partition, sum_lhs=lhs, sum_rhs=rhs, sum_proof=proof, args=args,
        hints=render_hints(hints) if hints else None, config=config.name if config else "",
        proof_class=subcubic_class(config) if config else "",
    )
    return checked_code(text, "lean")


def render_root(modules: list[str]) -> str:
    return environment().get_template("root_module.lean.j2").render(modules=sorted(modules))


def generated_modules(lean_dir: Path) -> list[str]:
    folder = lean_dir / "Generated"
    return sorted(p.stem for p in folder.glob("*.lean")) if folder.is_dir() else []


def check_destination(kind: str, folder: Path, module: Path, marker: str, library_differences, verify,
                      root: Path | None = None, expected_root: str | None = None, force: bool = False) -> None:
    """Refuse, before any work, to write where pyverify would overwrite what it did not write:
    a folder that is neither new, empty, nor a pyverify project with the shipped library; a
    module file that is not, byte for byte, one pyverify wrote (`verify`); a root module other
    than pyverify's. force overrides the last two."""
    if not folder.exists() or (folder.is_dir() and not any(folder.iterdir())):
        return
    if not (folder / marker).exists():
        raise PyVerifyError(f"{folder} exists and is not a pyverify {kind} project (no {marker}); "
                            "choose an empty or new folder")
    differ = library_differences(folder)
    if differ:
        raise PyVerifyError(f"{folder} is not a pyverify {kind} project with the library this pyverify ships "
                            f"({differ[0]} differs); choose a new folder")
    if force:
        return
    if module.exists():
        try:
            verify(module)
        except PyVerifyError:
            raise PyVerifyError(f"{module} exists and was not written by pyverify (or was edited since); "
                                f"pass --force to overwrite it, or choose another --name") from None
    if root is not None and root.exists() and root.read_text() != expected_root:
        raise PyVerifyError(f"{root} is not the root module pyverify writes; pass --force to overwrite it")


def inside(folder: Path, target: Path) -> None:
    """Refuse a target that resolves outside folder (through a symbolic link on its way)."""
    if not target.resolve().is_relative_to(folder.resolve()):
        raise PyVerifyError(f"{target} leads out of {folder} (a symbolic link); pyverify writes only inside {folder}")


def replaceable_parts(lean_dir: Path, name: str, force: bool = False) -> list[Path]:
    """The parts under Generated/NAME/ that exporting NAME may delete: those of the split module
    that Generated/NAME.lean is now, if it verifies as pyverify's. Refuses, unless force, a
    symbolic link at Generated/NAME/ and a part there (Weights.lean, Block*.lean) that is not
    one of those; with force such a part is only ever overwritten by a new part of the same
    name, never deleted, and a link is replaced by a folder (its target is not touched)."""
    from pyverify.export.read import verify_lean_module

    folder, module = split_folder(lean_dir, name), lean_dir / "Generated" / f"{name}.lean"
    if folder.is_symlink():
        if not force:
            raise PyVerifyError(f"{folder} is a symbolic link; pass --force to replace the link by a folder of its "
                                "own, or choose another --name")
        return []
    owned: list[Path] = []
    if module.is_file() and is_split(module):
        try:
            verify_lean_module(module)
            owned = [lean_dir / relative for relative, _ in stored_parts(module)[:-1]]
        except PyVerifyError:
            owned = []
    present = [*sorted(folder.glob("Block*.lean")), folder / "Weights.lean"] if folder.is_dir() else []
    foreign = [p for p in present if (p.exists() or p.is_symlink()) and p not in owned]
    if foreign and not force:
        raise PyVerifyError(f"{foreign[0]} is not a part of the module pyverify wrote as {module.name}; pass --force "
                            "to overwrite it, or choose another --name")
    return owned


def check_lean_destination(lean_dir: str | Path, name: str, force: bool = False) -> None:
    """check_destination for lean_dir/Generated/NAME.lean (and lean_dir/Generated.lean), and the
    folder of its parts (replaceable_parts); nothing may lead out of lean_dir."""
    from pyverify.export.read import verify_lean_module
    from pyverify.lake import library_differences

    if not NAME_PATTERN.match(name):
        raise PyVerifyError(f"--name {name!r} must be an UpperCamelCase Lean identifier (letters and digits)")
    lean_dir = Path(lean_dir)
    check_destination("Lean", lean_dir, lean_dir / "Generated" / f"{name}.lean", "lakefile.toml",
                      lambda folder: library_differences(folder, lake=True), verify_lean_module,
                      lean_dir / "Generated.lean", render_root(generated_modules(lean_dir)), force)
    for target in (lean_dir / "Generated", lean_dir / "Generated" / f"{name}.lean", lean_dir / "Generated.lean"):
        if target.exists() or target.is_symlink():
            inside(lean_dir, target)
    replaceable_parts(lean_dir, name, force)


def export_lean(certificate: CertifiedResult, name: str, lean_dir: str | Path = "lean",
                force: bool = False, split: bool = False) -> ExportResult:
    """Write a certificate from `pyverify.certify` as lean_dir/Generated/NAME.lean and update
    the root module lean_dir/Generated.lean, both atomically, without recomputing anything. A
    missing (or empty) lean_dir becomes a complete Lake project first; an existing one must be
    pyverify's (check_lean_destination). force: overwrite a module pyverify did not write. split:
    write it as a weights module, one module per block and the final module
    (`pyverify.export.split`), which Lake builds in parallel. The result carries the kernel's
    estimated cost (`kernel_estimate`)."""
    w = certificate.weights
    if w is None or not certificate.strategy:
        raise PyVerifyError("export needs a certificate from pyverify.certify (with its weights and strategy)")
    if not lookup(certificate.strategy).lean:
        raise PyVerifyError(f"{certificate.strategy} has no Lean checker (it is named but not implemented)")
    check_lean_destination(lean_dir, name, force)
    lean_dir = Path(lean_dir)
    if not (lean_dir / "lakefile.toml").exists():
        create_lean_project(lean_dir)
    text = render_module(w, name, certificate.strategy, certificate.count, certificate.blocks, certificate.hints,
                         certificate.architecture or BUILT_HERE)
    path = lean_dir / "Generated" / f"{name}.lean"
    parts = split_module(name, text) if split else []
    folder = split_folder(lean_dir, name)
    earlier = replaceable_parts(lean_dir, name, force)  # the parts of the module this export replaces
    if folder.is_symlink():  # only with force: the link goes, its target stays as it is
        folder.unlink()
    for part in parts[:-1]:
        write_text_atomic(lean_dir / part.relative, part.text)
    for stale in set(earlier) - {lean_dir / part.relative for part in parts[:-1]}:
        stale.unlink(missing_ok=True)
    write_text_atomic(path, parts[-1].text if split else text)
    write_text_atomic(lean_dir / "Generated.lean", render_root(generated_modules(lean_dir)))
    kernel_seconds, peak_gb, blocks = kernel_estimate(certificate.strategy, w.d_vocab, w.n_ctx, w.d_model)
    return ExportResult(path, name, certificate.strategy, certificate.count, certificate.total, "decide +kernel",
                        len(text.encode()), certificate.seconds, kernel_seconds, blocks, peak_gb)


def to_lean(model: MaxOfKTransformer, name: str, strategy: str = "cubic", lean_dir: str | Path = "lean",
            force: bool = False, split: bool = False) -> ExportResult:
    """Certify the model (`pyverify.certify`) and export the certificate (`export_lean`); the
    destination is validated first. force: also run a certification estimated to take long."""
    check_lean_destination(lean_dir, name, force)
    return export_lean(certify(model, strategy, force), name, lean_dir, force, split)
