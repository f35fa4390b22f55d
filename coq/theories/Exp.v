(** * A proved enclosure of the exponential

    The twin of [exp_nonpos] and [exp_interval] in [pyverify/exact/fixed.py]: for [x <= 0],
    [exp_nonpos x] is an interval containing [e^(x / 2^prec)] (as a fixed-point number). The
    argument is halved [r] times to [u = -x / 2^(prec + r) <= 1/2], [e^-u] is enclosed by the
    alternating Taylor series (partial sums ending on an odd term are below it, ending on an
    even term above, because the terms [u^j / j!] decrease), each term carried as a lower and
    an upper integer bound at [W = prec + exp_guard + r] bits, and the result is squared back
    [r] times, rounding down and up. *)

From Coq Require Import Bool Reals ZArith Lia Lra Psatz.
From PyVerify Require Import Fixed.
Open Scope Z_scope.

(** Extra bits carried inside exp, and the number of Taylor terms [j = 0 .. 13]
    (Python: [EXP_GUARD], [EXP_TERMS]). *)
Definition exp_guard : Z := 24.
Definition exp_terms : nat := 14.

(** The least [r] (searched from [r], with [fuel] steps) with [m <= 2^(prec + r - 1)]
    (Python: [halvings], of [-m]). *)
Fixpoint halvings_from (fuel : nat) (r m : Z) : Z :=
  match fuel with
  | O => r
  | S f => if m <=? 2 ^ (prec + r - 1) then r else halvings_from f (r + 1) m
  end.

Definition halvings (m : Z) : Z := halvings_from 64 0 m.

(** One Taylor step [j >= 1] at [W] bits on the state (t_lo, t_hi, lo, hi): the term's bounds
    are multiplied by [y / (j 2^W)], rounding down and up; even terms are added, odd terms
    subtracted (the upper sum skips the last, odd, term). *)
Definition taylor_step (W y : Z) (j : nat) (st : Z * Z * Z * Z) : Z * Z * Z * Z :=
  let '(t_lo, t_hi, lo, hi) := st in
  let t_lo' := (t_lo * y) / (Z.of_nat j * 2 ^ W) in
  let t_hi' := - ((- (t_hi * y)) / (Z.of_nat j * 2 ^ W)) in
  if Nat.even j then (t_lo', t_hi', lo + t_lo', hi + t_hi')
  else (t_lo', t_hi', lo - t_hi', if (j <? exp_terms - 1)%nat then hi - t_lo' else hi).

(** Taylor steps [j = 1 .. k] (Python: the loop [for j in range(1, EXP_TERMS)]). *)
Fixpoint taylor (W y : Z) (k : nat) : Z * Z * Z * Z :=
  match k with
  | O => (2 ^ W, 2 ^ W, 2 ^ W, 2 ^ W)
  | S j => taylor_step W y (S j) (taylor W y j)
  end.

(** Square both bounds [r] times at [W] bits, rounding down and up. *)
Fixpoint square_back (W : Z) (r : nat) (b : Z * Z) : Z * Z :=
  match r with
  | O => b
  | S k => let '(lo, hi) := square_back W k b in (floor_shift (lo * lo) W, ceil_shift (hi * hi) W)
  end.

(** An interval containing [e^(x / 2^prec)] for [x <= 0] (Python: [exp_nonpos]). *)
Definition exp_nonpos (x : Z) : ival :=
  if x <=? - ((prec + 1) * 2 ^ prec) then (0, 1)
  else
    let r := halvings (- x) in
    let W := prec + exp_guard + r in
    let y := (- x) * 2 ^ exp_guard in
    let '(_, _, lo, hi) := taylor W y (exp_terms - 1) in
    let '(lo', hi') := square_back W (Z.to_nat r) (Z.max lo 0, hi) in
    round_out lo' hi' (W - prec).

(** ** Proofs *)

Lemma halvings_from_spec (fuel : nat) (r m : Z) :
  0 <= r -> m <= 2 ^ (prec + r + Z.of_nat fuel - 1) ->
  r <= halvings_from fuel r m /\ m <= 2 ^ (prec + halvings_from fuel r m - 1).
Proof.
  revert r. induction fuel as [| f IH]; intros r Hr Hm.
  - cbn [halvings_from]. split; [lia |]. now replace (prec + r - 1) with (prec + r + Z.of_nat 0 - 1) by lia.
  - cbn [halvings_from]. destruct (m <=? 2 ^ (prec + r - 1)) eqn:E.
    + split; [lia | now apply Z.leb_le].
    + destruct (IH (r + 1)) as [H1 H2]; [lia | |].
      * now replace (prec + (r + 1) + Z.of_nat f - 1) with (prec + r + Z.of_nat (S f) - 1) by lia.
      * split; [lia | exact H2].
Qed.

Lemma halvings_spec (m : Z) :
  m <= (prec + 1) * 2 ^ prec -> 0 <= halvings m /\ m <= 2 ^ (prec + halvings m - 1).
Proof.
  intros Hm. unfold halvings. destruct (halvings_from_spec 64 0 m) as [H1 H2]; [lia | | lia].
  eapply Z.le_trans; [exact Hm |]. unfold prec. vm_compute. discriminate.
Qed.

Open Scope R_scope.

(** The Taylor terms [u^j / j!], and their alternating partial sums. *)
Definition term (u : R) (j : nat) : R := u ^ j / INR (fact j).
Definition partial (u : R) (k : nat) : R := sum_f_R0 (tg_alt (term u)) k.

Lemma term_succ (u : R) (j : nat) : term u (S j) = term u j * u / INR (S j).
Proof.
  unfold term. rewrite fact_simpl, mult_INR. simpl pow.
  pose proof (INR_fact_neq_0 j). pose proof (pos_INR j). rewrite S_INR. field. split; lra.
Qed.

Lemma term_nonneg (u : R) (j : nat) : 0 <= u -> 0 <= term u j.
Proof.
  intros. unfold term. apply Rmult_le_pos; [now apply pow_le |].
  left. apply Rinv_0_lt_compat, INR_fact_lt_0.
Qed.

Lemma partial_succ (u : R) (k : nat) :
  partial u (S k) = partial u k + (if Nat.even (S k) then term u (S k) else - term u (S k)).
Proof.
  unfold partial. simpl sum_f_R0 at 1. f_equal. unfold tg_alt.
  destruct (Nat.even (S k)) eqn:E.
  - apply Nat.even_spec in E. destruct E as [h Eh]. rewrite Eh, pow_1_even. ring.
  - assert (O : Nat.Odd (S k)) by (apply Nat.odd_spec; unfold Nat.odd; now rewrite E).
    destruct O as [h Eh]. rewrite Eh. replace (2 * h + 1)%nat with (S (2 * h)) by lia.
    rewrite pow_1_odd. ring.
Qed.

(** For [0 <= u <= 1], [e^-u] lies between the partial sums ending on terms 13 and 12. *)
Lemma exp_alternating (u : R) : 0 <= u <= 1 -> partial u 13 <= exp (- u) <= partial u 12.
Proof.
  intros Hu.
  apply (alternated_series_ineq (term u) (exp (- u)) 6).
  - intros j. rewrite term_succ. pose proof (term_nonneg u j (proj1 Hu)).
    pose proof (pos_INR j). rewrite S_INR.
    apply Rle_trans with (term u j * 1 / 1); [| lra].
    unfold Rdiv. apply Rmult_le_compat; [nra | left; apply Rinv_0_lt_compat; lra | nra |].
    apply Rinv_le_contravar; lra.
  - exact (cv_speed_pow_fact u).
  - pose proof (proj2_sig (exist_exp (- u))) as H. change (proj1_sig (exist_exp (- u))) with (exp (- u)) in H.
    intros eps Heps. destruct (H eps Heps) as [N HN]. exists N. intros k Hk.
    replace (sum_f_R0 (tg_alt (term u)) k) with (sum_f_R0 (fun i => / INR (fact i) * (- u) ^ i) k).
    + exact (HN k Hk).
    + apply sum_eq. intros i _. unfold tg_alt, term.
      replace (- u) with (-1 * u) by ring. rewrite Rpow_mult_distr. unfold Rdiv. ring.
Qed.

(** Integer division rounds down, and its negated form up. *)
Lemma div_floor_le (a d : Z) : (0 < d)%Z -> IZR (a / d) * IZR d <= IZR a.
Proof. intros. rewrite <- mult_IZR. apply IZR_le. rewrite Z.mul_comm. apply Z.mul_div_le. lia. Qed.

Lemma div_ceil_ge (a d : Z) : (0 < d)%Z -> IZR a <= IZR (- ((- a) / d)) * IZR d.
Proof.
  intros Hd. rewrite <- mult_IZR. apply IZR_le. pose proof (Z.mul_div_le (- a) d Hd). lia.
Qed.

(** The Taylor loop's invariant after [k] steps: the term's bounds enclose [2^W u^k / k!]
    (the lower one non-negative), the lower sum is below [2^W] times the partial sum, and the
    upper sum is above it (up to term 12: the loop leaves out term 13 there). *)
Lemma taylor_spec (W y : Z) (u : R) (k : nat) :
  (0 <= W)%Z -> (0 <= y)%Z -> IZR y = u * IZR (2 ^ W) -> (k <= 13)%nat ->
  let '(tl, th, lo, hi) := taylor W y k in
  (0 <= tl)%Z /\ IZR tl <= IZR (2 ^ W) * term u k <= IZR th /\
  IZR lo <= IZR (2 ^ W) * partial u k /\ IZR (2 ^ W) * partial u (Nat.min k 12) <= IZR hi.
Proof.
  intros HW Hy Hyu. pose proof (IZR_pow2_pos W HW) as Ps. set (s := IZR (2 ^ W)) in *.
  assert (Hu : 0 <= u).
  { apply (Rmult_le_reg_r s); [exact Ps |]. rewrite Rmult_0_l, <- Hyu. now apply IZR_le. }
  induction k as [| k IH]; intros Hk.
  - cbn [taylor]. unfold partial, term. simpl. fold s.
    split; [apply Z.lt_le_incl, pow2_pos; exact HW |]. repeat split; unfold tg_alt; simpl; lra.
  - cbn [taylor]. specialize (IH ltac:(lia)). destruct (taylor W y k) as [[[tl th] lo] hi].
    destruct IH as [Tl0 [[Tl Th] [Lo Hi]]].
    set (D := (Z.of_nat (S k) * 2 ^ W)%Z).
    assert (PD : (0 < D)%Z) by (unfold D; pose proof (pow2_pos W HW); lia).
    assert (ED : IZR D = INR (S k) * s) by (unfold D; rewrite mult_IZR, <- INR_IZR_INZ; reflexivity).
    assert (Pk : 0 < INR (S k)) by (apply lt_0_INR; lia).
    assert (Tnext : s * term u (S k) = s * term u k * u / INR (S k)) by (rewrite term_succ; field; lra).
    pose proof (term_nonneg u (S k) Hu) as Tn.
    (* the new term's bounds *)
    assert (L1 : IZR ((tl * y) / D) <= s * term u (S k)).
    { pose proof (div_floor_le (tl * y) D PD) as F. rewrite mult_IZR, ED in F. rewrite Tnext.
      apply (Rmult_le_reg_r (INR (S k) * s)); [nra |].
      apply Rle_trans with (IZR tl * IZR y); [exact F |]. rewrite Hyu.
      replace (s * term u k * u / INR (S k) * (INR (S k) * s)) with (s * term u k * (u * s)) by (field; lra).
      apply Rmult_le_compat_r; [nra | exact Tl]. }
    assert (L2 : s * term u (S k) <= IZR (- ((- (th * y)) / D))).
    { pose proof (div_ceil_ge (th * y) D PD) as C. rewrite mult_IZR, ED in C. rewrite Tnext.
      apply (Rmult_le_reg_r (INR (S k) * s)); [nra |].
      apply Rle_trans with (IZR th * IZR y); [| exact C]. rewrite Hyu.
      replace (s * term u k * u / INR (S k) * (INR (S k) * s)) with (s * term u k * (u * s)) by (field; lra).
      apply Rmult_le_compat_r; [nra | exact Th]. }
    assert (L0 : (0 <= (tl * y) / D)%Z) by (apply Z.div_pos; [nia | lia]).
    unfold taylor_step. fold D. destruct (Nat.even (S k)) eqn:Ev; cbn beta iota.
    + (* an even term is added *)
      assert (PS : partial u (S k) = partial u k + term u (S k)) by (rewrite partial_succ, Ev; reflexivity).
      assert (Mk : Nat.min (S k) 12 = S k).
      { apply Nat.min_l. destruct (Nat.eq_dec k 12) as [->|]; [discriminate | lia]. }
      rewrite Nat.min_l in Hi by lia.
      rewrite Mk, PS, !plus_IZR. repeat split; try lia; lra.
    + (* an odd term is subtracted; the upper sum skips term 13 *)
      assert (PS : partial u (S k) = partial u k - term u (S k)) by (rewrite partial_succ, Ev; ring).
      destruct (S k <? exp_terms - 1)%nat eqn:Last.
      * apply Nat.ltb_lt in Last. unfold exp_terms in Last.
        rewrite Nat.min_l in Hi by lia. rewrite Nat.min_l by lia.
        rewrite PS, !minus_IZR. repeat split; try lia; lra.
      * apply Nat.ltb_ge in Last. unfold exp_terms in Last.
        assert (k = 12)%nat by lia. subst k.
        rewrite PS, minus_IZR. repeat split; try lia; try lra. exact Hi.
Qed.

Lemma exp_pow (x : R) (k : nat) : exp x ^ k = exp (INR k * x).
Proof.
  induction k as [| k IH]; [simpl; rewrite Rmult_0_l, exp_0; reflexivity |].
  rewrite S_INR, <- tech_pow_Rmult, IH, <- exp_plus. f_equal. ring.
Qed.

(** Squaring both bounds [r] times keeps an enclosure of [2^W a^(2^r)] for [a > 0]. *)
Lemma square_back_spec (W : Z) (r : nat) (L H : Z) (a : R) :
  (0 <= W)%Z -> (0 <= L)%Z -> 0 < a -> IZR L <= IZR (2 ^ W) * a <= IZR H ->
  let '(lo, hi) := square_back W r (L, H) in
  (0 <= lo)%Z /\ IZR lo <= IZR (2 ^ W) * a ^ (2 ^ r) <= IZR hi.
Proof.
  intros HW HL Ha Hb. pose proof (IZR_pow2_pos W HW) as Ps. set (s := IZR (2 ^ W)) in *.
  induction r as [| k IH].
  - cbn [square_back]. replace (a ^ (2 ^ 0)) with a by (simpl; ring). tauto.
  - cbn [square_back]. destruct (square_back W k (L, H)) as [lo hi].
    destruct IH as [Lo0 [Lo Hi]].
    set (A := a ^ (2 ^ k)) in *.
    assert (PA : 0 < A) by (apply pow_lt; exact Ha).
    assert (E : a ^ (2 ^ S k) = A * A).
    { unfold A. replace (2 ^ S k)%nat with (2 ^ k * 2)%nat by (simpl; lia). rewrite pow_mult. ring. }
    rewrite E.
    pose proof (IZR_le _ _ (floor_shift_le (lo * lo) W HW)) as F. rewrite !mult_IZR in F. fold s in F.
    pose proof (IZR_le _ _ (ceil_shift_ge (hi * hi) W HW)) as C. rewrite !mult_IZR in C. fold s in C.
    assert (Lo0' : 0 <= IZR lo) by (apply IZR_le; exact Lo0).
    split; [| split].
    + unfold floor_shift. apply Z.div_pos; [nia | apply pow2_pos; exact HW].
    + apply (Rmult_le_reg_r s); [exact Ps |].
      apply Rle_trans with (IZR lo * IZR lo); [exact F |].
      replace (s * (A * A) * s) with ((s * A) * (s * A)) by ring. apply Rmult_le_compat; lra.
    + apply (Rmult_le_reg_r s); [exact Ps |].
      apply Rle_trans with (IZR hi * IZR hi); [| exact C].
      replace (s * (A * A) * s) with ((s * A) * (s * A)) by ring. apply Rmult_le_compat; nra.
Qed.

(** [1 + t <= e^t] for [t >= 0], from the series: its partial sums grow towards [e^t].
    (The standard library's [exp_ineq1] and [exp_increasing] go through derivatives and the
    excluded middle; this file uses only the standard reals' axioms.) *)
Lemma exp_ge_1_plus (t : R) : 0 <= t -> 1 + t <= exp t.
Proof.
  intros Ht.
  pose proof (proj2_sig (exist_exp t)) as H. change (proj1_sig (exist_exp t)) with (exp t) in H.
  set (Un := sum_f_R0 (fun i => / INR (fact i) * t ^ i)).
  assert (G : Un_growing Un).
  { intros n. unfold Un. rewrite tech5. cbv beta.
    assert (0 <= / INR (fact (S n)) * t ^ S n); [| lra].
    apply Rmult_le_pos; [left; apply Rinv_0_lt_compat, INR_fact_lt_0 | now apply pow_le]. }
  assert (C : Un_cv Un (exp t)) by exact H.
  pose proof (growing_ineq Un (exp t) G C 1) as L.
  replace (Un 1%nat) with (1 + t) in L by (unfold Un; simpl; field). exact L.
Qed.

Lemma exp_le (a b : R) : a <= b -> exp a <= exp b.
Proof.
  intros Hab. replace (exp b) with (exp a * exp (b - a)) by (rewrite <- exp_plus; f_equal; ring).
  pose proof (exp_ge_1_plus (b - a) ltac:(lra)). pose proof (exp_pos a). nra.
Qed.

(** [e^-41 <= 2^-40]: the cut-off below which [exp_nonpos] returns [[0, 2^-40]]. *)
Lemma exp_cutoff : exp (- IZR (prec + 1)) <= / IZR (2 ^ prec).
Proof.
  assert (E1 : 2 <= exp 1) by (pose proof (exp_ge_1_plus 1 ltac:(lra)); lra).
  assert (Pow : 2 ^ 41 <= exp 1 ^ 41) by (apply pow_incr; lra).
  rewrite exp_pow in Pow. replace (INR 41 * 1) with (IZR (prec + 1)) in Pow by (unfold prec; simpl; ring).
  rewrite exp_Ropp. apply Rinv_le_contravar; [apply IZR_pow2_pos, prec_nonneg |].
  apply Rle_trans with (2 ^ 41); [| exact Pow].
  unfold prec. rewrite (pow_IZR 2 41). apply IZR_le. vm_compute. discriminate.
Qed.

(** The exp enclosure contains the real exponential (Python: [exp_nonpos]). *)
Theorem exp_nonpos_correct (x : Z) :
  (x <= 0)%Z -> contains (exp_nonpos x) (exp (IZR x / IZR (2 ^ prec))).
Proof.
  intros Hx. pose proof (IZR_pow2_pos prec prec_nonneg) as Pp.
  unfold exp_nonpos. destruct (x <=? - ((prec + 1) * 2 ^ prec)) eqn:Big.
  - (* far below zero: [0, 2^-40] *)
    apply Z.leb_le in Big. unfold contains, fx. cbn [fst snd].
    split; [unfold Rdiv; rewrite Rmult_0_l; left; apply exp_pos |].
    apply Rle_trans with (exp (- IZR (prec + 1))).
    + apply exp_le. apply (Rmult_le_reg_r (IZR (2 ^ prec))); [exact Pp |].
      unfold Rdiv. rewrite Rmult_assoc, Rinv_l, Rmult_1_r by lra.
      rewrite <- Ropp_mult_distr_l, <- mult_IZR, <- opp_IZR. apply IZR_le. lia.
    + replace (IZR 1 / IZR (2 ^ prec)) with (/ IZR (2 ^ prec)) by (field; lra). exact exp_cutoff.
  - apply Z.leb_gt in Big.
    destruct (halvings_spec (- x) ltac:(lia)) as [Hr Hm].
    set (r := halvings (- x)) in *.
    set (W := (prec + exp_guard + r)%Z).
    assert (HW : (0 <= W)%Z) by (unfold W, prec, exp_guard; lia).
    pose proof (IZR_pow2_pos W HW) as Ps.
    pose proof (IZR_pow2_pos (prec + r) ltac:(unfold prec; lia)) as Ppr.
    set (u := IZR (- x) / IZR (2 ^ (prec + r))).
    assert (Hu : 0 <= u <= 1).
    { unfold u. split.
      - unfold Rdiv. apply Rmult_le_pos; [apply IZR_le; lia | left; apply Rinv_0_lt_compat; lra].
      - apply (Rmult_le_reg_r (IZR (2 ^ (prec + r)))); [exact Ppr |].
        unfold Rdiv. rewrite Rmult_assoc, Rinv_l, Rmult_1_r, Rmult_1_l by lra.
        apply IZR_le. eapply Z.le_trans; [exact Hm |]. apply Z.pow_le_mono_r; lia. }
    assert (Hy : IZR (- x * 2 ^ exp_guard) = u * IZR (2 ^ W)).
    { unfold u, W. rewrite mult_IZR.
      replace (prec + exp_guard + r)%Z with ((prec + r) + exp_guard)%Z by lia.
      rewrite (Z.pow_add_r 2 (prec + r) exp_guard), (mult_IZR (2 ^ (prec + r))) by (unfold prec, exp_guard; lia).
      field. lra. }
    pose proof (taylor_spec W (- x * 2 ^ exp_guard) u 13 HW
                  ltac:(apply Z.mul_nonneg_nonneg; [lia | apply Z.lt_le_incl, pow2_pos; unfold exp_guard; lia])
                  Hy ltac:(lia)) as T.
    change (exp_terms - 1)%nat with 13%nat.
    destruct (taylor W (- x * 2 ^ exp_guard) 13) as [[[tl th] lo] hi].
    destruct T as [_ [_ [Lo Hi]]]. change (Nat.min 13 12) with 12%nat in Hi.
    destruct (exp_alternating u Hu) as [A13 A12].
    pose proof (exp_pos (- u)) as Pe.
    assert (Start : IZR (Z.max lo 0) <= IZR (2 ^ W) * exp (- u) <= IZR hi).
    { split; [| nra]. destruct (Z.max_spec lo 0) as [[_ ->] | [_ ->]]; [nra | simpl; nra]. }
    pose proof (square_back_spec W (Z.to_nat r) (Z.max lo 0) hi (exp (- u)) HW ltac:(lia) Pe Start) as Sq.
    destruct (square_back W (Z.to_nat r) (Z.max lo 0, hi)) as [lo' hi'].
    destruct Sq as [_ [Lo' Hi']].
    (* (e^-u)^(2^r) = e^(x / 2^prec) *)
    rewrite exp_pow, pow_INR in Lo', Hi'. replace (INR 2) with 2 in Lo', Hi' by (simpl; ring).
    assert (E : 2 ^ Z.to_nat r * - u = IZR x / IZR (2 ^ prec)).
    { unfold u. rewrite pow_IZR, Z2Nat.id by lia.
      rewrite Z.pow_add_r, mult_IZR by (unfold prec; lia). rewrite opp_IZR.
      pose proof (IZR_pow2_pos r Hr). field. split; lra. }
    rewrite E in Lo', Hi'.
    apply round_out_correct; [unfold W, exp_guard; lia |].
    replace (prec + (W - prec))%Z with W by lia. lra.
Qed.

(** [exp] of an interval (Python: [exp_interval]): exp is increasing, so the enclosure of
    the lower end's lower bound and the upper end's upper bound contains [exp] of every point.
    A positive end gets a crude but sound bound: [1] below, and [4^(floor t + 1)] above. *)
Definition exp_upper_pos (x : Z) : Z := (2 ^ (prec + 2 * (x / 2 ^ prec + 1)))%Z.

Definition exp_interval (a : ival) : ival :=
  ((if fst a <=? 0 then fst (exp_nonpos (fst a)) else 2 ^ prec)%Z,
   (if snd a <=? 0 then snd (exp_nonpos (snd a)) else exp_upper_pos (snd a))%Z).

(** The largest upper end of a list of intervals, and [exp] of each interval shifted down by
    [shift] (Python: [max_hi], [exp_shifted]): the checkers take exp relative to the largest
    score. *)
Definition max_hi (xs : list ival) : Z :=
  match xs with
  | nil => 0%Z
  | cons x rest => List.fold_left (fun acc y => Z.max acc (snd y)) rest (snd x)
  end.
Definition exp_shifted (shift : Z) (xs : list ival) : list ival :=
  List.map (fun x => exp_interval ((fst x - shift)%Z, (snd x - shift)%Z)) xs.

(** [e <= 4]: the crude bound for a positive argument rests on it. *)
Lemma exp_upper_pos_correct (x : Z) :
  (0 < x)%Z -> exp (IZR x / IZR (2 ^ prec)) <= fx (exp_upper_pos x).
Proof.
  intros Hx. pose proof (IZR_pow2_pos prec prec_nonneg) as Pp.
  set (q := (x / 2 ^ prec)%Z).
  assert (Hq : (0 <= q)%Z) by (apply Z.div_pos; [lia | apply pow2_pos, prec_nonneg]).
  assert (Below : IZR x / IZR (2 ^ prec) <= IZR (q + 1)).
  { apply (Rmult_le_reg_r (IZR (2 ^ prec))); [exact Pp |].
    unfold Rdiv. rewrite Rmult_assoc, Rinv_l, Rmult_1_r by lra. rewrite <- mult_IZR. apply IZR_le.
    pose proof (pow2_pos prec prec_nonneg) as P0.
    pose proof (Z.div_mod x (2 ^ prec) ltac:(lia)) as D.
    pose proof (Z.mod_pos_bound x (2 ^ prec) P0) as B.
    unfold q. revert D B P0. generalize (2 ^ prec)%Z (x / 2 ^ prec)%Z (x mod 2 ^ prec)%Z.
    intros p d r D B P0. rewrite D. lia. }
  apply Rle_trans with (exp (IZR (q + 1))); [now apply exp_le |].
  unfold fx, exp_upper_pos. fold q.
  rewrite Z.pow_add_r, mult_IZR by (pose proof prec_nonneg; lia).
  replace (IZR (2 ^ prec) * IZR (2 ^ (2 * (q + 1))) / IZR (2 ^ prec)) with (IZR (2 ^ (2 * (q + 1)))) by (field; lra).
  rewrite <- (Z2Nat.id (q + 1)) by lia. set (k := Z.to_nat (q + 1)).
  rewrite <- INR_IZR_INZ, <- (Rmult_1_r (INR k)), <- exp_pow.
  replace (2 * Z.of_nat k)%Z with (Z.of_nat (2 * k)) by lia. rewrite <- pow_IZR.
  rewrite pow_mult. apply pow_incr. split; [left; apply exp_pos |].
  pose proof exp_le_3. simpl. lra.
Qed.

(** [exp_interval] encloses [exp] of every point of its argument interval. *)
Theorem exp_interval_correct (a : ival) (t : R) : contains a t -> contains (exp_interval a) (exp t).
Proof.
  intros [H1 H2]. pose proof (IZR_pow2_pos prec prec_nonneg) as Pp.
  unfold fx in H1, H2. unfold exp_interval, contains. cbn [fst snd]. split.
  - destruct (fst a <=? 0)%Z eqn:E.
    + apply Z.leb_le in E. destruct (exp_nonpos_correct (fst a) E) as [L _].
      apply Rle_trans with (exp (IZR (fst a) / IZR (2 ^ prec))); [exact L | now apply exp_le].
    + apply Z.leb_gt in E. unfold fx. replace (IZR (2 ^ prec) / IZR (2 ^ prec)) with 1 by (field; lra).
      rewrite <- exp_0. apply exp_le. apply Rle_trans with (IZR (fst a) / IZR (2 ^ prec)); [| exact H1].
      unfold Rdiv. apply Rmult_le_pos; [apply IZR_le; lia | left; apply Rinv_0_lt_compat; lra].
  - destruct (snd a <=? 0)%Z eqn:E.
    + apply Z.leb_le in E. destruct (exp_nonpos_correct (snd a) E) as [_ U].
      apply Rle_trans with (exp (IZR (snd a) / IZR (2 ^ prec))); [now apply exp_le | exact U].
    + apply Z.leb_gt in E. apply Rle_trans with (exp (IZR (snd a) / IZR (2 ^ prec))); [now apply exp_le |].
      now apply exp_upper_pos_correct.
Qed.
