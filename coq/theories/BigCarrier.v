(** * The BigZ carrier

    [vm_compute] on [Z] (binary lists) is slow; Bignums' [BigZ] (trees of 63-bit machine
    integers) is far faster (COQ.md). Module [Big] implements, on [BigZ] and with the same
    names, the fixed-point intervals of [Fixed.v] and the exp enclosure of [Exp.v]; each is
    proved to give the same integers as its [Z] original ([mul_big], [exp_interval_big], ...),
    and [BigCarrier] packs them as a [Carrier.carrier], so that the checkers of [Brute.v] and
    [Cubic.v] run on it unchanged. Two changes of form, each proved to give the same integers:
    powers of two and divisions by them are bit shifts ([pow2], [floor_shift]), and the Taylor
    step divides by [2^W] (a shift) before dividing by [j]. The tables are built once on [Z]
    and converted ([big_tables]). *)

From Coq Require Import Bool List ZArith Lia.
From Bignums Require Import BigZ.
From PyVerify Require Import Semantics Fixed Exp Tables Sums.
From PyVerify Require Carrier.
Import ListNotations.

Module Big.
Local Open Scope bigZ_scope.

Definition ival : Type := (bigZ * bigZ)%type.
Definition prec : bigZ := 40.
(** [2^k], and [x / 2^k] rounded down; [0] for [k < 0], as [Z.pow] and [Z.div] give. *)
Definition pow2 (k : bigZ) : bigZ := if 0 <=? k then BigZ.shiftl 1 k else 0.
Definition floor_shift (x k : bigZ) : bigZ := if 0 <=? k then BigZ.shiftr x k else 0.
Definition ceil_shift (x k : bigZ) : bigZ := - floor_shift (- x) k.
Definition round_out (lo hi k : bigZ) : ival := (floor_shift lo k, ceil_shift hi k).
Definition add (a b : ival) : ival := (fst a + fst b, snd a + snd b).
Definition mul (a b : ival) : ival :=
  let p1 := fst a * fst b in let p2 := fst a * snd b in
  let p3 := snd a * fst b in let p4 := snd a * snd b in
  round_out (BigZ.min (BigZ.min p1 p2) (BigZ.min p3 p4)) (BigZ.max (BigZ.max p1 p2) (BigZ.max p3 p4)) prec.
Definition mul_hi_nonneg (a b : ival) : bigZ :=
  if 0 <=? snd b then ceil_shift (snd a * snd b) prec else ceil_shift (fst a * snd b) prec.
Definition from_scaled (raw bits : bigZ) : ival :=
  if prec <=? bits then (floor_shift raw (bits - prec), ceil_shift raw (bits - prec))
  else (raw * pow2 (prec - bits), raw * pow2 (prec - bits)).
Definition scaled_score (raw bits : bigZ) (s : ival) : ival :=
  let a := raw * fst s in let b := raw * snd s in
  if 0 <=? raw then round_out a b bits else round_out b a bits.

Definition exp_guard : bigZ := 24.
Fixpoint halvings_from (fuel : nat) (r m : bigZ) : bigZ :=
  match fuel with
  | O => r
  | Datatypes.S f => if m <=? pow2 (prec + r - 1) then r else halvings_from f (r + 1) m
  end.
Definition halvings (m : bigZ) : bigZ := halvings_from 64 0 m.
Definition taylor_step (W y : bigZ) (j : nat) (st : bigZ * bigZ * bigZ * bigZ) : bigZ * bigZ * bigZ * bigZ :=
  let '(t_lo, t_hi, lo, hi) := st in
  let t_lo' := floor_shift (t_lo * y) W / BigZ.of_Z (Z.of_nat j) in
  let t_hi' := - (floor_shift (- (t_hi * y)) W / BigZ.of_Z (Z.of_nat j)) in
  if Nat.even j then (t_lo', t_hi', lo + t_lo', hi + t_hi')
  else (t_lo', t_hi', lo - t_hi', if (j <? exp_terms - 1)%nat then hi - t_lo' else hi).
Fixpoint taylor (W y : bigZ) (k : nat) : bigZ * bigZ * bigZ * bigZ :=
  match k with
  | O => let one := pow2 W in (one, one, one, one)
  | Datatypes.S j => taylor_step W y (Datatypes.S j) (taylor W y j)
  end.
Fixpoint square_back (W : bigZ) (r : nat) (b : bigZ * bigZ) : bigZ * bigZ :=
  match r with
  | O => b
  | Datatypes.S k => let '(lo, hi) := square_back W k b in (floor_shift (lo * lo) W, ceil_shift (hi * hi) W)
  end.
Definition exp_nonpos (x : bigZ) : ival :=
  if x <=? - ((prec + 1) * pow2 prec) then (0, 1)
  else
    let r := halvings (- x) in
    let W := prec + exp_guard + r in
    let y := (- x) * pow2 exp_guard in
    let '(_, _, lo, hi) := taylor W y (exp_terms - 1) in
    let '(lo', hi') := square_back W (Z.to_nat (BigZ.to_Z r)) (BigZ.max lo 0, hi) in
    round_out lo' hi' (W - prec).
Definition exp_upper_pos (x : bigZ) : bigZ := pow2 (prec + 2 * (floor_shift x prec + 1)).
Definition exp_interval (a : ival) : ival :=
  (if fst a <=? 0 then fst (exp_nonpos (fst a)) else pow2 prec,
   if snd a <=? 0 then snd (exp_nonpos (snd a)) else exp_upper_pos (snd a)).

Definition max_hi (xs : list ival) : bigZ :=
  match xs with
  | [] => 0
  | x :: rest => fold_left (fun acc y => BigZ.max acc (snd y)) rest (snd x)
  end.
Definition exp_shifted (shift : bigZ) (xs : list ival) : list ival :=
  map (fun x => exp_interval (fst x - shift, snd x - shift)) xs.

Record tables := { EUPU : list (list bigZ); EQKE : list (list bigZ); EQKP : list (list bigZ);
                   EVOU : list (list bigZ); PVOU : list (list bigZ) }.
Definition entry (M : list (list bigZ)) (i j : nat) : bigZ := nth j (nth i M []) 0.

End Big.

(** The tables and the scale on BigZ. *)
Definition big_matrix (M : list (list Z)) : list (list bigZ) := map (map BigZ.of_Z) M.
Definition big_tables (T : tables) : Big.tables :=
  {| Big.EUPU := big_matrix (EUPU T); Big.EQKE := big_matrix (EQKE T); Big.EQKP := big_matrix (EQKP T);
     Big.EVOU := big_matrix (EVOU T); Big.PVOU := big_matrix (PVOU T) |}.
Definition big_ival (a : ival) : Big.ival := (BigZ.of_Z (fst a), BigZ.of_Z (snd a)).

(** ** Every function agrees with its [Z] twin *)

Local Notation zi a := (BigZ.to_Z (fst a), BigZ.to_Z (snd a)).

Lemma to_Z_0 : BigZ.to_Z 0%bigZ = 0%Z. Proof. reflexivity. Qed.
Lemma to_Z_1 : BigZ.to_Z 1%bigZ = 1%Z. Proof. reflexivity. Qed.
Lemma to_Z_2 : BigZ.to_Z 2%bigZ = 2%Z. Proof. reflexivity. Qed.
Lemma to_Z_4 : BigZ.to_Z 4%bigZ = 4%Z. Proof. reflexivity. Qed.
Lemma to_Z_prec : BigZ.to_Z Big.prec = prec. Proof. reflexivity. Qed.
Lemma to_Z_guard : BigZ.to_Z Big.exp_guard = exp_guard. Proof. reflexivity. Qed.

Lemma pow2_big (k : bigZ) : BigZ.to_Z (Big.pow2 k) = (2 ^ BigZ.to_Z k)%Z.
Proof.
  unfold Big.pow2. rewrite BigZ.spec_leb, to_Z_0. destruct (Z.leb_spec 0 (BigZ.to_Z k)).
  - rewrite BigZ.spec_shiftl, Z.shiftl_mul_pow2, to_Z_1 by assumption. apply Z.mul_1_l.
  - rewrite Z.pow_neg_r by assumption. reflexivity.
Qed.

Lemma floor_shift_big (x k : bigZ) : BigZ.to_Z (Big.floor_shift x k) = floor_shift (BigZ.to_Z x) (BigZ.to_Z k).
Proof.
  unfold Big.floor_shift, floor_shift. rewrite BigZ.spec_leb, to_Z_0. destruct (Z.leb_spec 0 (BigZ.to_Z k)).
  - rewrite BigZ.spec_shiftr, Z.shiftr_div_pow2 by assumption. reflexivity.
  - rewrite Z.pow_neg_r, Zdiv_0_r by assumption. reflexivity.
Qed.

Lemma ceil_shift_big (x k : bigZ) : BigZ.to_Z (Big.ceil_shift x k) = ceil_shift (BigZ.to_Z x) (BigZ.to_Z k).
Proof. unfold Big.ceil_shift, ceil_shift. rewrite BigZ.spec_opp, floor_shift_big, BigZ.spec_opp. reflexivity. Qed.

(** Dividing by [2^W] and then by [j] is dividing by [j 2^W]. *)
Lemma shift_div (a W j : Z) : (0 < j)%Z -> (floor_shift a W / j = a / (j * 2 ^ W))%Z.
Proof.
  intros Hj. unfold floor_shift. destruct (Z.leb_spec 0 W).
  - rewrite Z.div_div by (try lia; apply Z.pow_pos_nonneg; lia). now rewrite Z.mul_comm.
  - rewrite Z.pow_neg_r, Z.mul_0_r, !Zdiv_0_r by assumption. apply Z.div_0_l. lia.
Qed.

Ltac bigz_step :=
  first [ rewrite BigZ.spec_add | rewrite BigZ.spec_sub | rewrite BigZ.spec_mul | rewrite BigZ.spec_div
        | rewrite BigZ.spec_opp | rewrite BigZ.spec_max | rewrite BigZ.spec_min | rewrite BigZ.spec_of_Z
        | rewrite BigZ.spec_leb
        | rewrite BigZ.spec_ltb | rewrite pow2_big | rewrite floor_shift_big | rewrite to_Z_0 | rewrite to_Z_1
        | rewrite to_Z_2 | rewrite to_Z_4 | rewrite to_Z_prec | rewrite to_Z_guard ].
Ltac bigz_step_in H :=
  first [ rewrite BigZ.spec_add in H | rewrite BigZ.spec_sub in H | rewrite BigZ.spec_mul in H
        | rewrite BigZ.spec_div in H | rewrite BigZ.spec_opp in H | rewrite BigZ.spec_max in H
        | rewrite BigZ.spec_of_Z in H | rewrite pow2_big in H | rewrite floor_shift_big in H
        | rewrite to_Z_0 in H | rewrite to_Z_1 in H | rewrite to_Z_2 in H | rewrite to_Z_4 in H
        | rewrite to_Z_prec in H | rewrite to_Z_guard in H ].
(** Rewrite every [BigZ.to_Z] of an operation into the [Z] operation. *)
Ltac bigz := repeat bigz_step.
Ltac bigz_all := bigz.
Ltac bigz_in H := repeat bigz_step_in H.

Lemma round_out_big (lo hi k : bigZ) :
  zi (Big.round_out lo hi k) = round_out (BigZ.to_Z lo) (BigZ.to_Z hi) (BigZ.to_Z k).
Proof. unfold Big.round_out, round_out. cbn [fst snd]. now rewrite floor_shift_big, ceil_shift_big. Qed.

Lemma add_big (a b : Big.ival) : zi (Big.add a b) = add (zi a) (zi b).
Proof. unfold Big.add, add. cbn [fst snd]. now bigz. Qed.

Lemma mul_big (a b : Big.ival) : zi (Big.mul a b) = mul (zi a) (zi b).
Proof. unfold Big.mul, mul. cbn [fst snd]. rewrite round_out_big. now bigz_all. Qed.

Lemma mul_hi_nonneg_big (a b : Big.ival) : BigZ.to_Z (Big.mul_hi_nonneg a b) = mul_hi_nonneg (zi a) (zi b).
Proof.
  unfold Big.mul_hi_nonneg, mul_hi_nonneg. cbn [fst snd]. bigz_all.
  destruct (0 <=? BigZ.to_Z (snd b))%Z; rewrite ceil_shift_big; now bigz_all.
Qed.

Lemma from_scaled_big (raw bits : bigZ) : zi (Big.from_scaled raw bits) = from_scaled (BigZ.to_Z raw) (BigZ.to_Z bits).
Proof.
  unfold Big.from_scaled, from_scaled. bigz_all.
  destruct (prec <=? BigZ.to_Z bits)%Z; cbn [fst snd]; rewrite ?floor_shift_big, ?ceil_shift_big; now bigz_all.
Qed.

Lemma scaled_score_big (raw bits : bigZ) (s : Big.ival) :
  zi (Big.scaled_score raw bits s) = scaled_score (BigZ.to_Z raw) (BigZ.to_Z bits) (zi s).
Proof.
  unfold Big.scaled_score, scaled_score. cbn [fst snd]. bigz_all.
  destruct (0 <=? BigZ.to_Z raw)%Z; rewrite round_out_big; now bigz_all.
Qed.

Lemma halvings_from_big (fuel : nat) (r m : bigZ) :
  BigZ.to_Z (Big.halvings_from fuel r m) = halvings_from fuel (BigZ.to_Z r) (BigZ.to_Z m).
Proof.
  revert r. induction fuel as [| f IH]; intros r; [reflexivity |]. cbn [Big.halvings_from halvings_from].
  bigz_all. destruct (BigZ.to_Z m <=? 2 ^ (prec + BigZ.to_Z r - 1))%Z; [reflexivity |].
  rewrite IH. now bigz_all.
Qed.

Lemma halvings_big (m : bigZ) : BigZ.to_Z (Big.halvings m) = halvings (BigZ.to_Z m).
Proof. unfold Big.halvings, halvings. now rewrite halvings_from_big, to_Z_0. Qed.

Local Notation z4 st := (BigZ.to_Z (fst (fst (fst st))), BigZ.to_Z (snd (fst (fst st))),
                         BigZ.to_Z (snd (fst st)), BigZ.to_Z (snd st)).

Lemma taylor_big (W y : bigZ) (k : nat) : z4 (Big.taylor W y k) = taylor (BigZ.to_Z W) (BigZ.to_Z y) k.
Proof.
  induction k as [| j IH].
  - cbn [Big.taylor taylor fst snd]. now bigz_all.
  - cbn [Big.taylor taylor]. rewrite <- IH. destruct (Big.taylor W y j) as [[[a b] c] d].
    unfold Big.taylor_step, taylor_step. cbn [fst snd]. rewrite <- !shift_div by lia.
    destruct (Nat.even (Datatypes.S j)); [| destruct (Datatypes.S j <? exp_terms - 1)%nat];
      cbn [fst snd]; now bigz_all.
Qed.

Lemma square_back_big (W : bigZ) (r : nat) (b : bigZ * bigZ) :
  zi (Big.square_back W r b) = square_back (BigZ.to_Z W) r (zi b).
Proof.
  induction r as [| k IH]; [reflexivity |]. cbn [Big.square_back square_back]. rewrite <- IH.
  destruct (Big.square_back W k b) as [lo hi]. cbn [fst snd].
  now rewrite floor_shift_big, ceil_shift_big, !BigZ.spec_mul.
Qed.

Lemma exp_nonpos_big (x : bigZ) : zi (Big.exp_nonpos x) = exp_nonpos (BigZ.to_Z x).
Proof.
  unfold Big.exp_nonpos, exp_nonpos. bigz_all.
  destruct (BigZ.to_Z x <=? - ((prec + 1) * 2 ^ prec))%Z; [reflexivity |].
  pose proof (taylor_big (Big.prec + Big.exp_guard + Big.halvings (- x)) (- x * Big.pow2 Big.exp_guard)
                (exp_terms - 1)) as Ht.
  destruct (Big.taylor _ _ _) as [[[a b] lo] hi]. cbn [fst snd] in Ht.
  bigz_in Ht. rewrite halvings_big in Ht. bigz_in Ht. rewrite <- Ht. cbv beta iota zeta.
  pose proof (square_back_big (Big.prec + Big.exp_guard + Big.halvings (- x))
                (Z.to_nat (BigZ.to_Z (Big.halvings (- x)))) (BigZ.max lo 0, hi)) as Hs.
  destruct (Big.square_back _ _ _) as [lo' hi']. cbn [fst snd] in Hs.
  bigz_in Hs. rewrite !halvings_big in Hs. bigz_in Hs. rewrite <- Hs.
  cbv beta iota zeta. rewrite round_out_big. bigz_all. rewrite halvings_big. now bigz_all.
Qed.

Lemma exp_interval_big (a : Big.ival) : zi (Big.exp_interval a) = exp_interval (zi a).
Proof.
  unfold Big.exp_interval, exp_interval. cbn [fst snd]. bigz_all.
  f_equal.
  - destruct (BigZ.to_Z (fst a) <=? 0)%Z; [| now bigz_all].
    now rewrite <- exp_nonpos_big.
  - destruct (BigZ.to_Z (snd a) <=? 0)%Z; [now rewrite <- exp_nonpos_big |].
    unfold Big.exp_upper_pos, exp_upper_pos. bigz_all. reflexivity.
Qed.

Lemma max_hi_big (xs : list Big.ival) : BigZ.to_Z (Big.max_hi xs) = max_hi (map (fun a => zi a) xs).
Proof.
  destruct xs as [| x rest]; [reflexivity |]. cbn [Big.max_hi max_hi map].
  assert (G : forall acc, BigZ.to_Z (fold_left (fun acc y => BigZ.max acc (snd y)) rest acc)
                          = fold_left (fun acc y => Z.max acc (snd y)) (map (fun a => zi a) rest) (BigZ.to_Z acc)).
  { induction rest as [| y rest IH]; intros acc; [reflexivity |]. cbn [fold_left map]. rewrite IH.
    now rewrite BigZ.spec_max. }
  now rewrite G.
Qed.

Lemma exp_shifted_big (shift : bigZ) (xs : list Big.ival) :
  map (fun a => zi a) (Big.exp_shifted shift xs) = exp_shifted (BigZ.to_Z shift) (map (fun a => zi a) xs).
Proof.
  unfold Big.exp_shifted, exp_shifted. rewrite !map_map. apply map_ext. intros a.
  rewrite exp_interval_big. cbn [fst snd]. now bigz.
Qed.

Lemma forallb_pointwise {A : Type} (f g : A -> bool) (l : list A) :
  (forall a, f a = g a) -> forallb f l = forallb g l.
Proof. intros H. induction l as [| a l IH]; simpl; [reflexivity | now rewrite H, IH]. Qed.

Lemma entry_big (M : list (list Z)) (i j : nat) : BigZ.to_Z (Big.entry (big_matrix M) i j) = entry M i j.
Proof.
  unfold Big.entry, entry, big_matrix.
  destruct (Nat.lt_ge_cases i (length M)) as [Hi | Hi].
  - rewrite (nth_map_in _ _ []) by exact Hi.
    destruct (Nat.lt_ge_cases j (length (nth i M []))) as [Hj | Hj].
    + rewrite (nth_map_in _ _ 0%Z) by exact Hj. apply BigZ.spec_of_Z.
    + rewrite !nth_overflow by (try rewrite map_length; exact Hj). reflexivity.
  - rewrite (nth_overflow (map (map BigZ.of_Z) M)) by (rewrite map_length; exact Hi).
    rewrite (nth_overflow M) by exact Hi. destruct j; reflexivity.
Qed.

(** The BigZ carrier of the checkers. *)
Definition BigCarrier : Carrier.carrier := {|
  Carrier.num := bigZ; Carrier.zero := 0%bigZ; Carrier.of_Z := BigZ.of_Z;
  Carrier.add := BigZ.add; Carrier.sub := BigZ.sub; Carrier.mul := BigZ.mul; Carrier.max := BigZ.max;
  Carrier.leb := BigZ.leb; Carrier.ltb := BigZ.ltb; Carrier.pow2 := Big.pow2;
  Carrier.ival_add := Big.add; Carrier.ival_mul := Big.mul; Carrier.mul_hi_nonneg := Big.mul_hi_nonneg;
  Carrier.from_scaled := Big.from_scaled; Carrier.scaled_score := Big.scaled_score;
  Carrier.max_hi := Big.max_hi; Carrier.exp_shifted := Big.exp_shifted;
  Carrier.tables := Big.tables; Carrier.EUPU := Big.EUPU; Carrier.EQKE := Big.EQKE; Carrier.EQKP := Big.EQKP;
  Carrier.EVOU := Big.EVOU; Carrier.PVOU := Big.PVOU; Carrier.entry := Big.entry |}.

(** ** The tables on BigZ

    [TablesB] is [Tables.TablesOn] on BigZ: the tables computed from the weights read into
    [BigZ]. [exact_tables_big] proves that, read back into [Z], they are [exact_tables]. *)
Definition BigMatrices : matrix_carrier :=
  {| mnum := bigZ; mzero := 0%bigZ; madd := BigZ.add; mmul := BigZ.mul; of_matrix := big_matrix;
     mtables := Big.tables; build_tables := Big.Build_tables |}.

Module TablesB.
Definition dotZ := ltac:(matrix_instance BigMatrices TablesOn.dotZ tt).
Definition columnZ := ltac:(matrix_instance BigMatrices TablesOn.columnZ tt).
Definition transposeZ := ltac:(matrix_instance BigMatrices TablesOn.transposeZ (TablesOn.columnZ, columnZ)).
Definition matmul := ltac:(matrix_instance BigMatrices TablesOn.matmul
                             ((TablesOn.dotZ, dotZ), (TablesOn.transposeZ, transposeZ))).
Definition resid_query := ltac:(matrix_instance BigMatrices TablesOn.resid_query tt).
Definition QK := ltac:(matrix_instance BigMatrices TablesOn.QK
                         ((TablesOn.matmul, matmul), (TablesOn.transposeZ, transposeZ))).
Definition query_key := ltac:(matrix_instance BigMatrices TablesOn.query_key
                                ((TablesOn.matmul, matmul), ((TablesOn.resid_query, resid_query), (TablesOn.QK, QK)))).
Definition OV := ltac:(matrix_instance BigMatrices TablesOn.OV (TablesOn.matmul, matmul)).
Definition OVU := ltac:(matrix_instance BigMatrices TablesOn.OVU ((TablesOn.matmul, matmul), (TablesOn.OV, OV))).
Definition exact_tables := ltac:(matrix_instance BigMatrices TablesOn.exact_tables
  ((TablesOn.matmul, matmul), ((TablesOn.resid_query, resid_query), ((TablesOn.query_key, query_key),
   ((TablesOn.transposeZ, transposeZ), (TablesOn.OVU, OVU)))))).
End TablesB.

(** A BigZ matrix, and tables, read back into [Z]. *)
Definition z_matrix (M : list (list bigZ)) : list (list Z) := map (map BigZ.to_Z) M.
Definition z_tables (T : Big.tables) : tables :=
  {| EUPU := z_matrix (Big.EUPU T); EQKE := z_matrix (Big.EQKE T); EQKP := z_matrix (Big.EQKP T);
     EVOU := z_matrix (Big.EVOU T); PVOU := z_matrix (Big.PVOU T) |}.

Lemma z_big_matrix (M : list (list Z)) : z_matrix (big_matrix M) = M.
Proof.
  unfold z_matrix, big_matrix. rewrite map_map.
  rewrite (map_ext _ (fun r => r)); [apply map_id |]. intros r. rewrite map_map.
  rewrite (map_ext _ (fun x => x)) by apply BigZ.spec_of_Z. apply map_id.
Qed.

Lemma dot_big (a b : list bigZ) : BigZ.to_Z (TablesB.dotZ a b) = dotZ (map BigZ.to_Z a) (map BigZ.to_Z b).
Proof.
  unfold TablesB.dotZ, dotZ. revert b. induction a as [| x a IH]; intros [| y b]; try reflexivity.
  cbn [combine map fold_right fst snd]. rewrite BigZ.spec_add, BigZ.spec_mul. f_equal. apply IH.
Qed.

Lemma column_big (M : list (list bigZ)) (j : nat) :
  map BigZ.to_Z (TablesB.columnZ M j) = columnZ (z_matrix M) j.
Proof.
  unfold TablesB.columnZ, columnZ, z_matrix. rewrite !map_map. apply map_ext. intros r.
  rewrite <- to_Z_0, map_nth. reflexivity.
Qed.

Lemma transpose_big (M : list (list bigZ)) (cols : nat) :
  z_matrix (TablesB.transposeZ M cols) = transposeZ (z_matrix M) cols.
Proof. unfold TablesB.transposeZ, transposeZ. unfold z_matrix at 1. rewrite map_map. apply map_ext, column_big. Qed.

Lemma matmul_big (A B : list (list bigZ)) (cols : nat) :
  z_matrix (TablesB.matmul A B cols) = matmul (z_matrix A) (z_matrix B) cols.
Proof.
  unfold TablesB.matmul, matmul. rewrite <- transpose_big. unfold z_matrix.
  rewrite !map_map. apply map_ext. intros r. rewrite !map_map. apply map_ext. intros c. apply dot_big.
Qed.

Lemma resid_query_big (w : weights) : z_matrix (TablesB.resid_query w) = resid_query w.
Proof.
  unfold TablesB.resid_query, resid_query. cbv zeta.
  assert (Hlast : map BigZ.to_Z (nth (n_ctx w - 1) (big_matrix (W_pos w)) []) = nth (n_ctx w - 1) (W_pos w) []).
  { rewrite <- (map_nth (map BigZ.to_Z) (big_matrix (W_pos w)) []).
    change (map (map BigZ.to_Z) (big_matrix (W_pos w))) with (z_matrix (big_matrix (W_pos w))).
    now rewrite z_big_matrix. }
  rewrite <- Hlast. rewrite <- (z_big_matrix (W_E w)) at 2. unfold z_matrix at 1 2. rewrite !map_map.
  apply map_ext. intros r. generalize (nth (n_ctx w - 1) (big_matrix (W_pos w)) []) as l.
  induction r as [| x r IH]; intros [| y l]; try reflexivity.
  cbn [combine map fst snd]. rewrite BigZ.spec_add. f_equal. apply IH.
Qed.

Lemma exact_tables_big (w : weights) : z_tables (TablesB.exact_tables w) = exact_tables w.
Proof.
  unfold TablesB.exact_tables, exact_tables, z_tables. cbv zeta. cbn [Big.EUPU Big.EQKE Big.EQKP Big.EVOU Big.PVOU].
  unfold TablesB.query_key, query_key, TablesB.OVU, OVU, TablesB.OV, OV, TablesB.QK, QK.
  f_equal; repeat first [ reflexivity | apply resid_query_big | apply z_big_matrix
                         | etransitivity; [apply matmul_big |]; f_equal
                         | etransitivity; [apply transpose_big |]; f_equal ].
Qed.
