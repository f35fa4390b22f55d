prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.SInt
import PyVerify.Fixed

/-!
# A sound enclosure of `exp`

`expNeg m` encloses `e^(-m / 2^prec) · 2^prec`: halve the argument `r` times into
`[-1/2, 0]`, sum the alternating Taylor series (a sum ending on an odd term is below the
true value, one ending on an even term above it, because the terms decrease), carrying each
term as a lower and an upper bound, then square `r` times, rounding outward.
Python twin: `exp_nonpos`, `halvings`, `exp_interval` in `pyverify/exact/fixed.py`.
-/

namespace PyVerify

/-- Extra bits carried inside `exp` (Python: `EXP_GUARD`). -/
def expGuard : Nat := 24

/-- Number of Taylor terms, `j = 0 .. expTerms - 1`; the last is odd (Python: `EXP_TERMS`). -/
def expTerms : Nat := 14

/-- Search for the least `r` with `m ≤ 2^(prec + r - 1)`, from `r`, with `fuel` steps
(Python: `halvings`). -/
def halvingsAux : Nat → Nat → Nat → Nat
  | 0, r, _ => r
  | Nat.succ fuel, r, m =>
    match Nat.ble m (Nat.pow 2 (prec + r - 1)) with
    | true => r
    | false => halvingsAux fuel (r + 1) m

/-- The least `r` with `m / 2^prec / 2^r ≤ 1/2` (Python: `halvings`, of `-m`). -/
def halvings (m : Nat) : Nat := halvingsAux 64 0 m

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
def taylorStep (W y j : Nat) (st : ExpState) : ExpState :=
  let d := j * Nat.pow 2 W
  let tLo := Nat.div (st.tLo * y) d
  let tHi := Nat.div (st.tHi * y + d - 1) d
  match Nat.beq (Nat.mod j 2) 0 with
  | true => ⟨tLo, tHi, st.lo + tLo, st.hi + tHi⟩
  | false =>
    match Nat.ble (j + 1) (expTerms - 1) with
    | true => ⟨tLo, tHi, st.lo - tHi, st.hi - tLo⟩
    | false => ⟨tLo, tHi, st.lo - tHi, st.hi⟩

/-- Taylor terms `j, j+1, ...`, `k` of them (Python: the Taylor loop in `exp_nonpos`). -/
def taylorLoop (W y : Nat) : Nat → Nat → ExpState → ExpState
  | 0, _, st => st
  | Nat.succ k, j, st => taylorLoop W y k (j + 1) (taylorStep W y j st)

/-- A pair of naturals (the bounds during squaring)
(Python: the squaring loop's pair in `exp_nonpos`). -/
structure NatPair where
  /-- Lower bound. -/
  lo : Nat
  /-- Upper bound. -/
  hi : Nat

/-- Square both bounds `r` times at `W` bits, rounding down and up
(Python: the squaring loop in `exp_nonpos`). -/
def squareLoop (W : Nat) : Nat → NatPair → NatPair
  | 0, p => p
  | Nat.succ r, p =>
    let d := Nat.pow 2 W
    squareLoop W r ⟨Nat.div (p.lo * p.lo) d, Nat.div (p.hi * p.hi + d - 1) d⟩

/-- An interval containing `e^(-m / 2^prec) · 2^prec` (Python: `exp_nonpos`, of `-m`). -/
def expNeg (m : Nat) : Ival :=
  match Nat.ble ((prec + 1) * Nat.pow 2 prec) m with
  | true => ⟨SInt.zero, SInt.ofNat 1⟩
  | false =>
    let r := halvings m
    let W := prec + expGuard + r
    let y := m * Nat.pow 2 expGuard
    let one := Nat.pow 2 W
    let st := taylorLoop W y (expTerms - 1) 1 ⟨one, one, one, one⟩
    let sq := squareLoop W r ⟨st.lo, st.hi⟩
    Ival.roundOut (SInt.ofNat sq.lo) (SInt.ofNat sq.hi) (W - prec)

/-- A crude upper bound of `e^(x / 2^prec) · 2^prec` for `x > 0` (Python: `exp_upper_pos`). -/
def expUpperPos (x : Nat) : Nat := Nat.pow 2 (prec + 2 * (Nat.div x (Nat.pow 2 prec) + 1))

/-- `exp` of an interval (Python: `exp_interval`). -/
def expIval (a : Ival) : Ival :=
  let lo := match SInt.le a.lo SInt.zero with
    | true => (expNeg (SInt.negPart a.lo)).lo
    | false => SInt.ofNat (Nat.pow 2 prec)
  let hi := match SInt.le a.hi SInt.zero with
    | true => (expNeg (SInt.negPart a.hi)).hi
    | false => SInt.ofNat (expUpperPos a.hi.mag)
  ⟨lo, hi⟩

end PyVerify
