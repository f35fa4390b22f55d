"""Multi-seed sweeps: one model per seed, every strategy's float64 and certified bound, and the
formal checks of the certificates, in one process or on a Dask cluster.

Each seed is a task (train or reuse → measure → bound → certify); each formal check is a chain
of two tasks of its own (export the certificate → check it with Lean or Coq), so a cluster runs
the checks of different seeds, and of one seed's strategies, in parallel. Everything is written
under OUT as it finishes, atomically:

    OUT/sweep.json                 what the sweep is (shape, recipe, strategies): a re-run must match
    OUT/models/seed{S}.safetensors the trained model
    OUT/seeds/seed{S}.json         the seed's rows and stage times (or its error)
    OUT/seeds/seed{S}/{prover}/{module}  a Lean or Coq project holding one exported module
    OUT/checks/{prover}/{module}.json  a formal check's verdict
    results.csv, checks.csv, seeds.md, summary.md, summary.json, groups.md, costs.md, bound_vs_flops.png

Every seed and check record holds the SHA-256 of the model file it was made from and of the
sweep's settings (a check record also that of the module it checked). Re-running the same command
skips every seed and check that finished from the model now in OUT and redoes, saying so, what
failed or was made from another model; the report takes a check's count from its module, read
back and verified as pyverify's, never from the record alone.
With a cluster (`--scheduler`), OUT must be a folder every worker can write.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tqdm.auto import tqdm

from pyverify.atomic import write_text_atomic
from pyverify.model.checkpoint import load_model, save_checkpoint
from pyverify.model.config import ModelConfig
from pyverify.provers.coq import check_coq_project
from pyverify.errors import PyVerifyError
from pyverify.exact import certify
from pyverify.provers import export_coq, export_lean
from pyverify.provers.split import is_split, stored_parts
from pyverify.provers.verify import verify_coq_module, verify_lean_module
from pyverify.provers.lean import check_project
from pyverify.model.transformer import MaxOfKTransformer, nonzero_bias
from pyverify.numeric.registry import expand, run_numeric, strategy
from pyverify.study.report import (CHECK_COLUMNS, COLUMNS, cost_markdown, csv_text, group_markdown, group_summary,
                                   per_seed_markdown, plot, row_label, summarise, summary_markdown)
from pyverify.model.train import TrainConfig, train

# The strategies whose certificates the formal checks export (those the sweep runs, where the
# prover has a checker).
FORMAL = ("brute-force", "cubic", "subcubic:default", "subcubic:exact-eqke", "subcubic:svd", "subcubic:quadratic")
CHECKS = ("none", "coq", "lean", "both")


@dataclass(frozen=True)
class Sweep:
    """What to run. names: the strategies of every seed; certify: also their certified counts;
    checks: which provers check the certificates of FORMAL; lean: the bare Lean compiler for
    the Lean checks; torch_threads: torch's thread count inside each task (None: leave it);
    lean_workers: over how many workers a Lean check spreads its block theorems (on Dask, the
    cluster's size: the blocks compile as tasks of the same cluster)."""

    out: Path
    cfg: ModelConfig
    recipe: TrainConfig
    names: tuple[str, ...]
    certify: bool = True
    checks: str = "none"
    lean: str | None = None
    torch_threads: int | None = None
    lean_workers: int = 1

    def identity(self) -> dict:
        """What a seed's results depend on: a re-run over the same OUT must have the same."""
        recipe = dataclasses.asdict(self.recipe)
        recipe.pop("seed")
        identity = {"model": dataclasses.asdict(self.cfg), "recipe": recipe, "strategies": list(self.names),
                    "certify": self.certify}
        return json.loads(json.dumps(identity))  # as read back from OUT/sweep.json

    def digest(self) -> str:
        """SHA-256 of identity(): what a record's results were made with."""
        return hashlib.sha256(json.dumps(self.identity(), sort_keys=True).encode()).hexdigest()

    def provers(self) -> list[str]:
        return {"none": [], "coq": ["coq"], "lean": ["lean"], "both": ["lean", "coq"]}[self.checks]

    def formal(self, prover: str) -> list[str]:
        """The strategies of FORMAL that this sweep runs (a preset also by its configuration's
        name) and whose certificates `prover` checks for this sweep's model shape."""

        inputs = self.cfg.d_vocab**self.cfg.n_ctx
        labels = {row_label(name) for name in self.names}
        names = []
        for name in FORMAL:
            if row_label(name) not in labels:
                continue
            s = strategy(name)
            limit = s.facts.lean_inputs if prover == "lean" else s.facts.certified_inputs
            if limit is not None and inputs > limit:
                continue
            names.append(name)
        return names


@dataclass
class SweepResult:
    """rows: one per (seed, strategy), in seed order (every seed recorded under OUT from the
    model now there); checks: one per formal check recorded under OUT (verified only if its module
    still is what was checked, for the model now there); failed: one line per seed or check that
    failed in this run; redone: one line per record this run redid because it was stale."""

    rows: list[dict]
    checks: list[dict]
    failed: list[str] = field(default_factory=list)
    redone: list[str] = field(default_factory=list)  # records made from another model or settings, redone


def module_name(seed: int, name: str) -> str:
    """The generated module of a seed's certificate: Seed7Cubic, Seed7SubcubicExactEqke, ..."""
    words = name.replace(":", "-").split("-")
    return f"Seed{seed}" + "".join(w[:1].upper() + w[1:] for w in words)


def model_for_seed(out: Path, cfg: ModelConfig, recipe: TrainConfig) -> tuple[MaxOfKTransformer, float]:
    """Reuse out/models/seed{S}.safetensors if it was trained with the same config, else train
    it; returns the model and the training time (0 if reused)."""
    path = model_path(out, recipe.seed)
    if path.exists():
        model = load_model(path)
        if model.cfg != cfg:
            raise PyVerifyError(f"{path} was trained with a different config; use another --out")
        return model, 0.0
    start = time.perf_counter()
    model, info = train(cfg, recipe)
    save_checkpoint(model, path, info)
    return model, time.perf_counter() - start


def certified_count(name: str, model: MaxOfKTransformer) -> int | None:
    """The certified (exact arithmetic) count of a strategy, or None where there is no certified
    checker: a family's `certified_inputs` exceeded (brute force), and models with non-zero biases."""

    cfg = model.cfg
    if nonzero_bias(model) is not None:
        return None  # the exact path models zero biases only
    s = strategy(name)
    limit = s.facts.certified_inputs
    if limit is not None and cfg.d_vocab**cfg.n_ctx > limit:
        return None
    return certify(model, name).count


def _set_threads(sweep: Sweep) -> None:
    if sweep.torch_threads is not None:
        import torch

        torch.set_num_threads(sweep.torch_threads)


def seed_task(sweep: Sweep, seed: int) -> dict:
    """Train (or reuse) the seed's model, then measure (brute force), bound (every other
    strategy) and certify. Returns the seed's record: rows, stage seconds, or a one-line error."""
    _set_threads(sweep)
    stages = {}
    try:
        model, stages["train"] = model_for_seed(sweep.out, sweep.cfg, dataclasses.replace(sweep.recipe, seed=seed))
        made_from = {"model_sha256": file_digest(model_path(sweep.out, seed)), "settings_sha256": sweep.digest()}
        start = time.perf_counter()
        measured = run_numeric("brute-force", model)
        stages["measure"] = time.perf_counter() - start
        start = time.perf_counter()
        results = [measured if strategy(name).facts.measures else run_numeric(name, model) for name in sweep.names]
        stages["bound"] = time.perf_counter() - start
        start = time.perf_counter()
        certified = [certified_count(name, model) if sweep.certify else None for name in sweep.names]
        stages["certify"] = time.perf_counter() - start
    except Exception as e:  # one line in the summary; the other seeds go on
        return {**_seed_record(seed), "stages": stages, "error": _one_line(e)}
    accuracy = measured.bound
    rows = []
    for name, r, count in zip(sweep.names, results, certified):
        d = r.to_dict()
        rows.append({"seed": seed, **{k: d[k] for k in COLUMNS if k in d}, "accuracy": accuracy,
                     "normalised_bound": r.bound / accuracy if accuracy > 0 else 0.0,
                     "certified_count": "" if count is None else count,
                     "certified_normalised_bound": "" if count is None or accuracy <= 0 else
                     count / r.total / accuracy})
    return {"seed": seed, **made_from, "rows": rows, "stages": stages, "error": None}


def export_task(sweep: Sweep, seed: int, prover: str, name: str, after: dict | None = None) -> dict:
    """Certify one FORMAL strategy on the seed's (already trained) model and export it for
    `prover` into its own project OUT/seeds/seed{S}/{prover}/{module}. after: the seed task's
    record when it ran in this sweep (a dependency only; its error is passed on)."""

    _set_threads(sweep)
    record = _check_record(seed, prover, name)
    if after is not None and after["error"]:
        return {**record, "error": f"seed {seed} failed: {after['error']}"}
    try:
        start = time.perf_counter()
        digest = file_digest(model_path(sweep.out, seed))
        model = load_model(model_path(sweep.out, seed))
        cert = certify(model, name)
        folder = _project(sweep.out, seed, prover, record["module"])
        result = (export_lean if prover == "lean" else export_coq)(cert, record["module"], folder, force=True)
        return {**record, "count": cert.count, "export_seconds": time.perf_counter() - start, "model_sha256": digest,
                "settings_sha256": sweep.digest(), "module_sha256": module_digest(result.path)}
    except Exception as e:
        return {**record, "error": _one_line(e)}


def check_task(sweep: Sweep, exported: dict) -> dict:
    """Check the module export_task wrote, with the bare Lean compiler or coqc; the record gets
    the verdict, the prover's seconds and its first error."""

    if exported["error"]:
        return exported
    folder = _project(sweep.out, exported["seed"], exported["prover"], exported["module"])
    try:
        start = time.perf_counter()
        if exported["prover"] == "lean":
            statuses = check_project(folder, lean=sweep.lean, only={exported["module"]}, workers=sweep.lean_workers)[0]
        else:
            statuses = check_coq_project(folder, only={exported["module"]})[0]
        status = statuses[0]
        error = None if status.verified else _diagnostic_line(status)
        return {**exported, "count": exported["count"] if status.count is None else status.count,
                "verified": status.verified, "seconds": time.perf_counter() - start, "error": error}
    except Exception as e:
        return {**exported, "error": _one_line(e)}


def _seed_record(seed: int) -> dict:
    return {"seed": seed, "rows": [], "stages": {}, "error": None}


def _check_record(seed: int, prover: str, name: str) -> dict:
    return {"seed": seed, "strategy": name, "prover": prover, "module": module_name(seed, name), "count": "",
            "verified": False, "seconds": 0.0, "export_seconds": 0.0, "error": None}


def _one_line(e: Exception) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text if isinstance(e, PyVerifyError) else f"{type(e).__name__}: {text}"


def _diagnostic_line(status) -> str:
    d = status.error
    return "not verified" if d is None else " ".join(f"{d.path}:{d.line}: {d.message}".split())[:300]


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _project(out: Path, seed: int, prover: str, module: str) -> Path:
    """The Lean or Coq project of one exported module (one each, so parallel exports never share one)."""
    return out / "seeds" / f"seed{seed}" / prover / module


def model_path(out: Path, seed: int) -> Path:
    return out / "models" / f"seed{seed}.safetensors"


def file_digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes, or None if there is no such file."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def module_digest(path: Path) -> str:
    """SHA-256 of a generated module: its file, or for a split Lean module every part in order."""

    h = hashlib.sha256()
    if path.suffix == ".lean" and is_split(path):
        for relative, text in stored_parts(path):
            h.update(relative.encode() + b"\0" + text.encode() + b"\0")
    else:
        h.update(path.read_bytes())
    return h.hexdigest()


def stale(record: dict | None, sweep: Sweep, seed: int) -> str | None:
    """Why a finished seed or check record must be redone (made from another model file than the
    one now in OUT, or other settings), or None if it stands."""
    if record is None or record.get("error") is not None or record.get("verified") is False:
        return None
    current = file_digest(model_path(sweep.out, seed))
    if current is None:
        return f"{model_path(sweep.out, seed).name} is missing"
    if record.get("model_sha256") != current:
        return f"it was made from other weights than {model_path(sweep.out, seed).name}"
    if record.get("settings_sha256") != sweep.digest():
        return "it was made with other settings"
    return None


def _seed_path(out: Path, seed: int) -> Path:
    return out / "seeds" / f"seed{seed}.json"


def _check_path(out: Path, prover: str, module: str) -> Path:
    return out / "checks" / prover / f"{module}.json"


def prepare(sweep: Sweep) -> None:
    """Create OUT, or check that the sweep it holds is this one (same shape, recipe, strategies)."""
    marker = sweep.out / "sweep.json"
    found = _read(marker)
    if marker.exists() and found != sweep.identity():
        raise PyVerifyError(f"{sweep.out} holds a sweep with a different model, recipe or strategy list "
                            f"({marker}); use another --out")
    if not marker.exists():
        write_text_atomic(marker, json.dumps(sweep.identity(), indent=2, sort_keys=True) + "\n")


def todo(sweep: Sweep, seeds: list[int]) -> tuple[list[int], list[tuple[int, str, str]], list[str]]:
    """The seeds without a finished record from the model now in OUT, the (seed, prover,
    strategy) checks without a verified verdict for it, and why each stale record is redone."""
    seeds_left, checks_left, redone = [], [], []
    for seed in seeds:
        record = _read(_seed_path(sweep.out, seed))
        why = stale(record, sweep, seed)
        if why:
            redone.append(f"seed {seed}: redone, {why}")
        if record is None or record["error"] is not None or why:
            seeds_left.append(seed)
        for prover in sweep.provers():
            for name in sweep.formal(prover):
                verdict = _read(_check_path(sweep.out, prover, module_name(seed, name)))
                why = stale(verdict, sweep, seed)
                if verdict and verdict["verified"] and not why:
                    why = confirmed(sweep.out, verdict)["error"]
                if why:
                    redone.append(f"{prover} {module_name(seed, name)}: redone, {why}")
                if not (verdict and verdict["verified"]) or why:
                    checks_left.append((seed, prover, name))
    return seeds_left, checks_left, redone


def run_sweep(sweep: Sweep, seeds: list[int], workers: int = 0, scheduler: str | None = None,
              progress: bool = True) -> SweepResult:
    """Run (or resume) the sweep over `seeds` and write its results under sweep.out. workers=0
    and no scheduler: in this process, one task after another; workers=N: on a local Dask
    cluster of N single-threaded processes; scheduler: on the Dask cluster at that address."""
    prepare(sweep)
    seeds_left, checks_left, redone = todo(sweep, seeds)
    if progress:
        for line in redone:
            tqdm.write(line)
    failed: list[str] = []
    bar = tqdm(total=len(seeds_left) + len(checks_left), desc="sweep", unit="task", disable=not progress)
    done = {"seeds": 0, "checks": 0}

    def record(result: dict) -> None:
        if "rows" in result:
            write_text_atomic(_seed_path(sweep.out, result["seed"]), json.dumps(result, indent=1) + "\n")
            kind, what = "seeds", f"seed {result['seed']}"
        else:
            write_text_atomic(_check_path(sweep.out, result["prover"], result["module"]),
                              json.dumps(result, indent=1) + "\n")
            kind, what = "checks", f"{result['prover']} {result['module']}"
        if result["error"]:
            failed.append(f"{what}: {result['error']}")
        done[kind] += 1
        bar.set_postfix_str(f"seeds {done['seeds']}/{len(seeds_left)}, checks {done['checks']}/{len(checks_left)}, "
                            f"failed {len(failed)}")
        bar.update()

    try:
        if workers == 0 and scheduler is None:
            for result in _in_process(sweep, seeds_left, checks_left):
                record(result)
        else:
            for result in _on_dask(sweep, seeds_left, checks_left, workers, scheduler):
                record(result)
    finally:
        bar.close()
    result = collect(sweep.out)
    result.failed, result.redone = failed, redone
    return result


def _in_process(sweep: Sweep, seeds_left: list[int], checks_left: list[tuple[int, str, str]]) -> Iterator[dict]:
    records = {}
    for seed in seeds_left:
        records[seed] = seed_task(sweep, seed)
        yield records[seed]
    for seed, prover, name in checks_left:
        yield check_task(sweep, export_task(sweep, seed, prover, name, records.get(seed)))


def _on_dask(sweep: Sweep, seeds_left: list[int], checks_left: list[tuple[int, str, str]], workers: int,
             scheduler: str | None) -> Iterator[dict]:
    try:
        from dask.distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise PyVerifyError("a sweep on Dask needs dask.distributed: pip install 'dask[distributed]'") from None
    if scheduler is not None:
        cluster, client = None, Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = Client(cluster)
    try:
        sweep = dataclasses.replace(sweep, lean_workers=max(1, len(client.scheduler_info()["workers"])))
        seed_futures = {seed: client.submit(seed_task, sweep, seed, pure=False) for seed in seeds_left}
        lost = {f.key: _seed_record(seed) for seed, f in seed_futures.items()}
        futures = list(seed_futures.values())
        for seed, prover, name in checks_left:
            exported = client.submit(export_task, sweep, seed, prover, name, seed_futures.get(seed), pure=False)
            futures.append(client.submit(check_task, sweep, exported, pure=False))
            lost[futures[-1].key] = _check_record(seed, prover, name)
        for future in as_completed(futures):
            try:
                yield future.result()
            except Exception as e:  # a task whose workers kept dying (Dask's KilledWorker), or a lost cluster
                yield {**lost[future.key], "error": f"lost by the cluster: {_one_line(e)}"}
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def collect(out: Path) -> SweepResult:
    """Every finished seed and check recorded under out from the model now there, and the files
    made from them. A check counts as verified only if its module still verifies as pyverify's,
    is the module that was checked, and was made from that model; its count is the module's."""
    records = [r for r in (_read(p) for p in (out / "seeds").glob("seed*.json")) if r and r["error"] is None
               and r.get("model_sha256") == file_digest(model_path(out, r["seed"]))]
    records.sort(key=lambda r: r["seed"])
    rows = [row for r in records for row in r["rows"]]
    checks = sorted((confirmed(out, c) for c in (_read(p) for p in (out / "checks").glob("*/*.json")) if c),
                    key=lambda c: (c["seed"], c["prover"], FORMAL.index(c["strategy"])))
    if rows:
        summary = summarise(rows, checks)
        write_text_atomic(out / "results.csv", csv_text(rows, COLUMNS))
        write_text_atomic(out / "checks.csv", csv_text(checks, CHECK_COLUMNS))
        write_text_atomic(out / "summary.md", summary_markdown(summary))
        write_text_atomic(out / "summary.json", json.dumps(summary, indent=2) + "\n")
        write_text_atomic(out / "seeds.md", per_seed_markdown(rows, checks))
        write_text_atomic(out / "groups.md", group_markdown(group_summary(rows)))
        write_text_atomic(out / "costs.md", cost_markdown(records, checks))
        plot(rows, out / "bound_vs_flops.png", checks)
    return SweepResult(rows, checks)


def confirmed(out: Path, check: dict) -> dict:
    """A check record as the report shows it: a verified one keeps its verdict only if its module
    (read back and verified as pyverify's) is the one that was checked, was made from the model
    now in OUT and states the record's count; otherwise it is not verified (and a re-run redoes
    it). The count shown is always the module's."""
    if not check["verified"]:
        return check
    folder = _project(out, check["seed"], check["prover"], check["module"]) / "Generated"
    path = folder / (f"{check['module']}.lean" if check["prover"] == "lean" else f"{check['module']}.v")
    try:
        module = (verify_lean_module if check["prover"] == "lean" else verify_coq_module)(path)
        if module_digest(path) != check.get("module_sha256"):
            raise PyVerifyError("the module is not the one that was checked")
        if file_digest(model_path(out, check["seed"])) != check.get("model_sha256"):
            raise PyVerifyError("it was checked for other weights than the model now in OUT")
        if check.get("count") != module.count:
            raise PyVerifyError(f"its record says {check.get('count')!r}, its module {module.count}")
    except (PyVerifyError, OSError) as e:
        return {**check, "verified": False, "error": f"not counted: {_one_line(e)}"}
    return {**check, "count": module.count}


def sweep_names(spec: str) -> tuple[str, ...]:
    """The strategies of a sweep: "subcubic-all" (brute force, cubic and every
    subcubic configuration) or anything `expand` takes."""
    return tuple(["brute-force", "cubic"] + expand("subcubic:*") if spec == "subcubic-all" else expand(spec))
