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
