"""Blocks of max tokens: how a certified count is split into kernel-sized theorems.

Both checkers count inputs by their max token m, so their count is a sum over a partition of
0..V-1 into ranges [lo, hi) ("blocks"). The Lean kernel frees nothing until a theorem is done,
so each block becomes its own theorem; the partition is fixed by V and n (not chosen per model)
and is part of the checker's definition, in Lean (`maxBlocks`, lean/PyVerify/Blocks.lean) and
here. The count does not depend on it: every m is in exactly one block.

Cuts are placed so that each block holds about the same work: the cubic checker's work below
max token c grows as c^3, brute force's as c^n (the inputs whose tokens are all < c).
"""

from __future__ import annotations

# Work units per block theorem (Lean: `blockWork`): a cubic block covers about this many
# V^3 n units, a brute-force block this many (input, output) pairs. See `kernel_estimate`.
BLOCK_WORK = 80_000
BRUTE_BLOCK_WORK = 20_000
SUBCUBIC_BLOCK_WORK = 4_096  # subcubic: V^2 n^2 units (cases times exps per case)


def cut_from(k: int, p: int, target: int, fuel: int, c: int) -> int:
    """The least c' in [c, c + fuel] with k c'^p >= target, or c + fuel (Lean: `cutFrom`)."""
    for _ in range(fuel):
        if target <= k * c**p:
            return c
        c += 1
    return c


def max_blocks(V: int, k: int, p: int) -> list[tuple[int, int]]:
    """The non-empty ranges among [cut j, cut (j+1)), j < k, where cut j is the least c with
    k c^p >= j V^p: equal work if block work grows as c^p. cut 0 = 0, cut k = V and cuts never
    decrease, so the blocks cover 0..V-1 exactly once (Lean: `maxBlocks`)."""
    cut = [cut_from(k, p, j * V**p, V, 0) for j in range(k + 1)]
    return [(cut[j], cut[j + 1]) for j in range(k) if cut[j] < cut[j + 1]]


def block_count(work: int, per_block: int, V: int) -> int:
    """ceil(work / per_block) blocks, at least 1 and at most V (Lean: `blockCount`)."""
    return min(max(1, (work + per_block - 1) // per_block), V)


def cubic_blocks(V: int, n: int) -> list[tuple[int, int]]:
    """The cubic checker's blocks (Lean: `cubicBlocks`)."""
    return max_blocks(V, block_count(V**3 * n, BLOCK_WORK, V), 3)


def brute_blocks(V: int, n: int) -> list[tuple[int, int]]:
    """The brute-force checker's blocks (Lean: `bruteBlocks`)."""
    return max_blocks(V, block_count(V**n * n * V, BRUTE_BLOCK_WORK, V), n)


def subcubic_blocks(V: int, n: int) -> list[tuple[int, int]]:
    """The subcubic checker's blocks: its work below max token c grows as c^2 (Lean: `subcubicBlocks`)."""
    return max_blocks(V, block_count(V**2 * n * n, SUBCUBIC_BLOCK_WORK, V), 2)


def kernel_estimate(strategy: str, V: int, n: int, d_model: int) -> tuple[float, float, int]:
    """(CPU seconds in all, peak GB of the largest block, blocks) for `lake build` of one module.

    Fitted to measurements on Lean 4.35.0 (issue 12, cubic, n = 4): a kernel-written checker in
    one theorem took 1.8 / 5.5 / 31 / 105 s and 0.4 / 0.8 / 3.2 / 9.2 GB at V = 8 / 16 / 32 / 48,
    about 1 ms and 0.09 MB per V^3 (0.13 MB allowing for uneven blocks); 8 blocks at V = 64 took 290 s and 4.4 GB. Each block
    rebuilds the tables it reads (about 5 s at V = 64, d = 32). Brute force is scaled by its
    (input, output) pairs at the same cost per pair as a cubic case; not measured. Subcubic is
    not measured either: its (q, m, c) cases, about n exps each, at ten cubic units per exp."""
    if strategy == "brute-force":
        blocks = brute_blocks(V, n)
        units = V**n * n * V / 8
    elif strategy.startswith("subcubic"):
        blocks = subcubic_blocks(V, n)
        units = 5 * V**2 * n**2
    else:
        blocks = cubic_blocks(V, n)
        units = V**3 * n / 4
    k = len(blocks)
    tables = 5.0 * (V / 64) ** 2 * (d_model / 32)
    seconds = 1.5 + 1e-3 * units + tables * k
    peak_gb = 0.3 + 1.3e-4 * units / k
    return seconds, peak_gb, k
