"""The float64 path: the input space and "correct" (inputs), the path tables (tables), the exact
count by brute force (accuracy; reference is the naive forward pass it is checked against), the
proof strategies as float64 bounds (strategies/, one list of them in registry), counted FLOPs
(flops), the cases a proof decides (counting), and estimates beside the proofs (estimate)."""
