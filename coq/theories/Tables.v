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

(** Entry [M[i][j]], [0] outside the matrix (Python: [M[i][j]]). *)
Definition entry (M : list (list Z)) (i j : nat) : Z := nth j (nth i M []) 0.

Record tables := { EUPU : list (list Z); EQKE : list (list Z); EQKP : list (list Z);
                   EVOU : list (list Z); PVOU : list (list Z) }.

(** The products the tables share (Python: the locals of [exact_tables]): the query
    position's residual stream for every token [V x d], [W_Q W_K^T : d x d], their product
    [V x d], [W_V W_O : d x d] and [W_V W_O W_U : d x V]. *)
Definition resid_query (w : weights) : list (list Z) :=
  let last_pos := nth (n_ctx w - 1) (W_pos w) [] in
  map (fun r => map (fun p => fst p + snd p) (combine r last_pos)) (W_E w).
Definition QK (w : weights) : list (list Z) := matmul (W_Q w) (transposeZ (W_K w) (d_head w)) (d_model w).
Definition query_key (w : weights) : list (list Z) := matmul (resid_query w) (QK w) (d_model w).
Definition OV (w : weights) : list (list Z) := matmul (W_V w) (W_O w) (d_model w).
Definition OVU (w : weights) : list (list Z) := matmul (OV w) (W_U w) (d_vocab w).

(** The exact tables of a model (Python: [exact_tables]). *)
Definition exact_tables (w : weights) : tables :=
  let V := d_vocab w in let n := n_ctx w in let d := d_model w in
  {| EUPU := matmul (resid_query w) (W_U w) V;
     EQKE := matmul (query_key w) (transposeZ (W_E w) d) V;
     EQKP := matmul (query_key w) (transposeZ (W_pos w) d) n;
     EVOU := matmul (W_E w) (OVU w) V;
     PVOU := matmul (W_pos w) (OVU w) V |}.
