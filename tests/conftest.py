"""Shared settings: hypothesis is derandomized so CI is reproducible; the test session grades
with the public demo secret (NNLABS_ALLOW_DEMO_SECRET=1, what `grade --demo-secret` asks for),
unless NNLABS_COURSE_SECRET is set: a test class is no real class."""
import os

from hypothesis import HealthCheck, settings

from autograder.judging.judges import DEMO_SECRET_VARIABLE

os.environ.setdefault(DEMO_SECRET_VARIABLE, "1")

if os.environ.get("PYTEST_XDIST_WORKER"):
    # make test runs a test process per core: like students sharing a node (labutils/threads.py,
    # benchmarks/student.py), each, and every kernel its tests start, computes on one thread,
    # or their threads wait for each other's cores.
    from labutils import threads

    os.environ.setdefault(threads.VARIABLE, "1")
    threads.apply()

settings.register_profile("course", derandomize=True, max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("course")

LAB01 = "01_matrix_shapes"

# The longest test files, longest first (pytest --durations, 2 cores): `make test` hands files to
# its processes in this order (--no-loadscope-reorder), so no long file starts last and leaves the
# other processes idle.
LONGEST_FIRST = ["test_catalogue.py", "test_browser.py", "test_verify.py", "test_new_lab.py", "test_isolation.py",
                 "test_demo_grades.py", "test_isolation_between_submissions.py", "test_hub.py", "test_extensions.py",
                 "test_grading_paths.py", "test_regrade.py"]


def pytest_collection_modifyitems(session, config, items):
    def rank(item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)
    items.sort(key=rank)  # stable: each file's own order is kept
