(** * The brute-force checker, computed on BigZ

    [BruteB] is [Brute.BruteOn]'s instance on the BigZ carrier ([BigCarrier.v]): the same definitions as
    the checker on [Z] that [brute_sound] is about. The tables are built once on [Z]; the loop
    over every input runs on [BigZ]. [check_brute_big_eq] proves that the count is the same. *)

From Coq Require Import Bool List ZArith Lia.
From Bignums Require Import BigZ.
From PyVerify Require Import Semantics Fixed Exp Tables Sums BigCarrier Brute.
From PyVerify Require Carrier.
Import ListNotations.

Module BruteB.
Definition difference := ltac:(Carrier.carrier_instance BigCarrier BruteOn.difference tt).
Definition input_certified :=
  ltac:(Carrier.carrier_instance BigCarrier BruteOn.input_certified (BruteOn.difference, difference)).
End BruteB.

(** [check_brute], with the loop over inputs on BigZ. *)
Definition check_brute_big (w : weights) (s : ival) : nat :=
  if shapes_ok w && check_inv_sqrt (Z.of_nat (d_head w)) s then
    let T := big_tables (z_tables (TablesB.exact_tables w)) in
    length (filter (BruteB.input_certified T (S w) (d_vocab w) (n_ctx w) (big_ival s))
                   (all_inputs (d_vocab w) (n_ctx w)))
  else 0%nat.

(** ** The BigZ checker agrees with the checker on [Z] *)

Local Notation zi a := (BigZ.to_Z (fst a), BigZ.to_Z (snd a)).

Lemma difference_big (T : tables) (S q m i t o : nat) :
  zi (BruteB.difference (big_tables T) S q m i t o) = difference T S q m i t o.
Proof.
  unfold BruteB.difference, difference. rewrite from_scaled_big. cbn [big_tables Big.EVOU Big.PVOU Big.EUPU].
  bigz_all. now rewrite !entry_big.
Qed.

Lemma input_certified_big (T : tables) (S V n : nat) (s : ival) (x : list nat) :
  BruteB.input_certified (big_tables T) S V n (big_ival s) x = input_certified T S V n s x.
Proof.
  unfold BruteB.input_certified, input_certified. cbv zeta.
  assert (Hscores : map (fun a => zi a)
      (map (B := bigZ * bigZ) (fun i => Big.add (Big.scaled_score (Big.entry (Big.EQKE (big_tables T)) (nth (n - 1) x 0%nat) (nth i x 0%nat))
                                (BigZ.of_Z (4 * Z.of_nat S)) (big_ival s))
                             (Big.scaled_score (Big.entry (Big.EQKP (big_tables T)) (nth (n - 1) x 0%nat) i)
                                (BigZ.of_Z (4 * Z.of_nat S)) (big_ival s))) (seq 0 n))
    = map (fun i => add (scaled_score (entry (EQKE T) (nth (n - 1) x 0%nat) (nth i x 0%nat)) (4 * Z.of_nat S) s)
                        (scaled_score (entry (EQKP T) (nth (n - 1) x 0%nat) i) (4 * Z.of_nat S) s)) (seq 0 n)).
  { rewrite map_map. apply map_ext. intros i. rewrite add_big, !scaled_score_big.
    cbn [big_tables Big.EQKE Big.EQKP big_ival fst snd]. rewrite !entry_big. bigz_all. now destruct s. }
  apply forallb_pointwise. intros o. f_equal.
  rewrite BigZ.spec_ltb, to_Z_0. f_equal.
  assert (G : forall (l : list bigZ) acc, BigZ.to_Z (fold_left BigZ.add l acc)
                                          = fold_left Z.add (map BigZ.to_Z l) (BigZ.to_Z acc)).
  { induction l as [| y l IH]; intros acc; [reflexivity |]. cbn [fold_left map]. now rewrite IH, BigZ.spec_add. }
  rewrite G, to_Z_0, map_map. f_equal. apply map_ext. intros i.
  rewrite mul_hi_nonneg_big, difference_big. f_equal.
  rewrite <- (map_nth (fun a => zi a)). cbn [fst snd]. rewrite to_Z_0.
  rewrite exp_shifted_big, max_hi_big. rewrite Hscores. reflexivity.
Qed.

(** The BigZ checker returns the same count. *)
Theorem check_brute_big_eq (w : weights) (s : ival) : check_brute_big w s = check_brute w s.
Proof.
  unfold check_brute_big, check_brute. destruct (shapes_ok w && check_inv_sqrt (Z.of_nat (d_head w)) s);
    [| reflexivity].
  rewrite exact_tables_big. f_equal. apply filter_ext. intros x. apply input_certified_big.
Qed.
