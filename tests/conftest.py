"""Shared settings: hypothesis is derandomized so CI is reproducible."""
from hypothesis import HealthCheck, settings

settings.register_profile("course", derandomize=True, max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("course")

LAB01 = "01_matrix_shapes"
