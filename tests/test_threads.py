"""The thread policy of a student's kernel (labutils/threads.py): as many math threads as the CPUs
the kernel may use, one where the hub says so, the grader's own setting left alone."""
import json
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest
from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpecManager

from autograder.course.labs import ROOT, is_setup_cell, read_notebook, source_path
from labutils import threads
from labutils.threads import cgroup_cpus, choose

LAB08 = "08_training_loop"


@pytest.mark.parametrize("env, cpus, expected", [
    ({}, 2, 2),
    ({}, 1, 1),
    ({"NNLABS_THREADS": "1"}, 2, 1),
    ({"NNLABS_THREADS": "3"}, 2, 3),                     # asked for, given
    ({"NNLABS_THREADS": "off"}, 2, None),                # the libraries' defaults
    ({"CPU_LIMIT": "1.0"}, 2, 1),                        # JupyterHub's Spawner.cpu_limit
    ({"CPU_LIMIT": "0.5"}, 2, 1),
    ({"CPU_LIMIT": "8"}, 2, 2),                          # a limit above the CPUs it has
    ({"CPU_LIMIT": "4", "CPU_GUARANTEE": "1.5"}, 4, 1),  # what it gets when the node is busy
    ({"OMP_NUM_THREADS": "3"}, 2, None),                 # the grader's kernels: left as they are
    ({"OMP_NUM_THREADS": "3", "NNLABS_THREADS": "auto"}, 2, 2),
    ({"NNLABS_THREADS": "many"}, 2, 2),                  # not understood: said, and the rule applies
])
def test_choose(env, cpus, expected):
    assert choose(env, cpus)[0] == expected


def fake_cgroup(tmp_path: Path, cgroup: str, mountinfo: str, files: dict[str, str]) -> Path:
    (tmp_path / "proc/self").mkdir(parents=True)
    (tmp_path / "proc/self/cgroup").write_text(cgroup)
    (tmp_path / "proc/self/mountinfo").write_text(mountinfo)
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_cgroup_v2_quota_of_the_tightest_level(tmp_path):
    root = fake_cgroup(tmp_path, "0::/hub/jupyter-ada\n",
                       "31 23 0:28 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n",
                       {"sys/fs/cgroup/hub/jupyter-ada/cpu.max": "max 100000\n",
                        "sys/fs/cgroup/hub/cpu.max": "150000 100000\n"})
    assert cgroup_cpus(root) == 1.5


def test_cgroup_v2_without_quota(tmp_path):
    root = fake_cgroup(tmp_path, "0::/\n", "31 23 0:28 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n",
                       {"sys/fs/cgroup/cpu.max": "max 100000\n"})
    assert cgroup_cpus(root) is None


def test_cgroup_v1_quota_in_a_container(tmp_path):
    """The container's cgroup is the mount's root: /proc/self/cgroup names the host's path."""
    root = fake_cgroup(tmp_path, "4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n0::/\n",
                       "32 31 0:29 /docker/abc /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n",
                       {"sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "50000\n",
                        "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n"})
    assert cgroup_cpus(root) == 0.5


def test_outside_a_kernel_nothing_changes():
    """The grader, a script, pytest: importing labutils leaves their threads alone."""
    out = subprocess.run([sys.executable, "-c", "import labutils.threads as t; print(t.chosen)"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "None"


PROBE = "import json, torch, labutils.threads as t; print(json.dumps([torch.get_num_threads(), t.chosen]))"


def setup_code(lab_id: str) -> str:
    return "\n".join(cell.source for cell in read_notebook(source_path(lab_id)).cells if is_setup_cell(cell))


def kernel_threads(kernels: dict[str, KernelManager], code: dict[str, str]) -> dict[str, list]:
    found = {}
    for name, manager in kernels.items():
        client = manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=120)
            printed = []
            reply = client.execute_interactive(code[name] + "\n" + PROBE, timeout=120,
                                               output_hook=lambda m: printed.append(m["content"].get("text", "")))
            assert reply["content"]["status"] == "ok", reply["content"]
            found[name] = json.loads("".join(printed).strip().splitlines()[-1])
        finally:
            client.stop_channels()
    return found


def test_a_kernel_uses_one_thread_where_it_has_one_cpu_and_all_it_has_otherwise(tmp_path):
    """Real kernels, as a student's notebook starts them, after the lab's setup import: one thread
    with one CPU (taskset -c 0), with NNLABS_THREADS=1 or with the hub's CPU_LIMIT=1; the CPUs
    it has without them (2 on 2 cores)."""
    env = {name: value for name, value in os.environ.items()
           if name not in (*threads.LIBRARY_VARIABLES, threads.VARIABLE, *threads.HUB_VARIABLES)}
    spec = tmp_path / "kernels" / "taskset0"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": ["taskset", "-c", "0", sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "one CPU", "language": "python"}))
    specs = KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")])
    lab08 = setup_code(LAB08)
    code = {"taskset": lab08, "NNLABS_THREADS": lab08, "none": lab08,
            # lab 01: labutils first (its first check), torch loaded after it
            "CPU_LIMIT": "from labutils.checks import lab01"}
    cwd = str(source_path(LAB08).parent)
    with ExitStack() as stack:
        kernels = {}
        for name, extra in (("taskset", {}), ("NNLABS_THREADS", {"NNLABS_THREADS": "1"}),
                            ("CPU_LIMIT", {"CPU_LIMIT": "1.0"}), ("none", {})):
            manager = KernelManager(kernel_name="taskset0" if name == "taskset" else "python3",
                                    kernel_spec_manager=specs if name == "taskset" else KernelSpecManager())
            manager.start_kernel(env={**env, **extra}, cwd=cwd)
            stack.callback(manager.shutdown_kernel, now=True)
            kernels[name] = manager
        found = kernel_threads(kernels, code)
    assert found["taskset"] == [1, [1, "1 usable CPU"]]
    assert found["NNLABS_THREADS"] == [1, [1, "NNLABS_THREADS=1"]]
    assert found["CPU_LIMIT"] == [1, [1, "CPU_LIMIT=1.0"]]
    cpus = threads.usable_cpus()
    assert found["none"] == [cpus, [cpus, f"{cpus} usable CPU{'s' if cpus != 1 else ''}"]]
