(** * The checkers never count an input the real model gets wrong

    [brute_sound]: for all weights and every scale interval, [check_brute w s] is at most
    [correct_count w]. The proof follows docs/strategies.md ("Brute force"):

    - the real attention score of position [i] is [(EQKE[q][x_i] + EQKP[q][i]) / 2^(4S)]
      divided by [sqrt d_head], and the interval the checker computes contains it;
    - the logit difference [logit o - logit m] is [sum_i a_i D_i] with [a_i] the softmax weights
      and [D_i] the difference table entry, because the weights sum to one;
    - multiplied by the positive [sum_j exp(score_j - shift)], that is [sum_i e_i D_i] with
      [e_i = exp(score_i - shift)], and the checker's integer sum is an upper bound for it. *)

From Coq Require Import Bool List ZArith Reals Lra Lia.
From PyVerify Require Import Semantics Fixed Exp Tables Sums Brute Cubic Sorting Counting.
Import ListNotations.
Open Scope R_scope.

(** ** Two rearrangements of sums *)

Lemma scores_rearranged (d h : nat) (r s : nat -> R) (A B : nat -> nat -> R) :
  rsum h (fun k => rsum d (fun a => r a * A a k) * rsum d (fun b => s b * B b k))
  = rsum d (fun j => rsum d (fun a => r a * rsum h (fun k => A a k * B j k)) * s j).
Proof.
  transitivity (rsum d (fun j => rsum d (fun a => rsum h (fun k => r a * A a k * (s j * B j k))))).
  - transitivity (rsum h (fun k => rsum d (fun j => rsum d (fun a => r a * A a k * (s j * B j k))))).
    + apply rsum_ext. intros k _. rewrite rsum_mult_r. rewrite rsum_swap. apply rsum_ext. intros a _.
      rewrite rsum_mult_l. reflexivity.
    + rewrite rsum_swap. apply rsum_ext. intros j _. now rewrite rsum_swap.
  - apply rsum_ext. intros j _. rewrite rsum_mult_r. apply rsum_ext. intros a _.
    rewrite Rmult_assoc, rsum_mult_r, rsum_mult_l. apply rsum_ext. intros k _. ring.
Qed.

Lemma logits_rearranged (n d h : nat) (a : nat -> R) (r : nat -> nat -> R) (Vw O : nat -> nat -> R)
    (U : nat -> R) :
  rsum d (fun j => rsum h (fun k => rsum n (fun i => a i * rsum d (fun b => r i b * Vw b k)) * O k j) * U j)
  = rsum n (fun i => a i * rsum d (fun b => r i b * rsum d (fun j => rsum h (fun k => Vw b k * O k j) * U j))).
Proof.
  set (t i b j k := a i * r i b * Vw b k * O k j * U j).
  transitivity (rsum d (fun j => rsum h (fun k => rsum n (fun i => rsum d (fun b => t i b j k))))).
  - apply rsum_ext. intros j _. rewrite rsum_mult_r. apply rsum_ext. intros k _.
    rewrite !rsum_mult_r. apply rsum_ext. intros i _. rewrite rsum_mult_l, !rsum_mult_r.
    apply rsum_ext. intros b _. unfold t. ring.
  - transitivity (rsum n (fun i => rsum d (fun b => rsum d (fun j => rsum h (fun k => t i b j k))))).
    + transitivity (rsum d (fun j => rsum n (fun i => rsum d (fun b => rsum h (fun k => t i b j k))))).
      * apply rsum_ext. intros j _. rewrite rsum_swap. apply rsum_ext. intros i _. apply rsum_swap.
      * rewrite rsum_swap. apply rsum_ext. intros i _. apply rsum_swap.
    + apply rsum_ext. intros i _. rewrite rsum_mult_l. apply rsum_ext. intros b _.
      rewrite rsum_mult_l, rsum_mult_l. apply rsum_ext. intros j _.
      rewrite rsum_mult_r, !rsum_mult_l. apply rsum_ext. intros k _. unfold t. ring.
Qed.

(** ** Small facts *)

Lemma fold_left_add (l : list Z) : fold_left Z.add l 0%Z = fold_right Z.add 0%Z l.
Proof. apply fold_symmetric; intros; lia. Qed.

Lemma IZR_pow2_scale (k s : nat) : IZR (2 ^ (Z.of_nat k * Z.of_nat s)) = (2 ^ s) ^ k.
Proof. rewrite <- Nat2Z.inj_mul, <- pow_IZR, Nat.mul_comm, pow_mult. reflexivity. Qed.

Lemma filter_length_le {A : Type} (f g : A -> bool) (l : list A) :
  (forall a, In a l -> f a = true -> g a = true) -> (length (filter f l) <= length (filter g l))%nat.
Proof.
  induction l as [| a l IH]; intros H; [reflexivity |]. simpl.
  assert (IH' : (length (filter f l) <= length (filter g l))%nat) by (apply IH; intros; apply H; [right |]; assumption).
  destruct (f a) eqn:Ef.
  - rewrite (H a (or_introl eq_refl) Ef). simpl. lia.
  - destruct (g a); simpl; lia.
Qed.

(** ** One input *)

Section Input.
Variable w : weights.
Variable x : list nat.
Hypothesis shapes : shapes_ok w = true.
Hypothesis x_length : length x = n_ctx w.
Hypothesis x_tokens : forall t, In t x -> (t < d_vocab w)%nat.

Local Notation c := (2 ^ S w).
Local Notation T := (exact_tables w).
Local Notation q := (nth (n_ctx w - 1) x 0%nat).

Lemma shapes_spec :
  (1 <= n_ctx w)%nat /\ (1 <= d_head w)%nat /\ shape (W_E w) (d_vocab w) (d_model w)
  /\ shape (W_pos w) (n_ctx w) (d_model w) /\ shape (W_Q w) (d_model w) (d_head w)
  /\ shape (W_K w) (d_model w) (d_head w) /\ shape (W_V w) (d_model w) (d_head w)
  /\ shape (W_O w) (d_head w) (d_model w) /\ shape (W_U w) (d_model w) (d_vocab w).
Proof.
  pose proof shapes as H. unfold shapes_ok in H.
  repeat match goal with Hb : (_ && _) = true |- _ => apply andb_prop in Hb; destruct Hb end.
  repeat match goal with |- _ /\ _ => split end; try (apply Nat.leb_le; assumption); apply shape_b_spec; assumption.
Qed.

Lemma c_nonzero : c <> 0.
Proof. apply pow_nonzero. lra. Qed.

Lemma token_lt (i : nat) : (i < n_ctx w)%nat -> (nth i x 0%nat < d_vocab w)%nat.
Proof. intros Hi. apply x_tokens, nth_In. lia. Qed.

Lemma resid_length (i : nat) : (i < n_ctx w)%nat -> length (resid w x i) = d_model w.
Proof.
  intros Hi. destruct shapes_spec as (_ & _ & HE & HP & _).
  assert (L : length (row w (W_E w) (nth i x 0%nat)) = length (row w (W_pos w) i)).
  { rewrite (row_length w (W_E w) (d_vocab w) (d_model w)), (row_length w (W_pos w) (n_ctx w) (d_model w));
      auto using token_lt. }
  unfold resid. rewrite vadd_length by exact L. apply (row_length w (W_E w) (d_vocab w)); auto using token_lt.
Qed.

Lemma nth_resid (i j : nat) : (i < n_ctx w)%nat ->
  nth j (resid w x i) 0 = real w (entry (W_E w) (nth i x 0%nat) j) + real w (entry (W_pos w) i j).
Proof.
  intros Hi. destruct shapes_spec as (_ & _ & HE & HP & _).
  assert (L : length (row w (W_E w) (nth i x 0%nat)) = length (row w (W_pos w) i)).
  { rewrite (row_length w (W_E w) (d_vocab w) (d_model w)), (row_length w (W_pos w) (n_ctx w) (d_model w));
      auto using token_lt. }
  unfold resid. rewrite nth_vadd by exact L.
  now rewrite !nth_row.
Qed.

Lemma entry_resid_query (t a : nat) : (t < d_vocab w)%nat -> (a < d_model w)%nat ->
  entry (resid_query w) t a = (entry (W_E w) t a + entry (W_pos w) (n_ctx w - 1) a)%Z.
Proof.
  intros Ht Ha. destruct shapes_spec as (Hn & _ & HE & HP & _).
  unfold resid_query, entry at 1. rewrite (nth_map_in _ _ []) by (destruct HE; lia).
  rewrite nth_zadd; [reflexivity |].
  rewrite (shape_row_length _ _ _ _ HE Ht), (shape_row_length _ _ _ _ HP); lia.
Qed.

Lemma shape_resid_query : shape (resid_query w) (d_vocab w) (d_model w).
Proof.
  destruct shapes_spec as (Hn & _ & HE & HP & _). split.
  - unfold resid_query. rewrite map_length. now destruct HE.
  - intros r Hr. unfold resid_query in Hr. apply in_map_iff in Hr as [e [<- He]].
    rewrite map_length, combine_length. destruct HE as [_ HE'].
    rewrite (HE' e He), (shape_row_length _ _ _ _ HP) by lia. lia.
Qed.

(** Side conditions of the rewrites below. *)
Local Ltac side :=
  first [ assumption | apply pow_nonzero; lra | apply c_nonzero | apply transposeZ_length
        | apply shape_resid_query | apply shape_matmul, shape_resid_query
        | apply token_lt; lia | lia ].

(** The score's numerator [q . k_i] from the tables. *)
Lemma score_numerator (i : nat) : (i < n_ctx w)%nat ->
  dot (q_vec w x) (k_vec w x i)
  = IZR (entry (EQKE T) q (nth i x 0%nat) + entry (EQKP T) q i) / c ^ 4.
Proof.
  intros Hi. pose proof shapes_spec as (Hn & Hh & HE & HP & HQ & HK & _).
  pose proof c_nonzero as Hc.
  assert (Hq : (n_ctx w - 1 < n_ctx w)%nat) by lia.
  set (r a := nth a (resid w x (n_ctx w - 1)) 0). set (s b := nth b (resid w x i) 0).
  transitivity (rsum (d_model w) (fun j => rsum (d_model w) (fun a =>
      r a * rsum (d_head w) (fun k => real w (entry (W_Q w) a k) * real w (entry (W_K w) j k))) * s j)).
  - unfold q_vec, k_vec, Semantics.n. rewrite <- scores_rearranged.
    rewrite (dot_rsum _ _ (d_head w)) by apply vecmat_length. apply rsum_ext. intros k Hk.
    rewrite !(nth_vecmat _ _ _ (d_model w)) by (try apply resid_length; try destruct HQ; try destruct HK; auto).
    reflexivity.
  - rewrite plus_IZR. unfold Rdiv. rewrite Rmult_plus_distr_r. fold (IZR (entry (EQKE T) q (nth i x 0%nat)) / c ^ 4).
    fold (IZR (entry (EQKP T) q i) / c ^ 4).
    replace (c ^ 4) with (c ^ 3 * c) by ring. cbn [EQKE EQKP exact_tables].
    assert (Hqk : shape (query_key w) (d_vocab w) (d_model w)).
    { apply shape_matmul. apply shape_resid_query. }
    rewrite (entry_matmul_scaled (query_key w) (transposeZ (W_E w) (d_model w)) (d_vocab w) (d_model w)
               (d_vocab w) q (nth i x 0%nat) (c ^ 3) c) by side.
    rewrite (entry_matmul_scaled (query_key w) (transposeZ (W_pos w) (d_model w)) (d_vocab w) (d_model w)
               (n_ctx w) q i (c ^ 3) c) by side.
    rewrite <- rsum_plus. apply rsum_ext. intros j Hj.
    rewrite !entry_transposeZ by assumption.
    unfold s. rewrite nth_resid by assumption.
    replace (IZR (entry (query_key w) q j) / c ^ 3) with (rsum (d_model w) (fun a =>
      r a * rsum (d_head w) (fun k => real w (entry (W_Q w) a k) * real w (entry (W_K w) j k)))).
    { unfold real. field. exact Hc. }
    replace (c ^ 3) with (c * c ^ 2) by ring. unfold query_key.
    rewrite (entry_matmul_scaled (resid_query w) (QK w) (d_vocab w) (d_model w) (d_model w) q j c (c ^ 2))
      by (side || (unfold QK, matmul; rewrite map_length; now destruct HQ)).
    apply rsum_ext. intros a Ha. unfold r. rewrite nth_resid by assumption.
    rewrite entry_resid_query by auto using token_lt. rewrite plus_IZR. unfold real.
    replace (c ^ 2) with (c * c) by ring. unfold QK.
    rewrite (entry_matmul_scaled (W_Q w) (transposeZ (W_K w) (d_head w)) (d_model w) (d_head w) (d_model w) a j c c)
      by side.
    f_equal; [field; exact Hc |]. apply rsum_ext. intros k Hk. now rewrite entry_transposeZ.
Qed.

Lemma OVU_length : length (OVU w) = d_model w.
Proof.
  destruct shapes_spec as (_ & _ & _ & _ & _ & _ & HV & _). unfold OVU, OV, matmul.
  rewrite !map_length. now destruct HV.
Qed.

(** The logits from the tables: [EUPU] for the query's own residual stream, and each
    position's value path [EVOU + PVOU] weighted by its attention. *)
Lemma logit_tables (o : nat) : (o < d_vocab w)%nat ->
  logit w x o = IZR (entry (EUPU T) q o) / c ^ 2
    + rsum (n_ctx w) (fun i => attention w x i
                                * (IZR (entry (EVOU T) (nth i x 0%nat) o + entry (PVOU T) i o) / c ^ 4)).
Proof.
  intros Ho. pose proof shapes_spec as (Hn & Hh & HE & HP & HQ & HK & HV & HO & HU).
  pose proof c_nonzero as Hc.
  assert (Hq : (n_ctx w - 1 < n_ctx w)%nat) by lia.
  unfold logit, logits, head_out, Semantics.n.
  set (hin := vsum (d_head w) (map (fun i => vscale (attention w x i) (v_vec w x i)) (seq 0 (n_ctx w)))).
  assert (Hhin : length hin = d_head w
                 /\ forall k, nth k hin 0 = rsum (n_ctx w) (fun i => attention w x i * nth k (v_vec w x i) 0)).
  { destruct (vsum_spec (d_head w) (map (fun i => vscale (attention w x i) (v_vec w x i)) (seq 0 (n_ctx w))))
      as [L N].
    - intros v Hv. apply in_map_iff in Hv as [i [<- _]]. rewrite vscale_length. apply vecmat_length.
    - split; [exact L |]. intros k. unfold hin. rewrite N, map_map. unfold rsum. f_equal.
      apply map_ext. intros i. apply nth_vscale. }
  set (ho := vecmat w hin (W_O w) (d_model w)).
  assert (Lq : length (resid w x (n_ctx w - 1)) = length ho)
    by (unfold ho; rewrite vecmat_length; now apply resid_length).
  rewrite (nth_vecmat _ _ _ (d_model w))
    by (try rewrite vadd_length by exact Lq; try apply resid_length; try destruct HU; auto).
  transitivity (rsum (d_model w) (fun j => nth j (resid w x (n_ctx w - 1)) 0 * real w (entry (W_U w) j o))
                + rsum (d_model w) (fun j => nth j ho 0 * real w (entry (W_U w) j o))).
  { rewrite <- rsum_plus. apply rsum_ext. intros j Hj. rewrite nth_vadd by exact Lq. ring. }
  f_equal.
  - cbn [EUPU exact_tables]. replace (c ^ 2) with (c * c) by ring.
    rewrite (entry_matmul_scaled (resid_query w) (W_U w) (d_vocab w) (d_model w) (d_vocab w) q o c c)
      by (side || now destruct HU).
    apply rsum_ext. intros j Hj. rewrite nth_resid, entry_resid_query, plus_IZR by side.
    unfold real. field. exact Hc.
  - transitivity (rsum (d_model w) (fun j => rsum (d_head w) (fun k =>
        rsum (n_ctx w) (fun i => attention w x i
          * rsum (d_model w) (fun b => nth b (resid w x i) 0 * real w (entry (W_V w) b k)))
        * real w (entry (W_O w) k j)) * real w (entry (W_U w) j o))).
    { apply rsum_ext. intros j Hj. f_equal. unfold ho.
      rewrite (nth_vecmat _ _ _ (d_head w)) by (try apply (proj1 Hhin); try destruct HO; auto).
      apply rsum_ext. intros k Hk. f_equal. rewrite (proj2 Hhin). apply rsum_ext. intros i Hi. f_equal.
      unfold v_vec. apply (nth_vecmat _ _ _ (d_model w)); [now apply resid_length | now destruct HV | exact Hk]. }
    rewrite logits_rearranged. apply rsum_ext. intros i Hi. f_equal.
    cbn [EVOU PVOU exact_tables]. rewrite plus_IZR. unfold Rdiv at 1. rewrite Rmult_plus_distr_r.
    replace (c ^ 4) with (c * c ^ 3) by ring.
    fold (IZR (entry (matmul (W_E w) (OVU w) (d_vocab w)) (nth i x 0%nat) o) / (c * c ^ 3)).
    fold (IZR (entry (matmul (W_pos w) (OVU w) (d_vocab w)) i o) / (c * c ^ 3)).
    rewrite (entry_matmul_scaled (W_E w) (OVU w) (d_vocab w) (d_model w) (d_vocab w) (nth i x 0%nat) o c (c ^ 3))
      by (side || apply OVU_length).
    rewrite (entry_matmul_scaled (W_pos w) (OVU w) (n_ctx w) (d_model w) (d_vocab w) i o c (c ^ 3))
      by (side || apply OVU_length).
    rewrite <- rsum_plus. apply rsum_ext. intros b Hb. rewrite nth_resid by exact Hi.
    replace (IZR (entry (OVU w) b o) / c ^ 3) with (rsum (d_model w) (fun j =>
      rsum (d_head w) (fun k => real w (entry (W_V w) b k) * real w (entry (W_O w) k j)) * real w (entry (W_U w) j o))).
    { unfold real. field. exact Hc. }
    replace (c ^ 3) with (c ^ 2 * c) by ring. unfold OVU.
    rewrite (entry_matmul_scaled (OV w) (W_U w) (d_model w) (d_model w) (d_vocab w) b o (c ^ 2) c)
      by (side || (apply shape_matmul; now destruct HV) || now destruct HU).
    apply rsum_ext. intros j Hj. f_equal. replace (c ^ 2) with (c * c) by ring. unfold OV.
    rewrite (entry_matmul_scaled (W_V w) (W_O w) (d_model w) (d_head w) (d_model w) b j c c)
      by (side || now destruct HO).
    reflexivity.
Qed.

(** The real logit difference the checker bounds: [D_i] of docs/strategies.md over [2^(4S)]. *)
Definition difference_real (m i o : nat) : R :=
  IZR (entry (EVOU T) (nth i x 0%nat) o - entry (EVOU T) (nth i x 0%nat) m + entry (PVOU T) i o - entry (PVOU T) i m
       + (entry (EUPU T) q o - entry (EUPU T) q m) * 2 ^ (2 * Z.of_nat (S w))) / c ^ 4.

Lemma attention_sum : rsum (n_ctx w) (attention w x) = 1.
Proof.
  destruct shapes_spec as (Hn & _).
  assert (Hden : 0 < softmax_denominator w x).
  { apply rsum_pos; [unfold Semantics.n; lia | intros; apply exp_pos]. }
  unfold attention. unfold Rdiv. rewrite <- rsum_mult_r.
  change (rsum (n_ctx w) (fun k => exp (score w x k))) with (softmax_denominator w x). field. lra.
Qed.

(** [logit o - logit m = sum_i a_i D_i]: the query's own path moves inside the sum because the
    attention weights sum to one. *)
Lemma logit_difference (m o : nat) : (m < d_vocab w)%nat -> (o < d_vocab w)%nat ->
  logit w x o - logit w x m = rsum (n_ctx w) (fun i => attention w x i * difference_real m i o).
Proof.
  intros Hm Ho. pose proof c_nonzero as Hc. rewrite !logit_tables by assumption.
  set (U := (IZR (entry (EUPU T) q o) - IZR (entry (EUPU T) q m)) / c ^ 2).
  transitivity (rsum (n_ctx w) (fun i => attention w x i * (IZR (entry (EVOU T) (nth i x 0%nat) o + entry (PVOU T) i o) / c ^ 4))
                - rsum (n_ctx w) (fun i => attention w x i * (IZR (entry (EVOU T) (nth i x 0%nat) m + entry (PVOU T) i m) / c ^ 4))
                + rsum (n_ctx w) (attention w x) * U).
  { rewrite attention_sum. unfold U. unfold Rdiv. ring. }
  rewrite rsum_mult_r, <- rsum_minus, <- rsum_plus. apply rsum_ext. intros i Hi.
  unfold difference_real, U. change (2 * Z.of_nat (S w))%Z with (Z.of_nat 2 * Z.of_nat (S w))%Z.
  rewrite !plus_IZR, !minus_IZR, mult_IZR, minus_IZR, IZR_pow2_scale, !plus_IZR.
  rewrite ?plus_IZR, ?minus_IZR. field. exact Hc.
Qed.

(** Every input the checker certifies is correct. *)
Lemma input_certified_correct (s : ival) :
  check_inv_sqrt (Z.of_nat (d_head w)) s = true ->
  input_certified T (S w) (d_vocab w) (n_ctx w) s x = true -> correct w x.
Proof.
  intros Hs Hc. pose proof shapes_spec as (Hn & Hh & _). pose proof c_nonzero as Hcz.
  assert (Hsc : contains s (/ sqrt (INR (d_head w)))).
  { rewrite INR_IZR_INZ. apply check_inv_sqrt_correct; [lia | exact Hs]. }
  assert (Hsqrt : 0 < sqrt (INR (d_head w))) by (apply sqrt_lt_R0, lt_0_INR; lia).
  assert (Hm : (list_max x < d_vocab w)%nat).
  { apply list_max_lt.
    - intros E. rewrite E in x_length. simpl in x_length. lia.
    - apply Forall_forall. exact x_tokens. }
  assert (Hden : 0 < softmax_denominator w x).
  { apply rsum_pos; [unfold Semantics.n; lia | intros; apply exp_pos]. }
  unfold input_certified in Hc. cbv zeta in Hc.
  set (bits := (4 * Z.of_nat (S w))%Z) in Hc.
  set (scores := map (B := (Z * Z)%type) (fun i => add (scaled_score (entry (EQKE T) q (nth i x 0%nat)) bits s)
                                   (scaled_score (entry (EQKP T) q i) bits s)) (seq 0 (n_ctx w))) in Hc.
  set (shift := max_hi scores) in Hc.
  unfold correct. intros o Ho Hne.
  rewrite forallb_forall in Hc. specialize (Hc o ltac:(apply in_seq; lia)).
  apply orb_true_iff in Hc as [Hc | Hc]; [apply Nat.eqb_eq in Hc; contradiction |].
  apply Z.ltb_lt in Hc. rewrite fold_left_add in Hc. apply IZR_lt in Hc. rewrite IZR_fold_right_add in Hc.
  (* the checker's sum bounds [sum_i exp(score_i - shift) D_i] from above *)
  assert (Hle : rsum (n_ctx w) (fun i => exp (score w x i - fx shift) * difference_real (list_max x) i o)
                <= rsum (n_ctx w) (fun i => IZR (mul_hi_nonneg (nth (A := (Z * Z)%type) i (exp_shifted shift scores) (0%Z, 0%Z))
                                                    (difference T (S w) q (list_max x) i (nth i x 0%nat) o)))
                   / IZR (2 ^ prec)).
  { unfold Rdiv. rewrite rsum_mult_r. apply rsum_le. intros i Hi. apply mul_hi_nonneg_correct.
    - left. apply exp_pos.
    - unfold exp_shifted. rewrite (nth_map_in _ _ (0%Z, 0%Z)) by (unfold scores; rewrite map_length, seq_length; lia).
      apply exp_interval_correct. apply contains_sub. unfold scores. rewrite nth_seq_map by lia.
      unfold score. rewrite score_numerator by lia.
      replace (IZR (entry (EQKE T) q (nth i x 0%nat) + entry (EQKP T) q i) / c ^ 4 / sqrt (INR (d_head w)))
        with (IZR (entry (EQKE T) q (nth i x 0%nat)) / IZR (2 ^ bits) * / sqrt (INR (d_head w))
              + IZR (entry (EQKP T) q i) / IZR (2 ^ bits) * / sqrt (INR (d_head w))).
      + apply add_correct; apply scaled_score_correct; (unfold bits; lia) || exact Hsc.
      + unfold bits. change (4 * Z.of_nat (S w))%Z with (Z.of_nat 4 * Z.of_nat (S w))%Z.
        rewrite IZR_pow2_scale, plus_IZR. field. split; [exact Hcz | lra].
    - unfold difference.
      destruct (from_scaled_correct
                  (entry (EVOU T) (nth i x 0%nat) o - entry (EVOU T) (nth i x 0%nat) (list_max x)
                   + entry (PVOU T) i o - entry (PVOU T) i (list_max x)
                   + (entry (EUPU T) q o - entry (EUPU T) q (list_max x)) * 2 ^ (2 * Z.of_nat (S w)))
                  (4 * Z.of_nat (S w)) ltac:(lia)) as [_ U].
      change (4 * Z.of_nat (S w))%Z with (Z.of_nat 4 * Z.of_nat (S w))%Z in U.
      rewrite IZR_pow2_scale in U. exact U. }
  (* and that sum is the logit difference times a positive number *)
  assert (Hexp : rsum (n_ctx w) (fun i => exp (score w x i - fx shift) * difference_real (list_max x) i o)
                 = exp (- fx shift) * softmax_denominator w x * (logit w x o - logit w x (answer x))).
  { unfold answer. rewrite logit_difference by assumption. rewrite rsum_mult_l. apply rsum_ext. intros i _.
    unfold attention, Rminus. rewrite exp_plus. field. lra. }
  assert (Hpos : 0 < exp (- fx shift) * softmax_denominator w x) by (apply Rmult_lt_0_compat; [apply exp_pos | lra]).
  assert (HP : 0 < IZR (2 ^ prec)) by apply IZR_pow2_pos, prec_nonneg.
  assert (Hneg : rsum (n_ctx w) (fun i => IZR (mul_hi_nonneg (nth (A := (Z * Z)%type) i (exp_shifted shift scores) (0%Z, 0%Z))
                                                (difference T (S w) q (list_max x) i (nth i x 0%nat) o)))
                 / IZR (2 ^ prec) < 0).
  { unfold Rdiv. assert (0 < / IZR (2 ^ prec)) by (apply Rinv_0_lt_compat; exact HP). nra. }
  nra.
Qed.
End Input.

(** ** The brute-force checker is sound *)

(** For all weights and every scale interval, the brute-force checker's count is at most the
    number of inputs the real model gets right. *)
Theorem brute_sound (w : weights) (s : ival) : (check_brute w s <= correct_count w)%nat.
Proof.
  unfold check_brute, correct_count. destruct (shapes_ok w && check_inv_sqrt (Z.of_nat (d_head w)) s) eqn:E;
    [| lia].
  apply andb_prop in E as [Hshapes Hs]. apply filter_length_le. intros x Hx Hc.
  destruct (all_inputs_spec _ _ _ Hx) as [L T]. apply correct_b_spec.
  exact (input_certified_correct w x Hshapes L T s Hs Hc).
Qed.

(** ** Facts the cubic checker's proof uses *)

(** An affine function negative at both ends of an interval is negative inside it. *)
Lemma affine_neg (a b L H v : R) : L <= v <= H -> a + b * L < 0 -> a + b * H < 0 -> a + b * v < 0.
Proof.
  intros [HL HH] NL NH. destruct (Rle_lt_dec 0 b) as [Hb | Hb].
  - assert (b * v <= b * H) by (apply Rmult_le_compat_l; lra). lra.
  - assert (b * v <= b * L) by (apply Rmult_le_compat_neg_l; lra). lra.
Qed.

Lemma max_except_ge (V m o : nat) (f : nat -> Z) :
  (o < V)%nat -> o <> m -> (f o <= max_except V m f)%Z.
Proof.
  intros Ho Hne. unfold max_except.
  assert (G : forall l acc, (acc <= fold_left (fun acc o => if Nat.eqb o m then acc else Z.max acc (f o)) l acc)%Z
                            /\ (In o l -> f o <= fold_left (fun acc o => if Nat.eqb o m then acc else Z.max acc (f o)) l acc)%Z).
  { induction l as [| t l IH]; intros acc; [simpl; split; [lia | intros []] |]. simpl.
    destruct (Nat.eqb_spec t m) as [-> | NE].
    - destruct (IH acc) as [A B]. split; [exact A |]. intros [E | I]; [congruence | now apply B].
    - destruct (IH (Z.max acc (f t))) as [A B]. split; [lia |]. intros [<- | I]; [lia | now apply B]. }
  apply G. apply in_seq. lia.
Qed.

Lemma fold_max_ge (l : list Z) (x a : Z) : In a (x :: l) -> (a <= fold_left Z.max l x)%Z.
Proof.
  revert x. induction l as [| y l IH]; intros x Ha; simpl in *.
  - destruct Ha as [<- | []]. lia.
  - assert (G : forall acc, (acc <= fold_left Z.max l acc)%Z).
    { clear. induction l as [| z l IH]; intros acc; simpl; [lia |]. specialize (IH (Z.max acc z)). lia. }
    destruct Ha as [-> | [-> | Ha]].
    + specialize (G (Z.max a y)). lia.
    + specialize (G (Z.max x a)). lia.
    + apply IH. now right.
Qed.

(** The fixed-point value of a selected sum is the real sum of the selected values. *)
Lemma fx_selected (b : list bool) (l : list Z) (k : nat) :
  length b = k -> length l = k ->
  fx (selected b l) = rsum k (fun i => if nth i b false then fx (nth i l 0%Z) else 0).
Proof.
  intros Hb Hl. rewrite <- Hl in Hb. subst k. revert b Hb. induction l as [| z l IH]; intros b Hb.
  - destruct b; [| discriminate]. unfold fx. simpl. unfold rsum. simpl. unfold Rdiv. ring.
  - destruct b as [| t b]; [discriminate |]. simpl in Hb. injection Hb as Hb.
    cbn [length]. rewrite rsum_shift.
    change (rsum (length l) (fun i => if nth (Datatypes.S i) (t :: b) false then fx (nth (Datatypes.S i) (z :: l) 0%Z) else 0))
      with (rsum (length l) (fun i => if nth i b false then fx (nth i l 0%Z) else 0)).
    rewrite <- (IH b Hb).
    destruct t; simpl; unfold fx; [rewrite plus_IZR; unfold Rdiv; ring | unfold Rdiv; ring].
Qed.


(** A sum of non-positive terms, one of them negative, is negative. *)
Lemma rsum_pos_one (k : nat) (h : nat -> R) :
  (forall i, (i < k)%nat -> 0 <= h i) -> (exists i, (i < k)%nat /\ 0 < h i) -> 0 < rsum k h.
Proof.
  induction k as [| k IH]; intros Hle [i [Hi Hpos]]; [lia |]. rewrite rsum_succ.
  assert (Z : 0 <= rsum k h) by (rewrite <- (rsum_zero k); apply rsum_le; intros; apply Hle; lia).
  destruct (Nat.eq_dec i k) as [-> | NE].
  - lra.
  - assert (0 < rsum k h) by (apply IH; [intros; apply Hle; lia | exists i; split; [lia | exact Hpos]]).
    specialize (Hle k ltac:(lia)). lra.
Qed.

Lemma rsum_neg (k : nat) (h : nat -> R) :
  (forall i, (i < k)%nat -> h i <= 0) -> (exists i, (i < k)%nat /\ h i < 0) -> rsum k h < 0.
Proof.
  induction k as [| k IH]; intros Hle [i [Hi Hneg]]; [lia |]. rewrite rsum_succ.
  assert (Z : rsum k h <= 0) by (rewrite <- (rsum_zero k); apply rsum_le; intros; apply Hle; lia).
  destruct (Nat.eq_dec i k) as [-> | NE].
  - lra.
  - assert (rsum k h < 0) by (apply IH; [intros; apply Hle; lia | exists i; split; [lia | exact Hneg]]).
    specialize (Hle k ltac:(lia)). lra.
Qed.

(** The mixing step (docs/strategies.md, "Cubic", step 3): if every non-max position [i]
    ([b i = false]) makes [G + g_i R] negative, where [R] is their total positional weight,
    then so does their weighted mixture [G + sum_i om_i g_i]. *)
Lemma mixture (k : nat) (b : nat -> bool) (om g : nat -> R) (G : R) :
  (forall i, (i < k)%nat -> 0 < om i) -> (exists i, (i < k)%nat /\ b i = false) ->
  (forall i, (i < k)%nat -> b i = false -> G + g i * rsum k (fun j => if b j then 0 else om j) < 0) ->
  G + rsum k (fun i => if b i then 0 else om i * g i) < 0.
Proof.
  intros Hom [i0 [Hi0 Hb0]] Hneg. set (Rw := rsum k (fun j => if b j then 0 else om j)) in *.
  assert (HR : 0 < Rw).
  { unfold Rw. apply (rsum_pos_one k). - intros j Hj. destruct (b j); [lra | left; apply Hom, Hj].
    - exists i0. split; [exact Hi0 |]. rewrite Hb0. apply Hom, Hi0. }
  assert (S1 : rsum k (fun i => if b i then 0 else om i * (G + g i * Rw)) < 0).
  { apply rsum_neg.
    - intros i Hi. destruct (b i) eqn:B; [lra |]. specialize (Hneg i Hi B). specialize (Hom i Hi). nra.
    - exists i0. split; [exact Hi0 |]. rewrite Hb0. specialize (Hneg i0 Hi0 Hb0). specialize (Hom i0 Hi0). nra. }
  assert (E : rsum k (fun i => if b i then 0 else om i * (G + g i * Rw))
              = Rw * (G + rsum k (fun i => if b i then 0 else om i * g i))).
  { transitivity (rsum k (fun i => G * (if b i then 0 else om i) + Rw * (if b i then 0 else om i * g i))).
    - apply rsum_ext. intros i _. destruct (b i); ring.
    - rewrite rsum_plus, <- !rsum_mult_l. fold Rw. ring. }
  rewrite E in S1. destruct (Rlt_dec (G + rsum k (fun i => if b i then 0 else om i * g i)) 0) as [L | L]; [exact L |].
  exfalso. nra.
Qed.

Lemma nth_firstn_lt {A : Type} (i j : nat) (l : list A) (d : A) : (i < j)%nat -> nth i (firstn j l) d = nth i l d.
Proof.
  revert i j. induction l as [| a l IH]; intros i j H; destruct j as [| j]; try lia; [now destruct i |].
  destruct i as [| i]; [reflexivity |]. simpl. apply IH. lia.
Qed.

Lemma fx_le (a b : Z) : (a <= b)%Z -> fx a <= fx b.
Proof.
  intros H. unfold fx, Rdiv. apply Rmult_le_compat_r; [left; apply Rinv_0_lt_compat, IZR_pow2_pos, prec_nonneg |].
  now apply IZR_le.
Qed.

Lemma contains_point (z : Z) : contains (z, z) (fx z).
Proof. unfold contains. simpl. lra. Qed.

(** ** One input, for the cubic checker *)

Section CubicInput.
Variable w : weights.
Variable x : list nat.
Variable s : ival.
Hypothesis shapes : shapes_ok w = true.
Hypothesis x_length : length x = n_ctx w.
Hypothesis x_tokens : forall t, In t x -> (t < d_vocab w)%nat.
Hypothesis scale_ok : check_inv_sqrt (Z.of_nat (d_head w)) s = true.

Local Notation c := (2 ^ S w).
Local Notation T := (exact_tables w).
Local Notation n := (n_ctx w).
Local Notation q := (nth (n_ctx w - 1) x 0%nat).
Local Notation m := (list_max x).
Local Notation bits := (4 * Z.of_nat (S w))%Z.
Local Notation isq := (/ sqrt (INR (d_head w))).

(** The token and positional parts of a score (the score is their sum). *)
Definition token_score (t : nat) : R := IZR (entry (EQKE T) q t) / c ^ 4 * isq.
Definition pos_score (i : nat) : R := IZR (entry (EQKP T) q i) / c ^ 4 * isq.

Lemma score_split (i : nat) : (i < n)%nat -> score w x i = token_score (nth i x 0%nat) + pos_score i.
Proof.
  intros Hi. unfold score, token_score, pos_score. rewrite score_numerator by assumption.
  rewrite plus_IZR. unfold Rdiv. ring.
Qed.

Lemma scale_contains : contains s isq.
Proof.
  destruct (shapes_spec w shapes) as (_ & Hh & _). rewrite INR_IZR_INZ.
  apply check_inv_sqrt_correct; [lia | exact scale_ok].
Qed.

Lemma bits_pow : IZR (2 ^ bits) = c ^ 4.
Proof. change (4 * Z.of_nat (S w))%Z with (Z.of_nat 4 * Z.of_nat (S w))%Z. apply IZR_pow2_scale. Qed.

(** Token weights [e_t] and positional weights, as in [proven_qm] and [positional_of]. *)
Definition token_scores : list ival :=
  map (fun t => scaled_score (entry (EQKE T) q t) bits s) (seq 0 (m + 1)).
Definition token_weights : list ival := exp_shifted (max_hi token_scores) token_scores.
Definition pos_scores : list ival := map (fun raw => scaled_score raw bits s) (nth q (EQKP T) []).
Definition pos_weights : list ival := exp_shifted (max_hi pos_scores) pos_scores.
Definition eps (t : nat) : R := exp (token_score t - fx (max_hi token_scores)).
Definition omega (i : nat) : R := exp (pos_score i - fx (max_hi pos_scores)).

Lemma scaled_contains (raw : Z) : contains (scaled_score raw bits s) (IZR raw / c ^ 4 * isq).
Proof. rewrite <- bits_pow. apply scaled_score_correct; [lia | exact scale_contains]. Qed.

Lemma token_weight_contains (t : nat) : (t <= m)%nat -> contains (nth t token_weights (0, 0)%Z) (eps t).
Proof.
  intros Ht. unfold token_weights, exp_shifted, eps.
  rewrite (nth_map_in _ _ (0, 0)%Z) by (unfold token_scores; rewrite map_length, seq_length; lia).
  apply exp_interval_correct, contains_sub. unfold token_scores. rewrite nth_seq_map by lia.
  apply scaled_contains.
Qed.

Lemma q_lt : (q < d_vocab w)%nat.
Proof. destruct (shapes_spec w shapes) as (Hn & _). apply x_tokens, nth_In. lia. Qed.

Lemma eqkp_row_length : length (nth q (EQKP T) []) = n.
Proof.
  apply (shape_row_length _ (d_vocab w)); [| exact q_lt]. cbn [EQKP exact_tables].
  apply shape_matmul. unfold query_key, matmul. rewrite map_length.
  exact (proj1 (shape_resid_query w x shapes x_length)).
Qed.

Lemma pos_weight_contains (i : nat) : (i < n)%nat -> contains (nth i pos_weights (0, 0)%Z) (omega i).
Proof.
  intros Hi. unfold pos_weights, exp_shifted, omega.
  rewrite (nth_map_in _ _ (0, 0)%Z) by (unfold pos_scores; rewrite map_length, eqkp_row_length; lia).
  apply exp_interval_correct, contains_sub. unfold pos_scores.
  rewrite (nth_map_in _ _ 0%Z) by (rewrite eqkp_row_length; lia). apply scaled_contains.
Qed.

Lemma omega_pos (i : nat) : 0 < omega i.
Proof. apply exp_pos. Qed.

Lemma eps_pos (t : nat) : 0 < eps t.
Proof. apply exp_pos. Qed.

(** [exp(score_i - shift)] is the product of the token and positional weights. *)
Lemma exp_score (i : nat) : (i < n)%nat ->
  exp (score w x i - (fx (max_hi token_scores) + fx (max_hi pos_scores))) = eps (nth i x 0%nat) * omega i.
Proof.
  intros Hi. rewrite score_split by assumption. unfold eps, omega. rewrite <- exp_plus. f_equal. ring.
Qed.

(** The checker's upper bounds [c_t = E[t] + U[q]] on the logit differences ([proven_qm]'s [c]). *)
Definition bounds : list Z * list Z := logit_bounds T (S w) (d_vocab w) m.
Definition ctab : list Z := map (fun t => (nth t (snd bounds) 0 + nth q (fst bounds) 0)%Z) (seq 0 (m + 1)).
Definition chat (t : nat) : R := fx (nth t ctab 0%Z).

Lemma fx_add (a b : Z) : fx (a + b) = fx a + fx b.
Proof. unfold fx. rewrite plus_IZR. unfold Rdiv. ring. Qed.

Lemma le_max (t : nat) : In t x -> (t <= m)%nat.
Proof. intros H. now apply in_le_list_max. Qed.

Lemma q_le_m : (q <= m)%nat.
Proof. destruct (shapes_spec w shapes) as (Hn & _). apply le_max, nth_In. lia. Qed.

Lemma pvou_length : length (PVOU T) = n.
Proof.
  destruct (shapes_spec w shapes) as (_ & _ & _ & HP & _). cbn [PVOU exact_tables]. unfold matmul.
  rewrite map_length. now destruct HP.
Qed.

(** Every position's term of the logit difference is at most [c] of its token. *)
Lemma difference_le (i o : nat) : (i < n)%nat -> (o < d_vocab w)%nat -> o <> m ->
  difference_real w x m i o <= chat (nth i x 0%nat).
Proof.
  intros Hi Ho Hom. set (t := nth i x 0%nat).
  assert (Ht : (t <= m)%nat) by (apply le_max, nth_In; lia).
  pose proof (c_nonzero w) as Hc.
  unfold chat, ctab. rewrite nth_seq_map by lia. rewrite fx_add.
  unfold bounds, logit_bounds. cbn [fst snd]. rewrite !nth_seq_map by (pose proof q_le_m; lia).
  set (PW := map (fun o => match map (fun row => centred row o m) (PVOU T) with
                           | [] => 0%Z
                           | y :: rest => fold_left Z.max rest y
                           end) (seq 0 (d_vocab w))).
  set (raw_e := max_except (d_vocab w) m (fun o => (centred (nth t (EVOU T) []) o m + nth o PW 0)%Z)).
  set (raw_u := max_except (d_vocab w) m (fun o => centred (nth q (EUPU T) []) o m)).
  destruct (from_scaled_correct raw_e (4 * Z.of_nat (S w)) ltac:(lia)) as [_ Ue].
  destruct (from_scaled_correct raw_u (2 * Z.of_nat (S w)) ltac:(lia)) as [_ Uu].
  change (4 * Z.of_nat (S w))%Z with (Z.of_nat 4 * Z.of_nat (S w))%Z in Ue.
  change (2 * Z.of_nat (S w))%Z with (Z.of_nat 2 * Z.of_nat (S w))%Z in Uu.
  rewrite IZR_pow2_scale in Ue, Uu.
  change (Z.of_nat 4 * Z.of_nat (S w))%Z with (4 * Z.of_nat (S w))%Z in Ue.
  assert (Pw : (entry (PVOU T) i o - entry (PVOU T) i m <= nth o PW 0)%Z).
  { unfold PW. rewrite nth_seq_map by exact Ho.
    assert (In (centred (nth i (PVOU T) []) o m) (map (fun row => centred row o m) (PVOU T))).
    { apply (in_map (fun row => centred row o m)), nth_In. rewrite pvou_length. exact Hi. }
    destruct (map (fun row => centred row o m) (PVOU T)) as [| y rest] eqn:E; [destruct H |].
    apply fold_max_ge in H. unfold centred, entry in *. lia. }
  assert (Me : (entry (EVOU T) t o - entry (EVOU T) t m + nth o PW 0 <= raw_e)%Z).
  { unfold raw_e. pose proof (max_except_ge (d_vocab w) m o
      (fun o => (centred (nth t (EVOU T) []) o m + nth o PW 0)%Z) Ho Hom) as G. unfold centred, entry in *. lia. }
  assert (Mu : (entry (EUPU T) q o - entry (EUPU T) q m <= raw_u)%Z).
  { unfold raw_u. pose proof (max_except_ge (d_vocab w) m o (fun o => centred (nth q (EUPU T) []) o m) Ho Hom) as G.
    unfold centred, entry in *. lia. }
  unfold difference_real. fold t.
  change (2 * Z.of_nat (S w))%Z with (Z.of_nat 2 * Z.of_nat (S w))%Z.
  rewrite plus_IZR, mult_IZR, IZR_pow2_scale.
  apply IZR_le in Me, Mu, Pw.
  assert (C4 : 0 < c ^ 4) by (apply pow_lt, pow_lt; lra).
  assert (C2 : 0 < c ^ 2) by (apply pow_lt, pow_lt; lra).
  repeat (rewrite minus_IZR in * || rewrite plus_IZR in *).
  set (A := IZR (entry (EVOU T) t o) - IZR (entry (EVOU T) t m)) in *.
  set (P := IZR (entry (PVOU T) i o) - IZR (entry (PVOU T) i m)) in *.
  set (B := IZR (entry (EUPU T) q o) - IZR (entry (EUPU T) q m)) in *.
  apply Rle_trans with (IZR raw_e / c ^ 4 + IZR raw_u / c ^ 2); [| lra].
  replace (A + IZR (entry (PVOU T) i o) - IZR (entry (PVOU T) i m) + B * c ^ 2) with (A + P + B * c ^ 2)
    by (unfold P; ring).
  replace ((A + P + B * c ^ 2) / c ^ 4) with ((A + P) / c ^ 4 + B / c ^ 2) by (field; repeat split; auto using pow_nonzero).
  apply Rplus_le_compat; unfold Rdiv; apply Rmult_le_compat_r; try (left; apply Rinv_0_lt_compat; lra); lra.
Qed.

(** ** The positional bounds of [positional_of] *)

Local Notation k := (n_ctx w - 1)%nat.
Definition pos : positional Z := positional_of (nth q (EQKP T) []) n (S w) s.
Definition los : list Z := map fst (firstn k pos_weights).
Definition his : list Z := map snd (firstn k pos_weights).

Lemma pos_weights_length : length pos_weights = n.
Proof. unfold pos_weights, exp_shifted, pos_scores. now rewrite !map_length, eqkp_row_length. Qed.

Lemma k_lt : (k < n)%nat.
Proof. destruct (shapes_spec w shapes) as (Hn & _). lia. Qed.

Lemma los_length : length los = k.
Proof. unfold los. rewrite map_length, firstn_length, pos_weights_length. pose proof k_lt. lia. Qed.

Lemma his_length : length his = k.
Proof. unfold his. rewrite map_length, firstn_length, pos_weights_length. pose proof k_lt. lia. Qed.

Lemma nth_los (i : nat) : (i < k)%nat -> nth i los 0%Z = fst (nth i pos_weights (0, 0)%Z).
Proof.
  intros Hi. unfold los. rewrite (nth_map_in _ _ (0, 0)%Z) by (rewrite firstn_length, pos_weights_length; lia).
  now rewrite nth_firstn_lt.
Qed.

Lemma nth_his (i : nat) : (i < k)%nat -> nth i his 0%Z = snd (nth i pos_weights (0, 0)%Z).
Proof.
  intros Hi. unfold his. rewrite (nth_map_in _ _ (0, 0)%Z) by (rewrite firstn_length, pos_weights_length; lia).
  now rewrite nth_firstn_lt.
Qed.

(** For a selection [b] of the non-query positions, its positional weight lies between
    [low[a]] and [high[a]], [a] the number selected. *)
Lemma mask_bounds (b : list bool) : length b = k ->
  fx (nth (count_true b) (low pos) 0%Z) <= rsum k (fun i => if nth i b false then omega i else 0)
  <= fx (nth (count_true b) (high pos) 0%Z).
Proof.
  intros Hb. pose proof (count_true_le b) as Hc.
  change (low pos) with (prefix_sums 0 (sort los)). change (high pos) with (prefix_sums 0 (rev (sort his))).
  rewrite !nth_prefix_sums by (rewrite ?rev_length, sort_length, ?los_length, ?his_length; lia).
  rewrite !Z.add_0_l. split.
  - apply Rle_trans with (fx (selected b los)).
    + apply fx_le, smallest_le_selected. now rewrite los_length.
    + rewrite (fx_selected b los k Hb los_length). apply rsum_le. intros i Hi. destruct (nth i b false); [| lra].
      rewrite nth_los by exact Hi. apply (pos_weight_contains i ltac:(pose proof k_lt; lia)).
  - apply Rle_trans with (fx (selected b his)).
    + rewrite (fx_selected b his k Hb his_length). apply rsum_le. intros i Hi. destruct (nth i b false); [| lra].
      rewrite nth_his by exact Hi. apply (pos_weight_contains i ltac:(pose proof k_lt; lia)).
    + apply fx_le, selected_le_largest. now rewrite his_length.
Qed.

Lemma count_true_repeat (j : nat) : count_true (repeat true j) = j.
Proof. induction j as [| j IH]; [reflexivity |]. unfold count_true in *. simpl. now rewrite IH. Qed.

(** The total positional weight of the non-query positions lies in [total]. *)
Lemma total_contains : contains (total pos) (rsum k omega).
Proof.
  pose proof (mask_bounds (repeat true k) (repeat_length true k)) as [L H].
  rewrite count_true_repeat in L, H.
  assert (E : rsum k (fun i => if nth i (repeat true k) false then omega i else 0) = rsum k omega).
  { apply rsum_ext. intros i Hi. rewrite (nth_indep _ false true) by (rewrite repeat_length; exact Hi).
    now rewrite nth_repeat. }
  rewrite E in L, H. split; [exact L |].
  apply Rle_trans with (fx (nth k (high pos) 0%Z)); [exact H | right].
  change (high pos) with (prefix_sums 0 (rev (sort his))).
  rewrite nth_prefix_sums by (rewrite rev_length, sort_length, his_length; lia).
  rewrite firstn_all2 by (rewrite rev_length, sort_length, his_length; lia). reflexivity.
Qed.

Lemma query_contains : contains (query pos) (omega k).
Proof. apply pos_weight_contains, k_lt. Qed.

(** ** From the checker's bound to a correct input *)

(** [sum_i e_{x_i} w_i c_{x_i}]: an upper bound on the logit difference for every output
    [o <> m], times a positive number. *)
Definition num_bound : R := rsum n (fun i => eps (nth i x 0%nat) * omega i * chat (nth i x 0%nat)).

Lemma m_lt : (m < d_vocab w)%nat.
Proof.
  destruct (shapes_spec w shapes) as (Hn & _). apply list_max_lt.
  - intros E. rewrite E in x_length. simpl in x_length. lia.
  - apply Forall_forall. exact x_tokens.
Qed.

Lemma correct_of_num_bound : num_bound < 0 -> correct w x.
Proof.
  intros Hnum. unfold correct. intros o Ho Hne. unfold answer in *.
  set (sh := fx (max_hi token_scores) + fx (max_hi pos_scores)).
  set (den := softmax_denominator w x).
  assert (Hden : 0 < den).
  { destruct (shapes_spec w shapes) as (Hn & _). apply rsum_pos; [unfold Semantics.n; lia | intros; apply exp_pos]. }
  assert (K : 0 < exp (- sh) * den) by (apply Rmult_lt_0_compat; [apply exp_pos | exact Hden]).
  assert (E : exp (- sh) * den * (logit w x o - logit w x m)
              = rsum n (fun i => eps (nth i x 0%nat) * omega i * difference_real w x m i o)).
  { rewrite (logit_difference w x shapes x_length x_tokens m o m_lt Ho), rsum_mult_l.
    apply rsum_ext. intros i Hi. rewrite <- exp_score by assumption. unfold attention. fold den.
    unfold Rminus. rewrite exp_plus. fold sh. field. lra. }
  assert (Le : rsum n (fun i => eps (nth i x 0%nat) * omega i * difference_real w x m i o) <= num_bound).
  { apply rsum_le. intros i Hi. apply Rmult_le_compat_l.
    - left. apply Rmult_lt_0_compat; apply exp_pos.
    - apply difference_le; assumption. }
  assert (exp (- sh) * den * (logit w x o - logit w x m) < 0) by lra.
  destruct (Rlt_dec (logit w x o) (logit w x m)) as [L | L]; [exact L |]. exfalso. nra.
Qed.

(** The rows of [proven_qm] for this input's query and max. *)
Definition rows : list (list bool) := proven_qm T pos s (S w) n m q bounds.
Definition query_term : ival :=
  mul (mul (nth q token_weights (0, 0)%Z) (query pos)) (nth q ctab 0%Z, nth q ctab 0%Z).
Definition max_term : ival :=
  mul (mul (nth m token_weights (0, 0)%Z) (total pos)) (nth m ctab 0%Z, nth m ctab 0%Z).
Definition k_term (t : nat) : ival := mul (nth t token_weights (0, 0)%Z) (nth t ctab 0%Z, nth t ctab 0%Z).

Lemma rows_all_max : nth 0 (nth m rows []) false = (snd max_term + snd query_term <? 0)%Z.
Proof.
  unfold rows, proven_qm. rewrite (surjective_pairing bounds). cbv zeta.
  rewrite app_nth2 by (rewrite map_length, seq_length; lia).
  rewrite map_length, seq_length, Nat.sub_diag. reflexivity.
Qed.

Lemma rows_k (t cc : nat) : (t < m)%nat -> (cc < n)%nat ->
  nth cc (nth t rows []) false
  = if (Nat.eqb cc 0 || (Nat.ltb q m && Nat.eqb cc (n - 1)))%bool then false
    else forallb (end_holds (k_term t))
           [case_end pos (nth m token_weights (0, 0)%Z) (nth m ctab 0%Z) (snd query_term) (nth (n - 1 - cc) (low pos) 0%Z);
            case_end pos (nth m token_weights (0, 0)%Z) (nth m ctab 0%Z) (snd query_term) (nth (n - 1 - cc) (high pos) 0%Z)].
Proof.
  intros Ht Hcc. unfold rows, proven_qm. rewrite (surjective_pairing bounds). cbv zeta.
  rewrite app_nth1 by (rewrite map_length, seq_length; lia).
  rewrite (nth_map_in _ _ 0%nat) by (rewrite seq_length; lia). rewrite seq_nth by lia.
  rewrite (nth_map_in _ _ 0%nat) by (rewrite seq_length; lia). rewrite seq_nth by lia. simpl plus.
  unfold k_term. rewrite (nth_map_in _ _ 0%nat) by (rewrite seq_length; lia). rewrite seq_nth by lia.
  reflexivity.
Qed.

Lemma fx_neg (z : Z) : (z < 0)%Z -> fx z < 0.
Proof.
  intros H. unfold fx, Rdiv. pose proof (IZR_pow2_pos prec prec_nonneg) as P.
  assert (IZR z < 0) by (apply IZR_lt; exact H).
  assert (0 < / IZR (2 ^ prec)) by (apply Rinv_0_lt_compat; exact P). nra.
Qed.

Definition Qterm : R := eps q * omega k * chat q.

Lemma query_term_contains : contains query_term Qterm.
Proof.
  unfold query_term, Qterm, chat. apply mul_correct; [apply mul_correct |].
  - apply token_weight_contains, q_le_m.
  - apply query_contains.
  - apply contains_point.
Qed.

(* A kernel hint for the proofs below, which unfold none of these: when checking conversions,
   unfold the checkers' computations last (without it the two [Qed]s below take 15 s). *)
Local Strategy opaque [exact_tables proven_qm positional_of logit_bounds exp_interval exp_shifted max_hi
                       scaled_score mul].

(** One end of a case: [Num(w) = e_m w c_m + e_q w_q c_q + e_t c_t (W - w)] is negative at [w = fx z]
    when the checker's [end_holds] says so. *)
Lemma end_real (z : Z) (t : nat) : (t <= m)%nat ->
  end_holds (k_term t) (case_end pos (nth m token_weights (0, 0)%Z) (nth m ctab 0%Z) (snd query_term) z) = true ->
  eps m * fx z * chat m + Qterm + eps t * chat t * (rsum k omega - fx z) < 0.
Proof.
  intros Ht H. unfold end_holds, case_end in H. cbn [fst snd] in H. apply Z.ltb_lt, fx_neg in H.
  rewrite !fx_add in H.
  assert (C1 : contains (mul (mul (nth m token_weights (0, 0)%Z) (z, z)) (nth m ctab 0%Z, nth m ctab 0%Z))
                        (eps m * fx z * chat m)).
  { apply mul_correct; [apply mul_correct; [apply token_weight_contains; lia | apply contains_point] |].
    apply contains_point. }
  assert (C3 : contains (mul (k_term t) (fst (total pos) - z, snd (total pos) - z)%Z)
                        (eps t * chat t * (rsum k omega - fx z))).
  { apply mul_correct.
    - unfold k_term, chat. apply mul_correct; [apply token_weight_contains; exact Ht | apply contains_point].
    - apply contains_sub, total_contains. }
  destruct C1 as [_ C1]. destruct C3 as [_ C3]. destruct query_term_contains as [_ C2]. lra.
Qed.

Lemma firstn_as_map (j : nat) (l : list nat) :
  (j <= length l)%nat -> firstn j l = map (fun i => nth i l 0%nat) (seq 0 j).
Proof.
  revert l. induction j as [| j IH]; intros l Hj; [reflexivity |].
  destruct l as [| a l]; simpl in Hj; [lia |]. simpl. f_equal. rewrite IH by lia.
  rewrite <- seq_shift, map_map. reflexivity.
Qed.

Lemma count_complement (f : nat -> bool) (l : list nat) : (count f l + count (fun i => negb (f i)) l = length l)%nat.
Proof. induction l as [| a l IH]; [reflexivity |]. unfold count in *. simpl. destruct (f a); simpl; lia. Qed.

(** A proven case gives a negative bound. *)
Lemma num_neg : (2 <= n)%nat ->
  (if Nat.eqb (count_neq m (firstn k x)) 0 then nth 0 (nth m rows []) false
   else allowed m (fun t => nth (count_neq m (firstn k x)) (nth t rows []) false) (firstn k x)) = true ->
  num_bound < 0.
Proof.
  intros Hn2 H. pose proof k_lt as Hk.
  assert (Hy : firstn k x = map (fun i => nth i x 0%nat) (seq 0 k)) by (apply firstn_as_map; lia).
  set (cc := count_neq m (firstn k x)) in H.
  assert (Hcc : cc = count (fun i => negb (Nat.eqb (nth i x 0%nat) m)) (seq 0 k)).
  { unfold cc, count_neq. rewrite Hy, count_map. reflexivity. }
  assert (Split : num_bound = rsum k (fun i => eps (nth i x 0%nat) * omega i * chat (nth i x 0%nat)) + Qterm).
  { unfold num_bound, Qterm. replace (n_ctx w) with (Datatypes.S k) at 1 by lia. now rewrite rsum_succ. }
  rewrite Split. pose proof query_term_contains as [_ HQ].
  destruct (Nat.eqb_spec cc 0) as [C0 | C0].
  - (* every non-query position holds m *)
    rewrite rows_all_max in H. apply Z.ltb_lt, fx_neg in H. rewrite fx_add in H.
    assert (All : forall i, (i < k)%nat -> nth i x 0%nat = m).
    { intros i Hi. rewrite Hcc in C0. pose proof (count_none _ _ C0 i ltac:(apply in_seq; lia)) as F.
      apply negb_false_iff, Nat.eqb_eq in F. exact F. }
    assert (E : rsum k (fun i => eps (nth i x 0%nat) * omega i * chat (nth i x 0%nat)) = eps m * rsum k omega * chat m).
    { rewrite rsum_mult_l, rsum_mult_r. apply rsum_ext. intros i Hi. rewrite All by exact Hi. ring. }
    rewrite E.
    assert (C : contains max_term (eps m * rsum k omega * chat m)).
    { unfold max_term, chat. apply mul_correct; [apply mul_correct |].
      - apply token_weight_contains. lia.
      - apply total_contains.
      - apply contains_point. }
    destruct C as [_ C]. lra.
  - (* c >= 1 positions below m, each proven *)
    set (bl := map (fun i => Nat.eqb (nth i x 0%nat) m) (seq 0 k)).
    assert (Hbl : length bl = k) by (unfold bl; now rewrite map_length, seq_length).
    assert (Nbl : forall i, (i < k)%nat -> nth i bl false = Nat.eqb (nth i x 0%nat) m).
    { intros i Hi. unfold bl. now rewrite nth_seq_map. }
    assert (Ca : count_true bl = (n - 1 - cc)%nat).
    { unfold count_true, bl. change (length (filter (fun t => t) (map (fun i => Nat.eqb (nth i x 0%nat) m) (seq 0 k))))
        with (count (fun t => t) (map (fun i => Nat.eqb (nth i x 0%nat) m) (seq 0 k))).
      rewrite count_map. pose proof (count_complement (fun i => Nat.eqb (nth i x 0%nat) m) (seq 0 k)) as CC.
      rewrite seq_length in CC. rewrite Hcc. lia. }
    set (w0 := rsum k (fun i => if nth i bl false then omega i else 0)).
    set (Rw := rsum k (fun i => if nth i bl false then 0 else omega i)).
    assert (HW : rsum k omega = w0 + Rw).
    { unfold w0, Rw. rewrite <- rsum_plus. apply rsum_ext. intros i _. destruct (nth i bl false); ring. }
    pose proof (mask_bounds bl Hbl) as [Lw Hw]. fold w0 in Lw, Hw. rewrite Ca in Lw, Hw.
    assert (E : rsum k (fun i => eps (nth i x 0%nat) * omega i * chat (nth i x 0%nat))
                = eps m * chat m * w0 + rsum k (fun i => if nth i bl false then 0 else omega i * (eps (nth i x 0%nat) * chat (nth i x 0%nat)))).
    { unfold w0. rewrite rsum_mult_l, <- rsum_plus. apply rsum_ext. intros i Hi. rewrite Nbl by exact Hi.
      destruct (Nat.eqb_spec (nth i x 0%nat) m) as [-> | _]; ring. }
    rewrite E.
    replace (eps m * chat m * w0 + rsum k (fun i => if nth i bl false then 0 else omega i * (eps (nth i x 0%nat) * chat (nth i x 0%nat))) + Qterm)
      with ((eps m * chat m * w0 + Qterm) + rsum k (fun i => if nth i bl false then 0 else omega i * (eps (nth i x 0%nat) * chat (nth i x 0%nat))))
      by ring.
    apply (mixture k (fun i => nth i bl false) omega (fun i => eps (nth i x 0%nat) * chat (nth i x 0%nat))).
    + intros i _. apply omega_pos.
    + destruct (existsb (fun i => negb (Nat.eqb (nth i x 0%nat) m)) (seq 0 k)) eqn:Ex.
      * apply existsb_exists in Ex as [i [Hi Fi]]. apply in_seq in Hi. exists i. split; [lia |].
        rewrite Nbl by lia. now apply negb_true_iff in Fi.
      * exfalso. apply C0. rewrite Hcc. transitivity (count (fun _ : nat => false) (seq 0 k)); [| apply count_false].
        apply count_ext. intros i Hi. destruct (negb (Nat.eqb (nth i x 0%nat) m)) eqn:F; [| reflexivity].
        assert (existsb (fun i => negb (Nat.eqb (nth i x 0%nat) m)) (seq 0 k) = true) by (apply existsb_exists; exists i; auto).
        congruence.
    + intros i Hi Bi. fold Rw. rewrite Nbl in Bi by exact Hi. apply Nat.eqb_neq in Bi.
      set (t := nth i x 0%nat) in *.
      assert (Tin : In t (firstn k x)) by (rewrite Hy; unfold t; apply (in_map (fun j => nth j x 0%nat)), in_seq; lia).
      assert (Tm : (t < m)%nat) by (assert (i < length x)%nat by lia; pose proof (le_max t (nth_In x 0%nat H0)); lia).
      assert (Ccn : (cc < n)%nat).
      { pose proof (count_le_length_alt (fun t => negb (Nat.eqb t m)) (firstn k x)). fold (count_neq m (firstn k x)) in H0.
        fold cc in H0. rewrite firstn_length in H0. lia. }
      apply (allowed_spec m _ _ H) in Tin as [Teq | Tg]; [contradiction |].
      rewrite rows_k in Tg by assumption.
      destruct (Nat.eqb cc 0 || Nat.ltb q m && Nat.eqb cc (n - 1))%bool; [discriminate |].
      cbn [forallb] in Tg. apply andb_prop in Tg as [EL Tg]. apply andb_prop in Tg as [EH _].
      apply end_real in EL; [| lia]. apply end_real in EH; [| lia].
      assert (Aff : forall v, eps m * fx 0 * 0 + (Qterm + eps t * chat t * rsum k omega) + (eps m * chat m - eps t * chat t) * v
                              = eps m * v * chat m + Qterm + eps t * chat t * (rsum k omega - v)).
      { intros v. unfold fx. simpl. unfold Rdiv. ring. }
      pose proof (affine_neg (Qterm + eps t * chat t * rsum k omega) (eps m * chat m - eps t * chat t)
                    (fx (nth (n - 1 - cc) (low pos) 0%Z)) (fx (nth (n - 1 - cc) (high pos) 0%Z)) w0
                    (conj Lw Hw)) as A.
      assert (A1 : Qterm + eps t * chat t * rsum k omega + (eps m * chat m - eps t * chat t) * fx (nth (n - 1 - cc) (low pos) 0%Z) < 0)
        by (revert EL; match goal with |- ?a < 0 -> ?b < 0 => replace b with a by ring; auto end).
      assert (A2 : Qterm + eps t * chat t * rsum k omega + (eps m * chat m - eps t * chat t) * fx (nth (n - 1 - cc) (high pos) 0%Z) < 0)
        by (revert EH; match goal with |- ?a < 0 -> ?b < 0 => replace b with a by ring; auto end).
      specialize (A A1 A2). rewrite HW in A. lra.
Qed.
End CubicInput.

(** ** The cubic checker is sound *)

Lemma proven_qm_beyond_max (T : tables) (p : positional Z) (s : ival) (S n m q t c : nat) (bounds : list Z * list Z) :
  (m <= t)%nat -> (1 <= c)%nat -> nth c (nth t (proven_qm T p s S n m q bounds) []) false = false.
Proof.
  intros Ht Hc. unfold proven_qm. rewrite (surjective_pairing bounds). cbv zeta. now apply rows_beyond_max.
Qed.

(** For all weights and every scale interval, the cubic checker's count is at most the number
    of inputs the real model gets right. *)
Theorem cubic_sound (w : weights) (s : ival) : (check_cubic w s <= N.of_nat (correct_count w))%N.
Proof.
  unfold check_cubic.
  destruct (shapes_ok w && Nat.leb 2 (n_ctx w) && check_inv_sqrt (Z.of_nat (d_head w)) s) eqn:G; [| apply N.le_0_l].
  apply andb_prop in G as [G Hs]. apply andb_prop in G as [Hsh Hn2]. apply Nat.leb_le in Hn2.
  unfold cubic_count. cbv zeta.
  set (posl := map (fun q => positional_of (nth q (EQKP (exact_tables w)) []) (n_ctx w) (S w) s) (seq 0 (d_vocab w))).
  set (dflt := {| low := []; high := []; total := (0%Z, 0%Z); query := (0%Z, 0%Z) |}).
  set (rowsf := fun q m => proven_qm (exact_tables w) (nth q posl dflt) s (S w) (n_ctx w) m q
                                     (logit_bounds (exact_tables w) (S w) (d_vocab w) m)).
  assert (HR : forall q m t c, (m <= t)%nat -> (1 <= c)%nat -> nth c (nth t (rowsf q m) []) false = false)
    by (intros; apply proven_qm_beyond_max; assumption).
  pose proof (count_cases (d_vocab w) (n_ctx w) rowsf Hn2 HR) as Eq. unfold rowsf in Eq. cbv beta in Eq.
  rewrite Eq. match goal with |- (N.of_nat ?a <= N.of_nat ?b)%N => cut (a <= b)%nat; [lia |] end.
  unfold count, correct_count.
  apply filter_length_le. intros x Hx Hc. destruct (all_inputs_spec _ _ _ Hx) as [L T]. apply correct_b_spec.
  apply (correct_of_num_bound w x s Hsh L T), (num_neg w x s Hsh L T Hs Hn2).
  unfold case_proven in Hc. cbv zeta in Hc.
  assert (E : rowsf (nth (n_ctx w - 1) x 0%nat) (list_max x) = rows w x s).
  { unfold rowsf, rows, pos, bounds. f_equal. unfold posl. rewrite nth_seq_map by (apply (q_lt w x Hsh L T)). reflexivity. }
  unfold rowsf in E. rewrite E in Hc. exact Hc.
Qed.
