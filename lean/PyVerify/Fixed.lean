prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.Loops
import PyVerify.SInt

/-!
# Fixed-point intervals with outward rounding

A fixed-point number is an `SInt` `X` meaning `X / 2^prec`. Python twin:
`pyverify/exact/fixed.py` (same names in snake_case, same rounding).
-/

namespace PyVerify

/-- Fractional bits of every fixed-point number (Python: `PREC`). -/
noncomputable def prec : Nat := 40

/-- An interval `[lo, hi]` of fixed-point numbers (Python: `Interval`). -/
structure Ival where
  /-- Lower end. -/
  lo : SInt
  /-- Upper end. -/
  hi : SInt

namespace Ival

/-- The one-point interval (Python: `tuple`, the pair `(x, x)`). -/
noncomputable def exact (x : SInt) : Ival := ⟨x, x⟩

/-- The interval `[0, 0]` (Python: `tuple`, the pair `(0, 0)`). -/
noncomputable def zero : Ival := ⟨SInt.zero, SInt.zero⟩

/-- `[lo / 2^k, hi / 2^k]` rounded outward (Python: `round_out`). -/
noncomputable def roundOut (lo hi : SInt) (k : Nat) : Ival := ⟨SInt.floorShift lo k, SInt.ceilShift hi k⟩

/-- Sum (Python: `add`). -/
noncomputable def add (a b : Ival) : Ival := ⟨SInt.add a.lo b.lo, SInt.add a.hi b.hi⟩

/-- Product, rounded back to `prec` fractional bits, outward (Python: `mul`). -/
noncomputable def mul (a b : Ival) : Ival :=
  let p1 := SInt.mul a.lo b.lo
  let p2 := SInt.mul a.lo b.hi
  let p3 := SInt.mul a.hi b.lo
  let p4 := SInt.mul a.hi b.hi
  roundOut (SInt.min (SInt.min p1 p2) (SInt.min p3 p4)) (SInt.max (SInt.max p1 p2) (SInt.max p3 p4)) prec

/-- The upper end of `mul a b` when `a.lo ≥ 0` (Python: `mul_hi_nonneg`). -/
noncomputable def mulHiNonneg (a b : Ival) : SInt :=
  pick (SInt.le SInt.zero b.hi) (SInt.ceilShift (SInt.mul a.hi b.hi) prec) (SInt.ceilShift (SInt.mul a.lo b.hi) prec)

end Ival

/-- `raw / 2^bits` in fixed point, rounded outward (Python: `from_scaled`). -/
noncomputable def fromScaled (raw : SInt) (bits : Nat) : Ival :=
  pick (Nat.ble prec bits)
    ⟨SInt.floorShift raw (Nat.sub bits prec), SInt.ceilShift raw (Nat.sub bits prec)⟩
    ⟨SInt.shiftLeft raw (Nat.sub prec bits), SInt.shiftLeft raw (Nat.sub prec bits)⟩

/-- `raw / 2^bits` times the positive scale interval `s`, rounded outward (Python: `scaled_score`). -/
noncomputable def scaledScore (raw : SInt) (bits : Nat) (s : Ival) : Ival :=
  let a := SInt.mul raw s.lo
  let b := SInt.mul raw s.hi
  pick raw.neg ⟨SInt.floorShift b bits, SInt.ceilShift a bits⟩ ⟨SInt.floorShift a bits, SInt.ceilShift b bits⟩

/-- Whether `s` encloses `2^prec / sqrt h`: `0 ≤ lo`, `lo² h ≤ 4^prec ≤ hi² h`
(Python: `check_inv_sqrt`). -/
noncomputable def checkInvSqrt (h : Nat) (s : Ival) : Bool :=
  let target := Nat.pow 2 (Nat.mul 2 prec)
  pick s.lo.neg false
    (pick s.hi.neg false
      (pick (Nat.ble (Nat.mul (Nat.mul s.lo.mag s.lo.mag) h) target)
        (Nat.ble target (Nat.mul (Nat.mul s.hi.mag s.hi.mag) h)) false))

end PyVerify
