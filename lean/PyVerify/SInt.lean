prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.Loops

/-!
# Signed integers over `Nat`

Sign and magnitude, so that every arithmetic step is a `Nat` operation the kernel evaluates
with GMP. Operations that pick one of their arguments (`max`, `min`) build a fresh value
instead of returning the argument: the kernel shares work only through its cache, and a
returned argument would be reduced again at every use (issue 12).
Python twin: plain `int` in `pyverify/exact/fixed.py`.
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
noncomputable def ofNat (n : Nat) : SInt := ⟨false, n⟩

/-- Zero (Python: `int`). -/
noncomputable def zero : SInt := ⟨false, 0⟩

/-- Negation (Python: `operator.neg`). -/
noncomputable def negate (a : SInt) : SInt := ⟨pick a.neg false true, a.mag⟩

/-- `x - y` for natural numbers, as a signed integer (Python: `operator.sub`). -/
noncomputable def natSub (x y : Nat) : SInt :=
  pick (Nat.ble y x) ⟨false, Nat.sub x y⟩ ⟨true, Nat.sub y x⟩

/-- Addition (Python: `operator.add`). -/
noncomputable def add (a b : SInt) : SInt :=
  pick a.neg
    (pick b.neg ⟨true, Nat.add a.mag b.mag⟩ (natSub b.mag a.mag))
    (pick b.neg (natSub a.mag b.mag) ⟨false, Nat.add a.mag b.mag⟩)

/-- Subtraction (Python: `operator.sub`). -/
noncomputable def sub (a b : SInt) : SInt := add a (negate b)

/-- Multiplication (Python: `operator.mul`). -/
noncomputable def mul (a b : SInt) : SInt :=
  ⟨pick a.neg (pick b.neg false true) b.neg, Nat.mul a.mag b.mag⟩

/-- `a ≤ b` (a negative zero equals zero) (Python: `operator.le`). -/
noncomputable def le (a b : SInt) : Bool :=
  pick a.neg
    (pick b.neg (Nat.ble b.mag a.mag) true)
    (pick b.neg (Nat.beq (Nat.add a.mag b.mag) 0) (Nat.ble a.mag b.mag))

/-- `a < b` (Python: `operator.lt`). -/
noncomputable def lt (a b : SInt) : Bool := pick (le b a) false true

/-- The larger of two values, as a fresh value (Python: `max`). -/
noncomputable def max (a b : SInt) : SInt :=
  pick (le a b) ⟨b.neg, b.mag⟩ ⟨a.neg, a.mag⟩

/-- The smaller of two values, as a fresh value (Python: `min`). -/
noncomputable def min (a b : SInt) : SInt :=
  pick (le a b) ⟨a.neg, a.mag⟩ ⟨b.neg, b.mag⟩

/-- `⌊a / d⌋` for `d > 0` (Python: `operator.floordiv`). -/
noncomputable def floorDiv (a : SInt) (d : Nat) : SInt :=
  pick a.neg ⟨true, Nat.div (Nat.sub (Nat.add a.mag d) 1) d⟩ ⟨false, Nat.div a.mag d⟩

/-- `⌈a / d⌉` for `d > 0` (Python: `operator.floordiv`, as `-((-a) // d)`). -/
noncomputable def ceilDiv (a : SInt) (d : Nat) : SInt :=
  pick a.neg ⟨true, Nat.div a.mag d⟩ ⟨false, Nat.div (Nat.sub (Nat.add a.mag d) 1) d⟩

/-- `⌊a / 2^k⌋` (Python: `floor_shift`). -/
noncomputable def floorShift (a : SInt) (k : Nat) : SInt := floorDiv a (Nat.pow 2 k)

/-- `⌈a / 2^k⌉` (Python: `ceil_shift`). -/
noncomputable def ceilShift (a : SInt) (k : Nat) : SInt := ceilDiv a (Nat.pow 2 k)

/-- `a * 2^k` (Python: `operator.lshift`). -/
noncomputable def shiftLeft (a : SInt) (k : Nat) : SInt := ⟨a.neg, Nat.mul a.mag (Nat.pow 2 k)⟩

/-- The magnitude of a non-positive value (`-a`), and 0 for a positive one
(Python: `operator.neg`, on x <= 0). -/
noncomputable def negPart (a : SInt) : Nat := pick a.neg a.mag 0

/-- Whether the value is `> 0` (Python: `operator.gt`). -/
noncomputable def isPos (a : SInt) : Bool := pick a.neg false (pick (Nat.beq a.mag 0) false true)

end SInt

/-- The sum of a list of signed integers (Python: `sum`). -/
noncomputable def sumS (xs : List SInt) : SInt :=
  @List.rec SInt (fun (_ : List SInt) => SInt) SInt.zero
    (fun (x : SInt) (_ : List SInt) (ih : SInt) => SInt.add x ih) xs

/-- The largest element, or `d` for an empty list (Python: `max`). -/
noncomputable def maxS (d : SInt) (xs : List SInt) : SInt :=
  @List.rec SInt (fun (_ : List SInt) => SInt) d
    (fun (x : SInt) (rest : List SInt) (_ : SInt) =>
      @List.rec SInt (fun (_ : List SInt) => SInt) x
        (fun (y : SInt) (_ : List SInt) (ih : SInt) => SInt.max y ih) rest) xs

/-- The smallest element, or `d` for an empty list (Python: `min`). -/
noncomputable def minS (d : SInt) (xs : List SInt) : SInt :=
  @List.rec SInt (fun (_ : List SInt) => SInt) d
    (fun (x : SInt) (rest : List SInt) (_ : SInt) =>
      @List.rec SInt (fun (_ : List SInt) => SInt) x
        (fun (y : SInt) (_ : List SInt) (ih : SInt) => SInt.min y ih) rest) xs

/-- `max - min` of a non-empty row (Python: `_row_range`). -/
noncomputable def rowRange (xs : List SInt) : SInt := SInt.sub (maxS SInt.zero xs) (minS SInt.zero xs)

/-- `Σ xᵢ yᵢ`, up to the shorter list (Python: `sum`, of products). -/
noncomputable def dotS (xs ys : List SInt) : SInt := sumS (zipWithL SInt.mul xs ys)

/-- `Σ |xᵢ| rᵢ` (Python: `sum`, of `abs(x) * r`). -/
noncomputable def absDot (xs rs : List SInt) : SInt :=
  sumS (zipWithL (fun (x r : SInt) => SInt.mul ⟨false, x.mag⟩ r) xs rs)

/-- The largest element other than the one at index `m` (lists of length ≥ 2)
(Python: `max`, over `o != m`). -/
noncomputable def maxOthers (m : Nat) (xs : List SInt) : SInt :=
  maxS SInt.zero (appendL (takeL m xs) (dropL (Nat.add m 1) xs))

/-- Insert into a list sorted by `le` (Python: `bisect.insort`). -/
noncomputable def insertBy (le : SInt → SInt → Bool) (x : SInt) (xs : List SInt) : List SInt :=
  @List.rec SInt (fun (_ : List SInt) => List SInt) (List.cons x List.nil)
    (fun (y : SInt) (rest : List SInt) (ih : List SInt) =>
      pick (le x y) (List.cons x (List.cons y rest)) (List.cons y ih)) xs

/-- Insertion sort by `le` (the lists sorted here have at most `n_ctx` elements)
(Python: `sorted`). -/
noncomputable def sortBy (le : SInt → SInt → Bool) (xs : List SInt) : List SInt :=
  @List.rec SInt (fun (_ : List SInt) => List SInt) List.nil
    (fun (x : SInt) (_ : List SInt) (ih : List SInt) => insertBy le x ih) xs

/-- Prefix sums `[acc, acc+x₀, acc+x₀+x₁, ...]` (length + 1 entries)
(Python: `itertools.accumulate`). -/
noncomputable def prefixSums (acc : SInt) (xs : List SInt) : List SInt :=
  @List.rec SInt (fun (_ : List SInt) => SInt → List SInt) (fun (a : SInt) => List.cons a List.nil)
    (fun (x : SInt) (_ : List SInt) (ih : SInt → List SInt) (a : SInt) => List.cons a (ih (SInt.add a x))) xs acc

end PyVerify
