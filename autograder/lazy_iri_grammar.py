"""Build rfc3987_syntax's IRI grammar when an IRI is first checked, not on import.

nbformat validates notebooks with jsonschema, and jsonschema 4.26 imports `rfc3987_syntax`
(the `format-nongpl` extra jupyter-events asks for) to check the "iri" format. That import
builds some 25 Lark parsers: 2.8 s, in the grading process, the worker server and every
other process that imports nbformat, while no schema we validate has an IRI in it
(python-jsonschema/jsonschema#1428; the lazy fork `rfc3987-syntax2` is not what jsonschema
imports). `defer()` puts a stand-in in `sys.modules` whose `is_valid_syntax` imports the
real module on its first call and hands every call to it.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import types

NAME = "rfc3987_syntax"


def defer() -> None:
    """Install the stand-in, unless the module is imported already or not installed."""
    if NAME in sys.modules or importlib.util.find_spec(NAME) is None:
        return
    stand_in = types.ModuleType(NAME, "Stand-in for rfc3987_syntax (autograder.lazy_iri_grammar).")

    def is_valid_syntax(term: str, value: str) -> bool:
        return real().is_valid_syntax(term, value)

    stand_in.is_valid_syntax = is_valid_syntax
    stand_in.__deferred__ = True
    sys.modules[NAME] = stand_in


def real() -> types.ModuleType:
    """The real module, imported (and its grammar built) now if it was deferred."""
    module = sys.modules.get(NAME)
    if module is None or getattr(module, "__deferred__", False):
        sys.modules.pop(NAME, None)
        module = importlib.import_module(NAME)
    return module
