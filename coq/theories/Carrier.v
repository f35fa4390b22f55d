(** * The integers the checkers compute with

    The brute-force and cubic checkers are written once, in [Brute.v] and [Cubic.v], in a
    [Section] over a carrier of integers: the record of operations below. Two carriers
    implement it:

    - [ZCarrier] (here): Coq's [Z] and the fixed-point intervals and exp enclosure of
      [Fixed.v] and [Exp.v]. The instance on [ZCarrier] ([carrier_instance]) is plain code on
      [Z]: the checker the soundness proofs read.
    - [BigCarrier] ([BigCarrier.v]): Bignums' [BigZ], on 63-bit machine integers, which
      [vm_compute] runs far faster (COQ.md); its operations are proved to give the same
      integers as [ZCarrier]'s.

    As CoqInterval's [FloatCarrier] over [Z] and [BigZ]. *)

From Coq Require Import List ZArith.
From PyVerify Require Import Fixed Exp Tables.

Record carrier := {
  (** Integers, and fixed-point intervals of them (as [Fixed.ival]). *)
  num : Type;
  zero : num;
  of_Z : Z -> num;
  add : num -> num -> num;
  sub : num -> num -> num;
  mul : num -> num -> num;
  max : num -> num -> num;
  leb : num -> num -> bool;
  ltb : num -> num -> bool;
  (** [2^k]. *)
  pow2 : num -> num;
  (** [Fixed.add], [Fixed.mul], [mul_hi_nonneg], [from_scaled], [scaled_score]. *)
  ival_add : num * num -> num * num -> num * num;
  ival_mul : num * num -> num * num -> num * num;
  mul_hi_nonneg : num * num -> num * num -> num;
  from_scaled : num -> num -> num * num;
  scaled_score : num -> num -> num * num -> num * num;
  (** [Exp.max_hi] and [Exp.exp_shifted]. *)
  max_hi : list (num * num) -> num;
  exp_shifted : num -> list (num * num) -> list (num * num);
  (** The path tables ([Tables.tables]) and their entries. *)
  tables : Type;
  EUPU : tables -> list (list num);
  EQKE : tables -> list (list num);
  EQKP : tables -> list (list num);
  EVOU : tables -> list (list num);
  PVOU : tables -> list (list num);
  entry : list (list num) -> nat -> nat -> num }.
Arguments zero {c}. Arguments of_Z {c}. Arguments add {c}. Arguments sub {c}. Arguments mul {c}.
Arguments max {c}. Arguments leb {c}. Arguments ltb {c}. Arguments pow2 {c}. Arguments ival_add {c}.
Arguments ival_mul {c}. Arguments mul_hi_nonneg {c}. Arguments from_scaled {c}.
Arguments scaled_score {c}. Arguments max_hi {c}. Arguments exp_shifted {c}. Arguments EUPU {c}.
Arguments EQKE {c}. Arguments EQKP {c}. Arguments EVOU {c}. Arguments PVOU {c}. Arguments entry {c}.

(** The carrier the proofs read: [Z], [Fixed.v], [Exp.v] and [Tables.v] themselves. *)
Definition ZCarrier : carrier := {|
  num := Z; zero := 0%Z; of_Z := fun z => z;
  add := Z.add; sub := Z.sub; mul := Z.mul; max := Z.max; leb := Z.leb; ltb := Z.ltb; pow2 := Z.pow 2;
  ival_add := Fixed.add; ival_mul := Fixed.mul; mul_hi_nonneg := Fixed.mul_hi_nonneg;
  from_scaled := Fixed.from_scaled; scaled_score := Fixed.scaled_score;
  max_hi := Exp.max_hi; exp_shifted := Exp.exp_shifted;
  tables := Tables.tables; EUPU := Tables.EUPU; EQKE := Tables.EQKE; EQKP := Tables.EQKP;
  EVOU := Tables.EVOU; PVOU := Tables.PVOU; entry := Tables.entry |}.

(** The instance of the checkers' definition [f] on the carrier [C] ([Tables.v]'s [renamed]):
    [f C] with [C]'s fields replaced by the operations they hold. *)
Ltac carrier_instance C f renames :=
  let t := renamed C f renames in
  let t := eval cbv beta iota delta [C num zero of_Z add sub mul max leb ltb pow2 ival_add ival_mul
    mul_hi_nonneg from_scaled scaled_score max_hi exp_shifted tables EUPU EQKE EQKP EVOU PVOU entry] in t in
  exact t.
