(** * What the accuracy theorems are about: the max-of-K model in real arithmetic

    This file is the whole statement side. A reader who trusts Coq and reads this file knows
    exactly what a theorem [well_formed w /\ (N <= correct_count w)%nat] says; the checkers, the interval
    arithmetic and the soundness lemmas appear only in proofs.

    The model (README, "The model"): one layer, one head, attention only, no LayerNorm,
    learned absolute positions, zero biases, the prediction read at the last position.
    Every weight is an exact dyadic rational: an integer over [2^S]. *)

From Coq Require Import Bool Reals List ZArith.
Import ListNotations.
Open Scope R_scope.

(** The exported weights: integer matrices (lists of rows) over one power of two. Shapes:
    [W_E : V x d], [W_pos : n x d], [W_Q W_K W_V : d x h], [W_O : h x d], [W_U : d x V]. *)
Record weights := {
  d_vocab : nat; n_ctx : nat; d_model : nat; d_head : nat;
  S : nat;
  W_E : list (list Z); W_pos : list (list Z);
  W_Q : list (list Z); W_K : list (list Z); W_V : list (list Z); W_O : list (list Z);
  W_U : list (list Z)
}.

(** The real value of one stored integer: [z / 2^S]. *)
Definition real (w : weights) (z : Z) : R := IZR z / 2 ^ S w.

(** Vectors are lists of reals. *)
Definition dot (a b : list R) : R := fold_right Rplus 0 (map (fun p => fst p * snd p) (combine a b)).
Definition vadd (a b : list R) : list R := map (fun p => fst p + snd p) (combine a b).
Definition vscale (c : R) (a : list R) : list R := map (Rmult c) a.
Definition vsum (dim : nat) (vs : list (list R)) : list R := fold_right vadd (repeat 0 dim) vs.

(** Row [i] of a weight matrix, and the vector-matrix product [v M] (M with [cols] columns). *)
Definition row (w : weights) (M : list (list Z)) (i : nat) : list R := map (real w) (nth i M []).
Definition column (w : weights) (M : list (list Z)) (j : nat) : list R :=
  map (fun r => real w (nth j r 0%Z)) M.
Definition vecmat (w : weights) (v : list R) (M : list (list Z)) (cols : nat) : list R :=
  map (fun j => dot v (column w M j)) (seq 0 cols).

Section Model.
Variable w : weights.
Variable x : list nat.  (** an input: [n_ctx w] tokens, each below [d_vocab w] *)

Definition n := n_ctx w.
Definition query := nth (n - 1) x 0%nat.  (** the last token *)

(** The residual stream at position [i]: token embedding plus positional embedding. *)
Definition resid (i : nat) : list R := vadd (row w (W_E w) (nth i x 0%nat)) (row w (W_pos w) i).

(** The last position's query, every position's key and value. *)
Definition q_vec : list R := vecmat w (resid (n - 1)) (W_Q w) (d_head w).
Definition k_vec (i : nat) : list R := vecmat w (resid i) (W_K w) (d_head w).
Definition v_vec (i : nat) : list R := vecmat w (resid i) (W_V w) (d_head w).

(** Attention scores with the real square root, and the softmax with the real exponential. *)
Definition score (i : nat) : R := dot q_vec (k_vec i) / sqrt (INR (d_head w)).
Definition softmax_denominator : R := fold_right Rplus 0 (map (fun i => exp (score i)) (seq 0 n)).
Definition attention (i : nat) : R := exp (score i) / softmax_denominator.

(** The attention output, the residual stream after the head, and the logits. *)
Definition head_out : list R :=
  vecmat w (vsum (d_head w) (map (fun i => vscale (attention i) (v_vec i)) (seq 0 n))) (W_O w) (d_model w).
Definition logits : list R := vecmat w (vadd (resid (n - 1)) head_out) (W_U w) (d_vocab w).
Definition logit (o : nat) : R := nth o logits 0.

(** The answer is the largest token. The input is correct when the answer's logit is strictly
    above every other logit: a tie counts as wrong. *)
Definition answer : nat := list_max x.
Definition correct : Prop := forall o, (o < d_vocab w)%nat -> o <> answer -> logit o < logit answer.

(** The same, as a boolean (the order on [R] is decidable with the standard reals' axioms). *)
Definition correct_b : bool :=
  forallb (fun o => orb (Nat.eqb o answer) (if Rlt_dec (logit o) (logit answer) then true else false))
          (seq 0 (d_vocab w)).
End Model.

(** Every input: all sequences of [len] tokens below [V], in lexicographic order. *)
Fixpoint all_inputs (V len : nat) : list (list nat) :=
  match len with
  | O => [[]]
  | Datatypes.S k => flat_map (fun t => map (cons t) (all_inputs V k)) (seq 0 V)
  end.

(** The number of inputs the model gets right, out of [d_vocab w ^ n_ctx w]. *)
Definition correct_count (w : weights) : nat :=
  length (filter (correct_b w) (all_inputs (d_vocab w) (n_ctx w))).

(** The record is well formed when every matrix has the shape its dimensions declare (then no
    [nth] above falls back to its default and no [combine] truncates). A generated theorem
    states it beside the count. *)
Definition shaped (M : list (list Z)) (rows cols : nat) : Prop :=
  length M = rows /\ Forall (fun r => length r = cols) M.
Definition well_formed (w : weights) : Prop :=
  shaped (W_E w) (d_vocab w) (d_model w) /\ shaped (W_pos w) (n_ctx w) (d_model w) /\
  shaped (W_Q w) (d_model w) (d_head w) /\ shaped (W_K w) (d_model w) (d_head w) /\
  shaped (W_V w) (d_model w) (d_head w) /\ shaped (W_O w) (d_head w) (d_model w) /\
  shaped (W_U w) (d_model w) (d_vocab w).

(** [correct_b] decides [correct]. *)
Lemma correct_b_spec (w : weights) (x : list nat) : correct_b w x = true <-> correct w x.
Proof.
  unfold correct_b, correct. rewrite forallb_forall. split.
  - intros H o Ho Hne. specialize (H o). rewrite in_seq in H.
    assert (Hin : (0 <= o < 0 + d_vocab w)%nat) by (split; [apply Nat.le_0_l | exact Ho]).
    specialize (H Hin). apply Bool.orb_true_iff in H. destruct H as [H | H].
    + apply Nat.eqb_eq in H. contradiction.
    + destruct (Rlt_dec (logit w x o) (logit w x (answer x))); [assumption | discriminate].
  - intros H o Ho. rewrite in_seq in Ho. apply Bool.orb_true_iff.
    destruct (Nat.eq_dec o (answer x)) as [E | E].
    + left. apply Nat.eqb_eq. exact E.
    + right. destruct (Rlt_dec (logit w x o) (logit w x (answer x))) as [_ | N]; [reflexivity |].
      exfalso. apply N. apply H; [destruct Ho; assumption | exact E].
Qed.

(** There are [V ^ len] inputs. *)
Lemma all_inputs_length (V len : nat) : length (all_inputs V len) = (V ^ len)%nat.
Proof.
  induction len as [| k IH]; [reflexivity |].
  simpl all_inputs. rewrite flat_map_concat_map.
  assert (H : forall ts : list nat,
             length (concat (map (fun t => map (cons t) (all_inputs V k)) ts)) = (length ts * V ^ k)%nat).
  { induction ts as [| t ts IHts]; [reflexivity |].
    simpl. rewrite app_length, map_length, IH, IHts. reflexivity. }
  rewrite H, seq_length. reflexivity.
Qed.
