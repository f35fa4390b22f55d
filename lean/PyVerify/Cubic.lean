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
# The certified cubic checker

A transcription of `pyverify/exact/cubic_checker.py`, written for the kernel (issue 12): the
count is a sum of block counts (`cubicBlock`, one block of max tokens each), tables are walked
in lockstep rather than indexed inside loops, per-query values (scores, positional weights)
are computed once per block, and a case's two orderings become two thresholds per copies,
against which each non-max token is two comparisons (`endThresholds`, `tokenProven`).
Same names and loop order as the Python twin: for each block, for each `m`, `logitBounds`,
then for each `q ≤ m`, `countQM` (Python: `proven_qm` and `count_qm`). `checkCubic w s` is the
number of inputs the cubic argument (docs/strategies.md) certifies correct, or `0` if `s`
does not enclose `2^prec / sqrt dHead`.
-/

namespace PyVerify

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
noncomputable def positional (eqkpRow : List SInt) (n S : Nat) (s : Ival) : Positional :=
  let scores := mapL (fun (raw : SInt) => scaledScore raw (Nat.mul 4 S) s) eqkpRow
  let weights := expShifted (maxHi scores) scores
  let nonQuery := takeL (Nat.sub n 1) weights
  let los := sortBy SInt.le (mapL (fun (x : Ival) => x.lo) nonQuery)
  let his := sortBy (fun (a b : SInt) => SInt.le b a) (mapL (fun (x : Ival) => x.hi) nonQuery)
  let low := prefixSums SInt.zero los
  let high := prefixSums SInt.zero his
  ⟨low, high, ⟨getD low (Nat.sub n 1) SInt.zero, sumS his⟩, getD weights (Nat.sub n 1) Ival.zero⟩

/-- What the checker needs of one query token `q`, computed once per block
(Python: `scaled_score` of the row `EQKE[q]`, and `positional`). -/
structure QueryRow where
  /-- The query token. -/
  q : Nat
  /-- The scaled scores `EQKE[q][t] / sqrt h`, for every `t < V`. -/
  scores : List Ival
  /-- The query's positional weights. -/
  pos : Positional

/-- The `QueryRow` of query `q` from its rows of `EQKE` and `EQKP`
(Python: `scaled_score` and `positional`). -/
noncomputable def queryRow (T : Tables) (n : Nat) (s : Ival) (q : Nat) (eqkeRow eqkpRow : List SInt) : QueryRow :=
  ⟨q, mapL (fun (raw : SInt) => scaledScore raw (Nat.mul 4 T.S) s) eqkeRow, positional eqkpRow n T.S s⟩

/-- Upper bounds `U[q]`, `E[t]` for max token `m` (Python: `logit_bounds`). -/
structure LogitBounds where
  /-- `U[q] ≥ max_{o ≠ m} EUPU[q,o] - EUPU[q,m]`, for `q ≤ m`. -/
  U : List SInt
  /-- `E[t] ≥ max_{o ≠ m} EVOU[t,o] - EVOU[t,m] + max_i (PVOU[i,o] - PVOU[i,m])`, for `t ≤ m`. -/
  E : List SInt

/-- Upper bounds `U[q]`, `E[t]` for max token `m`, given column `m` of `EUPU`, `EVOU` and `PVOU`
(Python: `logit_bounds`). -/
noncomputable def logitBounds (T : Tables) (m : Nat) (colU colE colP : List SInt) : LogitBounds :=
  let PW := combineRows SInt.max
    (zipWithL (fun (row : List SInt) (pm : SInt) => mapL (fun (x : SInt) => SInt.sub x pm) row) T.PVOU colP)
  let U := zipWithL (fun (row : List SInt) (um : SInt) =>
      (fromScaled (maxOthers m (mapL (fun (x : SInt) => SInt.sub x um) row)) (Nat.mul 2 T.S)).hi)
    (takeL (Nat.add m 1) T.EUPU) colU
  let E := zipWithL (fun (row : List SInt) (em : SInt) =>
      (fromScaled (maxOthers m (zipWithL (fun (x pw : SInt) => SInt.add (SInt.sub x em) pw) row PW))
        (Nat.mul 4 T.S)).hi)
    (takeL (Nat.add m 1) T.EVOU) colE
  ⟨U, E⟩

/-- Inputs with `copies` non-max non-query tokens drawn from `choices` values
(Python: `case_count`). -/
noncomputable def caseCount (n : Nat) (queryIsMax : Bool) (copies choices : Nat) : Nat :=
  pick (Nat.ble copies (Nat.sub n 1))
    (pick (pick queryIsMax false (Nat.beq copies (Nat.sub n 1))) 0
      (Nat.mul (choose (Nat.sub n 1) copies) (Nat.pow choices copies)))
    0

/-- One extreme ordering of a case: the part of `Num` that does not depend on `k`, and `W - w`
(Python: `case_end`). -/
structure CaseEnd where
  /-- Upper end of the max-token term plus the query term. -/
  fixedHi : SInt
  /-- `W - w`, the positional weight of the non-max positions. -/
  rest : Ival

/-- One extreme ordering: the copies of `m` carry positional weight `w` (Python: `case_end`). -/
noncomputable def caseEnd (p : Positional) (em : Ival) (cm queryHi w : SInt) : CaseEnd :=
  ⟨SInt.add (Ival.mul (Ival.mul em (Ival.exact w)) (Ival.exact cm)).hi queryHi,
   ⟨SInt.sub p.total.lo w, SInt.sub p.total.hi w⟩⟩

/-- What a non-max token's term `[a, b]` must satisfy for every end to hold: `feasible`,
`b ≤ up` and `a ≥ low` (a missing bound is no constraint) (Python: `Thresholds`). -/
structure Thresholds where
  /-- No end rules out every token. -/
  feasible : Bool
  /-- The least upper threshold on `b`, if any. -/
  up : Option SInt
  /-- The greatest lower threshold on `a`, if any. -/
  low : Option SInt

/-- `min u x`, or `x` if there is no `u` (Python: `min`). -/
noncomputable def upMin (u : Option SInt) (x : SInt) : SInt :=
  @Option.rec SInt (fun (_ : Option SInt) => SInt) x (fun (v : SInt) => SInt.min v x) u

/-- `max l x`, or `x` if there is no `l` (Python: `max`). -/
noncomputable def lowMax (l : Option SInt) (x : SInt) : SInt :=
  @Option.rec SInt (fun (_ : Option SInt) => SInt) x (fun (v : SInt) => SInt.max v x) l

/-- The constraint `a r ≤ L` and `b r ≤ L` for `a ≤ b`: `b ≤ ⌊L / r⌋` if `r > 0`, `a ≥ ⌈L / r⌉`
if `r < 0`, `0 ≤ L` if `r = 0` (Python: `end_thresholds`, one value of r). -/
noncomputable def addBound (L : SInt) (t : Thresholds) (r : SInt) : Thresholds :=
  pick (SInt.isPos r)
    ⟨t.feasible, Option.some (upMin t.up (SInt.floorDiv L r.mag)), t.low⟩
    (pick (Nat.beq r.mag 0)
      ⟨pick t.feasible (SInt.le SInt.zero L) false, t.up, t.low⟩
      ⟨t.feasible, t.up, Option.some (lowMax t.low (SInt.ceilDiv (SInt.negate L) r.mag))⟩)

/-- One end `(F, [r₀, r₁])` holds iff `⌈max(a r, b r) / 2^prec⌉ < -F` for `r = r₀, r₁`, iff every
product is `≤ L = (-F - 1) 2^prec` (Python: `end_thresholds`, one end). -/
noncomputable def addEnd (t : Thresholds) (ce : CaseEnd) : Thresholds :=
  let L := SInt.shiftLeft (SInt.sub (SInt.negate ce.fixedHi) (SInt.ofNat 1)) prec
  addBound L (addBound L t ce.rest.lo) ce.rest.hi

/-- The thresholds of a case's two ends (Python: `end_thresholds`). -/
noncomputable def endThresholds (e1 e2 : CaseEnd) : Thresholds :=
  addEnd (addEnd ⟨true, Option.none, Option.none⟩ e1) e2

/-- Whether both ends hold for a non-max token with term `kTerm` (Python: `token_proven`). -/
noncomputable def tokenProven (t : Thresholds) (kTerm : Ival) : Bool :=
  pick t.feasible
    (pick (@Option.rec SInt (fun (_ : Option SInt) => Bool) true (fun (u : SInt) => SInt.le kTerm.hi u) t.up)
      (@Option.rec SInt (fun (_ : Option SInt) => Bool) true (fun (l : SInt) => SInt.le l kTerm.lo) t.low)
      false)
    false

/-- The inputs certified for query `q`, max `m` and `copies` non-max tokens
(Python: `proven_qm`, its loop over copies, and `count_qm`). -/
noncomputable def copiesCount (n m q : Nat) (p : Positional) (em : Ival) (cm queryHi : SInt) (kTerms : List Ival)
    (copies : Nat) : Nat :=
  pick (pick (Nat.ble (Nat.add q 1) m) (Nat.beq copies (Nat.sub n 1)) false) 0
    (let a := Nat.sub (Nat.sub n 1) copies
     let t := endThresholds (caseEnd p em cm queryHi (getD p.low a SInt.zero))
       (caseEnd p em cm queryHi (getD p.high a SInt.zero))
     caseCount n (Nat.beq q m) copies (countL (tokenProven t) kTerms))

/-- The inputs certified for query `qr.q` and max `m`, with `uq = U[q]` and `E` from
`logitBounds` (Python: `count_qm` of `proven_qm`). -/
noncomputable def countQM (n m : Nat) (qr : QueryRow) (uq : SInt) (E : List SInt) : Nat :=
  let q := qr.q
  let p := qr.pos
  let scores := takeL (Nat.add m 1) qr.scores
  let e := expShifted (maxHi scores) scores
  let c := mapL (fun (et : SInt) => SInt.add et uq) E
  let em := getD e m Ival.zero
  let cm := getD c m SInt.zero
  let queryTerm := Ival.mul (Ival.mul (getD e q Ival.zero) p.query) (Ival.exact (getD c q SInt.zero))
  let num := Ival.mul (Ival.mul em p.total) (Ival.exact cm)
  let allMax := pick (SInt.lt (SInt.add num.hi queryTerm.hi) SInt.zero) 1 0
  let kTerms := zipWithL (fun (ek : Ival) (ck : SInt) => Ival.mul ek (Ival.exact ck)) (takeL m e) c
  Nat.add allMax
    (sumN (mapL (fun (copies : Nat) => copiesCount n m q p em cm queryTerm.hi kTerms copies) (rangeFrom 1 (Nat.sub n 1))))

/-- The inputs certified with max token `m`, given the block's query rows and column `m` of
`EUPU`, `EVOU`, `PVOU` (Python: `cubic_block`, its loop body for one max token). -/
noncomputable def countMax (T : Tables) (n m : Nat) (rows : List QueryRow) (colU colE colP : List SInt) : Nat :=
  let lb := logitBounds T m colU colE colP
  sumN (zipWithL (fun (qr : QueryRow) (uq : SInt) => countQM n m qr uq lb.E) (takeL (Nat.add m 1) rows) lb.U)

/-- The inputs certified with max token in `[lo, hi)`, or `0` if `s` is not a valid enclosure
of `2^prec / sqrt dHead` (Python: `cubic_block`). -/
noncomputable def cubicBlock (w : Weights) (s : Ival) (lo hi : Nat) : Nat :=
  pick (checkInvSqrt w.dHead s)
    (let T := exactTables w
     let V := w.dVocab
     let n := w.nCtx
     let rows := zipWith3L (fun (q : Nat) (eqkeRow eqkpRow : List SInt) => queryRow T n s q eqkeRow eqkpRow)
       (range V) T.EQKE T.EQKP
     let colsU := transpose V T.EUPU
     let colsE := transpose V T.EVOU
     let colsP := transpose V T.PVOU
     sumN (mapL (fun (m : Nat) =>
         countMax T n m rows (getD colsU m List.nil) (getD colsE m List.nil) (getD colsP m List.nil))
       (rangeFrom lo (Nat.sub hi lo))))
    0

/-- The certified cubic count: the sum of the block counts over `cubicBlocks`
(Python: `certify_cubic`). -/
noncomputable def checkCubic (w : Weights) (s : Ival) : Nat :=
  blockSum (cubicBlock w s) (cubicBlocks w.dVocab w.nCtx)

end PyVerify
