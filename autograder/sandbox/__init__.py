"""Student kernels, confined: the lowest layer of the grader.

- `bubblewrap`: what a kernel may see and the limits it runs under (the `bwrap` and `prlimit`
  command lines, its environment); `confinement()` says how kernels are confined here.
- `kernels`: `SandboxedKernelManager`, the jupyter_client kernel manager that starts a kernel
  confined (forked from the worker's fork server, or cold), and kills it with everything it started.
- `fork_server`: a pre-imported fork server per grading worker (numpy, ipykernel and labutils
  imported once, and torch and matplotlib where the graded labs' notebooks import them), which
  forks one kernel per submission.
- `fork_server_process`: the fork server's own program, run inside its sandbox (it sees no
  `autograder/`, so it imports nothing of it).

May import: labutils only. Nothing here knows about labs, judges or grades.
"""
