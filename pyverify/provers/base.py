"""What the Lean and the Coq checks share: a theorem's status and diagnostics, the missing-prover
error, the generated modules of a project, running a prover, and the library built once into a
cache folder keyed by the prover's version and the library's text.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pyverify.errors import PyVerifyError

EXIT_FAILED = 1
EXIT_NO_TOOLCHAIN = 3


class NoToolchain(PyVerifyError):
    """No prover found (`lean`, or `coqc` for the Coq side)."""


@dataclass(frozen=True)
class Diagnostic:
    path: str  # as printed, normalised to be relative to the project
    line: int
    col: int
    message: str


@dataclass(frozen=True)
class TheoremStatus:
    module: str  # e.g. "Generated.Seed123"
    theorem: str
    file: str  # relative to the project
    verified: bool
    error: Diagnostic | None
    seconds: float = 0.0  # the prover's time on this module, where measured
    count: int | None = None  # the number the theorem states, when the module could be read


def failed(module: str, theorem: str, relative: str, message: str, seconds: float = 0.0, count: int | None = None,
           line: int = 0) -> TheoremStatus:
    """A FAILED status whose diagnostic is the message at relative:line."""
    return TheoremStatus(module, theorem, relative, False, Diagnostic(relative, line, 0, message), seconds, count)


def generated_paths(folder: Path, suffix: str, only: set[str] | None) -> list[Path]:
    """The generated modules in folder, or only those named in `only` (each must exist)."""
    paths = sorted(folder.glob(f"*{suffix}"))
    if only is None:
        return paths
    unknown = sorted(only - {p.stem for p in paths})
    if unknown:
        raise PyVerifyError(f"no generated module {', '.join(unknown)} in {folder}")
    return [p for p in paths if p.stem in only]


def run(args: list[str], cwd: Path, timeout: float | None, env: dict | None = None) -> subprocess.CompletedProcess:
    """A prover's run, its output captured; PyVerifyError if it outlives the timeout."""
    try:
        return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise PyVerifyError(f"{Path(args[0]).name} {' '.join(args[1:])} did not finish within {timeout} s") from None


def cached_build(kind: str, version: str, source: Path, files: list[str], done: str,
                 build: Callable[[Path], None]) -> tuple[Path, bool]:
    """The library `files` (relative to source) built by build(folder) into
    ~/.cache/pyverify/{kind}-build/KEY, KEY the hash of the prover's version and the files' text;
    reused while the marker file `done` exists there. Returns the folder and whether it was built
    now. build raises PyVerifyError on failure (nothing is kept); two processes building at once
    keep the first result."""
    key = hashlib.sha256(version.encode())
    for name in files:
        key.update(name.encode() + b"\0" + (source / name).read_bytes())
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pyverify" / f"{kind}-build"
    folder = cache / key.hexdigest()[:24]
    if (folder / done).exists():
        return folder, False
    cache.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=cache))
    try:
        build(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        tmp.rename(folder)
    except OSError:  # built concurrently by another process: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
    return folder, True
