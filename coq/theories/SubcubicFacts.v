(** * Facts about lists the subcubic soundness proof uses

    Largest, smallest and running maxima of integer lists. *)

From Coq Require Import List ZArith Lia.
From PyVerify Require Import Subcubic.
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
