"""A built wheel works outside the checkout: `pyverify demo` and `pyverify export` create and
fill a complete Lake project from the package data alone (issue 8, section 2)."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from pyverify.model.checkpoint import save_checkpoint
from tests.lean_fixtures import tiny_model

ROOT = Path(__file__).resolve().parents[1]


def build_wheel(tmp: Path) -> Path:
    """Build from a copy of the sources, so the checkout is left untouched."""
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", ".lake", "*.egg-info", "*.vo*", "*.glob", ".*.aux",
                                    "Makefile.coq*", ".*.cache")
    for name in ("pyverify", "lean", "coq", "templates"):
        shutil.copytree(ROOT / name, src / name, ignore=ignore)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w",
                        str(tmp / "dist"), str(src)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    (wheel,) = (tmp / "dist").glob("pyverify-*.whl")
    return wheel


def run_installed(target: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """Run `python -m pyverify ARGS` on the installed wheel only: -S skips site-packages' .pth
    files (where an editable install of this checkout would hook in), and PYTHONPATH puts the
    wheel's files first, then the site-packages that hold torch and the other dependencies."""
    path = os.pathsep.join([str(target)] + site.getsitepackages())
    env = {**os.environ, "PYTHONPATH": path, "OMP_NUM_THREADS": "1"}  # one core: the other runs the other worker
    return subprocess.run([sys.executable, "-S", "-m", "pyverify", *args], cwd=cwd, env=env,
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The wheel, built from a copy of the sources and installed into its own folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    wheel = build_wheel(tmp)
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("pyverify/templates/model_module.lean.j2", "pyverify/lean_project/lakefile.toml",
                     "pyverify/lean_project/lean-toolchain", "pyverify/lean_project/PyVerify.lean",
                     "pyverify/lean_project/PyVerify/Cubic.lean", "pyverify/templates/model_module.v.j2",
                     "pyverify/coq_project/_CoqProject", "pyverify/coq_project/Makefile",
                     "pyverify/coq_project/theories/Soundness.v", "pyverify/coq_project/theories/BruteBig.v",
                     "pyverify/coq_project/theories/Shapes.v", "pyverify/py.typed"):
        assert required in names, required
    assert not any("Generated" in n for n in names)  # certificates are not package data
    target = tmp / "installed"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target), str(wheel)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return target


def test_installed_wheel_is_what_runs(installed, tmp_path):
    r = run_installed(installed, tmp_path, "--version")
    assert r.returncode == 0, r.stderr
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed)] + site.getsitepackages())}
    r = subprocess.run([sys.executable, "-S", "-c", "import pyverify; print(pyverify.__file__)"], cwd=tmp_path,
                       env=env, capture_output=True, text=True)
    assert r.stdout.strip().startswith(str(installed)), r.stdout + r.stderr  # the wheel, not the checkout


def test_demo_from_the_wheel_creates_a_lake_project(installed, tmp_path):
    r = run_installed(installed, tmp_path, "demo", "--out", "demo", "--steps", "300", "--quiet")
    assert r.returncode == 0, r.stderr
    project = tmp_path / "demo" / "lean"
    for name in ("lakefile.toml", "lean-toolchain", "PyVerify.lean", "PyVerify/Cubic.lean", "Generated/Seed123.lean"):
        assert (project / name).is_file(), name
    assert "import Generated.Seed123" in (project / "Generated.lean").read_text()
    for core in ("lakefile.toml", "lean-toolchain", "PyVerify/Exp.lean"):
        assert (project / core).read_bytes() == (ROOT / "lean" / core).read_bytes(), core  # one source of truth


def test_export_from_the_wheel_creates_then_extends_a_project(installed, tmp_path):
    model = save_checkpoint(tiny_model(), tmp_path / "tiny.safetensors")
    for name in ("Again", "Second"):
        r = run_installed(installed, tmp_path, "export", str(model), "--strategy", "brute-force", "--name", name,
                          "--lean-dir", "fresh")
        assert r.returncode == 0, r.stderr
    project = tmp_path / "fresh"
    assert (project / "lakefile.toml").is_file() and (project / "PyVerify" / "Brute.lean").is_file()
    assert (project / "Generated" / "Again.lean").is_file()
    assert "import Generated.Again\nimport Generated.Second" in (project / "Generated.lean").read_text()
    (tmp_path / "occupied").mkdir()
    (tmp_path / "occupied" / "notes.txt").write_text("mine")
    r = run_installed(installed, tmp_path, "export", str(model), "--name", "X", "--lean-dir", "occupied")
    assert r.returncode == 2 and "not a pyverify Lean project" in r.stderr  # never writes into a foreign folder


def test_coq_export_from_the_wheel_creates_a_coq_project(installed, tmp_path):
    model = save_checkpoint(tiny_model(), tmp_path / "tiny.safetensors")
    r = run_installed(installed, tmp_path, "export", str(model), "--strategy", "brute-force", "--prover", "coq",
                      "--name", "Tiny", "--coq-dir", "fresh")
    assert r.returncode == 0, r.stderr
    project = tmp_path / "fresh"
    for name in ("Makefile", "_CoqProject", "theories/Soundness.v"):
        assert (project / name).read_bytes() == (ROOT / "coq" / name).read_bytes(), name  # one source of truth
    assert (project / "Generated" / "Tiny.v").read_bytes() == (ROOT / "coq" / "Generated" / "Tiny.v").read_bytes()
