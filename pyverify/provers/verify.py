"""Is a module what pyverify writes? Its data is read (pyverify.provers.read), the module is
rendered again from that data alone with the shipped templates, and the two texts must be
byte-identical: whatever a hand-edited module adds (a `sorry`, an axiom, `native_decide`, a
shadowing definition, an option, an altered proof or statement) makes it differ. `check`
compiles the rendering, never the file (pyverify/provers/lean.py, pyverify/provers/coq.py).
"""

from __future__ import annotations

from pathlib import Path

from pyverify.errors import PyVerifyError
from pyverify.provers.coq_render import coq_checker, render_coq_module
from pyverify.provers.grammar import ModuleError, exact_text
from pyverify.provers.read import GeneratedModule, read_coq_module, read_lean_module
from pyverify.provers.render import render_module
from pyverify.provers.split import is_split, split_module, stored_parts


def first_difference(actual: str, expected: str) -> str:
    """Where two texts first differ, as `line N`."""
    a, b = actual.splitlines(), expected.splitlines()
    for k, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"line {k + 1}"
    return f"line {min(len(a), len(b)) + 1}"


def same_as_rendered(path: Path, module: GeneratedModule, render) -> GeneratedModule:
    """The module, if the file is byte for byte what render() writes from its data; ModuleError
    naming the first difference (or why it cannot be rendered) otherwise."""
    try:
        expected = render()
    except PyVerifyError as e:  # e.g. block counts that do not add up to the count
        raise ModuleError(str(e)) from None
    actual = exact_text(path)
    if actual != expected:
        raise ModuleError(f"it is not the module pyverify writes for its weights and count (it differs at "
                          f"{first_difference(actual, expected)}); export it again")
    return module


def verify_lean_module(path: str | Path) -> GeneratedModule:
    """The module's data, if the module is byte for byte what pyverify renders from that data
    (its name is its file's); raises ModuleError naming the first difference otherwise."""
    path = Path(path)
    module = read_lean_module(path)
    if module.name != path.stem:
        raise ModuleError(f"its namespace names {module.name}, not {path.stem}")

    def render() -> str:
        return render_module(module.weights, module.name, module.strategy, module.count, module.blocks,
                             module.hints, module.architecture, module.version)

    if not is_split(path):
        return same_as_rendered(path, module, render)
    try:
        expected = [(p.relative, p.text) for p in split_module(module.name, render())]
    except PyVerifyError as e:  # e.g. block counts that do not add up to the count
        raise ModuleError(str(e)) from None
    stored = stored_parts(path)
    if [r for r, _ in stored] != [r for r, _ in expected]:
        raise ModuleError(f"its parts are {', '.join(r for r, _ in stored)}, not the split pyverify writes")
    for (relative, actual), (_, text) in zip(stored, expected):
        if actual != text:
            raise ModuleError(f"{relative} is not the part pyverify writes for the module's weights and count (it "
                              f"differs at {first_difference(actual, text)}); export it again")
    return module


def verify_coq_module(path: str | Path) -> GeneratedModule:
    """As verify_lean_module, for a generated Coq module."""
    path = Path(path)
    module = read_coq_module(path)
    if module.name != path.stem:
        raise ModuleError(f"its title names {module.name}, not {path.stem}")
    if coq_checker(module.strategy) is None:
        raise ModuleError(f"no Coq soundness proof for --strategy {module.strategy}")
    return same_as_rendered(path, module, lambda: render_coq_module(
        module.weights, module.name, module.strategy, module.count, module.architecture, module.version,
        module.hints))
