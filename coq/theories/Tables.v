(** * The path tables as exact integers

    The twin of [exact_tables] in [pyverify/exact/weights.py]: with every weight an integer
    over [2^S], the tables are integers over a power of two: [EUPU] over [2^(2S)], the others
    over [2^(4S)] (before the attention scale, which the checkers apply). *)

From Coq Require Import List ZArith.
From PyVerify Require Import Semantics.
Import ListNotations.
Open Scope Z_scope.

(** Entry [M[i][j]], [0] outside the matrix (Python: [M[i][j]]). *)
Definition entry (M : list (list Z)) (i j : nat) : Z := nth j (nth i M []) 0.

Record tables := { EUPU : list (list Z); EQKE : list (list Z); EQKP : list (list Z);
                   EVOU : list (list Z); PVOU : list (list Z) }.

(** ** The tables on any carrier of integers

    As the checkers ([Carrier.v]), the tables are written once, over integers given as the
    fields below ([Parameter Inline]: the instance on [Z], [TablesZ], is term for term the
    definitions the proofs read; [BigCarrier.v] computes them on BigZ). [of_matrix] reads a
    weight matrix into the carrier. *)
Module Type MATRIX_CARRIER.
  Parameter Inline num : Type.
  Parameter Inline zero : num.
  Parameter Inline add mul : num -> num -> num.
  Parameter Inline of_matrix : list (list Z) -> list (list num).
  Parameter Inline tables : Type.
  Parameter Inline Build_tables : list (list num) -> list (list num) -> list (list num) -> list (list num)
                                  -> list (list num) -> tables.
End MATRIX_CARRIER.

Module TablesOn (Import C : MATRIX_CARRIER).

(** Dot product, and the product [A B] of integer matrices given as lists of rows
    (Python: [matmul]). [cols] is the number of columns of [B]. *)
Definition dotZ (a b : list num) : num := fold_right add zero (map (fun p => mul (fst p) (snd p)) (combine a b)).
Definition columnZ (M : list (list num)) (j : nat) : list num := map (fun r => nth j r zero) M.
Definition transposeZ (M : list (list num)) (cols : nat) : list (list num) := map (columnZ M) (seq 0 cols).
Definition matmul (A B : list (list num)) (cols : nat) : list (list num) :=
  map (fun r => map (fun c => dotZ r c) (transposeZ B cols)) A.

(** The products the tables share (Python: the locals of [exact_tables]): the query
    position's residual stream for every token [V x d], [W_Q W_K^T : d x d], their product
    [V x d], [W_V W_O : d x d] and [W_V W_O W_U : d x V]. *)
Definition resid_query (w : weights) : list (list num) :=
  let last_pos := nth (n_ctx w - 1) (of_matrix (W_pos w)) [] in
  map (fun r => map (fun p => add (fst p) (snd p)) (combine r last_pos)) (of_matrix (W_E w)).
Definition QK (w : weights) : list (list num) :=
  matmul (of_matrix (W_Q w)) (transposeZ (of_matrix (W_K w)) (d_head w)) (d_model w).
Definition query_key (w : weights) : list (list num) := matmul (resid_query w) (QK w) (d_model w).
Definition OV (w : weights) : list (list num) := matmul (of_matrix (W_V w)) (of_matrix (W_O w)) (d_model w).
Definition OVU (w : weights) : list (list num) := matmul (OV w) (of_matrix (W_U w)) (d_vocab w).

(** The exact tables of a model (Python: [exact_tables]). *)
Definition exact_tables (w : weights) : tables :=
  let V := d_vocab w in let n := n_ctx w in let d := d_model w in
  Build_tables (matmul (resid_query w) (of_matrix (W_U w)) V)
               (matmul (query_key w) (transposeZ (of_matrix (W_E w)) d) V)
               (matmul (query_key w) (transposeZ (of_matrix (W_pos w)) d) n)
               (matmul (of_matrix (W_E w)) (OVU w) V)
               (matmul (of_matrix (W_pos w)) (OVU w) V).
End TablesOn.

(** The tables on [Z], which the proofs read. *)
Module ZMatrices <: MATRIX_CARRIER.
  Definition num := Z.
  Definition zero := 0%Z.
  Definition add := Z.add.
  Definition mul := Z.mul.
  Definition of_matrix (M : list (list Z)) : list (list Z) := M.
  Definition tables := tables.
  Definition Build_tables := Build_tables.
End ZMatrices.

Module TablesZ := TablesOn ZMatrices.
Export TablesZ.
