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


# Per family: kernel CPU seconds per work unit, GB of peak memory per unit in one block, and the
# CPU seconds each block spends rebuilding the tables (at V = 64, d = 32). Fitted to the real
# compiler (Lean 4.35.0, 2 cores, scripts/bench_lean.py): Seed123 cubic, 14 blocks, 527 s CPU
# (user + system) and 3.6 GB for the largest block; Seed123Subcubic, 16 blocks, 279 s and
# 1.7 GB; brute force on zoo models, about 4.5 ms a unit (V = 9, 16 at n = 3: 9.6 s, 120 s).
KERNEL_COST = {"cubic": (1.8e-3, 1.75e-4, 4.0), "subcubic": (8.0e-4, 6.7e-5, 1.0), "brute-force": (4.5e-3, 1.0e-4, 0.5)}


# Per family: its Lean checker's partition of the max tokens, and the work units of a module.
KERNEL_WORK = {"brute-force": (brute_blocks, lambda V, n: V**n * n * V / 8),
               "subcubic": (subcubic_blocks, lambda V, n: 5 * V**2 * n**2),
               "cubic": (cubic_blocks, lambda V, n: V**3 * n / 4)}


def kernel_estimate(strategy: str, V: int, n: int, d_model: int) -> tuple[float, float, int]:
    """(CPU seconds in all, peak GB of the largest block, blocks) for the Lean kernel to check
    one generated module: the blocks' work units (cubic V^3 n / 4, subcubic 5 V^2 n^2, brute force
    V^n n V / 8) at the family's fitted cost (KERNEL_COST), plus each block's tables."""
    family = strategy.partition(":")[0]
    partition, work = KERNEL_WORK[family]
    blocks, units = partition(V, n), work(V, n)
    per_unit, gb_per_unit, tables_at_64 = KERNEL_COST[family]
    k = len(blocks)
    tables = tables_at_64 * (V / 64) ** 2 * (d_model / 32)
    return 1.5 + per_unit * units + tables * k, 0.3 + gb_per_unit * units / k, k
