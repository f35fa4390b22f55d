"""A generated Lean module split into files that compile on their own, for parallel builds.

    Generated/NAME/Weights.lean   the header, weights, scale (and hints)
    Generated/NAME/Block{i}.lean  block theorem i (imports Weights)
    Generated/NAME.lean           the partition, the sum and the final theorem (imports every block)

Every part is a slice of the single-file module, wrapped in its own `namespace ... end` and
imports, so the declarations, their names and the final theorem are exactly the single file's:
`pyverify export --split` writes these parts, Lake builds the blocks in parallel, and
`pyverify check --workers N` compiles them through Dask. A split module is accepted only if every
part is byte for byte the split of what pyverify renders (`pyverify.provers.read`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pyverify.errors import PyVerifyError
from pyverify.provers.grammar import exact_text

BLOCK_START = "set_option maxHeartbeats 0 in\n/-- Block "
FINAL_START = "set_option maxHeartbeats 0 in\n/-- The checker's own partition"


@dataclass(frozen=True)
class Part:
    """One file of a split module. relative: its path in the Lean project; imports: the parts
    it needs first (their relative paths); first_line: where its slice starts in the single
    file (1-based) and prefix_lines: the lines the part adds before the slice, to map a
    diagnostic back to the single file."""

    relative: str
    text: str
    imports: tuple[str, ...]
    first_line: int
    prefix_lines: int

    def single_file_line(self, line: int) -> int:
        """The single file's line for this part's `line` (0 if the line is one the part adds)."""
        return self.first_line + line - 1 - self.prefix_lines if line > self.prefix_lines else 0


def split_module(name: str, text: str) -> list[Part]:
    """The parts of the single-file module `text` (as render_module writes it), in build order:
    weights, blocks, final."""
    starts = []
    at = text.find(BLOCK_START)
    while at != -1:
        starts.append(at)
        at = text.find(BLOCK_START, at + 1)
    final = text.find(FINAL_START)
    if not starts or final < starts[-1]:
        raise PyVerifyError(f"{name} is not a module pyverify renders (no block theorems before its final part)")
    opening = f"namespace PyVerify.Generated.{name}\n\nopen PyVerify\n\n"
    closing = f"end PyVerify.Generated.{name}\n"

    def line_of(offset: int) -> int:
        return text.count("\n", 0, offset) + 1

    weights = f"Generated/{name}/Weights.lean"
    parts = [Part(weights, text[: starts[0]] + closing, (), 1, 0)]
    for i, (lo, hi) in enumerate(zip(starts, starts[1:] + [final])):
        prefix = f"import Generated.{name}.Weights\n\n" + opening
        parts.append(Part(f"Generated/{name}/Block{i}.lean", prefix + text[lo:hi] + closing, (weights,), line_of(lo),
                          prefix.count("\n")))
    blocks = tuple(p.relative for p in parts[1:])
    prefix = ("".join(f"import Generated.{name}.Block{i}\n" for i in range(len(blocks))) +
              f"\n/-! The final theorem of `{name}`; its weights and block theorems are in the modules it imports "
              "(`pyverify export --split`). -/\n\n" + opening)
    parts.append(Part(f"Generated/{name}.lean", prefix + text[final:], blocks, line_of(final), prefix.count("\n")))
    return parts


def split_folder(lean_dir: Path, name: str) -> Path:
    """Where the parts other than the final one live."""
    return Path(lean_dir) / "Generated" / name


def is_split(path: Path) -> bool:
    """Whether Generated/NAME.lean is the final part of a split module."""
    return exact_text(path).startswith(f"import Generated.{path.stem}.Block")


def stored_parts(path: Path) -> list[tuple[str, str]]:
    """The files of the split module whose final part is `path`, as (relative path, text), in
    build order; raises PyVerifyError if a part it imports is missing."""
    path = Path(path)
    name, lean_dir = path.stem, path.parent.parent
    final = exact_text(path)
    blocks = re.match(rf"(?:import Generated\.{name}\.Block\d+\n)*", final)[0].count("\n")
    relatives = [f"Generated/{name}/Weights.lean"] + [f"Generated/{name}/Block{i}.lean" for i in range(blocks)]
    files = []
    for relative in relatives:
        try:
            files.append((relative, exact_text(lean_dir / relative)))
        except OSError:
            raise PyVerifyError(f"{relative} is missing (a part of the split module {name})") from None
    return files + [(f"Generated/{name}.lean", final)]
