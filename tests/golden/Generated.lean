import Generated.Seed123
import Generated.Tiny

/-!
# Generated certificates

One module per exported model; `pyverify export` rewrites this list. Building this library
(`lake build`) checks every theorem in it.
-/
