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

/-!
# The certified cubic checker

A transcription of `pyverify/exact/cubic_checker.py` (same names, same loop order over
`m`, `q`, copies, `k`); this version adds each `(m, q, copies)` count as it goes instead of
storing the proven cases first. `checkCubic w s` is the number of inputs the cubic
argument (docs/strategies.md) certifies correct, or `0` if `s` does not enclose
`2^prec / sqrt dHead`.
-/

namespace PyVerify

/-- `exp (x - shift)` for every interval `x` of a list (Python: `exp_shifted`). -/
def expShifted (shift : SInt) (xs : List Ival) : List Ival :=
  mapL (fun (sc : Ival) => expIval ⟨SInt.sub sc.lo shift, SInt.sub sc.hi shift⟩) xs

/-- The largest upper end in a list of intervals (Python: `max_hi`). -/
def maxHi (xs : List Ival) : SInt := maxS SInt.zero (mapL (fun (sc : Ival) => sc.hi) xs)

/-- Positional weights of one query (Python: `Positional`). -/
structure Positional where
  /-- `low[a]` ≤ the sum of any `a` non-query positional weights. -/
  low : List SInt
  /-- `high[a]` ≥ the sum of any `a` non-query positional weights. -/
  high : List SInt
  /-- All non-query positional weights together. -/
  total : Ival
  /-- The query position's weight. -/
  query : Ival

/-- Positional weights from a row of `EQKP` (Python: `positional`). -/
def positional (eqkpRow : List SInt) (n S : Nat) (s : Ival) : Positional :=
  let scores := mapL (fun (raw : SInt) => scaledScore raw (4 * S) s) eqkpRow
  let weights := expShifted (maxHi scores) scores
  let nonQuery := takeL (n - 1) weights
  let los := sortBy SInt.le (mapL (fun (w : Ival) => w.lo) nonQuery)
  let his := sortBy (fun (a b : SInt) => SInt.le b a) (mapL (fun (w : Ival) => w.hi) nonQuery)
  let low := prefixSums SInt.zero los
  let high := prefixSums SInt.zero his
  ⟨low, high, ⟨getD low (n - 1) SInt.zero, sumS his⟩, getD weights (n - 1) ⟨SInt.zero, SInt.zero⟩⟩

/-- `max_{o ≠ m} f o` over `o < V` (needs `V ≥ 2`)
(Python: `max` over `o != m`, in `logit_bounds`). -/
def maxExcept (V m : Nat) (f : Nat → SInt) : SInt :=
  let first : Nat := match Nat.beq m 0 with
    | true => 1
    | false => 0
  foldL (fun (acc : SInt) (o : Nat) => match Nat.beq o m with
    | true => acc
    | false => SInt.max acc (f o)) (f first) (range V)

/-- `row[o] - row[m]` (Python: `operator.sub`, `row[o] - row[m]`). -/
def centred (row : List SInt) (o m : Nat) : SInt := SInt.sub (getD row o SInt.zero) (getD row m SInt.zero)

/-- Upper bounds `U[q]`, `E[t]` for max token `m` (Python: `logit_bounds`). -/
structure LogitBounds where
  /-- `U[q] ≥ max_{o ≠ m} EUPU[q,o] - EUPU[q,m]`, for `q ≤ m`. -/
  U : List SInt
  /-- `E[t] ≥ max_{o ≠ m} EVOU[t,o] - EVOU[t,m] + max_i (PVOU[i,o] - PVOU[i,m])`, for `t ≤ m`. -/
  E : List SInt

/-- Upper bounds `U[q]`, `E[t]` for max token `m` (Python: `logit_bounds`). -/
def logitBounds (T : Tables) (V m : Nat) : LogitBounds :=
  let PW := tabulate V (fun (o : Nat) => maxS SInt.zero (mapL (fun (row : List SInt) => centred row o m) T.PVOU))
  let U := tabulate (m + 1) (fun (q : Nat) =>
    (fromScaled (maxExcept V m (fun (o : Nat) => centred (getD T.EUPU q List.nil) o m)) (2 * T.S)).hi)
  let E := tabulate (m + 1) (fun (t : Nat) =>
    (fromScaled (maxExcept V m (fun (o : Nat) => SInt.add (centred (getD T.EVOU t List.nil) o m) (getD PW o SInt.zero)))
      (4 * T.S)).hi)
  ⟨U, E⟩

/-- Inputs with `copies` non-max non-query tokens drawn from `choices` values
(Python: `case_count`). -/
def caseCount (n : Nat) (queryIsMax : Bool) (copies choices : Nat) : Nat :=
  match Nat.ble copies (n - 1), queryIsMax, Nat.beq copies (n - 1) with
  | false, _, _ => 0
  | true, false, true => 0
  | true, _, _ => choose (n - 1) copies * Nat.pow choices copies

/-- One extreme ordering of a case: the part of `Num` that does not depend on `k`, and `W - w`
(Python: `case_end`). -/
structure CaseEnd where
  /-- Upper end of the max-token term plus the query term. -/
  fixedHi : SInt
  /-- `W - w`, the positional weight of the non-max positions. -/
  rest : Ival

/-- Python: the body of `for w in (p.low[a], p.high[a])` (Python: `case_end`). -/
def caseEnd (p : Positional) (em : Ival) (cm queryHi w : SInt) : CaseEnd :=
  ⟨SInt.add (Ival.mul (Ival.mul em (Ival.exact w)) (Ival.exact cm)).hi queryHi,
   ⟨SInt.sub p.total.lo w, SInt.sub p.total.hi w⟩⟩

/-- Whether `Num < 0` at this end for a non-max token with term `kTerm` (Python: `end_holds`). -/
def endHolds (kTerm : Ival) (ce : CaseEnd) : Bool :=
  SInt.lt (SInt.add ce.fixedHi (Ival.mul kTerm ce.rest).hi) SInt.zero

/-- The inputs certified for query `q` and max `m` (Python: `count_qm` of `proven_qm`). -/
def countQM (T : Tables) (p : Positional) (s : Ival) (n m q : Nat) (lb : LogitBounds) : Nat :=
  let scores := tabulate (m + 1) (fun (t : Nat) => scaledScore (getD (getD T.EQKE q List.nil) t SInt.zero) (4 * T.S) s)
  let e := expShifted (maxHi scores) scores
  let uq := getD lb.U q SInt.zero
  let c := tabulate (m + 1) (fun (t : Nat) => SInt.add (getD lb.E t SInt.zero) uq)
  let zeroI : Ival := ⟨SInt.zero, SInt.zero⟩
  let em := getD e m zeroI
  let cm := getD c m SInt.zero
  let queryTerm := Ival.mul (Ival.mul (getD e q zeroI) p.query) (Ival.exact (getD c q SInt.zero))
  let num := Ival.mul (Ival.mul em p.total) (Ival.exact cm)
  let allMax : Nat := match SInt.lt (SInt.add num.hi queryTerm.hi) SInt.zero with
    | true => 1
    | false => 0
  let kTerms := tabulate m (fun (k : Nat) => Ival.mul (getD e k zeroI) (Ival.exact (getD c k SInt.zero)))
  let perCopies : Nat → Nat := fun (copies : Nat) =>
    match Nat.ble (q + 1) m, Nat.beq copies (n - 1) with
    | true, true => 0
    | _, _ =>
      let a := n - 1 - copies
      let ends := List.cons (caseEnd p em cm queryTerm.hi (getD p.low a SInt.zero))
        (List.cons (caseEnd p em cm queryTerm.hi (getD p.high a SInt.zero)) List.nil)
      let good := countL (fun (kTerm : Ival) => allL (endHolds kTerm) ends) kTerms
      caseCount n (Nat.beq q m) copies good
  allMax + sumN (mapL perCopies (rangeFrom 1 (n - 1)))

/-- The certified cubic count, or `0` if `s` is not a valid enclosure of `2^prec / sqrt dHead`
(Python: `certify_cubic`). -/
def checkCubic (w : Weights) (s : Ival) : Nat :=
  match checkInvSqrt w.dHead s with
  | false => 0
  | true =>
    let T := exactTables w
    let V := w.dVocab
    let n := w.nCtx
    let pos := tabulate V (fun (q : Nat) => positional (getD T.EQKP q List.nil) n T.S s)
    sumN (mapL (fun (m : Nat) =>
      let lb := logitBounds T V m
      sumN (mapL (fun (q : Nat) => countQM T (getD pos q ⟨List.nil, List.nil, ⟨SInt.zero, SInt.zero⟩, ⟨SInt.zero, SInt.zero⟩⟩) s n m q lb)
        (range (m + 1)))) (range V))

end PyVerify
