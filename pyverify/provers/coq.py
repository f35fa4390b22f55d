"""Checking the generated Coq theorems: build the shipped library once with `make` (a cache
folder), render each generated module afresh from the data it holds into a folder of its own and
compile that rendering with `coqc` against the library (the user's file is never compiled), then
have `coqc` check the intended statement and list its axioms.

A theorem is reported verified only when all of these hold:
1. the project's library (theories/*.v, _CoqProject, Makefile) is byte-identical to the one
   pyverify ships, with no other file in theories/;
2. the module is byte for byte what pyverify writes for the weights and count it holds
   (`pyverify.provers.verify.verify_coq_module`): no Admitted, axiom, shadowing definition or
   other proof can hide in it, and its weights record has the shapes its dimensions declare;
3. coqc compiled pyverify's own rendering of it;
4. in a file pyverify writes itself, coqc accepts the module's theorem at the intended
   statement over `PyVerify.Semantics.correct_count` and the module's `weights` by full name,
   and `Print Assumptions` lists nothing but axioms, each by its fully qualified name (`About`)
   one of the standard reals' axioms or a primitive-integer or float specification: any other
   line (an unguarded fixpoint "assumed to be guarded", a type "assumed to be positive", ...)
   fails the check.

No Coq, no verdict: without `coqc` on PATH, check_coq_project raises NoToolchain and the CLI
exits with EXIT_NO_TOOLCHAIN.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from functools import reduce
from pathlib import Path

from pyverify.atomic import write_text_atomic
from pyverify.errors import PyVerifyError
from pyverify.provers.coq_render import coq_checker, render_coq_module
from pyverify.provers.coq_render import statement as coq_statement
from pyverify.provers.grammar import ModuleError
from pyverify.provers.read import GeneratedModule
from pyverify.provers.verify import verify_coq_module
from pyverify.provers.base import Diagnostic, NoToolchain, TheoremStatus, cached_build, failed, generated_paths
from pyverify.resources import COQ_CORE, coq_library_differences, coq_library_dir

# ../shared/design/COQ.md, "Trust rules": the standard reals' axioms and the specifications of
# primitive integers and floats, by fully qualified name.
ALLOWED_AXIOMS = frozenset({"Coq.Reals.ClassicalDedekindReals.sig_not_dec",
                            "Coq.Reals.ClassicalDedekindReals.sig_forall_dec",
                            "Coq.Logic.FunctionalExtensionality.functional_extensionality_dep"})
ALLOWED_PREFIXES = ("Coq.Numbers.Cyclic.Int63.Uint63.", "Coq.Numbers.Cyclic.Int63.PrimInt63.",
                    "Coq.Floats.PrimFloat.", "Coq.Floats.FloatAxioms.")
INSTALL = "apt-get install coq libcoq-bignums"
THEOREM = "accuracy_lower_bound"

_ERROR = re.compile(r'^File "(?P<path>[^"]+)", line (?P<line>\d+), characters (?P<col>\d+)-\d+:\n(?P<msg>(?:.+\n?)*)',
                    re.MULTILINE)


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
    """The axiom names in the output of one `Print Assumptions`. An unindented line names an
    axiom (`name` or `name : type`; indented lines continue its type); any other line, such as
    "f is assumed to be guarded." or "T is assumed to be positive.", raises PyVerifyError: the
    term rests on something that is not an axiom the check can name."""
    lines = print_assumptions.strip().splitlines()
    if lines == ["Closed under the global context"]:
        return []
    if not lines or lines[0] != "Axioms:":
        raise PyVerifyError(f"Print Assumptions printed {' '.join(print_assumptions.split())[:120]!r}")
    names = []
    for line in lines[1:]:
        if line[:1].isspace():
            continue
        m = re.fullmatch(r"([A-Za-z_][\w.']*)(?: : .*)?", line, re.ASCII)
        if m is None:
            raise PyVerifyError(f"Print Assumptions lists {line.strip()[:120]!r}, which is not an axiom")
        names.append(m[1])
    return names


def disallowed(full_names: list[str]) -> list[str]:
    """The fully qualified axiom names outside the allowed list."""
    return [a for a in full_names if a not in ALLOWED_AXIOMS and not a.startswith(ALLOWED_PREFIXES)]


def statement(module: GeneratedModule) -> str:
    """The intended statement of a module's theorem, by full names."""
    return coq_statement(module.count, coq_checker(module.strategy).scope, f"PyVerify.Generated.{module.name}.weights",
                         "PyVerify.Semantics.")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise NoToolchain(f"no Coq: `{name}` is not on PATH, so nothing was checked (install it: {INSTALL})")
    return path


def _coqc(coqc: str, workdir: Path, file: str | Path, timeout: float | None,
          library: Path | None = None) -> subprocess.CompletedProcess:
    """coqc on a file in workdir, with PyVerify from library/theories (default workdir/theories)
    and PyVerify.Generated from workdir/Generated."""
    args = [coqc, "-R", str((library or workdir) / "theories"), "PyVerify", "-R", str(workdir / "Generated"), "PyVerify.Generated",
            str(file)]
    try:
        return subprocess.run(args, cwd=workdir, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise PyVerifyError(f"coqc {file} did not finish within {timeout} s") from None


def library_build(coqc: str, make: str, timeout: float | None = None,
                  say: Callable[[str], None] = lambda m: None) -> tuple[Path, float]:
    """The shipped Coq library built with `make` in a cache folder keyed by coqc's version and
    the library's text (cached_build), reused while both are unchanged; and the seconds the build
    took here (0 when reused). A project's library is byte-identical to it
    (coq_library_differences), so its modules are compiled against this build."""
    source = coq_library_dir()
    names = list(COQ_CORE) + [f"theories/{p.name}" for p in sorted((source / "theories").glob("*.v"))]
    version = subprocess.run([coqc, "--version"], capture_output=True, text=True).stdout

    def build(folder: Path) -> None:
        say("building the Coq library once (make)")
        (folder / "theories").mkdir()
        for n in names:
            shutil.copy2(source / n, folder / n)
        try:
            built = subprocess.run([make, "-j2", "-C", str(folder)], capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise PyVerifyError(f"building the Coq library did not finish within {timeout} s") from None
        if built.returncode != 0:
            errors = parse_coq_errors(built.stdout + built.stderr)
            raise PyVerifyError("the Coq library did not build: " + (f"{errors[0].path}:{errors[0].line}: "
                                f"{errors[0].message}" if errors else (built.stdout + built.stderr).strip()[-200:]))

    start = time.perf_counter()
    folder, built_now = cached_build("coq", version, source, names, "theories/Soundness.vo", build)
    return folder, time.perf_counter() - start if built_now else 0.0


def _failed(module: str, relative: str, message: str, seconds: float = 0.0, count: int | None = None,
            line: int = 0) -> TheoremStatus:
    return failed(module, THEOREM, relative, message, seconds, count, line)


def check_coq_project(coq_dir: str | Path = "coq", timeout: float | None = None,
                      only: set[str] | None = None,
                      progress: Callable[[str], None] | None = None) -> tuple[list[TheoremStatus], float]:
    """Check every generated module of coq_dir (or only the module names in `only`, e.g.
    {"Tiny"}) against the shipped library, built once (library_build); return the statuses
    (with coqc seconds) and the library's build time here in seconds (0 when it was reused).
    progress, if given, is told what starts."""
    say = progress or (lambda message: None)
    coq_dir = Path(coq_dir).resolve()
    if not (coq_dir / "_CoqProject").exists():
        raise PyVerifyError(f"{coq_dir} is not the pyverify Coq project (no _CoqProject)")
    coqc, make = _tool("coqc"), _tool("make")
    paths = generated_paths(coq_dir / "Generated", ".v", only)
    statuses: dict[str, TheoremStatus] = {}
    differ = coq_library_differences(coq_dir)
    readable = []
    for path in paths:
        relative, module_name = f"Generated/{path.name}", f"PyVerify.Generated.{path.stem}"
        try:
            module = verify_coq_module(path)
        except ModuleError as e:
            statuses[path.stem] = _failed(module_name, relative, str(e))
            continue
        if differ:
            statuses[path.stem] = _failed(module_name, relative, "the Coq library differs from the one pyverify "
                                          f"ships: {differ[0]}", count=module.count)
            continue
        readable.append((module, path))
    library_seconds = 0.0
    if readable:
        try:
            library, library_seconds = library_build(coqc, make, timeout, say)
        except PyVerifyError as e:
            for module, path in readable:
                statuses[module.name] = _failed(f"PyVerify.Generated.{module.name}", f"Generated/{path.name}", str(e),
                                                count=module.count)
            return [statuses[p.stem] for p in paths], 0.0
        with tempfile.TemporaryDirectory(prefix="pyverify-coq-check-") as tmp:
            _compile(coqc, Path(tmp), library, readable, timeout, statuses, say)
    return [statuses[p.stem] for p in paths], library_seconds


def _compile(coqc: str, workdir: Path, library: Path, readable: list[tuple[GeneratedModule, Path]],
             timeout: float | None, statuses: dict[str, TheoremStatus], say: Callable[[str], None]) -> None:
    """Render each module afresh into workdir/Generated, compile it, and check the statements
    of those that compiled; the statuses name the user's files (whose lines equal the
    rendering's)."""
    compiled = []
    for module, path in readable:
        relative, module_name = f"Generated/{path.name}", f"PyVerify.Generated.{module.name}"
        write_text_atomic(workdir / relative, render_coq_module(
            module.weights, module.name, module.strategy, module.count, module.architecture, module.version,
            module.hints))
        say(f"coqc {relative}")
        start = time.perf_counter()
        proc = _coqc(coqc, workdir, relative, timeout, library)
        seconds = time.perf_counter() - start
        if proc.returncode != 0:
            errors = parse_coq_errors(proc.stdout + proc.stderr)
            if errors:
                statuses[module.name] = TheoremStatus(module_name, THEOREM, relative, False, errors[0], seconds,
                                                      module.count)
            else:
                statuses[module.name] = _failed(module_name, relative, "coqc failed: " + proc.stderr.strip()[-200:],
                                                seconds, module.count)
        else:
            compiled.append((module, relative, seconds))
    if compiled:
        say("checking the statements and their axioms")
        verdicts = _verdicts(coqc, workdir, [m for m, _, _ in compiled], timeout, library)
        for module, relative, seconds in compiled:
            module_name = f"PyVerify.Generated.{module.name}"
            reason = verdicts[module.name]
            statuses[module.name] = (_failed(module_name, relative, reason, seconds, module.count) if reason else
                                     TheoremStatus(module_name, THEOREM, relative, True, None, seconds, module.count))


def _run_script(coqc: str, workdir: Path, text: str, timeout: float | None,
                library: Path | None) -> subprocess.CompletedProcess:
    script = workdir / "PyVerifyStatements.v"
    script.write_text(text)
    return _coqc(coqc, workdir, script.name, timeout, library)


def assumptions(coqc: str, workdir: Path, preamble: str, terms: list[str], timeout: float | None = None,
                library: Path | None = None) -> list[list[str]]:
    """The axioms each term rests on, by fully qualified name: `Print Assumptions` of each term
    after the preamble, then `About` of each printed name in the same context. Raises
    PyVerifyError if coqc fails."""
    shown = _run_script(coqc, workdir, preamble + "".join(f"Print Assumptions {t}.\n" for t in terms), timeout,
                        library)
    if shown.returncode != 0:
        errors = parse_coq_errors(shown.stdout + shown.stderr)
        raise PyVerifyError("coqc could not list the axioms: " + (errors[0].message if errors else
                                                                   shown.stderr.strip()[-200:]))
    blocks = [b for b in re.split(r"^(?=Axioms:|Closed under the global context)", shown.stdout, flags=re.MULTILINE)
              if b.startswith(("Axioms:", "Closed under the global context"))]
    if len(blocks) != len(terms):
        raise PyVerifyError("Print Assumptions did not list every term's axioms")
    names = [axioms_of(b) for b in blocks]
    everything = sorted({a for found in names for a in found})
    if not everything:
        return names
    about = _run_script(coqc, workdir, preamble + "".join(f"About {a}.\n" for a in everything), timeout, library)
    full = re.findall(r"Expands to: Constant\s+(\S+)", about.stdout)
    if about.returncode != 0 or len(full) != len(everything):
        raise PyVerifyError("coqc could not resolve the axioms' full names")
    resolved = dict(zip(everything, full))
    return [[resolved[a] for a in found] for found in names]


def _verdicts(coqc: str, workdir: Path, modules: list[GeneratedModule], timeout: float | None,
              library: Path) -> dict[str, str | None]:
    """Per module name: None if coqc accepts its theorem at the intended statement and every
    axiom it rests on is allowed by full name, else why not."""
    preamble = ("From Coq Require Import NArith.\nFrom PyVerify Require Semantics.\n"
                + "".join(f"From PyVerify.Generated Require {m.name}.\n" for m in modules))
    checks = "".join(f"Check (PyVerify.Generated.{m.name}.{THEOREM} : {statement(m)}).\n" for m in modules)
    theorems = [f"PyVerify.Generated.{m.name}.{THEOREM}" for m in modules]
    # Print Assumptions walks the whole library once per term (about 1.4 s): first list the axioms
    # of all the theorems together (a conjunction); only if one is not allowed, list each one's.
    together = reduce(lambda rest, t: f"(conj {t} {rest})", reversed(theorems[:-1]), theorems[-1])
    try:
        [union] = assumptions(coqc, workdir, preamble + checks + f"Definition pyverify_all := {together}.\n",
                              ["pyverify_all"], timeout, library)
        if not disallowed(union):
            return {m.name: None for m in modules}
        found = assumptions(coqc, workdir, preamble + checks, theorems, timeout, library)
    except PyVerifyError as e:
        return {m.name: f"the theorem is not the intended statement, or its axioms cannot be listed ({e})"
                for m in modules}
    verdicts = {}
    for m, axioms in zip(modules, found):
        bad = disallowed(axioms)
        verdicts[m.name] = f"rests on axioms outside the allowed list: {', '.join(bad)}" if bad else None
    return verdicts
