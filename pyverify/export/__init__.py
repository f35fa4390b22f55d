"""Exporting a certified bound as a Lean module (lean/Generated/NAME.lean) or a Coq module
(coq/Generated/NAME.v), and reading one back:

    render.py   the Lean module's text from the templates (coq.py: the Coq module's)
    grammar.py  the closed grammar of a module's text fields, and the code the renderers allow
    read.py     a module's data, each field by that grammar
    verify.py   is a file what pyverify renders from its data?
    split.py    a Lean module cut into weights, block and final files
    write.py    export_lean, export_coq: validated destinations, atomic writes

    from pyverify.export import export_lean
    result = export_lean(pyverify.certify(model, "cubic"), name="Seed123", lean_dir="lean")

Rendering is deterministic: the same weights and options give byte-identical files.
"""

from pyverify.export.coq import render_coq_module
from pyverify.export.render import (BUILT_HERE, FIELDS, NAME_PATTERN, STRATEGIES, environment, render_module,
                                    render_root, weights_digest)
from pyverify.export.write import (ExportResult, check_coq_destination, check_lean_destination, export_coq,
                                   export_lean, to_coq, to_lean)

__all__ = ["BUILT_HERE", "FIELDS", "NAME_PATTERN", "STRATEGIES", "ExportResult", "check_coq_destination",
           "check_lean_destination", "environment", "export_coq", "export_lean", "render_coq_module", "render_module",
           "render_root", "to_coq", "to_lean", "weights_digest"]
