"""Shared settings: hypothesis is derandomized so CI is reproducible; the test session grades
with the public demo secret (NNLABS_ALLOW_DEMO_SECRET=1, what `grade --demo-secret` asks for),
unless NNLABS_COURSE_SECRET is set: a test class is no real class."""
import os

from hypothesis import HealthCheck, settings

from autograder.judging.judges import DEMO_SECRET_VARIABLE

os.environ.setdefault(DEMO_SECRET_VARIABLE, "1")

settings.register_profile("course", derandomize=True, max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("course")

LAB01 = "01_matrix_shapes"
