prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.SInt

/-!
# The few list operations the checkers use

Structural recursion only, so that the kernel can evaluate them (`decide +kernel`).
-/

namespace PyVerify

universe u v

/-- The element at index `i`, or `d` past the end (Python: `operator.getitem`). -/
def getD {α : Type u} : List α → Nat → α → α
  | List.nil, _, d => d
  | List.cons x _, 0, _ => x
  | List.cons _ xs, Nat.succ i, d => getD xs i d

/-- `[a, a+1, ..., a+n-1]` (Python: `range`). -/
def rangeFrom : Nat → Nat → List Nat
  | _, 0 => List.nil
  | a, Nat.succ n => List.cons a (rangeFrom (a + 1) n)

/-- `[0, 1, ..., n-1]` (Python: `range`). -/
def range (n : Nat) : List Nat := rangeFrom 0 n

/-- Apply `f` to every element (Python: `map`). -/
def mapL {α : Type u} {β : Type v} (f : α → β) : List α → List β
  | List.nil => List.nil
  | List.cons x xs => List.cons (f x) (mapL f xs)

/-- Left fold (Python: `functools.reduce`). -/
def foldL {α : Type u} {β : Type v} (f : β → α → β) : β → List α → β
  | acc, List.nil => acc
  | acc, List.cons x xs => foldL f (f acc x) xs

/-- The sum of a list of signed integers (Python: `sum`). -/
def sumS (xs : List SInt) : SInt := foldL SInt.add SInt.zero xs

/-- The sum of a list of naturals (Python: `sum`). -/
def sumN (xs : List Nat) : Nat := foldL (fun (a b : Nat) => a + b) 0 xs

/-- The largest element, or `d` for an empty list (Python: `max`). -/
def maxS (d : SInt) : List SInt → SInt
  | List.nil => d
  | List.cons x xs => foldL SInt.max x xs

/-- `f i` for every `i < n` (Python: `map` over `range`). -/
def tabulate {α : Type u} (n : Nat) (f : Nat → α) : List α := mapL f (range n)

/-- Insert into a list sorted by `le` (Python: `bisect.insort`). -/
def insertBy (le : SInt → SInt → Bool) (x : SInt) : List SInt → List SInt
  | List.nil => List.cons x List.nil
  | List.cons y ys =>
    match le x y with
    | true => List.cons x (List.cons y ys)
    | false => List.cons y (insertBy le x ys)

/-- Insertion sort by `le` (the lists sorted here have at most `n_ctx` elements)
(Python: `sorted`). -/
def sortBy (le : SInt → SInt → Bool) : List SInt → List SInt
  | List.nil => List.nil
  | List.cons x xs => insertBy le x (sortBy le xs)

/-- Prefix sums `[0, x₀, x₀+x₁, ...]` (length + 1 entries) (Python: `itertools.accumulate`). -/
def prefixSums : SInt → List SInt → List SInt
  | acc, List.nil => List.cons acc List.nil
  | acc, List.cons x xs => List.cons acc (prefixSums (SInt.add acc x) xs)

/-- The first `n` elements (Python: `operator.getitem`, a slice). -/
def takeL {α : Type u} : Nat → List α → List α
  | 0, _ => List.nil
  | _, List.nil => List.nil
  | Nat.succ n, List.cons x xs => List.cons x (takeL n xs)

/-- All but the first `n` elements (Python: `operator.getitem`, a slice). -/
def dropL {α : Type u} : Nat → List α → List α
  | 0, xs => xs
  | _, List.nil => List.nil
  | Nat.succ n, List.cons _ xs => dropL n xs

/-- The number of elements satisfying `p` (Python: `sum`). -/
def countL {α : Type u} (p : α → Bool) : List α → Nat
  | List.nil => 0
  | List.cons x xs =>
    match p x with
    | true => countL p xs + 1
    | false => countL p xs

/-- Whether every element satisfies `p` (Python: `all`). -/
def allL {α : Type u} (p : α → Bool) : List α → Bool
  | List.nil => true
  | List.cons x xs =>
    match p x with
    | true => allL p xs
    | false => false

/-- Binomial coefficient (Python: `math.comb`). -/
def choose : Nat → Nat → Nat
  | _, 0 => 1
  | 0, Nat.succ _ => 0
  | Nat.succ n, Nat.succ k => choose n k + choose n (Nat.succ k)

end PyVerify
