"""`pyverify sweep` on Dask (issue 22): a 2-worker local cluster runs the seeds and the formal
checks, a re-run resumes (skips what finished, redoes what failed or is missing), a worker
killed mid-sweep loses nothing, and a failed seed is one line while the others finish."""

from __future__ import annotations

import csv
import json
import os
import signal
import threading
import time
from pathlib import Path

import psutil
import pytest

from pyverify.cli import main
from pyverify.model.config import ModelConfig
from pyverify.study.sweep import Sweep, run_sweep, sweep_names
from pyverify.numeric.strategies.subcubic import PRESETS, SubcubicConfig
from pyverify.study.report import GROUPS, PAPER_GROUPS, group_markdown, group_summary, paper_group, row_label
from pyverify.model.train import TrainConfig

TINY = ["--k", "2", "--d-vocab", "4", "--d-model", "4", "--d-head", "4", "--steps", "30"]


def sweep(capsys, out: Path, *extra: str) -> tuple[int, str]:
    code = main(["sweep", *TINY, "--out", str(out), "--quiet", *extra])
    return code, capsys.readouterr().out


def rows(out: Path, name: str) -> list[dict]:
    return list(csv.DictReader((out / name).read_text().splitlines()))


def test_a_dask_sweep_checks_every_certificate_and_resumes(lean_compiler, tmp_path, capsys, monkeypatch):
    """Two seeds, brute force and the default subcubic preset, Lean checks, on 2 local workers;
    then a resume with one more seed after losing a verdict and a seed record."""
    monkeypatch.setenv("PYVERIFY_LEAN", lean_compiler)
    out = tmp_path / "sweep"
    code, text = sweep(capsys, out, "--seeds", "2", "--strategy", "subcubic:default", "--checks", "lean",
                       "--workers", "2")
    assert code == 0, text
    results, checks = rows(out, "results.csv"), rows(out, "checks.csv")
    assert len(results) == 2 and len(checks) == 2  # one strategy, checked on each seed
    certified = {(r["seed"], r["strategy"]): r["certified_count"] for r in results}
    for c in checks:  # the kernel verified exactly the certified count of the same seed and strategy
        assert c["verified"] == "True" and c["count"] == certified[(c["seed"], row_label(c["strategy"]))], c
    assert "| 2 | 0 |" in (out / "summary.md").read_text()  # Lean ✓ on both seeds, no Coq asked
    assert "check lean subcubic:default" in (out / "costs.md").read_text()
    per_seed = (out / "seeds.md").read_text().splitlines()
    assert len(per_seed) == 2 + 2 and all("| default | – |" in line for line in per_seed[2:])
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "seeds").glob("*.json")}
    # resume: one more seed; a lost verdict and a lost seed record are redone, nothing else
    (out / "checks" / "lean" / "Seed0SubcubicDefault.json").unlink()
    (out / "seeds" / "seed1.json").unlink()
    code, text = sweep(capsys, out, "--seeds", "3", "--strategy", "subcubic:default", "--checks", "lean")
    assert code == 0, text
    assert (out / "seeds" / "seed0.json").stat().st_mtime_ns == stamps["seed0.json"]
    assert len(rows(out, "results.csv")) == 3 and len(rows(out, "checks.csv")) == 3
    assert json.loads((out / "checks" / "lean" / "Seed0SubcubicDefault.json").read_text())["verified"]


def test_a_worker_killed_mid_sweep_loses_nothing(tmp_path):
    """SIGKILL one of the two worker processes as soon as the first seed is recorded: Dask reruns
    its task elsewhere and every seed is recorded, none failed."""
    out = tmp_path / "sweep"
    plan = Sweep(out, ModelConfig(d_vocab=4, n_ctx=2, d_model=4, d_head=4), TrainConfig(steps=100),
                 sweep_names("cubic"), torch_threads=1)
    seeds = list(range(6))
    killed = []

    def kill_one_worker() -> None:
        deadline = time.time() + 120
        while time.time() < deadline and not any((out / "seeds").glob("seed*.json")):
            time.sleep(0.05)
        workers = [p for p in psutil.Process().children(recursive=True)  # Dask's worker processes
                   if any("spawn_main" in part for part in p.cmdline())]
        if workers:
            recorded = len(list((out / "seeds").glob("seed*.json")))
            os.kill(workers[0].pid, signal.SIGKILL)
            killed.append(recorded)

    watcher = threading.Thread(target=kill_one_worker)
    watcher.start()
    result = run_sweep(plan, seeds, workers=2, progress=False)
    watcher.join()
    assert killed and killed[0] < len(seeds), "the worker was not killed mid-sweep"
    assert result.failed == []
    assert sorted({int(r["seed"]) for r in result.rows}) == seeds


def test_a_failed_seed_is_one_line_and_the_others_finish(tmp_path, capsys):
    out = tmp_path / "sweep"
    (out / "models").mkdir(parents=True)
    (out / "models" / "seed1.safetensors").write_bytes(b"not a checkpoint")
    code, text = sweep(capsys, out, "--seeds", "3", "--strategy", "cubic")
    assert code == 1
    failed = [line for line in text.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and failed[0].startswith("FAILED  seed 1:") and "Traceback" not in text
    assert sorted({r["seed"] for r in rows(out, "results.csv")}) == ["0", "2"]


def test_a_sweep_refuses_another_sweeps_folder(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert sweep(capsys, out, "--seeds", "1", "--strategy", "cubic")[0] == 0
    code = main(["sweep", *TINY, "--lr", "0.01", "--out", str(out), "--quiet", "--seeds", "1", "--strategy", "cubic"])
    assert code == 2 and "different model, recipe or strategy list" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
    (["--workers", "-1"], "--workers must be"),
])
def test_bad_sweep_requests_are_one_line(tmp_path, capsys, args, message):
    code = main(["sweep", *TINY, "--out", str(tmp_path / "s"), "--quiet", "--seeds", "1", *args])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err


def test_a_sweep_on_an_existing_cluster(tmp_path, capsys):
    """--scheduler ADDRESS: the seeds run on a cluster pyverify did not start (and leaves running)."""
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        code, text = sweep(capsys, tmp_path / "sweep", "--seeds", "2", "--strategy", "cubic", "--scheduler",
                           cluster.scheduler_address)
        assert code == 0, text
        assert len(cluster.scheduler.workers) == 1
    assert sorted({r["seed"] for r in rows(tmp_path / "sweep", "results.csv")}) == ["0", "1"]


def test_a_swapped_model_or_an_edited_record_is_redone_not_reported(lean_compiler, tmp_path, capsys, monkeypatch):
    """Records are tied to the weights: after the model file of seed 0 is replaced (by seed 1's),
    the same command redoes seed 0 and its Lean check, says so, and reports the new weights'
    numbers; a check record whose count was edited by hand is redone too, and reported at its
    module's count."""
    import shutil

    monkeypatch.setenv("PYVERIFY_LEAN", lean_compiler)
    out = tmp_path / "sweep"
    args = ("--seeds", "2", "--strategy", "brute-force", "--checks", "lean")
    code, text = sweep(capsys, out, *args)
    assert code == 0, text
    first = {r["seed"]: r for r in rows(out, "results.csv")}
    counts = {c["seed"]: c["count"] for c in rows(out, "checks.csv")}
    assert first["0"]["count"] != first["1"]["count"]  # two different models
    for suffix in (".safetensors", ".json"):
        shutil.copy(out / "models" / f"seed1{suffix}", out / "models" / f"seed0{suffix}")
    record = out / "checks" / "lean" / "Seed1BruteForce.json"
    record.write_text(record.read_text().replace(f'"count": {counts["1"]}', '"count": 999'))
    code, text = sweep(capsys, out, *args)
    assert code == 0, text
    redone = [line for line in text.splitlines() if line.startswith("REDONE")]
    assert redone == ["REDONE  seed 0: redone, it was made from other weights than seed0.safetensors",
                      "REDONE  lean Seed0BruteForce: redone, it was made from other weights than seed0.safetensors",
                      f"REDONE  lean Seed1BruteForce: redone, not counted: its record says 999, its module {counts['1']}"]
    again = {r["seed"]: r for r in rows(out, "results.csv")}
    assert again["0"]["count"] == again["1"]["count"] == first["1"]["count"]
    checks = {c["seed"]: c for c in rows(out, "checks.csv")}
    assert checks["0"]["count"] == checks["1"]["count"] == counts["1"] and checks["0"]["verified"] == "True"


def test_the_group_table_takes_each_seeds_best_in_the_papers_groups():
    """Every configuration falls in one of the paper's groups, by the paper's rule; the table
    takes, per seed, the best of each group, and sets the paper's two data generations beside it."""
    groups = {c.name: paper_group(f"subcubic:{c.name}") for c in SubcubicConfig.all()}
    assert set(groups.values()) == set(GROUPS) - {"brute force", "cubic"}
    assert groups["mean_query+max_diff/mean_query+diff/mean+max_diff_subproduct_recursive"] == \
        "attention quadratic + direct quadratic"
    assert groups["max_diff_exact/mean_query+diff/max_diff_subproduct_recursive"] == "attention quadratic"
    assert groups["max_diff_exact/mean_query+diff/exact_EQKE+max_diff_exact"] == \
        "subcubic (direct exact, attention error exact)"
    assert groups["max_diff/mean_query+diff/svd"] == "attention V d^2 + direct quadratic"
    assert paper_group("cubic") == "cubic" and paper_group("subcubic:quadratic") == groups[PRESETS["quadratic"].name]

    def row(seed, name, bound, certified=""):
        return {"seed": seed, "strategy": row_label(name), "normalised_bound": bound, "flops": 10.0 * (1 + bound),
                "certified_normalised_bound": certified}

    quadratic = "subcubic:max_diff_exact/mean_query+diff/max_diff_subproduct_recursive"
    mean_quadratic = "subcubic:max_diff_exact/mean_query+diff/mean+max_diff_subproduct_recursive"
    rows = [row(0, quadratic, 0.4, 0.4), row(0, mean_quadratic, 0.5, 0.5), row(0, "cubic", 0.9),
            row(1, quadratic, 0.3, 0.3), row(1, mean_quadratic, 0.2, 0.2), row(1, "cubic", 0.8)]
    table = {g["group"]: g for g in group_summary(rows)}
    assert set(table) == {"cubic", "attention quadratic"}
    assert table["attention quadratic"]["normalised_bound"][0] == pytest.approx(0.4)  # 0.5 and 0.3
    assert table["attention quadratic"]["certified"][0] == pytest.approx(0.4)
    assert table["attention quadratic"]["paper"] == PAPER_GROUPS["attention quadratic"]
    text = group_markdown(list(table.values()))
    assert "| attention quadratic | 2 | 0.400 ± 0.141 | 0.400 ± 0.141 | 0.390 ± 0.032 | 0.316 ± 0.037 |" in text
