(** * Fixed-point intervals with outward rounding

    The twin of [pyverify/exact/fixed.py]: a fixed-point number is an integer [X] meaning
    [X / 2^prec]; an interval is a pair [(lo, hi)]. Each operation is proved to round
    outward: if the arguments' intervals contain reals [x] and [y], the result contains the
    exact result. *)

From Coq Require Import Bool Reals ZArith Lia Lra Psatz.
Open Scope Z_scope.

(** Fractional bits of every fixed-point number (Python: [PREC]). *)
Definition prec : Z := 40.

Definition ival : Type := (Z * Z)%type.

(** [floor(x / 2^k)] and [ceil(x / 2^k)] (Python: [floor_shift], [ceil_shift]). [Z.div]
    rounds towards minus infinity. *)
Definition floor_shift (x k : Z) : Z := x / 2 ^ k.
Definition ceil_shift (x k : Z) : Z := - ((- x) / 2 ^ k).

(** The real value of a fixed-point number, and interval membership. *)
Definition fx (X : Z) : R := (IZR X / IZR (2 ^ prec))%R.
Definition contains (a : ival) (r : R) : Prop := (fx (fst a) <= r <= fx (snd a))%R.

(** [[lo, hi] / 2^k], rounded outward (Python: [round_out]). *)
Definition round_out (lo hi k : Z) : ival := (floor_shift lo k, ceil_shift hi k).

(** Sum (Python: [add]). *)
Definition add (a b : ival) : ival := (fst a + fst b, snd a + snd b).

(** Shifting an interval by an integer shifts what it contains. *)
Lemma contains_sub (a : ival) (k : Z) (r : R) :
  contains a r -> contains (fst a - k, snd a - k) (r - fx k).
Proof.
  assert (E : forall u v, fx (u - v) = (fx u - fx v)%R) by (intros; unfold fx; rewrite minus_IZR; unfold Rdiv; ring).
  unfold contains. cbn [fst snd]. rewrite !E. lra.
Qed.

(** Product, rounded back to [prec] fractional bits, outward (Python: [mul]). *)
Definition mul (a b : ival) : ival :=
  let p1 := fst a * fst b in let p2 := fst a * snd b in
  let p3 := snd a * fst b in let p4 := snd a * snd b in
  round_out (Z.min (Z.min p1 p2) (Z.min p3 p4)) (Z.max (Z.max p1 p2) (Z.max p3 p4)) prec.

(** The upper end of [mul a b] when [a >= 0] (Python: [mul_hi_nonneg]). *)
Definition mul_hi_nonneg (a b : ival) : Z :=
  if 0 <=? snd b then ceil_shift (snd a * snd b) prec else ceil_shift (fst a * snd b) prec.

(** [raw / 2^bits] in fixed point, rounded outward (Python: [from_scaled]). *)
Definition from_scaled (raw bits : Z) : ival :=
  if prec <=? bits then (floor_shift raw (bits - prec), ceil_shift raw (bits - prec))
  else (raw * 2 ^ (prec - bits), raw * 2 ^ (prec - bits)).

(** ** Rounding lemmas *)

Lemma pow2_pos (k : Z) : 0 <= k -> 0 < 2 ^ k.
Proof. intros. apply Z.pow_pos_nonneg; lia. Qed.

Lemma IZR_pow2_pos (k : Z) : 0 <= k -> (0 < IZR (2 ^ k))%R.
Proof. intros. apply IZR_lt. now apply pow2_pos. Qed.

Lemma floor_shift_le (x k : Z) : 0 <= k -> floor_shift x k * 2 ^ k <= x.
Proof.
  intros Hk. unfold floor_shift. pose proof (pow2_pos k Hk).
  rewrite Z.mul_comm. apply Z.mul_div_le. lia.
Qed.

Lemma ceil_shift_ge (x k : Z) : 0 <= k -> x <= ceil_shift x k * 2 ^ k.
Proof.
  intros Hk. unfold ceil_shift. pose proof (floor_shift_le (- x) k Hk) as H.
  unfold floor_shift in H. lia.
Qed.

Lemma prec_nonneg : 0 <= prec.
Proof. unfold prec. lia. Qed.

(** If [r * 2^(prec + k)] lies in [[lo, hi]], then [round_out lo hi k] contains [r]. *)
Lemma round_out_correct (lo hi k : Z) (r : R) :
  0 <= k ->
  (IZR lo <= r * IZR (2 ^ (prec + k)) <= IZR hi)%R ->
  contains (round_out lo hi k) r.
Proof.
  intros Hk [Hlo Hhi]. unfold contains, round_out, fx. simpl.
  pose proof (IZR_pow2_pos prec prec_nonneg) as Pp.
  pose proof (IZR_pow2_pos k Hk) as Pk.
  rewrite Z.pow_add_r, mult_IZR in Hlo, Hhi by (pose proof prec_nonneg; lia).
  pose proof (IZR_le _ _ (floor_shift_le lo k Hk)) as F. rewrite mult_IZR in F.
  pose proof (IZR_le _ _ (ceil_shift_ge hi k Hk)) as C. rewrite mult_IZR in C.
  split.
  - apply (Rmult_le_reg_r (IZR (2 ^ prec))); [exact Pp |].
    unfold Rdiv. rewrite Rmult_assoc, Rinv_l, Rmult_1_r by lra.
    apply (Rmult_le_reg_r (IZR (2 ^ k))); [exact Pk |]. nra.
  - apply (Rmult_le_reg_r (IZR (2 ^ prec))); [exact Pp |].
    unfold Rdiv. rewrite Rmult_assoc, Rinv_l, Rmult_1_r by lra.
    apply (Rmult_le_reg_r (IZR (2 ^ k))); [exact Pk |]. nra.
Qed.

Lemma add_correct (a b : ival) (x y : R) :
  contains a x -> contains b y -> contains (add a b) (x + y).
Proof.
  unfold contains, add, fx. simpl. rewrite !plus_IZR.
  pose proof (IZR_pow2_pos prec prec_nonneg). intros [] []. unfold Rdiv in *.
  rewrite !Rmult_plus_distr_r. lra.
Qed.

(** A real product lies between the smallest and the largest product of interval ends. *)
Lemma lin_between (c u v t : R) :
  (u <= t <= v)%R -> (Rmin (u * c) (v * c) <= t * c <= Rmax (u * c) (v * c))%R.
Proof.
  intros [H1 H2]. unfold Rmin, Rmax.
  destruct (Rle_dec (u * c) (v * c)); destruct (Rle_dec 0 c); split; nra.
Qed.

Lemma bilinear_between (a1 a2 b1 b2 x y : R) :
  (a1 <= x <= a2)%R -> (b1 <= y <= b2)%R ->
  (Rmin (Rmin (a1 * b1) (a1 * b2)) (Rmin (a2 * b1) (a2 * b2)) <= x * y
   <= Rmax (Rmax (a1 * b1) (a1 * b2)) (Rmax (a2 * b1) (a2 * b2)))%R.
Proof.
  intros Hx Hy.
  pose proof (lin_between x b1 b2 y Hy) as Hxy.
  pose proof (lin_between b1 a1 a2 x Hx) as H1.
  pose proof (lin_between b2 a1 a2 x Hx) as H2.
  rewrite (Rmult_comm y x), (Rmult_comm b1 x), (Rmult_comm b2 x) in Hxy.
  revert Hxy H1 H2.
  generalize (x * y)%R (x * b1)%R (x * b2)%R (a1 * b1)%R (a1 * b2)%R (a2 * b1)%R (a2 * b2)%R.
  intros p q1 q2 r11 r12 r21 r22 Hxy H1 H2. unfold Rmin, Rmax in *.
  repeat match goal with
         | H : context [Rle_dec ?u ?v] |- _ => destruct (Rle_dec u v)
         | |- context [Rle_dec ?u ?v] => destruct (Rle_dec u v)
         end; lra.
Qed.

Lemma IZR_min (a b : Z) : IZR (Z.min a b) = Rmin (IZR a) (IZR b).
Proof.
  unfold Rmin. destruct (Rle_dec (IZR a) (IZR b)) as [H | H].
  - apply le_IZR in H. now rewrite Z.min_l.
  - assert (b <= a) by (apply le_IZR; lra). now rewrite Z.min_r.
Qed.

Lemma IZR_max (a b : Z) : IZR (Z.max a b) = Rmax (IZR a) (IZR b).
Proof.
  unfold Rmax. destruct (Rle_dec (IZR a) (IZR b)) as [H | H].
  - apply le_IZR in H. now rewrite Z.max_r.
  - assert (b <= a) by (apply le_IZR; lra). now rewrite Z.max_l.
Qed.

(** Scaled by [2^prec], a member of an interval lies between the interval's integer ends. *)
Lemma contains_scaled (a : ival) (x : R) :
  contains a x -> (IZR (fst a) <= x * IZR (2 ^ prec) <= IZR (snd a))%R.
Proof.
  unfold contains, fx. intros [H1 H2].
  assert (Ps : (0 < IZR (2 ^ prec))%R) by apply IZR_pow2_pos, prec_nonneg.
  unfold Rdiv in H1, H2. split.
  - apply (Rmult_le_reg_r (/ IZR (2 ^ prec))); [apply Rinv_0_lt_compat; lra |].
    rewrite Rmult_assoc, Rinv_r, Rmult_1_r by lra. exact H1.
  - apply (Rmult_le_reg_r (/ IZR (2 ^ prec))); [apply Rinv_0_lt_compat; lra |].
    rewrite Rmult_assoc, Rinv_r, Rmult_1_r by lra. exact H2.
Qed.

Lemma mul_correct (a b : ival) (x y : R) :
  contains a x -> contains b y -> contains (mul a b) (x * y).
Proof.
  intros Ha Hb. unfold mul. apply round_out_correct; [exact prec_nonneg |].
  pose proof (bilinear_between _ _ _ _ _ _ (contains_scaled a x Ha) (contains_scaled b y Hb)) as B.
  set (s := IZR (2 ^ prec)) in *.
  rewrite Z.pow_add_r by (unfold prec; lia). rewrite mult_IZR. fold s.
  rewrite !IZR_min, !IZR_max, !mult_IZR.
  replace (x * y * (s * s))%R with (x * s * (y * s))%R by ring. exact B.
Qed.

(** A product of two fixed-point numbers is at most its value rounded up. *)
Lemma ceil_product_ge (A B : Z) : (fx A * fx B <= fx (ceil_shift (A * B) prec))%R.
Proof.
  unfold fx. set (s := IZR (2 ^ prec)).
  assert (Ps : (0 < s)%R) by apply IZR_pow2_pos, prec_nonneg.
  pose proof (IZR_le _ _ (ceil_shift_ge (A * B) prec prec_nonneg)) as C.
  rewrite !mult_IZR in C. fold s in C.
  unfold Rdiv. apply (Rmult_le_reg_r (s * s)); [nra |].
  replace (IZR A * / s * (IZR B * / s) * (s * s))%R with (IZR A * IZR B)%R by (field; lra).
  replace (IZR (ceil_shift (A * B) prec) * / s * (s * s))%R
    with (IZR (ceil_shift (A * B) prec) * s)%R by (field; lra).
  exact C.
Qed.

Lemma mul_hi_nonneg_correct (a b : ival) (x y : R) :
  (0 <= x)%R -> contains a x -> (y <= fx (snd b))%R -> (x * y <= fx (mul_hi_nonneg a b))%R.
Proof.
  intros Hx0 [Hx1 Hx2] Hy. unfold mul_hi_nonneg.
  assert (Ps : (0 < IZR (2 ^ prec))%R) by apply IZR_pow2_pos, prec_nonneg.
  destruct (0 <=? snd b) eqn:E.
  - (* y <= b.hi with b.hi >= 0: x y <= x b.hi <= a.hi b.hi *)
    apply Z.leb_le in E.
    assert (B0 : (0 <= fx (snd b))%R).
    { unfold fx, Rdiv. apply Rmult_le_pos; [apply IZR_le; lia | left; apply Rinv_0_lt_compat; lra]. }
    apply Rle_trans with (fx (snd a) * fx (snd b))%R; [nra | apply ceil_product_ge].
  - (* b.hi < 0: x y <= x b.hi <= a.lo b.hi *)
    apply Z.leb_gt in E.
    assert (B0 : (fx (snd b) < 0)%R).
    { unfold fx, Rdiv. assert (IZR (snd b) < 0)%R by (apply IZR_lt; lia).
      assert (0 < / IZR (2 ^ prec))%R by (apply Rinv_0_lt_compat; lra). nra. }
    apply Rle_trans with (fx (fst a) * fx (snd b))%R; [nra | apply ceil_product_ge].
Qed.

Lemma from_scaled_correct (raw bits : Z) :
  0 <= bits -> contains (from_scaled raw bits) (IZR raw / IZR (2 ^ bits)).
Proof.
  intros Hb. unfold from_scaled. destruct (prec <=? bits) eqn:E.
  - apply Z.leb_le in E. apply round_out_correct; [lia |].
    replace (prec + (bits - prec)) with bits by lia.
    pose proof (IZR_pow2_pos bits Hb).
    unfold Rdiv. rewrite Rmult_assoc, Rinv_l, Rmult_1_r by lra. lra.
  - apply Z.leb_gt in E. unfold contains, fx. cbn [fst snd].
    assert (Hp : 2 ^ prec = 2 ^ (prec - bits) * 2 ^ bits).
    { rewrite <- Z.pow_add_r by lia. f_equal. lia. }
    rewrite Hp, !mult_IZR.
    pose proof (IZR_pow2_pos bits Hb). pose proof (IZR_pow2_pos (prec - bits) ltac:(lia)).
    split; right; field; lra.
Qed.

(** [raw / 2^bits] times the positive scale interval [s], rounded outward
    (Python: [scaled_score]). *)
Definition scaled_score (raw bits : Z) (s : ival) : ival :=
  let a := raw * fst s in let b := raw * snd s in
  if 0 <=? raw then round_out a b bits else round_out b a bits.

Lemma scaled_score_correct (raw bits : Z) (s : ival) (t : R) :
  0 <= bits -> contains s t -> contains (scaled_score raw bits s) (IZR raw / IZR (2 ^ bits) * t).
Proof.
  intros Hb [Hs1 Hs2]. unfold fx in Hs1, Hs2.
  pose proof (IZR_pow2_pos prec prec_nonneg) as Pp. pose proof (IZR_pow2_pos bits Hb) as Pb.
  assert (T1 : (IZR (fst s) <= t * IZR (2 ^ prec))%R).
  { apply (Rmult_le_reg_r (/ IZR (2 ^ prec))); [apply Rinv_0_lt_compat; lra |].
    rewrite Rmult_assoc, Rinv_r, Rmult_1_r by lra. exact Hs1. }
  assert (T2 : (t * IZR (2 ^ prec) <= IZR (snd s))%R).
  { apply (Rmult_le_reg_r (/ IZR (2 ^ prec))); [apply Rinv_0_lt_compat; lra |].
    rewrite Rmult_assoc, Rinv_r, Rmult_1_r by lra. exact Hs2. }
  assert (E : (IZR raw / IZR (2 ^ bits) * t * IZR (2 ^ (prec + bits)) = IZR raw * (t * IZR (2 ^ prec)))%R).
  { rewrite Z.pow_add_r, mult_IZR by (pose proof prec_nonneg; lia). field. lra. }
  unfold scaled_score. destruct (0 <=? raw) eqn:R0; apply round_out_correct; try exact Hb; rewrite E, !mult_IZR.
  - apply Z.leb_le, IZR_le in R0. split; apply Rmult_le_compat_l; lra.
  - apply Z.leb_gt, IZR_lt in R0. split; nra.
Qed.

(** Whether [s] encloses [2^prec / sqrt h] with both ends non-negative, checked by squaring:
    [lo^2 h <= 4^prec <= hi^2 h] (Python: [check_inv_sqrt]). *)
Definition check_inv_sqrt (h : Z) (s : ival) : bool :=
  (0 <=? fst s) && (0 <=? snd s) && (fst s * fst s * h <=? 2 ^ (2 * prec)) && (2 ^ (2 * prec) <=? snd s * snd s * h).

Lemma check_inv_sqrt_correct (h : Z) (s : ival) :
  0 < h -> check_inv_sqrt h s = true -> contains s (/ sqrt (IZR h)).
Proof.
  intros Hh C. unfold check_inv_sqrt in C.
  apply andb_prop in C as [C C4]. apply andb_prop in C as [C C3]. apply andb_prop in C as [C1 C2].
  apply Z.leb_le in C1, C2, C3, C4.
  set (lo := fst s) in *. set (hi := snd s) in *.
  assert (Ph : (0 < IZR h)%R) by (apply IZR_lt; lia).
  assert (Sh : (0 < sqrt (IZR h))%R) by (apply sqrt_lt_R0; lra).
  set (P := IZR (2 ^ prec)).
  assert (PP : (0 < P)%R) by apply IZR_pow2_pos, prec_nonneg.
  assert (Sq : (IZR (2 ^ (2 * prec)) = P * P)%R).
  { unfold P. rewrite <- mult_IZR, <- Z.pow_add_r by (pose proof prec_nonneg; lia).
    now replace (prec + prec) with (2 * prec) by lia. }
  assert (H2 : (sqrt (IZR h) * sqrt (IZR h) = IZR h)%R) by (apply sqrt_sqrt; lra).
  apply IZR_le in C1, C2. apply IZR_le in C3, C4. rewrite !mult_IZR, Sq in C3, C4.
  unfold contains, fx. fold lo hi P. split.
  - (* lo / P <= 1 / sqrt h, from (lo sqrt h)^2 <= P^2 *)
    assert (L : (IZR lo * sqrt (IZR h) <= P)%R).
    { apply Rsqr_incr_0_var; [| lra]. unfold Rsqr.
      replace (IZR lo * sqrt (IZR h) * (IZR lo * sqrt (IZR h)))%R
        with (IZR lo * IZR lo * (sqrt (IZR h) * sqrt (IZR h)))%R by ring.
      rewrite H2. lra. }
    apply (Rmult_le_reg_r (P * sqrt (IZR h))); [nra |].
    replace (IZR lo / P * (P * sqrt (IZR h)))%R with (IZR lo * sqrt (IZR h))%R by (field; lra).
    replace (/ sqrt (IZR h) * (P * sqrt (IZR h)))%R with P by (field; lra). exact L.
  - (* 1 / sqrt h <= hi / P, from P^2 <= (hi sqrt h)^2 *)
    assert (U : (P <= IZR hi * sqrt (IZR h))%R).
    { apply Rsqr_incr_0_var; [| nra]. unfold Rsqr.
      replace (IZR hi * sqrt (IZR h) * (IZR hi * sqrt (IZR h)))%R
        with (IZR hi * IZR hi * (sqrt (IZR h) * sqrt (IZR h)))%R by ring.
      rewrite H2. lra. }
    apply (Rmult_le_reg_r (P * sqrt (IZR h))); [nra |].
    replace (IZR hi / P * (P * sqrt (IZR h)))%R with (IZR hi * sqrt (IZR h))%R by (field; lra).
    replace (/ sqrt (IZR h) * (P * sqrt (IZR h)))%R with P by (field; lra). exact U.
Qed.
