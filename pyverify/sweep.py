"""Multi-seed sweeps: train (or reuse) one model per seed, run every strategy, write a CSV,
a summary table and a plot of normalised bound against FLOPs."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import statistics
from pathlib import Path

from tqdm.auto import tqdm

from pyverify.atomic import write_bytes_atomic, write_text_atomic
from pyverify.checkpoint import load_model, save_checkpoint
from pyverify.config import ModelConfig
from pyverify.errors import PyVerifyError
from pyverify.exact import certify
from pyverify.exact.brute_checker import MAX_INPUTS
from pyverify.model import MaxOfKTransformer, nonzero_bias
from pyverify.registry import expand, run_numeric, strategy
from pyverify.train import TrainConfig, train

COLUMNS = ("seed", "strategy", "family", "count", "total", "bound", "accuracy", "normalised_bound", "flops",
           "complexity", "unexplained_dim", "seconds", "search_seconds", "certified_count",
           "certified_normalised_bound")


def certified_count(name: str, model: MaxOfKTransformer) -> int | None:
    """The certified (exact arithmetic) count of a strategy, or None where there is no certified
    checker: brute force on more than MAX_INPUTS inputs, subcubic configurations named but not
    implemented, and models with non-zero biases."""
    cfg = model.cfg
    if nonzero_bias(model) is not None:
        return None  # the exact path models zero biases only
    if not strategy(name).certifiable or (name == "brute-force" and cfg.d_vocab**cfg.n_ctx > MAX_INPUTS):
        return None
    return certify(model, name).count


def model_for_seed(out: Path, cfg: ModelConfig, tcfg: TrainConfig) -> MaxOfKTransformer:
    """Reuse out/models/seed{S}.safetensors if it was trained with the same config, else train it."""
    path = out / "models" / f"seed{tcfg.seed}.safetensors"
    if path.exists():
        model = load_model(path)
        if model.cfg != cfg:
            raise PyVerifyError(f"{path} was trained with a different config; use another --out")
        return model
    model, info = train(cfg, tcfg)
    save_checkpoint(model, path, info)
    return model


def summarise(rows: list[dict]) -> list[dict]:
    """Mean and standard deviation per strategy of bound, normalised bound, FLOPs and time, and
    the mean certified normalised bound (None where no seed has one)."""
    out = []
    for name in dict.fromkeys(r["strategy"] for r in rows):
        mine = [r for r in rows if r["strategy"] == name]

        def stats(key: str) -> tuple[float, float]:
            xs = [float(r[key]) for r in mine]
            return statistics.fmean(xs), statistics.stdev(xs) if len(xs) > 1 else 0.0

        certified = [float(r["certified_normalised_bound"]) for r in mine
                     if r.get("certified_normalised_bound", "") != ""]
        out.append({"strategy": name, "family": mine[0]["family"], "seeds": len(mine),
                    "bound": stats("bound"), "normalised_bound": stats("normalised_bound"),
                    "flops": stats("flops"), "seconds": stats("seconds"),
                    "certified_normalised_bound": statistics.fmean(certified) if certified else None})
    return out


def summary_markdown(summary: list[dict]) -> str:
    lines = ["| strategy | seeds | bound | bound / accuracy | certified / accuracy | FLOPs | check time (s) |",
             "|---|---|---|---|---|---|---|"]
    for s in summary:
        certified = s.get("certified_normalised_bound")
        lines.append(f"| {s['strategy']} | {s['seeds']} | {s['bound'][0]:.4f} ± {s['bound'][1]:.4f} | "
                     f"{s['normalised_bound'][0]:.4f} ± {s['normalised_bound'][1]:.4f} | "
                     f"{'–' if certified is None else f'{certified:.4f}'} | "
                     f"{s['flops'][0]:.3g} | {s['seconds'][0]:.4f} |")
    return "\n".join(lines) + "\n"


def plot(rows: list[dict], path: Path) -> None:
    """Normalised bound against FLOPs (log scale), one marker style per strategy family: hollow
    for the float64 bound, filled for the certified one (same FLOPs: the checker's)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles = {"brute-force": ("s", "tab:red"), "cubic": ("^", "tab:blue"), "subcubic": ("o", "tab:green")}
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for family, (marker, color) in styles.items():
        mine = [r for r in rows if r["family"] == family]
        if mine:
            ax.scatter([float(r["flops"]) for r in mine], [float(r["normalised_bound"]) for r in mine], marker=marker,
                       facecolors="none", edgecolors=color, alpha=0.6, s=18, label=f"{family} (float64)")
        certified = [r for r in mine if r.get("certified_normalised_bound", "") != ""]
        if certified:
            ax.scatter([float(r["flops"]) for r in certified],
                       [float(r["certified_normalised_bound"]) for r in certified], marker=marker, color=color,
                       alpha=0.6, s=10, label=f"{family} (certified)")
    ax.set_xscale("log")
    ax.set_xlabel("FLOPs to check the proof")
    ax.set_ylabel("accuracy bound / true accuracy")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Proof length vs. tightness (max-of-K)")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    plt.close(fig)
    write_bytes_atomic(path, buf.getvalue())


def _csv_text(rows: list[dict]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def run_sweep(out: Path, cfg: ModelConfig, seeds: list[int], strategies: str = "subcubic-all",
              recipe: TrainConfig = TrainConfig(), progress: bool = True, certify: bool = True) -> list[dict]:
    """Train (with ``recipe``, one seed each) or reuse one model per seed, run the strategies
    (and, with certify, their certified checkers), write results.csv, summary.md, summary.json
    and bound_vs_flops.png into ``out`` (each file written atomically, the CSV after every seed
    so an interrupted sweep keeps what it finished)."""
    names = ["brute-force", "cubic"] + expand("subcubic:*") if strategies == "subcubic-all" else expand(strategies)
    rows: list[dict] = []
    for seed in tqdm(seeds, desc="sweep", unit="seed", disable=not progress):
        model = model_for_seed(out, cfg, dataclasses.replace(recipe, seed=seed))
        results = [run_numeric(name, model) for name in names]
        accuracy = next((r.bound for r in results if r.family == "brute-force"), None)
        if accuracy is None:
            accuracy = run_numeric("brute-force", model).bound
        for name, r in zip(names, results):
            d = r.to_dict()
            certified = certified_count(name, model) if certify else None
            rows.append({"seed": seed, **{k: d[k] for k in COLUMNS if k in d}, "accuracy": accuracy,
                         "normalised_bound": r.bound / accuracy if accuracy > 0 else 0.0,
                         "certified_count": "" if certified is None else certified,
                         "certified_normalised_bound": "" if certified is None or accuracy <= 0 else
                         certified / r.total / accuracy})
        write_text_atomic(out / "results.csv", _csv_text(rows))
    summary = summarise(rows)
    write_text_atomic(out / "summary.md", summary_markdown(summary))
    write_text_atomic(out / "summary.json", json.dumps(summary, indent=2) + "\n")
    plot(rows, out / "bound_vs_flops.png")
    return rows
