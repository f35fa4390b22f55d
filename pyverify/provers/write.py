"""Writing certificates as modules: `export_lean` (lean/Generated/NAME.lean, a Lake project)
and `export_coq` (coq/Generated/NAME.v). Every destination is checked before any work: the
project must be pyverify's with the shipped library, a module pyverify did not write is never
overwritten without force, and nothing is written or deleted outside the project.

    from pyverify.provers import export_lean
    result = export_lean(pyverify.certify(model, "cubic"), name="Seed123", lean_dir="lean")
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyverify.atomic import write_text_atomic
from pyverify.errors import PyVerifyError
from pyverify.exact import certify
from pyverify.exact.blocks import kernel_estimate
from pyverify.exact.result import CertifiedResult
from pyverify.exact.weights import ExactWeights
from pyverify.provers.coq_render import estimate_coq_seconds, render_coq_module
from pyverify.provers.render import BUILT_HERE, NAME_PATTERN, render_module, render_root
from pyverify.provers.split import is_split, split_folder, split_module, stored_parts
from pyverify.provers.verify import verify_coq_module, verify_lean_module
from pyverify.model.transformer import MaxOfKTransformer
from pyverify.numeric.registry import strategy as lookup
from pyverify.resources import (coq_library_differences, create_coq_project, create_lean_project,
                                lean_library_differences)


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
    if not NAME_PATTERN.match(name):
        raise PyVerifyError(f"--name {name!r} must be an UpperCamelCase Lean identifier (letters and digits)")
    lean_dir = Path(lean_dir)
    check_destination("Lean", lean_dir, lean_dir / "Generated" / f"{name}.lean", "lakefile.toml",
                      lambda folder: lean_library_differences(folder, lake=True), verify_lean_module,
                      lean_dir / "Generated.lean", render_root(generated_modules(lean_dir)), force)
    for target in (lean_dir / "Generated", lean_dir / "Generated" / f"{name}.lean", lean_dir / "Generated.lean"):
        if target.exists() or target.is_symlink():
            inside(lean_dir, target)
    replaceable_parts(lean_dir, name, force)


def certified_weights(certificate: CertifiedResult) -> ExactWeights:
    """The exact weights of a certificate from `pyverify.certify`, or PyVerifyError if it lacks
    them or its strategy."""
    if certificate.weights is None or not certificate.strategy:
        raise PyVerifyError("export needs a certificate from pyverify.certify (with its weights and strategy)")
    return certificate.weights


def export_lean(certificate: CertifiedResult, name: str, lean_dir: str | Path = "lean",
                force: bool = False, split: bool = False) -> ExportResult:
    """Write a certificate from `pyverify.certify` as lean_dir/Generated/NAME.lean and update
    the root module lean_dir/Generated.lean, both atomically, without recomputing anything. A
    missing (or empty) lean_dir becomes a complete Lake project first; an existing one must be
    pyverify's (check_lean_destination). force: overwrite a module pyverify did not write. split:
    write it as a weights module, one module per block and the final module
    (`pyverify.provers.split`), which Lake builds in parallel. The result carries the kernel's
    estimated cost (`kernel_estimate`)."""
    w = certified_weights(certificate)
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


def check_coq_destination(coq_dir: str | Path, name: str, force: bool = False) -> None:
    """check_destination for coq_dir/Generated/NAME.v; nothing may lead out of coq_dir."""
    if not NAME_PATTERN.match(name):
        raise PyVerifyError(f"--name {name!r} must be an UpperCamelCase identifier (letters and digits)")
    coq_dir = Path(coq_dir)
    check_destination("Coq", coq_dir, coq_dir / "Generated" / f"{name}.v", "_CoqProject", coq_library_differences,
                      verify_coq_module, force=force)
    for target in (coq_dir / "Generated", coq_dir / "Generated" / f"{name}.v"):
        if target.exists() or target.is_symlink():
            inside(coq_dir, target)


def export_coq(certificate: CertifiedResult, name: str, coq_dir: str | Path = "coq",
               force: bool = False) -> ExportResult:
    """Write a certificate from `pyverify.certify` as coq_dir/Generated/NAME.v atomically,
    without recomputing anything. A missing (or empty) coq_dir becomes a copy of the Coq library
    first; an existing one must be pyverify's (check_coq_destination). force: overwrite a module
    pyverify did not write."""
    w = certified_weights(certificate)
    check_coq_destination(coq_dir, name, force)
    coq_dir = Path(coq_dir)
    if not (coq_dir / "_CoqProject").exists():
        create_coq_project(coq_dir)
    text = render_coq_module(w, name, certificate.strategy, certificate.count, certificate.architecture or BUILT_HERE,
                             hints=certificate.hints)
    path = coq_dir / "Generated" / f"{name}.v"
    write_text_atomic(path, text)
    return ExportResult(path, name, certificate.strategy, certificate.count, certificate.total, "vm_compute",
                        len(text.encode()), certificate.seconds,
                        estimate_coq_seconds(w.d_vocab, w.n_ctx, w.d_model, certificate.strategy))


def to_coq(model: MaxOfKTransformer, name: str, strategy: str = "brute-force", coq_dir: str | Path = "coq",
           force: bool = False) -> ExportResult:
    """Certify the model (`pyverify.certify`) and export the certificate (`export_coq`); the
    strategy and the destination are validated first. force: also run a certification
    estimated to take long."""
    lookup(strategy)
    check_coq_destination(coq_dir, name, force)
    return export_coq(certify(model, strategy, force), name, coq_dir, force)
