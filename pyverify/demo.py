"""The README's main job on an embedded default: train K=4, V=64 (seed 123), then measure it."""

from __future__ import annotations

from pathlib import Path

from pyverify.bruteforce import count_correct
from pyverify.checkpoint import save_checkpoint
from pyverify.config import ModelConfig
from pyverify.tables import path_tables
from pyverify.train import TrainConfig, train


def run_demo(out: Path, progress: bool = True) -> dict:
    """Train the default model into ``out`` and print what the pipeline finds."""
    model, info = train(ModelConfig(), TrainConfig(seed=123), progress=progress)
    path = save_checkpoint(model, out / "max4_seed123.safetensors", info)
    print(f"trained {path} in {info['train_seconds']:.1f} s (final loss {info['final_loss']:.5f})")
    tables = path_tables(model)
    acc = count_correct(tables, progress=progress)
    print(f"brute-force accuracy: {acc.correct} / {acc.total} = {acc.accuracy:.6f} ({acc.seconds:.2f} s)")
    return {"checkpoint": str(path), "accuracy": acc.accuracy}
