(** * Deciding [well_formed] by computation

    [well_formed_b] checks the shapes of a weights record with booleans, so that a generated
    theorem proves [well_formed weights] by evaluating it. *)

From Coq Require Import Bool Arith List ZArith.
From PyVerify Require Import Semantics.

Definition shaped_b (M : list (list Z)) (rows cols : nat) : bool :=
  Nat.eqb (length M) rows && forallb (fun r => Nat.eqb (length r) cols) M.

Lemma shaped_b_correct (M : list (list Z)) (rows cols : nat) :
  shaped_b M rows cols = true -> shaped M rows cols.
Proof.
  unfold shaped_b, shaped. intros H. apply andb_true_iff in H as [Hrows Hcols].
  split; [apply Nat.eqb_eq; exact Hrows |].
  apply Forall_forall. intros r Hr. rewrite forallb_forall in Hcols. apply Nat.eqb_eq, Hcols, Hr.
Qed.

Definition well_formed_b (w : weights) : bool :=
  shaped_b (W_E w) (d_vocab w) (d_model w) && shaped_b (W_pos w) (n_ctx w) (d_model w) &&
  shaped_b (W_Q w) (d_model w) (d_head w) && shaped_b (W_K w) (d_model w) (d_head w) &&
  shaped_b (W_V w) (d_model w) (d_head w) && shaped_b (W_O w) (d_head w) (d_model w) &&
  shaped_b (W_U w) (d_model w) (d_vocab w).

Lemma well_formed_b_correct (w : weights) : well_formed_b w = true -> well_formed w.
Proof.
  unfold well_formed_b, well_formed. intros H. repeat rewrite andb_true_iff in H.
  destruct H as [[[[[[H1 H2] H3] H4] H5] H6] H7].
  repeat match goal with |- _ /\ _ => split end; apply shaped_b_correct; assumption.
Qed.
