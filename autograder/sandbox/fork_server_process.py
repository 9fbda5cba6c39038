"""The fork server: one per grading worker, inside that worker's bubblewrap sandbox.

Started by `autograder.sandbox.fork_server.ForkServer` as `python -c <this file's text> FD [MODULES]` (the
sandbox cannot see `autograder/`), with FD one end of a SOCK_SEQPACKET socket pair and MODULES, a
JSON list, what the notebooks being graded import (`fork_server.notebook_imports`). It imports
what their kernels import (`preload`: ipykernel, numpy and labutils's shared modules always; torch
with one thread, matplotlib and each lab's checks only where MODULES names them, or all without
MODULES), formats one traceback as a kernel would (`format_a_traceback`), starts no thread, calls
`gc.freeze()` and says `{"ready": ...}`. Then, per message:

    {"spawn": {...}} + the kernel's log file as a passed descriptor
        fork a child that becomes the submission's kernel (`become_kernel`); answers
        {"spawned": ID} where ID is the child's pid here;
    {"kill": ID}     SIGKILL that child; its whole namespace dies with it;
and, unasked, {"exited": ID, "code": returncode} when a child ends (a negative code: the signal).

The child enters fresh user, mount, PID, IPC, UTS and network namespaces and forks the
kernel as the PID namespace's init, tied to the child by PR_SET_PDEATHSIG: killing the child
kills the kernel, and the kernel's end ends every process it left. The kernel gets its own
/dev (the devices it needs, an empty /dev/shm capped at SHM_MB) and none of the fork server's
file descriptors. It also gets in-memory
`/tmp` and home of its own, sees no other submission's folder (a tmpfs covers the worker's
folder but for its own kernel directory), gets its rlimits, drops every capability, seeds
`random` and `numpy.random` afresh, and runs `IPKernelApp` on its connection file. Nothing it does reaches the fork server or the next kernel:
each is a copy-on-write copy of the fork server's memory.
"""
import ctypes
import gc
import json
import os
import resource
import select
import signal
import socket
import sys

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 24, 38
LAST_CAPABILITY = 63

libc = ctypes.CDLL(None, use_errno=True)


def checked(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def mount(source, target: str, fstype, flags: int, data=None) -> None:
    encoded = [None if value is None else value.encode() for value in (source, target, fstype, data)]
    checked(libc.mount(encoded[0], encoded[1], encoded[2], ctypes.c_ulong(flags), encoded[3]), f"mount {target}")


# What IPKernelApp imports as it starts (measured: half a second of each kernel's start), the
# debugger's pydevd above all, and what the judges' calls into a kernel use. None of them starts
# a thread on import (`main` checks).
ALWAYS = ("numpy", "ipykernel.kernelapp", "IPython", "sqlite3", "ipykernel.debugger", "ipykernel.ipkernel",
          "ipykernel.zmqshell", "IPython.core.completer", "IPython.core.interactiveshell", "psutil", "tornado.ioloop",
          "labutils", "labutils.checks", "labutils.judge_calls", "labutils.checks.engine")
# matplotlib without pyplot: that is left to the kernel, which picks its inline backend
MATPLOTLIB = ("matplotlib", "matplotlib.backends.backend_agg", "matplotlib.figure")


def preload(modules: list[str] | None = None) -> None:
    """Import what the kernels will: `ALWAYS`, and of torch (about 2 s), matplotlib and labutils's
    modules what `modules` names (what the graded notebooks import: a lab 01 kernel needs no torch),
    or all of them when `modules` is None. A kernel that imports something not imported here
    imports it itself, as a kernel started cold would (slower, the same result)."""
    import importlib
    import pkgutil

    def wanted(package: str) -> bool:
        return modules is None or any(name == package or name.startswith(package + ".") for name in modules)

    for name in ALWAYS:
        importlib.import_module(name)
    if wanted("torch"):
        importlib.import_module("torch")
    if wanted("matplotlib"):
        for name in MATPLOTLIB:
            importlib.import_module(name)
    if modules is None:
        import labutils
        import labutils.checks
        for package in (labutils, labutils.checks):  # every lab's checks: a kernel imports its own
            for module in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
                importlib.import_module(module.name)
    else:
        for name in modules:  # `from labutils.checks import lab04` names labutils.checks.lab04
            if name.startswith("labutils."):
                try:
                    importlib.import_module(name)
                except ImportError:  # a name in a module, not a module
                    pass
    if "torch" in sys.modules:  # imported here or by a lab's checks: one thread, started by no one
        sys.modules["torch"].set_num_threads(1)
    format_a_traceback()


def stub(*args):
    raise NotImplementedError("a stub")


def format_a_traceback() -> None:
    """Format, once, a failed check's traceback as a kernel's shell does (IPython's Context
    mode, in its default colours). A kernel's first traceback otherwise costs it 0.1-0.4 s: importing
    stack_data and pygments' lexer, compiling the lexer's patterns, parsing the checks'
    source files. Most graded notebooks have a failing cell; every fork starts with these warm."""
    from IPython.core import ultratb
    try:
        from labutils.checks import lab01
    except ImportError:  # a course without lab 01: kernels format their first traceback cold
        return
    for theme in ("neutral", "nocolor"):  # IPython's default, and plain
        try:
            lab01.check_product_shape(stub)
        except BaseException:  # noqa: BLE001 - whatever it raised is what gets formatted
            ultratb.AutoFormattedTB(mode="Context", theme_name=theme, tb_offset=1).structured_traceback(*sys.exc_info())


def drop_capabilities() -> None:
    """Nothing this process or its children do may need a capability again."""
    checked(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no new privileges")
    for capability in range(LAST_CAPABILITY + 1):
        libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0)  # EINVAL past the kernel's last one

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    header, data = Header(0x20080522, 0), (Data * 2)()
    checked(libc.capset(ctypes.byref(header), data), "capset")


def enter_namespaces() -> None:
    uid, gid = os.geteuid(), os.getegid()
    checked(libc.unshare(CLONE_NEWUSER), "unshare a user namespace")
    for name, text in (("setgroups", "deny"), ("uid_map", f"0 {uid} 1"), ("gid_map", f"0 {gid} 1")):
        with open(f"/proc/self/{name}", "w") as handle:
            handle.write(text)
    checked(libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUTS),
            "unshare mount, PID, IPC, network and UTS namespaces")


def private_folders(request: dict) -> None:
    """Own /tmp and home (in memory, capped); of the worker's folder only the kernel directory.

    What the kernel must read (the interpreter, the virtual environment, labutils: the sandbox's
    read-only binds) stays visible even where it lies under /tmp or home, as in a checkout under
    /tmp: each is held open before the tmpfs covers it and bound back after. A bind of a
    read-only mount is read-only."""
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    kernel_dir, root = request["kernel_dir"], request["worker_root"]
    covered = ["/tmp", request["home"]]
    if not any(root.startswith(folder + "/") for folder in covered):
        covered.append(root)
    under_covered = [path for path in request["readable"]
                     if any(path.startswith(folder + "/") for folder in covered)]
    kept = {path: os.open(path, os.O_PATH | os.O_DIRECTORY) for path in [kernel_dir, *under_covered]}
    size = f"size={request['scratch_mb']}m,mode=1777"
    for folder in covered:
        mount("tmpfs", folder, "tmpfs", MS_NOSUID | MS_NODEV, size if folder != root else "size=64k,mode=755")
    for path, fd in kept.items():
        os.makedirs(path, exist_ok=True)  # in a fresh tmpfs: nothing else of what it covered shows
        mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | (0 if path == kernel_dir else MS_REC))
        os.close(fd)


# The devices a kernel uses, bound into its own /dev from the sandbox's.
DEVICES = ("null", "zero", "full", "random", "urandom", "tty")
SHM_MB = 64  # the kernel's own /dev/shm


def private_dev() -> None:
    """A /dev of the kernel's own: the devices it needs and an empty, size-capped /dev/shm. The
    sandbox's /dev (and its /dev/shm, a tmpfs every kernel forked from here would otherwise
    share) is covered: nothing one kernel writes there reaches the next."""
    kept = {name: os.open(f"/dev/{name}", os.O_PATH) for name in DEVICES if os.path.exists(f"/dev/{name}")}
    mount("tmpfs", "/dev", "tmpfs", MS_NOSUID, "size=64k,mode=755")
    for name, fd in kept.items():
        os.close(os.open(f"/dev/{name}", os.O_CREAT | os.O_WRONLY, 0o666))
        mount(f"/proc/self/fd/{fd}", f"/dev/{name}", None, MS_BIND)
        os.close(fd)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                         ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"/dev/{name}")
    os.mkdir("/dev/shm")
    mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, f"size={SHM_MB}m,mode=1777")


def become_kernel(request: dict, log_fd: int) -> None:
    """In the forked child: namespaces, then the kernel as their PID 1 (never returns)."""
    code = 70
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log_fd, 1)
        os.dup2(log_fd, 2)
        # the fork server's own descriptors (its wake-up pipe, the log it was handed) stay with it
        os.closerange(3, resource.getrlimit(resource.RLIMIT_NOFILE)[0])
        enter_namespaces()
        kernel = os.fork()
        if kernel:  # this process stands for the kernel: the fork server waits on it, kills it
            _, status = os.waitpid(kernel, 0)
            code = os.waitstatus_to_exitcode(status)
            os._exit(code if code >= 0 else 128 - code)
        checked(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "die with the parent")
        os.setsid()
        private_folders(request)
        private_dev()
        libc.sethostname(b"sandbox", 7)
        for name, (soft, hard) in request["rlimits"].items():
            resource.setrlimit(getattr(resource, name), (soft, hard))
        drop_capabilities()
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        import random

        import numpy
        if "torch" in sys.modules:  # else the kernel imports it itself, under the thread variables of `env`
            sys.modules["torch"].set_num_threads(request["threads"])
        # A fresh interpreter seeds these from the OS; a fork would draw what the fork server and
        # every other kernel forked from it draw. (torch's default seed is a constant anyway.)
        random.seed()
        numpy.random.seed()
        sys.argv = ["ipykernel_launcher", "-f", request["connection_file"], *request["arguments"]]
        from ipykernel import kernelapp
        kernelapp.launch_new_instance()
        code = 0
    except BaseException as error:  # noqa: BLE001 - whatever happens, this process must not return to the loop
        try:
            os.write(2, f"fork server: the kernel could not start: {error!r}\n".encode())
        except OSError:
            pass
    finally:
        os._exit(code)


def serve(control: socket.socket) -> None:
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    children: set[int] = set()

    def say(message: dict) -> None:
        control.send(json.dumps(message).encode())

    while True:
        ready, _, _ = select.select([control, wake_read], [], [])
        if wake_read in ready:
            os.read(wake_read, 512)
            for pid in list(children):
                ended, status = os.waitpid(pid, os.WNOHANG)
                if ended:
                    children.discard(pid)
                    say({"exited": pid, "code": os.waitstatus_to_exitcode(status)})
        if control in ready:
            data, fds, _, _ = socket.recv_fds(control, 1 << 16, 4)
            if not data:
                return  # the worker is gone
            message = json.loads(data)
            if "spawn" in message:
                child = os.fork()
                if child == 0:
                    control.close()
                    become_kernel(message["spawn"], fds[0])
                children.add(child)
                say({"spawned": child})
            elif "kill" in message and message["kill"] in children:
                os.kill(message["kill"], signal.SIGKILL)
            for fd in fds:
                os.close(fd)


def main() -> None:
    control = socket.socket(fileno=int(sys.argv[1]))
    preload(json.loads(sys.argv[2]) if len(sys.argv) > 2 else None)
    import threading
    gc.collect()
    gc.freeze()
    control.send(json.dumps({"ready": os.getpid(), "threads": threading.active_count()}).encode())
    serve(control)


if __name__ == "__main__":
    main()
