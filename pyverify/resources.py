"""The data pyverify ships: the Lean core library, the Coq library and the jinja2 templates of
generated modules.

In the repository they are `lean/`, `coq/` and `templates/` (the canonical copies). A wheel
carries the same files as package data, `pyverify/lean_project/`, `pyverify/coq_project/` and
`pyverify/templates/` (pyproject.toml maps the folders), so an installed pyverify can export
without a checkout.
"""

from __future__ import annotations

import filecmp
import importlib.resources
import shutil
from pathlib import Path

from pyverify.errors import PyVerifyError

# The Lean project's files that are not generated (what a new project starts from).
LEAN_CORE = ("lakefile.toml", "lean-toolchain", "PyVerify.lean", "PyVerify")
# The Coq project's files besides theories/*.v.
COQ_CORE = ("Makefile", "_CoqProject")


def _data_dir(packaged: str, in_checkout: str) -> Path:
    """The installed package-data folder if there is one, else the checkout's folder."""
    installed = Path(str(importlib.resources.files("pyverify").joinpath(packaged)))
    if installed.is_dir():
        return installed
    checkout = Path(__file__).resolve().parents[1] / in_checkout
    if checkout.is_dir():
        return checkout
    raise PyVerifyError(f"pyverify's {in_checkout}/ data is missing from this installation (reinstall pyverify)")


def templates_dir() -> Path:
    """The folder of the jinja2 templates (model_module.lean.j2, root_module.lean.j2)."""
    return _data_dir("templates", "templates")


def lean_core_dir() -> Path:
    """The folder holding the Lean project's core library (lakefile, toolchain pin, PyVerify/)."""
    return _data_dir("lean_project", "lean")


def coq_library_dir() -> Path:
    """The folder holding the Coq library (Makefile, _CoqProject, theories/)."""
    return _data_dir("coq_project", "coq")


def _require_new_folder(dest: Path, what: str, marker: str) -> None:
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise PyVerifyError(f"{dest} exists and is not a pyverify {what} project (no {marker}); "
                            "choose an empty or new folder")


def create_coq_project(dest: Path) -> Path:
    """A new Coq project at dest (which must not exist, or be an empty folder): the library
    (`make -C dest` builds it) and no generated modules yet."""
    _require_new_folder(dest, "Coq", "_CoqProject")
    source = coq_library_dir()
    (dest / "theories").mkdir(parents=True, exist_ok=True)
    for name in COQ_CORE:
        shutil.copy2(source / name, dest / name)
    for path in sorted((source / "theories").glob("*.v")):
        shutil.copy2(path, dest / "theories" / path.name)
    return dest


def create_lean_project(dest: Path) -> Path:
    """A new Lake project at dest (which must not exist, or be an empty folder): the core
    library, lakefile and toolchain pin, with no generated modules yet."""
    _require_new_folder(dest, "Lean", "lakefile.toml")
    source = lean_core_dir()
    dest.mkdir(parents=True, exist_ok=True)
    for name in LEAN_CORE:
        item = source / name
        if item.is_dir():
            shutil.copytree(item, dest / name, ignore=shutil.ignore_patterns(".lake"))
        else:
            shutil.copy2(item, dest / name)
    return dest


def lean_library_differences(lean_dir: Path, lake: bool) -> list[str]:
    """The project's core-library files (relative paths) that are missing or differ from the
    shipped ones; with lake, also its build files (and a lakefile.lean, which lake would prefer)."""
    shipped = lean_core_dir()
    names = ["PyVerify.lean"] + [f"PyVerify/{p.name}" for p in sorted((shipped / "PyVerify").glob("*.lean"))]
    if lake:
        names += ["lakefile.toml", "lean-toolchain"]
    differ = [n for n in names if not (lean_dir / n).is_file()
              or not filecmp.cmp(lean_dir / n, shipped / n, shallow=False)]
    if lake and (lean_dir / "lakefile.lean").exists():
        differ.append("lakefile.lean")
    return differ


def coq_library_differences(coq_dir: Path) -> list[str]:
    """The library files (relative paths) missing or different from the shipped ones, and any
    other file in theories/."""
    shipped = coq_library_dir()
    names = list(COQ_CORE) + [f"theories/{p.name}" for p in sorted((shipped / "theories").glob("*.v"))]
    differ = [n for n in names if not (coq_dir / n).is_file()
              or not filecmp.cmp(coq_dir / n, shipped / n, shallow=False)]
    extra = sorted(f"theories/{p.name}" for p in (coq_dir / "theories").glob("*.v")
                   if not (shipped / "theories" / p.name).exists())
    return differ + [f"{e} (not shipped)" for e in extra]
