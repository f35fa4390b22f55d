prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.Loops
import PyVerify.SInt
import PyVerify.Weights
import PyVerify.Tables
import PyVerify.Definite
import PyVerify.Hints

/-!
# The attention error split of the subcubic checker

`EQKE = Main + Err` exactly, with `R[q]` at least the spread of row `q` of `Err`, all integers
over a common denominator `den`. Main is `EQKE` itself (handling 0), or a rank-one product
`A x zᵀ B / (zᵀx)` along the hinted directions (`A = W_EP W_Q`, `B = W_Kᵀ W_Eᵀ`, handlings 1-4,
7 and 8, where `Err = P B / den` for `P = c A - (A x) zᵀ`), or the same along one direction `u`
through each factor (handlings 5 and 6). R comes from the exact rows (1), the row-range rule
through the hinted basis `B ≈ Y Z` (2; 7 around the mean row), a checked bound on `σ_max(Err)`
(3), or the row-range rule through the factors (4-6; 8 around the mean row). Python twin:
`attention_split` and the functions it calls in `pyverify/exact/subcubic_checker.py`.
-/

namespace PyVerify

/-- `Σ xᵢ yᵢ`, up to the shorter list (Python: `sum`, of products). -/
noncomputable def dotS (xs ys : List SInt) : SInt := sumS (zipWithL SInt.mul xs ys)

/-- `|a|` (Python: `abs`). -/
noncomputable def absS (a : SInt) : SInt := ⟨false, a.mag⟩

/-- `Σ |xᵢ| rᵢ` (Python: `sum`, of `abs(x) * r`). -/
noncomputable def absDot (xs rs : List SInt) : SInt :=
  sumS (zipWithL (fun (x r : SInt) => SInt.mul (absS x) r) xs rs)

/-- The smallest element, or `d` for an empty list (Python: `min`). -/
noncomputable def minS (d : SInt) (xs : List SInt) : SInt :=
  @List.rec SInt (fun (_ : List SInt) => SInt) d
    (fun (x : SInt) (rest : List SInt) (_ : SInt) =>
      @List.rec SInt (fun (_ : List SInt) => SInt) x
        (fun (y : SInt) (_ : List SInt) (ih : SInt) => SInt.min y ih) rest) xs

/-- `max - min` of a non-empty row (Python: `_row_range`). -/
noncomputable def rowRange (xs : List SInt) : SInt := SInt.sub (maxS SInt.zero xs) (minS SInt.zero xs)

/-- The query rows of the residual stream, `W_E + W_pos[n-1]` (`[V][d]`, over `2^S`)
(Python: `resid_query`). -/
noncomputable def residQuery (w : Weights) : List (List SInt) :=
  let last := getD w.wPos (Nat.sub w.nCtx 1) List.nil
  mapL (fun (row : List SInt) => rowAdd row last) w.wE

/-- `EQKE = Main + Err`: `main[q][k]` and `R[q] ≥` the spread of row `q` of `Err`, integers over
`den` (Python: `AttentionSplit`). -/
structure Split where
  /-- `Main`, `[V][V]`. -/
  main : List (List SInt)
  /-- `R`, `[V]`. -/
  R : List SInt
  /-- The common denominator. -/
  den : Nat

/-- The split's direction: `x`, `z` with `c = zᵀx > 0` (Python: x, z and c in `attention_split`). -/
structure Direction where
  /-- The direction on the query side. -/
  x : List SInt
  /-- The direction on the key side. -/
  z : List SInt
  /-- `zᵀx`. -/
  c : Nat

/-- The hinted directions with `zᵀx` made positive by flipping `z`; zero vectors and `c = 1` if
`zᵀx = 0` (Python: the start of `attention_split`). -/
noncomputable def direction (h : Nat) (x z : List SInt) : Direction :=
  let c := dotS x z
  let zeros := tabulate h (fun (_ : Nat) => SInt.zero)
  pick (Nat.beq c.mag 0) ⟨zeros, zeros, 1⟩ (pick c.neg ⟨x, mapL SInt.negate z, c.mag⟩ ⟨x, z, c.mag⟩)

/-- `max_diff_exact`: `R[q]` is the exact spread of row `q` of `c EQKE - Main`, over `den`
(Python: the max_diff_exact branch of `attention_split`). -/
noncomputable def maxDiffExactR (EQKE main : List (List SInt)) (c : SInt) : List SInt :=
  zipWithL (fun (eqRow mainRow : List SInt) =>
      rowRange (zipWithL (fun (e mk : SInt) => SInt.sub (SInt.mul e c) mk) eqRow mainRow))
    EQKE main

/-- `max_diff_subproduct`: `R[q] = Σₗ |P[q][l]| range(B[l])`; with `mean`
(`mean+max_diff_subproduct`), around the mean row `P̄ = Psum / V` of `P`: the exact spread of
`P̄ B` plus `Σₗ |P[q][l] - P̄[l]| range(B[l])`, computed times `V` and divided back, rounded up
(Python: the max_diff_subproduct and mean+max_diff_subproduct branches of `attention_split`). -/
noncomputable def subproductR (V : Nat) (P B Bt : List (List SInt)) (mean : Bool) : List SInt :=
  let BRange := mapL rowRange B
  pick mean
    (let VS := SInt.ofNat V
     let Psum := mapL sumS (transpose (lengthL B) P)
     let meanSpread := rowRange (mapL (fun (bRow : List SInt) => dotS Psum bRow) Bt)
     mapL (fun (row : List SInt) =>
         SInt.ceilDiv (SInt.add meanSpread
           (absDot (zipWithL (fun (p ps : SInt) => SInt.sub (SInt.mul VS p) ps) row Psum) BRange)) V)
       P)
    (mapL (fun (row : List SInt) => absDot row BRange) P)

/-- `max_diff`: `Err = P B = (P Y) Z + P E` with `E = B - Y Z` exact, each part by the row-range
rule; over `c 2^(4S)`, rounded up (`B` over `2^(2S)`, `Y Z` over `2^(ty + tz)`). With `mean`
(`mean+max_diff`), the `Z` part is taken around the mean row of `P Y` (the exact spread of that
row times `Z`, plus each row's deviation), computed times `V` and divided back
(Python: `_through_basis`). -/
noncomputable def throughBasis (S V : Nat) (P B : List (List SInt)) (hs : SubcubicHints) (mean : Bool) :
    List SInt :=
  let t := Nat.add hs.ty hs.tz
  let r := lengthL hs.Z
  let YZ := matmulT hs.Y (transpose V hs.Z)
  let ERange := zipWithL (fun (bRow yzRow : List SInt) =>
      rowRange (zipWithL (fun (b yz : SInt) => SInt.sub (SInt.shiftLeft b t) (SInt.shiftLeft yz (Nat.mul 2 S)))
        bRow yzRow))
    B YZ
  let ZRange := mapL rowRange hs.Z
  let PY := matmulT P (transpose r hs.Y)
  let VS := SInt.ofNat V
  let PYsum := mapL sumS (transpose r PY)
  let meanSpread := rowRange (mapL (fun (col : List SInt) => dotS PYsum col) (transpose V hs.Z))
  let scale := pick mean V 1
  zipWithL (fun (pRow pyRow : List SInt) =>
      let zPart := pick mean
        (SInt.add meanSpread (absDot (zipWithL (fun (v m : SInt) => SInt.sub (SInt.mul VS v) m) pyRow PYsum) ZRange))
        (absDot pyRow ZRange)
      SInt.ceilDiv (SInt.add (SInt.shiftLeft zPart (Nat.mul 2 S)) (SInt.mul (SInt.ofNat scale) (absDot pRow ERange)))
        (Nat.mul scale (Nat.pow 2 t)))
    P PY

/-- `M · M` for an `h × h` matrix (Python: `matmul`, of M and M). -/
noncomputable def squareMatrix (h : Nat) (M : List (List SInt)) : List (List SInt) := matmulT M (transpose h M)

/-- `⌈tr((G K)^8)^(1/16)⌉`, a bound on `σ_max(Err)` times `den` when `G = PᵀP`, `K = BBᵀ`
(Python: the trace-power branch of `_sigma_bound`). -/
noncomputable def tracePowerRoot (h : Nat) (G K : List (List SInt)) : Nat :=
  let M : List (List SInt) := @Nat.rec (fun (_ : Nat) => List (List SInt)) (matmulT G (transpose h K))
    (fun (_ : Nat) (acc : List (List SInt)) => squareMatrix h acc) 3
  let trace := sumS (zipWithL (fun (i : Nat) (row : List SInt) => getD row i SInt.zero) (range h) M)
  pick trace.neg 0 (irootCeil (Nat.mul trace.mag (Nat.pow 2 8)) 16)

/-- `svd`: `√2 σ_max(Err)` times `den = c 2^(4S)`, rounded up, for `Err = P B`. The hint
`t = sigmaSq / 2^sigmaBits` is accepted if `t K - K G K` is positive definite (then
`σ_max(Err)² ≤ t`); otherwise `σ_max(Err)⁸ ≤ tr((G K)^8)` (Python: `_sigma_bound`). -/
noncomputable def sigmaBound (S : Nat) (P B : List (List SInt)) (c : Nat) (hs : SubcubicHints) : SInt :=
  let h := lengthL B
  let den := Nat.mul c (Nat.pow 2 (Nat.mul 4 S))
  let PT := transpose h P
  let G := matmulT PT PT
  let K := matmulT B B
  let KGK := matmulT (matmulT K (transpose h G)) (transpose h K)
  let tc := SInt.ofNat (Nat.mul hs.sigmaSq (Nat.mul c c))
  let X := zipWithL (fun (kRow vRow : List SInt) =>
      zipWithL (fun (k v : SInt) =>
          SInt.sub (SInt.shiftLeft (SInt.mul tc k) (Nat.mul 8 S)) (SInt.shiftLeft v hs.sigmaBits))
        kRow vRow)
    K KGK
  let scaled := Nat.mul (Nat.mul 2 hs.sigmaSq) (Nat.mul den den)
  let unit := Nat.pow 2 hs.sigmaBits
  pick (pick (Nat.beq hs.sigmaSq 0) false (positiveDefinite X))
    (SInt.ofNat (irootCeil (Nat.div (Nat.sub (Nat.add scaled unit) 1) unit) 2))
    (SInt.ofNat (tracePowerRoot h G K))

/-- The rank-one split `Main = A x zᵀ B / c`, `Err = P B / den` with `P = c A - (A x) zᵀ`, and R by
handling 1 (exact rows), 2 and 7 (through the basis), 3 (σ bound) or else 4 and 8 (through `B`)
(Python: `attention_split`, for the SVD family and the subproduct handlings). -/
noncomputable def productSplit (w : Weights) (T : Tables) (hs : SubcubicHints) (dir : Direction) : Split :=
  let S := w.S
  let h := w.dHead
  let A := matmulT (residQuery w) (transpose h w.wQ)
  let Bt := matmulT w.wE (transpose h w.wK)
  let B := transpose h Bt
  let Ax := mapL (fun (row : List SInt) => dotS row dir.x) A
  let zB := mapL (fun (row : List SInt) => dotS row dir.z) Bt
  let main := mapL (fun (a : SInt) => mapL (fun (b : SInt) => SInt.mul a b) zB) Ax
  let cS := SInt.ofNat dir.c
  let P := zipWithL (fun (row : List SInt) (ax : SInt) =>
      zipWithL (fun (a zl : SInt) => SInt.sub (SInt.mul cS a) (SInt.mul ax zl)) row dir.z)
    A Ax
  let R := pick (Nat.beq hs.attention 1) (maxDiffExactR T.EQKE main cS)
    (pick (Nat.beq hs.attention 2) (throughBasis S w.dVocab P B hs false)
      (pick (Nat.beq hs.attention 7) (throughBasis S w.dVocab P B hs true)
        (pick (Nat.beq hs.attention 3)
          (let sigma := sigmaBound S P B dir.c hs
           tabulate w.dVocab (fun (_ : Nat) => sigma))
          (subproductR w.dVocab P B Bt (Nat.beq hs.attention 8)))))
  ⟨main, R, Nat.mul dir.c (Nat.pow 2 (Nat.mul 4 S))⟩

/-- Handlings 5 and 6: `Main` along `u` through each factor, `W_EP (W_Q u)` times `W_E (W_K u)`,
and `R` by the row-range rule through each factor; with `mean` (6), around the mean query row
exactly, plus each row's deviation from it. Over `c V 2^(4S)` (Python: `_recursive_split`). -/
noncomputable def recursiveSplit (w : Weights) (dir : Direction) (mean : Bool) : Split :=
  let V := w.dVocab
  let VS := SInt.ofNat V
  let u := dir.x
  let cS := SInt.ofNat dir.c
  let WEP := residQuery w
  let WqU := mapL (fun (row : List SInt) => dotS row u) w.wQ
  let mainQ := mapL (fun (row : List SInt) => dotS row WqU) WEP
  let WkU := mapL (fun (row : List SInt) => dotS row u) w.wK
  let mainK := mapL (fun (row : List SInt) => dotS row WkU) w.wE
  let main := mapL (fun (a : SInt) => mapL (fun (b : SInt) => SInt.mul (SInt.mul a b) VS) mainK) mainQ
  let Qperp := zipWithL (fun (row : List SInt) (wu : SInt) =>
      zipWithL (fun (a ul : SInt) => SInt.sub (SInt.mul cS a) (SInt.mul wu ul)) row u)
    w.wQ WqU
  let ERange := mapL rowRange (transpose w.dModel w.wE)
  let BRange := mapL (fun (col : List SInt) => absDot col ERange) (transpose w.dHead w.wK)
  let QBRange := mapL (fun (row : List SInt) => absDot row BRange) Qperp
  let den := Nat.mul (Nat.mul dir.c V) (Nat.pow 2 (Nat.mul 4 w.S))
  pick mean
    (let mu := mapL sumS (transpose w.dModel WEP)
     let muQ := mapL (fun (col : List SInt) => dotS mu col) (transpose w.dHead Qperp)
     let muQK := mapL (fun (row : List SInt) => dotS muQ row) w.wK
     let meanSpread := rowRange (mapL (fun (row : List SInt) => dotS muQK row) w.wE)
     ⟨main, mapL (fun (row : List SInt) =>
         SInt.add meanSpread (absDot (zipWithL (fun (e m : SInt) => SInt.sub (SInt.mul VS e) m) row mu) QBRange))
       WEP, den⟩)
    ⟨main, mapL (fun (row : List SInt) => SInt.mul VS (absDot row QBRange)) WEP, den⟩

/-- The split with each `R[q]` raised, where needed, to the exact spread of row `q` of
`Err = EQKE - Main`, rounded up to the split's denominator: Coq's `R_used`, which
`PyVerify.SubcubicSound.subcubic_sound` proves sound whatever `R` claims. For the `R` of every
handling, at least that spread by docs/strategies.md, it changes nothing
(Python: `checked_split`). -/
noncomputable def checkedSplit (S : Nat) (EQKE : List (List SInt)) (sp : Split) : Split :=
  let shift := Nat.mul 4 S
  ⟨sp.main,
   zipWith3L (fun (r : SInt) (eqRow mainRow : List SInt) =>
       SInt.max r (SInt.ceilShift (rowRange (zipWithL (fun (e mk : SInt) =>
           SInt.sub (SInt.mul e (SInt.ofNat sp.den)) (SInt.shiftLeft mk shift)) eqRow mainRow)) shift))
     sp.R EQKE sp.main,
   sp.den⟩

/-- The attention error split named by `hs.attention` (Python: `attention_split`). -/
noncomputable def attentionSplit (w : Weights) (T : Tables) (hs : SubcubicHints) : Split :=
  let recursive := pick (Nat.beq hs.attention 5) true (Nat.beq hs.attention 6)
  pick (Nat.beq hs.attention 0)
    ⟨T.EQKE, tabulate w.dVocab (fun (_ : Nat) => SInt.zero), Nat.pow 2 (Nat.mul 4 w.S)⟩
    (let dir := direction w.dHead hs.x hs.z
     pick recursive (recursiveSplit w dir (Nat.beq hs.attention 6)) (productSplit w T hs dir))

end PyVerify
