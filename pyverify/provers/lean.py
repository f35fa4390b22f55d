"""Checking the generated Lean theorems with the bare `lean` compiler.

`check` never compiles a text it did not write: it reads each module's data through a closed
grammar (`pyverify.provers.read`), renders the module afresh from that data alone into a folder
of its own, and compiles that rendering against the shipped library (built once into a cache).
A theorem is reported verified only when all of these hold:
1. the project's core library (PyVerify/, PyVerify.lean, lakefile.toml, lean-toolchain) is
   byte-identical to the library pyverify ships, so that `lake build` there means the same;
2. the user's module is byte for byte what pyverify writes for the weights, hints and count it
   holds (`verify_lean_module`), else it is reported as differing from what pyverify writes;
3. Lean compiled pyverify's own rendering of it with no error;
4. a file pyverify writes itself states the intended theorem over the library's checker and the
   module's `weights` by their full names, proves it by the module's final theorem, and
   `#print axioms` says it depends on no axiom.

`lake build` is never run: it would compile the user's files. No toolchain, no verdict: without
a `lean` command (--lean, $PYVERIFY_LEAN or `lean` on PATH), check_project raises NoToolchain and
the CLI exits with EXIT_NO_TOOLCHAIN.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from pyverify.atomic import write_text_atomic
from pyverify.errors import PyVerifyError
from pyverify.provers.grammar import ModuleError
from pyverify.provers.read import GeneratedModule
from pyverify.numeric.registry import strategy
from pyverify.provers.render import render_module
from pyverify.provers.split import Part, is_split, split_module
from pyverify.provers.verify import verify_lean_module
from pyverify.provers.lean_jobs import Job, run_jobs
from pyverify.provers.base import (Diagnostic, NoToolchain, TheoremStatus, cached_build, failed, generated_paths,
                                   run)
from pyverify.resources import lean_core_dir, lean_library_differences

# `lake build` prints `error: path:line:col: message`; Lean itself `path:line:col: error: message`
# or, since 4.2x, `path:line:col: error(lean.unknownIdentifier): message`.
_DIAGNOSTIC = [
    re.compile(r"^error: (?P<path>[^\s:][^:]*\.lean):(?P<line>\d+):(?P<col>\d+): (?P<msg>.*)$"),
    re.compile(r"^(?P<path>[^\s:][^:]*\.lean):(?P<line>\d+):(?P<col>\d+): error(?:\([\w.]+\))?: (?P<msg>.*)$"),
]


def parse_diagnostics(output: str) -> list[Diagnostic]:
    """Every error diagnostic in Lean's or lake's output, in order."""
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


def final_theorem(module: GeneratedModule) -> tuple[str, str]:
    """The Lean checker a module's final theorem is about, and that theorem's name."""
    lean = strategy(module.strategy).facts.lean
    return lean.checker, lean.theorem


def statement_file(modules: list[GeneratedModule]) -> tuple[str, dict[str, tuple[int, int]]]:
    """Lean source that restates each module's theorem over the library's checker and the
    module's definitions by full name, proves it by the module's theorem, and prints its axioms;
    and each module's lines in it (first, last)."""
    lines = ["import PyVerify"] + [f"import Generated.{m.name}" for m in modules] + [""]
    spans = {}
    for m in modules:
        checker, theorem = final_theorem(m)
        ns = f"PyVerify.Generated.{m.name}"
        args = f"{ns}.weights {ns}.scale" + (f" {ns}.hints" if m.hints is not None else "")
        first = len(lines) + 1
        lines += [f"theorem pyverify_statement_{m.name} : PyVerify.{checker} {args} = {m.count} :=",
                  f"  {ns}.{theorem}", f"#print axioms pyverify_statement_{m.name}"]
        spans[m.name] = (first, len(lines))
        lines.append("")
    return "\n".join(lines), spans


def axiom_verdicts(output: str, modules: list[GeneratedModule],
                   spans: dict[str, tuple[int, int]]) -> dict[str, str | None]:
    """Per module name: None if its restated theorem compiled with no error and depends on no
    axiom, else why not. An error outside every module's lines fails them all."""
    errors = parse_diagnostics(output)
    verdicts = {}
    for m in modules:
        first, last = spans[m.name]
        mine = [e for e in errors if not any(a <= e.line <= b for a, b in spans.values()) or first <= e.line <= last]
        name = f"pyverify_statement_{m.name}"
        found = re.search(rf"'{name}' depends on axioms: \[(.*?)\]", output, re.S)
        if mine:
            verdicts[m.name] = f"the restated theorem was not accepted: {mine[0].message}"
        elif found:
            verdicts[m.name] = f"the theorem depends on axioms: {' '.join(found[1].split())}"
        elif f"'{name}' does not depend on any axioms" not in output:
            verdicts[m.name] = "the restated theorem's axioms were not printed: " + " ".join(output.split())[-200:]
        else:
            verdicts[m.name] = None
    return verdicts


def find_lean(explicit: str | None = None) -> str | None:
    """The bare `lean` command to use: --lean PATH, else $PYVERIFY_LEAN, else `lean` on PATH (an
    elan install puts it beside `lake`); None if there is none."""
    for candidate in (explicit, os.environ.get("PYVERIFY_LEAN")):
        if candidate:
            if not (Path(candidate).is_file() and os.access(candidate, os.X_OK)):
                raise PyVerifyError(f"the Lean compiler {candidate} does not exist or is not executable")
            return candidate
    return shutil.which("lean")


def check_project(lean_dir: str | Path = "lean", timeout: float | None = None, lean: str | None = None,
                  only: set[str] | None = None, progress: Callable[[str], None] | None = None,
                  workers: int = 1) -> tuple[list[TheoremStatus], list[Diagnostic], str]:
    """Check every generated module of lean_dir (or only the names in `only`): each module whose
    file is what pyverify writes is rendered afresh from its data into a folder of its own under
    lean_dir/.lake/pyverify and compiled there with the bare compiler (find_lean; the user's
    files are never compiled). workers > 1: compile each module split into its blocks
    (`pyverify.provers.split`) on that many parallel Dask workers. Returns per-module statuses of
    the final theorems, every error diagnostic (at the lines of the user's files, which equal
    the rendering's), and the compiler's output."""
    lean_dir = Path(lean_dir).resolve()
    if not (lean_dir / "lakefile.toml").exists():
        raise PyVerifyError(f"{lean_dir} is not the pyverify Lean project (no lakefile.toml)")
    say = progress or (lambda message: None)
    compiler = find_lean(lean)
    if compiler is None:
        raise NoToolchain("no Lean toolchain: no `lean` on PATH, so nothing was checked "
                          "(install elan, or pass --lean PATH / set PYVERIFY_LEAN to a Lean 4.35.0 `lean`)")
    paths = generated_paths(lean_dir / "Generated", ".lean", only)
    statuses: dict[str, TheoremStatus] = {}
    modules: list[tuple[GeneratedModule, Path]] = []
    differ = lean_library_differences(lean_dir, lake=True)
    for path in paths:
        relative = f"Generated/{path.name}"
        try:
            module = verify_lean_module(path)
        except ModuleError as e:
            statuses[path.stem] = _failed(path.stem, "", relative, str(e))
            continue
        theorem = final_theorem(module)[1]
        if differ:
            statuses[path.stem] = _failed(path.stem, theorem, relative,
                                          f"the core library differs from the one pyverify ships: {differ[0]}",
                                          count=module.count)
            continue
        modules.append((module, path))
    if not modules:
        return [statuses[p.stem] for p in paths], [], ""
    scratch = lean_dir / ".lake" / "pyverify"
    scratch.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="check-", dir=scratch))  # shared with Dask workers through lean_dir
    try:
        compiled, output, diagnostics = _bare_build(compiler, workdir, modules, timeout, statuses, say, workers)
        if compiled:
            say("checking the statements and their axioms")
            verdicts, stated = _statements(compiler, workdir, [m for m, _, _ in compiled], timeout)
            output += stated
            for module, path, seconds in compiled:
                theorem = final_theorem(module)[1]
                reason = verdicts[module.name]
                relative = f"Generated/{path.name}"
                statuses[module.name] = (_failed(module.name, theorem, relative, reason, seconds, module.count)
                                         if reason else TheoremStatus(f"Generated.{module.name}", theorem, relative,
                                                                      True, None, seconds, module.count))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return [statuses[p.stem] for p in paths], diagnostics, output


def _failed(name: str, theorem: str, relative: str, message: str, seconds: float = 0.0,
            count: int | None = None, line: int = 0) -> TheoremStatus:
    return failed(f"Generated.{name}", theorem, relative, message, seconds, count, line)


def lean_version(lean: str) -> str:
    proc = run([lean, "--version"], Path.cwd(), 60)
    if proc.returncode != 0:
        raise PyVerifyError(f"{lean} --version failed: {(proc.stdout + proc.stderr).strip()[-200:]}")
    return proc.stdout.strip()


def library_build(lean: str, timeout: float | None = None, say: Callable[[str], None] = lambda m: None) -> Path:
    """The shipped core library compiled by `lean` (in import order, one .olean per module) in a
    cache folder keyed by the compiler's version and the library's text (cached_build); reused
    while both are unchanged. Returns the folder to put on LEAN_PATH."""
    source = lean_core_dir()
    files = ["PyVerify.lean"] + [f"PyVerify/{p.name}" for p in sorted((source / "PyVerify").glob("*.lean"))]

    def build(folder: Path) -> None:
        say(f"compiling the core library with {lean}")
        (folder / "PyVerify").mkdir()
        for name in _import_order(source):
            relative = name.replace(".", "/") + ".lean"
            proc = run([lean, "-o", str(folder / (name.replace(".", "/") + ".olean")), relative], source, timeout,
                        dict(os.environ, LEAN_PATH=str(folder)))
            if proc.returncode != 0:
                first = parse_diagnostics(proc.stdout + proc.stderr)
                where = (f"{first[0].path}:{first[0].line}: {first[0].message}" if first
                         else (proc.stdout + proc.stderr)[-200:])
                raise PyVerifyError(f"the core library does not compile with {lean}: {where}")

    return cached_build("lean", lean_version(lean), source, files, "PyVerify.olean", build)[0]


def _import_order(source: Path) -> list[str]:
    """The library's modules, each after the modules it imports, ending with PyVerify."""
    order: list[str] = []

    def visit(name: str) -> None:
        if name in order:
            return
        text = (source / (name.replace(".", "/") + ".lean")).read_text()
        for dep in re.findall(r"^import (PyVerify\S*)", text, re.M):
            visit(dep)
        order.append(name)

    visit("PyVerify")
    return order


def module_jobs(module: GeneratedModule, path: Path, workdir: Path,
                split: bool) -> tuple[list[Job], list[Part] | None]:
    """The compile jobs of one verified module, rendered afresh by pyverify into workdir (sources
    under workdir/Generated, oleans under workdir/build): split into its parts when the user's
    module is stored split or `split` asks for it, else as one file. The second value is the
    parts when a single-file module is compiled split (to map a diagnostic back to its line)."""
    text = render_module(module.weights, module.name, module.strategy, module.count, module.blocks, module.hints,
                         module.architecture, module.version)
    stored_split = is_split(path)
    if not (stored_split or split):
        relative = f"Generated/{module.name}.lean"
        write_text_atomic(workdir / relative, text)
        return [Job(relative, workdir, workdir / "build" / "Generated" / f"{module.name}.olean")], None
    parts = split_module(module.name, text)
    for part in parts:
        write_text_atomic(workdir / part.relative, part.text)
    jobs = [Job(p.relative, workdir, workdir / "build" / p.relative.replace(".lean", ".olean"), p.imports)
            for p in parts]
    return jobs, None if stored_split else parts


def _bare_build(lean: str, workdir: Path, modules: list, timeout: float | None, statuses: dict,
                say: Callable[[str], None], workers: int = 1) -> tuple[list, str, list[Diagnostic]]:
    library = library_build(lean, timeout, say)
    env = dict(os.environ, LEAN_PATH=f"{library}{os.pathsep}{workdir / 'build'}")
    planned = [(module, path, *module_jobs(module, path, workdir, workers > 1)) for module, path in modules]
    outcomes = run_jobs(lean, [job for _, _, jobs, _ in planned for job in jobs], env, timeout, workers, say)
    compiled, output, diagnostics = [], "", []
    for module, path, jobs, parts in planned:
        relative = f"Generated/{path.name}"
        theorem = final_theorem(module)[1]
        mine = [outcomes[job.relative] for job in jobs]
        seconds = max(o.ended for o in mine) - min(o.started for o in mine)
        error = None
        for job, outcome in zip(jobs, mine):
            output += outcome.output
            found = parse_diagnostics(outcome.output)
            if parts is not None:  # a single-file module compiled split: point at the single file
                part = next(p for p in parts if p.relative == job.relative)
                found = [Diagnostic(relative, part.single_file_line(d.line), d.col, d.message) for d in found]
            diagnostics += found
            if error is None and outcome.returncode is not None and (outcome.returncode != 0 or found):
                error = found[0] if found else Diagnostic(job.relative, 0, 0,
                                                          "lean failed: " + outcome.output.strip()[-200:])
        if error is not None:
            statuses[module.name] = TheoremStatus(f"Generated.{module.name}", theorem, relative, False, error,
                                                  seconds, module.count)
        else:
            compiled.append((module, path, seconds))
    return compiled, output, diagnostics


def _statements(lean: str, workdir: Path, modules: list[GeneratedModule],
                timeout: float | None) -> tuple[dict[str, str | None], str]:
    """Compile statement_file(modules) against the library and workdir's oleans, and read its
    verdicts."""
    text, spans = statement_file(modules)
    check = workdir / "PyVerifyStatements.lean"
    check.write_text(text)
    library = library_build(lean, timeout)
    env = dict(os.environ, LEAN_PATH=f"{library}{os.pathsep}{workdir / 'build'}")
    proc = run([lean, check.name], workdir, timeout, env)
    output = proc.stdout + proc.stderr
    verdicts = axiom_verdicts(output, modules, spans)
    if proc.returncode != 0 and not any(verdicts.values()):  # an error pyverify could not place
        verdicts = {m.name: "the restated theorems did not compile: " + output.strip()[-200:] for m in modules}
    return verdicts, output
