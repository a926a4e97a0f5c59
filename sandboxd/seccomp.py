# Writes the seccomp filter (BPF) that every sandbox runs under, to the path given as the first argument.
# Everything is allowed except system calls a workspace never needs and that widen the kernel attack surface, and
# those that take another process's fds or memory (pidfd_getfd, ptrace, process_vm_*): nothing in a workspace needs
# them, and they are how a command would reach the executor's channel to sandboxd.
import errno
import sys

import seccomp

DENIED = [
    "acct", "add_key", "adjtimex", "bpf", "clock_adjtime", "clock_settime", "create_module", "delete_module",
    "finit_module", "fsconfig", "fsmount", "fsopen", "fspick", "get_kernel_syms", "init_module", "io_uring_enter",
    "io_uring_register", "io_uring_setup", "ioperm", "iopl", "kcmp", "kexec_file_load", "kexec_load", "keyctl",
    "lookup_dcookie", "mount", "mount_setattr", "move_mount", "name_to_handle_at", "nfsservctl", "open_by_handle_at",
    "open_tree", "perf_event_open", "pidfd_getfd", "pivot_root", "process_vm_readv", "process_vm_writev", "ptrace",
    "quotactl", "reboot", "request_key", "setns", "settimeofday", "swapoff", "swapon", "syslog", "umount2",
    "unshare", "uselib", "userfaultfd", "vhangup",
]

rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
for name in DENIED:
    try:
        rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
    except (RuntimeError, ValueError, OSError):
        pass  # not a system call on this architecture
with open(sys.argv[1], "wb") as out:
    rules.export_bpf(out)
