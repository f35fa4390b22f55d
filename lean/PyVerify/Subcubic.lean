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
import PyVerify.Cubic
import PyVerify.Hints
import PyVerify.Split

/-!
# The certified subcubic checker

A transcription of `pyverify/exact/subcubic_checker.py` and of the proved Coq checker
`check_subcubic` (`coq/theories/Subcubic.v`), written for the kernel like `Cubic.lean`. A case
`(q, m, c)` at gap `g` is proven when

    spread[q, m] + max(J1[m], p_low J1[m] + (1 - p_low) (J0[m] + H[m - g, m])) < 0,

with every logit summary an exact integer over `V 2^(4S)`, the attention split read from the
hints and its error bound checked against the exact spread (`checkedSplit`), and `p_low` a
fixed-point lower bound from outward-rounded `exp`. The hints (`SubcubicHints`) are the Coq
checker's: a case with an illegal gap is simply not counted, and a claimed error bound below the
exact spread is raised to it. The count is a sum over blocks of max tokens (`subcubicBlocks`,
work growing as `m^2`); a block computes the tables, the split and the per-query rows once, then
for each `m` its summaries (`maxSummary`) and for each `q ≤ m` and `c < n` the case at its hinted
gap. `checkSubcubic w s hs` is the number of inputs the subcubic argument (docs/strategies.md)
certifies correct, or `0` if `s` does not enclose `2^prec / sqrt dHead` or the hints are
malformed (`hintsOk`).
-/

namespace PyVerify

/-- Work units per subcubic block theorem, in units of `V^2 n^2` (Python: `SUBCUBIC_BLOCK_WORK`). -/
noncomputable def subcubicBlockWork : Nat := 4096

/-- The subcubic checker's blocks (Python: `subcubic_blocks`). -/
noncomputable def subcubicBlocks (V n : Nat) : List MaxBlock :=
  maxBlocks V (blockCount (Nat.mul (Nat.mul (Nat.pow V 2) n) n) subcubicBlockWork V) 2

/-- The largest entry of a row, an index where it occurs, and the largest entry at any other
index (Python: `max`, over `o != m`). -/
structure Top2 where
  /-- The largest entry. -/
  best : SInt
  /-- An index of the largest entry. -/
  idx : Nat
  /-- The largest entry at an index other than `idx`. -/
  second : SInt

/-- Add entry `x` at index `i` (Python: one step of `max`). -/
noncomputable def top2Step (i : Nat) (x : SInt) (t : Top2) : Top2 :=
  pick (SInt.le t.best x) ⟨x, i, t.best⟩ ⟨t.best, t.idx, SInt.max t.second x⟩

/-- The `Top2` of a row of at least two entries (Python: `max`). -/
noncomputable def top2 (row : List SInt) : Top2 :=
  let bottom : SInt := ⟨true, Nat.add (rowMag row) 1⟩
  @List.rec SInt (fun (_ : List SInt) => Nat → Top2) (fun (_ : Nat) => ⟨bottom, 0, bottom⟩)
    (fun (x : SInt) (_ : List SInt) (ih : Nat → Top2) (i : Nat) => top2Step i x (ih (Nat.add i 1))) row 0

/-- The largest entry of the row at an index other than `m` (Python: `max`, over `o != m`). -/
noncomputable def othersMax (t : Top2) (m : Nat) : SInt := pick (Nat.beq t.idx m) t.second t.best

/-- Running maxima from `acc` (Python: the prefix_max loop of `certify_subcubic`). -/
noncomputable def scanMax (acc : SInt) (xs : List SInt) : List SInt :=
  @List.rec SInt (fun (_ : List SInt) => SInt → List SInt) (fun (_ : SInt) => List.nil)
    (fun (x : SInt) (_ : List SInt) (ih : SInt → List SInt) (a : SInt) =>
      let b := SInt.max a x
      List.cons b (ih b)) xs acc

/-- `[max xs[0..j] for j]` (Python: the prefix_max loop of `certify_subcubic`). -/
noncomputable def runningMax (xs : List SInt) : List SInt := scanMax (headD xs SInt.zero) xs

/-- The direct path's summary: `M[o]` and `spread[q][m]`, over `V 2^(4S)`
(Python: M and spread in `logit_summaries`). -/
structure Eupu where
  /-- `M[o]`. -/
  M : List SInt
  /-- `spread[q][m]`. -/
  spread : List (List SInt)

/-- EUPU handling 0: `EUPU[q] = M / V + (V W_EP[q] - mu) W_U / V`, the second part by the
row-range rule (Python: the branch of `logit_summaries` for the handlings around a row,
with that row from `eupu_row`). -/
noncomputable def aroundRow (w : Weights) (mu : List SInt) : Eupu :=
  let V := w.dVocab
  let s2 := Nat.mul 2 w.S
  let VS := SInt.ofNat V
  let URange := mapL rowRange w.wU
  ⟨mapL (fun (col : List SInt) => SInt.shiftLeft (dotS mu col) s2) (transpose V w.wU),
   mapL (fun (row : List SInt) =>
       let v := SInt.shiftLeft (absDot (zipWithL (fun (e m : SInt) => SInt.sub (SInt.mul VS e) m) row mu) URange) s2
       tabulate V (fun (_ : Nat) => v))
     (residQuery w)⟩

/-- The EUPU handling named by `hs.eupu` (Python: `logit_summaries`, its M and spread). -/
noncomputable def eupuSummary (w : Weights) (T : Tables) (hs : SubcubicHints) : Eupu :=
  let V := w.dVocab
  let up := SInt.ofNat (Nat.mul V (Nat.pow 2 (Nat.mul 2 w.S)))
  let zeros := tabulate V (fun (_ : Nat) => SInt.zero)
  pick (Nat.beq hs.eupu 1)
    ⟨zeros, mapL (fun (row : List SInt) =>
        let t := top2 row
        zipWithL (fun (m : Nat) (e : SInt) => SInt.mul (SInt.sub (othersMax t m) e) up) (range V) row)
      T.EUPU⟩
    (pick (Nat.beq hs.eupu 2)
      (let widest := SInt.mul (maxS SInt.zero (mapL rowRange T.EUPU)) up
       let row := tabulate V (fun (_ : Nat) => widest)
       ⟨zeros, tabulate V (fun (_ : Nat) => row)⟩)
      (aroundRow w hs.mu))

/-- One max token's summaries, over `V 2^(4S)` (Python: J1[m], J0[m] and column m of H
in `LogitSummaries`). -/
structure MaxSummary where
  /-- `J1[m]`. -/
  J1 : SInt
  /-- `J0[m]`. -/
  J0 : SInt
  /-- `H[j][m]` for every `j < V`. -/
  H : List SInt

/-- `J1[m]`, `J0[m]` and `H[·][m]` from `M`, the rows' `Top2` of `EVOU`, row and column `m` of
`EVOU` and column `m` of `PVOU` (Python: `logit_summaries`, for one max token). -/
noncomputable def maxSummary (T : Tables) (V m : Nat) (M : List SInt) (tops : List Top2)
    (rowE colE colP : List SInt) : MaxSummary :=
  let VS := SInt.ofNat V
  let Mm := getD M m SInt.zero
  let em := getD rowE m SInt.zero
  let PW := combineRows SInt.max
    (zipWithL (fun (row : List SInt) (pm : SInt) => mapL (fun (x : SInt) => SInt.sub x pm) row) T.PVOU colP)
  let base := zipWithL (fun (mo pw : SInt) => SInt.add (SInt.sub mo Mm) (SInt.mul VS pw)) M PW
  let J1 := maxOthers m (zipWithL (fun (b e : SInt) => SInt.add b (SInt.mul VS (SInt.sub e em))) base rowE)
  let hk := zipWithL (fun (t : Top2) (ekm : SInt) => SInt.mul VS (SInt.sub (othersMax t m) ekm)) tops colE
  ⟨J1, maxOthers m base, runningMax hk⟩

/-- What the cases of one query token `q` read, computed once per block (Python: row q of the
split's main and R, of prefix_max and of the spread in `subcubic_block`, and `query_scores`). -/
structure SubQuery where
  /-- The query token. -/
  q : Nat
  /-- `main[q][k]`. -/
  main : List SInt
  /-- `max main[q][0..j]`. -/
  prefixMax : List SInt
  /-- `R[q]`. -/
  R : SInt
  /-- `main[q][q]`. -/
  mainQ : SInt
  /-- `spread[q][m]`. -/
  spread : List SInt
  /-- Lower ends of the non-query positional scores, ascending. -/
  lows : List SInt
  /-- Upper ends of the non-query positional scores, descending. -/
  highs : List SInt
  /-- The query position's score. -/
  query : Ival

/-- The `SubQuery` of query `q` (Python: `query_scores` and the rows it reads). -/
noncomputable def subQuery (n S : Nat) (s : Ival) (q : Nat) (main : List SInt) (R : SInt)
    (spread eqkpRow : List SInt) : SubQuery :=
  let scores := mapL (fun (raw : SInt) => scaledScore raw (Nat.mul 4 S) s) eqkpRow
  let nonQuery := takeL (Nat.sub n 1) scores
  ⟨q, main, runningMax main, R, getD main q SInt.zero, spread,
   sortBy SInt.le (mapL (fun (x : Ival) => x.lo) nonQuery),
   sortBy (fun (a b : SInt) => SInt.le b a) (mapL (fun (x : Ival) => x.hi) nonQuery),
   getD scores (Nat.sub n 1) Ival.zero⟩

/-- A fixed-point lower bound of `num / den` times the scale (`den > 0`) (Python: `scaled_lower`). -/
noncomputable def scaledLower (num : SInt) (den : Nat) (s : Ival) : SInt :=
  SInt.floorDiv (SInt.mul num (pick num.neg s.hi s.lo)) den

/-- `Σ exp(x - base)`, lower ends, for `x ≤ base` (Python: `sum`, of `exp_nonpos(x - base)[0]`). -/
noncomputable def expLowSum (base : SInt) (xs : List SInt) : Nat :=
  sumN (mapL (fun (x : SInt) => (expNonpos (SInt.negPart (SInt.sub x base))).lo.mag) xs)

/-- `Σ exp(x - base)`, upper ends, for `x ≤ base` (Python: `sum`, of `exp_nonpos(x - base)[1]`). -/
noncomputable def expHighSum (base : SInt) (xs : List SInt) : Nat :=
  sumN (mapL (fun (x : SInt) => (expNonpos (SInt.negPart (SInt.sub x base))).hi.mag) xs)

/-- `p_low`, in fixed point: the attention on the max token is at least
`S_M / (S_M + e^-δ S_N [+ e^-δq w_q])`, with the `n-1-c` copies of `m` on the smallest positional
scores and the `c` others on the largest, every exponent relative to the largest
(Python: `case_proven`, its p_low). -/
noncomputable def pLow (n : Nat) (qr : SubQuery) (isMax : Bool) (c : Nat) (d dQuery : SInt) : Nat :=
  let numExps := appendL (takeL (Nat.sub (Nat.sub n 1) c) qr.lows)
    (pick isMax (List.cons qr.query.lo List.nil) List.nil)
  let otherExps := appendL (mapL (fun (hi : SInt) => SInt.sub hi d) (takeL c qr.highs))
    (pick isMax List.nil (List.cons (SInt.sub qr.query.hi dQuery) List.nil))
  let base := maxS SInt.zero (appendL numExps otherExps)
  let num := expLowSum base numExps
  let other := expHighSum base otherExps
  let one := Nat.pow 2 prec
  let p := Nat.div (Nat.mul num one) (Nat.add num other)
  pick (Nat.beq num 0) 0 (pick (Nat.ble p one) p one)

/-- Whether case `(q, m, c)` is proven at gap `g` (`g = 0`: the case with no non-max token)
(Python: `case_proven`). -/
noncomputable def caseProven (den : Nat) (s : Ival) (dropQuery : Bool) (n : Nat) (qr : SubQuery)
    (ms : MaxSummary) (m c g : Nat) : Bool :=
  let isMax := Nat.beq qr.q m
  let p := pick (pick isMax (Nat.beq c 0) false) (Nat.pow 2 prec)
    (let mainM := getD qr.main m SInt.zero
     let d := scaledLower (SInt.sub (SInt.sub mainM (getD qr.prefixMax (Nat.sub m g) SInt.zero)) qr.R) den s
     let dQuery := pick dropQuery d (scaledLower (SInt.sub (SInt.sub mainM qr.mainQ) qr.R) den s)
     pLow n qr isMax c d dQuery)
  let J1 := ms.J1
  let J0H := SInt.add ms.J0 (getD ms.H (Nat.sub m g) SInt.zero)
  let worst := pick (SInt.le J0H J1) (SInt.shiftLeft J1 prec)
    (SInt.add (SInt.shiftLeft J0H prec) (SInt.mul (SInt.ofNat p) (SInt.sub J1 J0H)))
  SInt.lt (SInt.add (SInt.shiftLeft (getD qr.spread m SInt.zero) prec) worst) SInt.zero

/-- Whether `g` is a legal gap for case `(q, m, c)`: `g ≥ 1`, and `g ≤ m` (`q = m`) or `g ≤ m - q`
(`q < m`), unless `q = m` and `c = 0` (Python: `gap_is_legal`). -/
noncomputable def gapLegal (q m c g : Nat) : Bool :=
  pick (Nat.ble 1 g)
    (pick (pick (Nat.beq q m) (Nat.beq c 0) false) true (Nat.ble g (pick (Nat.beq q m) m (Nat.sub m q))))
    false

/-- The inputs case `(q, m, c)` certifies at hinted gap `g`: `0` unless the gap is legal and the
case is proven; a case that has no inputs counts `0` (Python: the loop body of `subcubic_block`). -/
noncomputable def caseCertified (den : Nat) (s : Ival) (dropQuery : Bool) (n : Nat) (qr : SubQuery)
    (ms : MaxSummary) (m c g : Nat) : Nat :=
  let isMax := Nat.beq qr.q m
  let gCase := pick (pick isMax (Nat.beq c 0) false) 0 g
  pick (gapLegal qr.q m c g)
    (pick (caseProven den s dropQuery n qr ms m c gCase) (caseCount n isMax c (Nat.sub (Nat.add m 1) gCase)) 0)
    0

/-- Digit `i` of a packed gap row (Python: `gap_rows`). -/
noncomputable def gapDigit (bits row i : Nat) : Nat :=
  Nat.mod (Nat.div row (Nat.pow 2 (Nat.mul bits i))) (Nat.pow 2 bits)

/-- The inputs certified with max token `m` and query `q`, every `c < n` at its hinted gap
(Python: the loop over c in `subcubic_block`). -/
noncomputable def countQMSub (den : Nat) (s : Ival) (hs : SubcubicHints) (n : Nat) (qr : SubQuery)
    (ms : MaxSummary) (m gapRow : Nat) : Nat :=
  sumN (mapL (fun (c : Nat) =>
      caseCertified den s hs.dropQuery n qr ms m c (gapDigit hs.gapBits gapRow (Nat.add (Nat.mul qr.q n) c)))
    (range n))

/-- The inputs certified with max token in `[lo, hi)`, or `0` if `s` is not a valid enclosure of
`2^prec / sqrt dHead` or the hints do not fit (Python: `subcubic_block`). -/
noncomputable def subcubicBlock (w : Weights) (s : Ival) (hs : SubcubicHints) (lo hi : Nat) : Nat :=
  pick (pick (checkInvSqrt w.dHead s) (hintsOk w hs) false)
    (let T := exactTables w
     let V := w.dVocab
     let n := w.nCtx
     let split := checkedSplit T hs V
     let eupu := eupuSummary w T hs
     let rows := zipWith3L (fun (q : Nat) (mainRow eqkpRow : List SInt) =>
         subQuery n T.S s q mainRow (getD split.R q SInt.zero) (getD eupu.spread q List.nil) eqkpRow)
       (range V) split.main T.EQKP
     let tops := mapL top2 T.EVOU
     let colsE := transpose V T.EVOU
     let colsP := transpose V T.PVOU
     sumN (zipWithL (fun (m gapRow : Nat) =>
         let ms := maxSummary T V m eupu.M tops (getD T.EVOU m List.nil) (getD colsE m List.nil)
           (getD colsP m List.nil)
         sumN (mapL (fun (qr : SubQuery) => countQMSub split.den s hs n qr ms m gapRow) (takeL (Nat.add m 1) rows)))
       (rangeFrom lo (Nat.sub hi lo)) (dropL lo hs.gaps)))
    0

/-- The certified subcubic count: the sum of the block counts over `subcubicBlocks`
(Python: `certify_subcubic`). -/
noncomputable def checkSubcubic (w : Weights) (s : Ival) (hs : SubcubicHints) : Nat :=
  blockSum (subcubicBlock w s hs) (subcubicBlocks w.dVocab w.nCtx)

end PyVerify
