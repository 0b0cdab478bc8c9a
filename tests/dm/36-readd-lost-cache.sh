# kernels: stock-6.12
# A plex that fails may have lost, with its volatile cache, writes it
# completed lately (issue: failure paths, F5).  With a metadata device the
# regions written since their last sweep are not in sync on it any more, so
# readd_plex copies them as well as the regions written while it was dead.
l0=$(loop_file a 16)
l1=$(loop_file b 16)
lm=$(loop_file m 4)
dmsetup create v --table "0 32768 vdsplex $lm 64 2 $l0 0 $l1 0 1 nosync"
# regions 3 and 9 written just now: their write-intent bits are on disk
dd if=/dev/urandom of=/dev/mapper/v bs=32k seek=3 count=1 oflag=direct status=none
dd if=/dev/urandom of=/dev/mapper/v bs=32k seek=9 count=1 oflag=direct status=none
r0=$(status_field v 8)
dmsetup message v 0 fail_plex 1
# region 20 is written while plex 1 is dead
dd if=/dev/urandom of=/dev/mapper/v bs=32k seek=20 count=1 oflag=direct status=none
dmsetup message v 0 readd_plex 1
wait_idle v 60
r1=$(status_field v 8)
echo "readd_plex copied $((r1 - r0)) regions (written lately: 2, while dead: 1)"
[ $((r1 - r0)) -ge 3 ] ||
	fail "readd_plex copied $((r1 - r0)) regions: the ones written just before the failure were trusted"
plexes_equal 32768 "$l0:0" "$l1:0"
dmsetup remove v
