(** * The certified brute-force checker

    The twin of [certify_brute] in [pyverify/exact/brute_checker.py] (same names, same loop
    order): every input, fixed-point intervals throughout. An input is certified when, for
    every output [o] other than the max token [m], the upper end of
    [sum_i e_i D[i][x_i][o]] is negative: that sum is the logit difference times the positive
    softmax denominator. The checker is written once, in [BruteOn] over a carrier of integers
    ([Carrier.v]): [BruteZ] (exported here) is its instance on [Z] that [brute_sound] reads,
    [BruteBig.v] the same on BigZ. *)

From Coq Require Import Bool List ZArith.
From PyVerify Require Import Semantics Fixed Exp Tables Sums Carrier.
Import ListNotations.
Open Scope Z_scope.

(** The checker on any carrier ([Carrier.v]); [BruteZ] below is the one on [Z]. *)
Module BruteOn.
Section On.
Context (C : carrier).

(** One entry [D[i][t][o]] of the difference table for query [q] and max [m]
    (Python: [difference_table], one entry). *)
Definition difference (T : tables C) (S : nat) (q m i t o : nat) : num C * num C :=
  from_scaled (add (sub (add (sub (entry (EVOU T) t o) (entry (EVOU T) t m)) (entry (PVOU T) i o))
                        (entry (PVOU T) i m))
                   (mul (sub (entry (EUPU T) q o) (entry (EUPU T) q m)) (pow2 (of_Z (2 * Z.of_nat S)))))
              (of_Z (4 * Z.of_nat S)).

(** Whether one input is certified correct (Python: [input_certified]). *)
Definition input_certified (T : tables C) (S V n : nat) (s : num C * num C) (x : list nat) : bool :=
  let bits := of_Z (4 * Z.of_nat S) in
  let q := nth (n - 1) x 0%nat in
  let m := list_max x in
  let scores := map (fun i => ival_add (scaled_score (entry (EQKE T) q (nth i x 0%nat)) bits s)
                                       (scaled_score (entry (EQKP T) q i) bits s)) (seq 0 n) in
  let e := exp_shifted (max_hi scores) scores in
  forallb (fun o => Nat.eqb o m ||
             ltb (fold_left add (map (fun i => mul_hi_nonneg (nth i e (zero, zero))
                                                             (difference T S q m i (nth i x 0%nat) o))
                                     (seq 0 n)) zero) zero)
          (seq 0 V).
End On.
End BruteOn.

Module BruteZ.
Definition difference := ltac:(carrier_instance ZCarrier BruteOn.difference tt).
Definition input_certified :=
  ltac:(carrier_instance ZCarrier BruteOn.input_certified (BruteOn.difference, difference)).
End BruteZ.
Export BruteZ.

(** The weights have the shapes of [Semantics.v], with [n_ctx >= 1] and [d_head >= 1]
    (Python checks this when it loads a model: [pyverify/model/transformer.py]). *)
Definition shapes_ok (w : weights) : bool :=
  let V := d_vocab w in let n := n_ctx w in let d := d_model w in let h := d_head w in
  (1 <=? n)%nat && (1 <=? h)%nat && shape_b (W_E w) V d && shape_b (W_pos w) n d
  && shape_b (W_Q w) d h && shape_b (W_K w) d h && shape_b (W_V w) d h
  && shape_b (W_O w) h d && shape_b (W_U w) d V.

(** The certified brute-force count, or [0] if the shapes are wrong or [s] does not enclose
    [2^prec / sqrt d_head] (Python: [certify_brute]; the scale comes from [inv_sqrt] there). *)
Definition check_brute (w : weights) (s : ival) : nat :=
  if shapes_ok w && check_inv_sqrt (Z.of_nat (d_head w)) s then
    let T := exact_tables w in
    length (filter (input_certified T (S w) (d_vocab w) (n_ctx w) s) (all_inputs (d_vocab w) (n_ctx w)))
  else 0%nat.
