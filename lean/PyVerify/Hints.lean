prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.Loops
import PyVerify.SInt
import PyVerify.Weights

/-!
# The subcubic checker's hints

What the float64 proof search contributes to a subcubic certificate: the configuration's
handlings (as codes), the gap of every case, and the integer directions of the attention error
split. The checker re-checks every use of them; a hint never changes what is sound, only how
tight the count is. Python twin: `SubcubicHints` (the float search's `SearchHints` in this form) and `lean_hints` in
`pyverify/exact/subcubic_checker.py`.
-/

namespace PyVerify

/-- The hints of a subcubic certificate (Python: `SubcubicHints`). -/
structure SubcubicHints where
  /-- EUPU handling: 0 the row-range rule around the row `mu`, 1 `max_diff_exact`,
  2 `global_max_diff_exact`. -/
  eupu : Nat
  /-- Attention error handling: 0 `exact_EQKE+max_diff_exact`, 1 `max_diff_exact`, 2 `max_diff`,
  3 `svd`, 4 `max_diff_subproduct`, 5 `max_diff_subproduct_recursive`,
  6 `mean+max_diff_subproduct_recursive`, 7 `mean+max_diff`, 8 `mean+max_diff_subproduct`. -/
  attention : Nat
  /-- Whether the query's own attention term uses the same gap as the others
  (`drop_average_query_per_output_logit_reasoning`). -/
  dropQuery : Bool
  /-- Bits per gap digit. -/
  gapBits : Nat
  /-- Per max token `m`, the gaps of its cases `(q, c)`, `q ≤ m`, `c < n`: digit `q n + c` of a
  number in base `2^gapBits` (0: no proof claimed). -/
  gaps : List Nat
  /-- The split's direction `x` (length `dHead`). -/
  x : List SInt
  /-- The split's direction `z` (length `dHead`). -/
  z : List SInt
  /-- `max_diff` and `mean+max_diff`: the basis factor `Y` (`dHead × r`), over `2^ty`. -/
  Y : List (List SInt)
  /-- `max_diff` and `mean+max_diff`: the basis `Z` (`r × dVocab`), over `2^tz`. -/
  Z : List (List SInt)
  /-- The exponent of `Y`. -/
  ty : Nat
  /-- The exponent of `Z`. -/
  tz : Nat
  /-- `svd`: a claimed bound `σ_max(Err)² ≤ sigmaSq / 2^sigmaBits`, checked (0: none). -/
  sigmaSq : Nat
  /-- The exponent of `sigmaSq`. -/
  sigmaBits : Nat
  /-- EUPU handling 0: `V` times the row the direct path is split around, over `V 2^S`
  (length `dModel`; any row is sound). -/
  mu : List SInt

/-- Whether a matrix has `rows` rows of `cols` entries each (Python: the shape checks of `attention_split`). -/
noncomputable def rectangular (rows cols : Nat) (M : List (List SInt)) : Bool :=
  pick (Nat.beq (lengthL M) rows) (allL (fun (row : List SInt) => Nat.beq (lengthL row) cols) M) false

/-- Whether the hints name known handlings and have the shapes those handlings read: an EUPU
code of at most 2 and an attention code of at most 8 (any other code makes the count 0),
directions of length `dHead`, a `dHead × r` and `r × dVocab` basis for handlings 2 and 7, a row
of length `dModel` for EUPU handling 0. Every other hint is sound at any value: the gaps are
checked case by case, a short gap list certifies fewer max tokens, and the σ² claim is
checked (Python: `hints_fit`). -/
noncomputable def hintsFit (w : Weights) (hs : SubcubicHints) : Bool :=
  let r := lengthL hs.Z
  let directions := pick (Nat.beq (lengthL hs.x) w.dHead) (Nat.beq (lengthL hs.z) w.dHead) false
  let basis := pick (rectangular w.dHead r hs.Y) (rectangular r w.dVocab hs.Z) false
  let basisHandling := pick (Nat.beq hs.attention 2) true (Nat.beq hs.attention 7)
  let attention := pick (Nat.beq hs.attention 0) true (pick basisHandling (pick directions basis false) directions)
  let eupu := pick (Nat.beq hs.eupu 0) (Nat.beq (lengthL hs.mu) w.dModel) (Nat.ble hs.eupu 2)
  pick (pick (Nat.ble hs.attention 8) attention false) eupu false

end PyVerify
