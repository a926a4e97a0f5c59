# The long-lived executor that sandboxd starts inside a workspace's bubblewrap sandbox.
# It reads one JSON request per line on stdin and writes JSON events per line on stdout.
# Python (not node) because it starts in ~20 ms, which keeps a workspace's cold start short.
import base64
import errno
import fcntl
import json
import os
import shutil
import queue
import signal
import socket
import stat
import struct
import subprocess
import sys
import tarfile
import termios
import threading
import time
import zipfile

ROOT = "/workspace"
MAX_LIST_ENTRIES = 10000
_out_lock = threading.Lock()
_execs = {}
_execs_lock = threading.Lock()


def send(message):
    line = json.dumps(message, separators=(",", ":")) + "\n"
    with _out_lock:
        sys.stdout.write(line)
        sys.stdout.flush()


class FileOpError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def inside_root(path):
    return path == ROOT or path.startswith(ROOT + "/")


def lexical(path):
    if "\0" in path:
        raise FileOpError("invalid_path", "path contains a NUL byte")
    joined = path if path.startswith("/") else os.path.join(ROOT, path)
    normal = os.path.normpath(joined)
    if not inside_root(normal):
        raise FileOpError("path_outside_workspace", "path is outside the workspace: " + path)
    return normal


def resolve(path):
    """Follows symlinks; the final target must stay inside the workspace."""
    normal = lexical(path)
    real = os.path.realpath(normal)
    if not inside_root(real):
        raise FileOpError("path_outside_workspace", "path resolves outside the workspace: " + path)
    return real


def resolve_entry(path):
    """Resolves the parent but not the entry itself, so a symlink can be deleted or moved."""
    normal = lexical(path)
    if normal == ROOT:
        return ROOT
    parent = os.path.realpath(os.path.dirname(normal))
    if not inside_root(parent):
        raise FileOpError("path_outside_workspace", "path resolves outside the workspace: " + path)
    return os.path.join(parent, os.path.basename(normal))


def relative(real):
    rel = os.path.relpath(real, ROOT)
    return "" if rel == "." else rel


def kind_of(mode):
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISREG(mode):
        return "file"
    if stat.S_ISLNK(mode):
        return "symlink"
    return "other"


def entry_of(real, st):
    return {
        "name": os.path.basename(real),
        "path": relative(real),
        "type": kind_of(st.st_mode),
        "size": st.st_size,
        "modifiedAt": int(st.st_mtime * 1000),
    }


def os_error(error, path):
    if isinstance(error, FileNotFoundError):
        return FileOpError("not_found", "no such file or directory: " + path)
    if isinstance(error, FileExistsError):
        return FileOpError("already_exists", "already exists: " + path)
    if isinstance(error, IsADirectoryError):
        return FileOpError("is_a_directory", "is a directory: " + path)
    if isinstance(error, NotADirectoryError):
        return FileOpError("not_a_directory", "not a directory: " + path)
    if isinstance(error, PermissionError):
        return FileOpError("permission_denied", "permission denied: " + path)
    if error.errno in (28, 122):
        return FileOpError("disk_quota_exceeded", "the workspace disk quota is full (no space left) while writing " + path)
    if error.errno == 39:
        return FileOpError("directory_not_empty", "directory not empty: " + path)
    return FileOpError("io_error", "%s: %s" % (error.strerror or "I/O error", path))


def op_read(req):
    path = resolve(req["path"])
    st = os.stat(path)
    if stat.S_ISDIR(st.st_mode):
        raise FileOpError("is_a_directory", "is a directory: " + req["path"])
    if not stat.S_ISREG(st.st_mode):
        raise FileOpError("not_a_regular_file", "not a regular file: " + req["path"])
    limit = req.get("maxBytes", 32 << 20)
    if st.st_size > limit:
        raise FileOpError("file_too_large", "file is %d bytes, more than the %d byte limit" % (st.st_size, limit))
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise FileOpError("file_too_large", "file is more than the %d byte limit" % limit)
    return {"data": base64.b64encode(data).decode("ascii"), "size": len(data)}


def op_write(req):
    path = resolve(req["path"])
    data = base64.b64decode(req["data"])
    if req.get("createParents", True):
        os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path) and not os.path.isfile(path):
        if os.path.isdir(path):
            raise FileOpError("is_a_directory", "is a directory: " + req["path"])
        raise FileOpError("not_a_regular_file", "not a regular file: " + req["path"])
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as error:
        if error.errno in (28, 122):
            try:
                os.unlink(path)
            except OSError:
                pass
        raise
    return {"size": len(data)}


def op_list(req):
    base = resolve(req.get("path", ""))
    recursive = bool(req.get("recursive", False))
    if not os.path.isdir(base):
        raise FileOpError("not_a_directory", "not a directory: " + req.get("path", ""))
    entries = []
    pending = [base]
    while pending:
        directory = pending.pop(0)
        with os.scandir(directory) as iterator:
            for item in sorted(iterator, key=lambda e: e.name):
                st = item.stat(follow_symlinks=False)
                entries.append(entry_of(item.path, st))
                if len(entries) > MAX_LIST_ENTRIES:
                    raise FileOpError("too_many_entries", "more than %d entries; list a subdirectory" % MAX_LIST_ENTRIES)
                if recursive and stat.S_ISDIR(st.st_mode):
                    pending.append(item.path)
    return {"entries": entries}


def op_mkdir(req):
    path = resolve(req["path"])
    if req.get("recursive", True):
        os.makedirs(path, exist_ok=True)
    else:
        os.mkdir(path)
    return {}


def op_delete(req):
    path = resolve_entry(req["path"])
    if path == ROOT:
        raise FileOpError("invalid_path", "the workspace root cannot be deleted")
    st = os.lstat(path)
    if stat.S_ISDIR(st.st_mode):
        if req.get("recursive", False):
            shutil.rmtree(path)
        else:
            os.rmdir(path)
    else:
        os.unlink(path)
    return {}


def op_move(req):
    source = resolve_entry(req["from"])
    target = resolve_entry(req["to"])
    if source == ROOT or target == ROOT:
        raise FileOpError("invalid_path", "the workspace root cannot be moved")
    os.lstat(source)
    if os.path.lexists(target) and not req.get("overwrite", False):
        raise FileOpError("already_exists", "already exists: " + req["to"])
    os.makedirs(os.path.dirname(target), exist_ok=True)
    os.replace(source, target)
    return {}


def op_exists(req):
    path = resolve_entry(req["path"])
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return {"exists": False}
    return {"exists": True, "type": kind_of(st.st_mode)}


FILE_OPS = {
    "read": op_read,
    "write": op_write,
    "list": op_list,
    "mkdir": op_mkdir,
    "delete": op_delete,
    "move": op_move,
    "exists": op_exists,
}


def run_file_op(req):
    name = req.get("path") or req.get("from") or ""
    try:
        send({"id": req["id"], "type": "result", "value": FILE_OPS[req["op"]](req)})
    except FileOpError as error:
        send({"id": req["id"], "type": "error", "code": error.code, "message": error.message})
    except OSError as error:
        mapped = os_error(error, name)
        send({"id": req["id"], "type": "error", "code": mapped.code, "message": mapped.message})


# The executor is its sandbox's PID 1 (no bubblewrap init beside it, so nothing else in the sandbox holds the channel
# to sandboxd), and so its init: every orphan in the sandbox becomes its child. One thread reaps them all and hands
# each command's status to the thread waiting for it; subprocess's own wait() would race it.
_reaped = threading.Condition()
_children = {}
_spawned = threading.Event()


def reap_forever():
    while True:
        _spawned.clear()
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            _spawned.wait()
            continue
        with _reaped:
            if pid in _children:
                _children[pid] = status
                _reaped.notify_all()


def spawn(argv, **options):
    # Registered under the lock, so a command that exits at once still has its status kept for its waiter.
    with _reaped:
        proc = subprocess.Popen(argv, **options)
        _children[proc.pid] = None
    _spawned.set()
    return proc


def wait_child(proc):
    with _reaped:
        while _children[proc.pid] is None:
            _reaped.wait()
        status = _children.pop(proc.pid)
    # Marks it waited for, so subprocess never calls waitpid on a pid that may since belong to another process.
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode


def tree_of(root_pid):
    """Live (not zombie) pids in the command's session or descended from it, read from /proc."""
    parents = {}
    sessions = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            if fields[0] == b"Z":
                continue
            parents[int(entry)] = int(fields[1])
            sessions[int(entry)] = int(fields[3])
        except (OSError, IndexError, ValueError):
            continue
    found = {pid for pid, sid in sessions.items() if sid == root_pid}
    if root_pid in parents:
        found.add(root_pid)
    changed = True
    while changed:
        changed = False
        for pid, parent in parents.items():
            if parent in found and pid not in found:
                found.add(pid)
                changed = True
    found.discard(os.getpid())
    return found


def kill_tree(root_pid):
    # Repeat because a fork bomb keeps making new processes while we kill.
    for _ in range(50):
        pids = tree_of(root_pid)
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.killpg(root_pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        time.sleep(0.005)


# With "hold", a command starts as a shell that waits for one line on its stdin before it execs the command: sandboxd
# moves that process into the command's own cgroup first, so everything the command starts is in it, however it
# detaches, and sandboxd ends all of it with the command and reads its CPU time.
HOLD_SCRIPT = 'read -r _; exec "$@"'
RELEASE_WAIT = 10.0


def missing_command(argv, cwd, env):
    """The errno exec would fail with (so a missing command is still told apart from one that ran), or None."""
    name = argv[0] if argv else ""
    if not name:
        return errno.ENOENT
    if "/" in name:
        target = os.path.join(cwd, name)
        if not os.path.exists(target):
            return errno.ENOENT
        return None if os.access(target, os.X_OK) and not os.path.isdir(target) else errno.EACCES
    found = shutil.which(name, path=env.get("PATH", os.defpath))
    return None if found else errno.ENOENT


# A spawner: a thread of the executor that sandboxd has put, ahead of time, into a fresh cgroup of its own (cgroup v1
# places threads one by one). A command forked from it starts in that cgroup at once, so nothing waits for a move;
# the thread ends right after the fork, leaving the group to the command. Without a ready spawner, a command is held
# instead (HOLD_SCRIPT).
_spawner_lock = threading.Lock()
_spawner = {"enabled": False, "ready": None, "making": False, "next_slot": 1, "placing": {}}


class Spawner:
    def __init__(self, slot):
        self.slot = slot
        self.placed = threading.Event()
        self.accepted = False
        self.jobs = queue.Queue()

    def run(self):
        send({"type": "spawner", "slot": self.slot, "tid": threading.get_native_id()})
        self.placed.wait(RELEASE_WAIT)
        with _spawner_lock:
            _spawner["placing"].pop(self.slot, None)
            _spawner["making"] = False
            usable = self.accepted and _spawner["enabled"] and _spawner["ready"] is None
            if usable:
                _spawner["ready"] = self
        if not usable:
            return
        job = self.jobs.get()
        if job is None:
            return
        argv, options, done, finished = job
        try:
            done.append(spawn(argv, **options))
        except BaseException as error:
            done.append(error)
        finished.set()
        # This thread ends here: only the command stays in the cgroup.


def refill_spawner():
    with _spawner_lock:
        if not _spawner["enabled"] or _spawner["ready"] is not None or _spawner["making"]:
            return
        _spawner["making"] = True
        slot = _spawner["next_slot"]
        _spawner["next_slot"] += 1
        spawner = Spawner(slot)
        _spawner["placing"][slot] = spawner
    try:
        threading.Thread(target=spawner.run, daemon=True).start()
    except RuntimeError:
        with _spawner_lock:
            _spawner["making"] = False
            _spawner["placing"].pop(slot, None)


def spawn_placed(argv, options):
    """Spawns from a ready spawner: (process, slot), or None when no spawner is ready."""
    with _spawner_lock:
        spawner = _spawner["ready"]
        _spawner["ready"] = None
    if spawner is None:
        return None
    done = []
    finished = threading.Event()
    spawner.jobs.put((argv, options, done, finished))
    finished.wait()
    if isinstance(done[0], BaseException):
        raise done[0]
    return done[0], spawner.slot


def spawner_op(req):
    if "enable" in req:
        with _spawner_lock:
            _spawner["enabled"] = bool(req["enable"])
        refill_spawner()
        return
    with _spawner_lock:
        spawner = _spawner["placing"].get(req.get("slot"))
    if spawner is not None:
        spawner.accepted = bool(req.get("ok"))
        spawner.placed.set()


class Exec:
    def __init__(self, req):
        self.id = req["id"]
        self.req = req
        self.timed_out = False
        self.proc = None
        self.released = threading.Event()
        self.terminal = None

    def pump(self, fd, name):
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            send({"id": self.id, "type": name, "data": base64.b64encode(chunk).decode("ascii")})
        os.close(fd)

    def kill(self, timed_out):
        if self.proc is None:
            return
        self.timed_out = self.timed_out or timed_out
        kill_tree(self.proc.pid)

    def run(self):
        try:
            self.run_command()
        except Exception as error:
            send({"id": self.id, "type": "spawn_error", "errno": 0, "message": "executor failed to run the command: %s" % error})
        finally:
            self.forget()
            # The next spawner is placed once this command has answered, off its path.
            refill_spawner()

    def run_command(self):
        req = self.req
        if req.get("pty"):
            return self.run_terminal()
        started = time.monotonic()
        stdin_data = req.get("stdin")
        # Threads and pipes exist before the command does, so a fork bomb cannot starve the executor of them.
        cwd = req.get("cwd") or ROOT
        if not os.path.isdir(cwd):
            send({"id": self.id, "type": "spawn_error", "errno": 2, "code": "cwd_not_found", "message": "working directory does not exist: " + cwd})
            return
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        pumps = [
            threading.Thread(target=self.pump, args=(out_read, "stdout"), daemon=True),
            threading.Thread(target=self.pump, args=(err_read, "stderr"), daemon=True),
        ]
        for pump in pumps:
            pump.start()
        timeout_ms = req.get("timeoutMs")
        timer = threading.Timer(timeout_ms / 1000.0 if timeout_ms else 10 ** 9, self.kill, args=(True,))
        timer.daemon = True
        if timeout_ms:
            timer.start()
        hold = bool(req.get("hold"))
        argv = req["argv"]
        env = req.get("env") or {}
        if hold:
            missing = missing_command(argv, cwd, env)
            if missing is not None:
                timer.cancel()
                os.close(out_write)
                os.close(err_write)
                send({"id": self.id, "type": "spawn_error", "errno": missing, "message": "%s: %s" % (os.strerror(missing), argv[0] if argv else "")})
                return
        grouped = hold
        options = {
            "cwd": cwd,
            "env": env,
            "stdin": subprocess.PIPE if stdin_data is not None else subprocess.DEVNULL,
            "stdout": out_write,
            "stderr": err_write,
            "start_new_session": True,
            "close_fds": True,
        }
        try:
            placed = spawn_placed(argv, options) if hold else None
            if placed is not None:
                self.proc, slot = placed
                send({"id": self.id, "type": "started", "slot": slot})
                hold = False
            else:
                if hold:
                    argv = ["/bin/sh", "-c", HOLD_SCRIPT, "sh"] + list(argv)
                    options["stdin"] = subprocess.PIPE
                self.proc = spawn(argv, **options)
        except OSError as error:
            timer.cancel()
            os.close(out_write)
            os.close(err_write)
            send({"id": self.id, "type": "spawn_error", "errno": error.errno, "message": "%s: %s" % (error.strerror, req["argv"][0] if req["argv"] else "")})
            return
        os.close(out_write)
        os.close(err_write)
        if hold:
            send({"id": self.id, "type": "spawned", "pid": self.proc.pid})
            self.released.wait(RELEASE_WAIT)
        if hold or stdin_data is not None:
            try:
                if hold:
                    self.proc.stdin.write(b"\n")
                if stdin_data is not None:
                    self.proc.stdin.write(base64.b64decode(stdin_data))
                self.proc.stdin.close()
            except OSError:
                pass
        code = wait_child(self.proc)
        # exec is for foreground work: whatever the command left running is ended with it.
        if grouped:
            # sandboxd ends everything in the command's cgroup once it has the exit. Something the command left
            # (detached or not) may still hold its output: then sandboxd is asked to end it now, and the output ends.
            grace_until = time.monotonic() + 0.2
            for pump in pumps:
                pump.join(max(0.0, grace_until - time.monotonic()))
            if any(pump.is_alive() for pump in pumps):
                send({"id": self.id, "type": "lingering"})
        else:
            grace_until = time.monotonic() + 0.5
            for pump in pumps:
                pump.join(max(0.0, grace_until - time.monotonic()))
            kill_tree(self.proc.pid)
        for pump in pumps:
            pump.join()
        timer.cancel()
        duration = int((time.monotonic() - started) * 1000)
        send({
            "id": self.id,
            "type": "exit",
            "exitCode": code if code >= 0 else 128 - code,
            "signal": -code if code < 0 else None,
            "timedOut": self.timed_out,
            "durationMs": duration,
        })


    def run_terminal(self):
        """A shell on a pseudo-terminal: its own session with the terminal as controlling tty (so Ctrl+C reaches the
        foreground job), output read from the master, input written by a thread of its own."""
        req = self.req
        started = time.monotonic()
        cwd = req.get("cwd") or ROOT
        if not os.path.isdir(cwd):
            send({"id": self.id, "type": "spawn_error", "errno": 2, "code": "cwd_not_found", "message": "working directory does not exist: " + cwd})
            return
        size = req["pty"]
        argv = req["argv"]
        env = req.get("env") or {}
        hold = bool(req.get("hold"))
        master, slave = os.openpty()
        set_window(master, size.get("cols", 80), size.get("rows", 24))
        hold_read, hold_write = os.pipe() if hold else (None, None)
        terminal = Terminal(master)
        with _reaped:
            pid = os.fork()
            if pid == 0:
                run_on_terminal(slave, hold_read, hold_write, cwd, argv, env)
            _children[pid] = None
        _spawned.set()
        os.close(slave)
        self.proc = Forked(pid)
        self.terminal = terminal
        writer = threading.Thread(target=terminal.write_loop, daemon=True)
        writer.start()
        reader = threading.Thread(target=terminal.read_loop, args=(self.id,), daemon=True)
        if hold:
            os.close(hold_read)
            send({"id": self.id, "type": "spawned", "pid": pid})
            self.released.wait(RELEASE_WAIT)
            try:
                os.write(hold_write, b"\n")
            except OSError:
                pass
            os.close(hold_write)
        reader.start()
        code = wait_child(self.proc)
        # The shell is gone; what it left running on the terminal ends with it, then the output drains.
        kill_tree(pid)
        reader.join(0.5)
        terminal.close()
        reader.join()
        send({
            "id": self.id,
            "type": "exit",
            "exitCode": code if code >= 0 else 128 - code,
            "signal": -code if code < 0 else None,
            "timedOut": False,
            "durationMs": int((time.monotonic() - started) * 1000),
        })

    def forget(self):
        with _execs_lock:
            _execs.pop(self.id, None)


class Forked:
    """A child made with os.fork, shaped like a Popen for wait_child and kill."""

    def __init__(self, pid):
        self.pid = pid
        self.returncode = None


def set_window(fd, cols, rows):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def run_on_terminal(slave, hold_read, hold_write, cwd, argv, env):
    """In the forked child: only system calls, then exec (the parent has threads; nothing here takes their locks)."""
    try:
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if hold_read is not None:
            os.close(hold_write)
            # sandboxd puts this process into the terminal's cgroup before it runs anything.
            if os.read(hold_read, 1) != b"\n":
                os._exit(125)
        os.closerange(3, 65536)
        os.chdir(cwd)
        for signum in (signal.SIGINT, signal.SIGPIPE, signal.SIGXFSZ, signal.SIGQUIT, signal.SIGTSTP):
            signal.signal(signum, signal.SIG_DFL)
        os.execvpe(argv[0], argv, env)
    except BaseException:
        pass
    os._exit(127)


# A terminal's output is read at most this far ahead of what sandboxd acknowledges (pty_ack), so a client that does
# not read holds back the shell (its writes block), not memory in sandboxd.
TERMINAL_WINDOW = 256 * 1024
TERMINAL_INPUT_LIMIT = 1024 * 1024


class Terminal:
    def __init__(self, master):
        self.master = master
        self.inbox = queue.Queue()
        self.credit = threading.Condition()
        self.in_flight = 0
        self.queued = 0
        self.closed = False

    def read_loop(self, exec_id):
        while True:
            with self.credit:
                while self.in_flight >= TERMINAL_WINDOW and not self.closed:
                    self.credit.wait()
                if self.closed:
                    break
                room = TERMINAL_WINDOW - self.in_flight
            try:
                chunk = os.read(self.master, min(65536, room))
            except OSError:
                break
            if not chunk:
                break
            with self.credit:
                self.in_flight += len(chunk)
            send({"id": exec_id, "type": "stdout", "data": base64.b64encode(chunk).decode("ascii")})

    def ack(self, size):
        with self.credit:
            self.in_flight = max(0, self.in_flight - size)
            self.credit.notify()

    def queue_input(self, data):
        # Keys for a shell that does not read are dropped past TERMINAL_INPUT_LIMIT, as a full terminal would.
        with self.credit:
            if self.queued + len(data) > TERMINAL_INPUT_LIMIT:
                return
            self.queued += len(data)
        self.inbox.put(data)

    def write_loop(self):
        # A shell that does not read its input blocks only this thread, never the executor's request loop.
        while True:
            item = self.inbox.get()
            if item is None:
                break
            try:
                rest = memoryview(item)
                while rest:
                    rest = rest[os.write(self.master, rest):]
            except OSError:
                break
            finally:
                with self.credit:
                    self.queued -= len(item)

    def resize(self, cols, rows):
        try:
            set_window(self.master, cols, rows)
        except OSError:
            pass

    def close(self):
        with self.credit:
            if self.closed:
                return
            self.closed = True
            self.credit.notify()
        self.inbox.put(None)
        try:
            os.close(self.master)
        except OSError:
            pass


def terminal_of(req):
    with _execs_lock:
        job = _execs.get(req.get("target"))
    return job.terminal if job is not None else None


def terminal_input(req):
    terminal = terminal_of(req)
    if terminal is not None and not terminal.closed:
        terminal.queue_input(base64.b64decode(req.get("data", "")))


def terminal_resize(req):
    terminal = terminal_of(req)
    cols, rows = req.get("cols"), req.get("rows")
    if terminal is not None and isinstance(cols, int) and isinstance(rows, int) and 0 < cols < 1000 and 0 < rows < 1000:
        terminal.resize(cols, rows)


def terminal_ack(req):
    terminal = terminal_of(req)
    if terminal is not None:
        terminal.ack(int(req.get("bytes", 0)))


def listening_sockets(req):
    """The TCP sockets listening in this network namespace, as the kernel lists them (parsed by sandboxd)."""
    tables = {}
    for name in ("tcp", "tcp6"):
        try:
            with open("/proc/net/" + name) as handle:
                tables[name] = handle.read(1 << 20)
        except OSError:
            tables[name] = ""
    send({"id": req["id"], "type": "result", "value": tables})


def start_exec(req):
    job = Exec(req)
    with _execs_lock:
        _execs[job.id] = job
    try:
        threading.Thread(target=job.run, daemon=True).start()
    except RuntimeError as error:
        job.forget()
        send({"id": job.id, "type": "spawn_error", "errno": 11, "message": "cannot start a thread: %s" % error})


def release_exec(req):
    with _execs_lock:
        job = _execs.get(req.get("target"))
    if job is not None:
        job.released.set()


def kill_exec(req):
    with _execs_lock:
        job = _execs.get(req["target"])
    if job is not None:
        job.kill(False)
    send({"id": req["id"], "type": "result", "value": {"killed": job is not None}})


# Relay connections: sandboxd opens a TCP connection to a port inside this workspace's network namespace (where
# the executor lives), so servers bound to 127.0.0.1 or 0.0.0.0 are reachable whenever they start listening.
_relays = {}
_relays_lock = threading.Lock()
RELAY_CONNECT_TIMEOUT = 5.0


# Bytes read from a relay's server and not yet acknowledged by sandboxd: the server is read no further ahead, so a
# preview client that does not read holds back the server, not memory in sandboxd.
RELAY_WINDOW = 256 * 1024


class Relay:
    def __init__(self, conn_id, sock):
        self.id = conn_id
        self.sock = sock
        self.outbox = queue.Queue()
        self.credit = threading.Condition()
        self.in_flight = 0
        self.stopped = False

    def read_loop(self):
        try:
            while True:
                with self.credit:
                    while self.in_flight >= RELAY_WINDOW and not self.stopped:
                        self.credit.wait()
                    if self.stopped:
                        break
                    room = RELAY_WINDOW - self.in_flight
                try:
                    chunk = self.sock.recv(min(65536, room))
                except OSError:
                    break
                if not chunk:
                    break
                with self.credit:
                    self.in_flight += len(chunk)
                send({"id": self.id, "type": "relay_data", "data": base64.b64encode(chunk).decode("ascii")})
        finally:
            send({"id": self.id, "type": "relay_end"})
            self.outbox.put(None)

    def ack(self, size):
        with self.credit:
            self.in_flight = max(0, self.in_flight - size)
            self.credit.notify()

    def stop(self):
        with self.credit:
            self.stopped = True
            self.credit.notify()

    def write_loop(self):
        # A server that stops reading blocks only this thread, never the executor's request loop; sandboxd sends no
        # more than its window ahead of the relay_sent acknowledgements.
        while True:
            item = self.outbox.get()
            if item is None:
                break
            if item == b"":
                try:
                    self.sock.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                continue
            try:
                self.sock.sendall(item)
            except OSError:
                break
            send({"id": self.id, "type": "relay_sent", "bytes": len(item)})
        self.close()

    def close(self):
        self.stop()
        with _relays_lock:
            _relays.pop(self.id, None)
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


def connect_local(port):
    last = None
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.settimeout(RELAY_CONNECT_TIMEOUT)
        try:
            sock.connect((address, port))
            sock.settimeout(None)
            return sock
        except OSError as error:
            last = error
            sock.close()
    raise last


def relay_open(req):
    port = req.get("port")
    if not isinstance(port, int) or port < 1 or port > 65535:
        send({"id": req["id"], "type": "error", "code": "invalid_port", "message": "invalid port %r" % (port,)})
        return
    try:
        sock = connect_local(port)
    except OSError as error:
        send({"id": req["id"], "type": "error", "code": "port_not_listening", "message": "nothing is listening on port %d in the workspace (%s)" % (port, error.strerror or error)})
        return
    relay = Relay(req["id"], sock)
    with _relays_lock:
        _relays[relay.id] = relay
    send({"id": req["id"], "type": "result", "value": {"connected": True}})
    threading.Thread(target=relay.write_loop, daemon=True).start()
    relay.read_loop()


def relay_send(req):
    with _relays_lock:
        relay = _relays.get(req.get("conn"))
    if relay is not None:
        relay.outbox.put(base64.b64decode(req.get("data", "")))


def relay_shutdown(req):
    with _relays_lock:
        relay = _relays.get(req.get("conn"))
    if relay is not None:
        relay.outbox.put(b"")


def relay_ack(req):
    with _relays_lock:
        relay = _relays.get(req.get("conn"))
    if relay is not None:
        relay.ack(int(req.get("bytes", 0)))


def relay_close(req):
    with _relays_lock:
        relay = _relays.get(req.get("conn"))
    if relay is not None:
        relay.stop()
        relay.outbox.put(None)
        try:
            # An abort, not an end: the close resets the connection, so the server learns at once even when a
            # FIN would wait behind bytes it has not read.
            relay.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            relay.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def not_dumpable():
    """Commands run as the same user; a non-dumpable executor cannot be ptraced or have its fds opened by them."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0
    except Exception:
        pass


def main():
    not_dumpable()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    # PID 1 gets only the signals it handles from inside its namespace: a no-op keeps `kill -INT 1` from raising
    # KeyboardInterrupt here, and unlike SIG_IGN it is not inherited by the commands.
    signal.signal(signal.SIGINT, lambda signum, frame: None)
    threading.Thread(target=reap_forever, daemon=True).start()
    os.umask(0o022)
    send({"type": "ready", "pid": os.getpid()})
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        op = req.get("op")
        if op == "exec":
            start_exec(req)
        elif op == "kill":
            kill_exec(req)
        elif op == "release":
            release_exec(req)
        elif op == "spawner":
            spawner_op(req)
        elif op == "pty_input":
            terminal_input(req)
        elif op == "pty_resize":
            terminal_resize(req)
        elif op == "pty_ack":
            terminal_ack(req)
        elif op == "listening":
            listening_sockets(req)
        elif op == "relay_open":
            try:
                threading.Thread(target=relay_open, args=(req,), daemon=True).start()
            except RuntimeError as error:
                send({"id": req.get("id"), "type": "error", "code": "relay_failed", "message": "cannot start a thread: %s" % error})
        elif op == "relay_send":
            relay_send(req)
        elif op == "relay_ack":
            relay_ack(req)
        elif op == "relay_shutdown":
            relay_shutdown(req)
        elif op == "relay_close":
            relay_close(req)
        elif op in FILE_OPS:
            try:
                threading.Thread(target=run_file_op, args=(req,), daemon=True).start()
            except RuntimeError:
                run_file_op(req)
        else:
            send({"id": req.get("id"), "type": "error", "code": "unknown_op", "message": "unknown op %r" % op})
    # sandboxd closed our stdin: end everything that is still running.
    with _execs_lock:
        jobs = list(_execs.values())
    for job in jobs:
        job.kill(False)


def write_archive(kind, path):
    """`executor.py archive <tar.gz|zip> <path>`: the directory (or file) as an archive on stdout, run as an exec.
    Symlinks are stored as links, never followed, so nothing outside the workspace is read through one."""
    try:
        base = resolve(path)
        os.lstat(base)
    except FileOpError as error:
        sys.stderr.write(json.dumps({"code": error.code, "message": error.message}))
        sys.exit(2)
    except OSError as error:
        mapped = os_error(error, path)
        sys.stderr.write(json.dumps({"code": mapped.code, "message": mapped.message}))
        sys.exit(2)
    top = os.path.basename(base) if base != ROOT else "workspace"
    out = sys.stdout.buffer
    if kind == "tar.gz":
        with tarfile.open(fileobj=out, mode="w|gz", format=tarfile.PAX_FORMAT) as archive:
            archive.add(base, arcname=top, recursive=True)
    else:
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for real, name in archive_entries(base, top):
                st = os.lstat(real)
                if stat.S_ISLNK(st.st_mode):
                    info = zipfile.ZipInfo(name)
                    info.external_attr = (stat.S_IFLNK | 0o777) << 16
                    archive.writestr(info, os.readlink(real))
                elif stat.S_ISDIR(st.st_mode):
                    archive.writestr(zipfile.ZipInfo(name + "/"), b"")
                elif stat.S_ISREG(st.st_mode):
                    archive.write(real, name)
    out.flush()


def archive_entries(base, top):
    yield base, top
    if not stat.S_ISDIR(os.lstat(base).st_mode):
        return
    for directory, dirs, files in os.walk(base, followlinks=False):
        dirs.sort()
        rel = os.path.relpath(directory, base)
        prefix = top if rel == "." else top + "/" + rel
        for name in dirs + sorted(files):
            yield os.path.join(directory, name), prefix + "/" + name


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "archive":
        write_archive(sys.argv[2], sys.argv[3])
    else:
        main()
