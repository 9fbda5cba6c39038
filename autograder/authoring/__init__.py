"""An author's tools: a lab from `solutions/` to `labs/`, and proof that it holds together.

- `release`: `solutions/` -> `labs/` (nbgrader's generate_assignment) and the recorded outcomes.
- `public_outcomes`: the outcomes of the reference and of each catalogued mistake on a lab's
  public cases, recorded into `labutils/checks/fixtures/<lab>.json` for the checks.
- `verify`: the solution earns full marks, the stubs none, every cell has its judge,
  `labs/` is what the release writes now, and the prose's claims hold.
- `claims`: `says` and `holds`, what a solution's cells tagged `claims` assert about the prose
  above them, and the step of `verify` that runs them.

May import: `autograder.pipeline` (verify grades like a class) and everything below it.
"""
