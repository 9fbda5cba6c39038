"""The instructor's pipeline: release labs, verify them, grade a class.

Judges (`judges/`) and the mistake catalogue (`mistakes/`) live here, in instructor
space; the reference answers are the solution notebooks in `solutions/`.
"""
