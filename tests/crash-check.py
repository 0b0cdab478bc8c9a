#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Host-side check of a crashed vdsplex volume's persisted state.

The invariant (Documentation/design.rst, "Persistent state"): after any
sequence of crashes, every region in which a plex may differ from the
source that the next activation picks is either dirty on disk (its
write-intent bit is set) or, for a plex whose record is not alive, clear in
that plex's on-disk in-sync bitmap.  This script reads the metadata image and
the plex images of a guest that just crashed (QEMU is down), and checks it
region by region: a plex whose region differs from the source's while the
metadata claims it in sync is a VIOLATION.

With --inject it then fills every region that the metadata says a plex may
lack with random bytes (regions recorded as discarded excepted, whose
contents are undefined): a later read served from such a region, or a
resync that misses one, surfaces as a lost file or unequal plexes.

usage: crash-check.py [--inject] [--tag TAG] META DISK...
  DISK...  the guest's virtio disks in order (vda, vdb, ...; the metadata's
           own among them); records name their plex by major:minor, and
           virtio-blk minors go by 16 a disk
"""
import hashlib
import os
import struct
import sys

BLOCK = 4096
HDR = 16                      # struct vdsplex_md_header
REC = 120                     # struct vdsplex_disk_plex
ALIVE, RECOVER, STALE, DEAD = 1, 2, 3, 4
NAMES = {ALIVE: "alive", RECOVER: "recover", STALE: "stale", DEAD: "dead"}
WRITE_MOSTLY = 2              # VDSPLEX_MD_PLEX_WRITE_MOSTLY


def main():
    args = sys.argv[1:]
    inject = "--inject" in args
    args = [a for a in args if a != "--inject"]
    tag = ""
    if "--tag" in args:
        i = args.index("--tag")
        tag = args[i + 1]
        del args[i:i + 2]
    if len(args) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    meta, disks = args[0], args[1:]
    with open(meta, "rb") as f:
        md = f.read(BLOCK * 2)
    sb = md[:BLOCK]
    version, flags = struct.unpack_from("<II", sb, HDR)
    (gen, vol_sectors, region_size, bitmap_blocks, nr, cursor,
     next_id, nr_plexes) = struct.unpack_from("<QQIIQQQI", sb, HDR + 8 + 16)
    if not gen:
        print(f"[{tag}] blank metadata: nothing to check")
        return 0
    layout_wi = 2
    layout_disc = layout_wi + bitmap_blocks
    layout_in_sync = layout_disc + bitmap_blocks

    def bitmap(first):
        with open(meta, "rb") as f:
            f.seek(first * BLOCK)
            raw = b"".join(f.read(BLOCK)[HDR:] for _ in range(bitmap_blocks))
        return [(raw[i // 8] >> (i % 8)) & 1 for i in range(nr)]

    wi = bitmap(layout_wi)
    disc = bitmap(layout_disc)
    table = md[BLOCK:]
    recs = []
    for slot in range(32):
        off = HDR + slot * REC
        pid = struct.unpack_from("<Q", table, off)[0]
        if not pid:
            continue
        (major, minor, _sectors, offset, state, rflags, _re, _we,
         _cp) = struct.unpack_from("<IIQQIIIIQ", table, off + 8 + 64)
        disk = minor // 16
        if disk >= len(disks):
            print(f"[{tag}] plex id {pid}: {major}:{minor} is no disk given")
            return 2
        recs.append(dict(slot=slot, id=pid, disk=disk, offset=offset,
                         state=state, wm=bool(rflags & WRITE_MOSTLY),
                         in_sync=bitmap(layout_in_sync + slot * bitmap_blocks)
                         if state != ALIVE else None))
    recs.sort(key=lambda r: r["disk"])  # the table lists them in disk order
    # the source the next activation picks: the first alive record, one
    # that is not write_mostly before one that is
    alive = [r for r in recs if r["state"] == ALIVE]
    src = next((r for r in alive if not r["wm"]), alive[0] if alive else None)
    print(f"[{tag}] generation {gen} {'clean' if flags & 1 else 'unclean'} "
          f"dirty {sum(wi)} discarded {sum(disc)} " +
          " ".join(f"plex{r['id']}@vd{chr(97 + r['disk'])}:{NAMES.get(r['state'], r['state'])}"
                   + (f"({sum(r['in_sync'])}/{nr})" if r["in_sync"] else "")
                   for r in recs))
    if not src:
        print(f"[{tag}] no alive record")
        return 1
    rbytes = region_size * 512

    def regions(r):
        with open(disks[r["disk"]], "rb") as f:
            f.seek(r["offset"] * 512)
            return [hashlib.sha1(f.read(rbytes)).digest() for _ in range(nr)]

    ref = regions(src)
    bad = 0
    for r in recs:
        if r is src or r["state"] == DEAD:
            continue
        h = regions(r)
        differ = [i for i in range(nr) if h[i] != ref[i] and not disc[i]]
        for i in differ:
            covered = wi[i] or (r["in_sync"] is not None and not r["in_sync"][i])
            if not covered:
                bad += 1
                print(f"[{tag}] VIOLATION region {i}: plex id {r['id']} differs from "
                      f"the source (plex id {src['id']}) while the metadata calls "
                      f"it in sync (record {NAMES.get(r['state'])}, write-intent 0)")
        print(f"[{tag}] plex id {r['id']}: {len(differ)} regions differ from the source, "
              f"{len(differ) - sum(1 for i in differ if wi[i] or (r['in_sync'] is not None and not r['in_sync'][i]))} uncovered")
    if inject:
        for r in recs:
            if r is src or r["state"] == DEAD:
                continue
            n = 0
            with open(disks[r["disk"]], "r+b") as f:
                for i in range(nr):
                    lacks = wi[i] or (r["in_sync"] is not None and not r["in_sync"][i])
                    if lacks and not disc[i]:
                        f.seek(r["offset"] * 512 + i * rbytes)
                        f.write(os.urandom(min(rbytes, (vol_sectors * 512) - i * rbytes)))
                        n += 1
            print(f"[{tag}] plex id {r['id']}: {n} regions it may lack filled with random bytes")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
