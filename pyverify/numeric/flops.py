"""Counting floating-point operations as a computation performs them (docs/strategies.md,
"FLOP accounting").

The counted operations compute and charge in one call, so a charge cannot drift from the
code it describes: ``A = flops.mm(W_E, W_Q)``, ``flops.each(x)`` for an elementwise result
or a reduction's input.
"""

from __future__ import annotations

import torch


class FlopCounter:
    """Counts floating-point operations as a strategy performs them.

    Rules: an elementwise op or a reduction costs one FLOP per element it reads from its
    largest input (for an elementwise op that is the size of its result); exp counts as one
    FLOP, a log-sum-exp scan as three per element; a matrix product [a, b] @ [b, c] costs
    2abc; an SVD of an [a, b] matrix (a >= b) costs 4ab^2 + 8b^3 and a QR 2ab^2 (the LAPACK
    estimates); sorting r rows of length s costs r * s * ceil(log2 s).
    """

    def __init__(self) -> None:
        self.total = 0

    def add(self, n: int) -> None:
        """Charge n FLOPs for work that is not a single counted operation (a case loop)."""
        self.total += int(n)

    def each(self, x: torch.Tensor) -> torch.Tensor:
        """Charge one FLOP per element of x (an elementwise result, or a reduction's input)."""
        self.total += x.numel()
        return x

    def mm(self, A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
        """A @ B, charged 2abc (a vector counts as one row or one column)."""
        a = A.shape[0] if A.dim() == 2 else 1
        c = B.shape[1] if B.dim() == 2 else 1
        self.total += 2 * a * A.shape[-1] * c
        return A @ B

    def svd(self, A: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The thin SVD (U, S, Vh) of A."""
        a, b = max(A.shape), min(A.shape)
        self.total += 4 * a * b * b + 8 * b**3
        return torch.linalg.svd(A, full_matrices=False)

    def qr(self, A: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The thin QR factorisation of A."""
        a, b = max(A.shape), min(A.shape)
        self.total += 2 * a * b * b
        return torch.linalg.qr(A)

    def sort_rows(self, x: torch.Tensor) -> torch.Tensor:
        """Each row of x sorted ascending."""
        rows, length = x.shape
        self.total += rows * length * max(1, (length - 1).bit_length())
        return x.sort(dim=1).values

    def log_cumsum_exp(self, x: torch.Tensor) -> torch.Tensor:
        """log(cumsum(exp(x))) along each row."""
        self.total += 3 * x.numel()
        return x.logcumsumexp(dim=1)
