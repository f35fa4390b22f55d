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

(** ** Writing a definition once, for every carrier of integers

    The tables, and the checkers ([Carrier.v]), are written once, in a [Section] over a record
    of integer operations (a carrier). A carrier's instance of a definition is the definition
    applied to the carrier ([renamed]), with each call to another such definition replaced by
    that definition's instance ([renames]: pairs [(generic, instance)]) and the carrier's
    fields replaced by the operations they hold ([matrix_instance], [carrier_instance]). So the
    instance on [Z] is plain code on [Z], which the proofs read ([Print TablesZ.matmul]), and
    the one on BigZ the same code on BigZ ([BigCarrier.v]). *)

(** [t] with every occurrence of [f] replaced by [g]. *)
Ltac rename_in t f g := lazymatch eval pattern f in t with ?body _ => eval cbv beta in (body g) end.

Ltac rename_all C t renames :=
  lazymatch renames with
  | tt => t
  | ((?f, ?g), ?rest) => let t := rename_in t (f C) g in rename_all C t rest
  | (?f, ?g) => rename_in t (f C) g
  end.

(** [f C] with [f] unfolded and the calls [renames] renamed; its carrier's fields still to reduce. *)
Ltac renamed C f renames :=
  let t := eval cbv beta delta [f] in (f C) in
  rename_all C t renames.

(** ** The tables on any carrier

    A carrier of matrices: integers, and a weight matrix read into them ([of_matrix]). *)
Record matrix_carrier := {
  mnum : Type;
  mzero : mnum;
  madd : mnum -> mnum -> mnum;
  mmul : mnum -> mnum -> mnum;
  of_matrix : list (list Z) -> list (list mnum);
  mtables : Type;
  build_tables : list (list mnum) -> list (list mnum) -> list (list mnum) -> list (list mnum)
                 -> list (list mnum) -> mtables }.
Arguments mzero {m}. Arguments madd {m}. Arguments mmul {m}. Arguments of_matrix {m}. Arguments build_tables {m}.

Module TablesOn.
Section On.
Context (C : matrix_carrier).
Local Notation num := (mnum C).
Local Notation zero := mzero.
Local Notation add := madd.
Local Notation mul := mmul.

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
Definition exact_tables (w : weights) : mtables C :=
  let V := d_vocab w in let n := n_ctx w in let d := d_model w in
  build_tables (matmul (resid_query w) (of_matrix (W_U w)) V)
               (matmul (query_key w) (transposeZ (of_matrix (W_E w)) d) V)
               (matmul (query_key w) (transposeZ (of_matrix (W_pos w)) d) n)
               (matmul (of_matrix (W_E w)) (OVU w) V)
               (matmul (of_matrix (W_pos w)) (OVU w) V).
End On.
End TablesOn.

(** The tables on [Z], which the proofs read. *)
Definition ZMatrices : matrix_carrier :=
  {| mnum := Z; mzero := 0; madd := Z.add; mmul := Z.mul; of_matrix := fun M => M; mtables := tables;
     build_tables := Build_tables |}.

(** The instance of [f] on the matrix carrier [C] ([Tables.v]'s [renamed]). *)
Ltac matrix_instance C f renames :=
  let t := renamed C f renames in
  let t := eval cbv beta iota delta [C mnum mzero madd mmul of_matrix mtables build_tables] in t in
  exact t.

Module TablesZ.
Definition dotZ := ltac:(matrix_instance ZMatrices TablesOn.dotZ tt).
Definition columnZ := ltac:(matrix_instance ZMatrices TablesOn.columnZ tt).
Definition transposeZ := ltac:(matrix_instance ZMatrices TablesOn.transposeZ (TablesOn.columnZ, columnZ)).
Definition matmul := ltac:(matrix_instance ZMatrices TablesOn.matmul
                             ((TablesOn.dotZ, dotZ), (TablesOn.transposeZ, transposeZ))).
Definition resid_query := ltac:(matrix_instance ZMatrices TablesOn.resid_query tt).
Definition QK := ltac:(matrix_instance ZMatrices TablesOn.QK
                         ((TablesOn.matmul, matmul), (TablesOn.transposeZ, transposeZ))).
Definition query_key := ltac:(matrix_instance ZMatrices TablesOn.query_key
                                ((TablesOn.matmul, matmul), ((TablesOn.resid_query, resid_query), (TablesOn.QK, QK)))).
Definition OV := ltac:(matrix_instance ZMatrices TablesOn.OV (TablesOn.matmul, matmul)).
Definition OVU := ltac:(matrix_instance ZMatrices TablesOn.OVU ((TablesOn.matmul, matmul), (TablesOn.OV, OV))).
Definition exact_tables := ltac:(matrix_instance ZMatrices TablesOn.exact_tables
  ((TablesOn.matmul, matmul), ((TablesOn.resid_query, resid_query), ((TablesOn.query_key, query_key),
   ((TablesOn.transposeZ, transposeZ), (TablesOn.OVU, OVU)))))).
End TablesZ.
Export TablesZ.
