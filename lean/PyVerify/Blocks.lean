prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.Loops

/-!
# Blocks of max tokens

Both checkers count inputs by their max token `m`, so each count is a sum over a partition of
`0 .. V-1` into ranges `[lo, hi)`. The kernel frees nothing until a theorem is done, so a
generated module proves one theorem per block (`decide +kernel`) and adds them up by
congruence. The partition is part of the checkers' definitions (`checkCubic`, `checkBrute`
sum `blockSum` over `cubicBlocks` / `bruteBlocks`) and depends only on `V` and `n`; it never
changes a count, since every `m` lies in exactly one block.
Python twin: `pyverify/exact/blocks.py`.
-/

namespace PyVerify

/-- A range `[lo, hi)` of max tokens (Python: `tuple`, the pair `(lo, hi)`). -/
structure MaxBlock where
  /-- The first max token of the block. -/
  lo : Nat
  /-- One past the last max token of the block. -/
  hi : Nat

/-- Work units per cubic block theorem, in units of `V^3 n` (Python: `BLOCK_WORK`). -/
noncomputable def blockWork : Nat := 80000

/-- Work units per brute-force block theorem, in (input, output) pairs (Python: `BRUTE_BLOCK_WORK`). -/
noncomputable def bruteBlockWork : Nat := 20000

/-- The least `c'` in `[c, c + fuel]` with `k c'^p ≥ target`, or `c + fuel` (Python: `cut_from`). -/
noncomputable def cutFrom (k p target fuel c : Nat) : Nat :=
  @Nat.rec (fun (_ : Nat) => Nat → Nat) (fun (b : Nat) => b)
    (fun (_ : Nat) (ih : Nat → Nat) (b : Nat) =>
      pick (Nat.ble target (Nat.mul k (Nat.pow b p))) b (ih (Nat.add b 1))) fuel c

/-- The cut `j` of `maxBlocks`: the least `c ≤ V` with `k c^p ≥ j V^p` (Python: `cut_from`). -/
noncomputable def blockCut (V k p j : Nat) : Nat := cutFrom k p (Nat.mul j (Nat.pow V p)) V 0

/-- The non-empty blocks among `[cut j, cut (j+1))`, `j < k`: equal work if a block's work grows
as `c^p`. `cut 0 = 0`, `cut k = V` and the cuts never decrease, so the blocks cover `0 .. V-1`
exactly once (Python: `max_blocks`). -/
noncomputable def maxBlocks (V k p : Nat) : List MaxBlock :=
  filterL (fun (b : MaxBlock) => Nat.ble (Nat.add b.lo 1) b.hi)
    (tabulate k (fun (j : Nat) => (⟨blockCut V k p j, blockCut V k p (Nat.add j 1)⟩ : MaxBlock)))

/-- `⌈work / per⌉` blocks, at least 1 and at most `V` (Python: `block_count`). -/
noncomputable def blockCount (work per V : Nat) : Nat :=
  let k := Nat.div (Nat.sub (Nat.add work per) 1) per
  pick (Nat.ble k 0) 1 (pick (Nat.ble k V) k V)

/-- The cubic checker's blocks (Python: `cubic_blocks`). -/
noncomputable def cubicBlocks (V n : Nat) : List MaxBlock :=
  maxBlocks V (blockCount (Nat.mul (Nat.pow V 3) n) blockWork V) 3

/-- The brute-force checker's blocks (Python: `brute_blocks`). -/
noncomputable def bruteBlocks (V n : Nat) : List MaxBlock :=
  maxBlocks V (blockCount (Nat.mul (Nat.mul (Nat.pow V n) n) V) bruteBlockWork V) n

/-- `a + b`, as a named definition: the final theorem of a module matches the sum of its block
counts by congruence, and the kernel never unfolds a named sum to evaluate a block there
(Python: `operator.add`). -/
noncomputable def addCount (a b : Nat) : Nat := Nat.add a b

/-- `Σ f lo hi` over the blocks (Python: `sum`). -/
noncomputable def blockSum (f : Nat → Nat → Nat) (blocks : List MaxBlock) : Nat :=
  @List.rec MaxBlock (fun (_ : List MaxBlock) => Nat) 0
    (fun (b : MaxBlock) (_ : List MaxBlock) (ih : Nat) => addCount (f b.lo b.hi) ih) blocks

end PyVerify
