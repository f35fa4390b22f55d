prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.Loops
import PyVerify.SInt
import PyVerify.Fixed
import PyVerify.Exp
import PyVerify.Weights
import PyVerify.Tables
import PyVerify.Blocks

/-!
# The certified brute-force checker

A transcription of `pyverify/exact/brute_checker.py`: every input, intervals throughout, block
by block of max tokens (`bruteBlock`; a block `[lo, hi)` walks the inputs over tokens `< hi`
and keeps those whose max is `≥ lo`). For small models only (it enumerates all `V^n` inputs).
Per-query scores are computed once per block; per input, each position's difference row is
built in lockstep over the outputs. `checkBrute w s` is the number of inputs certified
correct, or `0` if `s` does not enclose `2^prec / sqrt dHead`.
-/

namespace PyVerify

/-- `t :: xs` for every token `t < V` and every `xs` of `rest`, in lexicographic order
(Python: `itertools.product`, one position). -/
noncomputable def prependTokens (V : Nat) (rest : List (List Nat)) : List (List Nat) :=
  @List.rec Nat (fun (_ : List Nat) => List (List Nat)) List.nil
    (fun (t : Nat) (_ : List Nat) (ih : List (List Nat)) =>
      appendL (mapL (fun (xs : List Nat) => List.cons t xs) rest) ih) (range V)

/-- Every input of length `n` over tokens `< V`, in lexicographic order (Python: `itertools.product`). -/
noncomputable def allInputs (V n : Nat) : List (List Nat) :=
  @Nat.rec (fun (_ : Nat) => List (List Nat)) (List.cons List.nil List.nil)
    (fun (_ : Nat) (rest : List (List Nat)) => prependTokens V rest) n

/-- The largest token of an input (Python: `max`). -/
noncomputable def maxToken (xs : List Nat) : Nat :=
  @List.rec Nat (fun (_ : List Nat) => Nat) 0 (fun (x : Nat) (_ : List Nat) (ih : Nat) => natMax x ih) xs

/-- Whether `p` holds at every index but `m` (Python: `all`, over `o != m`). -/
noncomputable def allOthers (m : Nat) (p : SInt → Bool) (xs : List SInt) : Bool :=
  pick (allL p (takeL m xs)) (allL p (dropL (Nat.add m 1) xs)) false

/-- Position `i`'s terms `mul_hi_nonneg(e_i, D_i[o])` for every output `o`, where `D_i[o]`
encloses `EVOU[t,o] - EVOU[t,m] + PVOU[i,o] - PVOU[i,m] + EUPU[q,o] - EUPU[q,m]` and
`direct[o]` is the last difference, over `2^(4S)` (Python: `difference_table` and
`input_certified`, one position). -/
noncomputable def positionTerms (bits m : Nat) (ei : Ival) (evou pvou direct : List SInt) : List SInt :=
  let evm := getD evou m SInt.zero
  let pvm := getD pvou m SInt.zero
  zipWith3L (fun (ev pv dr : SInt) =>
      Ival.mulHiNonneg ei (fromScaled (SInt.add (SInt.add (SInt.sub ev evm) (SInt.sub pv pvm)) dr) bits))
    evou pvou direct

/-- Whether one input is certified correct, given the block's per-query score rows
(Python: `input_certified`). -/
noncomputable def inputCertified (T : Tables) (n : Nat) (tokenScores posScores : List (List Ival)) (x : List Nat) :
    Bool :=
  let bits := Nat.mul 4 T.S
  let q := getD x (Nat.sub n 1) 0
  let m := maxToken x
  let tokenRow := getD tokenScores q List.nil
  let scores := zipWithL (fun (t : Nat) (ps : Ival) => Ival.add (getD tokenRow t Ival.zero) ps) x
    (getD posScores q List.nil)
  let e := expShifted (maxHi scores) scores
  let eupu := getD T.EUPU q List.nil
  let eupuM := getD eupu m SInt.zero
  let direct := mapL (fun (v : SInt) => SInt.shiftLeft (SInt.sub v eupuM) (Nat.mul 2 T.S)) eupu
  let terms := zipWith3L (fun (t : Nat) (ei : Ival) (pvou : List SInt) =>
      positionTerms bits m ei (getD T.EVOU t List.nil) pvou direct) x e T.PVOU
  allOthers m (fun (total : SInt) => SInt.lt total SInt.zero) (combineRows SInt.add terms)

/-- The inputs certified with max token in `[lo, hi)`, or `0` if `s` is not a valid enclosure
of `2^prec / sqrt dHead` (Python: `brute_block`). -/
noncomputable def bruteBlock (w : Weights) (s : Ival) (lo hi : Nat) : Nat :=
  pick (checkInvSqrt w.dHead s)
    (let T := exactTables w
     let bits := Nat.mul 4 T.S
     let score := fun (row : List SInt) => mapL (fun (raw : SInt) => scaledScore raw bits s) row
     let tokenScores := mapL score T.EQKE
     let posScores := mapL score T.EQKP
     countL (fun (x : List Nat) => pick (Nat.ble lo (maxToken x)) (inputCertified T w.nCtx tokenScores posScores x) false)
       (allInputs hi w.nCtx))
    0

/-- The certified brute-force count: the sum of the block counts over `bruteBlocks`
(Python: `certify_brute`). -/
noncomputable def checkBrute (w : Weights) (s : Ival) : Nat :=
  blockSum (bruteBlock w s) (bruteBlocks w.dVocab w.nCtx)

end PyVerify
