prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.Loops
import PyVerify.SInt
import PyVerify.Weights

/-!
# Exact path tables

Integer matrix products of the weights, with no rounding: `EUPU` over `2^(2S)`; `EQKE`,
`EQKP`, `EVOU`, `PVOU` over `2^(4S)` (before the attention scale).
Python twin: `exact_tables` in `pyverify/exact/weights.py`.

A dot product is one big-number multiplication, which the kernel does with GMP (issue 12:
table building at V = 32 went from 17.8 s to 2.0 s). With `oA ≥ |aᵢ|`, `oB ≥ |bᵢ|` and
`X = 2^w > 4 d oA oB`, pack `A = Σᵢ (aᵢ + oA) Xⁱ` and `B = Σᵢ (bᵢ + oB) X^(d-1-i)`. Every
coefficient of `A · B` is a sum of at most `d` products below `4 oA oB`, so below `X`: no
coefficient carries into the next, and the one of `X^(d-1)` is `Σᵢ (aᵢ + oA)(bᵢ + oB)`
`= a·b + oB Σaᵢ + oA Σbᵢ + d oA oB`.
-/

namespace PyVerify

/-- The largest magnitude in a row (Python: `max`, of `abs`). -/
noncomputable def rowMag (row : List SInt) : Nat :=
  @List.rec SInt (fun (_ : List SInt) => Nat) 0 (fun (x : SInt) (_ : List SInt) (ih : Nat) => natMax x.mag ih) row

/-- The largest magnitude in a matrix (Python: `max`, of `abs`). -/
noncomputable def maxMag (rows : List (List SInt)) : Nat :=
  @List.rec (List SInt) (fun (_ : List (List SInt)) => Nat) 0
    (fun (row : List SInt) (_ : List (List SInt)) (ih : Nat) => natMax (rowMag row) ih) rows

/-- The least `w` with `x < 2^w` (Python: `int.bit_length`). -/
noncomputable def bitLength (x : Nat) : Nat :=
  @Nat.rec (fun (_ : Nat) => Nat → Nat) (fun (_ : Nat) => 0)
    (fun (_ : Nat) (ih : Nat → Nat) (y : Nat) => pick (Nat.beq y 0) 0 (Nat.add (ih (Nat.div y 2)) 1)) x x

/-- The digit `x + off` of a packed vector, for `|x| ≤ off` (Python: `operator.add`). -/
noncomputable def offsetDigit (off : Nat) (x : SInt) : Nat := pick x.neg (Nat.sub off x.mag) (Nat.add off x.mag)

/-- `Σᵢ (xᵢ + off) Xⁱ` (Python: `sum`, of digits times powers). -/
noncomputable def packDigits (X off : Nat) (xs : List SInt) : Nat :=
  @List.rec SInt (fun (_ : List SInt) => Nat) 0
    (fun (x : SInt) (_ : List SInt) (ih : Nat) => Nat.add (offsetDigit off x) (Nat.mul X ih)) xs

/-- A vector packed into one number, with the sum of its entries (Python: `sum`). -/
structure Packed where
  /-- The packed digits. -/
  value : Nat
  /-- The sum of the entries. -/
  total : SInt

/-- `a · b` from the packed row `a` and the packed, reversed column `b`: the coefficient of
`X^(d-1)` (`shift = X^(d-1)`), less the offsets' contribution (Python: `matmul`, one entry). -/
noncomputable def packedDot (X shift d oA oB : Nat) (a b : Packed) : SInt :=
  let coeff := Nat.mod (Nat.div (Nat.mul a.value b.value) shift) X
  SInt.sub
    (SInt.sub (SInt.sub (SInt.ofNat coeff) (SInt.mul (SInt.ofNat oB) a.total)) (SInt.mul (SInt.ofNat oA) b.total))
    (SInt.ofNat (Nat.mul d (Nat.mul oA oB)))

/-- `A · B` given the rows of `A` and the columns of `B` (the rows of `Bᵀ`), all of length `d`
(Python: `matmul`). -/
noncomputable def matmulT (A Bt : List (List SInt)) : List (List SInt) :=
  let d := lengthL (headD A List.nil)
  let oA := maxMag A
  let oB := maxMag Bt
  let X := Nat.pow 2 (bitLength (Nat.mul (Nat.mul 4 d) (Nat.mul oA oB)))
  let shift := Nat.pow X (Nat.sub d 1)
  let rows := mapL (fun (row : List SInt) => (⟨packDigits X oA row, sumS row⟩ : Packed)) A
  let cols := mapL (fun (col : List SInt) => (⟨packDigits X oB (reverseL col), sumS col⟩ : Packed)) Bt
  mapL (fun (a : Packed) => mapL (fun (b : Packed) => packedDot X shift d oA oB a b) cols) rows

/-- Elementwise sum of two rows (Python: `operator.add` per entry, in `exact_tables`). -/
noncomputable def rowAdd (xs ys : List SInt) : List SInt := zipWithL SInt.add xs ys

/-- The query rows of the residual stream, `W_E + W_pos[n-1]` (`[V][d]`, over `2^S`)
(Python: `resid_query`). -/
noncomputable def residQuery (w : Weights) : List (List SInt) :=
  let last := getD w.wPos (Nat.sub w.nCtx 1) List.nil
  mapL (fun (row : List SInt) => rowAdd row last) w.wE

/-- The first `cols` columns of a matrix, as rows (Python: `transpose`). -/
noncomputable def transpose (cols : Nat) (rows : List (List SInt)) : List (List SInt) :=
  @Nat.rec (fun (_ : Nat) => List (List SInt) → List (List SInt)) (fun (_ : List (List SInt)) => List.nil)
    (fun (_ : Nat) (ih : List (List SInt) → List (List SInt)) (rs : List (List SInt)) =>
      List.cons (mapL (fun (r : List SInt) => headD r SInt.zero) rs) (ih (mapL (fun (r : List SInt) => tailL r) rs)))
    cols rows

/-- Exact tables (see the module docstring for their denominators) (Python: `ExactTables`). -/
structure Tables where
  /-- The shared weight exponent. -/
  S : Nat
  /-- Direct path `[q][o]`, over `2^(2S)`. -/
  EUPU : List (List SInt)
  /-- Query-key, token part `[q][k]`, over `2^(4S)`, unscaled. -/
  EQKE : List (List SInt)
  /-- Query-key, position part `[q][i]`, over `2^(4S)`, unscaled. -/
  EQKP : List (List SInt)
  /-- Value path, token part `[k][o]`, over `2^(4S)`. -/
  EVOU : List (List SInt)
  /-- Value path, position part `[i][o]`, over `2^(4S)`. -/
  PVOU : List (List SInt)

/-- The exact tables of a model (Python: `exact_tables`). -/
noncomputable def exactTables (w : Weights) : Tables :=
  let residQuery := mapL (fun (row : List SInt) => rowAdd row (getD w.wPos (Nat.sub w.nCtx 1) List.nil)) w.wE
  let QK := matmulT w.wQ w.wK
  let queryKey := matmulT residQuery (transpose w.dModel QK)
  let OV := matmulT w.wV (transpose w.dModel w.wO)
  let WUt := transpose w.dVocab w.wU
  let OVUt := transpose w.dVocab (matmulT OV WUt)
  { S := w.S
    EUPU := matmulT residQuery WUt
    EQKE := matmulT queryKey w.wE
    EQKP := matmulT queryKey w.wPos
    EVOU := matmulT w.wE OVUt
    PVOU := matmulT w.wPos OVUt }

end PyVerify
