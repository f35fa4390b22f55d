(** * The certified subcubic checker

    The twin of [check_subcubic] in [pyverify/exact/subcubic_checker.py] and of [checkSubcubic]
    in [lean/PyVerify/Subcubic.lean]: the same hints, the same steps (for each max token [m] the
    logit summaries [J1], [J0] and [H], then for each query [q <= m] and each number [c] of
    non-max non-query positions, [case_proven] at the hinted gap). A case [(q, m, c)] at gap [g]
    covers the inputs whose [c] non-max non-query tokens are at most [m - g]; it is proven when

        spread[q][m] + max(J1[m], p_low J1[m] + (1 - p_low) (J0[m] + H[m - g][m])) < 0

    (docs/strategies.md, "Subcubic" and "One certificate, three checkers").

    The hints are an input record and are never trusted ([subcubic_sound] holds for every
    hint): the gaps, the EUPU handling (its code and, for code 0, the row [mu]), and the
    attention split [EQKE = Main + Err], with [Main] either [EQKE] itself or the low-rank
    [sum_r main_q[r][q] main_k[r][k] / den], and a claimed bound [err_bound[q]] on the row spread
    of [Err]. The
    checker recomputes the exact row spread of [Err] and uses the larger of the two, so any
    claim is sound; for the claims Python's handlings make (each proved in docs/strategies.md)
    the larger is the claim itself. *)

From Coq Require Import Bool List ZArith NArith.
From PyVerify Require Import Semantics Fixed Exp Tables Sums Brute Cubic.
Import ListNotations.
Open Scope Z_scope.

(** [2^prec], the fixed-point one (Python: [ONE]). *)
Definition ONE : Z := 2 ^ prec.

(** The search's hints as every subcubic checker reads them (Python: [SubcubicHints]; Lean:
    [SubcubicHints] in [lean/PyVerify/Hints.lean]). [gaps[m][q n + c]] is
    the gap of case [(q, m, c)]; [eupu] is 0 (around the row [mu], over [V 2^S]), 1
    ([max_diff_exact]) or 2 ([global_max_diff_exact]); [main_exact] says [Main = EQKE],
    otherwise [Main[q][k] = sum_r main_q[r][q] main_k[r][k]] over [den] (a rank-one term per
    [r]); [err_bound[q]] is over [den]. *)
Record hints := {
  eupu : nat; mu : list Z; drop_query : bool; gaps : list (list nat);
  main_exact : bool; main_q : list (list Z); main_k : list (list Z); den : Z; err_bound : list Z
}.

(** ** Lists of integers *)

(** The largest and the smallest entry ([0] for the empty list) (Python: [max], [min]). *)
Definition list_maxZ (l : list Z) : Z := match l with [] => 0 | x :: r => fold_left Z.max r x end.
Definition list_minZ (l : list Z) : Z := match l with [] => 0 | x :: r => fold_left Z.min r x end.

(** [max(row) - min(row)] (Python: [_row_range]). *)
Definition row_range (row : list Z) : Z := list_maxZ row - list_minZ row.

(** [sum_{k < N} f k]. *)
Definition zsum (N : nat) (f : nat -> Z) : Z := fold_right Z.add 0 (map f (seq 0 N)).

(** The running maximum: entry [j] is the largest of the first [j + 1] entries (Python: the
    [prefix_max] loop, and the [H] recurrence). *)
Fixpoint running_from (acc : Z) (l : list Z) : list Z :=
  match l with
  | [] => []
  | x :: rest => Z.max acc x :: running_from (Z.max acc x) rest
  end.
Definition running_max (l : list Z) : list Z :=
  match l with [] => [] | x :: rest => x :: running_from x rest end.

(** [ceil(a / b)] for [b > 0]. *)
Definition ceil_div (a b : Z) : Z := - ((- a) / b).

(** ** Logit summaries, over [V 2^(4S)] *)

(** The row [M[o]] the direct path is split around (Python: [logit_summaries], [M]). *)
Definition eupu_M (w : weights) (h : hints) (o : nat) : Z :=
  if Nat.eqb (eupu h) 0
  then zsum (d_model w) (fun j => nth j (mu h) 0 * entry (W_U w) j o) * 2 ^ (2 * Z.of_nat (S w))
  else 0.

(** [spread[q][m]]: with [M], it bounds [V 2^(2S) (EUPU[q][o] - EUPU[q][m])] for every [o <> m]
    (Python: [logit_summaries], [spread]). [W_EP] is [resid_query w], [U_range] the row ranges of
    [W_U] and [widest] is [eupu_widest T], computed once by the caller. *)
Definition eupu_spread (w : weights) (T : tables) (h : hints) (W_EP : list (list Z)) (U_range : list Z)
    (widest : Z) (q m : nat) : Z :=
  let V := d_vocab w in
  let up := Z.of_nat V * 2 ^ (2 * Z.of_nat (S w)) in
  match eupu h with
  | O => zsum (d_model w) (fun j => Z.abs (Z.of_nat V * entry W_EP q j - nth j (mu h) 0)
                                    * nth j U_range 0) * 2 ^ (2 * Z.of_nat (S w))
  | 1%nat => max_except V m (fun o => centred (nth q (EUPU T) []) o m) * up
  | _ => widest * up
  end.

(** The widest row range of [EUPU] ([global_max_diff_exact]). *)
Definition eupu_widest (T : tables) : Z := list_maxZ (map row_range (EUPU T)).

(** [J1[m]], [J0[m]] and the running maximum [H[.][m]] over [k <= m] (Python: the same names;
    [PW[o][m]] is [V max_i (PVOU[i][o] - PVOU[i][m])]). *)
Record summaries := { J1 : Z; J0 : Z; H : list Z }.

Definition logit_summaries (w : weights) (T : tables) (Ms : list Z) (m : nat) : summaries :=
  let V := d_vocab w in let Vz := Z.of_nat V in
  let PW := map (fun o => Vz * list_maxZ (map (fun row => centred row o m) (PVOU T))) (seq 0 V) in
  let Md (o : nat) := nth o Ms 0 - nth m Ms 0 + nth o PW 0 in
  {| J1 := max_except V m (fun o => Md o + Vz * centred (nth m (EVOU T) []) o m);
     J0 := max_except V m Md;
     H := running_max (map (fun k => max_except V m (fun o => Vz * centred (nth k (EVOU T) []) o m))
                           (seq 0 (m + 1))) |}.

(** ** The attention split, per query *)

(** Row [q] of [Main], over [den'] (Python: [checked_split]). *)
Definition main_row (T : tables) (h : hints) (V q : nat) : list Z :=
  if main_exact h then nth q (EQKE T) []
  else map (fun k => fold_right Z.add 0 (map (fun '(a, b) => nth q a 0 * nth k b 0) (combine (main_q h) (main_k h))))
           (seq 0 V).
(** Every row of [Main]. *)
Definition main_rows (T : tables) (h : hints) (V : nat) : list (list Z) := map (main_row T h V) (seq 0 V).
Definition main_den (S : nat) (h : hints) : Z := if main_exact h then 2 ^ (4 * Z.of_nat S) else den h.

(** The bound on the row spread of [Err = EQKE - Main] the checker uses: the hint [err_bound[q]], or
    the exact spread if that is larger (over [den']); [main] is row [q] of [Main] (Lean: [rUsed]). *)
Definition R_used (T : tables) (h : hints) (S V q : nat) (main : list Z) : Z :=
  let P := 2 ^ (4 * Z.of_nat S) in let dn := main_den S h in
  let err := map (fun k => entry (EQKE T) q k * dn - nth k main 0 * P) (seq 0 V) in
  Z.max (nth q (err_bound h) 0) (ceil_div (row_range err) P).

(** A fixed-point lower bound of [(num / den)] times the scale, for [den > 0] (Python:
    [scaled_lower]), with the division [divf] ([Z.div]; [SubcubicBig.v] passes it computed on
    BigZ). *)
Definition scaled_lower (divf : Z -> Z -> Z) (num den : Z) (s : ival) : Z :=
  divf (num * (if 0 <=? num then fst s else snd s)) den.

(** One query's positional scores: the non-query lower ends ascending, the non-query upper ends
    descending, and the query position's interval (Python: [query_scores]). *)
Record query_scores := { lows : list Z; highs : list Z; qscore : ival }.

Definition query_scores_of (eqkp_row : list Z) (n S : nat) (s : ival) : query_scores :=
  let scores := map (fun raw => scaled_score raw (4 * Z.of_nat S) s) eqkp_row in
  let non_query := firstn (n - 1) scores in
  {| lows := sort (map fst non_query); highs := rev (sort (map snd non_query));
     qscore := nth (n - 1) scores (0, 0) |}.

(** ** Cases *)

(** Whether case [(q, m, c)] is proven at gap [g] ([g = 0]: the case with no non-max token)
    (Python: [case_proven]). [p_low = S_M / (S_M + e^-d S_N [+ e^-d_query w_q])] with the
    exponents taken relative to their largest ([base]), as a log-sum-exp. [expf] is the exp
    enclosure [exp_nonpos], passed in so that [SubcubicBig.v] can compute it on BigZ. *)
Definition case_proven (expf : Z -> ival) (divf : Z -> Z -> Z) (spread J1 J0H : Z) (main pm : list Z) (Rq den : Z) (pos : query_scores) (s : ival)
    (drop_query : bool) (n q m c g : nat) : bool :=
  let a := (n - 1 - c)%nat in
  let p_low :=
    if Nat.eqb q m && Nat.eqb c 0 then ONE
    else
      let d := scaled_lower divf (nth m main 0 - nth (m - g) pm 0 - Rq) den s in
      let d_query := if drop_query then d else scaled_lower divf (nth m main 0 - nth q main 0 - Rq) den s in
      let num_exps := firstn a (lows pos) ++ (if Nat.eqb q m then [fst (qscore pos)] else []) in
      let other_exps := map (fun hi => hi - d) (firstn c (highs pos))
                        ++ (if Nat.eqb q m then [] else [snd (qscore pos) - d_query]) in
      let base := list_maxZ (num_exps ++ other_exps) in
      let num := fold_right Z.add 0 (map (fun z => fst (expf (z - base))) num_exps) in
      let other := fold_right Z.add 0 (map (fun z => snd (expf (z - base))) other_exps) in
      if 0 <? num then Z.min (divf (num * ONE) (num + other)) ONE else 0 in
  let worst := if J0H <=? J1 then J1 * ONE else J0H * ONE + p_low * (J1 - J0H) in
  spread * ONE + worst <? 0.

(** The subcubic gap rule (Python: [gap_is_legal]). *)
Definition gap_legal (q m c g : nat) : bool :=
  Nat.leb 1 g && ((Nat.eqb q m && Nat.eqb c 0) || Nat.leb g (if Nat.eqb q m then m else m - q)).

(** Per query [q] and max [m], the table [Cubic.count_qm] counts: row [t < m] says for each
    [c >= 1] whether [c] copies of token [t] are covered by a proven case (its gap allows [t]),
    row [m] whether the case with no non-max non-query token is proven (Python:
    [subcubic_block]'s [proven] and [case_count (n, q = m, c, m + 1 - g)]). *)
Definition proven_rows (expf : Z -> ival) (divf : Z -> Z -> Z) (w : weights) (h : hints) (s : ival) (spread : Z) (L : summaries)
    (pos : query_scores) (main : list Z) (Rq : nat -> Z) (q m : nat) : list (list bool) :=
  let n := n_ctx w in
  let pm := running_max main in
  let cases := map (fun c =>
      let g := nth (q * n + c) (nth m (gaps h) []) 0%nat in
      let g_case := if Nat.eqb q m && Nat.eqb c 0 then 0%nat else g in
      (gap_legal q m c g
       && case_proven expf divf spread (J1 L) (J0 L + nth (m - g_case) (H L) 0) main pm (Rq q)
                      (main_den (S w) h) pos s (drop_query h) n q m c g_case, g_case))
      (seq 0 n) in
  map (fun t => map (fun c => if Nat.eqb c 0 then false
                              else fst (nth c cases (false, 0%nat)) && Nat.leb t (m - snd (nth c cases (false, 0%nat))))
                    (seq 0 n))
      (seq 0 m)
  ++ [fst (nth 0 cases (false, 0%nat)) :: repeat false (n - 1)].

(** The hints name known handlings with the shapes they need. *)
Definition hints_ok (w : weights) (h : hints) : bool :=
  Nat.leb (eupu h) 2 && (negb (Nat.eqb (eupu h) 0) || Nat.eqb (length (mu h)) (d_model w))
  && (main_exact h || (0 <? den h)).

(** The certified subcubic count, or [0] if the shapes are wrong, [n_ctx < 2], [s] does not
    enclose [2^prec / sqrt d_head] or the hints are malformed (Python: [check_subcubic]), with
    the exp enclosure [expf], the division [divf], the tables [tablesf] and the rows of [Main]
    [mainsf] given ([check_subcubic] below gives [exp_nonpos], [Z.div], [exact_tables] and
    [main_rows]; [SubcubicBig.v] the same computed on BigZ). *)
Definition check_subcubic_with (expf : Z -> ival) (divf : Z -> Z -> Z) (tablesf : weights -> tables)
    (mainsf : tables -> hints -> nat -> list (list Z)) (w : weights) (s : ival) (h : hints) : N :=
  if shapes_ok w && Nat.leb 2 (n_ctx w) && check_inv_sqrt (Z.of_nat (d_head w)) s && hints_ok w h then
    let T := tablesf w in
    let V := d_vocab w in let n := n_ctx w in
    let Ms := map (eupu_M w h) (seq 0 V) in
    let mains := mainsf T h V in
    let Rs := map (fun q => R_used T h (S w) V q (nth q mains [])) (seq 0 V) in
    let pos := map (fun q => query_scores_of (nth q (EQKP T) []) n (S w) s) (seq 0 V) in
    let W_EP := resid_query w in
    let U_range := map row_range (W_U w) in
    let widest := eupu_widest T in
    fold_right N.add 0%N (map (fun m =>
      let L := logit_summaries w T Ms m in
      fold_right N.add 0%N (map (fun q =>
        count_qm (proven_rows expf divf w h s (eupu_spread w T h W_EP U_range widest q m) L (nth q pos {| lows := []; highs := []; qscore := (0, 0) |})
                              (nth q mains []) (fun q => nth q Rs 0) q m) n m q) (seq 0 (m + 1)))) (seq 0 V))
  else 0%N.

(** The certified subcubic count. *)
Definition check_subcubic : weights -> ival -> hints -> N := check_subcubic_with exp_nonpos Z.div exact_tables main_rows.
