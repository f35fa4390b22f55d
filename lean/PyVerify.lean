prelude
import Init.Prelude
import Init.Coe
import Init.Notation
import Init.Tactics
import PyVerify.Loops
import PyVerify.SInt
import PyVerify.Fixed
import PyVerify.Exp
import PyVerify.Weights
import PyVerify.Tables
import PyVerify.Blocks
import PyVerify.Cubic
import PyVerify.Brute
import PyVerify.Hints
import PyVerify.Split
import PyVerify.Subcubic

/-!
# PyVerify

Checkers whose output, for a model's exact weights, is a number of inputs certified
correct. Every file under `PyVerify/` starts with `prelude` and imports only `Init.Prelude`,
`Init.Coe`, `Init.Notation` and `Init.Tactics` (and each other): the checkers depend on
nothing but Lean's prelude. See `README.md` in this folder for the core API they use.
-/
