# kernels: debug
# No write is acknowledged while a plex failure is not on the metadata
# device (issue: failure paths, F1; md's MD_SB_CHANGE_PENDING).  The
# metadata device is suspended, so no commit can finish; plex 0 starts
# failing writes.  The write that fails it waits, and so must every write
# completed after it: acknowledged before the failure is recorded, a crash
# would bring plex 0 back as in sync although it missed them.
l0=$(loop_file a 16)
l1=$(loop_file b 16)
lm=$(loop_file m 4)
dmsetup create p0 --table "0 32768 linear $l0 0"
dmsetup create meta --table "0 8192 linear $lm 0"
dmsetup create v --table "0 32768 vdsplex /dev/mapper/meta 64 2 /dev/mapper/p0 0 $l1 0 1 nosync"
# regions 0 and 1 get their write-intent bits on disk now
dd if=/dev/urandom of=/tmp/data bs=32k count=2 status=none
dd if=/tmp/data of=/dev/mapper/v bs=32k count=2 oflag=direct status=none
# plex 0 fails every write from now on; the metadata takes no write
dmsetup suspend p0
dmsetup load p0 --table "0 32768 error"
dmsetup resume p0
dmsetup suspend --nolockfs meta
dd if=/tmp/data of=/dev/mapper/v bs=32k count=1 oflag=direct status=none &
w1=$!
for i in $(seq 100); do [ "$(health v)" = DA ] && break; sleep 0.1; done
expect_eq "$(health v)" DA "health once plex 0 failed a write"
dd if=/tmp/data of=/dev/mapper/v bs=32k skip=1 seek=1 count=1 oflag=direct status=none &
w2=$!
sleep 3
kill -0 $w1 2>/dev/null || fail "the write that failed plex 0 was acknowledged before the failure was committed"
kill -0 $w2 2>/dev/null || fail "a write after plex 0 failed was acknowledged before the failure was committed"
echo "both writes wait for the commit of the failure"
dmsetup resume meta
wait $w1 || fail "the first write failed"
wait $w2 || fail "the second write failed"
expect_eq "$(health v)" DA "health after the commit"
blockdev --flushbufs "$l1"
cmp -n $((64 << 10)) /tmp/data "$l1" || fail "the writes are not on plex 1"
# the metadata records plex 0 dead
dmsetup suspend v
dmsetup remove v
"$VX" dump-metadata /dev/mapper/meta | grep -iE "dead" ||
	fail "the metadata does not record plex 0 dead: $("$VX" dump-metadata /dev/mapper/meta)"
dmsetup remove meta
dmsetup remove p0
