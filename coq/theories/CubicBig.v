(** * The cubic checker, computed on BigZ

    As [BruteBig.v] for brute force: [CubicB] is [Cubic.CubicOn]'s instance on the BigZ carrier
    ([BigCarrier.v]), the same definitions as the checker on [Z] that [cubic_sound] is about.
    The tables are built on [Z], the cases are checked on [BigZ]; [check_cubic_big_eq] proves
    the count is the same. *)

From Coq Require Import Bool List ZArith NArith Lia.
From Bignums Require Import BigZ.
From PyVerify Require Import Semantics Fixed Exp Tables Sums BigCarrier Brute Cubic.
From PyVerify Require Carrier.
Import ListNotations.

Module CubicB.
Definition insert := ltac:(Carrier.carrier_instance BigCarrier CubicOn.insert tt).
Definition sort := ltac:(Carrier.carrier_instance BigCarrier CubicOn.sort (CubicOn.insert, insert)).
Definition prefix_sums := ltac:(Carrier.carrier_instance BigCarrier CubicOn.prefix_sums tt).
Definition positional_of := ltac:(Carrier.carrier_instance BigCarrier CubicOn.positional_of
                                    ((CubicOn.sort, sort), (CubicOn.prefix_sums, prefix_sums))).
Definition max_except := ltac:(Carrier.carrier_instance BigCarrier CubicOn.max_except tt).
Definition centred := ltac:(Carrier.carrier_instance BigCarrier CubicOn.centred tt).
Definition logit_bounds := ltac:(Carrier.carrier_instance BigCarrier CubicOn.logit_bounds
                                   ((CubicOn.max_except, max_except), (CubicOn.centred, centred))).
Definition case_end := ltac:(Carrier.carrier_instance BigCarrier CubicOn.case_end tt).
Definition end_holds := ltac:(Carrier.carrier_instance BigCarrier CubicOn.end_holds tt).
Definition proven_qm := ltac:(Carrier.carrier_instance BigCarrier CubicOn.proven_qm
                                ((CubicOn.case_end, case_end), (CubicOn.end_holds, end_holds))).
Definition cubic_count := ltac:(Carrier.carrier_instance BigCarrier CubicOn.cubic_count
  ((CubicOn.positional_of, positional_of), ((CubicOn.logit_bounds, logit_bounds), (CubicOn.proven_qm, proven_qm)))).
End CubicB.

(** [check_cubic], with the cases checked on BigZ. *)
Definition check_cubic_big (w : weights) (s : ival) : N :=
  if shapes_ok w && Nat.leb 2 (n_ctx w) && check_inv_sqrt (Z.of_nat (d_head w)) s then
    CubicB.cubic_count (big_tables (z_tables (TablesB.exact_tables w))) (big_ival s) (S w) (d_vocab w) (n_ctx w)
  else 0%N.

(** ** The BigZ checker agrees with the checker on [Z] *)

Local Notation zi a := (BigZ.to_Z (fst a), BigZ.to_Z (snd a)).
Local Notation zl l := (map BigZ.to_Z l).

Definition zpos (p : positional bigZ) : positional Z :=
  {| low := zl (low p); high := zl (high p); total := zi (total p);
     query := zi (query p) |}.

Lemma insert_big (x : bigZ) (l : list bigZ) : zl (CubicB.insert x l) = insert (BigZ.to_Z x) (zl l).
Proof.
  induction l as [| y l IH]; [reflexivity |]. cbn [CubicB.insert insert map].
  rewrite BigZ.spec_leb. destruct (BigZ.to_Z x <=? BigZ.to_Z y)%Z; [reflexivity |]. cbn [map]. now rewrite IH.
Qed.

Lemma sort_big (l : list bigZ) : zl (CubicB.sort l) = sort (zl l).
Proof.
  induction l as [| x l IH]; [reflexivity |]. unfold CubicB.sort, sort in *. cbn [fold_right map].
  now rewrite insert_big, IH.
Qed.

Lemma prefix_sums_big (acc : bigZ) (l : list bigZ) :
  zl (CubicB.prefix_sums acc l) = prefix_sums (BigZ.to_Z acc) (zl l).
Proof.
  revert acc. induction l as [| x l IH]; intros acc; [reflexivity |]. cbn [CubicB.prefix_sums prefix_sums map].
  now rewrite IH, BigZ.spec_add.
Qed.

Lemma fold_add_big (l : list bigZ) : BigZ.to_Z (fold_right BigZ.add 0%bigZ l) = fold_right Z.add 0%Z (zl l).
Proof. induction l as [| x l IH]; [reflexivity |]. cbn [fold_right map]. now rewrite BigZ.spec_add, IH. Qed.

Lemma nth_zl (l : list bigZ) (i : nat) : BigZ.to_Z (nth i l 0%bigZ) = nth i (zl l) 0%Z.
Proof. rewrite <- to_Z_0, map_nth. reflexivity. Qed.

Lemma nth_zi (l : list Big.ival) (i : nat) : zi (nth i l (@pair bigZ bigZ 0 0)%bigZ) = nth i (map (fun a => zi a) l) (0, 0)%Z.
Proof. change (0, 0)%Z with ((fun a : Big.ival => zi a) (@pair bigZ bigZ 0 0)%bigZ). now rewrite map_nth. Qed.

Lemma positional_big (row : list bigZ) (n S : nat) (s : Big.ival) :
  zpos (CubicB.positional_of row n S s) = positional_of (zl row) n S (zi s).
Proof.
  unfold CubicB.positional_of, positional_of, zpos. cbn [low high total query].
  set (scores := map (B := bigZ * bigZ) (fun raw => Big.scaled_score raw (BigZ.of_Z (4 * Z.of_nat S)) s) row).
  assert (Hs : map (fun a => zi a) scores
               = map (fun raw => scaled_score raw (4 * Z.of_nat S) (zi s)) (zl row)).
  { unfold scores. rewrite !map_map. apply map_ext. intros raw. rewrite scaled_score_big. now bigz_all. }
  set (weights := Big.exp_shifted (Big.max_hi scores) scores : list (bigZ * bigZ)).
  assert (Hw : map (fun a => zi a) weights = exp_shifted (max_hi (map (fun a => zi a) scores)) (map (fun a => zi a) scores)).
  { unfold weights. now rewrite exp_shifted_big, max_hi_big. }
  rewrite Hs in Hw.
  assert (Hlo : zl (map fst (firstn (n - 1) weights)) = map fst (firstn (n - 1) (map (fun a => zi a) weights))).
  { rewrite firstn_map, !map_map. reflexivity. }
  assert (Hhi : zl (map snd (firstn (n - 1) weights)) = map snd (firstn (n - 1) (map (fun a => zi a) weights))).
  { rewrite firstn_map, !map_map. reflexivity. }
  rewrite Hw in Hlo, Hhi.
  f_equal.
  - now rewrite prefix_sums_big, sort_big, Hlo.
  - now rewrite prefix_sums_big, map_rev, sort_big, Hhi.
  - cbn [fst snd]. f_equal.
    + now rewrite nth_zl, prefix_sums_big, sort_big, Hlo.
    + now rewrite fold_add_big, map_rev, sort_big, Hhi.
  - now rewrite nth_zi, Hw.
Qed.

Lemma max_except_big (V m : nat) (f : nat -> bigZ) :
  BigZ.to_Z (CubicB.max_except V m f) = max_except V m (fun o => BigZ.to_Z (f o)).
Proof.
  unfold CubicB.max_except, max_except.
  assert (G : forall l acc, BigZ.to_Z (fold_left (fun acc o => if Nat.eqb o m then acc else BigZ.max acc (f o)) l acc)
                            = fold_left (fun acc o => if Nat.eqb o m then acc else Z.max acc (BigZ.to_Z (f o)))
                                        l (BigZ.to_Z acc)).
  { induction l as [| o l IH]; intros acc; [reflexivity |]. cbn [fold_left]. rewrite IH.
    destruct (Nat.eqb o m); [reflexivity | now rewrite BigZ.spec_max]. }
  now rewrite G.
Qed.

Lemma centred_big (M : list (list Z)) (r o m : nat) :
  BigZ.to_Z (CubicB.centred (nth r (big_matrix M) []) o m) = centred (nth r M []) o m.
Proof.
  unfold CubicB.centred, centred. rewrite BigZ.spec_sub.
  change (nth o (nth r (big_matrix M) []) 0%bigZ) with (Big.entry (big_matrix M) r o).
  change (nth m (nth r (big_matrix M) []) 0%bigZ) with (Big.entry (big_matrix M) r m).
  now rewrite !entry_big.
Qed.

Lemma fold_left_pointwise {A B : Type} (F G : A -> B -> A) (l : list B) (a : A) :
  (forall acc b, F acc b = G acc b) -> fold_left F l a = fold_left G l a.
Proof. intros H. revert a. induction l as [| b l IH]; intros a; [reflexivity |]. cbn. now rewrite H, IH. Qed.

Lemma max_except_pointwise (V m : nat) (f g : nat -> Z) :
  (forall o, f o = g o) -> max_except V m f = max_except V m g.
Proof.
  intros H. unfold max_except. rewrite H. apply fold_left_pointwise. intros acc o. now rewrite H.
Qed.

Lemma from_scaled_hi_big (raw bits : bigZ) :
  BigZ.to_Z (snd (Big.from_scaled raw bits)) = snd (from_scaled (BigZ.to_Z raw) (BigZ.to_Z bits)).
Proof. rewrite <- from_scaled_big. reflexivity. Qed.

Lemma logit_bounds_big (T : tables) (S V m : nat) :
  (zl (fst (CubicB.logit_bounds (big_tables T) S V m)), zl (snd (CubicB.logit_bounds (big_tables T) S V m)))
  = logit_bounds T S V m.
Proof.
  unfold CubicB.logit_bounds, logit_bounds. cbn [fst snd big_tables Big.EUPU Big.EVOU Big.PVOU].
  assert (PW : forall o, BigZ.to_Z (nth o (map (fun o => match map (fun row => CubicB.centred row o m) (big_matrix (PVOU T)) with
                                                      | [] => 0%bigZ
                                                      | x :: rest => fold_left BigZ.max rest x
                                                      end) (seq 0 V)) 0%bigZ)
                    = nth o (map (fun o => match map (fun row => centred row o m) (PVOU T) with
                                           | [] => 0%Z
                                           | x :: rest => fold_left Z.max rest x
                                           end) (seq 0 V)) 0%Z).
  { intros o. rewrite nth_zl, map_map. f_equal. apply map_ext. intros o'. unfold big_matrix.
    rewrite map_map. destruct (PVOU T) as [| r rows]; [reflexivity |]. cbn [map].
    assert (C : forall row, BigZ.to_Z (CubicB.centred (map BigZ.of_Z row) o' m) = centred row o' m).
    { intros row. unfold CubicB.centred, centred. rewrite BigZ.spec_sub, !nth_zl, !map_map.
      rewrite !(map_ext (fun x => BigZ.to_Z (BigZ.of_Z x)) (fun x => x)) by apply BigZ.spec_of_Z.
      now rewrite !map_id. }
    assert (G : forall l acc, BigZ.to_Z (fold_left BigZ.max (map (fun row => CubicB.centred (map BigZ.of_Z row) o' m) l) acc)
                              = fold_left Z.max (map (fun row => centred row o' m) l) (BigZ.to_Z acc)).
    { induction l as [| x l IH]; intros acc; [reflexivity |]. cbn [map fold_left]. now rewrite IH, BigZ.spec_max, C. }
    now rewrite G, C. }
  f_equal; rewrite map_map; apply map_ext; intros t; rewrite from_scaled_hi_big, max_except_big; bigz_all;
    f_equal; f_equal; apply max_except_pointwise; intros o.
  - now rewrite centred_big.
  - rewrite BigZ.spec_add, PW. now rewrite centred_big.
Qed.

Lemma mul_hi_big (a b : Big.ival) : BigZ.to_Z (snd (Big.mul a b)) = snd (mul (zi a) (zi b)).
Proof. rewrite <- mul_big. reflexivity. Qed.

Lemma proven_qm_big (T : tables) (p : positional bigZ) (s : Big.ival) (S n m q : nat) (U E : list bigZ) :
  CubicB.proven_qm (big_tables T) p s S n m q (U, E) = proven_qm T (zpos p) (zi s) S n m q (zl U, zl E).
Proof.
  unfold CubicB.proven_qm, proven_qm. cbv zeta.
  set (sb := map (B := bigZ * bigZ) (fun t => Big.scaled_score (Big.entry (Big.EQKE (big_tables T)) q t) (BigZ.of_Z (4 * Z.of_nat S)) s)
                 (seq 0 (m + 1))).
  set (sz := map (fun t => scaled_score (entry (EQKE T) q t) (4 * Z.of_nat S) (zi s)) (seq 0 (m + 1))).
  assert (Hs : map (fun a => zi a) sb = sz).
  { unfold sb, sz. rewrite map_map. apply map_ext. intros t. rewrite scaled_score_big.
    cbn [big_tables Big.EQKE]. rewrite entry_big. now bigz_all. }
  set (eb := Big.exp_shifted (Big.max_hi sb) sb : list (bigZ * bigZ)). set (ez := exp_shifted (max_hi sz) sz).
  assert (Ne : forall k, zi (nth k eb (@pair bigZ bigZ 0 0)%bigZ) = nth k ez (0, 0)%Z).
  { intros k. rewrite nth_zi. unfold eb, ez. now rewrite exp_shifted_big, max_hi_big, Hs. }
  set (cb := map (B := bigZ) (fun t => (nth t E 0 + nth q U 0)%bigZ) (seq 0 (m + 1))).
  set (cz := map (fun t => (nth t (zl E) 0 + nth q (zl U) 0)%Z) (seq 0 (m + 1))).
  assert (Hc : zl cb = cz).
  { unfold cb, cz. rewrite map_map. apply map_ext. intros t. now rewrite BigZ.spec_add, !nth_zl. }
  assert (Nc : forall k, BigZ.to_Z (nth k cb 0%bigZ) = nth k cz 0%Z) by (intros k; now rewrite nth_zl, Hc).
  set (kb := map (B := bigZ * bigZ) (fun k => Big.mul (nth k eb (@pair bigZ bigZ 0 0)%bigZ) (nth k cb 0%bigZ, nth k cb 0%bigZ)) (seq 0 m)).
  set (kz := map (fun k => mul (nth k ez (0, 0)%Z) (nth k cz 0%Z, nth k cz 0%Z)) (seq 0 m)).
  assert (Hk : map (fun a => zi a) kb = kz).
  { unfold kb, kz. rewrite map_map. apply map_ext. intros j. rewrite mul_big. cbn [fst snd]. now rewrite Ne, Nc. }
  assert (Nk : forall k, zi (nth k kb (@pair bigZ bigZ 0 0)%bigZ) = nth k kz (0, 0)%Z) by (intros k; now rewrite nth_zi, Hk).
  f_equal; [| f_equal; f_equal].
  - apply map_ext. intros k. apply map_ext. intros copies.
    destruct (Nat.eqb copies 0 || Nat.ltb q m && Nat.eqb copies (n - 1))%bool; [reflexivity |].
    unfold CubicB.end_holds, end_holds, CubicB.case_end, case_end. cbn [forallb fst snd zpos low high total query].
    rewrite !BigZ.spec_ltb, !BigZ.spec_add, to_Z_0.
    repeat (first [rewrite mul_big | rewrite mul_hi_big]). cbn [fst snd].
    rewrite !BigZ.spec_sub, !nth_zl, !Nk.
    repeat match goal with
           | |- context [(BigZ.to_Z (fst (nth ?i eb (@pair bigZ bigZ 0 0)%bigZ)), BigZ.to_Z (snd (nth ?i eb (@pair bigZ bigZ 0 0)%bigZ)))] =>
               rewrite (Ne i)
           end.
    now rewrite Hc.
  - rewrite BigZ.spec_ltb, BigZ.spec_add, to_Z_0.
    repeat (first [rewrite mul_big | rewrite mul_hi_big]). cbn [fst snd zpos total query].
    rewrite !nth_zl, Hc.
    repeat match goal with
           | |- context [(BigZ.to_Z (fst (nth ?i eb (@pair bigZ bigZ 0 0)%bigZ)), BigZ.to_Z (snd (nth ?i eb (@pair bigZ bigZ 0 0)%bigZ)))] =>
               rewrite (Ne i)
           end.
    reflexivity.
Qed.

(** The BigZ cubic checker returns the same count. *)
Theorem check_cubic_big_eq (w : weights) (s : ival) : check_cubic_big w s = check_cubic w s.
Proof.
  unfold check_cubic_big, check_cubic. destruct (shapes_ok w && Nat.leb 2 (n_ctx w) && check_inv_sqrt (Z.of_nat (d_head w)) s);
    [| reflexivity].
  rewrite exact_tables_big. unfold CubicB.cubic_count, cubic_count. cbv zeta. f_equal. apply map_ext. intros m. f_equal. apply map_ext. intros q.
  rewrite <- logit_bounds_big. destruct (CubicB.logit_bounds _ _ _ _) as [U E]. cbn [fst snd].
  rewrite proven_qm_big. f_equal. f_equal.
  - destruct (Nat.lt_ge_cases q (d_vocab w)) as [Hq | Hq].
    + rewrite !(nth_map_in _ _ 0%nat) by (rewrite seq_length; exact Hq). rewrite seq_nth by exact Hq.
      cbn [big_tables Big.EQKP]. rewrite positional_big. unfold big_matrix.
      assert (R : forall (M : list (list Z)) i, nth i (map (map BigZ.of_Z) M) [] = map BigZ.of_Z (nth i M [])).
      { intros M i. revert M. induction i as [| i IH]; intros [| r M]; try reflexivity. apply IH. }
      rewrite R, map_map.
      rewrite (map_ext (fun x => BigZ.to_Z (BigZ.of_Z x)) (fun x => x)) by apply BigZ.spec_of_Z.
      rewrite map_id. f_equal. unfold big_ival. cbn [fst snd]. now rewrite !BigZ.spec_of_Z, <- surjective_pairing.
    + rewrite !nth_overflow by (rewrite map_length, seq_length; exact Hq). reflexivity.
  - unfold big_ival. cbn [fst snd]. now rewrite !BigZ.spec_of_Z, <- surjective_pairing.
Qed.
