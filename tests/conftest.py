"""Shared fixtures: the model zoo and one model trained with the full recipe, each built once
per session (per worker process under pytest-xdist). Torch uses a fixed number of threads: one
per worker when the suite runs in two processes, two otherwise."""

from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

import pytest
import torch

import pyverify.model.transformer
import pyverify.model.train
from pyverify.model.checkpoint import load_model, save_checkpoint
from pyverify.model.config import ModelConfig
from pyverify.model.transformer import MaxOfKTransformer
from pyverify.model.train import TrainConfig, train
from tests.zoo import ZooModel, build_zoo

torch.set_num_threads(1 if os.environ.get("PYTEST_XDIST_WORKER") else 2)


@pytest.fixture(scope="session")
def zoo() -> list[ZooModel]:
    """The 300 small models every soundness test shares (tests/zoo.py): built once, by the first
    worker to ask, and kept in ~/.cache/pyverify/test-zoo keyed by the torch version and the code
    that builds them (the other worker waits for it, then loads it)."""
    import fcntl

    import tests.zoo

    code = b"".join(Path(m.__file__).read_bytes() for m in (pyverify.model.transformer, sys.modules["pyverify.model.train"], tests.zoo))
    key = hashlib.sha256(torch.__version__.encode() + code).hexdigest()[:16]
    folder = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pyverify" / "test-zoo"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"zoo-{key}.pt"
    with open(folder / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            saved = torch.load(path, weights_only=False)
            zoo = []
            for index, kind, cfg, state in saved:
                model = MaxOfKTransformer(ModelConfig(**cfg))
                model.load_state_dict(state)
                zoo.append(ZooModel(index, kind, model))
            return zoo
        zoo = build_zoo()
        tmp = path.with_suffix(".tmp")
        torch.save([(z.index, z.kind, z.model.cfg.to_dict(), z.model.state_dict()) for z in zoo], tmp)
        tmp.rename(path)
        return zoo


@pytest.fixture(scope="session")
def trained_k4(request) -> MaxOfKTransformer:
    """The paper's recipe, K=4, V=64, seed 123 (about 7 s on 2 cores; cached between runs in
    pytest's cache folder, keyed by the torch version and the training code)."""
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    if cache is None:
        return train(ModelConfig(), TrainConfig(seed=123))[0]
    code = b"".join(Path(m.__file__).read_bytes() for m in (pyverify.model.transformer, sys.modules["pyverify.model.train"]))
    key = hashlib.sha256(torch.__version__.encode() + code).hexdigest()[:16]
    path = cache.mkdir("pyverify-models") / f"seed123-{key}.safetensors"
    if path.exists():
        return load_model(path)
    model, info = train(ModelConfig(), TrainConfig(seed=123))
    save_checkpoint(model, path, info)
    return model


@pytest.fixture(scope="session")
def lean_compiler() -> str:
    """The Lean 4.35.0 `lean` command: $PYVERIFY_LEAN, else installed by ../shared/lean/setup.sh
    (a cache folder; the first run downloads one wheel and needs a C compiler). Skips, saying
    why, only when setup.sh cannot run here."""
    import shutil
    import subprocess

    given = os.environ.get("PYVERIFY_LEAN")
    if given:
        return given
    setup = Path(__file__).resolve().parents[2] / "shared" / "lean" / "setup.sh"
    if not setup.exists():
        pytest.skip(f"no Lean compiler: {setup} is missing and PYVERIFY_LEAN is not set")
    if shutil.which("cc") is None and shutil.which("gcc") is None:
        pytest.skip("no Lean compiler: ../shared/lean/setup.sh needs a C compiler (cc or gcc)")
    r = subprocess.run(["bash", str(setup)], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, f"../shared/lean/setup.sh failed: {r.stderr[-1000:]}"
    return r.stdout.strip().splitlines()[-1]
