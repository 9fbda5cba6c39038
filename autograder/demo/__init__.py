"""`make demo`: the instructor's main job on a synthetic class.

- `synthetic_class`: notebooks a class could hand in, made from the solutions and the
  mistake catalogue (also used by the tests of the tests and the benchmarks).
- `instructor_demo`: builds such a class, grades it, exports it, prints the summary.

May import: everything but the command line.
"""
