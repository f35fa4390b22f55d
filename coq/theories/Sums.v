(** * Finite sums, and the model's list vectors read entry by entry

    The soundness proofs rewrite the list-based model of [Semantics.v] into finite sums
    [rsum N f = f 0 + ... + f (N - 1)] over matrix entries, where the algebra (swapping sums,
    pulling factors out) is a few lemmas. Shapes are what make the list functions agree with
    the sums: [shape M r c] says [M] has [r] rows of [c] entries. *)

From Coq Require Import List ZArith Reals Lra Lia.
From PyVerify Require Import Semantics Tables.
Import ListNotations.
Open Scope R_scope.

(** ** Finite sums *)

Definition rsum (N : nat) (f : nat -> R) : R := fold_right Rplus 0 (map f (seq 0 N)).

Lemma rsum_ext (N : nat) (f g : nat -> R) :
  (forall k, (k < N)%nat -> f k = g k) -> rsum N f = rsum N g.
Proof.
  intros H. unfold rsum. f_equal. apply map_ext_in. intros k Hk. apply in_seq in Hk. apply H. lia.
Qed.

Lemma rsum_succ (N : nat) (f : nat -> R) : rsum (Datatypes.S N) f = rsum N f + f N.
Proof.
  unfold rsum. rewrite seq_S, map_app, fold_right_app. simpl.
  generalize (map f (seq 0 N)). intros l. induction l as [| a l IH]; simpl; [ring | rewrite IH; ring].
Qed.

Lemma rsum_shift (N : nat) (f : nat -> R) : rsum (Datatypes.S N) f = f 0%nat + rsum N (fun k => f (Datatypes.S k)).
Proof.
  unfold rsum. simpl. f_equal. rewrite <- seq_shift, map_map. reflexivity.
Qed.

Lemma rsum_zero (N : nat) : rsum N (fun _ => 0) = 0.
Proof. induction N as [| N IH]; [reflexivity |]. rewrite rsum_succ, IH. cbv beta. ring. Qed.

Lemma rsum_plus (N : nat) (f g : nat -> R) : rsum N (fun k => f k + g k) = rsum N f + rsum N g.
Proof. induction N as [| N IH]; [unfold rsum; simpl; ring |]. rewrite !rsum_succ, IH. cbv beta. ring. Qed.

Lemma rsum_minus (N : nat) (f g : nat -> R) : rsum N (fun k => f k - g k) = rsum N f - rsum N g.
Proof. induction N as [| N IH]; [unfold rsum; simpl; ring |]. rewrite !rsum_succ, IH. cbv beta. ring. Qed.

Lemma rsum_mult_l (N : nat) (c : R) (f : nat -> R) : c * rsum N f = rsum N (fun k => c * f k).
Proof. induction N as [| N IH]; [unfold rsum; simpl; ring |]. rewrite !rsum_succ, <- IH. cbv beta. ring. Qed.

Lemma rsum_mult_r (N : nat) (c : R) (f : nat -> R) : rsum N f * c = rsum N (fun k => f k * c).
Proof. induction N as [| N IH]; [unfold rsum; simpl; ring |]. rewrite !rsum_succ, <- IH. cbv beta. ring. Qed.

Lemma rsum_swap (N M : nat) (f : nat -> nat -> R) :
  rsum N (fun i => rsum M (fun j => f i j)) = rsum M (fun j => rsum N (fun i => f i j)).
Proof.
  induction N as [| N IH].
  - unfold rsum at 1. simpl. symmetry. apply rsum_zero.
  - rewrite rsum_succ, IH, <- rsum_plus. apply rsum_ext. intros j _. now rewrite rsum_succ.
Qed.

Lemma rsum_le (N : nat) (f g : nat -> R) :
  (forall k, (k < N)%nat -> f k <= g k) -> rsum N f <= rsum N g.
Proof.
  induction N as [| N IH]; intros H; [unfold rsum; simpl; lra |]. rewrite !rsum_succ.
  apply Rplus_le_compat; [apply IH; intros; apply H; lia | apply H; lia].
Qed.

Lemma rsum_pos (N : nat) (f : nat -> R) :
  (0 < N)%nat -> (forall k, (k < N)%nat -> 0 < f k) -> 0 < rsum N f.
Proof.
  intros HN H. destruct N as [| N]; [lia |]. rewrite rsum_succ.
  assert (0 <= rsum N f).
  { rewrite <- (rsum_zero N). apply rsum_le. intros k Hk. left. apply H. lia. }
  specialize (H N ltac:(lia)). lra.
Qed.

(** Integer sums, read as real sums. *)
Lemma IZR_fold_right_add (N : nat) (f : nat -> Z) :
  IZR (fold_right Z.add 0%Z (map f (seq 0 N))) = rsum N (fun k => IZR (f k)).
Proof.
  assert (G : forall l a, fold_right Z.add a l = (fold_right Z.add 0 l + a)%Z).
  { induction l as [| b l IHl]; intros a; simpl; [lia | rewrite IHl; lia]. }
  induction N as [| N IH]; [reflexivity |]. rewrite rsum_succ, <- IH.
  rewrite seq_S, map_app, fold_right_app. cbn [map fold_right]. rewrite Z.add_0_r, G, plus_IZR.
  reflexivity.
Qed.

(** ** Dot products as sums *)

Lemma dot_rsum (a b : list R) (N : nat) :
  length a = N -> length b = N -> dot a b = rsum N (fun k => nth k a 0 * nth k b 0).
Proof.
  revert b N. induction a as [| x a IH]; intros [| y b] N Ha Hb; simpl in Ha, Hb; subst N;
    try discriminate; [reflexivity |].
  rewrite rsum_shift. unfold dot in *. simpl. rewrite (IH b (length a)) by (simpl; congruence). reflexivity.
Qed.

Lemma IZR_dotZ (a b : list Z) (N : nat) :
  length a = N -> length b = N -> IZR (dotZ a b) = rsum N (fun k => IZR (nth k a 0%Z) * IZR (nth k b 0%Z)).
Proof.
  revert b N. induction a as [| x a IH]; intros [| y b] N Ha Hb; simpl in Ha, Hb; subst N;
    try discriminate; [reflexivity |].
  rewrite rsum_shift. unfold dotZ in *. simpl. rewrite plus_IZR, mult_IZR.
  rewrite (IH b (length a)) by (simpl; congruence). reflexivity.
Qed.

(** ** Shapes and entries *)

Definition shape (M : list (list Z)) (r c : nat) : Prop :=
  length M = r /\ forall row, In row M -> length row = c.

(** [shape], decided (the checkers test it on the weights they are given). *)
Definition shape_b (M : list (list Z)) (r c : nat) : bool :=
  Nat.eqb (length M) r && forallb (fun row => Nat.eqb (length row) c) M.

Lemma shape_b_spec (M : list (list Z)) (r c : nat) : shape_b M r c = true -> shape M r c.
Proof.
  unfold shape_b. intros H. apply andb_prop in H as [H1 H2]. split; [now apply Nat.eqb_eq |].
  intros row Hrow. rewrite forallb_forall in H2. apply Nat.eqb_eq. now apply H2.
Qed.

Lemma shape_row_length (M : list (list Z)) (r c i : nat) :
  shape M r c -> (i < r)%nat -> length (nth i M []) = c.
Proof. intros [HM Hr] Hi. apply Hr, nth_In. lia. Qed.

Lemma columnZ_length (M : list (list Z)) (j : nat) : length (columnZ M j) = length M.
Proof. apply map_length. Qed.

Lemma nth_columnZ (M : list (list Z)) (j k : nat) : nth k (columnZ M j) 0%Z = entry M k j.
Proof.
  unfold columnZ, entry. pose proof (map_nth (fun r => nth j r 0%Z) M [] k) as E.
  destruct j; exact E.
Qed.

Lemma nth_map_in {A B : Type} (f : A -> B) (l : list A) (d : A) (d' : B) (i : nat) :
  (i < length l)%nat -> nth i (map f l) d' = f (nth i l d).
Proof. intros Hi. rewrite (nth_indep _ d' (f d)) by (now rewrite map_length). apply map_nth. Qed.

Lemma nth_seq_map {A : Type} (f : nat -> A) (d : A) (N j : nat) :
  (j < N)%nat -> nth j (map f (seq 0 N)) d = f j.
Proof.
  intros Hj. rewrite (nth_indep _ d (f 0%nat)) by (rewrite map_length, seq_length; exact Hj).
  rewrite map_nth, seq_nth by exact Hj. reflexivity.
Qed.

Lemma transposeZ_row (M : list (list Z)) (cols j : nat) :
  (j < cols)%nat -> nth j (transposeZ M cols) [] = columnZ M j.
Proof. intros Hj. unfold transposeZ. now apply nth_seq_map. Qed.

Lemma transposeZ_length (M : list (list Z)) (cols : nat) : length (transposeZ M cols) = cols.
Proof. unfold transposeZ. now rewrite map_length, seq_length. Qed.

Lemma entry_transposeZ (M : list (list Z)) (cols i j : nat) :
  (i < cols)%nat -> entry (transposeZ M cols) i j = entry M j i.
Proof. intros Hi. unfold entry at 1. rewrite transposeZ_row by exact Hi. apply nth_columnZ. Qed.

Lemma shape_transposeZ (M : list (list Z)) (r c : nat) : shape M r c -> shape (transposeZ M c) c r.
Proof.
  intros [HM _]. split; [apply transposeZ_length |]. intros row Hrow.
  unfold transposeZ in Hrow. apply in_map_iff in Hrow as [j [<- _]]. now rewrite columnZ_length.
Qed.

Lemma shape_matmul (A B : list (list Z)) (r cols : nat) :
  length A = r -> shape (matmul A B cols) r cols.
Proof.
  intros HA. unfold matmul. split; [now rewrite map_length |].
  intros row Hrow. apply in_map_iff in Hrow as [a [<- _]]. now rewrite map_length, transposeZ_length.
Qed.

Lemma dotZ_nil_r (a : list Z) : dotZ a [] = 0%Z.
Proof. destruct a; reflexivity. Qed.

(** An entry of [matmul], as the sum it stands for. *)
Lemma IZR_entry_matmul (A B : list (list Z)) (r K cols i j : nat) :
  shape A r K -> length B = K -> (i < r)%nat -> (j < cols)%nat ->
  IZR (entry (matmul A B cols) i j) = rsum K (fun k => IZR (entry A i k) * IZR (entry B k j)).
Proof.
  intros HA HB Hi Hj. unfold matmul, entry at 1.
  rewrite (nth_map_in _ _ []) by (destruct HA; lia).
  rewrite (nth_map_in _ _ []) by (rewrite transposeZ_length; exact Hj).
  rewrite transposeZ_row by exact Hj.
  rewrite (IZR_dotZ _ _ K); [| now apply (shape_row_length A r) | now rewrite columnZ_length].
  apply rsum_ext. intros k _. now rewrite nth_columnZ.
Qed.

(** The same, scaled: with [A] over [cA] and [B] over [cB], the product is over [cA cB]. *)
Lemma entry_matmul_scaled (A B : list (list Z)) (r K cols i j : nat) (cA cB : R) :
  cA <> 0 -> cB <> 0 -> shape A r K -> length B = K -> (i < r)%nat -> (j < cols)%nat ->
  IZR (entry (matmul A B cols) i j) / (cA * cB)
  = rsum K (fun k => IZR (entry A i k) / cA * (IZR (entry B k j) / cB)).
Proof.
  intros HcA HcB HA HB Hi Hj. rewrite (IZR_entry_matmul A B r K cols i j HA HB Hi Hj).
  unfold Rdiv. rewrite rsum_mult_r. apply rsum_ext. intros k _. field. split; assumption.
Qed.

Lemma nth_zadd (a b : list Z) (j : nat) :
  length a = length b -> nth j (map (fun p => (fst p + snd p)%Z) (combine a b)) 0%Z = (nth j a 0 + nth j b 0)%Z.
Proof.
  revert b j. induction a as [| x a IH]; intros [| y b] j H; simpl in H; try discriminate.
  - destruct j; reflexivity.
  - destruct j; [reflexivity |]. exact (IH b j ltac:(congruence)).
Qed.

(** ** The model's vectors, entry by entry *)

Lemma vadd_length (a b : list R) : length a = length b -> length (vadd a b) = length a.
Proof. intros H. unfold vadd. rewrite map_length, combine_length. lia. Qed.

Lemma nth_vadd (a b : list R) (j : nat) :
  length a = length b -> nth j (vadd a b) 0 = nth j a 0 + nth j b 0.
Proof.
  revert b j. induction a as [| x a IH]; intros [| y b] j H; simpl in H; try discriminate.
  - destruct j; simpl; ring.
  - destruct j; [reflexivity |]. exact (IH b j ltac:(congruence)).
Qed.

Lemma vscale_length (c : R) (a : list R) : length (vscale c a) = length a.
Proof. apply map_length. Qed.

Lemma nth_vscale (c : R) (a : list R) (j : nat) : nth j (vscale c a) 0 = c * nth j a 0.
Proof.
  unfold vscale. rewrite <- (Rmult_0_r c) at 1. rewrite map_nth. reflexivity.
Qed.

Lemma vsum_spec (dim : nat) (vs : list (list R)) :
  (forall v, In v vs -> length v = dim) ->
  length (vsum dim vs) = dim /\
  forall j, nth j (vsum dim vs) 0 = fold_right Rplus 0 (map (fun v => nth j v 0) vs).
Proof.
  induction vs as [| v vs IH]; intros H.
  - split; [apply repeat_length |]. intros j. simpl. destruct (Nat.lt_ge_cases j dim).
    + now apply nth_repeat.
    + apply nth_overflow. rewrite repeat_length. exact H0.
  - destruct IH as [L N]; [intros; apply H; now right |].
    assert (Hv : length v = dim) by (apply H; now left).
    simpl. split.
    + rewrite vadd_length; congruence.
    + intros j. rewrite nth_vadd by congruence. now rewrite N.
Qed.

Lemma vecmat_length (w : weights) (v : list R) (M : list (list Z)) (cols : nat) :
  length (vecmat w v M cols) = cols.
Proof. unfold vecmat. now rewrite map_length, seq_length. Qed.

Lemma nth_column (w : weights) (M : list (list Z)) (j k : nat) :
  nth k (column w M j) 0 = real w (entry M k j).
Proof.
  unfold column, entry. pose proof (map_nth (fun r => real w (nth j r 0%Z)) M [] k) as E.
  cbv beta in E. replace (real w (nth j [] 0%Z)) with 0 in E by (destruct j; unfold real; simpl; unfold Rdiv; ring).
  exact E.
Qed.

(** An entry of [v M] is the sum it stands for. *)
Lemma nth_vecmat (w : weights) (v : list R) (M : list (list Z)) (r cols j : nat) :
  length v = r -> length M = r -> (j < cols)%nat ->
  nth j (vecmat w v M cols) 0 = rsum r (fun k => nth k v 0 * real w (entry M k j)).
Proof.
  intros Hv HM Hj. unfold vecmat. rewrite nth_seq_map by exact Hj.
  rewrite (dot_rsum _ _ r Hv) by (unfold column; now rewrite map_length).
  apply rsum_ext. intros k _. now rewrite nth_column.
Qed.

Lemma row_length (w : weights) (M : list (list Z)) (r c i : nat) :
  shape M r c -> (i < r)%nat -> length (row w M i) = c.
Proof. intros HM Hi. unfold row. rewrite map_length. now apply (shape_row_length M r). Qed.

Lemma nth_row (w : weights) (M : list (list Z)) (i j : nat) : nth j (row w M i) 0 = real w (entry M i j).
Proof.
  unfold row, entry. replace 0 with (real w 0%Z) at 1 by (unfold real; simpl; unfold Rdiv; ring).
  now rewrite map_nth.
Qed.
