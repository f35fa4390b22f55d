prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.Loops
import PyVerify.SInt
import PyVerify.Fixed

/-!
# A sound enclosure of `exp`

`expNonpos m` encloses `e^(-m / 2^prec) · 2^prec`: halve the argument `r` times into
`[-1/2, 0]`, sum the alternating Taylor series (a sum ending on an odd term is below the
true value, one ending on an even term above it, because the terms decrease), carrying each
term as a lower and an upper bound, then square `r` times, rounding outward. Each loop is a
`Nat.rec` whose step is a named definition (`taylorStep`, `squareStep`).
Python twin: `exp_nonpos`, `halvings`, `exp_interval` in `pyverify/exact/fixed.py`.
-/

namespace PyVerify

/-- Extra bits carried inside `exp` (Python: `EXP_GUARD`). -/
noncomputable def expGuard : Nat := 24

/-- Number of Taylor terms, `j = 0 .. expTerms - 1`; the last is odd (Python: `EXP_TERMS`). -/
noncomputable def expTerms : Nat := 14

/-- The least `r` with `m ≤ 2^(prec + r - 1)`, searched from 0 for at most 64 steps
(Python: `halvings`, of `-m`). -/
noncomputable def halvings (m : Nat) : Nat :=
  @Nat.rec (fun (_ : Nat) => Nat → Nat) (fun (r : Nat) => r)
    (fun (_ : Nat) (ih : Nat → Nat) (r : Nat) =>
      pick (Nat.ble m (Nat.pow 2 (Nat.sub (Nat.add prec r) 1))) r (ih (Nat.add r 1))) 64 0

/-- The Taylor loop's state: bounds on the current term and on the two partial sums
(Python: the loop variables of `exp_nonpos`). -/
structure ExpState where
  /-- Lower bound on `|y|^j / j! · 2^W`. -/
  tLo : Nat
  /-- Upper bound on `|y|^j / j! · 2^W`. -/
  tHi : Nat
  /-- Lower bound on `e^y · 2^W` (partial sum ending on an odd term). -/
  lo : Nat
  /-- Upper bound on `e^y · 2^W` (partial sum ending on an even term). -/
  hi : Nat

/-- One Taylor term `j ≥ 1` at `W` bits, `y = |y| · 2^W`
(Python: one step of the Taylor loop in `exp_nonpos`). -/
noncomputable def taylorStep (W y j : Nat) (st : ExpState) : ExpState :=
  let d := Nat.mul j (Nat.pow 2 W)
  let tLo := Nat.div (Nat.mul st.tLo y) d
  let tHi := Nat.div (Nat.sub (Nat.add (Nat.mul st.tHi y) d) 1) d
  pick (Nat.beq (Nat.mod j 2) 0)
    ⟨tLo, tHi, Nat.add st.lo tLo, Nat.add st.hi tHi⟩
    (pick (Nat.ble (Nat.add j 1) (Nat.sub expTerms 1))
      ⟨tLo, tHi, Nat.sub st.lo tHi, Nat.sub st.hi tLo⟩
      ⟨tLo, tHi, Nat.sub st.lo tHi, st.hi⟩)

/-- Taylor terms `j = 1 .. k`, in that order, from `st` (Python: the Taylor loop in `exp_nonpos`). -/
noncomputable def taylorLoop (W y k : Nat) (st : ExpState) : ExpState :=
  @Nat.rec (fun (_ : Nat) => ExpState) st
    (fun (i : Nat) (acc : ExpState) => taylorStep W y (Nat.add i 1) acc) k

/-- A pair of naturals (the bounds during squaring)
(Python: the squaring loop's pair in `exp_nonpos`). -/
structure NatPair where
  /-- Lower bound. -/
  lo : Nat
  /-- Upper bound. -/
  hi : Nat

/-- Square both bounds once at `W` bits, rounding down and up
(Python: one step of the squaring loop in `exp_nonpos`). -/
noncomputable def squareStep (W : Nat) (p : NatPair) : NatPair :=
  let d := Nat.pow 2 W
  ⟨Nat.div (Nat.mul p.lo p.lo) d, Nat.div (Nat.sub (Nat.add (Nat.mul p.hi p.hi) d) 1) d⟩

/-- Square both bounds `r` times (Python: the squaring loop in `exp_nonpos`). -/
noncomputable def squareLoop (W r : Nat) (p : NatPair) : NatPair :=
  @Nat.rec (fun (_ : Nat) => NatPair) p (fun (_ : Nat) (acc : NatPair) => squareStep W acc) r

/-- An interval containing `e^(-m / 2^prec) · 2^prec` (Python: `exp_nonpos`, of `-m`). -/
noncomputable def expNonpos (m : Nat) : Ival :=
  pick (Nat.ble (Nat.mul (Nat.add prec 1) (Nat.pow 2 prec)) m)
    ⟨SInt.zero, SInt.ofNat 1⟩
    (let r := halvings m
     let W := Nat.add (Nat.add prec expGuard) r
     let y := Nat.mul m (Nat.pow 2 expGuard)
     let one := Nat.pow 2 W
     let st := taylorLoop W y (Nat.sub expTerms 1) ⟨one, one, one, one⟩
     let sq := squareLoop W r ⟨st.lo, st.hi⟩
     Ival.roundOut (SInt.ofNat sq.lo) (SInt.ofNat sq.hi) (Nat.sub W prec))

/-- A crude upper bound of `e^(x / 2^prec) · 2^prec` for `x > 0` (Python: `exp_upper_pos`). -/
noncomputable def expUpperPos (x : Nat) : Nat :=
  Nat.pow 2 (Nat.add prec (Nat.mul 2 (Nat.add (Nat.div x (Nat.pow 2 prec)) 1)))

/-- `exp` of an interval (Python: `exp_interval`). -/
noncomputable def expIval (a : Ival) : Ival :=
  ⟨pick (SInt.le a.lo SInt.zero) (expNonpos (SInt.negPart a.lo)).lo (SInt.ofNat (Nat.pow 2 prec)),
   pick (SInt.le a.hi SInt.zero) (expNonpos (SInt.negPart a.hi)).hi (SInt.ofNat (expUpperPos a.hi.mag))⟩

/-- `exp (x - shift)` for every interval `x` of a list (Python: `exp_shifted`). -/
noncomputable def expShifted (shift : SInt) (xs : List Ival) : List Ival :=
  mapL (fun (sc : Ival) => expIval ⟨SInt.sub sc.lo shift, SInt.sub sc.hi shift⟩) xs

/-- The largest upper end in a list of intervals, or 0 (Python: `max_hi`). -/
noncomputable def maxHi (xs : List Ival) : SInt := maxS SInt.zero (mapL (fun (sc : Ival) => sc.hi) xs)

end PyVerify
