"""Split modules (issue 22): `pyverify export --split` writes a weights module, one module per
block theorem and the final module; `pyverify check` compiles a split module in place, and with
`--workers N` compiles any module split, its blocks in parallel on Dask. The verdicts are the
single file's: the same count, the same failures at the single file's lines, the same refusals."""

from __future__ import annotations

import re

from pyverify.provers import lean as lake
from pyverify.provers import to_lean
from pyverify.provers.read import read_lean_module
from pyverify.provers.verify import verify_lean_module
from pyverify.provers.split import split_module
from tests.lean_fixtures import off_by_one_module, tiny_model
from tests.test_lean_compile import check, verified_counts
from tests.zoo import random_model


def test_the_split_is_the_single_file_cut_into_parts(tmp_path):
    model = tiny_model()
    single = to_lean(model, "Tiny", "brute-force", tmp_path / "single").path.read_text()
    to_lean(model, "Tiny", "brute-force", tmp_path / "split", split=True)
    folder = tmp_path / "split" / "Generated"
    parts = split_module("Tiny", single)
    assert [p.relative for p in parts] == ["Generated/Tiny/Weights.lean", "Generated/Tiny/Block0.lean",
                                           "Generated/Tiny.lean"]
    for part in parts:
        assert (tmp_path / "split" / part.relative).read_text() == part.text
    # every declaration of the single file is in exactly one part, word for word
    declarations = re.findall(r"^(?:noncomputable def|theorem) .*$", single, re.M)
    assert sorted(declarations) == sorted(d for p in parts for d in re.findall(r"^(?:noncomputable def|theorem) .*$",
                                                                             p.text, re.M))
    assert "theorem brute_force_certified : checkBrute weights scale = 10 :=" in parts[-1].text
    # read back as the single file's data; re-exporting writes the same bytes
    assert verify_lean_module(folder / "Tiny.lean") == verify_lean_module(tmp_path / "single" / "Generated" /
                                                                          "Tiny.lean")
    before = {p: p.read_bytes() for p in folder.rglob("*.lean")}
    to_lean(model, "Tiny", "brute-force", tmp_path / "split", split=True)
    assert {p: p.read_bytes() for p in folder.rglob("*.lean")} == before
    # exporting it again as one file removes the parts
    to_lean(model, "Tiny", "brute-force", tmp_path / "split")
    assert sorted(p.name for p in folder.rglob("*.lean")) == ["Tiny.lean"]
    assert (folder / "Tiny.lean").read_text() == single


def test_a_split_module_checks_in_place_and_on_workers(lean_compiler, tmp_path, capsys):
    lean_dir = tmp_path / "lean"
    to_lean(tiny_model(), "Tiny", "brute-force", lean_dir, split=True)
    for extra in ((), ("--workers", "2")):
        code, out = check(capsys, lean_dir, lean_compiler, *extra)
        assert code == 0 and verified_counts(out) == {"Tiny": 10}, out


def test_two_blocks_compile_in_parallel(lean_compiler, tmp_path, capsys, monkeypatch):
    """A brute-force module of two block theorems (V=22, n=2), stored as one file, checked with
    --workers 2: split on the fly (weights, two blocks, final), compiled by Dask on 2 workers,
    verified at Python's count; nothing of the check stays in the project."""
    lean_dir = tmp_path / "lean"
    result = to_lean(random_model(22, 2, seed=3, d=2, h=2), "Two", "brute-force", lean_dir)
    assert len(read_lean_module(result.path).blocks) == 2
    runs = []
    real_run_jobs = lake.run_jobs
    monkeypatch.setattr(lake, "run_jobs", lambda lean, jobs, env, timeout, workers, say: runs.append(
        ([job.relative for job in jobs], workers)) or real_run_jobs(lean, jobs, env, timeout, workers, say))
    code, out = check(capsys, lean_dir, lean_compiler, "--workers", "2")
    assert code == 0 and verified_counts(out) == {"Two": result.count}, out
    assert runs == [(["Generated/Two/Weights.lean", "Generated/Two/Block0.lean", "Generated/Two/Block1.lean",
                      "Generated/Two.lean"], 2)]
    assert list((lean_dir / ".lake" / "pyverify").iterdir()) == []


def test_a_failure_in_a_split_part_is_reported_at_the_single_files_line(lean_compiler, tmp_path, capsys):
    """N + 1 in pyverify's own form, compiled split (--workers 2): FAILED at the block theorem's
    line of the single file the user has."""
    _, line = off_by_one_module(tmp_path / "lean")
    code, out = check(capsys, tmp_path / "lean", lean_compiler, "--workers", "2")
    assert code == 1 and f"FAILED    Generated.Tiny.cubic_certified  Generated/Tiny.lean:{line}:" in out, out


def test_an_edited_or_missing_part_is_refused(lean_compiler, tmp_path, capsys):
    lean_dir = tmp_path / "lean"
    to_lean(tiny_model(), "Tiny", "brute-force", lean_dir, split=True)
    block = lean_dir / "Generated" / "Tiny" / "Block0.lean"
    honest = block.read_text()
    block.write_text(honest.replace(":= by decide +kernel", ":= by sorry"))
    code, out = check(capsys, lean_dir, lean_compiler)
    assert code == 1 and "Generated/Tiny/Block0.lean is not the part pyverify writes" in out and "verified" not in out
    block.unlink()
    code, out = check(capsys, lean_dir, lean_compiler)
    assert code == 1 and "Generated/Tiny/Block0.lean is missing" in out and "verified" not in out
