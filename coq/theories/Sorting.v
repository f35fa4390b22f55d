(** * Sums of the smallest and of the largest entries

    The cubic checker bounds the positional weight of any [a] non-query positions by the sum
    of the [a] smallest lower ends ([low[a]]) and the sum of the [a] largest upper ends
    ([high[a]]), read from running sums of a sorted list ([Cubic.positional_of]). This file
    proves those two facts: for a selection [b] (a list of booleans) of [a] entries of [l],
    [sum (firstn a (sort l)) <= selected b l <= sum (firstn a (rev (sort l)))], as the case
    [phi = IZR] of the same bounds for the sum of any non-decreasing real function [phi] of the
    entries (the subcubic checker sorts positional scores, then takes exponentials). *)

From Coq Require Import List ZArith Lia Reals Lra.
From PyVerify Require Import Sums Cubic.
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

Lemma insert_length (x : Z) (s : list Z) : length (insert x s) = S (length s).
Proof. induction s as [| y s IH]; simpl; [reflexivity |]. destruct (x <=? y); simpl; congruence. Qed.

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

Lemma forall_nth (x : Z) (s : list Z) (k : nat) : Forall (Z.le x) s -> (k < length s)%nat -> x <= nth k s 0.
Proof. intros H Hk. rewrite Forall_forall in H. apply H, nth_In, Hk. Qed.

Lemma count_true_complement (b : list bool) : (count_true (map negb b) = length b - count_true b)%nat.
Proof.
  induction b as [| t b IH]; [reflexivity |]. pose proof (count_true_le b) as H.
  destruct t.
  - change (count_true (map negb (true :: b))) with (count_true (map negb b)).
    change (count_true (true :: b)) with (S (count_true b)). simpl length. lia.
  - change (count_true (map negb (false :: b))) with (S (count_true (map negb b))).
    change (count_true (false :: b)) with (count_true b). simpl length. lia.
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

(** ** The bounds, for any non-decreasing function of the entries *)

Local Open Scope R_scope.

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

(** ** The same for the entries themselves *)

Lemma IZR_sum (l : list Z) : IZR (sum l) = rsumf IZR l.
Proof. induction l as [| x l IH]; [reflexivity |]. unfold sum in *. simpl. rewrite plus_IZR, IH. reflexivity. Qed.

Lemma IZR_selected (b : list bool) (l : list Z) : IZR (selected b l) = rsel IZR b l.
Proof.
  revert l. induction b as [| t b IH]; intros [| x l]; try reflexivity; [destruct t; reflexivity |].
  destruct t; simpl; [rewrite plus_IZR, IH; reflexivity | apply IH].
Qed.

(** The [a] smallest entries sum to at most any [a] selected entries. *)
Theorem smallest_le_selected (l : list Z) (b : list bool) :
  length b = length l -> (sum (firstn (count_true b) (sort l)) <= selected b l)%Z.
Proof.
  intros Hb. apply le_IZR. rewrite IZR_sum, IZR_selected.
  apply smallest_le_selected_R; [intros a c; apply IZR_le | exact Hb].
Qed.

(** The [a] largest entries sum to at least any [a] selected entries. *)
Theorem selected_le_largest (l : list Z) (b : list bool) :
  length b = length l -> (selected b l <= sum (firstn (count_true b) (rev (sort l))))%Z.
Proof.
  intros Hb. apply le_IZR. rewrite IZR_sum, IZR_selected.
  apply selected_le_largest_R; [intros a c; apply IZR_le | exact Hb].
Qed.
