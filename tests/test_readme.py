"""The README's Python API blocks run as written (in a fresh folder), and what they print and
write is what the comments say."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def python_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## Python API\n"):text.index('## The model and what "correct" means')]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_the_readme_python_api_runs_as_written(tmp_path, monkeypatch, lean_compiler):
    if shutil.which("coqc") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("coqc is missing in CI")
        pytest.skip("coqc is not installed: the README example checks a Coq theorem")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYVERIFY_LEAN", lean_compiler)
    blocks = python_blocks()
    assert len(blocks) == 2 and len(blocks[1].strip().splitlines()) <= 15
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        for block in blocks:
            exec(compile(block, "README.md", "exec"), {})
    rows = [line.split("  |  ") for line in printed.getvalue().splitlines() if "  |  " in line]
    assert [r[0] for r in rows][:1] == ["cubic"]
    cubic = rows[0]
    assert "Generated/Max3.lean: verified by Lean" in cubic[3] and "Generated/Max3.v: verified by coqc" in cubic[4]
    assert int(cubic[2]) > 0 and (tmp_path / "lean" / "Generated" / "Max3.lean").exists()
