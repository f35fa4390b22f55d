prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.Loops
import PyVerify.SInt
import PyVerify.Tables

/-!
# Positive definiteness and integer roots, exactly

`positiveDefinite X` is a sufficient test that a symmetric integer matrix is positive definite:
keep about `keepBits` bits of `X` (`X = 2^k X' + E` with `0 ≤ E < 2^k` entrywise, so subtracting
`h I` from `X'` covers `E`), then check that every pivot of fraction-free (Bareiss) elimination is
positive — the pivots are the leading principal minors (Sylvester's criterion). `irootCeil x k`
is the least `r` with `r^k ≥ x`. Python twins: `_positive_definite` and `_iroot_ceil` in
`pyverify/exact/subcubic_checker.py`.
-/

namespace PyVerify

/-- Bits of `X` kept by `positiveDefinite` (Python: `_positive_definite`, its default keep_bits). -/
noncomputable def keepBits : Nat := 200

/-- Fraction-free elimination's state: whether every pivot so far was positive, the last pivot
(1 at the start), and the trailing submatrix still to eliminate (Python: prev and the rows and
columns ≥ p of M in `_positive_definite`). -/
structure Bareiss where
  /-- Every pivot so far was positive. -/
  ok : Bool
  /-- The last pivot. -/
  prev : SInt
  /-- The trailing submatrix. -/
  rest : List (List SInt)

/-- One elimination step: the pivot is the corner of the trailing submatrix, and the next one is
`(pivot · M[i][j] - M[i][0] · M[0][j]) / prev` over `i, j ≥ 1` (an exact division)
(Python: one step p of the loop in `_positive_definite`). -/
noncomputable def bareissStep (st : Bareiss) : Bareiss :=
  let row0 := headD st.rest List.nil
  let pivot := headD row0 SInt.zero
  let top := tailL row0
  pick (pick st.ok (SInt.isPos pivot) false)
    ⟨true, pivot, mapL (fun (row : List SInt) =>
        let lead := headD row SInt.zero
        zipWithL (fun (x y : SInt) => SInt.floorDiv (SInt.sub (SInt.mul pivot x) (SInt.mul lead y)) st.prev.mag)
          (tailL row) top)
      (tailL st.rest)⟩
    ⟨false, st.prev, List.nil⟩

/-- Whether the symmetric integer matrix `X` is certainly positive definite
(Python: `_positive_definite`). -/
noncomputable def positiveDefinite (X : List (List SInt)) : Bool :=
  let h := lengthL X
  let k := Nat.sub (bitLength (maxMag X)) keepBits
  let M := zipWithL (fun (i : Nat) (row : List SInt) =>
      zipWithL (fun (j : Nat) (v : SInt) =>
          pick (Nat.beq i j) (SInt.sub (SInt.floorShift v k) (SInt.ofNat h)) (SInt.floorShift v k))
        (range h) row)
    (range h) X
  let elim : Bareiss := @Nat.rec (fun (_ : Nat) => Bareiss) ⟨true, SInt.ofNat 1, M⟩
    (fun (_ : Nat) (st : Bareiss) => bareissStep st) h
  elim.ok

/-- From `r`, set the bits `bits - 1, …, 1, 0` in turn, keeping each that leaves `r^k < x`: the
largest `r < 2^bits` with `r^k < x`, if `r` starts at 0 (Python: the search in `_iroot_ceil`). -/
noncomputable def rootBits (x k bits r : Nat) : Nat :=
  @Nat.rec (fun (_ : Nat) => Nat → Nat) (fun (acc : Nat) => acc)
    (fun (i : Nat) (ih : Nat → Nat) (acc : Nat) =>
      let t := Nat.add acc (Nat.pow 2 i)
      ih (pick (Nat.ble x (Nat.pow t k)) acc t)) bits r

/-- The least `r ≥ 0` with `r^k ≥ x`, for `k ≥ 1` (Python: `_iroot_ceil`). -/
noncomputable def irootCeil (x k : Nat) : Nat :=
  pick (Nat.beq x 0) 0
    (Nat.add (rootBits x k (Nat.add (Nat.div (Nat.add (bitLength x) (Nat.sub k 1)) k) 1) 0) 1)

end PyVerify
