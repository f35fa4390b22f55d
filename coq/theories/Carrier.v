(** * The integers the checkers compute with

    The brute-force and cubic checkers are written once, in [Brute.v] and [Cubic.v], as
    functors over a carrier of integers: the operations below. Two carriers implement them:

    - [ZCarrier] (here): Coq's [Z] and the fixed-point intervals and exp enclosure of
      [Fixed.v] and [Exp.v]. Every field is [Inline], so the instance on [ZCarrier] is, term
      for term, the checker on [Z] that the soundness proofs read.
    - [BigCarrier] ([BigCarrier.v]): Bignums' [BigZ], on 63-bit machine integers, which
      [vm_compute] runs far faster (COQ.md); its operations are proved to give the same
      integers as [ZCarrier]'s.

    As CoqInterval's [FloatCarrier] over [Z] and [BigZ]. A module type declares each field with
    [Parameter]: these are the functors' arguments, never axioms ([Print Assumptions] of every
    theorem lists none of them). *)

From Coq Require Import List ZArith.
From PyVerify Require Import Fixed Exp Tables.

Module Type CARRIER.
  (** Integers, and fixed-point intervals of them (as [Fixed.ival]). *)
  Parameter Inline num : Type.
  Parameter Inline zero : num.
  Parameter Inline of_Z : Z -> num.
  Parameter Inline add sub mul max : num -> num -> num.
  Parameter Inline leb ltb : num -> num -> bool.
  (** [2^k]. *)
  Parameter Inline pow2 : num -> num.
  (** [Fixed.add], [Fixed.mul], [mul_hi_nonneg], [from_scaled], [scaled_score]. *)
  Parameter Inline ival_add ival_mul : num * num -> num * num -> num * num.
  Parameter Inline mul_hi_nonneg : num * num -> num * num -> num.
  Parameter Inline from_scaled : num -> num -> num * num.
  Parameter Inline scaled_score : num -> num -> num * num -> num * num.
  (** [Exp.max_hi] and [Exp.exp_shifted]. *)
  Parameter Inline max_hi : list (num * num) -> num.
  Parameter Inline exp_shifted : num -> list (num * num) -> list (num * num).
  (** The path tables ([Tables.tables]) and their entries. *)
  Parameter Inline tables : Type.
  Parameter Inline EUPU EQKE EQKP EVOU PVOU : tables -> list (list num).
  Parameter Inline entry : list (list num) -> nat -> nat -> num.
End CARRIER.

(** The carrier the proofs read: [Z], [Fixed.v], [Exp.v] and [Tables.v] themselves. *)
Module ZCarrier <: CARRIER.
  Definition num := Z.
  Definition zero := 0%Z.
  Definition of_Z (z : Z) : Z := z.
  Definition add := Z.add.
  Definition sub := Z.sub.
  Definition mul := Z.mul.
  Definition max := Z.max.
  Definition leb := Z.leb.
  Definition ltb := Z.ltb.
  Definition pow2 := Z.pow 2.
  Definition ival_add := Fixed.add.
  Definition ival_mul := Fixed.mul.
  Definition mul_hi_nonneg := Fixed.mul_hi_nonneg.
  Definition from_scaled := Fixed.from_scaled.
  Definition scaled_score := Fixed.scaled_score.
  Definition max_hi := Exp.max_hi.
  Definition exp_shifted := Exp.exp_shifted.
  Definition tables := Tables.tables.
  Definition EUPU := Tables.EUPU.
  Definition EQKE := Tables.EQKE.
  Definition EQKP := Tables.EQKP.
  Definition EVOU := Tables.EVOU.
  Definition PVOU := Tables.PVOU.
  Definition entry := Tables.entry.
End ZCarrier.
