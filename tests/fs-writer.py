#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Acknowledged-file writer and checker for the file-system crash loop.

A file counts as written (is *acknowledged*) only once every step that
POSIX says makes it durable has returned: the data written and fsync'd,
renamed over its name (atomic rewrite) or created in place, and its
directory fsync'd.  Each step is logged to LOG (on the host, through the
guest's 9p share, so the log survives the guest's crash) before and after:

    B name gen size       the operation began
    A name gen size       it was acknowledged

Size -1 is an unlink.  The content of (name, gen, size) is a function of the
three, so the checker needs nothing but the log.  The mix: mostly new files
(created in place), atomic rewrites of existing ones, and unlinks that keep
the file system from filling up.

usage: fs-writer.py write DIR LOG SEED     write until killed
       fs-writer.py check DIR LOG          every acknowledged file intact
"""
import os
import random
import sys

LIVE = 400
MIN_SIZE = 4096
MAX_SIZE = 200 * 1024


def content(name, gen, size):
    return random.Random(f"{name}/{gen}/{size}").randbytes(size)


def read_log(path):
    """Per name: the last acknowledged (gen, size), and the generations
    begun after it (any of which a crash may or may not have made durable)."""
    acked, begun = {}, {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) != 4 or parts[0] not in "AB":
                    continue  # a line torn by the crash
                kind, name, gen, size = parts[0], parts[1], int(parts[2]), int(parts[3])
                if kind == "B":
                    begun.setdefault(name, {})[gen] = size
                else:
                    acked[name] = (gen, size)
                    begun[name] = {g: s for g, s in begun.get(name, {}).items() if g > gen}
    except FileNotFoundError:
        pass
    return acked, begun


def fsync_dir(d):
    fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
        os.fsync(fd)
    finally:
        os.close(fd)


def write(d, log, seed):
    acked, begun = read_log(log)
    gens = {}
    for name in set(acked) | set(begun):
        gens[name] = max([acked.get(name, (0, 0))[0]] + list(begun.get(name, {})))
    live = sorted(n for n, (g, s) in acked.items() if s >= 0)
    rnd = random.Random(seed)
    os.makedirs(d, exist_ok=True)
    fsync_dir(os.path.dirname(d.rstrip("/")) or "/")
    out = open(log, "a", buffering=1)
    while True:
        op = rnd.random()
        if len(live) > LIVE or (live and op < 0.1):
            name = live.pop(rnd.randrange(len(live)))
            size = -1
        elif live and op < 0.4:
            name = live[rnd.randrange(len(live))]
            size = rnd.choice([rnd.randrange(MIN_SIZE, MAX_SIZE + 1),
                               rnd.randrange(1, 4) * 4096])
        else:
            name = f"f{len(gens):05d}"
            size = rnd.randrange(MIN_SIZE, MAX_SIZE + 1) // rnd.choice([1, 4, 16])
            live.append(name)
        gen = gens.get(name, 0) + 1
        gens[name] = gen
        out.write(f"B {name} {gen} {size}\n")
        path = os.path.join(d, name)
        if size < 0:
            os.unlink(path)
        elif not os.path.exists(path):
            write_file(path, content(name, gen, size))   # new, in place
        else:
            tmp = path + ".tmp"                          # atomic rewrite
            write_file(tmp, content(name, gen, size))
            os.rename(tmp, path)
        fsync_dir(d)
        out.write(f"A {name} {gen} {size}\n")


def check(d, log):
    acked, begun = read_log(log)
    bad = 0
    for name in sorted(set(acked) | set(begun)):
        path = os.path.join(d, name)
        allowed = {}
        if name in acked:
            allowed[acked[name][0]] = acked[name][1]
        allowed.update(begun.get(name, {}))
        try:
            with open(path, "rb") as f:
                got = f.read()
        except FileNotFoundError:
            got = None
        if got is None:
            if -1 in allowed.values():
                continue  # unlinked (or its unlink began)
            if name in acked:
                print(f"LOST {name}: missing, acknowledged gen {acked[name][0]} "
                      f"size {acked[name][1]}")
                bad += 1
            continue
        if any(s >= 0 and len(got) == s and got == content(name, g, s)
               for g, s in allowed.items()):
            continue
        if name not in acked or acked[name][1] < 0 and len(allowed) == 1:
            if name in acked:
                print(f"LOST {name}: unlink acknowledged, found size {len(got)}")
                bad += 1
            continue  # never acknowledged: anything goes
        g, s = acked[name]
        older = [og for og in range(g - 1, 0, -1)
                 if any(got == content(name, og, sz) for sz in [len(got)])]
        print(f"LOST {name}: acknowledged gen {g} size {s}, found size {len(got)}"
              + (f" (gen {older[0]}'s content)" if older else
                 f" (first differing byte {next((i for i in range(min(len(got), s)) if got[i] != content(name, g, s)[i]), min(len(got), s))})"))
        bad += 1
    nacks = sum(1 for g, s in acked.values() if s >= 0)
    print(f"fs-writer: checked {nacks} acknowledged files ({len(acked)} names), {bad} lost")
    return 1 if bad else 0


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "write":
        write(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    elif len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
