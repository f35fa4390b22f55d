"""The closed grammar of the text fields a generated module carries.

`pyverify check` re-renders a module from the data it reads and compiles only that rendering;
a text field (the version, the strategy, the stored format) reaches the rendering verbatim, so
each is accepted only if it is one of the few strings pyverify itself writes. Numbers and packed
matrices are read as digits and re-rendered from their values; names match `[A-Z][A-Za-z0-9]*`.
The renderers refuse a field outside this grammar too, so no caller can put text into a module.
"""

from __future__ import annotations

import re
from pathlib import Path

from pyverify.errors import PyVerifyError
from pyverify.model.transformer import ARCHITECTURE, ARCHITECTURE_SOURCES
from pyverify.numeric.registry import ALL
from pyverify.numeric.strategies.subcubic import SubcubicConfig

VERSION = re.compile(r"[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}", re.ASCII)
STORED_FORMATS = ("bfloat16", "float16", "float32", "float64")  # sorted, as model_from_state_dict joins them


class ModuleError(PyVerifyError):
    """A generated module that pyverify cannot read, or that is not what pyverify writes."""


def exact_text(path: Path) -> str:
    """A module file's text exactly as stored: no newline translation (a carriage return is a
    byte pyverify never writes), strict UTF-8 (ModuleError otherwise)."""
    try:
        return Path(path).read_bytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise ModuleError(f"{Path(path).name} is not UTF-8 text ({e.reason} at byte {e.start})") from None


def known_strategy(name: str) -> None:
    """Refuse a strategy name that is not, letter for letter, one the registry names."""
    names = {*ALL, "subcubic", *(f"subcubic:{c.name}" for c in SubcubicConfig.all())}
    if name not in names:
        raise ModuleError(f"its strategy {name[:80]!r} is not one pyverify exports")


def version_field(text: str) -> str:
    """The pyverify version a module names, if it is a plain version (MAJOR.MINOR.PATCH)."""
    if not VERSION.fullmatch(text):
        raise ModuleError(f"its version {text[:80]!r} is not a pyverify version (MAJOR.MINOR.PATCH)")
    return text


def stored_field(text: str) -> str:
    """The stored format(s) of the weights, if they are what pyverify writes ("float32",
    "bfloat16+float32", ...)."""
    formats = text.split("+")
    if not formats or any(f not in STORED_FORMATS for f in formats) or formats != sorted(set(formats)):
        raise ModuleError(f"its stored format {text[:80]!r} is not one pyverify writes")
    return text


def check_architecture_line(line: str) -> str:
    """The architecture line, if it is one pyverify writes (ARCHITECTURE and a known source)."""
    if line not in {f"{ARCHITECTURE}; {source}" for source in ARCHITECTURE_SOURCES.values()}:
        raise ModuleError("its architecture line is not one pyverify writes")
    return line


def rendered_fields(name: str, strategy: str, version: str, stored: str, architecture: str) -> None:
    """Refuse to render a module whose text fields are outside the grammar (ModuleError)."""
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name, re.ASCII):
        raise ModuleError(f"the module name {name[:80]!r} is not an UpperCamelCase identifier (letters and digits)")
    known_strategy(strategy)
    version_field(version)
    stored_field(stored)
    check_architecture_line(architecture)


# What the code of a rendered module (outside its comments) may contain: each unindented line
# starts one of these commands, and no line holds a word that changes how Lean or Coq checks a
# proof. The renderers refuse a text that breaks this (and a test holds every template to it),
# a second wall behind the closed grammar of the fields.
LEAN_COMMANDS = ("import PyVerify", "import Generated.", "namespace PyVerify.Generated.", "end PyVerify.Generated.",
                 "open PyVerify", "noncomputable def ", "theorem ", "set_option maxHeartbeats 0 in")
LEAN_FORBIDDEN = re.compile(r"set_option(?! maxHeartbeats 0 in$)|\bmacro|\bsyntax|\belab|#|\bopen\b(?! PyVerify$)|"
                            r"\battribute|@\[|\bnotation|\binfix|\binstance|\bunsafe|\bnative_decide|\bimplemented_by|"
                            r"\bextern|\bsorry|\bnoncomputable section|\baxiom|\bopaque|\bpartial|\bunif_hint|"
                            r"\brun_|\bderiving|\bscoped|\blocal\b|\bexport\b|\bprivate|[\"«»$`\\]", re.M)
COQ_COMMANDS = ("From Coq Require Import ", "From PyVerify Require Import ", "Import ListNotations.",
                "Local Open Scope Z_scope.", "Definition ", "Theorem ", "Proof.", "Qed.")
COQ_FORBIDDEN = re.compile(r"\b(?:Axiom|Axioms|Parameter|Parameters|Conjecture|Hypothesis|Variable|Admitted|admit|"
                           r"Unset|Set|Declare|Extract|Extraction|native_compute|Ltac|Global|Hint|Instance|Fixpoint|"
                           r"CoFixpoint|Inductive|Module|Section|Abort|Print|Opaque|Transparent|Arguments|Notation|"
                           r"Canonical|Coercion|Load|Drop|Time|Fail|Succeed)\b|[\"`]")


def _strip_comments(text: str, opener: str, closer: str, line_comment: str | None) -> str:
    """The text with its (nested) block comments and its line comments removed, line breaks
    kept; a comment left open at the end removes the rest."""
    marks = [opener, closer] + ([line_comment] if line_comment else [])
    tokens = re.compile("|".join(re.escape(m) for m in marks) + "|\n")
    out, depth, at, in_line = [], 0, 0, False
    for m in tokens.finditer(text):
        token = m[0]
        if in_line or depth:
            if token == "\n":
                out.append("\n")
                in_line = False
            elif depth:
                depth += {opener: 1, closer: -1}.get(token, 0)
            at = m.end()
        elif token in (opener, line_comment):  # code up to here; a comment starts
            out.append(text[at:m.start()])
            depth, in_line, at = int(token == opener), token == line_comment, m.end()
    if not depth and not in_line:
        out.append(text[at:])
    return "".join(out)


def code_violations(text: str, prover: str) -> list[str]:
    """The lines of a rendered Lean or Coq module whose code (comments removed) starts no
    allowed command or holds a forbidden word; [] for what pyverify's templates write."""
    if prover == "lean":
        code, commands, forbidden = _strip_comments(text, "/-", "-/", "--"), LEAN_COMMANDS, LEAN_FORBIDDEN
    else:
        code, commands, forbidden = _strip_comments(text, "(*", "*)", None), COQ_COMMANDS, COQ_FORBIDDEN
    found = []
    for k, line in enumerate(code.splitlines(), 1):
        stripped = line.rstrip()
        if stripped and not stripped[0].isspace() and not stripped.startswith(commands):
            found.append(f"line {k}: {stripped[:60]!r} starts no command pyverify writes")
        elif forbidden.search(stripped.strip()):
            found.append(f"line {k}: {stripped.strip()[:60]!r} holds {forbidden.search(stripped.strip())[0]!r}")
    return found


def checked_code(text: str, prover: str) -> str:
    """The rendered text, if its code is only what pyverify's templates write (code_violations)."""
    found = code_violations(text, prover)
    if found:
        raise ModuleError(f"refusing to write a {prover.capitalize()} module whose code is not pyverify's: {found[0]}")
    return text
