(** * The subcubic checker, computed with the exp enclosure and the tables on BigZ

    [vm_compute] on [Z] is slow; the subcubic checker's time goes into the tables and the exp
    enclosures (up to [n] per case). [Subcubic.v] writes the checker once, with both as
    arguments ([check_subcubic_with]); [check_subcubic_big] passes [Big.exp_nonpos] and
    [TablesB.exact_tables] of [BigCarrier.v] (proved equal to [exp_nonpos] and [exact_tables]
    there), and [check_subcubic_big_eq] proves the count is the same, so [subcubic_sound]
    covers it. *)

From Coq Require Import List ZArith NArith FunctionalExtensionality.
From Bignums Require Import BigZ.
From PyVerify Require Import Semantics Fixed Exp Tables BigCarrier Subcubic.

(** [exp_nonpos], computed on BigZ. *)
Definition exp_nonpos_fast (x : Z) : ival :=
  let e := Big.exp_nonpos (BigZ.of_Z x) in (BigZ.to_Z (fst e), BigZ.to_Z (snd e)).

Lemma exp_nonpos_fast_eq (x : Z) : exp_nonpos_fast x = exp_nonpos x.
Proof. unfold exp_nonpos_fast. now rewrite exp_nonpos_big, BigZ.spec_of_Z. Qed.

(** [check_subcubic], with the exp enclosures on BigZ. *)
Definition check_subcubic_big : weights -> ival -> hints -> N :=
  check_subcubic_with exp_nonpos_fast (fun w => z_tables (TablesB.exact_tables w)).

(** The BigZ subcubic checker returns the same count. *)
Theorem check_subcubic_big_eq (w : weights) (s : ival) (h : hints) :
  check_subcubic_big w s h = check_subcubic w s h.
Proof.
  unfold check_subcubic_big, check_subcubic.
  replace exp_nonpos_fast with exp_nonpos by (symmetry; apply functional_extensionality, exp_nonpos_fast_eq).
  replace (fun w => z_tables (TablesB.exact_tables w)) with exact_tables
    by (apply functional_extensionality; intros v; symmetry; apply exact_tables_big).
  reflexivity.
Qed.
