import Generated.Seed123
import Generated.Seed123Subcubic
import Generated.SmallDefault
import Generated.SmallExactEqke
import Generated.SmallMeanBasis
import Generated.SmallMeanSubproduct
import Generated.SmallQuadratic
import Generated.SmallSvd
import Generated.Tiny

/-!
# Generated certificates

One module per exported model; `pyverify export` rewrites this list. Building this library
(`lake build`) checks every theorem in it.
-/
