(** * Facts about lists the subcubic soundness proof uses

    Largest, smallest and running maxima of integer lists; and the sorting bounds of
    [Sorting.v] again, for sums of a non-decreasing real function of the entries: the
    subcubic checker sorts the positional scores and then takes exponentials. *)

From Coq Require Import List ZArith Reals Lra Lia.
From PyVerify Require Import Fixed Tables Sums Cubic Sorting Subcubic.
Import ListNotations.

(** ** Largest and smallest entries *)

Lemma fold_max_ge_acc (l : list Z) (acc : Z) : (acc <= fold_left Z.max l acc)%Z.
Proof. revert acc. induction l as [| y l IH]; intros acc; simpl; [lia |]. specialize (IH (Z.max acc y)). lia. Qed.

Lemma fold_max_ge_in (l : list Z) (acc a : Z) : In a l -> (a <= fold_left Z.max l acc)%Z.
Proof.
  revert acc. induction l as [| y l IH]; intros acc Ha; [destruct Ha |]. simpl.
  destruct Ha as [-> | Ha]; [pose proof (fold_max_ge_acc l (Z.max acc a)); lia | now apply IH].
Qed.

Lemma fold_min_le_acc (l : list Z) (acc : Z) : (fold_left Z.min l acc <= acc)%Z.
Proof. revert acc. induction l as [| y l IH]; intros acc; simpl; [lia |]. specialize (IH (Z.min acc y)). lia. Qed.

Lemma fold_min_le_in (l : list Z) (acc a : Z) : In a l -> (fold_left Z.min l acc <= a)%Z.
Proof.
  revert acc. induction l as [| y l IH]; intros acc Ha; [destruct Ha |]. simpl.
  destruct Ha as [-> | Ha]; [pose proof (fold_min_le_acc l (Z.min acc a)); lia | now apply IH].
Qed.

Lemma list_maxZ_ge (l : list Z) (a : Z) : In a l -> (a <= list_maxZ l)%Z.
Proof.
  destruct l as [| y l]; intros Ha; [destruct Ha |]. simpl.
  destruct Ha as [-> | Ha]; [apply fold_max_ge_acc | now apply fold_max_ge_in].
Qed.

Lemma list_minZ_le (l : list Z) (a : Z) : In a l -> (list_minZ l <= a)%Z.
Proof.
  destruct l as [| y l]; intros Ha; [destruct Ha |]. simpl.
  destruct Ha as [-> | Ha]; [apply fold_min_le_acc | now apply fold_min_le_in].
Qed.

(** Two entries differ by at most the row range. *)
Lemma row_range_ge (l : list Z) (i j : nat) :
  (i < length l)%nat -> (j < length l)%nat -> (nth i l 0 - nth j l 0 <= row_range l)%Z.
Proof.
  intros Hi Hj. unfold row_range.
  pose proof (list_maxZ_ge l (nth i l 0%Z) (nth_In l 0%Z Hi)).
  pose proof (list_minZ_le l (nth j l 0%Z) (nth_In l 0%Z Hj)). lia.
Qed.

Lemma running_from_length (acc : Z) (l : list Z) : length (running_from acc l) = length l.
Proof. revert acc. induction l as [| y l IH]; intros acc; simpl; [reflexivity | now rewrite IH]. Qed.

Lemma running_from_ge (acc : Z) (l : list Z) (i j : nat) :
  (i <= j)%nat -> (j < length l)%nat -> (acc <= nth j (running_from acc l) 0 /\ nth i l 0 <= nth j (running_from acc l) 0)%Z.
Proof.
  revert acc i j. induction l as [| y l IH]; intros acc i j Hij Hj; simpl in Hj; [lia |].
  destruct j as [| j]; simpl.
  - destruct i; [| lia]. simpl. lia.
  - destruct (IH (Z.max acc y) 0%nat j ltac:(lia) ltac:(lia)) as [A _].
    destruct i as [| i]; simpl.
    + lia.
    + destruct (IH (Z.max acc y) i j ltac:(lia) ltac:(lia)) as [_ B]. lia.
Qed.

(** Entry [j] of the running maximum is at least every entry up to [j]. *)
Lemma running_max_ge (l : list Z) (i j : nat) :
  (i <= j)%nat -> (j < length l)%nat -> (nth i l 0 <= nth j (running_max l) 0)%Z.
Proof.
  intros Hij Hj. destruct l as [| y l]; simpl in Hj; [lia |]. unfold running_max.
  destruct j as [| j]; [destruct i; [simpl; lia | lia] |].
  simpl. destruct i as [| i].
  - simpl. destruct (running_from_ge y l 0 j ltac:(lia) ltac:(lia)) as [A _]. exact A.
  - simpl. destruct (running_from_ge y l i j ltac:(lia) ltac:(lia)) as [_ B]. exact B.
Qed.

Lemma running_max_length (l : list Z) : length (running_max l) = length l.
Proof. destruct l as [| y l]; [reflexivity |]. simpl. now rewrite running_from_length. Qed.

(** ** Sorting bounds for a non-decreasing function *)

Open Scope R_scope.

Section Monotone.
Variable phi : Z -> R.
Hypothesis phi_mono : forall a b, (a <= b)%Z -> phi a <= phi b.

(** [sum_{z in l} phi z], and the same over the entries selected by [b]. *)
Definition rsumf (l : list Z) : R := fold_right (fun z acc => phi z + acc) 0 l.
Fixpoint rsel (b : list bool) (l : list Z) : R :=
  match b, l with
  | true :: b', x :: l' => phi x + rsel b' l'
  | false :: b', _ :: l' => rsel b' l'
  | _, _ => 0
  end.

Lemma rsumf_firstn_succ (s : list Z) (k : nat) :
  (k < length s)%nat -> rsumf (firstn (S k) s) = rsumf (firstn k s) + phi (nth k s 0%Z).
Proof.
  revert k. induction s as [| y s IH]; intros k Hk; simpl in Hk; [lia |].
  destruct k as [| k]; [simpl; lra |].
  change (rsumf (firstn (S (S k)) (y :: s))) with (phi y + rsumf (firstn (S k) s)).
  change (rsumf (firstn (S k) (y :: s))) with (phi y + rsumf (firstn k s)).
  change (nth (S k) (y :: s) 0%Z) with (nth k s 0%Z). rewrite (IH k) by lia. lra.
Qed.

Lemma insert_firstn_le_R (x : Z) (s : list Z) (a : nat) :
  sorted s -> (a <= length s)%nat -> rsumf (firstn a (insert x s)) <= rsumf (firstn a s).
Proof.
  revert a. induction s as [| y s IH]; intros a Hs Ha; simpl in Ha.
  - replace a with 0%nat by lia. simpl. lra.
  - destruct Hs as [Hy Hs]. simpl. destruct (Z.leb_spec x y); destruct a as [| a]; try (simpl; lra).
    + destruct a as [| a]; [simpl; pose proof (phi_mono x y H); lra |].
      change (rsumf (firstn (S (S a)) (x :: y :: s))) with (phi x + (phi y + rsumf (firstn a s))).
      change (rsumf (firstn (S (S a)) (y :: s))) with (phi y + rsumf (firstn (S a) s)).
      rewrite rsumf_firstn_succ by lia. pose proof (forall_nth y s a Hy ltac:(lia)).
      pose proof (phi_mono x (nth a s 0%Z) ltac:(lia)). lra.
    + change (rsumf (firstn (S a) (y :: insert x s))) with (phi y + rsumf (firstn a (insert x s))).
      change (rsumf (firstn (S a) (y :: s))) with (phi y + rsumf (firstn a s)).
      specialize (IH a Hs ltac:(lia)). lra.
Qed.

Lemma insert_firstn_le_cons_R (x : Z) (s : list Z) (a : nat) :
  rsumf (firstn (S a) (insert x s)) <= phi x + rsumf (firstn a s).
Proof.
  revert a. induction s as [| y s IH]; intros a; simpl.
  - destruct a; simpl; lra.
  - destruct (Z.leb_spec x y).
    + destruct a; simpl; lra.
    + destruct a as [| a].
      * simpl. pose proof (phi_mono y x ltac:(lia)). lra.
      * change (rsumf (firstn (S (S a)) (y :: insert x s))) with (phi y + rsumf (firstn (S a) (insert x s))).
        change (rsumf (firstn (S a) (y :: s))) with (phi y + rsumf (firstn a s)).
        specialize (IH a). change (rsumf (y :: firstn (S a) (insert x s))) with (phi y + rsumf (firstn (S a) (insert x s))).
        lra.
Qed.

(** The [a] smallest entries give at most any [a] selected entries. *)
Theorem smallest_le_selected_R (l : list Z) (b : list bool) :
  length b = length l -> rsumf (firstn (count_true b) (sort l)) <= rsel b l.
Proof.
  revert b. induction l as [| x l IH]; intros b Hb.
  - destruct b; [| discriminate]. simpl. lra.
  - destruct b as [| bx b]; [discriminate |]. injection Hb as Hb.
    change (sort (x :: l)) with (insert x (sort l)).
    assert (Hc : (count_true b <= length l)%nat) by (rewrite <- Hb; apply count_true_le).
    specialize (IH b Hb). destruct bx.
    + change (count_true (true :: b)) with (S (count_true b)).
      change (rsel (true :: b) (x :: l)) with (phi x + rsel b l).
      pose proof (insert_firstn_le_cons_R x (sort l) (count_true b)). lra.
    + change (count_true (false :: b)) with (count_true b).
      change (rsel (false :: b) (x :: l)) with (rsel b l).
      pose proof (insert_firstn_le_R x (sort l) (count_true b) (sort_sorted l)
                    ltac:(rewrite sort_length; exact Hc)). lra.
Qed.

Lemma rsel_complement (l : list Z) (b : list bool) :
  length b = length l -> rsel b l + rsel (map negb b) l = rsumf l.
Proof.
  revert b. induction l as [| x l IH]; intros [| bx b] Hb; simpl in Hb; try discriminate; [simpl; lra |].
  injection Hb as Hb. specialize (IH b Hb). destruct bx; simpl; lra.
Qed.

Lemma rsumf_app (a b : list Z) : rsumf (a ++ b) = rsumf a + rsumf b.
Proof. induction a as [| x a IH]; simpl; [lra |]. rewrite IH. lra. Qed.

Lemma rsumf_rev (l : list Z) : rsumf (rev l) = rsumf l.
Proof. induction l as [| x l IH]; [reflexivity |]. simpl. rewrite rsumf_app, IH. simpl. lra. Qed.

Lemma rsumf_insert (x : Z) (s : list Z) : rsumf (insert x s) = phi x + rsumf s.
Proof. induction s as [| y s IH]; simpl; [lra |]. destruct (x <=? y)%Z; simpl; [lra | rewrite IH; lra]. Qed.

Lemma rsumf_sort (l : list Z) : rsumf (sort l) = rsumf l.
Proof. induction l as [| x l IH]; [reflexivity |]. unfold sort in *. simpl. rewrite rsumf_insert, IH. reflexivity. Qed.

(** The [a] largest entries give at least any [a] selected entries. *)
Theorem selected_le_largest_R (l : list Z) (b : list bool) :
  length b = length l -> rsel b l <= rsumf (firstn (count_true b) (rev (sort l))).
Proof.
  intros Hb.
  pose proof (smallest_le_selected_R l (map negb b) ltac:(rewrite map_length; exact Hb)) as L.
  pose proof (rsel_complement l b Hb) as C.
  rewrite count_true_complement in L.
  pose proof (count_true_le b) as Hc.
  rewrite firstn_rev, rsumf_rev, sort_length, <- Hb.
  pose proof (firstn_skipn (length b - count_true b) (sort l)) as FS.
  assert (T : rsumf (sort l) = rsumf (firstn (length b - count_true b) (sort l))
                               + rsumf (skipn (length b - count_true b) (sort l))).
  { rewrite <- rsumf_app, FS. reflexivity. }
  replace (length b - (length b - count_true b))%nat with (count_true b) in * by lia.
  rewrite rsumf_sort in T. lra.
Qed.

(** A selected sum as a sum over indices. *)
Lemma rsel_rsum (b : list bool) (l : list Z) (k : nat) :
  length b = k -> length l = k -> rsel b l = rsum k (fun i => if nth i b false then phi (nth i l 0%Z) else 0).
Proof.
  intros Hb Hl. rewrite <- Hl in Hb. subst k. revert b Hb. induction l as [| z l IH]; intros b Hb.
  - destruct b; [| discriminate]. unfold rsum. simpl. reflexivity.
  - destruct b as [| t b]; [discriminate |]. simpl in Hb. injection Hb as Hb.
    cbn [length]. rewrite rsum_shift.
    change (rsum (length l) (fun i => if nth (S i) (t :: b) false then phi (nth (S i) (z :: l) 0%Z) else 0))
      with (rsum (length l) (fun i => if nth i b false then phi (nth i l 0%Z) else 0)).
    rewrite <- (IH b Hb). destruct t; simpl; lra.
Qed.

End Monotone.
