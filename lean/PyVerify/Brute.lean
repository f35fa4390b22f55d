prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.SInt
import PyVerify.ListOps
import PyVerify.Fixed
import PyVerify.Exp
import PyVerify.Weights
import PyVerify.Tables
import PyVerify.Cubic

/-!
# The certified brute-force checker

A transcription of `pyverify/exact/brute_checker.py`: every input, intervals throughout. For small
models only (it enumerates all `V^n` inputs). `checkBrute w s` is the number of inputs
certified correct, or `0` if `s` does not enclose `2^prec / sqrt dHead`.
-/

namespace PyVerify

/-- List append (Python: `operator.add` on lists). -/
def appendL : List (List Nat) → List (List Nat) → List (List Nat)
  | List.nil, ys => ys
  | List.cons x xs, ys => List.cons x (appendL xs ys)

/-- Every input of length `n` over `V` tokens, in lexicographic order.
(Python: `itertools.product`). -/
def allInputs (V : Nat) : Nat → List (List Nat)
  | 0 => List.cons List.nil List.nil
  | Nat.succ k =>
    let rest := allInputs V k
    foldL (fun (acc : List (List Nat)) (t : Nat) => appendL acc (mapL (fun (xs : List Nat) => List.cons t xs) rest))
      List.nil (range V)

/-- The largest token of an input (Python: `max`). -/
def maxToken (xs : List Nat) : Nat :=
  foldL (fun (a b : Nat) => match Nat.ble a b with
    | true => b
    | false => a) 0 xs

/-- One entry `D[i][t][o]` of the difference table (Python: `difference_table`, one entry). -/
def difference (T : Tables) (q m i t o bits : Nat) : Ival :=
  let evou := getD T.EVOU t List.nil
  let pvou := getD T.PVOU i List.nil
  let eupu := getD T.EUPU q List.nil
  fromScaled (SInt.add (SInt.add (centred evou o m) (centred pvou o m))
    (SInt.shiftLeft (centred eupu o m) (2 * T.S))) bits

/-- Whether one input is certified correct (Python: `input_certified`). -/
def inputCertified (T : Tables) (s : Ival) (V n : Nat) (x : List Nat) : Bool :=
  let bits := 4 * T.S
  let q := getD x (n - 1) 0
  let m := maxToken x
  let scores := tabulate n (fun (i : Nat) =>
    Ival.add (scaledScore (getD (getD T.EQKE q List.nil) (getD x i 0) SInt.zero) bits s)
      (scaledScore (getD (getD T.EQKP q List.nil) i SInt.zero) bits s))
  let e := expShifted (maxHi scores) scores
  allL (fun (o : Nat) => match Nat.beq o m with
    | true => true
    | false =>
      let total := sumS (tabulate n (fun (i : Nat) =>
        Ival.mulHiNonneg (getD e i ⟨SInt.zero, SInt.zero⟩) (difference T q m i (getD x i 0) o bits)))
      SInt.lt total SInt.zero) (range V)

/-- The certified brute-force count, or `0` if `s` is not a valid enclosure.
(Python: `certify_brute`). -/
def checkBrute (w : Weights) (s : Ival) : Nat :=
  match checkInvSqrt w.dHead s with
  | false => 0
  | true =>
    let T := exactTables w
    countL (inputCertified T s w.dVocab w.nCtx) (allInputs w.dVocab w.nCtx)

end PyVerify
