"""Bad input gets one clear line and exit status 2, never a traceback (issue 7, section 3).

Every malformed file or sidecar below is fed, in-process, to every command that reads a
model. An uncaught exception would propagate out of ``main`` and fail the test.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch
from safetensors.torch import save_file

from pyverify.model.checkpoint import save_checkpoint
from pyverify.cli import main
from tests.zoo import random_model

LEAN = Path(__file__).resolve().parents[1] / "lean"
V, N, D, H = 4, 3, 4, 4


def good_state_dict() -> dict:
    return {k: v.clone() for k, v in random_model(V, N, seed=0, d=D, h=H).state_dict().items()}


def with_value(key, value):
    def make(sd):
        sd[key] = value
    return make


def without(key):
    return lambda sd: sd.pop(key)


def set_entry(key, index, value):
    return lambda sd: sd[key].__setitem__(index, value)


# State dicts saved with torch.save: (name, mutation).
PT_CASES = [
    ("W_E list", with_value("embed.W_E", [[0.0] * D] * V)),
    ("W_E string", with_value("embed.W_E", "weights")),
    ("W_E dict", with_value("embed.W_E", {"a": torch.ones(2)})),
    ("W_E int", with_value("embed.W_E", 3)),
    ("W_E None", with_value("embed.W_E", None)),
    ("W_U meta", with_value("unembed.W_U", torch.empty(D, V, device="meta"))),
    ("W_E meta", with_value("embed.W_E", torch.empty(V, D, device="meta"))),
    ("W_U sparse coo", with_value("unembed.W_U", torch.eye(D, V).to_sparse())),
    ("W_E sparse csr", with_value("embed.W_E", torch.eye(V, D).to_sparse_csr())),
    ("W_U int64", with_value("unembed.W_U", torch.ones(D, V, dtype=torch.int64))),
    ("W_U bool", with_value("unembed.W_U", torch.ones(D, V, dtype=torch.bool))),
    ("W_U complex", with_value("unembed.W_U", torch.ones(D, V, dtype=torch.complex64))),
    ("W_U float8", with_value("unembed.W_U", torch.ones(D, V).to(torch.float8_e4m3fn))),
    ("W_U NaN", set_entry("unembed.W_U", (0, 0), float("nan"))),
    ("W_pos inf", set_entry("pos_embed.W_pos", (1, 1), float("inf"))),
    ("W_Q -inf", set_entry("blocks.0.attn.W_Q", (0, 1, 1), float("-inf"))),
    ("b_U NaN", with_value("unembed.b_U", torch.full((V,), float("nan")))),
    ("W_U wrong shape", with_value("unembed.W_U", torch.ones(D, V + 1))),
    ("W_O wrong rank", with_value("blocks.0.attn.W_O", torch.ones(H, D))),
    ("W_E 1-d", with_value("embed.W_E", torch.ones(V))),
    ("W_E 0-d", with_value("embed.W_E", torch.tensor(1.0))),
    ("W_E 3-d", with_value("embed.W_E", torch.ones(1, V, D))),
    ("W_E empty vocab", with_value("embed.W_E", torch.ones(0, D))),
    ("W_pos one position", with_value("pos_embed.W_pos", torch.ones(1, D))),
    ("W_E zero width", with_value("embed.W_E", torch.ones(V, 0))),
    ("missing W_E", without("embed.W_E")),
    ("missing W_V", without("blocks.0.attn.W_V")),
    ("missing W_pos", without("pos_embed.W_pos")),
    ("unexpected key", with_value("mystery", torch.ones(1))),
    ("LayerNorm", with_value("blocks.0.ln1.w", torch.ones(D))),
    ("final LayerNorm", with_value("ln_final.b", torch.ones(D))),
    ("MLP", with_value("blocks.0.mlp.W_in", torch.ones(D, 8))),
    ("two layers", with_value("blocks.1.attn.W_Q", torch.ones(1, D, H))),
    ("two heads", with_value("blocks.0.attn.W_Q", torch.ones(2, D, H))),
]


def write_pt(path: Path, mutate) -> Path:
    sd = good_state_dict()
    mutate(sd)
    torch.save(sd, path)
    return path


def write_raw(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def checkpoint_with_sidecar(path: Path, edit) -> Path:
    """A valid checkpoint whose sidecar is then edited (edit: dict -> dict, or bytes)."""
    weights = save_checkpoint(random_model(V, N, seed=0, d=D, h=H), path)
    side = weights.with_suffix(".json")
    if isinstance(edit, bytes):
        side.write_bytes(edit)
    else:
        side.write_text(json.dumps(edit(json.loads(side.read_text()))))
    return weights


def config_field(name, value):
    def edit(data):
        data["config"][name] = value
        return data
    return edit


SIDECAR_CASES = [
    ("sidecar not JSON", b"{ not json"),
    ("sidecar not UTF-8", b"\xff\xfe\x00garbage"),
    ("sidecar empty", b""),
    ("sidecar a list", b"[1, 2, 3]"),
    ("sidecar wrong format", lambda d: {**d, "format": "something-else"}),
    ("sidecar config a string", lambda d: {**d, "config": "V=4"}),
    ("sidecar no config", lambda d: {k: v for k, v in d.items() if k != "config"}),
    ("attn_scale string", config_field("attn_scale", "2.0")),
    ("attn_scale list", config_field("attn_scale", [2.0])),
    ("attn_scale 10**400", config_field("attn_scale", 10**400)),
    ("attn_scale 1e-320", config_field("attn_scale", 1e-320)),
    ("attn_scale NaN", config_field("attn_scale", float("nan"))),
    ("attn_scale Infinity", config_field("attn_scale", float("inf"))),
    ("attn_scale negative", config_field("attn_scale", -2.0)),
    ("attn_scale zero", config_field("attn_scale", 0)),
    ("attn_scale true", config_field("attn_scale", True)),
    ("attn_scale object", config_field("attn_scale", {"value": 2})),
    ("trainable_biases string", config_field("trainable_biases", "no")),
    ("trainable_biases int", config_field("trainable_biases", 1)),
    ("trainable_biases null", config_field("trainable_biases", None)),
    ("d_vocab string", config_field("d_vocab", "4")),
    ("d_vocab float", config_field("d_vocab", 4.0)),
    ("d_vocab bool", config_field("d_vocab", True)),
    ("d_vocab negative", config_field("d_vocab", -4)),
    ("d_vocab huge", config_field("d_vocab", 10**400)),
    ("d_vocab mismatch", config_field("d_vocab", V + 1)),
    ("n_ctx one", config_field("n_ctx", 1)),
    ("d_head mismatch", config_field("d_head", H + 3)),
    ("n_heads two", config_field("n_heads", 2)),
    ("n_heads string", config_field("n_heads", "1")),
    ("unknown config field", config_field("n_layers", 1)),
]


def safetensors_cases(tmp: Path) -> list[tuple[str, Path]]:
    good = {k: v.contiguous() for k, v in good_state_dict().items()}
    cases = []
    path = tmp / "int.safetensors"
    save_file({**good, "unembed.W_U": torch.ones(D, V, dtype=torch.int32)}, path)
    cases.append(("safetensors int tensor", path))
    path = tmp / "nan.safetensors"
    save_file({**good, "embed.W_E": torch.full((V, D), float("nan"))}, path)
    cases.append(("safetensors NaN", path))
    path = tmp / "f8.safetensors"
    save_file({**good, "embed.W_E": torch.ones(V, D).to(torch.float8_e5m2)}, path)
    cases.append(("safetensors float8", path))
    path = tmp / "shape.safetensors"
    save_file({**good, "pos_embed.W_pos": torch.ones(N, D + 1)}, path)
    cases.append(("safetensors wrong shape", path))
    whole = (tmp / "int.safetensors").read_bytes()
    cases.append(("safetensors truncated", write_raw(tmp / "cut.safetensors", whole[: len(whole) // 2])))
    cases.append(("safetensors garbage", write_raw(tmp / "junk.safetensors", b"not a tensor file at all")))
    cases.append(("safetensors empty", write_raw(tmp / "empty.safetensors", b"")))
    return cases


def all_cases(tmp: Path) -> list[tuple[str, Path]]:
    cases = [(name, write_pt(tmp / f"pt{i}.pt", mutate)) for i, (name, mutate) in enumerate(PT_CASES)]
    for i, (name, edit) in enumerate(SIDECAR_CASES):
        cases.append((name, checkpoint_with_sidecar(tmp / f"side{i}.safetensors", edit)))
    cases += safetensors_cases(tmp)
    cases.append(("state dict is a list", write_pt_raw(tmp / "list.pt", [1, 2])))
    cases.append(("state dict with int keys", write_pt_raw(tmp / "intkeys.pt", {1: torch.ones(2)})))
    cases.append(("empty state dict", write_pt_raw(tmp / "emptydict.pt", {})))
    cases.append(("corrupt pickle", write_raw(tmp / "corrupt.pt", b"\x80\x04garbage")))
    cases.append(("empty .pt", write_raw(tmp / "nothing.pt", b"")))
    cases.append(("unknown suffix", write_raw(tmp / "model.txt", b"hello")))
    cases.append(("missing file", tmp / "absent.safetensors"))
    (tmp / "folder.pt").mkdir()
    cases.append(("a directory", tmp / "folder.pt"))
    return cases


def write_pt_raw(path: Path, obj) -> Path:
    torch.save(obj, path)
    return path


def commands(model: Path, lean: Path) -> list[list[str]]:
    return [
        ["accuracy", str(model), "--quiet"],
        ["bound", str(model), "--strategy", "all"],
        ["export", str(model), "--strategy", "cubic", "--name", "Bad", "--lean-dir", str(lean)],
        ["export", str(model), "--strategy", "brute-force", "--name", "Bad", "--lean-dir", str(lean)],
        ["compare", str(model), "--lean-dir", str(lean), "--no-lake"],
    ]


def assert_one_line_error(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2, (argv, out, err)
    assert len(lines) == 1 and lines[0].startswith("pyverify: error: "), (argv, err)
    assert "Traceback" not in err and len(lines[0]) < 300, (argv, err)


def test_fuzz_every_command_with_malformed_files(tmp_path, capsys):
    lean = tmp_path / "lean"
    shutil.copytree(LEAN, lean, ignore=shutil.ignore_patterns(".lake", "Generated", "Generated.lean"))
    cases = all_cases(tmp_path)
    assert len(cases) >= 50
    for name, path in cases:
        for argv in commands(path, lean):
            assert_one_line_error(argv, capsys)
    assert not (lean / "Generated").exists()  # nothing was written for a bad model


def test_sweep_refuses_a_malformed_reused_model(tmp_path, capsys):
    out = tmp_path / "sweep"
    (out / "models").mkdir(parents=True)
    checkpoint_with_sidecar(out / "models" / "seed0.safetensors", config_field("attn_scale", "2"))
    code = main(["sweep", "--k", "3", "--d-vocab", "4", "--seeds", "1", "--out", str(out), "--quiet"])
    text, err = capsys.readouterr()
    failed = [line for line in text.splitlines() if line.startswith("FAILED")]  # a failed seed is one line
    assert code == 1 and len(failed) == 1 and "seed 0:" in failed[0] and "attn_scale" in failed[0], text
    assert "Traceback" not in text + err


def test_impossible_sizes_are_refused_before_allocating(tmp_path, capsys):
    """V = 3000, n = 2: the cubic margins alone would be 432 GB (issue 7, section 4)."""
    model = random_model(3000, 2, seed=0, d=2, h=2)
    path = save_checkpoint(model, tmp_path / "big.safetensors")
    for argv in (["accuracy", str(path), "--quiet"], ["bound", str(path), "--strategy", "cubic"],
                 ["bound", str(path), "--strategy", "subcubic"], ["export", str(path), "--name", "Big",
                                                                  "--lean-dir", str(LEAN)]):
        assert_one_line_error(argv, capsys)
    # --force overrides a time estimate, never an impossible allocation.
    assert_one_line_error(["bound", str(path), "--strategy", "cubic", "--force"], capsys)
    assert_one_line_error(["export", str(path), "--name", "Big", "--lean-dir", str(LEAN), "--force"], capsys)
    assert_one_line_error(["train", "--k", "2", "--batch-size", str(10**9), "--steps", "1",
                           "--out", str(tmp_path / "t")], capsys)


def test_memory_limit_names_size_and_limit(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("PYVERIFY_MEMORY_GB", "0.001")
    path = save_checkpoint(random_model(40, 3, seed=0, d=4, h=4), tmp_path / "m.safetensors")
    main(["bound", str(path), "--strategy", "cubic"])
    err = capsys.readouterr().err
    assert "GiB of memory, over the limit of 0.0 GiB" in err and "PYVERIFY_MEMORY_GB" in err


def test_svd_failure_is_one_line(monkeypatch, tmp_path, capsys):
    def broken(*args, **kwargs):
        raise torch.linalg.LinAlgError("linalg.svd: The algorithm failed to converge")
    monkeypatch.setattr(torch.linalg, "svd", broken)
    path = save_checkpoint(random_model(5, 3, seed=0), tmp_path / "m.safetensors")
    assert_one_line_error(["bound", str(path), "--strategy", "subcubic:svd"], capsys)
