"""Checking the generated Coq theorems: build the library with `make`, compile each generated
module with `coqc`, and list each theorem's axioms with `Print Assumptions`.

No Coq, no verdict: without `coqc` on PATH, check_coq_project raises NoToolchain and the CLI
exits with EXIT_NO_TOOLCHAIN. A theorem is reported verified only when coqc compiled its module
(exit 0) and Print Assumptions names only the allowed axioms.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pyverify.errors import PyVerifyError
from pyverify.lake import Diagnostic, NoToolchain, TheoremStatus

# ../shared/design/COQ.md, "Trust rules": the standard reals' axioms and the specifications of
# primitive integers and floats.
ALLOWED_AXIOMS = frozenset({"ClassicalDedekindReals.sig_not_dec", "ClassicalDedekindReals.sig_forall_dec",
                            "FunctionalExtensionality.functional_extensionality_dep"})
ALLOWED_PREFIXES = ("Uint63.", "PrimInt63.", "PrimFloat.", "FloatAxioms.")
INSTALL = "apt-get install coq libcoq-coquelicot libcoq-interval libcoq-flocq libcoq-mathcomp-ssreflect"

_ERROR = re.compile(r'^File "(?P<path>[^"]+)", line (?P<line>\d+), characters (?P<col>\d+)-\d+:\n(?P<msg>(?:.+\n?)*)',
                    re.MULTILINE)
_THEOREM = re.compile(r"^Theorem\s+(\w+)", re.MULTILINE)


def parse_coq_errors(output: str) -> list[Diagnostic]:
    """Every `File "...", line L, characters C-D:` diagnostic in coqc's output, in order."""
    found = []
    for m in _ERROR.finditer(output):
        path = m["path"]
        while path.startswith("./"):
            path = path[2:]
        message = " ".join(m["msg"].split())
        found.append(Diagnostic(path, int(m["line"]), int(m["col"]), message.removeprefix("Error: ")))
    return found


def axioms_of(print_assumptions: str) -> list[str]:
    """The axiom names in the output of one `Print Assumptions` (unindented lines name them)."""
    if "Closed under the global context" in print_assumptions:
        return []
    return [a for a in re.findall(r"^([A-Za-z_][\w.']*)", print_assumptions, flags=re.MULTILINE) if a != "Axioms"]


def disallowed(axioms: list[str]) -> list[str]:
    return [a for a in axioms if a not in ALLOWED_AXIOMS and not a.startswith(ALLOWED_PREFIXES)]


def generated_theorems(coq_dir: Path) -> list[tuple[str, str, str]]:
    """(module, theorem, relative file) for every generated module."""
    out = []
    for path in sorted((coq_dir / "Generated").glob("*.v")):
        for name in _THEOREM.findall(path.read_text()):
            out.append((f"PyVerify.Generated.{path.stem}", name, f"Generated/{path.name}"))
    return out


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise NoToolchain(f"no Coq: `{name}` is not on PATH, so nothing was checked (install it: {INSTALL})")
    return path


def _coqc(coqc: str, coq_dir: Path, file: str | Path, timeout: float | None) -> subprocess.CompletedProcess:
    args = [coqc, "-R", str(coq_dir / "theories"), "PyVerify", "-R", str(coq_dir / "Generated"),
            "PyVerify.Generated", str(file)]
    try:
        return subprocess.run(args, cwd=coq_dir, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PyVerifyError(f"coqc {file} did not finish within {timeout} s") from None


def check_coq_project(coq_dir: str | Path = "coq", timeout: float | None = None,
                      only: set[str] | None = None,
                      progress: Callable[[str], None] | None = None) -> tuple[list[TheoremStatus], float]:
    """Build the library in coq_dir, then check every generated theorem (or only those in the
    files named by `only`, e.g. {"Generated/Tiny.v"}); return the statuses (with coqc seconds)
    and the library's build time in seconds. progress, if given, is told what starts."""
    say = progress or (lambda message: None)
    coq_dir = Path(coq_dir).resolve()
    if not (coq_dir / "_CoqProject").exists():
        raise PyVerifyError(f"{coq_dir} is not the pyverify Coq project (no _CoqProject)")
    coqc, make = _tool("coqc"), _tool("make")
    say(f"building the Coq library in {coq_dir} (make)")
    start = time.perf_counter()
    try:
        built = subprocess.run([make, "-C", str(coq_dir)], capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PyVerifyError(f"make -C {coq_dir} did not finish within {timeout} s") from None
    library_seconds = time.perf_counter() - start
    library_error = None
    if built.returncode != 0:
        errors = parse_coq_errors(built.stdout + built.stderr)
        library_error = errors[0] if errors else Diagnostic("", 0, 0, "the Coq library did not build: "
                                                            + (built.stdout + built.stderr).strip()[-200:])
    statuses, compiled = [], []
    for module, theorem, relative in generated_theorems(coq_dir):
        if only is not None and relative not in only:
            continue
        if library_error is not None:
            statuses.append(TheoremStatus(module, theorem, relative, False, library_error))
            continue
        say(f"coqc {relative}")
        start = time.perf_counter()
        proc = _coqc(coqc, coq_dir, relative, timeout)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            errors = parse_coq_errors(proc.stdout + proc.stderr)
            error = errors[0] if errors else Diagnostic(relative, 0, 0, "coqc failed: " + proc.stderr.strip()[-200:])
            statuses.append(TheoremStatus(module, theorem, relative, False, error, seconds))
        else:
            compiled.append((module, theorem, relative, seconds))
    return sorted(statuses + _with_axioms(coqc, coq_dir, compiled, timeout), key=lambda s: s.file), library_seconds


def _with_axioms(coqc: str, coq_dir: Path, compiled: list, timeout: float | None) -> list[TheoremStatus]:
    """The statuses of compiled theorems: verified if Print Assumptions (one coqc run for all)
    names only allowed axioms."""
    if not compiled:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "Assumptions.v"
        script.write_text("".join(f"From PyVerify.Generated Require {Path(rel).stem}.\n" for _, _, rel, _ in compiled)
                          + "".join(f"Print Assumptions {m}.{t}.\n" for m, t, _, _ in compiled))
        shown = _coqc(coqc, coq_dir, script, timeout)
    blocks = [b for b in re.split(r"^(?=Axioms:|Closed under the global context)", shown.stdout, flags=re.MULTILINE)
              if b.strip()]
    statuses = []
    for k, (module, theorem, relative, seconds) in enumerate(compiled):
        if shown.returncode != 0 or len(blocks) != len(compiled):
            extra = ["(Print Assumptions failed)"]
        else:
            extra = disallowed(axioms_of(blocks[k]))
        error = Diagnostic(relative, 0, 0, f"rests on axioms outside the allowed list: {', '.join(extra)}") if extra else None
        statuses.append(TheoremStatus(module, theorem, relative, error is None, error, seconds))
    return statuses
