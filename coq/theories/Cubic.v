(** * The certified cubic checker

    The twin of [certify_cubic] in [pyverify/exact/cubic_checker.py] (same names, same loop
    order: for each max token [m], [logit_bounds], then for each query [q <= m], [proven_qm]
    and [count_qm]). A case is a query [q], a max token [m] and the number [copies] of
    non-query positions holding a token below [m]; it is proven when the upper end of

        Num(w) = e_m w c_m + e_q w_q c_q + e_k (W - w) c_k

    is negative at both extreme positional sums [w] (docs/strategies.md, "Cubic").
    [cubic_sound] ([Soundness.v]) proves it never counts an input the real model gets wrong.
    The checker is written once, in [CubicOn] over a carrier of integers ([Carrier.v]):
    [CubicZ] (exported here) is its instance on [Z] that the proof reads, [CubicBig.v] the
    same on BigZ. *)

From Coq Require Import Bool List ZArith NArith.
From PyVerify Require Import Semantics Fixed Exp Tables Sums Carrier Brute.
Import ListNotations.
Open Scope Z_scope.

(** ** Counting the inputs of the proven cases *)

(** [C(n, k)] (Python: [math.comb]). *)
Fixpoint choose (n k : nat) : nat :=
  match n, k with
  | _, O => 1
  | O, Datatypes.S _ => 0
  | Datatypes.S n', Datatypes.S k' => choose n' k' + choose n' k
  end.

(** Inputs with a fixed query and max where exactly [copies] of the [n - 1] non-query
    positions hold one of [choices] non-max tokens (Python: [case_count]). Counts are binary
    ([N]): at V = 64 they reach 16,777,216, far too many for unary [nat]. *)
Definition case_count (n : nat) (query_is_max : bool) (copies choices : nat) : N :=
  if (Nat.ltb (n - 1) copies || (negb query_is_max && Nat.eqb copies (n - 1)))%bool then 0%N
  else (N.of_nat (choose (n - 1) copies) * N.of_nat choices ^ N.of_nat copies)%N.

(** The inputs certified for query [q] and max [m] (Python: [count_qm]). *)
Definition count_qm (rows : list (list bool)) (n m q : nat) : N :=
  ((if nth 0%nat (nth m rows []) false then 1 else 0)
   + fold_right N.add 0
       (map (fun copies => case_count n (Nat.eqb q m) copies
                             (length (filter (fun k => nth copies (nth k rows []) false) (seq 0 m))))
            (seq 1 (n - 1))))%N.

(** For one query: [low[a] <=] the sum of any [a] non-query positional weights [<= high[a]],
    their total [W], and the query position's weight (Python: [Positional]). *)
Record positional (num : Type) := { low : list num; high : list num; total : num * num; query : num * num }.
Arguments low {num}. Arguments high {num}. Arguments total {num}. Arguments query {num}.

(** The checker on any carrier ([Carrier.v]); [CubicZ] below is the one on [Z]. *)
Module CubicOn.
Section On.
Context (C : carrier).
Local Notation num := (num C).

(** ** Positional weights *)

(** Ascending insertion sort, and the running sums [0, x0, x0 + x1, ...] (Python: [sorted],
    the [low]/[high] loops). *)
Fixpoint insert (x : num) (l : list num) : list num :=
  match l with
  | [] => [x]
  | y :: rest => if leb x y then x :: l else y :: insert x rest
  end.
Definition sort (l : list num) : list num := fold_right insert [] l.
Fixpoint prefix_sums (acc : num) (l : list num) : list num :=
  match l with
  | [] => [acc]
  | x :: rest => acc :: prefix_sums (add acc x) rest
  end.

(** Positional weights from a row of [EQKP] (Python: [positional]). *)
Definition positional_of (eqkp_row : list num) (n S : nat) (s : num * num) : positional num :=
  let scores := map (fun raw => scaled_score raw (of_Z (4 * Z.of_nat S)) s) eqkp_row in
  let weights := exp_shifted (max_hi scores) scores in
  let non_query := firstn (n - 1) weights in
  let los := sort (map fst non_query) in
  let his := rev (sort (map snd non_query)) in
  let low := prefix_sums zero los in
  {| low := low; high := prefix_sums zero his; total := (nth (n - 1) low zero, fold_right add zero his);
     query := nth (n - 1) weights (zero, zero) |}.

(** ** Logit bounds *)

(** [max_{o <> m} f o] over [o < V] (Python: [max] over [others]; needs [V >= 2]). *)
Definition max_except (V m : nat) (f : nat -> num) : num :=
  let first := if Nat.eqb m 0 then 1%nat else 0%nat in
  fold_left (fun acc o => if Nat.eqb o m then acc else max acc (f o)) (seq 0 V) (f first).

(** [row[o] - row[m]]. *)
Definition centred (row : list num) (o m : nat) : num := sub (nth o row zero) (nth m row zero).

(** Upper bounds [U[q]] ([q <= m]) and [E[t]] ([t <= m]) in fixed point (Python: [logit_bounds]):
    [U[q] >= max_{o <> m} EUPU[q][o] - EUPU[q][m]] and
    [E[t] >= max_{o <> m} EVOU[t][o] - EVOU[t][m] + max_i (PVOU[i][o] - PVOU[i][m])]. *)
Definition logit_bounds (T : tables C) (S V m : nat) : list num * list num :=
  let PW := map (fun o => match map (fun row => centred row o m) (PVOU T) with
                          | [] => zero
                          | x :: rest => fold_left max rest x
                          end) (seq 0 V) in
  (map (fun q => snd (from_scaled (max_except V m (fun o => centred (nth q (EUPU T) []) o m)) (of_Z (2 * Z.of_nat S))))
       (seq 0 (m + 1)),
   map (fun t => snd (from_scaled (max_except V m (fun o => add (centred (nth t (EVOU T) []) o m) (nth o PW zero)))
                                  (of_Z (4 * Z.of_nat S))))
       (seq 0 (m + 1))).

(** ** Cases *)

(** One extreme ordering (the copies of [m] carry positional weight [w]): the upper end of
    the max-token term plus the query term, and [W - w] (Python: [case_end]). *)
Definition case_end (p : positional num) (e_m : num * num) (c_m query_hi w : num) : num * (num * num) :=
  (add (snd (ival_mul (ival_mul e_m (w, w)) (c_m, c_m))) query_hi, (sub (fst (total p)) w, sub (snd (total p)) w)).

(** Whether [Num < 0] at this end for a non-max token with term [k_term] (Python: [end_holds]). *)
Definition end_holds (k_term : num * num) (end_ : num * (num * num)) : bool :=
  ltb (add (fst end_) (snd (ival_mul k_term (snd end_)))) zero.

(** [rows[k][copies]] for query [q] and max [m]: whether case [(q, m, k, copies)] is proven;
    [rows[m][0]] is the case whose non-query positions all hold [m] (Python: [proven_qm]). *)
Definition proven_qm (T : tables C) (p : positional num) (s : num * num) (S n m q : nat) (bounds : list num * list num)
    : list (list bool) :=
  let '(U, E) := bounds in
  let scores := map (fun t => scaled_score (entry (EQKE T) q t) (of_Z (4 * Z.of_nat S)) s) (seq 0 (m + 1)) in
  let e := exp_shifted (max_hi scores) scores in
  let c := map (fun t => add (nth t E zero) (nth q U zero)) (seq 0 (m + 1)) in
  let query_term := ival_mul (ival_mul (nth q e (zero, zero)) (query p)) (nth q c zero, nth q c zero) in
  let num := ival_mul (ival_mul (nth m e (zero, zero)) (total p)) (nth m c zero, nth m c zero) in
  let all_max := ltb (add (snd num) (snd query_term)) zero in
  let k_terms := map (fun k => ival_mul (nth k e (zero, zero)) (nth k c zero, nth k c zero)) (seq 0 m) in
  let row_k (k : nat) :=
    map (fun copies =>
           if (Nat.eqb copies 0 || (Nat.ltb q m && Nat.eqb copies (n - 1)))%bool then false
           else
             let a := (n - 1 - copies)%nat in
             let ends := [case_end p (nth m e (zero, zero)) (nth m c zero) (snd query_term) (nth a (low p) zero);
                          case_end p (nth m e (zero, zero)) (nth m c zero) (snd query_term) (nth a (high p) zero)] in
             forallb (end_holds (nth k k_terms (zero, zero))) ends)
        (seq 0 n) in
  map row_k (seq 0 m) ++ [all_max :: repeat false (n - 1)].

(** The cases' count for tables [T] and scale [s] (Python: the loops of [certify_cubic]). *)
Definition cubic_count (T : tables C) (s : num * num) (S V n : nat) : N :=
  let pos := map (fun q => positional_of (nth q (EQKP T) []) n S s) (seq 0 V) in
  fold_right N.add 0%N (map (fun m =>
    let bounds := logit_bounds T S V m in
    fold_right N.add 0%N (map (fun q =>
      count_qm (proven_qm T (nth q pos {| low := []; high := []; total := (zero, zero); query := (zero, zero) |})
                          s S n m q bounds)
               n m q) (seq 0 (m + 1)))) (seq 0 V)).
End On.
End CubicOn.

Module CubicZ.
Definition insert := ltac:(carrier_instance ZCarrier CubicOn.insert tt).
Definition sort := ltac:(carrier_instance ZCarrier CubicOn.sort (CubicOn.insert, insert)).
Definition prefix_sums := ltac:(carrier_instance ZCarrier CubicOn.prefix_sums tt).
Definition positional_of := ltac:(carrier_instance ZCarrier CubicOn.positional_of
                                    ((CubicOn.sort, sort), (CubicOn.prefix_sums, prefix_sums))).
Definition max_except := ltac:(carrier_instance ZCarrier CubicOn.max_except tt).
Definition centred := ltac:(carrier_instance ZCarrier CubicOn.centred tt).
Definition logit_bounds := ltac:(carrier_instance ZCarrier CubicOn.logit_bounds
                                   ((CubicOn.max_except, max_except), (CubicOn.centred, centred))).
Definition case_end := ltac:(carrier_instance ZCarrier CubicOn.case_end tt).
Definition end_holds := ltac:(carrier_instance ZCarrier CubicOn.end_holds tt).
Definition proven_qm := ltac:(carrier_instance ZCarrier CubicOn.proven_qm
                                ((CubicOn.case_end, case_end), (CubicOn.end_holds, end_holds))).
Definition cubic_count := ltac:(carrier_instance ZCarrier CubicOn.cubic_count
  ((CubicOn.positional_of, positional_of), ((CubicOn.logit_bounds, logit_bounds), (CubicOn.proven_qm, proven_qm)))).
End CubicZ.
Export CubicZ.

(** The certified cubic count, or [0] if the shapes are wrong, [n_ctx < 2] (a case needs a
    non-query position; Python's [ModelConfig] refuses [n_ctx < 2] too) or [s] does not
    enclose [2^prec / sqrt d_head] (Python: [certify_cubic]). *)
Definition check_cubic (w : weights) (s : ival) : N :=
  if shapes_ok w && Nat.leb 2 (n_ctx w) && check_inv_sqrt (Z.of_nat (d_head w)) s then
    cubic_count (exact_tables w) s (S w) (d_vocab w) (n_ctx w)
  else 0%N.
