prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.Loops
import PyVerify.SInt
import PyVerify.Weights

/-!
# The subcubic certificate's hints

What the float64 proof search contributes to a subcubic certificate, in the one form every
checker reads (Coq: the record `hints` of `coq/theories/Subcubic.v`, the same fields in the same
order; Python: `SubcubicHints` in `pyverify/exact/hints.py`): the EUPU handling, the gap of every
case, and the attention split `EQKE = Main + Err` as data, with `Main` either `EQKE` itself or the
low-rank `Σ_r mainQ[r][q] mainK[r][k] / den`, and a claimed bound `errBound[q]` on the row spread
of `Err`.
The checker trusts none of them: it checks every case at its gap and raises each claimed bound to
the exact spread (`checkedSplit`), so a hint changes how tight the count is, never whether it is
sound (Coq: `subcubic_sound`, for every hint).
-/

namespace PyVerify

/-- The hints of a subcubic certificate; Coq's record `hints` (Python: `SubcubicHints`). -/
structure SubcubicHints where
  /-- EUPU handling: 0 the row-range rule around the row `mu`, 1 `max_diff_exact`,
  2 `global_max_diff_exact`. -/
  eupu : Nat
  /-- EUPU handling 0: `V` times the row the direct path is split around, over `V 2^S`
  (length `dModel`; any row is sound). -/
  mu : List SInt
  /-- Whether the query's own attention term uses the same gap as the others
  (`drop_average_query_per_output_logit_reasoning`). -/
  dropQuery : Bool
  /-- Bits per gap digit. -/
  gapBits : Nat
  /-- Per max token `m`, the gaps of its cases `(q, c)`, `q ≤ m`, `c < n`: digit `q n + c` of a
  number in base `2^gapBits` (0: no proof claimed) (Coq: `gaps[m][q n + c]`). -/
  gaps : List Nat
  /-- Whether `Main = EQKE` (then its denominator is `2^(4S)`). -/
  mainExact : Bool
  /-- The query factors of a low-rank `Main`, one row of `dVocab` per rank-one term. -/
  mainQ : List (List SInt)
  /-- The key factors of a low-rank `Main`, one row of `dVocab` per rank-one term. -/
  mainK : List (List SInt)
  /-- The denominator of a low-rank `Main` and of `errBound`. -/
  den : Nat
  /-- The claimed bound on the spread of row `q` of `Err`, over `Main`'s denominator. -/
  errBound : List SInt

/-- Whether the checker reads these hints (any other makes the count 0): an EUPU code of at most
2, a row `mu` of length `dModel` for code 0, and `den > 0` unless `Main = EQKE`; Coq's `hints_ok`
(Python: `hints_ok`). -/
noncomputable def hintsOk (w : Weights) (hs : SubcubicHints) : Bool :=
  pick (pick (Nat.ble hs.eupu 2) (pick (Nat.beq hs.eupu 0) (Nat.beq (lengthL hs.mu) w.dModel) true) false)
    (pick hs.mainExact true (Nat.ble 1 hs.den)) false

end PyVerify
