"""The instructor's pipeline: release labs, verify them, grade a class.

Judges (`judges/`) and the mistake catalogue (`mistakes/`) live here, in instructor
space; the reference answers are the solution notebooks in `solutions/`.
"""

from autograder import iri_grammar

iri_grammar.defer()  # every process that imports the pipeline imports nbformat: 2.8 s saved in each
