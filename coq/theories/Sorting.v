(** * Sums of the smallest and of the largest entries

    The cubic checker bounds the positional weight of any [a] non-query positions by the sum
    of the [a] smallest lower ends ([low[a]]) and the sum of the [a] largest upper ends
    ([high[a]]), read from running sums of a sorted list ([Cubic.positional_of]). This file
    proves those two facts: for a selection [b] (a list of booleans) of [a] entries of [l],
    [sum (firstn a (sort l)) <= selected b l <= sum (firstn a (rev (sort l)))]. *)

From Coq Require Import List ZArith Lia.
From PyVerify Require Import Cubic.
Import ListNotations.
Open Scope Z_scope.

Definition sum (l : list Z) : Z := fold_right Z.add 0 l.

(** The sum of the entries of [l] whose flag in [b] is [true]. *)
Fixpoint selected (b : list bool) (l : list Z) : Z :=
  match b, l with
  | true :: b', x :: l' => x + selected b' l'
  | false :: b', _ :: l' => selected b' l'
  | _, _ => 0
  end.

Definition count_true (b : list bool) : nat := length (filter (fun t => t) b).

Lemma count_true_le (b : list bool) : (count_true b <= length b)%nat.
Proof. unfold count_true. induction b as [| t b IH]; [reflexivity |]. destruct t; simpl; lia. Qed.

Fixpoint sorted (l : list Z) : Prop :=
  match l with
  | [] => True
  | x :: rest => Forall (Z.le x) rest /\ sorted rest
  end.

Lemma insert_perm_sum (x : Z) (s : list Z) : sum (insert x s) = x + sum s.
Proof. induction s as [| y s IH]; simpl; [lia |]. destruct (x <=? y); simpl; [lia | rewrite IH; lia]. Qed.

Lemma insert_length (x : Z) (s : list Z) : length (insert x s) = S (length s).
Proof. induction s as [| y s IH]; simpl; [reflexivity |]. destruct (x <=? y); simpl; congruence. Qed.

Lemma sort_sum (l : list Z) : sum (sort l) = sum l.
Proof. induction l as [| x l IH]; [reflexivity |]. unfold sort in *. simpl. rewrite insert_perm_sum, IH. reflexivity. Qed.

Lemma sort_length (l : list Z) : length (sort l) = length l.
Proof. induction l as [| x l IH]; [reflexivity |]. unfold sort in *. simpl. rewrite insert_length, IH. reflexivity. Qed.

Lemma insert_forall (P : Z -> Prop) (x : Z) (s : list Z) : P x -> Forall P s -> Forall P (insert x s).
Proof.
  intros Hx Hs. induction Hs as [| y s Hy Hs IH]; simpl; [auto |].
  destruct (x <=? y); constructor; auto.
Qed.

Lemma insert_sorted (x : Z) (s : list Z) : sorted s -> sorted (insert x s).
Proof.
  induction s as [| y s IH]; intros H; simpl; [split; auto |].
  destruct H as [Hy Hs]. destruct (Z.leb_spec x y).
  - simpl. split; [| split; assumption]. constructor; [assumption |].
    eapply Forall_impl; [| exact Hy]. intros z Hz. lia.
  - simpl. split; [| apply IH, Hs]. apply insert_forall; [lia | exact Hy].
Qed.

Lemma sort_sorted (l : list Z) : sorted (sort l).
Proof. induction l as [| x l IH]; [exact I |]. unfold sort in *. simpl. now apply insert_sorted. Qed.

Lemma sum_firstn_succ (s : list Z) (k : nat) :
  (k < length s)%nat -> sum (firstn (S k) s) = sum (firstn k s) + nth k s 0.
Proof.
  revert k. induction s as [| y s IH]; intros k Hk; simpl in Hk; [lia |].
  destruct k as [| k]; [unfold sum; simpl; lia |].
  change (sum (firstn (S (S k)) (y :: s))) with (y + sum (firstn (S k) s)).
  change (sum (firstn (S k) (y :: s))) with (y + sum (firstn k s)).
  change (nth (S k) (y :: s) 0) with (nth k s 0).
  rewrite (IH k) by lia. lia.
Qed.

Lemma forall_nth (x : Z) (s : list Z) (k : nat) : Forall (Z.le x) s -> (k < length s)%nat -> x <= nth k s 0.
Proof. intros H Hk. rewrite Forall_forall in H. apply H, nth_In, Hk. Qed.

(** Inserting into the list can only lower the sum of the first [a] entries... *)
Lemma insert_firstn_le (x : Z) (s : list Z) (a : nat) :
  sorted s -> (a <= length s)%nat -> sum (firstn a (insert x s)) <= sum (firstn a s).
Proof.
  revert a. induction s as [| y s IH]; intros a Hs Ha; simpl in Ha.
  - replace a with 0%nat by lia. reflexivity.
  - destruct Hs as [Hy Hs]. simpl. destruct (Z.leb_spec x y); destruct a as [| a]; try reflexivity.
    + (* x :: y :: s against y :: s: x is below every entry that drops out *)
      destruct a as [| a]; [unfold sum; simpl; lia |].
      change (sum (firstn (S (S a)) (x :: y :: s))) with (x + (y + sum (firstn a s))).
      change (sum (firstn (S (S a)) (y :: s))) with (y + sum (firstn (S a) s)).
      rewrite sum_firstn_succ by lia. pose proof (forall_nth y s a Hy ltac:(lia)). lia.
    + change (sum (firstn (S a) (y :: insert x s))) with (y + sum (firstn a (insert x s))).
      change (sum (firstn (S a) (y :: s))) with (y + sum (firstn a s)).
      specialize (IH a Hs ltac:(lia)). lia.
Qed.

(** ... and by at most [x]'s own entry replacing the last one. *)
Lemma insert_firstn_le_cons (x : Z) (s : list Z) (a : nat) :
  sum (firstn (S a) (insert x s)) <= x + sum (firstn a s).
Proof.
  revert a. induction s as [| y s IH]; intros a; simpl.
  - destruct a; unfold sum; simpl; lia.
  - destruct (Z.leb_spec x y).
    + destruct a; unfold sum; simpl; lia.
    + destruct a as [| a].
      * unfold sum; simpl. lia.
      * change (sum (firstn (S (S a)) (y :: insert x s))) with (y + sum (firstn (S a) (insert x s))).
        change (sum (firstn (S a) (y :: s))) with (y + sum (firstn a s)).
        specialize (IH a). unfold sum in *. simpl in *. lia.
Qed.

(** The [a] smallest entries sum to at most any [a] selected entries. *)
Theorem smallest_le_selected (l : list Z) (b : list bool) :
  length b = length l -> sum (firstn (count_true b) (sort l)) <= selected b l.
Proof.
  revert b. induction l as [| x l IH]; intros b Hb.
  - destruct b; [| discriminate]. unfold sum. simpl. lia.
  - destruct b as [| bx b]; [discriminate |]. injection Hb as Hb.
    change (sort (x :: l)) with (insert x (sort l)).
    assert (Hc : (count_true b <= length l)%nat) by (rewrite <- Hb; apply count_true_le).
    specialize (IH b Hb). destruct bx.
    + change (count_true (true :: b)) with (S (count_true b)).
      change (selected (true :: b) (x :: l)) with (x + selected b l).
      pose proof (insert_firstn_le_cons x (sort l) (count_true b)). lia.
    + change (count_true (false :: b)) with (count_true b).
      change (selected (false :: b) (x :: l)) with (selected b l).
      pose proof (insert_firstn_le x (sort l) (count_true b) (sort_sorted l) ltac:(rewrite sort_length; exact Hc)).
      lia.
Qed.

Lemma selected_complement (l : list Z) (b : list bool) :
  length b = length l -> selected b l + selected (map negb b) l = sum l.
Proof.
  revert b. induction l as [| x l IH]; intros [| bx b] Hb; simpl in Hb; try discriminate; [reflexivity |].
  injection Hb as Hb. specialize (IH b Hb). destruct bx; simpl; unfold sum in *; simpl; lia.
Qed.

Lemma count_true_complement (b : list bool) : (count_true (map negb b) = length b - count_true b)%nat.
Proof.
  induction b as [| t b IH]; [reflexivity |]. pose proof (count_true_le b) as H.
  destruct t.
  - change (count_true (map negb (true :: b))) with (count_true (map negb b)).
    change (count_true (true :: b)) with (S (count_true b)). simpl length. lia.
  - change (count_true (map negb (false :: b))) with (S (count_true (map negb b))).
    change (count_true (false :: b)) with (count_true b). simpl length. lia.
Qed.

Lemma sum_app (a b : list Z) : sum (a ++ b) = sum a + sum b.
Proof. induction a as [| x a IH]; simpl; [reflexivity |]. unfold sum in *. simpl. rewrite IH. lia. Qed.

Lemma sum_rev (l : list Z) : sum (rev l) = sum l.
Proof. induction l as [| x l IH]; [reflexivity |]. simpl. rewrite sum_app, IH. unfold sum; simpl; lia. Qed.

(** The [a] largest entries sum to at least any [a] selected entries. *)
Theorem selected_le_largest (l : list Z) (b : list bool) :
  length b = length l -> selected b l <= sum (firstn (count_true b) (rev (sort l))).
Proof.
  intros Hb.
  pose proof (smallest_le_selected l (map negb b) ltac:(rewrite map_length; exact Hb)) as L.
  pose proof (selected_complement l b Hb) as C.
  rewrite count_true_complement in L.
  pose proof (count_true_le b) as Hc.
  rewrite firstn_rev, sum_rev, sort_length, <- Hb.
  pose proof (firstn_skipn (length b - count_true b) (sort l)) as FS.
  assert (T : sum (sort l) = sum (firstn (length b - count_true b) (sort l)) + sum (skipn (length b - count_true b) (sort l))).
  { rewrite <- sum_app, FS. reflexivity. }
  replace (length b - (length b - count_true b))%nat with (count_true b) in * by lia.
  rewrite sort_sum in T. rewrite Hb in *. lia.
Qed.

(** Running sums: entry [a] is the sum of the first [a] entries. *)
Lemma nth_prefix_sums (acc : Z) (s : list Z) (a : nat) :
  (a <= length s)%nat -> nth a (prefix_sums acc s) 0 = acc + sum (firstn a s).
Proof.
  revert acc a. induction s as [| x s IH]; intros acc a Ha; simpl in Ha.
  - replace a with 0%nat by lia. simpl. unfold sum. simpl. lia.
  - destruct a as [| a]; simpl; [unfold sum; simpl; lia |].
    rewrite IH by lia. unfold sum. simpl. lia.
Qed.
