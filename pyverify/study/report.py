"""What a sweep writes: the per-seed CSV, the formal checks' CSV, the summary table, the table of
the paper's groups beside the paper's own numbers, the per-stage cost table and the plot of
normalised bound against FLOPs."""

from __future__ import annotations

import csv
import io
import statistics
from pathlib import Path

from pyverify.atomic import write_bytes_atomic
from pyverify.numeric.registry import FAMILIES, strategy
from pyverify.numeric.strategies.subcubic import PRESETS

COLUMNS = ("seed", "strategy", "family", "count", "total", "bound", "accuracy", "normalised_bound", "flops",
           "complexity", "unexplained_dim", "seconds", "search_seconds", "certified_count",
           "certified_normalised_bound")
CHECK_COLUMNS = ("seed", "strategy", "prover", "module", "count", "verified", "seconds", "error")
# A seed's work in order, each timed (seconds) in its record; then, per formal check, the export
# (certify and write the module) and the prover's check.
STAGES = ("train", "measure", "bound", "certify")


def row_label(name: str) -> str:
    """The strategy as a sweep's rows name it: a subcubic preset by its configuration."""

    config = strategy(name).config
    return name if config is None else f"subcubic:{config.name}"


def csv_text(rows: list[dict], columns: tuple[str, ...]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def mean_sd(xs: list[float]) -> tuple[float, float]:
    """The mean and the sample standard deviation (0 for one value)."""
    return statistics.fmean(xs), statistics.stdev(xs) if len(xs) > 1 else 0.0


def plus_minus(pair: tuple[float, float], digits: int) -> str:
    """"mean ± sd" with `digits` decimals."""
    return f"{pair[0]:.{digits}f} ± {pair[1]:.{digits}f}"


def summarise(rows: list[dict], checks: list[dict] = ()) -> list[dict]:
    """Per strategy: mean and standard deviation of bound, normalised bound, FLOPs and time, the
    mean certified normalised bound (None where no seed has one), and how many seeds have each
    prover's theorem verified."""
    out = []
    for name in dict.fromkeys(r["strategy"] for r in rows):
        mine = [r for r in rows if r["strategy"] == name]

        def stats(key: str) -> tuple[float, float]:
            return mean_sd([float(r[key]) for r in mine])

        certified = [float(r["certified_normalised_bound"]) for r in mine
                     if r.get("certified_normalised_bound", "") != ""]
        verified = {prover: sum(1 for c in checks if row_label(c["strategy"]) == name and c["prover"] == prover
                                and c["verified"])
                    for prover in ("lean", "coq")}
        out.append({"strategy": name, "family": mine[0]["family"], "seeds": len(mine),
                    "bound": stats("bound"), "normalised_bound": stats("normalised_bound"),
                    "flops": stats("flops"), "seconds": stats("seconds"),
                    "certified_normalised_bound": statistics.fmean(certified) if certified else None,
                    "lean_verified": verified["lean"], "coq_verified": verified["coq"]})
    return out


def markdown_table(headers: list[str], cells: list[list[str]]) -> str:
    """A Markdown table, one row per entry of cells."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in cells]) + "\n"


def summary_markdown(summary: list[dict]) -> str:
    def cells(s: dict) -> list[str]:
        certified = s.get("certified_normalised_bound")
        return [s["strategy"], str(s["seeds"]), plus_minus(s["bound"], 4), plus_minus(s["normalised_bound"], 4),
                "–" if certified is None else f"{certified:.4f}", f"{s['flops'][0]:.3g}", f"{s['seconds'][0]:.4f}",
                str(s.get("lean_verified", 0)), str(s.get("coq_verified", 0))]

    return markdown_table(["strategy", "seeds", "bound", "bound / accuracy", "certified / accuracy", "FLOPs",
                           "check time (s)", "Lean ✓", "Coq ✓"], [cells(s) for s in summary])


def per_seed_markdown(rows: list[dict], checks: list[dict]) -> str:
    """One line per seed: its accuracy, then certified bound / accuracy of cubic, of each subcubic
    preset the sweep ran and of its best subcubic configuration, and the theorems verified."""

    columns = ["cubic"] + [f"subcubic:{p}" for p in PRESETS]
    present = [c for c in columns if any(r["strategy"] == row_label(c) for r in rows)]
    lines = ["| seed | accuracy | " + " | ".join(c.removeprefix("subcubic:") for c in present) +
             " | best subcubic | Lean ✓ | Coq ✓ |",
             "|---|---|" + "---|" * (len(present) + 3)]

    def bound(r: dict | None) -> str:
        value = "" if r is None else r.get("certified_normalised_bound", "")
        return "–" if value == "" else f"{float(value):.4f}"

    for seed in dict.fromkeys(r["seed"] for r in rows):
        mine = {r["strategy"]: r for r in rows if r["seed"] == seed}
        subcubic = [r for r in mine.values() if FAMILIES[r["family"]].configurable and r["certified_normalised_bound"] != ""]
        best = max(subcubic, key=lambda r: float(r["certified_normalised_bound"]), default=None)
        verified = {prover: sorted(c["strategy"].removeprefix("subcubic:") for c in checks
                                   if str(c["seed"]) == str(seed) and c["prover"] == prover and c["verified"])
                    for prover in ("lean", "coq")}
        accuracy = float(next(iter(mine.values()))["accuracy"])
        lean, coq = (", ".join(verified[p]) or "–" for p in ("lean", "coq"))
        lines.append(f"| {seed} | {accuracy:.4f} | " + " | ".join(bound(mine.get(row_label(c))) for c in present) +
                     f" | {bound(best)} | {lean} | {coq} |")
    return "\n".join(lines) + "\n"


# The paper's grouping of subcubic configurations by the cost of each path (its notebook's
# `subcubic_group`): the direct path is quadratic around a row (mean_query, svd_query, max_diff)
# or exact; the attention error is quadratic (the *_recursive split), V d^2 (an SVD or a V x d x d
# product), or exact.
DIRECT_QUADRATIC = ("mean_query+max_diff", "svd_query+max_diff", "max_diff")
ATTENTION_QUADRATIC = ("max_diff_subproduct_recursive", "mean+max_diff_subproduct_recursive",
                       "mean_recursive+max_diff_subproduct_recursive")
ATTENTION_VD2 = ("svd", "max_diff", "mean+max_diff", "max_diff_subproduct", "mean+max_diff_subproduct")
GROUPS = ("brute force", "cubic", "subcubic (direct exact, attention error exact)", "attention V d^2",
          "direct quadratic", "attention V d^2 + direct quadratic", "attention quadratic",
          "attention quadratic + direct quadratic")
# The paper's best-in-group bound / accuracy over its 151 seeds, mean and standard deviation:
# its camera-ready data and its data after the W_EP fix (commit bcf5c23, 2024-11-04), from its
# companion data repository JasonGross/guarantees-based-mechanistic-interpretability-data
# (brute force: accuracy itself; brute force and cubic unchanged by the fix).
PAPER_GROUPS = {
    "brute force": ((0.9992, 0.0015), (0.9992, 0.0015)),
    "cubic": ((0.9539, 0.0080), (0.9539, 0.0080)),
    "subcubic (direct exact, attention error exact)": ((0.821, 0.013), (0.700, 0.036)),
    "attention V d^2": ((0.795, 0.014), (0.675, 0.035)),
    "direct quadratic": ((0.653, 0.060), (0.633, 0.062)),
    "attention V d^2 + direct quadratic": ((0.628, 0.060), (0.610, 0.060)),
    "attention quadratic": ((0.390, 0.032), (0.316, 0.037)),
    "attention quadratic + direct quadratic": ((0.286, 0.036), (0.283, 0.037)),
}


def paper_group(name: str) -> str:
    """The paper's group of a strategy (`GROUPS`)."""
    config = strategy(name).config
    if config is None:
        return strategy(name).family.replace("-", " ")
    attention = ("attention quadratic" if config.attention_error in ATTENTION_QUADRATIC else
                 "attention V d^2" if config.attention_error in ATTENTION_VD2 else "")
    direct = "direct quadratic" if config.eupu in DIRECT_QUADRATIC else ""
    return " + ".join(p for p in (attention, direct) if p) or "subcubic (direct exact, attention error exact)"


def group_summary(rows: list[dict]) -> list[dict]:
    """Per group of `GROUPS`, over the seeds: the best normalised bound of the group's
    strategies (float64 and certified), its mean and standard deviation, and the mean FLOPs and
    most frequent strategy of the best."""
    out = []
    for group in GROUPS:
        best, certified = [], []
        for seed in dict.fromkeys(r["seed"] for r in rows):
            mine = [r for r in rows if r["seed"] == seed and paper_group(r["strategy"]) == group]
            if not mine:
                continue
            best.append(max(mine, key=lambda r: float(r["normalised_bound"])))
            with_certified = [r for r in mine if r.get("certified_normalised_bound", "") != ""]
            if with_certified:
                certified.append(max(float(r["certified_normalised_bound"]) for r in with_certified))
        if not best:
            continue
        names = [r["strategy"] for r in best]
        out.append({"group": group, "seeds": len(best),
                    "normalised_bound": mean_sd([float(r["normalised_bound"]) for r in best]),
                    "certified": mean_sd(certified) if certified else None,
                    "flops": statistics.fmean(float(r["flops"]) for r in best),
                    "strategy": max(set(names), key=names.count), "paper": PAPER_GROUPS[group]})
    return out


def group_markdown(groups: list[dict]) -> str:
    """The group table: ours (float64 and certified) beside the paper's two data generations."""
    def cells(g: dict) -> list[str]:
        ready, fixed = g["paper"]
        return [g["group"], str(g["seeds"]), plus_minus(g["normalised_bound"], 3),
                "–" if g["certified"] is None else plus_minus(g["certified"], 3), plus_minus(ready, 3),
                plus_minus(fixed, 3), f"{g['flops']:.3g}", f"`{g['strategy']}`"]

    return markdown_table(["group (best configuration per seed)", "seeds", "bound / accuracy", "certified / accuracy",
                           "paper, camera-ready", "paper, after its W_EP fix", "FLOPs of the best",
                           "most often best"], [cells(g) for g in groups])


def cost_markdown(records: list[dict], checks: list[dict]) -> str:
    """The per-seed cost of each stage (median, mean and total seconds over the seeds that ran
    it; a reused model's training counts as not run), and of each formal check by strategy."""
    lines = ["| stage | runs | median (s) | mean (s) | total (s) |", "|---|---|---|---|---|"]

    def line(label: str, xs: list[float]) -> None:
        if xs:
            lines.append(f"| {label} | {len(xs)} | {statistics.median(xs):.2f} | {statistics.fmean(xs):.2f} | "
                         f"{sum(xs):.1f} |")

    for stage in STAGES:
        line(stage, [r["stages"][stage] for r in records if r["stages"].get(stage)])
    line("export (per module)", [c["export_seconds"] for c in checks if c["verified"] and c["export_seconds"]])
    for prover in ("coq", "lean"):
        for name in dict.fromkeys(c["strategy"] for c in checks if c["prover"] == prover):
            line(f"check {prover} {name}", [c["seconds"] for c in checks
                                            if c["prover"] == prover and c["strategy"] == name and c["verified"]])
    return "\n".join(lines) + "\n"


def plot(rows: list[dict], path: Path, checks: list[dict] = ()) -> None:
    """Normalised bound against FLOPs (log scale), one marker style per strategy family: hollow
    for the float64 bound, filled for the certified one (same FLOPs: the checker's), and a black
    ring around a certified bound whose theorem a prover checked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    verified = {(str(c["seed"]), row_label(c["strategy"])) for c in checks if c["verified"]}
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
    checked = [r for r in rows if (str(r["seed"]), r["strategy"]) in verified
               and r.get("certified_normalised_bound", "") != ""]
    if checked:
        ax.scatter([float(r["flops"]) for r in checked], [float(r["certified_normalised_bound"]) for r in checked],
                   marker="o", facecolors="none", edgecolors="black", linewidths=0.8, s=60,
                   label="certified, theorem checked (Lean or Coq)")
    paper = [g for g in group_summary(rows) if FAMILIES[strategy(g["strategy"]).family].configurable]
    if paper:  # the paper's subcubic group means, each at the FLOPs of our best in the group
        ax.scatter([g["flops"] for g in paper], [g["paper"][1][0] for g in paper], marker="x", color="black", s=30,
                   zorder=3, label="paper's group mean (after its W_EP fix)")
    ax.set_xscale("log")
    ax.set_xlabel("FLOPs to check the proof")
    ax.set_ylabel("accuracy bound / true accuracy")
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    ax.set_title("Proof length vs. tightness (max-of-K)")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120)
    plt.close(fig)
    write_bytes_atomic(path, buf.getvalue())
