# long: yes
# A commit reads the in-sync bitmaps of the plexes that are not in sync
# after it flushed every plex (Documentation/design.rst, "Commit order");
# remove_plex and cancel free a plex.  The commit must pin what it reads:
# under writes (so the commit work sweeps), with the plexes' flushes slowed
# by dm-delay so a commit spends its time between its snapshot and its
# bitmaps, plexes are added, failed, removed and AddPlexes cancelled in a
# loop.  KASAN must stay silent (the runner fails on any report), every
# write must succeed and the plexes left must be equal.
n=6
brd_load 4 16
len=32768
for i in 0 1 2 3; do
	# reads and writes at once, flushes half a second late
	dmsetup create d$i --table "0 $len delay /dev/ram$i 0 0 /dev/ram$i 0 0 /dev/ram$i 0 500"
done
meta=$(loop_file meta 4)
dmsetup create v --table "0 $len vdsplex $meta 64 2 /dev/mapper/d0 0 /dev/mapper/d1 0 1 nosync"
rm -f /tmp/writer.stop /tmp/writer.err
(while [ ! -e /tmp/writer.stop ]; do
	dd if=/dev/urandom of=/dev/mapper/v bs=4k count=16 seek=$((RANDOM % 1000)) \
		oflag=direct conv=notrunc status=none 2>>/tmp/writer.err ||
		echo "a write failed, health $(health v)" >>/tmp/writer.err
done) &
writer=$!
for ((k = 0; k < n; k++)); do
	# an AddPlex cancelled after a while: its plex freed mid-commit
	dmsetup message v 0 add_plex /dev/mapper/d2
	nap
	dmsetup message v 0 cancel 2>/dev/null || dmsetup message v 0 remove_plex 2 ||
		fail "round $k: neither cancel nor remove_plex of the added plex: $(dmsetup status v)"
	# a plex added, failed (recorded dead: its bitmap read by commits),
	# then removed
	dmsetup message v 0 add_plex /dev/mapper/d3
	nap
	dmsetup message v 0 fail_plex 2 || fail "round $k: fail_plex 2: $(dmsetup status v)"
	nap
	dmsetup message v 0 remove_plex 2 || fail "round $k: remove_plex 2: $(dmsetup status v)"
	expect_eq "$(health v)" AA "round $k: health"
done
touch /tmp/writer.stop
wait $writer
[ ! -s /tmp/writer.err ] || fail "the writer saw errors: $(head -n 4 /tmp/writer.err)"
wait_idle v
plexes_equal $len /dev/mapper/d0:0 /dev/mapper/d1:0
echo "$n rounds of add/cancel and add/fail/remove under writes with slow flushes"
dmsetup remove v
for i in 0 1 2 3; do dmsetup remove d$i; done
