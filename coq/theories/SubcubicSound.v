(** * The subcubic checker never counts an input the real model gets wrong

    [subcubic_sound]: for all weights, every scale interval and every hint,
    [check_subcubic w s h] is at most [correct_count w]. The proof follows docs/strategies.md
    ("Subcubic"): for an input counted by case [(q, m, c)] at gap [g], with [p] the attention on
    the positions holding [m],

    - the logit bound (F2): [V 2^(4S) (logit o - logit m) <= spread + p J1 + (1 - p) (J0 + H)]
      for every [o <> m] ([logit_bound]);
    - the attention bound (F1): [p >= p_low], from the split [EQKE = Main + Err] with the row
      spread of [Err] at most [R_used], the sorted positional scores and the exp enclosure
      ([p_low_le]);
    - the case inequality: the right side above is affine in [p], so it is negative on
      [[p_low, 1]] when the checker's test passes ([affine_case]);
    - the case counting of [Counting.v]. *)

From Coq Require Import Bool List ZArith NArith Reals Lra Lia.
From PyVerify Require Import Semantics Fixed Exp Tables Sums Brute Cubic Sorting Counting Soundness.
From PyVerify Require Import Subcubic SubcubicFacts.
Import ListNotations.
Open Scope R_scope.

(** ** The tables' shapes *)

Section Tables.
Variable w : weights.
Hypothesis shapes : shapes_ok w = true.
Local Notation T := (exact_tables w).

Lemma resid_query_shape : shape (resid_query w) (d_vocab w) (d_model w).
Proof.
  destruct (shapes_spec w shapes) as (Hn & _ & HE & HP & _). split.
  - unfold resid_query. rewrite map_length. now destruct HE.
  - intros r Hr. unfold resid_query in Hr. apply in_map_iff in Hr as [e [<- He]].
    rewrite map_length, combine_length. destruct HE as [_ HE'].
    rewrite (HE' e He), (shape_row_length _ _ _ _ HP) by lia. lia.
Qed.

Lemma eupu_shape : shape (EUPU T) (d_vocab w) (d_vocab w).
Proof. apply shape_matmul. now destruct resid_query_shape. Qed.

Lemma evou_shape : shape (EVOU T) (d_vocab w) (d_vocab w).
Proof. apply shape_matmul. destruct (shapes_spec w shapes) as (_ & _ & HE & _). now destruct HE. Qed.

Lemma pvou_shape : shape (PVOU T) (n_ctx w) (d_vocab w).
Proof. apply shape_matmul. destruct (shapes_spec w shapes) as (_ & _ & _ & HP & _). now destruct HP. Qed.

Lemma eqke_shape : shape (EQKE T) (d_vocab w) (d_vocab w).
Proof. apply shape_matmul. unfold query_key, matmul. rewrite map_length. now destruct resid_query_shape. Qed.

Lemma row_length_of (M : list (list Z)) (r k i : nat) : shape M r k -> (i < r)%nat -> length (nth i M []) = k.
Proof. intros [HL HR] Hi. apply HR, nth_In. lia. Qed.

(** ** The logit summaries bound what they summarise *)

Lemma zsum_IZR (N : nat) (f : nat -> Z) : IZR (zsum N f) = rsum N (fun k => IZR (f k)).
Proof. apply IZR_fold_right_add. Qed.

(** The EUPU handling: [V 2^(2S) (EUPU[q][o] - EUPU[q][m]) <= M[o] - M[m] + spread[q][m]]. *)
Lemma eupu_bound (h : hints) (q m o : nat) :
  hints_ok w h = true -> (q < d_vocab w)%nat -> (m < d_vocab w)%nat -> (o < d_vocab w)%nat -> o <> m ->
  (Z.of_nat (d_vocab w) * 2 ^ (2 * Z.of_nat (S w)) * centred (nth q (EUPU T) []) o m
   <= eupu_M w h o - eupu_M w h m
      + eupu_spread w T h (resid_query w) (map row_range (W_U w)) (eupu_widest T) q m)%Z.
Proof.
  intros Hok Hq Hm Ho Hne. pose proof eupu_shape as HU.
  assert (HP2 : (0 < 2 ^ (2 * Z.of_nat (S w)))%Z) by (apply Z.pow_pos_nonneg; lia).
  unfold hints_ok in Hok. apply andb_prop in Hok as [Hok _]. apply andb_prop in Hok as [He Hmu].
  apply Nat.leb_le in He. unfold eupu_M, eupu_spread.
  destruct (eupu h) as [| [| k]] eqn:E; cbn [Nat.eqb].
  - (* around the row mu: the row-range rule *)
    apply orb_true_iff in Hmu as [Hmu | Hmu]; [discriminate | apply Nat.eqb_eq in Hmu].
    destruct (shapes_spec w shapes) as (_ & _ & _ & _ & _ & _ & _ & _ & HWU).
    apply le_IZR. unfold centred.
    change (nth o (nth q (EUPU T) []) 0%Z) with (entry (EUPU T) q o).
    change (nth m (nth q (EUPU T) []) 0%Z) with (entry (EUPU T) q m).
    cbn [EUPU exact_tables]. rewrite !plus_IZR, !minus_IZR, !mult_IZR, !zsum_IZR, minus_IZR.
    rewrite !(IZR_entry_matmul (resid_query w) (W_U w) (d_vocab w) (d_model w) (d_vocab w))
      by (apply resid_query_shape || now destruct HWU || assumption).
    set (P := IZR (2 ^ (2 * Z.of_nat (S w)))). assert (PP : 0 < P) by (apply IZR_lt; exact HP2).
    set (Vr := IZR (Z.of_nat (d_vocab w))). assert (PV : 0 <= Vr) by (apply IZR_le; lia).
    rewrite <- rsum_minus, rsum_mult_l, !rsum_mult_r, <- rsum_minus, <- rsum_plus.
    apply rsum_le. intros j Hj. rewrite !mult_IZR.
    set (e := IZR (entry (resid_query w) q j)). set (u := IZR (entry (W_U w) j o)).
    set (v := IZR (entry (W_U w) j m)). set (mj := IZR (nth j (mu h) 0%Z)).
    set (r := IZR (nth j (map row_range (W_U w)) 0%Z)).
    assert (Er : nth j (map row_range (W_U w)) 0%Z = row_range (nth j (W_U w) [])) by apply (map_nth row_range (W_U w) [] j).
    assert (Lj : length (nth j (W_U w) []) = d_vocab w) by (apply (row_length_of _ (d_model w)); [exact HWU | exact Hj]).
    assert (R1 : u - v <= r) by (unfold u, v, r; rewrite Er, <- minus_IZR; apply IZR_le, row_range_ge; lia).
    assert (R2 : v - u <= r) by (unfold u, v, r; rewrite Er, <- minus_IZR; apply IZR_le, row_range_ge; lia).
    assert (A : (Vr * e - mj) * (u - v) <= IZR (Z.abs (Z.of_nat (d_vocab w) * entry (resid_query w) q j - nth j (mu h) 0%Z)) * r).
    { rewrite abs_IZR, minus_IZR, mult_IZR. fold e mj Vr.
      destruct (Rle_lt_dec 0 (Vr * e - mj)).
      - rewrite Rabs_right by lra. apply Rmult_le_compat_l; lra.
      - rewrite Rabs_left by lra. nra. }
    assert (E1 : Vr * P * (e * u - e * v) = mj * u * P - mj * v * P + (Vr * e - mj) * (u - v) * P) by ring.
    rewrite E1. apply Rplus_le_compat_l. apply Rmult_le_compat_r; lra.
  - (* max_diff_exact *)
    assert (L : length (nth q (EUPU T) []) = d_vocab w) by (apply (row_length_of _ (d_vocab w)); assumption).
    pose proof (max_except_ge (d_vocab w) m o (fun o => centred (nth q (EUPU T) []) o m) Ho Hne) as G.
    cbn beta in G. rewrite Z.sub_diag, Z.add_0_l, (Z.mul_comm (max_except _ _ _)).
    apply Z.mul_le_mono_nonneg_l; [pose proof (Zle_0_nat (d_vocab w)); lia | exact G].
  - (* global_max_diff_exact *)
    destruct k; [| lia].
    assert (L : length (nth q (EUPU T) []) = d_vocab w) by (apply (row_length_of _ (d_vocab w)); assumption).
    assert (G1 : (centred (nth q (EUPU T) []) o m <= row_range (nth q (EUPU T) []))%Z)
      by (apply row_range_ge; lia).
    assert (G2 : (row_range (nth q (EUPU T) []) <= eupu_widest T)%Z).
    { apply list_maxZ_ge, in_map, nth_In. destruct HU. lia. }
    rewrite Z.sub_diag, Z.add_0_l, (Z.mul_comm (eupu_widest T)).
    apply Z.mul_le_mono_nonneg_l; [pose proof (Zle_0_nat (d_vocab w)); lia | lia].
Qed.

End Tables.

(** ** Small facts *)

(** The case inequality: the bound is affine in [p], so it is negative for every [p] in
    [[p_low, 1]] when the checker's test passes at [p_low]. *)
Lemma affine_case (sp j1 j0h pl : Z) (p : R) :
  fx pl <= p <= 1 ->
  (sp * ONE + (if j0h <=? j1 then j1 * ONE else j0h * ONE + pl * (j1 - j0h)) <? 0)%Z = true ->
  IZR sp + p * IZR j1 + (1 - p) * IZR j0h < 0.
Proof.
  intros [Hl Hu] Ht. apply Z.ltb_lt in Ht.
  assert (PO : 0 < IZR ONE) by (apply IZR_pow2_pos, prec_nonneg).
  destruct (Z.leb_spec j0h j1) as [Le | Lt].
  - apply IZR_lt in Ht. rewrite plus_IZR, !mult_IZR in Ht.
    assert (IZR sp + IZR j1 < 0) by nra. apply IZR_le in Le. nra.
  - apply IZR_lt in Ht. rewrite !plus_IZR, !mult_IZR, minus_IZR in Ht. unfold fx in Hl.
    fold ONE in Hl. apply IZR_lt in Lt.
    assert (E : IZR pl = IZR pl / IZR ONE * IZR ONE) by (field; lra).
    assert (IZR sp + IZR j0h + IZR pl / IZR ONE * (IZR j1 - IZR j0h) < 0).
    { apply (Rmult_lt_reg_r (IZR ONE)); [exact PO |]. rewrite Rmult_0_l.
      replace ((IZR sp + IZR j0h + IZR pl / IZR ONE * (IZR j1 - IZR j0h)) * IZR ONE)
        with (IZR sp * IZR ONE + (IZR j0h * IZR ONE + IZR pl * (IZR j1 - IZR j0h))) by (field; lra).
      exact Ht. }
    assert (p * (IZR j1 - IZR j0h) <= IZR pl / IZR ONE * (IZR j1 - IZR j0h)) by nra.
    nra.
Qed.

(** A fixed-point lower bound of [num / den] times the scale. *)
Lemma scaled_lower_le (num den : Z) (s : ival) (t : R) :
  (0 < den)%Z -> contains s t -> fx (scaled_lower Z.div num den s) <= IZR num / IZR den * t.
Proof.
  intros Hd [Hs1 Hs2]. unfold scaled_lower, fx in *.
  pose proof (IZR_pow2_pos prec prec_nonneg) as PP. set (P := IZR (2 ^ prec)) in *.
  assert (PD : 0 < IZR den) by (apply IZR_lt; exact Hd).
  set (sv := if (0 <=? num)%Z then fst s else snd s).
  assert (Fl : IZR (num * sv / den) * IZR den <= IZR (num * sv)) by (apply div_floor_le; exact Hd).
  assert (Sv : IZR num * IZR sv <= IZR num * (t * P)).
  { unfold sv. destruct (Z.leb_spec 0 num) as [N | N].
    - apply IZR_le in N. apply Rmult_le_compat_l; [exact N |].
      apply (Rmult_le_reg_r (/ P)); [apply Rinv_0_lt_compat; exact PP |].
      replace (t * P * / P) with t by (field; lra). exact Hs1.
    - apply IZR_lt in N. apply Rmult_le_compat_neg_l; [lra |].
      apply (Rmult_le_reg_r (/ P)); [apply Rinv_0_lt_compat; exact PP |].
      replace (t * P * / P) with t by (field; lra). exact Hs2. }
  rewrite mult_IZR in Fl.
  apply (Rmult_le_reg_r (P * IZR den)); [nra |].
  replace (IZR (num * sv / den) / P * (P * IZR den)) with (IZR (num * sv / den) * IZR den) by (field; lra).
  replace (IZR num / IZR den * t * (P * IZR den)) with (IZR num * (t * P)) by (field; lra). lra.
Qed.

Lemma list_max_in (l : list nat) : l <> [] -> In (list_max l) l.
Proof.
  induction l as [| a l IH]; intros Hl; [congruence |]. simpl.
  destruct l as [| b l']; [simpl; left; lia |].
  specialize (IH ltac:(discriminate)). destruct (Nat.max_spec a (list_max (b :: l'))) as [[_ E] | [_ E]]; rewrite E.
  - now right.
  - now left.
Qed.

Lemma count_split (f : nat -> bool) (l : list nat) : (count f l + count (fun i => negb (f i)) l = length l)%nat.
Proof. induction l as [| a l IH]; [reflexivity |]. unfold count in *. simpl. destruct (f a); simpl; lia. Qed.

Lemma in_firstn {A : Type} (k : nat) (l : list A) (a : A) : In a (firstn k l) -> In a l.
Proof. intros H. rewrite <- (firstn_skipn k l). apply in_or_app. now left. Qed.

Lemma rsum_nonneg (N : nat) (f : nat -> R) : (forall k, (k < N)%nat -> 0 <= f k) -> 0 <= rsum N f.
Proof. intros Hf. apply Rle_trans with (rsum N (fun _ => 0)); [rewrite rsum_zero; lra | now apply rsum_le]. Qed.

Lemma fx_fold_sum (f : Z -> Z) (l : list Z) :
  fx (fold_right Z.add 0%Z (map f l)) = rsumf (fun z => fx (f z)) l.
Proof.
  induction l as [| z l IH]; simpl; [unfold fx; simpl; lra |]. rewrite <- IH. unfold fx. rewrite plus_IZR. lra.
Qed.

Lemma rsumf_le (phi psi : Z -> R) (l : list Z) :
  (forall z, In z l -> phi z <= psi z) -> rsumf phi l <= rsumf psi l.
Proof.
  induction l as [| z l IH]; intros H; simpl; [lra |].
  pose proof (H z (or_introl eq_refl)). assert (rsumf phi l <= rsumf psi l) by (apply IH; intros; apply H; now right). lra.
Qed.

Lemma rsumf_map (phi : Z -> R) (f : Z -> Z) (l : list Z) : rsumf phi (map f l) = rsumf (fun z => phi (f z)) l.
Proof. induction l as [| z l IH]; simpl; [reflexivity | now rewrite IH]. Qed.

Lemma fx_sub (a b : Z) : fx (a - b) = fx a - fx b.
Proof. unfold fx. rewrite minus_IZR. field. apply Rgt_not_eq, IZR_pow2_pos, prec_nonneg. Qed.

Lemma fx_one : fx ONE = 1.
Proof. unfold fx, ONE. field. apply Rgt_not_eq, IZR_pow2_pos, prec_nonneg. Qed.

(** The exp enclosure, relative to a base at least the argument. *)
Lemma exp_lo_le (z base : Z) : (z <= base)%Z -> fx (fst (exp_nonpos (z - base))) <= exp (fx z - fx base).
Proof.
  intros Hz. destruct (exp_nonpos_correct (z - base) ltac:(lia)) as [L _].
  fold (fx (z - base)) in L. rewrite fx_sub in L. exact L.
Qed.

Lemma exp_hi_ge (z base : Z) : (z <= base)%Z -> exp (fx z - fx base) <= fx (snd (exp_nonpos (z - base))).
Proof.
  intros Hz. destruct (exp_nonpos_correct (z - base) ltac:(lia)) as [_ U].
  fold (fx (z - base)) in U. rewrite fx_sub in U. exact U.
Qed.

Lemma exp_hi_pos (z : Z) : (z <= 0)%Z -> (0 < snd (exp_nonpos z))%Z.
Proof.
  intros Hz. destruct (exp_nonpos_correct z Hz) as [_ U]. pose proof (exp_pos (IZR z / IZR (2 ^ prec))).
  assert (0 < fx (snd (exp_nonpos z))) by lra. unfold fx in H0.
  pose proof (IZR_pow2_pos prec prec_nonneg).
  assert (0 < IZR (snd (exp_nonpos z))).
  { apply (Rmult_lt_reg_r (/ IZR (2 ^ prec))); [apply Rinv_0_lt_compat; lra |]. rewrite Rmult_0_l. exact H0. }
  now apply lt_IZR.
Qed.

Lemma count_true_map (f : nat -> bool) (l : list nat) : count_true (map f l) = count f l.
Proof.
  induction l as [| a l IH]; [reflexivity |]. unfold count_true, count in *. simpl.
  destruct (f a); simpl; congruence.
Qed.

(** [p_low / 1 <= p]: a lower bound on the attention from lower bounds on its parts. *)
Lemma ratio_le (a b X Y K : R) :
  0 < a -> 0 <= b -> 0 <= X -> 0 <= Y -> 0 < X + Y -> 0 < K -> a <= K * X -> K * Y <= b ->
  a / (a + b) <= X / (X + Y).
Proof.
  intros Ha Hb HX HY HXY HK H1 H2.
  apply (Rmult_le_reg_r ((a + b) * (X + Y))); [nra |].
  replace (a / (a + b) * ((a + b) * (X + Y))) with (a * (X + Y)) by (field; lra).
  replace (X / (X + Y) * ((a + b) * (X + Y))) with (X * (a + b)) by (field; lra).
  assert (a * (K * Y) <= K * X * b) by nra. nra.
Qed.

(** ** One input *)

Section SubcubicInput.
Variable w : weights.
Variable x : list nat.
Variable s : ival.
Variable h : hints.
Hypothesis shapes : shapes_ok w = true.
Hypothesis x_length : length x = n_ctx w.
Hypothesis x_tokens : forall t, In t x -> (t < d_vocab w)%nat.
Hypothesis scale_ok : check_inv_sqrt (Z.of_nat (d_head w)) s = true.
Hypothesis hints_good : hints_ok w h = true.
Hypothesis n_two : (2 <= n_ctx w)%nat.
(** The case's gap: every position not holding the max holds a token at most [m - g]. *)
Variable g : nat.
Hypothesis tokens_gap :
  forall i, (i < n_ctx w)%nat -> nth i x 0%nat <> list_max x -> (nth i x 0%nat <= list_max x - g)%nat.

Local Notation T := (exact_tables w).
Local Notation V := (d_vocab w).
Local Notation n := (n_ctx w).
Local Notation q := (nth (n_ctx w - 1) x 0%nat).
Local Notation m := (list_max x).
Local Notation cS := (2 ^ S w).
Local Notation isq := (/ sqrt (INR (d_head w))).

Lemma m_lt_V : (m < V)%nat.
Proof. exact (m_lt w x shapes x_length x_tokens). Qed.

Lemma q_lt_V : (q < V)%nat.
Proof. exact (q_lt w x shapes x_length x_tokens). Qed.

Lemma token_lt_V (i : nat) : (i < n)%nat -> (nth i x 0%nat < V)%nat.
Proof. intros Hi. apply x_tokens, nth_In. lia. Qed.

Lemma token_le_m (i : nat) : (i < n)%nat -> (nth i x 0%nat <= m)%nat.
Proof. intros Hi. apply le_max, nth_In. lia. Qed.

(** *** The logit bound *)

Definition Ms : list Z := map (eupu_M w h) (seq 0 V).
Definition L : summaries := logit_summaries w T Ms m.
Definition spread : Z := eupu_spread w T h (resid_query w) (map row_range (W_U w)) (eupu_widest T) q m.
Definition J0H : Z := (J0 L + nth (m - g) (H L) 0)%Z.
Definition PW (o : nat) : Z := (Z.of_nat V * list_maxZ (map (fun row => centred row o m) (PVOU T)))%Z.
Definition Md (o : nat) : Z := (eupu_M w h o - eupu_M w h m + PW o)%Z.

Lemma nth_Ms (o : nat) : (o < V)%nat -> nth o Ms 0%Z = eupu_M w h o.
Proof. intros Ho. unfold Ms. now rewrite nth_seq_map. Qed.

Lemma J1_ge (o : nat) : (o < V)%nat -> o <> m ->
  (Md o + Z.of_nat V * centred (nth m (EVOU T) []) o m <= J1 L)%Z.
Proof.
  intros Ho Hne. unfold L, logit_summaries. cbn [J1].
  eapply Z.le_trans; [| apply (max_except_ge V m o); assumption]. cbn beta.
  rewrite !nth_Ms by (assumption || apply m_lt_V). rewrite nth_seq_map by exact Ho. unfold Md, PW. lia.
Qed.

Lemma J0_ge (o : nat) : (o < V)%nat -> o <> m -> (Md o <= J0 L)%Z.
Proof.
  intros Ho Hne. unfold L, logit_summaries. cbn [J0].
  eapply Z.le_trans; [| apply (max_except_ge V m o); assumption]. cbn beta.
  rewrite !nth_Ms by (assumption || apply m_lt_V). rewrite nth_seq_map by exact Ho. unfold Md, PW. lia.
Qed.

Lemma H_ge (t o : nat) : (t <= m - g)%nat -> (o < V)%nat -> o <> m ->
  (Z.of_nat V * centred (nth t (EVOU T) []) o m <= nth (m - g) (H L) 0%Z)%Z.
Proof.
  intros Ht Ho Hne. unfold L, logit_summaries. cbn [H].
  set (l := map (fun k => max_except V m (fun o => (Z.of_nat V * centred (nth k (EVOU T) []) o m)%Z)) (seq 0 (m + 1))).
  assert (Ll : length l = (m + 1)%nat) by (unfold l; now rewrite map_length, seq_length).
  eapply Z.le_trans; [| apply (running_max_ge l t (m - g)); lia].
  unfold l. rewrite nth_seq_map by lia. apply (max_except_ge V m o (fun o => (Z.of_nat V * centred (nth t (EVOU T) []) o m)%Z));
    assumption.
Qed.

Lemma PW_ge (i o : nat) : (i < n)%nat -> (Z.of_nat V * centred (nth i (PVOU T) []) o m <= PW o)%Z.
Proof.
  intros Hi. unfold PW. apply Z.mul_le_mono_nonneg_l; [lia |]. apply list_maxZ_ge.
  apply (in_map (fun row => centred row o m)), nth_In. rewrite (pvou_length w shapes). exact Hi.
Qed.

(** The attention on the positions holding [m]. *)
Definition p_max : R := rsum n (fun i => if Nat.eqb (nth i x 0%nat) m then attention w x i else 0).

Lemma attention_pos (i : nat) : 0 < attention w x i.
Proof.
  unfold attention. destruct (shapes_spec w shapes) as (Hn & _).
  assert (0 < softmax_denominator w x) by (apply rsum_pos; [unfold Semantics.n; lia | intros; apply exp_pos]).
  apply Rdiv_lt_0_compat; [apply exp_pos | exact H].
Qed.

Lemma p_max_complement :
  rsum n (fun i => if Nat.eqb (nth i x 0%nat) m then 0 else attention w x i) = 1 - p_max.
Proof.
  rewrite <- (attention_sum w x shapes x_length). unfold p_max. rewrite <- rsum_minus. apply rsum_ext.
  intros i _. destruct (Nat.eqb _ _); lra.
Qed.

Lemma p_max_bounds : 0 <= p_max <= 1.
Proof.
  pose proof p_max_complement as C.
  assert (0 <= rsum n (fun i => if Nat.eqb (nth i x 0%nat) m then 0 else attention w x i)).
  { apply rsum_nonneg. intros i _. destruct (Nat.eqb _ _); [lra | left; apply attention_pos]. }
  assert (0 <= p_max).
  { unfold p_max. apply rsum_nonneg. intros i _. destruct (Nat.eqb _ _); [left; apply attention_pos | lra]. }
  lra.
Qed.

(** (F2): [V 2^(4S) (logit o - logit m) <= spread + p J1 + (1 - p) (J0 + H[m - g][m])]. *)
Lemma logit_bound (o : nat) : (o < V)%nat -> o <> m ->
  IZR (Z.of_nat V) * cS ^ 4 * (logit w x o - logit w x m)
  <= IZR spread + p_max * IZR (J1 L) + (1 - p_max) * IZR J0H.
Proof.
  intros Ho Hne. pose proof m_lt_V as Hm. pose proof q_lt_V as Hq.
  assert (Hc : cS <> 0) by (apply pow_nonzero; lra).
  rewrite (logit_difference w x shapes x_length x_tokens m o Hm Ho), rsum_mult_l.
  set (A := IZR (Z.of_nat V * centred (nth m (EVOU T) []) o m)).
  set (Hg := IZR (nth (m - g) (H L) 0%Z)).
  set (b (i : nat) := IZR spread + IZR (Md o) + (if Nat.eqb (nth i x 0%nat) m then A else Hg)).
  apply Rle_trans with (rsum n (fun i => attention w x i * b i)).
  - apply rsum_le. intros i Hi.
    replace (IZR (Z.of_nat V) * cS ^ 4 * (attention w x i * difference_real w x m i o))
      with (attention w x i * (IZR (Z.of_nat V) * cS ^ 4 * difference_real w x m i o)) by ring.
    apply Rmult_le_compat_l; [left; apply attention_pos |].
    unfold difference_real. fold (2 ^ S w).
    replace (IZR (Z.of_nat V) * cS ^ 4 * (IZR (entry (EVOU T) (nth i x 0%nat) o - entry (EVOU T) (nth i x 0%nat) m
                + entry (PVOU T) i o - entry (PVOU T) i m
                + (entry (EUPU T) q o - entry (EUPU T) q m) * 2 ^ (2 * Z.of_nat (S w))) / cS ^ 4))
      with (IZR (Z.of_nat V * centred (nth (nth i x 0%nat) (EVOU T) []) o m
                 + Z.of_nat V * centred (nth i (PVOU T) []) o m
                 + Z.of_nat V * 2 ^ (2 * Z.of_nat (S w)) * centred (nth q (EUPU T) []) o m))
      by (unfold centred, entry; repeat rewrite ?plus_IZR, ?minus_IZR, ?mult_IZR; field; exact Hc).
    pose proof (eupu_bound w shapes h q m o hints_good Hq Hm Ho Hne) as E.
    pose proof (PW_ge i o Hi) as P.
    unfold b, spread, Md.
    destruct (Nat.eqb_spec (nth i x 0%nat) m) as [Em | Nm].
    + replace (nth (nth i x 0%nat) (EVOU T) []) with (nth m (EVOU T) []) by now rewrite Em.
      unfold A. rewrite <- !plus_IZR. apply IZR_le. lia.
    + pose proof (H_ge (nth i x 0%nat) o (tokens_gap i Hi Nm) Ho Hne) as HH. unfold Hg.
      rewrite <- !plus_IZR. apply IZR_le. lia.
  - assert (E : rsum n (fun i => attention w x i * b i)
                = (IZR spread + IZR (Md o)) * rsum n (attention w x) + A * p_max
                  + Hg * rsum n (fun i => if Nat.eqb (nth i x 0%nat) m then 0 else attention w x i)).
    { unfold p_max. rewrite !rsum_mult_l, <- !rsum_plus. apply rsum_ext. intros i _. unfold b.
      destruct (Nat.eqb _ _); ring. }
    rewrite E, attention_sum, p_max_complement by assumption.
    pose proof (J1_ge o Ho Hne) as G1. pose proof (J0_ge o Ho Hne) as G0.
    apply IZR_le in G1, G0. rewrite plus_IZR in G1. fold A in G1.
    unfold J0H. rewrite plus_IZR. fold Hg. pose proof p_max_bounds. nra.
Qed.
(** *** The attention bound *)

Definition main : list Z := main_row T h V q.
Definition pm : list Z := running_max main.
Definition Rq : Z := R_used T h (S w) V q main.
Definition dn : Z := main_den (S w) h.
Definition pos : query_scores := query_scores_of (nth q (EQKP T) []) n (S w) s.
Definition cnt : nat := count_neq m (firstn (n - 1) x).
Definition d_gap : Z := scaled_lower Z.div (nth m main 0 - nth (m - g) pm 0 - Rq)%Z dn s.
Definition d_query : Z :=
  if drop_query h then d_gap else scaled_lower Z.div (nth m main 0 - nth q main 0 - Rq)%Z dn s.
Definition num_exps : list Z := firstn (n - 1 - cnt) (lows pos) ++ (if Nat.eqb q m then [fst (qscore pos)] else []).
Definition other_exps : list Z :=
  map (fun hi => hi - d_gap)%Z (firstn cnt (highs pos)) ++ (if Nat.eqb q m then [] else [snd (qscore pos) - d_query]%Z).
Definition base : Z := list_maxZ (num_exps ++ other_exps).
Definition num : Z := fold_right Z.add 0%Z (map (fun z => fst (exp_nonpos (z - base))) num_exps).
Definition other : Z := fold_right Z.add 0%Z (map (fun z => snd (exp_nonpos (z - base))) other_exps).
Definition p_low : Z :=
  if Nat.eqb q m && Nat.eqb cnt 0 then ONE
  else if (0 <? num)%Z then Z.min (num * ONE / (num + other)) ONE else 0%Z.

(** The checker's test, with the names above. *)
Lemma case_proven_unfold :
  case_proven exp_nonpos Z.div spread (J1 L) J0H main pm Rq dn pos s (drop_query h) n q m cnt g
  = (spread * ONE + (if J0H <=? J1 L then J1 L * ONE else J0H * ONE + p_low * (J1 L - J0H)) <? 0)%Z.
Proof. reflexivity. Qed.

Lemma main_length : length main = V.
Proof.
  unfold main, main_row. destruct (main_exact h).
  - apply (row_length_of _ V); [apply eqke_shape, shapes | apply q_lt_V].
  - now rewrite map_length, seq_length.
Qed.

Lemma dn_pos : (0 < dn)%Z.
Proof.
  unfold dn, main_den. destruct (main_exact h) eqn:E; [apply Z.pow_pos_nonneg; lia |].
  unfold hints_ok in hints_good. rewrite E in hints_good. apply andb_prop in hints_good as [_ D].
  apply Z.ltb_lt. exact D.
Qed.

(** The split: for a token [t] whose [Main] entry is at most [B], the [EQKE] gap from [m] is at
    least [Main[m] - B - R_used], over [den'] (the spread of [Err] is at most [R_used]). *)
Lemma eqke_gap (t : nat) (B : Z) : (t < V)%nat -> (nth t main 0 <= B)%Z ->
  ((nth m main 0 - B - Rq) * 2 ^ (4 * Z.of_nat (S w)) <= (entry (EQKE T) q m - entry (EQKE T) q t) * dn)%Z.
Proof.
  intros Ht HB. pose proof m_lt_V as Hm. pose proof dn_pos as Hd.
  set (P4 := (2 ^ (4 * Z.of_nat (S w)))%Z). assert (HP : (0 < P4)%Z) by (apply Z.pow_pos_nonneg; lia).
  set (err := map (fun k => entry (EQKE T) q k * dn - nth k main 0 * P4)%Z (seq 0 V)).
  assert (Le : length err = V) by (unfold err; now rewrite map_length, seq_length).
  assert (Sp : (nth t err 0 - nth m err 0 <= row_range err)%Z) by (apply row_range_ge; lia).
  unfold err in Sp. rewrite !nth_seq_map in Sp by assumption.
  assert (Rge : (row_range err <= Rq * P4)%Z).
  { unfold Rq, R_used. cbv zeta. fold main. fold dn. fold P4. fold err.
    assert (Cd : (row_range err <= ceil_div (row_range err) P4 * P4)%Z).
    { unfold ceil_div. pose proof (Z.mul_div_le (- row_range err) P4 HP). lia. }
    pose proof (Z.le_max_r (nth q (err_bound h) 0%Z) (ceil_div (row_range err) P4)).
    apply (Z.mul_le_mono_nonneg_r _ _ P4) in H; [lia | lia]. }
  fold err in Sp. assert (Bt : (nth t main 0 * P4 <= B * P4)%Z) by (apply Z.mul_le_mono_nonneg_r; lia).
  rewrite !Z.mul_sub_distr_r. lia.
Qed.

Lemma isq_pos : 0 < isq.
Proof.
  destruct (shapes_spec w shapes) as (_ & Hh & _). apply Rinv_0_lt_compat, sqrt_lt_R0, lt_0_INR. lia.
Qed.

(** ... so the token part of the score of [t] is at least [fx d] below that of [m]. *)
Lemma tok_gap (t : nat) (B : Z) : (t < V)%nat -> (nth t main 0 <= B)%Z ->
  fx (scaled_lower Z.div (nth m main 0 - B - Rq)%Z dn s) <= token_score w x m - token_score w x t.
Proof.
  intros Ht HB. pose proof (eqke_gap t B Ht HB) as G. pose proof dn_pos as Hd.
  eapply Rle_trans; [apply scaled_lower_le; [exact Hd | exact (scale_contains w x s shapes x_length scale_ok)] |].
  unfold token_score. rewrite <- (bits_pow w).
  assert (P4 : 0 < IZR (2 ^ (4 * Z.of_nat (S w)))) by (apply IZR_pow2_pos; lia).
  assert (D : 0 < IZR dn) by (apply IZR_lt; exact Hd).
  apply IZR_le in G. rewrite !mult_IZR, !minus_IZR in G.
  pose proof isq_pos as Hk. set (k := / sqrt (INR (d_head w))) in *. set (P := IZR (2 ^ (4 * Z.of_nat (S w)))) in *.
  rewrite !minus_IZR.
  assert (Q : (IZR (nth m main 0%Z) - IZR B - IZR Rq) / IZR dn
              <= (IZR (entry (EQKE T) q m) - IZR (entry (EQKE T) q t)) / P).
  { apply (Rmult_le_reg_r (IZR dn * P)); [nra |].
    replace ((IZR (nth m main 0%Z) - IZR B - IZR Rq) / IZR dn * (IZR dn * P))
      with ((IZR (nth m main 0%Z) - IZR B - IZR Rq) * P) by (field; lra).
    replace ((IZR (entry (EQKE T) q m) - IZR (entry (EQKE T) q t)) / P * (IZR dn * P))
      with ((IZR (entry (EQKE T) q m) - IZR (entry (EQKE T) q t)) * IZR dn) by (field; lra).
    exact G. }
  replace (IZR (entry (EQKE T) q m) / P * k - IZR (entry (EQKE T) q t) / P * k)
    with ((IZR (entry (EQKE T) q m) - IZR (entry (EQKE T) q t)) / P * k) by (field; lra).
  apply Rmult_le_compat_r; [lra | exact Q].
Qed.

(** Every non-max position's token part is at least [fx d_gap] below the max's, and the
    query's (when it is not the max) at least [fx d_query]. *)
Lemma tok_gap_position (i : nat) : (i < n)%nat -> nth i x 0%nat <> m ->
  fx d_gap <= token_score w x m - token_score w x (nth i x 0%nat).
Proof.
  intros Hi Ne. apply tok_gap; [apply token_lt_V, Hi |].
  apply running_max_ge; [apply tokens_gap; assumption |]. rewrite main_length. pose proof m_lt_V. lia.
Qed.

Lemma tok_gap_query : q <> m -> fx d_query <= token_score w x m - token_score w x q.
Proof.
  intros Ne. assert (Hi : (n - 1 < n)%nat) by lia. unfold d_query. destruct (drop_query h).
  - exact (tok_gap_position (n - 1) Hi Ne).
  - apply tok_gap; [apply q_lt_V | lia].
Qed.

(** The positional scores. *)
Definition scores : list ival := map (fun raw => scaled_score raw (4 * Z.of_nat (S w)) s) (nth q (EQKP T) []).

Lemma scores_length : length scores = n.
Proof. unfold scores. rewrite map_length. exact (eqkp_row_length w x shapes x_length x_tokens). Qed.

Lemma score_contains (i : nat) : (i < n)%nat -> contains (nth i scores (0, 0)%Z) (pos_score w x i).
Proof.
  intros Hi. unfold scores. rewrite (nth_map_in _ _ 0%Z) by (rewrite (eqkp_row_length w x shapes x_length x_tokens); exact Hi).
  exact (scaled_contains w x s shapes x_length scale_ok _).
Qed.

Lemma in_base (z : Z) : In z (num_exps ++ other_exps) -> (z <= base)%Z.
Proof. intros Hz. now apply list_maxZ_ge. Qed.

Definition Xm : R := rsum n (fun i => if Nat.eqb (nth i x 0%nat) m then exp (score w x i) else 0).
Definition Yo : R := rsum n (fun i => if Nat.eqb (nth i x 0%nat) m then 0 else exp (score w x i)).
Definition Kf : R := exp (- (token_score w x m + fx base)).

Lemma p_max_ratio : p_max = Xm / (Xm + Yo).
Proof.
  destruct (shapes_spec w shapes) as (Hn & _).
  assert (D : Xm + Yo = softmax_denominator w x).
  { unfold Xm, Yo, softmax_denominator. rewrite <- rsum_plus. unfold Semantics.n. unfold rsum. f_equal.
    apply map_ext. intros i. destruct (Nat.eqb _ _); lra. }
  assert (0 < softmax_denominator w x) by (apply rsum_pos; [unfold Semantics.n; lia | intros; apply exp_pos]).
  rewrite D. unfold p_max, Xm, Rdiv. rewrite rsum_mult_r. apply rsum_ext. intros i _. unfold attention.
  destruct (Nat.eqb _ _); [reflexivity | lra].
Qed.

Lemma Xm_pos : 0 < Xm.
Proof.
  unfold Xm. apply rsum_pos_one.
  - intros i _. destruct (Nat.eqb _ _); [left; apply exp_pos | lra].
  - assert (In m x) by (apply (list_max_in x); intros E; rewrite E in x_length; simpl in x_length; lia).
    destruct (In_nth x m 0%nat H) as [i [Hi E]]. exists i. rewrite x_length in Hi. split; [exact Hi |].
    rewrite E, Nat.eqb_refl. apply exp_pos.
Qed.

Lemma Yo_nonneg : 0 <= Yo.
Proof. unfold Yo. apply rsum_nonneg. intros i _. destruct (Nat.eqb _ _); [lra | left; apply exp_pos]. Qed.

(** [Kf exp(score i)] for a position holding [m]. *)
Lemma Kf_max_position (i : nat) : (i < n)%nat -> nth i x 0%nat = m ->
  Kf * exp (score w x i) = exp (pos_score w x i - fx base).
Proof.
  intros Hi E. unfold Kf. rewrite <- exp_plus. f_equal.
  rewrite (score_split w x shapes x_length x_tokens i Hi), E. ring.
Qed.

Lemma Kf_position (i : nat) : (i < n)%nat ->
  Kf * exp (score w x i) = exp (token_score w x (nth i x 0%nat) - token_score w x m + pos_score w x i - fx base).
Proof.
  intros Hi. unfold Kf. rewrite <- exp_plus. f_equal.
  rewrite (score_split w x shapes x_length x_tokens i Hi). ring.
Qed.

Lemma y_length : length (firstn (n - 1) x) = (n - 1)%nat.
Proof. rewrite firstn_length, x_length. lia. Qed.

Lemma nth_y (i : nat) : (i < n - 1)%nat -> nth i (firstn (n - 1) x) 0%nat = nth i x 0%nat.
Proof. intros Hi. now apply nth_firstn_lt. Qed.

Lemma nth_scores_firstn (f : ival -> Z) (i : nat) : (i < n - 1)%nat ->
  nth i (map f (firstn (n - 1) scores)) 0%Z = f (nth i scores (0, 0)%Z).
Proof.
  intros Hi. rewrite (nth_map_in _ _ (0, 0)%Z) by (rewrite firstn_length, scores_length; lia).
  now rewrite nth_firstn_lt.
Qed.

Lemma n_split (f : nat -> R) : rsum n f = rsum (n - 1) f + f (n - 1)%nat.
Proof. replace n with (Datatypes.S (n - 1)) at 1 by lia. apply rsum_succ. Qed.

Lemma count_eq_m : count_true (map (fun t => Nat.eqb t m) (firstn (n - 1) x)) = (n - 1 - cnt)%nat.
Proof.
  rewrite count_true_map. unfold cnt, count_neq.
  pose proof (count_split (fun t => Nat.eqb t m) (firstn (n - 1) x)) as C. rewrite y_length in C. lia.
Qed.

Lemma count_neq_m : count_true (map (fun t => negb (Nat.eqb t m)) (firstn (n - 1) x)) = cnt.
Proof. rewrite count_true_map. reflexivity. Qed.

(** (F1), numerator: [fx num <= Kf Xm]. *)
Lemma num_le : fx num <= Kf * Xm.
Proof.
  set (phi z := exp (fx z - fx base)).
  assert (Mono : forall a b, (a <= b)%Z -> phi a <= phi b) by (intros a b Hab; apply exp_le; apply fx_le in Hab; lra).
  unfold num. rewrite fx_fold_sum.
  apply Rle_trans with (rsumf phi num_exps).
  { apply rsumf_le. intros z Hz. apply exp_lo_le, in_base, in_or_app. now left. }
  unfold num_exps. rewrite rsumf_app.
  set (Lf := map fst (firstn (n - 1) scores)).
  set (bm := map (fun t => Nat.eqb t m) (firstn (n - 1) x)).
  assert (LL : length Lf = (n - 1)%nat) by (unfold Lf; rewrite map_length, firstn_length, scores_length; lia).
  assert (LB : length bm = (n - 1)%nat) by (unfold bm; rewrite map_length; apply y_length).
  assert (S1 : rsumf phi (firstn (n - 1 - cnt) (lows pos)) <= rsel phi bm Lf).
  { unfold pos, query_scores_of. cbn [lows]. fold scores. fold Lf. rewrite <- count_eq_m. fold bm.
    apply smallest_le_selected_R; [exact Mono | congruence]. }
  rewrite (rsel_rsum phi bm Lf (n - 1) LB LL) in S1.
  unfold Xm. rewrite rsum_mult_l, n_split.
  apply Rplus_le_compat.
  - eapply Rle_trans; [exact S1 |]. apply rsum_le. intros i Hi.
    unfold bm. rewrite (nth_map_in _ _ 0%nat) by (rewrite y_length; exact Hi). rewrite nth_y by exact Hi.
    destruct (Nat.eqb_spec (nth i x 0%nat) m) as [E | E]; [| lra].
    rewrite Kf_max_position by (lia || exact E). unfold phi, Lf. rewrite nth_scores_firstn by exact Hi.
    apply exp_le. destruct (score_contains i ltac:(lia)). lra.
  - unfold pos, query_scores_of. cbn [qscore]. fold scores.
    destruct (Nat.eqb_spec q m) as [E | E]; simpl.
    + rewrite Kf_max_position by (lia || exact E). unfold phi.
      replace (nth (n - 1) scores (0, 0)%Z) with (nth (n - 1) scores (0, 0)%Z) by reflexivity.
      apply Rle_trans with (exp (fx (fst (nth (n - 1) scores (0, 0)%Z)) - fx base)); [lra |].
      apply exp_le. destruct (score_contains (n - 1) ltac:(lia)). lra.
    + lra.
Qed.

(** (F1), the rest: [Kf Yo <= fx other]. *)
Lemma other_ge : Kf * Yo <= fx other.
Proof.
  set (psi z := exp (fx z - fx d_gap - fx base)).
  assert (Mono : forall a b, (a <= b)%Z -> psi a <= psi b) by (intros a b Hab; apply exp_le; apply fx_le in Hab; lra).
  unfold other. rewrite fx_fold_sum. unfold other_exps. rewrite rsumf_app, rsumf_map.
  set (Hf := map snd (firstn (n - 1) scores)).
  set (bn := map (fun t => negb (Nat.eqb t m)) (firstn (n - 1) x)).
  assert (LL : length Hf = (n - 1)%nat) by (unfold Hf; rewrite map_length, firstn_length, scores_length; lia).
  assert (LB : length bn = (n - 1)%nat) by (unfold bn; rewrite map_length; apply y_length).
  assert (S1 : rsel psi bn Hf <= rsumf psi (firstn cnt (highs pos))).
  { unfold pos, query_scores_of. cbn [highs]. fold scores. fold Hf. rewrite <- count_neq_m. fold bn.
    apply selected_le_largest_R; [exact Mono | congruence]. }
  rewrite (rsel_rsum psi bn Hf (n - 1) LB LL) in S1.
  unfold Yo. rewrite rsum_mult_l, n_split.
  apply Rplus_le_compat.
  - eapply Rle_trans; [| eapply Rle_trans; [exact S1 |]].
    + apply rsum_le. intros i Hi.
      unfold bn. rewrite (nth_map_in _ _ 0%nat) by (rewrite y_length; exact Hi). rewrite nth_y by exact Hi.
      destruct (Nat.eqb_spec (nth i x 0%nat) m) as [E | E]; simpl; [lra |].
      rewrite Kf_position by lia. unfold psi, Hf. rewrite nth_scores_firstn by exact Hi.
      apply exp_le. destruct (score_contains i ltac:(lia)). pose proof (tok_gap_position i ltac:(lia) E). lra.
    + apply rsumf_le. intros z Hz. unfold psi. rewrite <- !fx_sub. replace (z - d_gap - base)%Z with ((z - d_gap) - base)%Z by lia.
      rewrite (fx_sub (z - d_gap)). apply exp_hi_ge, in_base, in_or_app. right. apply in_or_app. left.
      apply in_map_iff. exists z. split; [reflexivity | exact Hz].
  - unfold pos, query_scores_of. cbn [qscore]. fold scores.
    destruct (Nat.eqb_spec q m) as [E | E]; simpl.
    + lra.
    + rewrite Kf_position by lia. rewrite Rplus_0_r.
      eapply Rle_trans; [| apply exp_hi_ge, in_base, in_or_app; right; apply in_or_app; right;
                            unfold pos, query_scores_of; cbn [qscore]; fold scores; rewrite (proj2 (Nat.eqb_neq q m) E); now left].
      rewrite fx_sub. apply exp_le. destruct (score_contains (n - 1) ltac:(lia)). pose proof (tok_gap_query E). lra.
Qed.

Lemma other_nonneg : (0 <= other)%Z.
Proof.
  unfold other. assert (G : forall l, (forall z, In z l -> (z <= base)%Z) ->
                              (0 <= fold_right Z.add 0 (map (fun z => snd (exp_nonpos (z - base))) l))%Z).
  { induction l as [| z l IH]; intros Hl; simpl; [lia |].
    pose proof (exp_hi_pos (z - base) ltac:(specialize (Hl z (or_introl eq_refl)); lia)).
    assert (0 <= fold_right Z.add 0 (map (fun z => snd (exp_nonpos (z - base))) l))%Z
      by (apply IH; intros; apply Hl; now right). lia. }
  apply G. intros z Hz. apply in_base, in_or_app. now right.
Qed.

(** (F1): when [num > 0], the quotient [num / (num + other)] is a lower bound on [p]. *)
Lemma quotient_le : (0 < num)%Z -> fx (Z.min (num * ONE / (num + other)) ONE) <= p_max.
Proof.
  intros Pn. pose proof other_nonneg as Ho. pose proof (IZR_pow2_pos prec prec_nonneg) as PP.
  pose proof Xm_pos as HX. pose proof Yo_nonneg as HY.
  apply Rle_trans with (fx (num * ONE / (num + other))); [apply fx_le, Z.le_min_l |].
  assert (Nn : 0 < IZR num) by (apply IZR_lt; exact Pn).
  assert (On : 0 <= IZR other) by (apply IZR_le; exact Ho).
  assert (Sn : 0 < IZR (num + other)) by (apply IZR_lt; lia).
  apply Rle_trans with (IZR num / IZR (num + other)).
  { unfold fx, ONE. pose proof (div_floor_le (num * 2 ^ prec) (num + other) ltac:(lia)) as F.
    rewrite mult_IZR in F. apply (Rmult_le_reg_r (IZR (2 ^ prec) * IZR (num + other))); [nra |].
    replace (IZR (num * 2 ^ prec / (num + other)) / IZR (2 ^ prec) * (IZR (2 ^ prec) * IZR (num + other)))
      with (IZR (num * 2 ^ prec / (num + other)) * IZR (num + other)) by (field; lra).
    replace (IZR num / IZR (num + other) * (IZR (2 ^ prec) * IZR (num + other)))
      with (IZR num * IZR (2 ^ prec)) by (field; lra). exact F. }
  rewrite p_max_ratio.
  assert (E : IZR num / IZR (num + other) = fx num / (fx num + fx other)).
  { unfold fx. rewrite plus_IZR in *. field. lra. }
  rewrite E. apply (ratio_le _ _ Xm Yo Kf); try lra.
  - unfold fx. apply Rdiv_lt_0_compat; lra.
  - unfold fx, Rdiv. apply Rmult_le_pos; [lra | left; apply Rinv_0_lt_compat; lra].
  - apply exp_pos.
  - apply num_le.
  - apply other_ge.
Qed.

(** (F1): [p_low] is a lower bound on the attention on the positions holding [m]. *)
Lemma p_low_le : fx p_low <= p_max.
Proof.
  unfold p_low. pose proof Xm_pos as HX. pose proof Yo_nonneg as HY. pose proof p_max_bounds as Pb.
  destruct (Nat.eqb_spec q m) as [Eq | Nq]; destruct (Nat.eqb_spec cnt 0) as [Ec | Nc]; cbn [andb].
  1: { (* every position holds m *)
    rewrite fx_one, p_max_ratio.
    assert (Y0 : Yo = 0).
    { unfold Yo. transitivity (rsum n (fun _ => 0)); [| apply rsum_zero]. apply rsum_ext. intros i Hi.
      destruct (Nat.eqb_spec (nth i x 0%nat) m) as [_ | Ne]; [reflexivity |]. exfalso. apply Ne.
      destruct (Nat.eq_dec i (n - 1)) as [-> | Ni]; [exact Eq |].
      pose proof (count_none _ _ Ec (nth i x 0%nat)) as F.
      assert (Li : (i < length (firstn (n - 1) x))%nat) by (rewrite y_length; lia).
      pose proof (nth_In (firstn (n - 1) x) 0%nat Li) as In1. rewrite nth_y in In1 by lia.
      specialize (F In1). cbn beta in F. apply negb_false_iff, Nat.eqb_eq in F. exact F. }
    rewrite Y0, Rplus_0_r. unfold Rdiv. rewrite Rinv_r; lra. }
  all: destruct (Z.ltb_spec 0 num) as [Pn | Pn]; [apply quotient_le, Pn | unfold fx; simpl; lra].
Qed.

(** The input is classified correctly when its case is proven. *)
Theorem subcubic_input_correct :
  case_proven exp_nonpos Z.div spread (J1 L) J0H main pm Rq dn pos s (drop_query h) n q m cnt g = true -> correct w x.
Proof.
  intros Hc. rewrite case_proven_unfold in Hc.
  pose proof (affine_case _ _ _ _ p_max (conj p_low_le (proj2 p_max_bounds)) Hc) as Neg.
  intros o Ho Hne. pose proof (logit_bound o Ho Hne) as B.
  assert (PV : 0 < IZR (Z.of_nat V) * (2 ^ S w) ^ 4).
  { apply Rmult_lt_0_compat; [apply IZR_lt; pose proof m_lt_V; lia | apply pow_lt, pow_lt; lra]. }
  assert (IZR (Z.of_nat V) * (2 ^ S w) ^ 4 * (logit w x o - logit w x m) < 0) by lra.
  unfold answer. nra.
Qed.
End SubcubicInput.

(** ** The subcubic checker is sound *)

Lemma proven_rows_beyond_max (expf : Z -> ival) (divf : Z -> Z -> Z) (w : weights) (h : hints) (s : ival) (spread : Z) (L : summaries)
    (pos : query_scores) (main : list Z) (Rq : nat -> Z) (q m t c : nat) :
  (m <= t)%nat -> (1 <= c)%nat -> nth c (nth t (proven_rows expf divf w h s spread L pos main Rq q m) []) false = false.
Proof.
  intros Ht Hc. unfold proven_rows. cbv zeta. now apply rows_beyond_max.
Qed.

(** For all weights, every scale interval and every hint, the subcubic checker's count is at
    most the number of inputs the real model gets right. *)
Theorem subcubic_sound (w : weights) (s : ival) (h : hints) :
  (check_subcubic w s h <= N.of_nat (correct_count w))%N.
Proof.
  unfold check_subcubic, check_subcubic_with.
  destruct (shapes_ok w && Nat.leb 2 (n_ctx w) && check_inv_sqrt (Z.of_nat (d_head w)) s && hints_ok w h) eqn:G;
    [| apply N.le_0_l].
  apply andb_prop in G as [G Hh]. apply andb_prop in G as [G Hs]. apply andb_prop in G as [Hsh Hn2].
  apply Nat.leb_le in Hn2. cbv zeta.
  set (T := exact_tables w).
  set (Msl := map (eupu_M w h) (seq 0 (d_vocab w))).
  set (mains := main_rows T h (d_vocab w)).
  set (Rs := map (fun q => R_used T h (S w) (d_vocab w) q (nth q mains [])) (seq 0 (d_vocab w))).
  set (posl := map (fun q => query_scores_of (nth q (EQKP T) []) (n_ctx w) (S w) s) (seq 0 (d_vocab w))).
  set (dflt := {| lows := []; highs := []; qscore := (0%Z, 0%Z) |}).
  set (spr := eupu_spread w T h (resid_query w) (map row_range (W_U w)) (eupu_widest T)).
  set (rowsf := fun q m => proven_rows exp_nonpos Z.div w h s (spr q m) (logit_summaries w T Msl m) (nth q posl dflt)
                                       (nth q mains []) (fun q => nth q Rs 0%Z) q m).
  assert (HR : forall q m t c, (m <= t)%nat -> (1 <= c)%nat -> nth c (nth t (rowsf q m) []) false = false)
    by exact (fun q m t c => proven_rows_beyond_max exp_nonpos Z.div w h s (spr q m) (logit_summaries w T Msl m)
                               (nth q posl dflt) (nth q mains []) (fun q => nth q Rs 0%Z) q m t c).
  pose proof (count_cases (d_vocab w) (n_ctx w) rowsf Hn2 HR) as Eq. unfold rowsf in Eq. cbv beta in Eq.
  rewrite Eq. match goal with |- (N.of_nat ?a <= N.of_nat ?b)%N => cut (a <= b)%nat; [lia |] end.
  unfold count, correct_count.
  apply filter_length_le. intros x Hx Hc. destruct (all_inputs_spec _ _ _ Hx) as [Lx Tx]. apply correct_b_spec.
  set (q := nth (n_ctx w - 1) x 0%nat). set (m := list_max x).
  assert (Hm : (m < d_vocab w)%nat) by exact (m_lt w x Hsh Lx Tx).
  assert (Hq : (q < d_vocab w)%nat) by exact (q_lt w x Hsh Lx Tx).
  set (y := firstn (n_ctx w - 1) x). set (c := count_neq m y).
  assert (Hy : length y = (n_ctx w - 1)%nat) by (unfold y; rewrite firstn_length, Lx; lia).
  assert (Hcn : (c < n_ctx w)%nat).
  { unfold c, count_neq. pose proof (count_le_length_alt (fun t => negb (Nat.eqb t m)) y). lia. }
  (* the case's data: whether it is proven, and its gap *)
  set (cases := map (fun c =>
      let g := nth (q * n_ctx w + c) (nth m (gaps h) []) 0%nat in
      let g_case := if Nat.eqb q m && Nat.eqb c 0 then 0%nat else g in
      (gap_legal q m c g
       && case_proven exp_nonpos Z.div (spr q m) (J1 (logit_summaries w T Msl m))
            (J0 (logit_summaries w T Msl m) + nth (m - g_case) (H (logit_summaries w T Msl m)) 0)%Z
            (nth q mains []) (running_max (nth q mains [])) (nth q Rs 0%Z)
            (main_den (S w) h) (nth q posl dflt) s (drop_query h) (n_ctx w) q m c g_case, g_case))
      (seq 0 (n_ctx w))).
  assert (Erows : proven_rows exp_nonpos Z.div w h s (spr q m) (logit_summaries w T Msl m) (nth q posl dflt)
                                (nth q mains []) (fun q => nth q Rs 0%Z) q m = map (fun t => map (fun c => if Nat.eqb c 0 then false
                              else fst (nth c cases (false, 0%nat)) && Nat.leb t (m - snd (nth c cases (false, 0%nat))))
                    (seq 0 (n_ctx w))) (seq 0 m) ++ [fst (nth 0 cases (false, 0%nat)) :: repeat false (n_ctx w - 1)])
    by reflexivity.
  unfold Counting.case_proven in Hc. cbv zeta beta in Hc. fold q m y c in Hc. rewrite Erows in Hc.
  assert (Ecase : nth c cases (false, 0%nat) = (gap_legal q m c (nth (q * n_ctx w + c) (nth m (gaps h) []) 0%nat)
       && case_proven exp_nonpos Z.div (spr q m) (J1 (logit_summaries w T Msl m))
            (J0 (logit_summaries w T Msl m)
             + nth (m - (if Nat.eqb q m && Nat.eqb c 0 then 0%nat else nth (q * n_ctx w + c) (nth m (gaps h) []) 0%nat))
                   (H (logit_summaries w T Msl m)) 0)%Z
            (nth q mains []) (running_max (nth q mains [])) (nth q Rs 0%Z)
            (main_den (S w) h) (nth q posl dflt) s (drop_query h) (n_ctx w) q m c
            (if Nat.eqb q m && Nat.eqb c 0 then 0%nat else nth (q * n_ctx w + c) (nth m (gaps h) []) 0%nat),
       if Nat.eqb q m && Nat.eqb c 0 then 0%nat else nth (q * n_ctx w + c) (nth m (gaps h) []) 0%nat)).
  { unfold cases. rewrite (nth_map_in _ _ 0%nat) by (rewrite seq_length; exact Hcn). rewrite seq_nth by exact Hcn.
    reflexivity. }
  set (graw := nth (q * n_ctx w + c) (nth m (gaps h) []) 0%nat) in Ecase.
  set (g := if Nat.eqb q m && Nat.eqb c 0 then 0%nat else graw) in Ecase.
  (* from the table: the case is proven and every non-max non-query token is within its gap *)
  assert (Hok : fst (nth c cases (false, 0%nat)) = true
                /\ forall t, In t y -> t <> m -> (t <= m - snd (nth c cases (false, 0%nat)))%nat).
  { destruct (Nat.eqb_spec c 0) as [C0 | C0].
    - rewrite app_nth2 in Hc by (rewrite map_length, seq_length; lia).
      rewrite map_length, seq_length, Nat.sub_diag in Hc. simpl in Hc. rewrite C0. split; [exact Hc |].
      intros t Ht Hne. exfalso. pose proof (count_none _ _ C0 t Ht) as F. cbn beta in F.
      apply negb_false_iff, Nat.eqb_eq in F. contradiction.
    - assert (Ex : exists t, In t y /\ t <> m).
      { destruct (existsb (fun t => negb (Nat.eqb t m)) y) eqn:Eb.
        - apply existsb_exists in Eb as [t [Ht Et]]. exists t. split; [exact Ht |]. apply negb_true_iff, Nat.eqb_neq in Et. exact Et.
        - exfalso. apply C0. unfold c, count_neq, count.
          assert (F : forall t, In t y -> negb (Nat.eqb t m) = false).
          { intros t Ht. destruct (negb (Nat.eqb t m)) eqn:E; [| reflexivity].
            assert (existsb (fun t => negb (Nat.eqb t m)) y = true) by (apply existsb_exists; exists t; auto). congruence. }
          clear -F. induction y as [| a y IH]; [reflexivity |]. simpl. rewrite (F a (or_introl eq_refl)).
          apply IH. intros t Ht. apply F. now right. }
      destruct Ex as [t0 [Ht0 Hne0]].
      assert (Gt : forall t, In t y -> t <> m -> (t < m)%nat
                     /\ fst (nth c cases (false, 0%nat)) && Nat.leb t (m - snd (nth c cases (false, 0%nat))) = true).
      { intros t Ht Hne. destruct (allowed_spec _ _ _ Hc t Ht) as [E | E]; [contradiction |].
        assert (Tm : (t <= m)%nat) by (apply le_max; unfold y in Ht; exact (in_firstn _ _ _ Ht)).
        assert (Tl : (t < m)%nat) by lia. split; [exact Tl |].
        rewrite app_nth1 in E by (rewrite map_length, seq_length; exact Tl).
        rewrite (nth_map_in _ _ 0%nat) in E by (rewrite seq_length; exact Tl). rewrite seq_nth in E by exact Tl.
        rewrite (nth_map_in _ _ 0%nat) in E by (rewrite seq_length; exact Hcn). rewrite seq_nth in E by exact Hcn.
        simpl in E. apply Nat.eqb_neq in C0. rewrite C0 in E. exact E. }
      split.
      + destruct (Gt t0 Ht0 Hne0) as [_ E]. apply andb_prop in E. apply E.
      + intros t Ht Hne. destruct (Gt t Ht Hne) as [_ E]. apply andb_prop in E as [_ E]. apply Nat.leb_le, E. }
  rewrite Ecase in Hok. cbn [fst snd] in Hok. destruct Hok as [Hok Hin]. apply andb_prop in Hok as [Hleg Hcase].
  (* the gap rule: the query, when not the max, is within the gap too *)
  assert (Hgap : forall i, (i < n_ctx w)%nat -> nth i x 0%nat <> m -> (nth i x 0%nat <= m - g)%nat).
  { intros i Hi Hne. destruct (Nat.eq_dec i (n_ctx w - 1)) as [-> | Ni].
    - fold q in Hne |- *. unfold g. destruct (Nat.eqb_spec q m) as [E | _]; [contradiction |]. cbn [andb].
      unfold gap_legal in Hleg. apply andb_prop in Hleg as [_ Hleg]. apply orb_true_iff in Hleg as [Hleg | Hleg].
      + apply andb_prop in Hleg as [E _]. apply Nat.eqb_eq in E. contradiction.
      + apply Nat.eqb_neq in Hne. rewrite Hne in Hleg. apply Nat.leb_le in Hleg.
        pose proof (q_le_m w x Hsh Lx). fold q m in H. lia.
    - apply Hin; [| exact Hne]. unfold y. rewrite <- (nth_firstn_lt i (n_ctx w - 1) x 0%nat) by lia.
      apply nth_In. rewrite firstn_length, Lx. lia. }
  unfold Rs, mains, main_rows, posl in Hcase. rewrite !nth_seq_map in Hcase by exact Hq.
  apply (subcubic_input_correct w x s h Hsh Lx Tx Hs Hh Hn2 g Hgap). exact Hcase.
Qed.
