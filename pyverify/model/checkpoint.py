"""Checkpoints: safetensors weights plus a JSON sidecar with the config and provenance.

``save_checkpoint(model, "runs/m.safetensors", provenance)`` writes ``runs/m.safetensors``
and ``runs/m.json``.  ``load_model`` reads that format, a TransformerLens state dict saved
with ``torch.save`` (``.pt``/``.pth``), or a bare safetensors file (config from shapes).
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save

from pyverify.version import __version__
from pyverify.atomic import write_bytes_atomic, write_text_atomic
from pyverify.model.config import ModelConfig
from pyverify.errors import PyVerifyError
from pyverify.model.transformer import STORED_DTYPES, MaxOfKTransformer, model_from_state_dict

FORMAT = "pyverify-checkpoint-1"


def sidecar_path(weights_path: str | Path) -> Path:
    """``m.safetensors`` -> ``m.json``."""
    return Path(weights_path).with_suffix(".json")


def save_checkpoint(model: MaxOfKTransformer, path: str | Path, provenance: dict | None = None) -> Path:
    """Write the weights (safetensors, in the format they were stored in: float32 for a trained
    model, never rounded) and the JSON sidecar, each atomically.

    Returns the weights path (``.safetensors`` is appended if the path has no suffix).
    """
    path = Path(path)
    if path.suffix == "":
        path = path.with_suffix(".safetensors")
    if path.suffix != ".safetensors":
        raise PyVerifyError(f"checkpoint path must end in .safetensors, got {path}")
    stored = {name: dtype for dtype, name in STORED_DTYPES.items()}.get(model.stored_dtype)
    params = model.state_dict()
    # A single stored format is written back in that format (exact: the values came from it);
    # mixed formats are written in the parameters' own dtype.
    tensors = {k: v.detach().to(stored or v.dtype).contiguous() for k, v in params.items()}
    sidecar = {
        "format": FORMAT,
        "config": model.cfg.to_dict(),
        "weights_dtype": model.stored_dtype,
        "provenance": {"pyverify_version": __version__, **(provenance or {})},
    }
    write_bytes_atomic(path, st_save(tensors, metadata={"format": FORMAT}))
    write_text_atomic(sidecar_path(path), json.dumps(sidecar, indent=2, sort_keys=True) + "\n")
    return path


def read_sidecar(path: str | Path) -> dict | None:
    """The sidecar dict of a checkpoint, or None if it has none."""
    side = sidecar_path(path)
    if not side.exists():
        return None
    try:
        data = json.loads(side.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise PyVerifyError(f"{side} is not valid JSON: {e}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("config"), dict):
        raise PyVerifyError(f"{side} is not a pyverify checkpoint sidecar")
    return data


def load_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """Read a state dict from ``.safetensors`` or a ``torch.save``d ``.pt``/``.pth`` file."""
    path = Path(path)
    if not path.exists():
        raise PyVerifyError(f"no such file: {path}")
    if path.is_dir():
        raise PyVerifyError(f"{path} is a directory, expected a model file")
    if path.suffix == ".safetensors":
        try:
            return st_load(path.read_bytes())
        except Exception as e:  # safetensors raises its own error type, which varies by version
            raise PyVerifyError(f"{path} is not a readable safetensors file ({e})") from None
    if path.suffix in (".pt", ".pth"):
        try:
            data = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as e:  # torch raises many types for corrupt pickles
            raise PyVerifyError(f"{path} is not a readable torch state dict ({type(e).__name__})") from None
        if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
            raise PyVerifyError(f"{path} does not hold a state dict (a mapping of names to tensors)")
        return data
    raise PyVerifyError(f"{path}: unknown model file type (expected .safetensors, .pt or .pth)")


def load_model(path: str | Path) -> MaxOfKTransformer:
    """Load a model from any supported file, validating keys, shapes and values."""
    state_dict = load_state_dict(path)
    cfg = None
    if Path(path).suffix == ".safetensors":
        sidecar = read_sidecar(path)
        if sidecar is not None:
            cfg = ModelConfig.from_dict(sidecar["config"])
    return model_from_state_dict(state_dict, cfg, "pyverify" if cfg is not None else "state dict")
