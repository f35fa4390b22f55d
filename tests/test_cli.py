"""The command line, in-process through pyverify.cli.main, plus one real run of the installed
console script."""

import csv
import json
import shutil
import subprocess

import pytest

from pyverify.cli import main


def run(capsys, *args):
    """(exit status, stdout, stderr) of `pyverify ARGS`, run in this process."""
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_console_script_runs(tmp_path, capsys):
    """The one subprocess test: the installed `pyverify` entry point trains a model."""
    exe = shutil.which("pyverify")
    assert exe, "the pyverify console script is not installed"
    out = tmp_path / "tiny.safetensors"
    r = subprocess.run([exe, "train", "--k", "2", "--d-vocab", "4", "--steps", "20", "--out", str(out), "--quiet",
                        "--json"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["path"] == str(out)
    code, stdout, _ = run(capsys, "accuracy", out, "--json", "--quiet")
    assert code == 0 and json.loads(stdout)["total"] == 16


def test_train_then_accuracy_end_to_end(tmp_path, capsys):
    out = tmp_path / "tiny.safetensors"
    code, _, err = run(capsys, "train", "--k", "3", "--d-vocab", "6", "--d-model", "8", "--d-head", "8",
                       "--steps", "100", "--seed", "4", "--out", out, "--quiet")
    assert code == 0, err
    assert out.exists() and (tmp_path / "tiny.json").exists()
    code, stdout, err = run(capsys, "accuracy", out, "--json", "--quiet")
    assert code == 0, err
    data = json.loads(stdout)
    assert data["total"] == 6**3 and 0 <= data["correct"] <= 216
    assert data["accuracy"] == data["correct"] / 216 and data["uncertain"] == 0


@pytest.mark.parametrize("content,needle", [
    (None, "no such file"),
    (b"garbage", "not a readable safetensors"),
])
def test_bad_model_file_prints_one_line(tmp_path, capsys, content, needle):
    path = tmp_path / "m.safetensors"
    if content is not None:
        path.write_bytes(content)
    code, _, err = run(capsys, "accuracy", path)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0] and "Traceback" not in err


def test_unwritable_output_prints_one_line(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(capsys, "train", "--k", "2", "--d-vocab", "4", "--steps", "1",
                       "--out", blocker / "sub" / "m", "--quiet")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_bad_config_prints_one_line(tmp_path, capsys):
    code, _, err = run(capsys, "train", "--k", "1", "--out", tmp_path / "m", "--quiet")
    assert code == 2 and "n_ctx" in err and "Traceback" not in err


def test_bound_and_sweep_end_to_end(tmp_path, capsys):
    out = tmp_path / "sweep"
    code, _, err = run(capsys, "sweep", "--k", "3", "--d-vocab", "8", "--d-model", "8", "--d-head", "8",
                       "--steps", "100", "--seeds", "2", "--strategy", "all", "--out", out, "--quiet")
    assert code == 0, err
    for name in ("results.csv", "summary.md", "summary.json", "bound_vs_flops.png"):
        assert (out / name).stat().st_size > 0, name
    rows = list(csv.DictReader((out / "results.csv").read_text().splitlines()))
    assert len(rows) == 2 * 6  # 2 seeds x (brute force, cubic, 4 presets)
    for r in rows:  # every strategy is certified on these small zero-bias models, never above float64
        assert r["certified_count"] != "" and int(r["certified_count"]) <= int(r["count"]), r
    assert "certified / accuracy" in (out / "summary.md").read_text()
    model = out / "models" / "seed0.safetensors"
    code, stdout, err = run(capsys, "bound", model, "--strategy", "all", "--json")
    assert code == 0, err
    results = {d["strategy"]: d for d in json.loads(stdout)}
    accuracy = results["brute-force"]["bound"]
    assert all(d["bound"] <= accuracy for d in results.values())
    code, stdout, _ = run(capsys, "bound", model, "--strategy", "cubic")
    assert code == 0 and "cubic" in stdout and "uncertain" in stdout


def test_bound_rejects_unknown_strategy(tmp_path, capsys):
    out = tmp_path / "m.safetensors"
    assert run(capsys, "train", "--k", "2", "--d-vocab", "4", "--steps", "5", "--out", out, "--quiet")[0] == 0
    code, _, err = run(capsys, "bound", out, "--strategy", "quartic")
    assert code == 2 and "unknown strategy" in err and "Traceback" not in err
