"""The ``pyverify`` command line. Each subcommand is a thin wrapper over the Python API.

Errors in input (bad files, impossible requests) print one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from pyverify.version import __version__
from pyverify.errors import PyVerifyError
import pyverify.api as api
from pyverify.model.checkpoint import save_checkpoint
from pyverify.model.config import ModelConfig
from pyverify.demo import run_demo
from pyverify.provers import check_coq_destination, check_lean_destination
from pyverify.provers.base import EXIT_FAILED, EXIT_NO_TOOLCHAIN, NoToolchain
from pyverify.provers.lean import find_lean
from pyverify.model.transformer import architecture_line
from pyverify.numeric.registry import FAMILIES, expand, strategy
from pyverify.study.sweep import Sweep, run_sweep, sweep_names
from pyverify.study.report import group_markdown, group_summary, summarise, summary_markdown
from pyverify.model.train import TrainConfig, train

EXIT_ERROR = 2


def _add_model_and_training(p: argparse.ArgumentParser) -> None:
    """The model's shape and the training recipe (defaults: the paper's)."""
    p.add_argument("--k", type=int, default=4, help="sequence length K = n_ctx (default 4)")
    p.add_argument("--d-vocab", type=int, default=64, help="vocabulary size V (default 64)")
    p.add_argument("--d-model", type=int, default=32, help="residual width (default 32)")
    p.add_argument("--d-head", type=int, default=32, help="head width (default 32)")
    p.add_argument("--steps", type=int, default=3000, help="training steps (default 3000)")
    p.add_argument("--batch-size", type=int, default=128, help="batch size (default 128)")
    p.add_argument("--lr", type=float, default=1e-3, help="AdamW learning rate (default 1e-3)")


def _model_config(args: argparse.Namespace):

    return ModelConfig(d_vocab=args.d_vocab, n_ctx=args.k, d_model=args.d_model, d_head=args.d_head)


def _train_config(args: argparse.Namespace, seed: int):

    return TrainConfig(seed=seed, steps=args.steps, batch_size=args.batch_size, lr=args.lr)


def _emit(args: argparse.Namespace, data: dict, text: str) -> None:
    print(json.dumps(data, indent=2, sort_keys=True) if getattr(args, "json", False) else text)


def cmd_train(args: argparse.Namespace) -> int:

    model, info = train(_model_config(args), _train_config(args, args.seed), progress=not args.quiet)
    path = save_checkpoint(model, args.out, info)
    _emit(args, {"path": str(path), **info},
          f"saved {path} (final loss {info['final_loss']:.5f}, {info['train_seconds']:.1f} s)")
    return 0


def cmd_accuracy(args: argparse.Namespace) -> int:

    model = api.load(args.model)
    _say_architecture(model)
    result = api.accuracy(model, force=args.force, progress=not args.quiet)
    _emit(args, {"model": str(args.model), **result.to_dict()},
          f"{result.correct} / {result.total} correct, accuracy {result.accuracy:.6f} ({result.seconds:.2f} s)"
          + _rounding_note(result.uncertain))
    return 0


def _rounding_note(uncertain: int) -> str:
    """A line saying how many inputs float64 rounding could have decided (empty if none)."""
    if uncertain == 0:
        return ""
    return (f"\nwarning: {uncertain} inputs have a margin within the float64 rounding bound; exact arithmetic "
            "may classify them differently (`pyverify export` certifies exactly)")


def cmd_estimate(args: argparse.Namespace) -> int:

    model = api.load(args.model)
    _say_architecture(model)
    e = api.estimate(model, args.method, args.flops, args.seed, args.level)
    if e.exact:
        spread = f"exact: the budget covered every {'input' if e.method == 'monte-carlo' else 'unproven input'}"
    elif e.low is None:
        spread = "no interval (a heuristic from the path tables: docs/estimates.md)"
    else:
        spread = f"{e.level:.0%} interval [{e.low:,.0f}, {e.high:,.0f}]"
    proven = f"; {e.certified:,} proven by the cubic proof" if e.method == "stratified" else ""
    _emit(args, {"model": str(args.model), **e.to_dict()},
          f"{e.method}: {e.count:,.1f} of {e.total:,} correct (accuracy {e.accuracy:.6f}), {spread}{proven}; "
          f"{e.samples:,} inputs evaluated, {e.flops:.3g} FLOPs, {e.seconds:.2f} s")
    return 0


def cmd_bound(args: argparse.Namespace) -> int:

    model = api.load(args.model)
    _say_architecture(model)
    names = expand(args.strategy)
    results = [api.bound(model, name, force=args.force) for name in names]
    accuracy = next((r.bound for r in results if FAMILIES[r.family].measures), None)
    if args.json:
        print(json.dumps([{**r.to_dict(), "accuracy": accuracy} for r in results], indent=2))
        return 0
    width = max(len(r.strategy) for r in results)
    print(f"{'strategy':<{width}}  {'bound':>8}  {'/accuracy':>9}  {'FLOPs':>9}  {'check s':>8}  {'search s':>8}"
          f"  {'uncertain':>9}")
    for r in results:
        ratio = f"{r.bound / accuracy:9.4f}" if accuracy else f"{'-':>9}"
        print(f"{r.strategy:<{width}}  {r.bound:8.5f}  {ratio}  {r.flops:9.3g}  {r.seconds:8.3f}  {r.search_seconds:8.3f}"
              f"  {r.uncertain:>9}")
    if accuracy is None:
        print("(add --strategy all, or brute-force, to see bound / accuracy)")
    if any(r.uncertain for r in results):
        print("uncertain: inputs whose float64 decision lies within the a-priori rounding bound; the exact count "
              "may differ by up to that many (`pyverify export` certifies exactly)")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:

    if args.seeds < 1:
        raise PyVerifyError("--seeds must be at least 1")
    if args.workers < 0:
        raise PyVerifyError("--workers must be 0 (this process) or more")
    if args.workers and args.scheduler:
        raise PyVerifyError("give --workers (a local cluster) or --scheduler (an existing one), not both")
    lean = None
    if args.checks in ("lean", "both"):
        lean = find_lean(args.lean)
        if lean is None:
            raise NoToolchain("--checks lean needs a bare Lean 4.35.0 compiler: pass --lean PATH or set PYVERIFY_LEAN")
    if args.checks in ("coq", "both") and shutil.which("coqc") is None:
        raise NoToolchain("--checks coq needs coqc on PATH (Coq 8.16 or later)")
    sweep = Sweep(Path(args.out).resolve(), _model_config(args), _train_config(args, seed=0),
                  sweep_names(args.strategy), certify=not args.no_certify, checks=args.checks, lean=lean,
                  torch_threads=1 if args.workers else None)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    result = run_sweep(sweep, seeds, workers=args.workers, scheduler=args.scheduler, progress=not args.quiet)
    if result.rows:
        print(summary_markdown(summarise(result.rows, result.checks)), end="")
        print("\nThe paper's groups (best configuration per seed), beside the paper's own data:")
        print(group_markdown(group_summary(result.rows)), end="")
    for line in result.redone:
        print(f"REDONE  {line}")
    for line in result.failed:
        print(f"FAILED  {line}")
    seeds_done = len({r["seed"] for r in result.rows})
    verified = sum(1 for c in result.checks if c["verified"])
    print(f"{seeds_done} seeds, {verified} formal checks verified in {args.out}; wrote results.csv, checks.csv, "
          "seeds.md, summary.md, summary.json, groups.md, costs.md, bound_vs_flops.png")
    return EXIT_FAILED if result.failed else 0


def _say_architecture(model) -> None:
    """A model read from a bare state dict: say on stderr which architecture was assumed."""

    if model.architecture_source == "state dict":
        print(f"pyverify: architecture {architecture_line(model)}", file=sys.stderr)


def cmd_export(args: argparse.Namespace) -> int:

    strategy(args.strategy)
    # every destination is validated before any work, so that nothing is written if one is refused
    if args.prover in ("lean", "both"):
        check_lean_destination(args.lean_dir, args.name, args.force)
    if args.prover in ("coq", "both"):
        check_coq_destination(args.coq_dir, args.name, args.force)
    model = api.load(args.model)
    _say_architecture(model)
    certificate = api.certify(model, args.strategy, force=args.force)  # once, for both provers
    results = []
    if args.prover in ("lean", "both"):
        results.append(("lean", api.export_lean(certificate, args.name, args.lean_dir, force=args.force,
                                                          split=args.split)))
    if args.prover in ("coq", "both"):
        results.append(("coq", api.export_coq(certificate, args.name, args.coq_dir, force=args.force)))
    r = results[0][1]
    data = {"path": str(r.path), "name": r.name, "strategy": r.strategy, "count": r.count, "total": r.total,
            "bound": r.count / r.total, "method": r.method, "size_bytes": r.size_bytes,
            "certify_seconds": r.certify_seconds,
            "modules": [{"prover": prover, "path": str(m.path), "method": m.method, "size_bytes": m.size_bytes,
                         "check_estimate_seconds": m.check_estimate_seconds, "blocks": m.blocks,
                         "peak_gb_estimate": m.peak_gb_estimate} for prover, m in results]}
    lines = [f"N_exact = {r.count} of {r.total} (bound {r.count / r.total:.6f}, {r.strategy}, "
             f"certified in {r.certify_seconds:.1f} s)"]
    for prover, m in results:
        if prover == "lean":
            check = (f"`pyverify check` (`lean` on PATH, or --lean PATH; {m.blocks} block theorem"
                     f"{'s' if m.blocks != 1 else ''}, kernel only; estimated {m.check_estimate_seconds:.0f} s of CPU "
                     f"and {m.peak_gb_estimate:.1f} GB peak for the largest block)")
        else:
            check = f"`pyverify check --prover coq` (coqc: about {m.check_estimate_seconds:.0f} s, an estimate)"
        lines.append(f"wrote {m.path} ({m.size_bytes / 1024:.0f} KiB, proof by {m.method}); run {check}")
    _emit(args, data, "\n".join(lines))
    return 0


def _report(statuses: list) -> bool:
    """Print one line per generated theorem; True if every one was verified."""
    for s in statuses:
        timing = f"  ({s.seconds:.1f} s)" if s.seconds else ""
        stated = f" = {s.count}" if s.count is not None else ""
        name = f"{s.module}.{s.theorem}" if s.theorem else s.module
        if s.verified:
            print(f"verified  {name}{stated}{timing}")
        else:
            e = s.error
            where = f"{e.path}:{e.line}" if e and e.line else (e.path if e and e.path else "?")
            print(f"FAILED    {name}  {where}: {e.message if e else 'build failed'}")
    return all(s.verified for s in statuses)


def cmd_check(args: argparse.Namespace) -> int:
    """Check each requested prover's theorems. Exit 1 if any failed, else 3 if a requested prover
    is missing (what it would check is not claimed), else 0."""

    def progress(message: str) -> None:
        print(f"... {message}", file=sys.stderr, flush=True)

    only = set(args.module) if args.module else None
    if args.workers < 1:
        raise PyVerifyError("--workers must be at least 1")
    ok, missing = True, False
    for prover in (("lean", "coq") if args.prover == "both" else (args.prover,)):
        folders = {"lean_dir": args.lean_dir, "coq_dir": None} if prover == "lean" else \
            {"lean_dir": None, "coq_dir": args.coq_dir}
        try:
            statuses = api.check(**folders, lean=args.lean, modules=only, progress=progress, workers=args.workers)
        except NoToolchain as e:
            print(f"pyverify: {e}", file=sys.stderr)
            missing = True
            continue
        if not statuses:
            print(f"FAILED    {prover}: there are no generated theorems to check (run pyverify export first)")
            ok = False
        ok = _report(statuses) and ok
    if not ok:
        return EXIT_FAILED
    return EXIT_NO_TOOLCHAIN if missing else 0


def cmd_compare(args: argparse.Namespace) -> int:

    model = api.load(args.model)
    _say_architecture(model)
    rows = api.compare(model, lean_dir=args.lean_dir, coq_dir=args.coq_dir, check_lean=not args.no_lake,
                            check_coq=not args.no_coq, lean=args.lean, force=args.force)
    if args.json:
        print(json.dumps([r.__dict__ for r in rows], indent=2))
        return 0
    width = max(len(r.strategy) for r in rows)
    print(f"{'strategy':<{width}} {'numeric (float64)':>18} {'rounding flag':>13} {'exact (certified)':>18} "
          f"{'difference':>10}")
    for r in rows:
        flag = f"±{r.uncertain}" if r.uncertain else "0"
        print(f"{r.strategy:<{width}} {r.numeric / r.total:18.6f} {flag:>13} {r.exact / r.total:18.6f} "
              f"{r.numeric - r.exact:>10}")
        print(f"{'':<{width}} Lean: {r.lean}")
        print(f"{'':<{width}} Coq:  {r.coq}")
    if any(r.uncertain for r in rows):
        print("rounding flag: inputs whose float64 decision lies within the a-priori rounding bound")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    """Train the default model (K=4, V=64, seed 123) and run the main job on it."""

    run_demo(Path(args.out), progress=not args.quiet, steps=args.steps)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pyverify", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"pyverify {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train a max-of-K model with the paper's recipe")
    _add_model_and_training(p)
    p.add_argument("--seed", type=int, default=123)
    p.add_argument("--out", required=True, help="checkpoint path (.safetensors; a .json sidecar is written beside it)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("accuracy", help="brute-force accuracy over all V^K inputs (float64, with its rounding flag)")
    p.add_argument("model", help="checkpoint (.safetensors) or TransformerLens state dict (.pt/.pth)")
    p.add_argument("--force", action="store_true", help="run even if the estimated time is long")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.set_defaults(func=cmd_accuracy)

    p = sub.add_parser("estimate", help="estimate the number of correct inputs within a FLOPs budget (no proof)")
    p.add_argument("model", help="checkpoint (.safetensors) or TransformerLens state dict (.pt/.pth)")
    p.add_argument("--method", default="monte-carlo", choices=("monte-carlo", "stratified", "mechanistic"),
                   help="monte-carlo (uniform inputs), stratified (the cubic proof's count plus its unproven "
                   "remainder sampled) or mechanistic (from the path tables, no sampling); default monte-carlo")
    p.add_argument("--flops", type=float, default=1e8, help="the budget in FLOPs (default 1e8)")
    p.add_argument("--seed", type=int, default=0, help="the sampling seed (default 0)")
    p.add_argument("--level", type=float, default=0.95, help="the confidence level of the interval (default 0.95)")
    p.add_argument("--json", action="store_true", help="print a JSON object")
    p.set_defaults(func=cmd_estimate)

    p = sub.add_parser("bound", help="accuracy lower bounds by proof strategy, in float64 (estimates; export certifies)")
    p.add_argument("model", help="checkpoint (.safetensors) or TransformerLens state dict (.pt/.pth)")
    p.add_argument("--strategy", default="all",
                   help="brute-force | cubic | subcubic[:CONFIG] | subcubic:* | all (default: all)")
    p.add_argument("--force", action="store_true", help="run a long brute force anyway")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_bound)

    p = sub.add_parser("sweep", help="train N seeds and run every strategy on each; CSV, summary and plot")
    _add_model_and_training(p)
    p.add_argument("--seeds", type=int, required=True, help="number of seeds")
    p.add_argument("--first-seed", type=int, default=0)
    p.add_argument("--strategy", default="subcubic-all",
                   help="subcubic-all (brute force, cubic, every subcubic config; default) or as for bound")
    p.add_argument("--out", required=True, help="output folder (models are reused from OUT/models)")
    p.add_argument("--no-certify", action="store_true",
                   help="skip the certified checkers (by default each strategy's certified count is recorded too)")
    p.add_argument("--checks", choices=("none", "coq", "lean", "both"), default="none",
                   help="export and formally check the certificates of brute force (small models), cubic and the "
                        "four subcubic presets that the sweep runs, where the prover has a checker (default none)")
    p.add_argument("--lean", metavar="PATH", help="the bare Lean compiler for --checks lean (else $PYVERIFY_LEAN "
                                                  "or lean on PATH)")
    p.add_argument("--workers", type=int, default=0,
                   help="run on a local Dask cluster of N single-threaded processes (default 0: in this process)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on an existing Dask cluster (OUT must be a folder every worker can write)")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_sweep)

    p = sub.add_parser("export", help="certify with exact arithmetic and write a Lean and/or Coq module")
    p.add_argument("model", help="checkpoint (.safetensors) or TransformerLens state dict (.pt/.pth)")
    p.add_argument("--strategy", default="cubic",
                   help="the certified strategy: cubic (default), brute-force (models with at most 200,000 inputs), "
                        "or subcubic:PRESET (default, exact-eqke, svd, quadratic) or subcubic:EUPU/attention/error "
                        "(every one, Lean and Coq)")
    p.add_argument("--name", required=True, help="module name, UpperCamelCase (e.g. Seed123)")
    p.add_argument("--lean-dir", default="lean",
                   help="the Lean project (default ./lean); created with the core library if missing")
    p.add_argument("--prover", choices=["lean", "coq", "both"], default="lean",
                   help="lean: lean/Generated/NAME.lean (the checker returns N); coq: coq/Generated/NAME.v, a theorem "
                        "about the model itself, N <= correct_count; both (default: lean)")
    p.add_argument("--coq-dir", default="coq",
                   help="the Coq project (default ./coq); created with the Coq library if missing")
    p.add_argument("--force", action="store_true", help="run a certification estimated to take long, and overwrite "
                   "a module file pyverify did not write")
    p.add_argument("--split", action="store_true",
                   help="Lean: write Generated/NAME/Weights.lean, one Generated/NAME/Block{i}.lean per block theorem and "
                        "the final Generated/NAME.lean, so that lake builds the blocks in parallel")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("check", help="compile pyverify's own rendering of each generated theorem and report it (lean, coqc)")
    p.add_argument("--prover", choices=["lean", "coq", "both"], default="lean", help="which theorems (default: lean)")
    p.add_argument("--lean-dir", default="lean")
    p.add_argument("--coq-dir", default="coq")
    p.add_argument("--lean", metavar="PATH", help="the bare `lean` compiler to check with "
                   "(default: $PYVERIFY_LEAN, else `lean` on PATH; lake is never run)")
    p.add_argument("--module", action="append", metavar="NAME",
                   help="check only this generated module (repeatable; default: all)")
    p.add_argument("--workers", type=int, default=1,
                   help="with the bare compiler: compile the block theorems of each module on N parallel workers "
                        "(a local Dask cluster; the module is split as by export --split; default 1)")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("compare", help="numeric vs exact vs Lean and Coq bounds for one model")
    p.add_argument("model")
    p.add_argument("--lean-dir", default="lean")
    p.add_argument("--coq-dir", default="coq")
    p.add_argument("--no-lake", action="store_true", help="do not check the Lean modules even if Lean is installed")
    p.add_argument("--lean", metavar="PATH", help="check Lean modules with this bare `lean` compiler (as in check)")
    p.add_argument("--no-coq", action="store_true", help="do not run coqc even if it is installed")
    p.add_argument("--force", action="store_true", help="run a certification estimated to take long")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("demo", help="train the default model and run the whole pipeline on it")
    p.add_argument("--out", default="pyverify-demo", help="output folder (default ./pyverify-demo)")
    p.add_argument("--steps", type=int, default=3000, help="training steps (default 3000, the paper's recipe)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except PyVerifyError as e:
        print(f"pyverify: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except OSError as e:
        print(f"pyverify: error: {e.strerror or e}: {e.filename or ''}".rstrip(": "), file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("pyverify: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
