"""The README's main job on an embedded default: train K=4, V=64 (seed 123), measure it,
bound it with every strategy family, certify the cubic bound exactly and export it to Lean."""

from __future__ import annotations

from pathlib import Path

import pyverify.api as api
from pyverify.model.checkpoint import save_checkpoint
from pyverify.model.config import ModelConfig
from pyverify.numeric.registry import ALL
from pyverify.model.train import TrainConfig, train


def run_demo(out: Path, progress: bool = True, steps: int = 3000) -> dict:
    """Train the default model into ``out`` and print what the pipeline finds; the Lean module
    goes to ``out/lean`` (a Lake project, created if missing). ``steps`` shortens training
    (for tests)."""
    model, info = train(ModelConfig(), TrainConfig(seed=123, steps=steps), progress=progress)
    path = save_checkpoint(model, out / "max4_seed123.safetensors", info)
    print(f"trained {path} in {info['train_seconds']:.1f} s (final loss {info['final_loss']:.5f})")
    acc = api.accuracy(model, progress=progress)
    print(f"brute-force accuracy: {acc.correct} / {acc.total} = {acc.accuracy:.6f} ({acc.seconds:.2f} s)")
    print(f"{'strategy':<28} {'bound':>8} {'/accuracy':>9} {'FLOPs':>9}")
    for name in ALL[1:]:
        r = api.bound(model, name)
        print(f"{name:<28} {r.bound:8.5f} {r.bound / acc.accuracy:9.4f} {r.flops:9.3g}")
    lean_dir = out / "lean"
    exported = api.export_lean(api.certify(model, "cubic"), "Seed123", lean_dir)
    print(f"certified cubic bound (exact interval arithmetic): {exported.count} / {exported.total} "
          f"= {exported.count / exported.total:.6f} ({exported.certify_seconds:.1f} s)")
    print(f"Lean module: {exported.path} ({exported.size_bytes / 1024:.0f} KiB, {exported.method}); "
          f"check it with `pyverify check --lean-dir {lean_dir}` (`lean` on PATH, or --lean PATH to a Lean 4.35.0 `lean`; "
          f"about 9 minutes of kernel CPU, 3.6 GB)")
    print(f"a Coq theorem about the model itself (needs coqc, about 100 s to check): `pyverify export {path} "
          f"--strategy cubic --prover coq --name Seed123 --coq-dir {out / 'coq'}`, then "
          f"`pyverify check --prover coq --coq-dir {out / 'coq'}`")
    return {"checkpoint": str(path), "accuracy": acc.accuracy, "certified": exported.count}
