#!/usr/bin/env python3
"""Workspace checkpoints: a content-addressed store of the workspace's files, outside the workspace.

Runs inside a sandbox of its own (sandboxd/checkpoints.ts) as the workspace user, with /workspace and the store at
/checkpoints. Every file is opened relative to its directory's descriptor with O_NOFOLLOW, so a symlink (or a
directory swapped for one while this runs) never leads a read or a write outside /workspace.

Store layout:
  objects/ab/cdef...   file contents by sha256 (and zlib-compressed trees, same naming)
  meta/<id>.json       one checkpoint: {id, createdAt, kind, threadId, messageId, tree, files, bytes}

A tree is the sorted list of entries [path, type, mode, size, mtime_ns, ino, ctime_ns, ref]: type "d", "f" (ref is
the content's sha256), "l" (ref is the link target) or "u" (a file or directory its owner made unreadable: kept out,
and a restore leaves it as it is). size, mtime, inode and ctime let the next checkpoint reuse a
file's hash without reading it, as git's index does; a file changed less than RACY_NS before the scan is rehashed
next time, since a write in the same clock tick would not change its mtime.

Left out, wherever they are (a restore leaves them as they are, unless the whole directory around them did not
exist in the checkpoint): .git, since each repository's history is its owner's; and what a package manager or a build
rebuilds (node_modules, .venv, __pycache__, .next, .cache), which would make every checkpoint walk tens of thousands of
files (a 200 MB node_modules: ~1 s per checkpoint instead of ~0.1 s). Their recipes (package.json, lockfiles) are kept.

Usage: checkpoint.py create <id> <meta json> | diff <from> <to|now> | restore <id> <undo id> | gc
Answers one JSON line on stdout; errors as {"error": {"code", "message"}} with exit status 2.
"""

import hashlib
import json
import os
import stat
import sys
import time
import zlib

ROOT = "/workspace"
STORE = "/checkpoints"
SKIP = frozenset({".git", "node_modules", ".venv", "__pycache__", ".next", ".cache"})
RACY_NS = 2_000_000_000
CHUNK = 1 << 20
MAX_DIFF_FILE_BYTES = 256 * 1024
MAX_PATCH_CHARS = 400_000
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class Failure(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def object_path(sha):
    return f"{STORE}/objects/{sha[:2]}/{sha[2:]}"


def ensure_store():
    for sub in ("objects", "meta", "tmp"):
        os.makedirs(f"{STORE}/{sub}", exist_ok=True)
    for i in range(256):
        os.makedirs(f"{STORE}/objects/{i:02x}", exist_ok=True)


def tmp_name():
    return f"{STORE}/tmp/{os.getpid()}-{time.monotonic_ns()}"


def put_bytes(data):
    sha = hashlib.sha256(data).hexdigest()
    target = object_path(sha)
    if not os.path.exists(target):
        tmp = tmp_name()
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    return sha


def get_bytes(sha):
    with open(object_path(sha), "rb") as f:
        return f.read()


def store_file(dfd, name):
    """Copies one workspace file into the store while hashing it; answers its sha256."""
    src = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=dfd)
    try:
        if not stat.S_ISREG(os.fstat(src).st_mode):
            return None
        digest = hashlib.sha256()
        tmp = tmp_name()
        with open(tmp, "wb") as out:
            while True:
                chunk = os.read(src, CHUNK)
                if not chunk:
                    break
                digest.update(chunk)
                out.write(chunk)
    finally:
        os.close(src)
    sha = digest.hexdigest()
    target = object_path(sha)
    if os.path.exists(target):
        os.unlink(tmp)
    else:
        os.replace(tmp, target)
    return sha


def scan(cache):
    """The workspace's entries now, each file stored (or its hash reused from `cache` when its stat is unchanged)."""
    entries = []
    racy_after = time.time_ns() - RACY_NS

    def visit(dfd, prefix):
        with os.scandir(dfd) as it:
            items = list(it)
        for item in items:
            name = item.name
            if name in SKIP:
                continue
            path = prefix + name
            try:
                st = item.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            mode = st.st_mode
            if stat.S_ISDIR(mode):
                try:
                    sub = os.open(name, DIR_FLAGS, dir_fd=dfd)
                except PermissionError:
                    entries.append([path, "u", stat.S_IMODE(mode), 0, 0, 0, 0, ""])
                    continue
                except OSError:
                    continue
                entries.append([path, "d", stat.S_IMODE(mode), 0, 0, 0, 0, ""])
                try:
                    visit(sub, path + "/")
                finally:
                    os.close(sub)
            elif stat.S_ISLNK(mode):
                try:
                    target = os.readlink(name, dir_fd=dfd)
                except FileNotFoundError:
                    continue
                entries.append([path, "l", 0, 0, 0, 0, 0, target])
            elif stat.S_ISREG(mode):
                key = [st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns]
                known = cache.get(path)
                sha = known[7] if known is not None and known[3:7] == key and known[5] != 0 else None
                if sha is None:
                    try:
                        sha = store_file(dfd, name)
                    except FileNotFoundError:
                        continue
                    except PermissionError:
                        entries.append([path, "u", stat.S_IMODE(mode), 0, 0, 0, 0, ""])
                        continue
                    if sha is None:
                        continue
                # A file changed moments ago may change again within the same timestamp: no cache key for it.
                ino = 0 if max(st.st_mtime_ns, st.st_ctime_ns) >= racy_after else st.st_ino
                entries.append([path, "f", stat.S_IMODE(mode), st.st_size, st.st_mtime_ns, ino, st.st_ctime_ns, sha])

    root = os.open(ROOT, DIR_FLAGS)
    try:
        visit(root, "")
    finally:
        os.close(root)
    entries.sort(key=lambda e: e[0])
    return entries


def put_tree(entries):
    return put_bytes(zlib.compress(json.dumps(entries, separators=(",", ":")).encode(), 1))


def get_tree(sha):
    return json.loads(zlib.decompress(get_bytes(sha)))


def read_meta(cid):
    try:
        with open(f"{STORE}/meta/{cid}.json") as f:
            return json.load(f)
    except FileNotFoundError:
        raise Failure("checkpoint_not_found", f"no checkpoint {cid} in this workspace") from None


def all_metas():
    metas = []
    for name in os.listdir(f"{STORE}/meta"):
        if name.endswith(".json"):
            with open(f"{STORE}/meta/{name}") as f:
                metas.append(json.load(f))
    metas.sort(key=lambda m: (m["createdAt"], m["id"]))
    return metas


def latest_tree():
    try:
        with open(f"{STORE}/latest") as f:
            return get_tree(f.read().strip())
    except (FileNotFoundError, ValueError, zlib.error):
        return []


def create(cid, meta):
    ensure_store()
    if os.path.exists(f"{STORE}/meta/{cid}.json"):
        raise Failure("checkpoint_exists", f"checkpoint {cid} already exists")
    cache = {e[0]: e for e in latest_tree() if e[1] == "f"}
    entries = scan(cache)
    tree = put_tree(entries)
    files = [e for e in entries if e[1] == "f"]
    record = {
        **meta,
        "id": cid,
        "createdAt": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{time.time_ns() // 1_000_000 % 1000:03d}Z",
        "tree": tree,
        "files": len(files),
        "bytes": sum(e[3] for e in files),
    }
    tmp = tmp_name()
    with open(tmp, "w") as f:
        json.dump(record, f)
    os.replace(tmp, f"{STORE}/meta/{cid}.json")
    with open(tmp, "w") as f:
        f.write(tree)
    os.replace(tmp, f"{STORE}/latest")
    return record, entries


def public(meta):
    return {k: v for k, v in meta.items() if k != "tree"}


def text_of(sha, size):
    if size > MAX_DIFF_FILE_BYTES:
        return None
    data = get_bytes(sha)
    if b"\0" in data:
        return None
    try:
        return data.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return None


def content_lines(entry):
    """An entry's text for a diff: a file's lines, a link's target, nothing for an absent one, None when binary."""
    if entry is None:
        return []
    if entry[1] == "f":
        return text_of(entry[7], entry[3])
    return [entry[7]] if entry[1] == "l" else None


def diff(old, new):
    """Files that differ between two trees, and a unified patch of the text ones (git's format, bounded)."""
    a = {e[0]: e for e in old if e[1] != "d"}
    b = {e[0]: e for e in new if e[1] != "d"}
    files = []
    patch = []
    size = 0
    truncated = False
    for path in sorted(set(a) | set(b)):
        x, y = a.get(path), b.get(path)
        if x and y and x[1] == y[1] and x[7] == y[7] and x[2] == y[2]:
            continue
        status = "added" if x is None else "deleted" if y is None else "modified"
        entry = {"path": path, "status": status}
        before = content_lines(x)
        after = content_lines(y)
        header = f"diff --git a/{path} b/{path}\n"
        if before is None or after is None:
            entry["binary"] = True
            body = header + f"Binary files {'a/' + path if x else '/dev/null'} and {'b/' + path if y else '/dev/null'} differ\n"
        else:
            import difflib  # only diffs need it, and it is slow to import

            lines = difflib.unified_diff(
                before, after, "a/" + path if x else "/dev/null", "b/" + path if y else "/dev/null", n=3
            )
            body = header + "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
        files.append(entry)
        if truncated or size + len(body) > MAX_PATCH_CHARS:
            truncated = True
            continue
        patch.append(body)
        size += len(body)
    return {"files": files, "patch": "".join(patch), "truncated": truncated}


def tree_of(ref):
    if ref == "now":
        ensure_store()
        return scan({e[0]: e for e in latest_tree() if e[1] == "f"})
    return get_tree(read_meta(ref)["tree"])


class Dirs:
    """Directory descriptors of /workspace paths, each component opened without following a symlink."""

    def __init__(self):
        self.fds = {"": os.open(ROOT, DIR_FLAGS)}

    def get(self, path, mode=0o755, create=True):
        if path in self.fds:
            return self.fds[path]
        parent, _, name = path.rpartition("/")
        pfd = self.get(parent, create=create)
        try:
            fd = os.open(name, DIR_FLAGS, dir_fd=pfd)
        except (FileNotFoundError, NotADirectoryError, OSError) as error:
            if not create:
                raise
            if not isinstance(error, FileNotFoundError):
                remove(pfd, name)
            os.mkdir(name, mode, dir_fd=pfd)
            fd = os.open(name, DIR_FLAGS, dir_fd=pfd)
        self.fds[path] = fd
        return fd

    def forget(self, path):
        for key in [k for k in self.fds if k == path or k.startswith(path + "/")]:
            os.close(self.fds.pop(key))

    def close(self):
        for fd in self.fds.values():
            os.close(fd)
        self.fds = {}


def remove(dfd, name):
    """Removes a file, a link or a whole directory (what it holds included) below an open directory."""
    try:
        st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(st.st_mode):
        os.unlink(name, dir_fd=dfd)
        return
    os.chmod(name, 0o700, dir_fd=dfd)
    sub = os.open(name, DIR_FLAGS, dir_fd=dfd)
    try:
        os.fchmod(sub, 0o700)
        for child in os.listdir(sub):
            remove(sub, child)
    finally:
        os.close(sub)
    os.rmdir(name, dir_fd=dfd)


def restore(target, now):
    """Makes /workspace equal to `target` (a tree), given `now` (the tree it has): only what differs is touched."""
    want = {e[0]: e for e in target}
    have = {e[0]: e for e in now}
    dirs = Dirs()
    try:
        # Read-only directories are opened up while files change in them; the wanted modes are set at the end.
        for path, entry in have.items():
            if entry[1] == "d" and entry[2] & 0o700 != 0o700:
                try:
                    os.fchmod(dirs.get(path, create=False), entry[2] | 0o700)
                except OSError:
                    pass
        # Children before parents; a directory that is a directory in both stays (its .git with it).
        for path in sorted(have, reverse=True):
            old, new = have[path], want.get(path)
            # What was unreadable at the checkpoint is left as it is now.
            if new is not None and (new[1] == old[1] or new[1] == "u"):
                continue
            parent, _, name = path.rpartition("/")
            try:
                pfd = dirs.get(parent, create=False)
            except (FileNotFoundError, NotADirectoryError, OSError):
                continue
            dirs.forget(path)
            remove(pfd, name)
        for path in sorted(want):
            new, old = want[path], have.get(path)
            parent, _, name = path.rpartition("/")
            pfd = dirs.get(parent)
            kind = new[1]
            if kind == "u":
                continue
            if kind == "d":
                dirs.get(path, 0o700)
            elif kind == "l":
                if old is not None and old[1] == "l" and old[7] == new[7]:
                    continue
                remove(pfd, name)
                os.symlink(new[7], name, dir_fd=pfd)
            else:
                if old is not None and old[1] == "f" and old[7] == new[7] and old[2] == new[2]:
                    continue
                temp = f".netm8-restore-{os.getpid()}-{name}"[:255]
                out = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600, dir_fd=pfd)
                try:
                    with open(object_path(new[7]), "rb") as src:
                        while True:
                            chunk = src.read(CHUNK)
                            if not chunk:
                                break
                            os.write(out, chunk)
                    os.fchmod(out, new[2])
                    os.utime(out, ns=(new[4], new[4]))
                finally:
                    os.close(out)
                if old is not None and old[1] == "d":
                    dirs.forget(path)
                    remove(pfd, name)
                os.rename(temp, name, src_dir_fd=pfd, dst_dir_fd=pfd)
        # Directory modes last, deepest first: a read-only directory is still written into above.
        for path in sorted((p for p in want if want[p][1] == "d" and have.get(p, want[p])[1] != "u"), reverse=True):
            os.fchmod(dirs.get(path), want[path][2])
    finally:
        dirs.close()


def gc():
    """Removes objects no checkpoint refers to (after older checkpoints were dropped)."""
    keep = set()
    for meta in all_metas():
        keep.add(meta["tree"])
        for entry in get_tree(meta["tree"]):
            if entry[1] == "f":
                keep.add(entry[7])
    removed = 0
    freed = 0
    for prefix in os.listdir(f"{STORE}/objects"):
        folder = f"{STORE}/objects/{prefix}"
        for rest in os.listdir(folder):
            if prefix + rest not in keep:
                freed += os.stat(f"{folder}/{rest}").st_size
                os.unlink(f"{folder}/{rest}")
                removed += 1
    for name in os.listdir(f"{STORE}/tmp"):
        os.unlink(f"{STORE}/tmp/{name}")
    try:
        with open(f"{STORE}/latest") as f:
            if f.read().strip() not in keep:
                os.unlink(f"{STORE}/latest")
    except FileNotFoundError:
        pass
    return {"removedObjects": removed, "freedBytes": freed}


def main(argv):
    command = argv[0] if argv else ""
    if command == "create":
        record, _ = create(argv[1], json.loads(argv[2]))
        return {"checkpoint": public(record)}
    if command == "diff":
        old = tree_of(argv[1])
        return diff(old, tree_of(argv[2]))
    if command == "restore":
        target = read_meta(argv[1])
        undo, now = create(argv[2], json.loads(argv[3]))
        restore(get_tree(target["tree"]), now)
        return {"restored": public(target), "undo": public(undo)}
    if command == "delete":
        for cid in argv[1:]:
            try:
                os.unlink(f"{STORE}/meta/{cid}.json")
            except FileNotFoundError:
                pass
        return {"deleted": len(argv) - 1}
    if command == "gc":
        ensure_store()
        return gc()
    raise Failure("invalid_request", f"unknown command {command!r}")


if __name__ == "__main__":
    try:
        result = main(sys.argv[1:])
    except Failure as failure:
        print(json.dumps({"error": {"code": failure.code, "message": str(failure)}}))
        sys.exit(2)
    except OSError as error:
        code = "disk_quota_exceeded" if error.errno in (28, 122) else "io_error"
        print(json.dumps({"error": {"code": code, "message": f"{error.strerror}: {error.filename or ''}".strip()}}))
        sys.exit(2)
    print(json.dumps(result))
