prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics

/-!
# Signed integers over `Nat`

Sign and magnitude, so that every arithmetic step is a `Nat` operation the kernel evaluates
with GMP. Python twin: plain `int` in `pyverify/exact/fixed.py`.
-/

namespace PyVerify

/-- A signed integer: `mag` if `neg = false`, `-mag` if `neg = true` (zero may carry either sign)
(Python: `int`). -/
structure SInt where
  /-- Whether the value is negative (or a negative zero). -/
  neg : Bool
  /-- The absolute value. -/
  mag : Nat

namespace SInt

/-- The non-negative integer `n` (Python: `int`). -/
def ofNat (n : Nat) : SInt := ⟨false, n⟩

/-- Zero (Python: `int`). -/
def zero : SInt := ⟨false, 0⟩

/-- Negation (Python: `operator.neg`). -/
def negate (a : SInt) : SInt :=
  match a.neg with
  | true => ⟨false, a.mag⟩
  | false => ⟨true, a.mag⟩

/-- `x - y` for natural numbers, as a signed integer (Python: `operator.sub`). -/
def natSub (x y : Nat) : SInt :=
  match Nat.ble y x with
  | true => ⟨false, x - y⟩
  | false => ⟨true, y - x⟩

/-- Addition (Python: `operator.add`). -/
def add (a b : SInt) : SInt :=
  match a.neg, b.neg with
  | false, false => ⟨false, a.mag + b.mag⟩
  | true, true => ⟨true, a.mag + b.mag⟩
  | false, true => natSub a.mag b.mag
  | true, false => natSub b.mag a.mag

/-- Subtraction (Python: `operator.sub`). -/
def sub (a b : SInt) : SInt := add a (negate b)

/-- Multiplication (Python: `operator.mul`). -/
def mul (a b : SInt) : SInt :=
  match a.neg, b.neg with
  | false, false => ⟨false, a.mag * b.mag⟩
  | true, true => ⟨false, a.mag * b.mag⟩
  | _, _ => ⟨true, a.mag * b.mag⟩

/-- `a ≤ b` (a negative zero equals zero) (Python: `operator.le`). -/
def le (a b : SInt) : Bool :=
  match a.neg, b.neg with
  | false, false => Nat.ble a.mag b.mag
  | true, true => Nat.ble b.mag a.mag
  | true, false => true
  | false, true => Nat.beq (a.mag + b.mag) 0

/-- `a < b` (Python: `operator.lt`). -/
def lt (a b : SInt) : Bool :=
  match le b a with
  | true => false
  | false => true

/-- The larger of two values (Python: `max`). -/
def max (a b : SInt) : SInt :=
  match le a b with
  | true => b
  | false => a

/-- The smaller of two values (Python: `min`). -/
def min (a b : SInt) : SInt :=
  match le a b with
  | true => a
  | false => b

/-- `⌊a / 2^k⌋` (Python: `floor_shift`). -/
def floorShift (a : SInt) (k : Nat) : SInt :=
  let d := Nat.pow 2 k
  match a.neg with
  | false => ⟨false, Nat.div a.mag d⟩
  | true => ⟨true, Nat.div (a.mag + d - 1) d⟩

/-- `⌈a / 2^k⌉` (Python: `ceil_shift`). -/
def ceilShift (a : SInt) (k : Nat) : SInt :=
  let d := Nat.pow 2 k
  match a.neg with
  | false => ⟨false, Nat.div (a.mag + d - 1) d⟩
  | true => ⟨true, Nat.div a.mag d⟩

/-- `a * 2^k` (Python: `operator.lshift`). -/
def shiftLeft (a : SInt) (k : Nat) : SInt := ⟨a.neg, a.mag * Nat.pow 2 k⟩

/-- The magnitude of a non-positive value (`-a`), and 0 for a positive one
(Python: `operator.neg`, on x <= 0). -/
def negPart (a : SInt) : Nat :=
  match a.neg with
  | true => a.mag
  | false => 0

end SInt

end PyVerify
