"""The generated Lean: golden file, determinism, discipline checks, and `pyverify check`."""

import builtins
import importlib
import re
import shutil
import subprocess
from pathlib import Path

from pyverify.provers.lean import parse_diagnostics
from pyverify.cli import main
from pyverify.exact import certify
from pyverify.exact.brute_checker import certify_brute
from pyverify.exact.weights import exact_weights
from pyverify.provers import render_module, render_root, to_lean
from pyverify.provers.pack import pack_matrix, unpack_matrix
from tests.lean_fixtures import tiny_model

ROOT = Path(__file__).resolve().parents[1]
LEAN = ROOT / "lean"
GOLDEN = Path(__file__).parent / "golden"
ALLOWED_SET_OPTIONS = {"maxHeartbeats"}  # documented in lean/README.md
KEYWORDS = {"import", "namespace", "open", "def", "theorem", "end", "by", "in", "set_option", "structure",
            "where", "fun", "let", "have", "prelude", "universe", "noncomputable", "true", "false", "Type", "Nat",
            "Bool", "List", "Option", "decide", "kernel", "u", "v", "w", "z"}
DEF = r"^(?:noncomputable )?(def|structure|theorem)\s+"  # a top-level declaration


def tiny_text(strategy="brute-force") -> str:
    w = exact_weights(tiny_model())
    r = certify(w, strategy)
    return render_module(w, "Tiny", strategy, r.count, r.blocks)


def test_golden_tiny_module():
    assert tiny_text() == (GOLDEN / "Tiny.lean").read_text()
    assert render_root(["Tiny", "Seed123"]) == (GOLDEN / "Generated.lean").read_text()


def test_rendering_is_deterministic(tmp_path):
    shutil.copytree(LEAN, tmp_path / "lean", ignore=shutil.ignore_patterns(".lake", "Generated", "Generated.lean"))
    a = to_lean(tiny_model(), "Tiny", "brute-force", tmp_path / "lean")
    first = a.path.read_bytes()
    b = to_lean(tiny_model(), "Tiny", "brute-force", tmp_path / "lean")
    assert b.path.read_bytes() == first
    assert a.method == "decide +kernel" and a.count == certify_brute(tiny_model()).count


def test_packing_round_trips():
    rows = [[0, -1, 5, -(2**70)], [3, 2**40, -7, 1]]
    width, packed = pack_matrix(rows)
    assert unpack_matrix(2, 4, width, packed) == rows


def strip_comments(text: str) -> str:
    text = re.sub(r"/-.*?-/", "", text, flags=re.DOTALL)
    return re.sub(r"--[^\n]*", "", text)


def lean_files():
    return sorted(LEAN.glob("PyVerify/*.lean")) + [LEAN / "PyVerify.lean"] + sorted(LEAN.glob("Generated/*.lean"))


def test_no_sorry_admit_axiom_and_only_allowed_options():
    for path in lean_files() + [GOLDEN / "Tiny.lean"]:
        code = strip_comments(path.read_text())
        for word in ("sorry", "admit", "axiom"):
            assert not re.search(rf"\b{word}\b", code), (path, word)
        for option in re.findall(r"set_option\s+(\S+)", code):
            assert option in ALLOWED_SET_OPTIONS, (path, option)


def test_brackets_balance():
    pairs = {")": "(", "]": "[", "}": "{", "⟩": "⟨"}
    for path in lean_files() + [GOLDEN / "Tiny.lean"]:
        stack = []
        for ch in strip_comments(path.read_text()):
            if ch in "([{⟨":
                stack.append(ch)
            elif ch in pairs:
                assert stack and stack.pop() == pairs[ch], path
        assert not stack, path


def test_core_library_is_prelude_only_and_documented():
    allowed = {"Init.Prelude", "Init.Coe", "Init.Notation", "Init.Tactics"}
    for path in sorted(LEAN.glob("PyVerify/*.lean")) + [LEAN / "PyVerify.lean"]:
        text = path.read_text()
        assert text.startswith("prelude\n"), path
        for module in re.findall(r"^import\s+(\S+)", text, flags=re.MULTILINE):
            assert module in allowed or module.startswith("PyVerify."), (path, module)
        # every public definition carries a docstring, and is noncomputable: the compiler never runs
        # the checkers (they use recursors), only the kernel does
        for match in re.finditer(DEF + r"(\S+)", text, flags=re.MULTILINE):
            before = text[: match.start()].rstrip()
            assert before.endswith("-/"), (path, match.group(2))
            if match.group(1) == "def":
                assert match.group(0).startswith("noncomputable "), (path, match.group(2))


def defined_names() -> set[str]:
    names = set()
    for path in sorted(LEAN.glob("PyVerify/*.lean")):
        text = path.read_text()
        namespaces = re.findall(r"^namespace\s+(\S+)", text, flags=re.MULTILINE)
        for kind, name in re.findall(r"^(?:noncomputable )?(def|structure)\s+([A-Za-z_][\w.]*)", text,
                                     flags=re.MULTILINE):
            names.add(name)
            for ns in namespaces:
                names.add(f"{ns}.{name}".replace("PyVerify.", ""))
        for field in re.findall(r"^  ([a-zA-Z]\w*) :", text, flags=re.MULTILINE):
            names.add(field)
    return names


def documented_core_api() -> set[str]:
    return set(re.findall(r"`([A-Za-z][\w.]*)`", (LEAN / "README.md").read_text()))


def referenced_names(text: str) -> set[str]:
    code = re.sub(r"^import .*$", "", strip_comments(text), flags=re.MULTILINE)
    code = re.sub(r"0x[0-9a-f]+", " ", code)
    return {t for t in re.findall(r"[A-Za-z_][\w.']*", code) if t not in KEYWORDS and not t[0].isdigit()}


def test_every_referenced_name_is_defined_or_documented():
    known = defined_names() | documented_core_api()
    for path in lean_files() + [GOLDEN / "Tiny.lean"]:
        own = set(re.findall(r"^(?:noncomputable )?(?:def|theorem|structure)\s+(\S+)", path.read_text(),
                             flags=re.MULTILINE))
        code = strip_comments(path.read_text())
        locals_ = set(re.findall(r"\b(?:let|have)\s+([a-zA-Z]\w*)", code))
        for binders in re.findall(r"(?:\bfun\b|\|)([^=|]*?)=>", code):  # fun a b =>, | List.cons x xs, _ =>
            locals_ |= set(re.findall(r"[A-Za-z_]\w*", binders))
        params = set()
        for group in re.findall(r"[({]([A-Za-z][\w ]*?) :", code):
            params |= set(group.split())
        for name in sorted(referenced_names(path.read_text())):
            base = name.split(".")[0]
            if name in known or base in known or name in own or base in locals_ or base in params:
                continue
            if name.startswith(("PyVerify.Generated", "Generated.", "PyVerify")):
                continue
            raise AssertionError(f"{path.name}: {name} is neither defined in lean/ nor listed in lean/README.md")


def run_cli(capsys, *args):
    """(exit status, stdout, stderr) of `pyverify ARGS`, run in this process."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return subprocess.CompletedProcess(args, code, out, err)


def test_check_without_toolchain_says_so(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on PATH: certainly no lake and no lean
    monkeypatch.delenv("PYVERIFY_LEAN", raising=False)
    r = run_cli(capsys, "check", "--lean-dir", str(LEAN))
    assert r.returncode == 3
    assert "no Lean toolchain" in r.stderr and "verified" not in r.stdout


def test_parse_diagnostics_handles_both_formats():
    text = "error: ./Generated/A.lean:3:4: unknown identifier 'x'\nGenerated/B.lean:5:0: error: type mismatch\n"
    d = parse_diagnostics(text)
    assert [(x.path, x.line, x.message) for x in d] == [
        ("Generated/A.lean", 3, "unknown identifier 'x'"), ("Generated/B.lean", 5, "type mismatch")]


def test_export_cli_and_bad_names(tmp_path, capsys):
    lean = tmp_path / "lean"
    shutil.copytree(LEAN, lean, ignore=shutil.ignore_patterns(".lake", "Generated", "Generated.lean"))
    from pyverify.model.checkpoint import save_checkpoint
    model_path = save_checkpoint(tiny_model(), tmp_path / "tiny.safetensors")
    r = run_cli(capsys, "export", str(model_path), "--strategy", "brute-force", "--name", "Tiny", "--lean-dir", str(lean))
    assert r.returncode == 0, r.stderr
    assert "N_exact =" in r.stdout and (lean / "Generated" / "Tiny.lean").exists()
    assert "import Generated.Tiny" in (lean / "Generated.lean").read_text()
    r = run_cli(capsys, "export", str(model_path), "--name", "not-valid", "--lean-dir", str(lean))
    assert r.returncode == 2 and "UpperCamelCase" in r.stderr
    r = run_cli(capsys, "export", str(model_path), "--strategy", "subcubic:exact-eqke", "--name", "TinySubcubic",
                "--lean-dir", str(lean))
    assert r.returncode == 0, r.stderr
    text = (lean / "Generated" / "TinySubcubic.lean").read_text()
    assert "checkSubcubic weights scale hints = " in text and "import Generated.TinySubcubic" in \
        (lean / "Generated.lean").read_text()
    for strategy, message in (("subcubic:nonsense", "subcubic config"), ("quartic", "unknown strategy")):
        r = run_cli(capsys, "export", str(model_path), "--strategy", strategy, "--name", "Bad", "--lean-dir", str(lean))
        assert r.returncode == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
        assert not (lean / "Generated" / "Bad.lean").exists()
    r = run_cli(capsys, "compare", str(model_path), "--lean-dir", str(lean), "--no-lake", "--no-coq")
    assert r.returncode == 0 and "Generated/Tiny.lean" in r.stdout
    assert re.search(r"subcubic:exact-eqke [^\n]*\n\s*Lean: Generated/TinySubcubic.lean: not checked", r.stdout)
    assert re.search(r"subcubic:default [^\n]*\n\s*Lean: not exported", r.stdout)


DECLARATION = re.compile(r"(@\[|(private |protected |noncomputable |partial |unsafe )*(def|theorem|lemma|abbrev|"
                         r"structure|inductive|class|instance|opaque|axiom)\b"
                         r"|[A-Za-z_][\w']* :|\| )")  # or a structure field, or a constructor


def doc_comment_misplacements(text: str) -> list[str]:
    """Every doc comment (/-- ... -/) not directly followed by a declaration: Lean then fails to
    parse (a `set_option ... in` must come before the doc comment, not after it)."""
    bad = []
    for match in re.finditer(r"/--.*?-/", text, flags=re.DOTALL):
        following = text[match.end():].lstrip()
        if not DECLARATION.match(following):
            line = text[: match.start()].count("\n") + 1
            bad.append(f"line {line}: doc comment followed by {following[:30]!r}")
    return bad


def test_doc_comments_directly_precede_declarations():
    for path in lean_files() + [GOLDEN / "Tiny.lean"]:
        assert doc_comment_misplacements(path.read_text()) == [], path
    for strategy in ("brute-force", "cubic"):
        text = tiny_text(strategy)
        assert doc_comment_misplacements(text) == [], strategy
        theorems = len(re.findall(r"^theorem ", text, flags=re.MULTILINE))
        assert text.count("set_option maxHeartbeats 0 in\n/--") == theorems


def test_misplaced_doc_comment_is_detected():
    """The check itself catches the error Lean 4.35.0 reported (issue 7, section 6)."""
    bad = "/-- The certificate. -/\nset_option maxHeartbeats 0 in\ntheorem t : True := trivial\n"
    good = "set_option maxHeartbeats 0 in\n/-- The certificate. -/\ntheorem t : True := trivial\n"
    assert doc_comment_misplacements(bad) and not doc_comment_misplacements(good)


def python_names() -> set[str]:
    """Functions, classes and constants defined in the pyverify package."""
    names = set()
    for path in (ROOT / "pyverify").rglob("*.py"):
        text = path.read_text()
        names |= set(re.findall(r"^\s*(?:def|class) (\w+)", text, flags=re.MULTILINE))
        names |= set(re.findall(r"^([A-Za-z_]\w*)\s*[:=]", text, flags=re.MULTILINE))  # module-level names
    return names


def python_name_exists(name: str, ours: set[str]) -> bool:
    if name in ours:
        return True
    module, _, attr = name.rpartition(".")
    if module in ("operator", "math", "itertools", "functools", "bisect"):
        return hasattr(importlib.import_module(module), attr)
    if module and hasattr(builtins, module):  # a method of a builtin type, e.g. int.bit_length
        return hasattr(getattr(builtins, module), attr)
    return not module and hasattr(builtins, name)


def test_every_lean_definition_names_an_existing_python_twin():
    """Each Lean checker is a transcription: every definition's docstring ends with
    "(Python: `twin`)", and every Python name cited there exists (issue 8: twins drifted)."""
    ours = python_names()
    seen = 0
    for path in sorted(LEAN.glob("PyVerify/*.lean")):
        text = path.read_text()
        for m in re.finditer(r"/--((?:(?!-/).)*)-/\s*\n(?:noncomputable )?(?:def|structure) (\w+)", text, re.S):
            doc, name = m.groups()
            ref = re.search(r"\(Python: (.*)\)\.\s*$", doc, flags=re.S)
            assert ref, f"{path.name}: {name} does not name its Python twin"
            cited = [c for c in re.findall(r"`([^`]+)`", ref.group(1)) if re.fullmatch(r"[A-Za-z_][\w.]*", c)]
            assert cited, f"{path.name}: {name}"
            for c in cited:
                assert python_name_exists(c, ours), f"{path.name}: {name} cites `{c}`, which does not exist"
            seen += 1
    assert seen >= 85
