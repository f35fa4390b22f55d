prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.Loops
import PyVerify.SInt

/-!
# Exact weights

Every weight is an integer over `2^S` (one `S` for the whole model): every stored IEEE
number (float16, bfloat16, float32, float64) is exactly `m · 2^e`. Each tensor is stored as
one big `Nat` (no deep list literal): entry `i` (row-major) occupies bits
`[i·width, (i+1)·width)` as the code `2·|v| + (1 if v < 0)`.
Python twin: `pyverify/exact/weights.py` and `pyverify/provers/pack.py`.
-/

namespace PyVerify

/-- Decode one entry code: the low bit is the sign (Python: `decode`). -/
noncomputable def decodeCode (c : Nat) : SInt := ⟨Nat.beq (Nat.mod c 2) 1, Nat.div c 2⟩

/-- The first `count` entries of a packed tensor (Python: `unpack_matrix`). -/
noncomputable def decodeEntries (width count packed : Nat) : List SInt :=
  let base := Nat.pow 2 width
  @Nat.rec (fun (_ : Nat) => Nat → List SInt) (fun (_ : Nat) => List.nil)
    (fun (_ : Nat) (ih : Nat → List SInt) (rest : Nat) =>
      List.cons (decodeCode (Nat.mod rest base)) (ih (Nat.div rest base))) count packed

/-- Cut a row-major list into `rows` rows of `cols` entries (Python: `unpack_matrix`). -/
noncomputable def chunkRows (cols rows : Nat) (xs : List SInt) : List (List SInt) :=
  @Nat.rec (fun (_ : Nat) => List SInt → List (List SInt)) (fun (_ : List SInt) => List.nil)
    (fun (_ : Nat) (ih : List SInt → List (List SInt)) (ys : List SInt) =>
      List.cons (takeL cols ys) (ih (dropL cols ys))) rows xs

/-- A `rows × cols` matrix from its packed form (Python: `unpack_matrix`). -/
noncomputable def decodeMatrix (rows cols width packed : Nat) : List (List SInt) :=
  chunkRows cols rows (decodeEntries width (Nat.mul rows cols) packed)

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
