prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.Loops
import PyVerify.SInt
import PyVerify.Weights
import PyVerify.Tables
import PyVerify.Hints

/-!
# The attention error split of the subcubic checker, checked

`EQKE = Main + Err`, read from the hints: `Main` is `EQKE` (`mainExact`, over `2^(4S)`) or the
low-rank `Σ_r mainQ[r][q] mainK[r][k]` over `den`. The bound on the spread of row `q` of `Err` the checker
uses is the hinted `errBound[q]`, raised where needed to the exact spread, rounded up to `Main`'s
denominator (Coq: `main_row`, `main_den`, `R_used` in `coq/theories/Subcubic.v`, which
`subcubic_sound` proves sound whatever the hints claim; Python: `checked_split`). How the split
was found (SVD directions, row-range rules through the factors, a σ bound) is the hint producer's
business (`pyverify/exact/subcubic_hints.py`) and adds no trusted code here.
-/

namespace PyVerify

/-- `EQKE = Main + Err`: `main[q][k]`, and `R[q]` at least the spread of row `q` of `Err`, both
over `den` (Python: `Split`). -/
structure Split where
  /-- `Main`, `[V][V]`. -/
  main : List (List SInt)
  /-- `R`, `[V]`. -/
  R : List SInt
  /-- The common denominator. -/
  den : Nat

/-- The rows of `Main`: `EQKE`, or `Σ_r mainQ[r][q] mainK[r][k]`, each factor read through its
columns (a missing entry is 0); Coq's `main_row`, for every `q < V` (Python: `checked_split`). -/
noncomputable def mainRows (T : Tables) (hs : SubcubicHints) (V : Nat) : List (List SInt) :=
  pick hs.mainExact (takeL V T.EQKE)
    (let colsK := transpose V hs.mainK
     mapL (fun (a : List SInt) => mapL (fun (b : List SInt) => dotS a b) colsK) (transpose V hs.mainQ))

/-- `Main`'s denominator; Coq's `main_den` (Python: `checked_split`). -/
noncomputable def mainDen (S : Nat) (hs : SubcubicHints) : Nat :=
  pick hs.mainExact (Nat.pow 2 (Nat.mul 4 S)) hs.den

/-- The bound on the spread of row `q` of `Err = EQKE - Main` the checker uses: `errBound[q]`, or
the exact spread if that is larger, rounded up to `den`; Coq's `R_used` (Python: `checked_split`). -/
noncomputable def rUsed (S den : Nat) (claim : SInt) (eqkeRow mainRow : List SInt) : SInt :=
  let shift := Nat.mul 4 S
  SInt.max claim (SInt.ceilShift (rowRange (zipWithL (fun (e mk : SInt) =>
      SInt.sub (SInt.mul e (SInt.ofNat den)) (SInt.shiftLeft mk shift)) eqkeRow mainRow)) shift)

/-- The split the hints describe, every bound checked (Python: `checked_split`). -/
noncomputable def checkedSplit (T : Tables) (hs : SubcubicHints) (V : Nat) : Split :=
  let den := mainDen T.S hs
  let main := mainRows T hs V
  ⟨main,
   zipWith3L (fun (q : Nat) (eqRow mRow : List SInt) => rUsed T.S den (getD hs.errBound q SInt.zero) eqRow mRow)
     (range V) T.EQKE main,
   den⟩

end PyVerify
