"""What grading writes for people, from the typed results and the gradebook.

- `feedback`: a student's HTML page per lab; `report`: the class at a glance for the instructor;
  `console`: the table `grade` prints; `export`: grades for Canvas, Moodle or a CSV (nbgrader
  export plugins); `similarity`: which answers look alike, for a person to read.

May import: `autograder.grading` and everything below it; never the run that calls it.
"""
