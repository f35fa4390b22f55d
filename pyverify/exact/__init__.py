"""The exact path: stored weights (any IEEE format) as exact integers, fixed-point interval arithmetic with
outward rounding, and certified checkers whose Lean twins live in lean/PyVerify/."""
