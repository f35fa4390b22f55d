"""Training on the max-of-K task with the paper's recipe (deterministic on CPU)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from tqdm.auto import tqdm

from pyverify.model.config import ModelConfig
from pyverify.errors import PyVerifyError
from pyverify.limits import require_memory
from pyverify.model.transformer import MaxOfKTransformer


@dataclass(frozen=True)
class TrainConfig:
    """The paper's MAX_OF_4 recipe: AdamW(1e-3, (0.9, 0.999), wd 0.01), batch 128, 3000 steps."""

    seed: int = 123
    steps: int = 3000
    batch_size: int = 128
    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)
    weight_decay: float = 0.01

    def __post_init__(self) -> None:
        if self.steps < 0 or self.batch_size < 1 or not self.lr > 0:
            raise PyVerifyError("steps must be >= 0, batch_size >= 1 and lr > 0")


def sample_batch(cfg: ModelConfig, batch_size: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Uniform random sequences and their max. Returns tokens [B, n] and labels [B]."""
    tokens = torch.randint(0, cfg.d_vocab, (batch_size, cfg.n_ctx), generator=generator)
    return tokens, tokens.max(dim=1).values


def train(cfg: ModelConfig, tcfg: TrainConfig, progress: bool = False) -> tuple[MaxOfKTransformer, dict]:
    """Train a fresh model; return it and its provenance (seed, steps, final loss, time)."""
    B, V, n, d, h = tcfg.batch_size, cfg.d_vocab, cfg.n_ctx, cfg.d_model, cfg.d_head
    # float32 activations of one step, with their gradients and autograd's saved copies.
    require_memory(f"training with batch size {B}", 4 * 8 * B * n * (V + n + 4 * d + 4 * h) + 4 * 4 * V * d)
    start = time.perf_counter()
    generator = torch.Generator().manual_seed(tcfg.seed)
    model = MaxOfKTransformer(cfg)
    model.init_weights(generator)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=tcfg.lr, betas=tcfg.betas, weight_decay=tcfg.weight_decay)
    loss = torch.tensor(float("nan"))
    bar = tqdm(range(tcfg.steps), desc="train", unit="step", disable=not progress)
    for step in bar:
        tokens, labels = sample_batch(cfg, tcfg.batch_size, generator)
        loss = F.cross_entropy(model(tokens), labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step % 50 == 0 or step == tcfg.steps - 1:
            bar.set_postfix(loss=f"{loss.item():.4f}")
    final_loss = float(loss.item())
    if tcfg.steps > 0 and not torch.isfinite(torch.tensor(final_loss)):
        raise PyVerifyError(f"training diverged (final loss {final_loss}); try a smaller --lr")
    info = {**asdict(tcfg), "final_loss": final_loss, "train_seconds": round(time.perf_counter() - start, 3)}
    info["betas"] = list(tcfg.betas)
    return model, info
