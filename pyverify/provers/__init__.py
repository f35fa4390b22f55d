"""The provers' side: a certificate rendered as a Lean module (lean/Generated/NAME.lean) or a Coq
module (coq/Generated/NAME.v), written, read back, and checked by the prover:

    render.py      the Lean module's text from the templates (coq_render.py: the Coq module's)
    grammar.py     the closed grammar of a module's text fields, and the code the renderers allow
    pack.py        integer matrices packed into one Lean literal
    split.py       a Lean module cut into weights, block and final files
    write.py       export_lean, export_coq: validated destinations, atomic writes
    read.py        a module's data, each field by that grammar
    verify.py      is a file what pyverify renders from its data?
    lean.py        `check` with the bare `lean` (lean_jobs.py: its compile jobs, on Dask)
    coq.py         `check` with `coqc`

    from pyverify.provers import export_lean
    result = export_lean(pyverify.certify(model, "cubic"), name="Seed123", lean_dir="lean")

Rendering is deterministic: the same weights and options give byte-identical files.
"""

from pyverify.provers.coq_render import render_coq_module
from pyverify.provers.render import (BUILT_HERE, FIELDS, NAME_PATTERN, environment, render_module, render_root,
                                    weights_digest)
from pyverify.provers.write import (ExportResult, check_coq_destination, check_lean_destination, export_coq,
                                   export_lean, to_coq, to_lean)

__all__ = ["BUILT_HERE", "FIELDS", "NAME_PATTERN", "ExportResult", "check_coq_destination",
           "check_lean_destination", "environment", "export_coq", "export_lean", "render_coq_module", "render_module",
           "render_root", "to_coq", "to_lean", "weights_digest"]
