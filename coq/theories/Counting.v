(** * Counting the inputs of the cubic checker's cases

    The cubic checker never lists inputs: for a query [q] and a max token [m] it adds
    [C(n - 1, c) G^c] for each number [c] of non-query positions holding a token below [m],
    where [G] is the number of tokens proven for [c] ([Cubic.count_qm]). This file proves that
    the sum is exactly the number of inputs [x] whose case is proven ([case_proven]): all
    sequences over [V] tokens, split by the last token, then by the max token, then by [c],
    and Pascal's rule for [C(k, c) G^c]. *)

From Coq Require Import Bool List Arith Lia NArith.
From PyVerify Require Import Semantics Cubic.
Import ListNotations.

(** [S] is the successor here, not the weights' scale exponent of [Semantics]. *)
Local Notation S := Datatypes.S (only parsing).

Definition count {A : Type} (f : A -> bool) (l : list A) : nat := length (filter f l).
Definition sum_to (V : nat) (f : nat -> nat) : nat := fold_right Nat.add 0 (map f (seq 0 V)).

(** ** Sums and counts *)

Lemma sum_to_succ (V : nat) (f : nat -> nat) : sum_to (S V) f = sum_to V f + f V.
Proof.
  unfold sum_to. rewrite seq_S, map_app, fold_right_app. simpl.
  generalize (map f (seq 0 V)). intros l. induction l as [| a l IH]; simpl; lia.
Qed.

Lemma sum_to_ext (V : nat) (f g : nat -> nat) : (forall t, t < V -> f t = g t) -> sum_to V f = sum_to V g.
Proof.
  intros H. induction V as [| V IH]; [reflexivity |].
  rewrite !sum_to_succ, IH by (intros; apply H; lia). rewrite H by lia. reflexivity.
Qed.

Lemma sum_to_plus (V : nat) (f g : nat -> nat) : sum_to V (fun t => f t + g t) = sum_to V f + sum_to V g.
Proof. induction V as [| V IH]; [reflexivity |]. rewrite !sum_to_succ, IH. lia. Qed.

Lemma sum_to_zero (V : nat) : sum_to V (fun _ => 0) = 0.
Proof. induction V as [| V IH]; [reflexivity |]. rewrite sum_to_succ, IH. reflexivity. Qed.

Lemma sum_to_swap (V W : nat) (f : nat -> nat -> nat) :
  sum_to V (fun i => sum_to W (fun j => f i j)) = sum_to W (fun j => sum_to V (fun i => f i j)).
Proof.
  induction V as [| V IH].
  - unfold sum_to at 1. simpl. symmetry. apply sum_to_zero.
  - rewrite sum_to_succ, IH, <- sum_to_plus. apply sum_to_ext. intros j _. now rewrite sum_to_succ.
Qed.

(** Terms with [q > m] vanish, so the square sum is the triangle [q <= m]. *)
Lemma sum_to_triangle (V : nat) (F : nat -> nat -> nat) :
  (forall q m, m < q -> F q m = 0) ->
  sum_to V (fun q => sum_to V (fun m => F q m)) = sum_to V (fun m => sum_to (m + 1) (fun q => F q m)).
Proof.
  intros H. rewrite sum_to_swap. apply sum_to_ext. intros m Hm.
  assert (G : forall W, m < W -> sum_to W (fun q => F q m) = sum_to (m + 1) (fun q => F q m)).
  { induction W as [| W IH]; intros HW; [lia |]. destruct (Nat.eq_dec W m) as [-> | NE].
    - now replace (m + 1) with (S m) by lia.
    - rewrite sum_to_succ, IH, H by lia. lia. }
  apply G, Hm.
Qed.

Lemma count_app {A : Type} (f : A -> bool) (l1 l2 : list A) : count f (l1 ++ l2) = count f l1 + count f l2.
Proof. unfold count. now rewrite filter_app, app_length. Qed.

Lemma count_map {A B : Type} (f : B -> bool) (g : A -> B) (l : list A) :
  count f (map g l) = count (fun a => f (g a)) l.
Proof. induction l as [| a l IH]; [reflexivity |]. unfold count in *. simpl. destruct (f (g a)); simpl; lia. Qed.

Lemma count_ext {A : Type} (f g : A -> bool) (l : list A) :
  (forall a, In a l -> f a = g a) -> count f l = count g l.
Proof.
  intros H. induction l as [| a l IH]; [reflexivity |]. unfold count in *. simpl.
  rewrite H by (left; reflexivity).
  assert (E : length (filter f l) = length (filter g l)) by (apply IH; intros; apply H; right; assumption).
  destruct (g a); simpl; rewrite E; reflexivity.
Qed.

Lemma count_false {A : Type} (l : list A) : count (fun _ => false) l = 0.
Proof. induction l; [reflexivity | assumption]. Qed.

Lemma count_all_inputs_succ (V k : nat) (P : list nat -> bool) :
  count P (all_inputs V (S k)) = sum_to V (fun t => count (fun y => P (t :: y)) (all_inputs V k)).
Proof.
  simpl all_inputs. unfold sum_to. generalize (seq 0 V). intros ts.
  induction ts as [| t ts IH]; [reflexivity |]. simpl. rewrite count_app, IH, count_map. reflexivity.
Qed.

(** Split the inputs by their last token. *)
Lemma count_snoc (V k : nat) (P : list nat -> bool) :
  count P (all_inputs V (S k)) = sum_to V (fun q => count (fun y => P (y ++ [q])) (all_inputs V k)).
Proof.
  revert P. induction k as [| k IH]; intros P.
  - rewrite count_all_inputs_succ. apply sum_to_ext. intros t _. reflexivity.
  - rewrite count_all_inputs_succ.
    transitivity (sum_to V (fun t => sum_to V (fun q => count (fun y => P (t :: y ++ [q])) (all_inputs V k)))).
    { apply sum_to_ext. intros t _. apply (IH (fun y => P (t :: y))). }
    rewrite sum_to_swap. apply sum_to_ext. intros q _.
    rewrite count_all_inputs_succ. apply sum_to_ext. intros t _. reflexivity.
Qed.

(** Split a list by the value of [g] (below [V]). *)
Lemma count_partition {A : Type} (V : nat) (g : A -> nat) (P : A -> bool) (l : list A) :
  (forall a, In a l -> g a < V) ->
  count P l = sum_to V (fun m => count (fun a => Nat.eqb (g a) m && P a) l).
Proof.
  intros H. induction l as [| a l IH].
  - symmetry. apply sum_to_zero.
  - assert (IH' := IH (fun b Hb => H b (or_intror Hb))).
    transitivity ((if P a then 1 else 0) + count P l); [unfold count; simpl; destruct (P a); reflexivity |].
    rewrite IH'.
    transitivity (sum_to V (fun m => (if Nat.eqb (g a) m && P a then 1 else 0)
                                     + count (fun b => Nat.eqb (g b) m && P b) l)).
    2: { apply sum_to_ext. intros m _. unfold count. simpl. destruct (Nat.eqb (g a) m && P a); reflexivity. }
    rewrite sum_to_plus. f_equal.
    specialize (H a (or_introl eq_refl)).
    assert (S1 : forall W, sum_to W (fun m => if Nat.eqb (g a) m && P a then 1 else 0)
                           = if (g a <? W) && P a then 1 else 0).
    { induction W as [| W IHW]; [reflexivity |]. rewrite sum_to_succ, IHW.
      destruct (P a); rewrite ?andb_true_r, ?andb_false_r; [| reflexivity].
      destruct (Nat.eqb_spec (g a) W), (Nat.ltb_spec (g a) W), (Nat.ltb_spec (g a) (S W)); lia. }
    rewrite S1. destruct (Nat.ltb_spec (g a) V); [| lia]. reflexivity.
Qed.

(** ** The number of inputs of a pattern *)

(** The number of entries of [y] other than [m]. *)
Definition count_neq (m : nat) (y : list nat) : nat := count (fun t => negb (Nat.eqb t m)) y.

(** Every entry of [y] is [m] or allowed by [g]. *)
Definition allowed (m : nat) (g : nat -> bool) (y : list nat) : bool := forallb (fun t => Nat.eqb t m || g t) y.

Lemma sum_to_pattern (V m A B : nat) (g : nat -> bool) :
  sum_to V (fun t => if Nat.eqb t m then A else if g t then B else 0)
  = (if m <? V then A else 0) + count (fun t => negb (Nat.eqb t m) && g t) (seq 0 V) * B.
Proof.
  induction V as [| V IH]; [reflexivity |]. rewrite sum_to_succ, IH, seq_S, count_app.
  assert (C : count (fun t => negb (Nat.eqb t m) && g t) [0 + V]
              = if negb (Nat.eqb V m) && g V then 1 else 0)
    by (unfold count; simpl; destruct (negb (Nat.eqb V m) && g V); reflexivity).
  rewrite C. destruct (Nat.eqb_spec V m) as [-> | NE]; cbn [negb andb].
  - rewrite Nat.ltb_irrefl. destruct (Nat.ltb_spec m (S m)); lia.
  - destruct (Nat.ltb_spec m V), (Nat.ltb_spec m (S V)); try lia; destruct (g V); lia.
Qed.

(** [C(k, c) G^c] sequences of length [k] have exactly [c] entries other than [m], each one of
    the [G] tokens allowed by [g]. *)
Theorem count_pattern (V m k c : nat) (g : nat -> bool) :
  m < V -> g m = false ->
  count (fun y => Nat.eqb (count_neq m y) c && allowed m g y) (all_inputs V k)
  = choose k c * count g (seq 0 V) ^ c.
Proof.
  intros Hm Hg. revert c. induction k as [| k IH]; intros c.
  - destruct c; reflexivity.
  - rewrite count_all_inputs_succ.
    transitivity (sum_to V (fun t => if Nat.eqb t m then choose k c * count g (seq 0 V) ^ c
                                     else if g t then (match c with O => 0 | S c' => choose k c' * count g (seq 0 V) ^ c' end)
                                     else 0)).
    { apply sum_to_ext. intros t _. destruct (Nat.eqb_spec t m) as [-> | NE].
      - rewrite <- IH. apply count_ext. intros y _. unfold count_neq, allowed, count. simpl.
        rewrite Nat.eqb_refl. reflexivity.
      - destruct (g t) eqn:Gt.
        + destruct c as [| c].
          * transitivity (count (fun _ : list nat => false) (all_inputs V k)); [| apply count_false].
            apply count_ext. intros y _. unfold count_neq, allowed, count. simpl.
            apply Nat.eqb_neq in NE. rewrite NE. reflexivity.
          * rewrite <- IH. apply count_ext. intros y _. unfold count_neq, allowed, count. simpl.
            apply Nat.eqb_neq in NE as NE'. rewrite NE', Gt. simpl. reflexivity.
        + transitivity (count (fun _ : list nat => false) (all_inputs V k)); [| apply count_false].
          apply count_ext. intros y _. unfold allowed. simpl.
          apply Nat.eqb_neq in NE. rewrite NE, Gt. simpl. apply andb_false_r. }
    rewrite sum_to_pattern. destruct (Nat.ltb_spec m V); [| lia].
    assert (E : count (fun t => negb (Nat.eqb t m) && g t) (seq 0 V) = count g (seq 0 V)).
    { apply count_ext. intros t _. destruct (Nat.eqb_spec t m) as [-> | _]; [rewrite Hg |]; reflexivity. }
    rewrite E. destruct c as [| c]; simpl.
    + destruct k; simpl; lia.
    + ring.
Qed.

(** ** The checker's count is the number of inputs whose case is proven *)

(** The checkers' table layout ([Cubic.proven_qm], [Subcubic.proven_rows]): one row per token
    below [m], then row [m] with only its entry [0]; so no token [t >= m] is proven for [c >= 1]. *)
Lemma rows_beyond_max (row : nat -> list bool) (x : bool) (n m t c : nat) :
  m <= t -> 1 <= c -> nth c (nth t (map row (seq 0 m) ++ [x :: repeat false (n - 1)]) []) false = false.
Proof.
  intros Ht Hc. rewrite app_nth2 by (rewrite map_length, seq_length; lia). rewrite map_length, seq_length.
  destruct (Nat.eq_dec t m) as [-> | NE].
  - rewrite Nat.sub_diag. simpl. destruct c as [| c]; [lia |]. simpl. apply nth_repeat.
  - destruct (t - m) as [| j] eqn:D; [lia |]. simpl. destruct j, c; reflexivity.
Qed.

(** Whether input [x]'s case is proven, read from [rows q m], the checker's table for query [q]
    and max [m]: either every non-query position holds [m] and that case is proven, or [c >= 1]
    of them hold tokens below [m], each one proven for [c] ([Cubic.proven_qm]'s layout). *)
Definition case_proven (rows : nat -> nat -> list (list bool)) (n : nat) (x : list nat) : bool :=
  let q := nth (n - 1) x 0 in let m := list_max x in
  let y := firstn (n - 1) x in let c := count_neq m y in
  if Nat.eqb c 0 then nth 0 (nth m (rows q m) []) false
  else allowed m (fun t => nth c (nth t (rows q m) []) false) y.

Lemma in_le_list_max (x : nat) (l : list nat) : In x l -> x <= list_max l.
Proof.
  intros H. pose proof (proj1 (list_max_le l (list_max l)) (le_n _)) as F.
  rewrite Forall_forall in F. now apply F.
Qed.

Lemma count_le_length_alt {A : Type} (f : A -> bool) (l : list A) : count f l <= length l.
Proof. induction l as [| a l IH]; [reflexivity |]. unfold count in *. simpl. destruct (f a); simpl; lia. Qed.

Lemma count_all (f : nat -> bool) (l : list nat) : count f l = length l -> forall a, In a l -> f a = true.
Proof.
  induction l as [| b l IH]; intros H a Ha; [destruct Ha |]. unfold count in *. simpl in H.
  pose proof (count_le_length_alt f l) as Le.
  destruct (f b) eqn:Fb; simpl in H.
  - destruct Ha as [<- | Ha]; [exact Fb | apply IH; [lia | exact Ha]].
  - unfold count in Le. lia.
Qed.

Lemma count_over_seq (g : nat -> bool) (m V : nat) :
  m <= V -> (forall t, m <= t -> g t = false) -> count g (seq 0 V) = length (filter g (seq 0 m)).
Proof.
  intros Hm Hg. replace V with (m + (V - m)) by lia. rewrite seq_app, count_app.
  assert (Z : count g (seq (0 + m) (V - m)) = 0).
  { transitivity (count (fun _ => false) (seq (0 + m) (V - m))); [| apply count_false].
    apply count_ext. intros t Ht. apply in_seq in Ht. apply Hg. lia. }
  rewrite Z. unfold count. lia.
Qed.

Lemma count_none (f : nat -> bool) (l : list nat) : count f l = 0 -> forall a, In a l -> f a = false.
Proof.
  induction l as [| b l IH]; intros H a Ha; [destruct Ha |]. unfold count in *. simpl in H.
  destruct (f b) eqn:Fb; simpl in H; [discriminate |].
  destruct Ha as [<- | Ha]; [exact Fb | apply IH; assumption].
Qed.

Lemma count_every (f : nat -> bool) (l : list nat) : (forall a, In a l -> f a = true) -> count f l = length l.
Proof.
  induction l as [| b l IH]; intros H; [reflexivity |]. unfold count in *. simpl.
  rewrite (H b (or_introl eq_refl)). simpl. rewrite IH; [reflexivity |]. intros a Ha. apply H. now right.
Qed.

Lemma allowed_spec (m : nat) (g : nat -> bool) (y : list nat) :
  allowed m g y = true -> forall t, In t y -> t = m \/ g t = true.
Proof.
  unfold allowed. rewrite forallb_forall. intros H t Ht. specialize (H t Ht).
  apply orb_true_iff in H as [H | H]; [left; now apply Nat.eqb_eq | now right].
Qed.

Lemma list_max_snoc (y : list nat) (q : nat) : list_max (y ++ [q]) = Nat.max (list_max y) q.
Proof. rewrite list_max_app. simpl. lia. Qed.

(** With [c >= 1] positions below [m], all allowed, the max of the input is [m] exactly when
    the query is [m] or some non-query position holds [m]. *)
Lemma max_pattern (q m k c : nat) (g : nat -> bool) (y : list nat) :
  length y = k -> q <= m -> (forall t, g t = true -> t < m) ->
  count_neq m y = c -> allowed m g y = true ->
  Nat.eqb (list_max (y ++ [q])) m = (Nat.eqb q m || Nat.ltb c k).
Proof.
  intros Hk Hq Hg Hc Ha. pose proof (allowed_spec m g y Ha) as A.
  assert (Le : list_max y <= m).
  { apply list_max_le, Forall_forall. intros t Ht. destruct (A t Ht) as [-> | G]; [lia | apply Hg in G; lia]. }
  rewrite list_max_snoc. destruct (Nat.eqb_spec q m) as [-> | NE].
  - simpl. apply Nat.eqb_eq. lia.
  - simpl. pose proof (count_le_length_alt (fun t => negb (Nat.eqb t m)) y) as CL. fold (count_neq m y) in CL.
    destruct (Nat.ltb_spec c k).
    + (* some non-query position holds m *)
      assert (In m y).
      { destruct (in_dec Nat.eq_dec m y) as [I | I]; [exact I |]. exfalso.
        assert (count_neq m y = length y).
        { apply count_every. intros a Ha'. apply negb_true_iff, Nat.eqb_neq. intros ->. contradiction. }
        lia. }
      apply Nat.eqb_eq. pose proof (in_le_list_max m y H0). lia.
    + (* every non-query position is below m *)
      assert (All : forall a, In a y -> a < m).
      { intros a Ha'. assert (count_neq m y = length y) by lia.
        pose proof (count_all _ y H0 a Ha') as F. apply negb_true_iff, Nat.eqb_neq in F.
        destruct (A a Ha') as [E | G]; [contradiction | now apply Hg]. }
      apply Nat.eqb_neq. destruct y as [| a y'].
      * simpl in *. lia.
      * assert (list_max (a :: y') < m).
        { apply list_max_lt; [discriminate |]. apply Forall_forall. exact All. }
        lia.
Qed.

Lemma all_inputs_spec (V len : nat) (x : list nat) :
  In x (all_inputs V len) -> length x = len /\ forall t, In t x -> t < V.
Proof.
  revert x. induction len as [| k IH]; intros x Hx; simpl in Hx.
  - destruct Hx as [<- | []]. split; [reflexivity | intros t []].
  - apply in_flat_map in Hx as [t [Ht Hx]]. apply in_map_iff in Hx as [y [<- Hy]].
    apply in_seq in Ht. destruct (IH y Hy) as [L T]. split; [simpl; congruence |].
    intros u [<- | Hu]; [lia | now apply T].
Qed.

Lemma sum_to_shift (k : nat) (f : nat -> nat) : sum_to (S k) f = f 0 + sum_to k (fun c => f (S c)).
Proof. unfold sum_to. simpl. f_equal. rewrite <- seq_shift, map_map. reflexivity. Qed.

Lemma to_nat_sum (h : nat -> N) (l : list nat) :
  N.to_nat (fold_right N.add 0%N (map h l)) = fold_right Nat.add 0 (map (fun c => N.to_nat (h c)) l).
Proof. induction l as [| a l IH]; [reflexivity |]. simpl. rewrite N2Nat.inj_add, IH. reflexivity. Qed.

(** For one query [q] and max [m], [count_qm] counts exactly the inputs whose case is proven. *)
Theorem count_qm_inputs (V k q m : nat) (R : list (list bool)) :
  1 <= k -> q <= m -> m < V ->
  (forall t c, m <= t -> 1 <= c -> nth c (nth t R []) false = false) ->
  count (fun y => Nat.eqb (list_max (y ++ [q])) m &&
                  (if Nat.eqb (count_neq m y) 0 then nth 0 (nth m R []) false
                   else allowed m (fun t => nth (count_neq m y) (nth t R []) false) y))
        (all_inputs V k)
  = N.to_nat (count_qm R (S k) m q).
Proof.
  intros Hk Hq Hm HR.
  rewrite (count_partition (S k) (count_neq m)).
  2: { intros y Hy. destruct (all_inputs_spec V k y Hy) as [L _].
       pose proof (count_le_length_alt (fun t => negb (Nat.eqb t m)) y). unfold count_neq. lia. }
  rewrite sum_to_shift. unfold count_qm. rewrite N2Nat.inj_add. f_equal.
  - (* no position below m: the all-m input *)
    set (r0 := nth 0 (nth m R []) false).
    transitivity (count (fun y => (Nat.eqb (count_neq m y) 0 && allowed m (fun _ => false) y) && r0) (all_inputs V k)).
    { apply count_ext. intros y Hy. destruct (all_inputs_spec V k y Hy) as [L _].
      destruct (Nat.eqb_spec (count_neq m y) 0) as [C | C]; [| reflexivity]. simpl.
      assert (Am : forall a, In a y -> a = m).
      { intros a Ha. pose proof (count_none _ y C a Ha) as F. apply negb_false_iff, Nat.eqb_eq in F. exact F. }
      assert (Al : allowed m (fun _ => false) y = true).
      { unfold allowed. apply forallb_forall. intros t Ht. rewrite (Am t Ht), Nat.eqb_refl. reflexivity. }
      rewrite Al. destruct y as [| a y']; [simpl in L; lia |].
      assert (Mx : list_max ((a :: y') ++ [q]) = m).
      { rewrite list_max_snoc. assert (list_max (a :: y') = m).
        { apply Nat.le_antisymm.
          - apply list_max_le, Forall_forall. intros t Ht. rewrite (Am t Ht). lia.
          - rewrite <- (Am a (or_introl eq_refl)) at 1. apply in_le_list_max. now left. }
        lia. }
      rewrite Mx, Nat.eqb_refl. reflexivity. }
    destruct r0.
    + transitivity (count (fun y => Nat.eqb (count_neq m y) 0 && allowed m (fun _ => false) y) (all_inputs V k)).
      { apply count_ext. intros y _. now rewrite andb_true_r. }
      rewrite count_pattern by (assumption || reflexivity). destruct k; simpl; lia.
    + transitivity (count (fun _ : list nat => false) (all_inputs V k)); [| apply count_false].
      apply count_ext. intros y _. now rewrite andb_false_r.
  - (* c = S c' positions below m *)
    replace (S k - 1) with k by lia. rewrite <- seq_shift, map_map, to_nat_sum.
    unfold sum_to. f_equal. apply map_ext_in. intros c Hc. apply in_seq in Hc.
    set (g := fun t => nth (S c) (nth t R []) false).
    assert (Hg : forall t, g t = true -> t < m).
    { intros t G. destruct (Nat.lt_ge_cases t m) as [L | L]; [exact L |]. unfold g in G. rewrite HR in G by lia. discriminate. }
    assert (Hgm : g m = false) by (unfold g; apply HR; lia).
    transitivity (count (fun y => (Nat.eqb (count_neq m y) (S c) && allowed m g y) && (Nat.eqb q m || Nat.ltb (S c) k))
                        (all_inputs V k)).
    { apply count_ext. intros y Hy. destruct (all_inputs_spec V k y Hy) as [L _].
      destruct (Nat.eqb_spec (count_neq m y) (S c)) as [C | C]; [| reflexivity]. simpl.
      rewrite C. simpl. fold g. destruct (allowed m g y) eqn:A; [| now rewrite andb_false_r].
      rewrite (max_pattern q m k (S c) g y L Hq Hg C A). now rewrite andb_true_r. }
    unfold case_count. replace (S k - 1) with k by lia.
    replace (k <? S c) with false by (symmetry; apply Nat.ltb_ge; lia).
    assert (Good : count g (seq 0 V) = length (filter (fun t => nth (S c) (nth t R []) false) (seq 0 m))).
    { apply count_over_seq; [lia |]. intros t Ht. apply HR; lia. }
    destruct (Nat.eqb q m || Nat.ltb (S c) k) eqn:E.
    + transitivity (count (fun y => Nat.eqb (count_neq m y) (S c) && allowed m g y) (all_inputs V k)).
      { apply count_ext. intros y _. now rewrite andb_true_r. }
      rewrite count_pattern by assumption. rewrite Good.
      replace (negb (Nat.eqb q m) && Nat.eqb (S c) k)%bool with false.
      2: { destruct (Nat.eqb q m); [reflexivity |]. cbn [negb andb orb] in *. apply Nat.ltb_lt in E.
           symmetry. apply Nat.eqb_neq. lia. }
      cbn [negb andb orb]. rewrite N2Nat.inj_mul, N2Nat.inj_pow, !Nat2N.id. reflexivity.
    + transitivity (count (fun _ : list nat => false) (all_inputs V k)); [| rewrite count_false].
      { apply count_ext. intros y _. now rewrite andb_false_r. }
      apply orb_false_iff in E as [E1 E2]. apply Nat.ltb_ge in E2.
      replace (negb (Nat.eqb q m) && Nat.eqb (S c) k)%bool with true.
      2: { rewrite E1. symmetry. apply Nat.eqb_eq. lia. }
      reflexivity.
Qed.

Lemma of_nat_sum (l : list nat) (f : nat -> nat) :
  N.of_nat (fold_right Nat.add 0 (map f l)) = fold_right N.add 0%N (map (fun t => N.of_nat (f t)) l).
Proof. induction l as [| a l IH]; [reflexivity |]. simpl. rewrite Nat2N.inj_add, IH. reflexivity. Qed.

(** The cubic checker's sum of [count_qm] over every max token [m] and query [q <= m] is the
    number of inputs whose case is proven, for any tables [rows q m] laid out as
    [Cubic.proven_qm]'s (no token [t >= m] is proven for [c >= 1]). *)
Theorem count_cases (V n : nat) (rows : nat -> nat -> list (list bool)) :
  2 <= n -> (forall q m t c, m <= t -> 1 <= c -> nth c (nth t (rows q m) []) false = false) ->
  fold_right N.add 0%N (map (fun m => fold_right N.add 0%N (map (fun q => count_qm (rows q m) n m q)
                                                                (seq 0 (m + 1)))) (seq 0 V))
  = N.of_nat (count (case_proven rows n) (all_inputs V n)).
Proof.
  intros Hn HR. destruct n as [| k]; [lia |]. assert (Hk : 1 <= k) by lia.
  rewrite count_snoc.
  set (F q m := count (fun y => Nat.eqb (list_max (y ++ [q])) m && case_proven rows (S k) (y ++ [q]))
                      (all_inputs V k)).
  transitivity (N.of_nat (sum_to V (fun q => sum_to V (fun m => F q m)))).
  2: { f_equal. apply sum_to_ext. intros q Hq. symmetry. apply count_partition. intros y Hy.
       destruct (all_inputs_spec V k y Hy) as [_ T]. rewrite list_max_snoc.
       assert (list_max y < V \/ y = []).
       { destruct y as [| a y']; [now right | left]. apply list_max_lt; [discriminate |].
         apply Forall_forall. exact T. }
       destruct H as [H | ->]; simpl; lia. }
  rewrite sum_to_triangle.
  2: { intros q m Hmq. unfold F. transitivity (count (fun _ : list nat => false) (all_inputs V k)); [| apply count_false].
       apply count_ext. intros y _. rewrite list_max_snoc. destruct (Nat.eqb_spec (Nat.max (list_max y) q) m); [lia |].
       reflexivity. }
  unfold sum_to at 1. rewrite of_nat_sum. f_equal. apply map_ext_in. intros m Hm. apply in_seq in Hm.
  unfold sum_to. rewrite of_nat_sum. f_equal. apply map_ext_in. intros q Hq. apply in_seq in Hq.
  rewrite <- (N2Nat.id (count_qm (rows q m) (S k) m q)). f_equal.
  rewrite <- (count_qm_inputs V k q m (rows q m) Hk ltac:(lia) ltac:(lia) (HR q m)).
  unfold F. apply count_ext. intros y Hy. destruct (all_inputs_spec V k y Hy) as [L _].
  destruct (Nat.eqb_spec (list_max (y ++ [q])) m) as [Mx | _]; [| reflexivity]. simpl.
  unfold case_proven. replace (S k - 1) with k by lia.
  rewrite app_nth2 by lia. replace (k - length y) with 0 by lia.
  rewrite firstn_app, L, Nat.sub_diag, firstn_O, app_nil_r, <- L, firstn_all, Mx. reflexivity.
Qed.
