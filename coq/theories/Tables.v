(** * The path tables as exact integers

    The twin of [exact_tables] in [pyverify/exact/weights.py]: with every weight an integer
    over [2^S], the tables are integers over a power of two: [EUPU] over [2^(2S)], the others
    over [2^(4S)] (before the attention scale, which the checkers apply). *)

From Coq Require Import List ZArith.
From PyVerify Require Import Semantics.
Import ListNotations.
Open Scope Z_scope.

(** Dot product, and the product [A B] of integer matrices given as lists of rows
    (Python: [matmul]). [cols] is the number of columns of [B]. *)
Definition dotZ (a b : list Z) : Z := fold_right Z.add 0 (map (fun p => fst p * snd p) (combine a b)).
Definition columnZ (M : list (list Z)) (j : nat) : list Z := map (fun r => nth j r 0) M.
Definition transposeZ (M : list (list Z)) (cols : nat) : list (list Z) := map (columnZ M) (seq 0 cols).
Definition matmul (A B : list (list Z)) (cols : nat) : list (list Z) :=
  map (fun r => map (fun c => dotZ r c) (transposeZ B cols)) A.

Record tables := { EUPU : list (list Z); EQKE : list (list Z); EQKP : list (list Z);
                   EVOU : list (list Z); PVOU : list (list Z) }.

(** The exact tables of a model (Python: [exact_tables]). *)
Definition exact_tables (w : weights) : tables :=
  let V := d_vocab w in let n := n_ctx w in let d := d_model w in
  let last_pos := nth (n - 1) (W_pos w) [] in
  let resid_query := map (fun r => map (fun p => fst p + snd p) (combine r last_pos)) (W_E w) in
  let QK := matmul (W_Q w) (transposeZ (W_K w) d) d in
  let query_key := matmul resid_query QK d in
  let OVU := matmul (matmul (W_V w) (W_O w) d) (W_U w) V in
  {| EUPU := matmul resid_query (W_U w) V;
     EQKE := matmul query_key (transposeZ (W_E w) d) V;
     EQKP := matmul query_key (transposeZ (W_pos w) d) n;
     EVOU := matmul (W_E w) OVU V;
     PVOU := matmul (W_pos w) OVU V |}.

(** ** From the integer tables to the real model

    The first links of the soundness proof: an integer dot product over scaled entries is the
    real dot product of [Semantics.v], and a row of [matmul] is [vecmat]. *)

From Coq Require Import Reals Lra.
Open Scope R_scope.

Lemma dot_scaled (a b : list Z) (c c' : R) :
  c <> 0 -> c' <> 0 ->
  dot (map (fun z => IZR z / c) a) (map (fun z => IZR z / c') b) = IZR (dotZ a b) / (c * c').
Proof.
  intros Hc Hc'. revert b.
  induction a as [| x a IH]; intros [| y b]; unfold dot, dotZ in *; simpl; try (unfold Rdiv; ring).
  rewrite IH, plus_IZR, mult_IZR. field. split; assumption.
Qed.

Lemma column_scaled (w : weights) (M : list (list Z)) (j : nat) :
  column w M j = map (fun z => IZR z / 2 ^ S w) (columnZ M j).
Proof. unfold column, columnZ, real. now rewrite map_map. Qed.

(** A row [r] (scaled by [c]) times [M] is the row [r M] of [matmul], scaled by [c 2^S]. *)
Lemma vecmat_scaled (w : weights) (r : list Z) (c : R) (M : list (list Z)) (cols : nat) :
  c <> 0 ->
  vecmat w (map (fun z => IZR z / c) r) M cols
  = map (fun z => IZR z / (c * 2 ^ S w)) (map (fun col => dotZ r col) (transposeZ M cols)).
Proof.
  intros Hc. unfold vecmat, transposeZ. rewrite !map_map. apply map_ext. intros j.
  rewrite column_scaled. apply dot_scaled; [exact Hc | apply pow_nonzero; lra].
Qed.
