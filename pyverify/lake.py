"""Checking the generated Lean theorems by running `lake build` and reading its diagnostics.

No toolchain, no verdict: without `lake` on PATH, check_project raises NoToolchain and the
CLI exits with EXIT_NO_TOOLCHAIN. A theorem is reported "verified" only when lake ran and
exited 0 and reported no error in its module.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pyverify.errors import PyVerifyError

EXIT_FAILED = 1
EXIT_NO_TOOLCHAIN = 3

# `lake build` prints `error: path:line:col: message`; Lean itself `path:line:col: error: message`.
_DIAGNOSTIC = [
    re.compile(r"^error: (?P<path>[^\s:][^:]*\.lean):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$"),
    re.compile(r"^(?P<path>[^\s:][^:]*\.lean):(?P<line>\d+):(?P<col>\d+): error: (?P<msg>.*)$"),
]
_THEOREM = re.compile(r"^theorem\s+(\S+)", re.MULTILINE)


class NoToolchain(PyVerifyError):
    """No prover on PATH (`lake`, or `coqc` for the Coq side)."""


@dataclass(frozen=True)
class Diagnostic:
    path: str  # as printed, normalised to be relative to the Lean project
    line: int
    col: int
    message: str


@dataclass(frozen=True)
class TheoremStatus:
    module: str  # e.g. "Generated.Seed123"
    theorem: str
    file: str  # relative to the Lean project
    verified: bool
    error: Diagnostic | None
    seconds: float = 0.0  # the prover's time on this module, where measured


def parse_diagnostics(output: str) -> list[Diagnostic]:
    """Every error diagnostic in lake's output, in order."""
    found = []
    for raw in output.splitlines():
        line = raw.strip()
        for pattern in _DIAGNOSTIC:
            m = pattern.match(line)
            if m:
                path = m["path"]
                while path.startswith("./"):
                    path = path[2:]
                found.append(Diagnostic(path, int(m["line"]), int(m["col"]), m["msg"].strip()))
                break
    return found


def generated_theorems(lean_dir: Path) -> list[tuple[str, str, str]]:
    """(module, theorem, relative file) for every generated module."""
    out = []
    for path in sorted((lean_dir / "Generated").glob("*.lean")):
        for name in _THEOREM.findall(path.read_text()):
            out.append((f"Generated.{path.stem}", name, f"Generated/{path.name}"))
    return out


def _matches(diagnostic_path: str, relative: str) -> bool:
    return diagnostic_path == relative or diagnostic_path.endswith("/" + relative)


def check_project(lean_dir: str | Path = "lean", timeout: float | None = None) -> tuple[list[TheoremStatus], list[Diagnostic], str]:
    """Run `lake build` in lean_dir; return per-theorem statuses, all error diagnostics, and lake's output."""
    lean_dir = Path(lean_dir)
    if not (lean_dir / "lakefile.toml").exists():
        raise PyVerifyError(f"{lean_dir} is not the pyverify Lean project (no lakefile.toml)")
    lake = shutil.which("lake")
    if lake is None:
        raise NoToolchain("no Lean toolchain: `lake` is not on PATH, so nothing was checked "
                          "(install elan, then run `lake build` in the Lean folder)")
    try:
        proc = subprocess.run([lake, "build"], cwd=lean_dir, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PyVerifyError(f"lake build did not finish within {timeout} s") from None
    output = proc.stdout + proc.stderr
    diagnostics = parse_diagnostics(output)
    statuses = []
    for module, theorem, relative in generated_theorems(lean_dir):
        error = next((d for d in diagnostics if _matches(d.path, relative)), None)
        if error is None and proc.returncode != 0:
            # The build failed elsewhere (e.g. in the core library): this module was not checked.
            error = diagnostics[0] if diagnostics else Diagnostic("", 0, 0, "lake build failed: " + output.strip()[-200:])
        statuses.append(TheoremStatus(module, theorem, relative, error is None and proc.returncode == 0, error))
    return statuses, diagnostics, output
