# kernels: stock-6.12
# A plex that AddPlex filled is flushed before it is called in sync
# (issue: failure paths, F9).  In core mode nothing else flushes it: after
# a migration (AddPlex, then remove the old plex) data acknowledged long
# ago could be only in the new plex's volatile cache.  Loop devices have a
# write cache and count the flushes they complete (/sys/block/*/stat,
# field 16).
flushes() { cut -c1- /sys/block/"$(basename "$1")"/stat | awk '{print $16}'; }
l0=$(loop_file a 16)
l1=$(loop_file b 16)
dmsetup create v --table "0 32768 vdsplex - 64 1 $l0 0 1 nosync"
dd if=/dev/urandom of=/dev/mapper/v bs=1M count=16 oflag=direct status=none
f0=$(flushes "$l1")
dmsetup message v 0 add_plex "$l1"
wait_idle v 120
f1=$(flushes "$l1")
echo "flushes completed by the new plex: $f0 before the AddPlex, $f1 once it is in sync"
[ "$f1" -gt "$f0" ] || fail "the new plex was called in sync without a flush"
expect_eq "$(health v)" AA "health after the AddPlex"
# the migration: the old plex goes, the new one holds everything
dmsetup message v 0 remove_plex 0
blockdev --flushbufs "$l1" "$l0"
cmp -n $((16 << 20)) "$l0" "$l1" || fail "the new plex differs after the migration"
dmsetup remove v
