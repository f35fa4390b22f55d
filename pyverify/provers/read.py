"""Reading a generated module back: its name, strategy, exact weights, hints, blocks and count.

`pyverify check` and `compare` trust nothing a module says about itself. They read the module's
data here, each text field by the closed grammar of pyverify.provers.grammar, and
pyverify.provers.verify re-renders the module from that data alone. The weights' digest is
computed from the decoded weights, never read from a comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pyverify.errors import PyVerifyError
from pyverify.exact.hints import SubcubicHints
from pyverify.exact.weights import ExactWeights
from pyverify.provers.grammar import (ModuleError, check_architecture_line, exact_text, known_strategy, stored_field,
                                    version_field)
from pyverify.numeric.registry import strategy
from pyverify.provers.pack import unpack_matrix
from pyverify.provers.split import is_split, stored_parts

LEAN_FIELDS = (("wE", "W_E"), ("wPos", "W_pos"), ("wQ", "W_Q"), ("wK", "W_K"), ("wV", "W_V"), ("wO", "W_O"),
               ("wU", "W_U"))


@dataclass(frozen=True)
class GeneratedModule:
    """What a generated module states: `checker(weights, scale[, hints]) = count` (Lean) or
    `count <= correct_count weights` (Coq), block by block for Lean."""

    name: str
    strategy: str  # as given to `pyverify export --strategy`
    version: str  # the pyverify version that wrote it
    weights: ExactWeights
    count: int
    blocks: list[tuple[int, int, int]]  # Lean: (lo, hi, count) per block theorem; Coq: []
    hints: SubcubicHints | None = None  # subcubic modules
    architecture: str = ""  # how the model's architecture was established (the docstring's line)


def _find(pattern: str, text: str, what: str, flags: int = 0) -> re.Match:
    m = re.search(pattern, text, flags)
    if m is None:
        raise ModuleError(f"cannot read {what}")
    return m


def check_shapes(w: ExactWeights) -> None:
    """Refuse weights whose matrices do not have the shapes their dimensions declare."""
    V, n, d, h = w.d_vocab, w.n_ctx, w.d_model, w.d_head
    if min(V, n, d, h) < 1:
        raise ModuleError(f"the weights' dimensions must be positive (V={V}, n={n}, d_model={d}, d_head={h})")
    expected = {"W_E": (V, d), "W_pos": (n, d), "W_Q": (d, h), "W_K": (d, h), "W_V": (d, h), "W_O": (h, d),
                "W_U": (d, V)}
    for attr, (rows, cols) in expected.items():
        M = getattr(w, attr)
        if len(M) != rows or any(len(r) != cols for r in M):
            shape = f"{len(M)}x{len(M[0]) if M else 0}"
            raise ModuleError(f"the weights record is ill-formed: {attr} is {shape}, its dimensions say {rows}x{cols}")


def _lean_matrix(term: str, what: str) -> list[list[int]]:
    if term == "List.nil":
        return []
    m = _find(r"^decodeMatrix ([0-9]+) ([0-9]+) ([0-9]+) 0x([0-9a-f]+)$", term, what)
    return unpack_matrix(int(m[1]), int(m[2]), int(m[3]), int(m[4], 16))


def _lean_vector(term: str, what: str) -> list[int]:
    if term == "List.nil":
        return []
    m = _find(r"^headD \((decodeMatrix 1 [0-9]+ [0-9]+ 0x[0-9a-f]+)\) List\.nil$", term, what)
    return _lean_matrix(m[1], what)[0]


def _lean_hints(text: str, V: int, n: int) -> SubcubicHints:
    """The hints of a generated Lean subcubic module (as `render_hints` writes them), the gaps of
    max token m unpacked into its (m + 1) n digits."""
    body = _find(r"noncomputable def hints : SubcubicHints :=\n  \{ (.*?) \}\n", text, "the hints", re.S)[1]
    fields = {}
    for m in re.finditer(r"(?:^|\n    )(\w+) := ((?:(?!\n    \w+ := ).)*)", body, re.S):
        fields[m[1]] = " ".join(m[2].split())
    names = ("eupu", "mu", "dropQuery", "gapBits", "gaps", "mainExact", "mainQ", "mainK", "den", "errBound")
    if tuple(fields) != names:
        raise ModuleError("cannot read the hints (unexpected fields)")

    def number(field: str) -> int:
        return int(_find(r"^([0-9]+)$", fields[field], f"the hint {field}")[1])

    def boolean(field: str) -> bool:
        return _find(r"^(true|false)$", fields[field], f"the hint {field}")[1] == "true"

    bits = number("gapBits")
    packed = [int(g, 16) for g in re.findall(r"List\.cons 0x([0-9a-f]+)", fields["gaps"])]
    gaps = [[(row >> (bits * i)) & ((1 << bits) - 1) for i in range((m + 1) * n)] for m, row in enumerate(packed)]
    return SubcubicHints(number("eupu"), _lean_vector(fields["mu"], "the hint mu"), boolean("dropQuery"), gaps,
                         boolean("mainExact"), _lean_matrix(fields["mainQ"], "the hint mainQ"),
                         _lean_matrix(fields["mainK"], "the hint mainK"), number("den"),
                         _lean_vector(fields["errBound"], "the hint errBound"))


def read_lean_module(path: str | Path) -> GeneratedModule:
    """The data of a generated Lean module, single-file or split (raises ModuleError if it is
    not in pyverify's form)."""
    path = Path(path)
    text = exact_text(path)
    if is_split(path):
        try:
            text = "".join(part for _, part in stored_parts(path))
        except PyVerifyError as e:  # a part is missing
            raise ModuleError(str(e)) from None
    name = _find(r"^namespace PyVerify\.Generated\.([A-Z][A-Za-z0-9]*)$", text, "the module's namespace",
                 re.M | re.A)[1]
    head = _find(r"Generated by pyverify (\S+) \(`pyverify export --strategy (\S+)`\)", text, "the header")
    known_strategy(head[2])
    version = version_field(head[1])
    dims = {k: int(_find(rf"^(?:  \{{ |    ){k} := ([0-9]+)$", text, f"the weights' {k}", re.M)[1])
            for k in ("dVocab", "nCtx", "dModel", "dHead", "S")}
    matrices = {}
    for field, attr in LEAN_FIELDS:
        m = _find(rf"^    {field} := decodeMatrix ([0-9]+) ([0-9]+) ([0-9]+)\n      0x([0-9a-f]+)", text, f"the weights' {field}",
                  re.M)
        matrices[attr] = unpack_matrix(int(m[1]), int(m[2]), int(m[3]), int(m[4], 16))
    stored = stored_field(_find(r"zero biases, stored as ([\w+]+);", text, "the stored format")[1])
    w = ExactWeights(dims["dVocab"], dims["nCtx"], dims["dModel"], dims["dHead"], dims["S"], **matrices,
                     stored_dtype=stored)
    check_shapes(w)
    blocks = [(int(lo), int(hi), int(c)) for lo, hi, c in
              re.findall(r"^theorem \w+_block_[0-9]+ : \w+ weights scale (?:hints )?([0-9]+) ([0-9]+) = ([0-9]+) :=", text, re.M)]
    count = int(_find(r"^theorem \w+_certified : \w+ weights scale (?:hints )?= ([0-9]+) :=$", text,
                      "the final theorem", re.M)[1])
    hints = _lean_hints(text, w.d_vocab, w.n_ctx) if "def hints : SubcubicHints" in text else None
    architecture = check_architecture_line(_find(r"^Architecture: (.*)\.$", text, "the architecture line", re.M)[1])
    return GeneratedModule(name, head[2], version, w, count, blocks, hints, architecture)


def _coq_integer(text: str) -> int:
    """One integer as coq_list writes it: digits, a negative one in parentheses."""
    m = re.fullmatch(r" ?([0-9]+|\(-[0-9]+\))", text)
    if m is None:
        raise ModuleError(f"cannot read the integer {text[:40]!r}")
    return int(m[1].strip("()"))


def _coq_integers(body: str) -> list[int]:
    return [_coq_integer(v) for v in body.split(";")] if body else []


def _coq_rows(body: str) -> list[list[int]]:
    """A list of integer lists as coq_matrix writes it: [[..];[..]]."""
    return [_coq_integers(r) for r in re.findall(r"\[([^\]]*)\]", body)]


def _coq_hints(text: str) -> SubcubicHints:
    """The hints record of a generated Coq subcubic module (as `coq_hints_record` writes it)."""
    body = _find(r"^Definition hints : Subcubic\.hints := \{\| (.*?) \|\}\.$", text, "the hints", re.S | re.M)[1]

    def field(name: str, pattern: str) -> str:
        return _find(rf"(?:^|\n\s*){name} := {pattern}(?:;|$)", body, f"the hints' {name}")[1]

    rows = re.findall(r"\[([^\]]*)\]%nat", field("gaps", r"\[\n((?:\s*\[[^\]]*\]%nat;?\n?)*)\]"))
    return SubcubicHints(int(field("eupu", r"([0-9]+)%nat")), _coq_integers(field("mu", r"\[([^\]]*)\]")),
                            field("drop_query", r"(true|false)") == "true", [_coq_integers(r) for r in rows],
                            field("main_exact", r"(true|false)") == "true",
                            _coq_rows(field("main_q", r"\[((?:\[[^\]]*\];?)*)\]")),
                            _coq_rows(field("main_k", r"\[((?:\[[^\]]*\];?)*)\]")), int(field("den", r"(-?[0-9]+)")),
                            _coq_integers(field("err_bound", r"\[([^\]]*)\]")))


def read_coq_module(path: str | Path) -> GeneratedModule:
    """The data of a generated Coq module (raises ModuleError if it is not in pyverify's form)."""
    text = exact_text(path)
    name = _find(r"^\(\*\* \* ([A-Z][A-Za-z0-9]*): an accuracy theorem", text, "the module's title", re.A)[1]
    head = _find(r"Generated by pyverify (\S+) \(\[pyverify export --strategy (\S+) --prover coq\]\)", text,
                 "the header")
    known_strategy(head[2])
    version = version_field(head[1])
    dims = _find(r"^  d_vocab := ([0-9]+); n_ctx := ([0-9]+); d_model := ([0-9]+); d_head := ([0-9]+); S := ([0-9]+);$", text,
                 "the weights' dimensions", re.M)
    matrices = {}
    for _, attr in LEAN_FIELDS:
        body = _find(rf"^  {attr} := \[\n((?:    \[[^\]\n]*\];\n)*    \[[^\]\n]*\])\](?:;| \|\}}\.)$", text,
                     f"the weights' {attr}", re.M)[1]
        rows = re.findall(r"^    \[([^\]\n]*)\];?$", body, re.M)
        matrices[attr] = [_coq_integers(row) for row in rows]
    stored = stored_field(_find(r"zero biases, stored as ([\w+]+);", text, "the stored format")[1])
    w = ExactWeights(*(int(g) for g in dims.groups()), **matrices, stored_dtype=stored)
    check_shapes(w)
    count = int(_find(r"^Theorem accuracy_lower_bound : well_formed weights /\\ \(([0-9]+) <=", text, "the theorem",
                      re.M)[1])
    architecture = check_architecture_line(_find(r"^    Architecture: (.*)\.$", text, "the architecture line",
                                                 re.M)[1])
    hints = _coq_hints(text) if strategy(head[2]).facts.configurable else None
    return GeneratedModule(name, head[2], version, w, count, [], hints, architecture)
