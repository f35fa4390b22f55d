(** * The subcubic checker, computed with the exp enclosure, the divisions and the tables on BigZ

    [vm_compute] on [Z] is slow; the subcubic checker's time goes into the tables, the exp
    enclosures (up to [n] per case) and the divisions of each case. [Subcubic.v] writes the
    checker once, with the three as arguments ([check_subcubic_with]). [check_subcubic_big]
    passes [Big.exp_nonpos] and [TablesB.exact_tables] of [BigCarrier.v] (proved equal to
    [exp_nonpos] and [exact_tables] there) and [zdiv] and [main_rows_big], [Z.div] and a low-rank [Main] on BigZ (proved equal below);
    [check_subcubic_big_eq] proves the count is the same, so [subcubic_sound] covers it. *)

From Coq Require Import List ZArith NArith FunctionalExtensionality.
From Bignums Require Import BigZ.
From PyVerify Require Import Semantics Fixed Exp Tables BigCarrier Subcubic.

(** [exp_nonpos], computed on BigZ. *)
Definition exp_nonpos_fast (x : Z) : ival :=
  let e := Big.exp_nonpos (BigZ.of_Z x) in (BigZ.to_Z (fst e), BigZ.to_Z (snd e)).

Lemma exp_nonpos_fast_eq (x : Z) : exp_nonpos_fast x = exp_nonpos x.
Proof. unfold exp_nonpos_fast. now rewrite exp_nonpos_big, BigZ.spec_of_Z. Qed.

(** [a / b] (rounded down), computed on BigZ: [Z.div] walks the bits of [a] one at a time, and
    the divisions of [case_proven] were most of the checker's time on [Z]. *)
Definition zdiv (a b : Z) : Z := BigZ.to_Z (BigZ.of_Z a / BigZ.of_Z b)%bigZ.

Lemma zdiv_eq (a b : Z) : zdiv a b = a / b.
Proof. unfold zdiv. now rewrite BigZ.spec_div, !BigZ.spec_of_Z. Qed.

(** [main_rows], with a low-rank [Main]'s products and sums on BigZ. *)
Definition main_rows_big (T : tables) (h : hints) (V : nat) : list (list Z) :=
  if main_exact h then main_rows T h V
  else
    let A := map (map BigZ.of_Z) (main_q h) in let B := map (map BigZ.of_Z) (main_k h) in
    map (fun q => map (fun k => BigZ.to_Z (fold_right BigZ.add 0%bigZ
                                  (map (fun '(a, b) => nth q a 0%bigZ * nth k b 0%bigZ)%bigZ (combine A B))))
                      (seq 0 V))
        (seq 0 V).

Lemma nth_of_Z (l : list Z) (i : nat) : BigZ.to_Z (nth i (map BigZ.of_Z l) 0%bigZ) = nth i l 0%Z.
Proof.
  revert i. induction l as [| x l IH]; intros [| i]; try reflexivity. cbn [map nth]. apply BigZ.spec_of_Z.
  cbn [map nth]. apply IH.
Qed.

Lemma main_rows_big_eq (T : tables) (h : hints) (V : nat) : main_rows_big T h V = main_rows T h V.
Proof.
  unfold main_rows_big, main_rows, main_row. destruct (main_exact h); [reflexivity |].
  apply map_ext. intros q. apply map_ext. intros k.
  generalize (main_q h) (main_k h). induction l as [| a l IH]; intros [| b l']; try reflexivity.
  cbn [map combine fold_right]. rewrite BigZ.spec_add, BigZ.spec_mul, !nth_of_Z, IH. reflexivity.
Qed.

(** [check_subcubic], with the exp enclosures, the cases' divisions, the tables and [Main] on BigZ. *)
Definition check_subcubic_big : weights -> ival -> hints -> N :=
  check_subcubic_with exp_nonpos_fast zdiv (fun w => z_tables (TablesB.exact_tables w)) main_rows_big.

(** The BigZ subcubic checker returns the same count. *)
Theorem check_subcubic_big_eq (w : weights) (s : ival) (h : hints) :
  check_subcubic_big w s h = check_subcubic w s h.
Proof.
  unfold check_subcubic_big, check_subcubic.
  replace exp_nonpos_fast with exp_nonpos by (symmetry; apply functional_extensionality, exp_nonpos_fast_eq).
  replace zdiv with Z.div by (apply functional_extensionality; intros a;
                                apply functional_extensionality; intros b; symmetry; apply zdiv_eq).
  replace main_rows_big with main_rows by (apply functional_extensionality; intros T;
    apply functional_extensionality; intros h'; apply functional_extensionality; intros V;
    symmetry; apply main_rows_big_eq).
  replace (fun w => z_tables (TablesB.exact_tables w)) with exact_tables
    by (apply functional_extensionality; intros v; symmetry; apply exact_tables_big).
  reflexivity.
Qed.
