"""The instructor's pipeline: release labs, verify them, grade a class (docs/architecture.md).

Subpackages by the life of a submission, each importing only those below it (the layers
contract in pyproject.toml, checked by `lint-imports`): `sandbox`, `course`, `intake`,
`judging`, `grading`, `outputs`, `pipeline`, `authoring`, `learners`, `platforms`, `demo`; the command
line is `__main__`. The reference answers are the solution notebooks in `solutions/`.
"""

from autograder import lazy_iri_grammar

lazy_iri_grammar.defer()  # every process that imports the pipeline imports nbformat: 2.8 s saved in each
