"""From what students handed in to notebooks nbgrader can grade.

- `archives`: a folder of zips, one per student, unpacked into nbgrader's submitted layout;
  the check that refuses unsafe archives.
- `lms`: the class archive Canvas or Moodle hands out, collected into that layout by nbgrader's
  zip_collect with the LMS's named regexp; ids mapped to the course's, times for late penalties.
- `rosters`: the LMS's exports of the class (gradebook export, Moodle's grading worksheet),
  read for `lms` and for `autograder.outputs.export`.
- `submissions`: each notebook read (or why it cannot be), its cells restored from the
  released notebook, staged for nbgrader: `take_in` runs the stages.
- `tampering`: flags for code that patches the checks or the kernel's error reporting.

May import: `autograder.course`, nbgrader, nbformat.
"""
