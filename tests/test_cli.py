import json
import subprocess
import sys

import pytest


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pyverify", *args], capture_output=True, text=True, cwd=cwd)


def test_train_then_accuracy_end_to_end(tmp_path):
    out = tmp_path / "tiny.safetensors"
    r = run("train", "--k", "3", "--d-vocab", "6", "--d-model", "8", "--d-head", "8", "--steps", "200",
            "--seed", "4", "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr
    assert out.exists() and (tmp_path / "tiny.json").exists()
    r = run("accuracy", str(out), "--json", "--quiet")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["total"] == 6**3 and 0 <= data["correct"] <= 216
    assert data["accuracy"] == data["correct"] / 216


@pytest.mark.parametrize("content,needle", [
    (None, "no such file"),
    (b"garbage", "not a readable safetensors"),
])
def test_bad_model_file_prints_one_line(tmp_path, content, needle):
    path = tmp_path / "m.safetensors"
    if content is not None:
        path.write_bytes(content)
    r = run("accuracy", str(path))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in r.stderr


def test_unwritable_output_prints_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = run("train", "--k", "2", "--d-vocab", "4", "--steps", "1", "--out", str(blocker / "sub" / "m"), "--quiet")
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_bad_config_prints_one_line(tmp_path):
    r = run("train", "--k", "1", "--out", str(tmp_path / "m"), "--quiet")
    assert r.returncode == 2 and "n_ctx" in r.stderr and "Traceback" not in r.stderr


def test_bound_and_sweep_end_to_end(tmp_path):
    out = tmp_path / "sweep"
    r = run("sweep", "--k", "3", "--d-vocab", "8", "--d-model", "8", "--d-head", "8", "--steps", "300",
            "--seeds", "2", "--strategy", "all", "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr
    for name in ("results.csv", "summary.md", "summary.json", "bound_vs_flops.png"):
        assert (out / name).stat().st_size > 0, name
    rows = (out / "results.csv").read_text().splitlines()
    assert len(rows) == 1 + 2 * 6  # header + 2 seeds x (brute force, cubic, 4 presets)
    model = out / "models" / "seed0.safetensors"
    r = run("bound", str(model), "--strategy", "all", "--json")
    assert r.returncode == 0, r.stderr
    results = {d["strategy"]: d for d in json.loads(r.stdout)}
    accuracy = results["brute-force"]["bound"]
    assert all(d["bound"] <= accuracy for d in results.values())
    r = run("bound", str(model), "--strategy", "cubic")
    assert r.returncode == 0 and "cubic" in r.stdout


def test_bound_rejects_unknown_strategy(tmp_path):
    out = tmp_path / "m.safetensors"
    assert run("train", "--k", "2", "--d-vocab", "4", "--steps", "5", "--out", str(out), "--quiet").returncode == 0
    r = run("bound", str(out), "--strategy", "quartic")
    assert r.returncode == 2 and "unknown strategy" in r.stderr and "Traceback" not in r.stderr
