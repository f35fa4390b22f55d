(** * The subcubic checker, computed with the exp enclosure on BigZ

    [vm_compute] on [Z] is slow, and the subcubic checker's time goes into the exp enclosures
    (up to [n] per case). [Subcubic.v] writes the checker once, with the enclosure as an
    argument ([check_subcubic_with]); [check_subcubic_big] passes [Big.exp_nonpos] of
    [BigCarrier.v] (proved equal to [exp_nonpos] there), and [check_subcubic_big_eq] proves the
    count is the same, so [subcubic_sound] covers it. *)

From Coq Require Import List ZArith NArith FunctionalExtensionality.
From Bignums Require Import BigZ.
From PyVerify Require Import Semantics Fixed Exp BigCarrier Subcubic.

(** [exp_nonpos], computed on BigZ. *)
Definition exp_nonpos_fast (x : Z) : ival :=
  let e := Big.exp_nonpos (BigZ.of_Z x) in (BigZ.to_Z (fst e), BigZ.to_Z (snd e)).

Lemma exp_nonpos_fast_eq (x : Z) : exp_nonpos_fast x = exp_nonpos x.
Proof. unfold exp_nonpos_fast. now rewrite exp_nonpos_big, BigZ.spec_of_Z. Qed.

(** [check_subcubic], with the exp enclosures on BigZ. *)
Definition check_subcubic_big : weights -> ival -> hints -> N := check_subcubic_with exp_nonpos_fast.

(** The BigZ subcubic checker returns the same count. *)
Theorem check_subcubic_big_eq (w : weights) (s : ival) (h : hints) :
  check_subcubic_big w s h = check_subcubic w s h.
Proof.
  unfold check_subcubic_big, check_subcubic.
  replace exp_nonpos_fast with exp_nonpos by (symmetry; apply functional_extensionality, exp_nonpos_fast_eq).
  reflexivity.
Qed.
