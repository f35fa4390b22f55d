(** * The certified cubic checker

    The twin of [certify_cubic] in [pyverify/exact/cubic_checker.py] (same names, same loop
    order: for each max token [m], [logit_bounds], then for each query [q <= m], [proven_qm]
    and [count_qm]). A case is a query [q], a max token [m] and the number [copies] of
    non-query positions holding a token below [m]; it is proven when the upper end of

        Num(w) = e_m w c_m + e_q w_q c_q + e_k (W - w) c_k

    is negative at both extreme positional sums [w] (docs/strategies.md, "Cubic"). Its
    soundness proof ([cubic_sound]) is the next step; until then this count is checked against
    Python's by differential tests only. *)

From Coq Require Import Bool List ZArith NArith.
From PyVerify Require Import Semantics Fixed Exp Tables Sums Brute.
Import ListNotations.
Open Scope Z_scope.

(** ** Positional weights *)

(** Ascending insertion sort, and the running sums [0, x0, x0 + x1, ...] (Python: [sorted],
    the [low]/[high] loops). *)
Fixpoint insert (x : Z) (l : list Z) : list Z :=
  match l with
  | [] => [x]
  | y :: rest => if x <=? y then x :: l else y :: insert x rest
  end.
Definition sort (l : list Z) : list Z := fold_right insert [] l.
Fixpoint prefix_sums (acc : Z) (l : list Z) : list Z :=
  match l with
  | [] => [acc]
  | x :: rest => acc :: prefix_sums (acc + x) rest
  end.

(** For one query: [low[a] <=] the sum of any [a] non-query positional weights [<= high[a]],
    their total [W], and the query position's weight (Python: [Positional]). *)
Record positional := { low : list Z; high : list Z; total : ival; query : ival }.

(** Positional weights from a row of [EQKP] (Python: [positional]). *)
Definition positional_of (eqkp_row : list Z) (n S : nat) (s : ival) : positional :=
  let scores := map (fun raw => scaled_score raw (4 * Z.of_nat S) s) eqkp_row in
  let weights := exp_shifted (max_hi scores) scores in
  let non_query := firstn (n - 1) weights in
  let los := sort (map fst non_query) in
  let his := rev (sort (map snd non_query)) in
  let low := prefix_sums 0 los in
  {| low := low; high := prefix_sums 0 his; total := (nth (n - 1) low 0, fold_right Z.add 0 his);
     query := nth (n - 1) weights (0, 0) |}.

(** ** Logit bounds *)

(** [max_{o <> m} f o] over [o < V] (Python: [max] over [others]; needs [V >= 2]). *)
Definition max_except (V m : nat) (f : nat -> Z) : Z :=
  let first := if Nat.eqb m 0 then 1%nat else 0%nat in
  fold_left (fun acc o => if Nat.eqb o m then acc else Z.max acc (f o)) (seq 0 V) (f first).

(** [row[o] - row[m]]. *)
Definition centred (row : list Z) (o m : nat) : Z := nth o row 0 - nth m row 0.

(** Upper bounds [U[q]] ([q <= m]) and [E[t]] ([t <= m]) in fixed point (Python: [logit_bounds]):
    [U[q] >= max_{o <> m} EUPU[q][o] - EUPU[q][m]] and
    [E[t] >= max_{o <> m} EVOU[t][o] - EVOU[t][m] + max_i (PVOU[i][o] - PVOU[i][m])]. *)
Definition logit_bounds (T : tables) (S V m : nat) : list Z * list Z :=
  let PW := map (fun o => match map (fun row => centred row o m) (PVOU T) with
                          | [] => 0
                          | x :: rest => fold_left Z.max rest x
                          end) (seq 0 V) in
  (map (fun q => snd (from_scaled (max_except V m (fun o => centred (nth q (EUPU T) []) o m)) (2 * Z.of_nat S)))
       (seq 0 (m + 1)),
   map (fun t => snd (from_scaled (max_except V m (fun o => centred (nth t (EVOU T) []) o m + nth o PW 0))
                                  (4 * Z.of_nat S)))
       (seq 0 (m + 1))).

(** ** Cases *)

(** One extreme ordering (the copies of [m] carry positional weight [w]): the upper end of
    the max-token term plus the query term, and [W - w] (Python: [case_end]). *)
Definition case_end (p : positional) (e_m : ival) (c_m query_hi w : Z) : Z * ival :=
  (snd (mul (mul e_m (w, w)) (c_m, c_m)) + query_hi, (fst (total p) - w, snd (total p) - w)).

(** Whether [Num < 0] at this end for a non-max token with term [k_term] (Python: [end_holds]). *)
Definition end_holds (k_term : ival) (end_ : Z * ival) : bool :=
  fst end_ + snd (mul k_term (snd end_)) <? 0.

(** [rows[k][copies]] for query [q] and max [m]: whether case [(q, m, k, copies)] is proven;
    [rows[m][0]] is the case whose non-query positions all hold [m] (Python: [proven_qm]). *)
Definition proven_qm (T : tables) (p : positional) (s : ival) (S n m q : nat) (bounds : list Z * list Z)
    : list (list bool) :=
  let '(U, E) := bounds in
  let scores := map (fun t => scaled_score (entry (EQKE T) q t) (4 * Z.of_nat S) s) (seq 0 (m + 1)) in
  let e := exp_shifted (max_hi scores) scores in
  let c := map (fun t => nth t E 0 + nth q U 0) (seq 0 (m + 1)) in
  let query_term := mul (mul (nth q e (0, 0)) (query p)) (nth q c 0, nth q c 0) in
  let num := mul (mul (nth m e (0, 0)) (total p)) (nth m c 0, nth m c 0) in
  let all_max := snd num + snd query_term <? 0 in
  let k_terms := map (fun k => mul (nth k e (0, 0)) (nth k c 0, nth k c 0)) (seq 0 m) in
  let row_k (k : nat) :=
    map (fun copies =>
           if (Nat.eqb copies 0 || (Nat.ltb q m && Nat.eqb copies (n - 1)))%bool then false
           else
             let a := (n - 1 - copies)%nat in
             let ends := [case_end p (nth m e (0, 0)) (nth m c 0) (snd query_term) (nth a (low p) 0);
                          case_end p (nth m e (0, 0)) (nth m c 0) (snd query_term) (nth a (high p) 0)] in
             forallb (end_holds (nth k k_terms (0, 0))) ends)
        (seq 0 n) in
  map row_k (seq 0 m) ++ [all_max :: repeat false (n - 1)].

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

(** The certified cubic count, or [0] if the shapes are wrong, [n_ctx < 2] (a case needs a
    non-query position; Python's [ModelConfig] refuses [n_ctx < 2] too) or [s] does not
    enclose [2^prec / sqrt d_head] (Python: [certify_cubic]). *)
Definition check_cubic (w : weights) (s : ival) : N :=
  if shapes_ok w && Nat.leb 2 (n_ctx w) && check_inv_sqrt (Z.of_nat (d_head w)) s then
    let T := exact_tables w in
    let V := d_vocab w in let n := n_ctx w in
    let pos := map (fun q => positional_of (nth q (EQKP T) []) n (S w) s) (seq 0 V) in
    fold_right N.add 0%N (map (fun m =>
      let bounds := logit_bounds T (S w) V m in
      fold_right N.add 0%N (map (fun q =>
        count_qm (proven_qm T (nth q pos {| low := []; high := []; total := (0, 0); query := (0, 0) |}) s (S w) n m q bounds)
                 n m q) (seq 0 (m + 1)))) (seq 0 V))
  else 0%N.
