prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.SInt
import PyVerify.ListOps

/-!
# Exact weights

Every weight is an integer over `2^S` (one `S` for the whole model): every stored IEEE
number (float16, bfloat16, float32, float64) is exactly `m · 2^e`. Each tensor is stored as
one big `Nat` (no deep list literal): entry `i` (row-major) occupies bits
`[i·width, (i+1)·width)` as the code `2·|v| + (1 if v < 0)`.
Python twin: `pyverify/exact/weights.py` and `pyverify/export/pack.py`.
-/

namespace PyVerify

/-- Decode one entry code: the low bit is the sign (Python: `decode`). -/
def decodeCode (c : Nat) : SInt := ⟨Nat.beq (Nat.mod c 2) 1, Nat.div c 2⟩

/-- The first `count` entries of a packed tensor (Python: `unpack_matrix`). -/
def decodeEntries (width : Nat) : Nat → Nat → List SInt
  | 0, _ => List.nil
  | Nat.succ k, packed =>
    List.cons (decodeCode (Nat.mod packed (Nat.pow 2 width)))
      (decodeEntries width k (Nat.div packed (Nat.pow 2 width)))

/-- Cut a row-major list into `rows` rows of `cols` entries (Python: `unpack_matrix`). -/
def chunkRows (cols : Nat) : Nat → List SInt → List (List SInt)
  | 0, _ => List.nil
  | Nat.succ r, xs => List.cons (takeL cols xs) (chunkRows cols r (dropL cols xs))

/-- A `rows × cols` matrix from its packed form (Python: `unpack_matrix`). -/
def decodeMatrix (rows cols width packed : Nat) : List (List SInt) :=
  chunkRows cols rows (decodeEntries width (rows * cols) packed)

/-- A max-of-K model's weights (zero biases), as integer matrices over `2^S`.
Shapes: `wE [V][d]`, `wPos [n][d]`, `wQ wK wV [d][h]`, `wO [h][d]`, `wU [d][V]`
(Python: `ExactWeights`). -/
structure Weights where
  /-- Vocabulary size `V`. -/
  dVocab : Nat
  /-- Sequence length `n`. -/
  nCtx : Nat
  /-- Residual width `d`. -/
  dModel : Nat
  /-- Head width `h`. -/
  dHead : Nat
  /-- The shared exponent: weight = integer / 2^S. -/
  S : Nat
  /-- Token embedding. -/
  wE : List (List SInt)
  /-- Positional embedding. -/
  wPos : List (List SInt)
  /-- Query weights. -/
  wQ : List (List SInt)
  /-- Key weights. -/
  wK : List (List SInt)
  /-- Value weights. -/
  wV : List (List SInt)
  /-- Output weights. -/
  wO : List (List SInt)
  /-- Unembedding. -/
  wU : List (List SInt)

end PyVerify
