prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.SInt
import PyVerify.ListOps
import PyVerify.Weights

/-!
# Exact path tables

Integer matrix products of the weights, with no rounding: `EUPU` over `2^(2S)`; `EQKE`,
`EQKP`, `EVOU`, `PVOU` over `2^(4S)` (before the attention scale).
Python twin: `exact_tables` in `pyverify/exact/weights.py`.
-/

namespace PyVerify

/-- Dot product (Python: `sum(a * b for a, b in zip(row, col))`)
(Python: `sum` of products, in `matmul`). -/
def dot : List SInt → List SInt → SInt
  | List.cons x xs, List.cons y ys => SInt.add (SInt.mul x y) (dot xs ys)
  | _, _ => SInt.zero

/-- Elementwise sum of two rows (Python: `operator.add` per entry, in `exact_tables`). -/
def rowAdd : List SInt → List SInt → List SInt
  | List.cons x xs, List.cons y ys => List.cons (SInt.add x y) (rowAdd xs ys)
  | _, _ => List.nil

/-- First element or zero (Python: `operator.getitem`). -/
def headS : List SInt → SInt
  | List.nil => SInt.zero
  | List.cons x _ => x

/-- All but the first element (Python: `operator.getitem`, a slice). -/
def tailS : List SInt → List SInt
  | List.nil => List.nil
  | List.cons _ xs => xs

/-- The first `cols` columns of a matrix, as rows (Python: `transpose`). -/
def transposeAux : Nat → List (List SInt) → List (List SInt)
  | 0, _ => List.nil
  | Nat.succ k, rows => List.cons (mapL headS rows) (transposeAux k (mapL tailS rows))

/-- Transpose of a matrix with `cols` columns (Python: `transpose`). -/
def transpose (cols : Nat) (rows : List (List SInt)) : List (List SInt) := transposeAux cols rows

/-- `A · B` given the rows of `Bᵀ` (Python: `matmul`). -/
def matmulT (A Bt : List (List SInt)) : List (List SInt) :=
  mapL (fun (row : List SInt) => mapL (fun (col : List SInt) => dot row col) Bt) A

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
def exactTables (w : Weights) : Tables :=
  let residQuery := mapL (fun (row : List SInt) => rowAdd row (getD w.wPos (w.nCtx - 1) List.nil)) w.wE
  let QK := matmulT w.wQ w.wK
  let queryKey := matmulT residQuery (transpose w.dModel QK)
  let OV := matmulT w.wV (transpose w.dModel w.wO)
  let OVU := matmulT OV (transpose w.dVocab w.wU)
  let OVUt := transpose w.dVocab OVU
  { S := w.S
    EUPU := matmulT residQuery (transpose w.dVocab w.wU)
    EQKE := matmulT queryKey w.wE
    EQKP := matmulT queryKey w.wPos
    EVOU := matmulT w.wE OVUt
    PVOU := matmulT w.wPos OVUt }

end PyVerify
