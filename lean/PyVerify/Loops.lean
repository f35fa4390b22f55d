prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics

/-!
# Loops written for the kernel

Every loop of the checkers is one of these: a recursor (`Bool.rec`, `Nat.rec`, `List.rec`)
applied directly, with `Nat.add`, `Nat.sub` and `Nat.beq` called by name. The kernel reduces
these faster than `match`, structural recursion or `+` notation (issue 12: a 100k-step loop
took 7.3 s with `+` and structural recursion, 2.0 s with `Nat.rec`). The compiler does not run
recursors, so every definition of the library is `noncomputable`: certificates are checked by
`decide +kernel`, by the kernel alone.
-/

namespace PyVerify

universe u v w z

/-- `t` if `b`, else `f`; only the chosen one is evaluated (Python: `bool`, as in `t if b else f`). -/
noncomputable def pick {α : Type u} (b : Bool) (t f : α) : α :=
  @Bool.rec (fun (_ : Bool) => α) f t b

/-- `[a, a+1, ..., a+n-1]` (Python: `range`). -/
noncomputable def rangeFrom (a n : Nat) : List Nat :=
  @Nat.rec (fun (_ : Nat) => Nat → List Nat) (fun (_ : Nat) => List.nil)
    (fun (_ : Nat) (ih : Nat → List Nat) (b : Nat) => List.cons b (ih (Nat.add b 1))) n a

/-- `[0, 1, ..., n-1]` (Python: `range`). -/
noncomputable def range (n : Nat) : List Nat := rangeFrom 0 n

/-- Apply `f` to every element (Python: `map`). -/
noncomputable def mapL {α : Type u} {β : Type v} (f : α → β) (xs : List α) : List β :=
  @List.rec α (fun (_ : List α) => List β) List.nil
    (fun (x : α) (_ : List α) (ih : List β) => List.cons (f x) ih) xs

/-- `f x y` for the pairs of two lists, up to the shorter one (Python: `map`, over `zip`). -/
noncomputable def zipWithL {α : Type u} {β : Type v} {γ : Type w} (f : α → β → γ) (xs : List α) (ys : List β) :
    List γ :=
  @List.rec α (fun (_ : List α) => List β → List γ) (fun (_ : List β) => List.nil)
    (fun (x : α) (_ : List α) (ih : List β → List γ) (zs : List β) =>
      @List.rec β (fun (_ : List β) => List γ) List.nil
        (fun (y : β) (rest : List β) (_ : List γ) => List.cons (f x y) (ih rest)) zs)
    xs ys

/-- `f x y z` for the triples of three lists, up to the shortest (Python: `map`, over `zip`). -/
noncomputable def zipWith3L {α : Type u} {β : Type v} {γ : Type w} {δ : Type z} (f : α → β → γ → δ)
    (xs : List α) (ys : List β) (zs : List γ) : List δ :=
  @List.rec α (fun (_ : List α) => List β → List γ → List δ) (fun (_ : List β) (_ : List γ) => List.nil)
    (fun (x : α) (_ : List α) (ih : List β → List γ → List δ) (ysAll : List β) (zsAll : List γ) =>
      @List.rec β (fun (_ : List β) => List δ) List.nil
        (fun (y : β) (ysRest : List β) (_ : List δ) =>
          @List.rec γ (fun (_ : List γ) => List δ) List.nil
            (fun (c : γ) (zsRest : List γ) (_ : List δ) => List.cons (f x y c) (ih ysRest zsRest)) zsAll) ysAll)
    xs ys zs

/-- Rows combined entry by entry with `f` (the first row alone if there is one; `[]` if none)
(Python: `map`, over `zip` of the rows). -/
noncomputable def combineRows {α : Type u} (f : α → α → α) (rows : List (List α)) : List α :=
  @List.rec (List α) (fun (_ : List (List α)) => List α) List.nil
    (fun (row : List α) (rest : List (List α)) (_ : List α) =>
      @List.rec (List α) (fun (_ : List (List α)) => List α) row
        (fun (r : List α) (_ : List (List α)) (ih : List α) => zipWithL f r ih) rest) rows

/-- The list without its first element (Python: `operator.getitem`, the slice `xs[1:]`). -/
noncomputable def tailL {α : Type u} (xs : List α) : List α :=
  @List.rec α (fun (_ : List α) => List α) List.nil (fun (_ : α) (rest : List α) (_ : List α) => rest) xs

/-- The first element, or `d` for an empty list (Python: `operator.getitem`, `xs[0]`). -/
noncomputable def headD {α : Type u} (xs : List α) (d : α) : α :=
  @List.rec α (fun (_ : List α) => α) d (fun (x : α) (_ : List α) (_ : α) => x) xs

/-- The element at index `i`, or `d` past the end (Python: `operator.getitem`). -/
noncomputable def getD {α : Type u} (xs : List α) (i : Nat) (d : α) : α :=
  @List.rec α (fun (_ : List α) => Nat → α) (fun (_ : Nat) => d)
    (fun (x : α) (_ : List α) (ih : Nat → α) (k : Nat) => pick (Nat.beq k 0) x (ih (Nat.sub k 1))) xs i

/-- The first `n` elements (Python: `operator.getitem`, the slice `xs[:n]`). -/
noncomputable def takeL {α : Type u} (n : Nat) (xs : List α) : List α :=
  @List.rec α (fun (_ : List α) => Nat → List α) (fun (_ : Nat) => List.nil)
    (fun (x : α) (_ : List α) (ih : Nat → List α) (k : Nat) =>
      pick (Nat.beq k 0) List.nil (List.cons x (ih (Nat.sub k 1)))) xs n

/-- All but the first `n` elements (Python: `operator.getitem`, the slice `xs[n:]`). -/
noncomputable def dropL {α : Type u} (n : Nat) (xs : List α) : List α :=
  @Nat.rec (fun (_ : Nat) => List α → List α) (fun (ys : List α) => ys)
    (fun (_ : Nat) (ih : List α → List α) (ys : List α) => ih (tailL ys)) n xs

/-- `xs` followed by `ys` (Python: `operator.add`, on lists). -/
noncomputable def appendL {α : Type u} (xs ys : List α) : List α :=
  @List.rec α (fun (_ : List α) => List α) ys (fun (x : α) (_ : List α) (ih : List α) => List.cons x ih) xs

/-- The elements in reverse order (Python: `reversed`). -/
noncomputable def reverseL {α : Type u} (xs : List α) : List α :=
  @List.rec α (fun (_ : List α) => List α → List α) (fun (acc : List α) => acc)
    (fun (x : α) (_ : List α) (ih : List α → List α) (acc : List α) => ih (List.cons x acc)) xs List.nil

/-- The number of elements (Python: `len`). -/
noncomputable def lengthL {α : Type u} (xs : List α) : Nat :=
  @List.rec α (fun (_ : List α) => Nat) 0 (fun (_ : α) (_ : List α) (ih : Nat) => Nat.add ih 1) xs

/-- The elements satisfying `p`, in order (Python: `filter`). -/
noncomputable def filterL {α : Type u} (p : α → Bool) (xs : List α) : List α :=
  @List.rec α (fun (_ : List α) => List α) List.nil
    (fun (x : α) (_ : List α) (ih : List α) => pick (p x) (List.cons x ih) ih) xs

/-- The sum of a list of naturals (Python: `sum`). -/
noncomputable def sumN (xs : List Nat) : Nat :=
  @List.rec Nat (fun (_ : List Nat) => Nat) 0 (fun (x : Nat) (_ : List Nat) (ih : Nat) => Nat.add x ih) xs

/-- The number of elements satisfying `p` (Python: `sum`). -/
noncomputable def countL {α : Type u} (p : α → Bool) (xs : List α) : Nat :=
  @List.rec α (fun (_ : List α) => Nat) 0
    (fun (x : α) (_ : List α) (ih : Nat) => pick (p x) (Nat.add ih 1) ih) xs

/-- Whether every element satisfies `p`; stops at the first that does not (Python: `all`). -/
noncomputable def allL {α : Type u} (p : α → Bool) (xs : List α) : Bool :=
  @List.rec α (fun (_ : List α) => Bool) true (fun (x : α) (_ : List α) (ih : Bool) => pick (p x) ih false) xs

/-- `f i` for every `i < n` (Python: `map`, over `range`). -/
noncomputable def tabulate {α : Type u} (n : Nat) (f : Nat → α) : List α := mapL f (range n)

/-- The larger of two naturals (Python: `max`). -/
noncomputable def natMax (a b : Nat) : Nat := pick (Nat.ble a b) b a

/-- Binomial coefficient, by `C(n, i+1) = C(n, i) (n - i) / (i + 1)`, exact at every step
(Python: `math.comb`). -/
noncomputable def choose (n k : Nat) : Nat :=
  @Nat.rec (fun (_ : Nat) => Nat) 1
    (fun (i : Nat) (ih : Nat) => Nat.div (Nat.mul ih (Nat.sub n i)) (Nat.add i 1)) k

end PyVerify
