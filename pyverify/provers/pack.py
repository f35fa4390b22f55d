"""Packing an integer matrix into one big natural number (lean/PyVerify/Weights.lean decodes it).

Entry i (row-major) occupies bits [i*width, (i+1)*width) as the code 2*|v| + (1 if v < 0).
"""

from __future__ import annotations


def encode(v: int) -> int:
    return 2 * abs(v) + (1 if v < 0 else 0)


def decode(code: int) -> int:
    return -(code // 2) if code % 2 else code // 2


def pack_matrix(rows: list[list[int]]) -> tuple[int, int]:
    """(width, packed) for a matrix of integers."""
    codes = [encode(v) for row in rows for v in row]
    width = max(1, max(c.bit_length() for c in codes))
    packed = 0
    for i, c in enumerate(codes):
        packed |= c << (width * i)
    return width, packed


def unpack_matrix(rows: int, cols: int, width: int, packed: int) -> list[list[int]]:
    """The inverse of pack_matrix (the Python twin of Lean's decodeMatrix)."""
    mask = (1 << width) - 1
    flat = [decode((packed >> (width * i)) & mask) for i in range(rows * cols)]
    return [flat[r * cols : (r + 1) * cols] for r in range(rows)]
