# kernels: debug
# A write's copies to its plexes are allocated in ->map, where the bios
# already sent wait on current->bio_list until ->map returns
# (Documentation/design.rst, "The write path"): a pool that makes the
# allocation wait for bios of its own that cannot go out waits forever.
# 20 plexes, every bio cache failing the writer's allocations (failslab,
# task filter, reclaim too), so each copy comes from a pool's reserve: the
# writes must complete while the caches still fail.  On dm-io (a pool of
# 16, no rescuer) the first write waited until failslab was switched off.
fs=/sys/kernel/debug/failslab
[ -d $fs ] || fail "this kernel has no failslab (CONFIG_FAILSLAB)"
n=20
brd_load $n 2
plexes=""
for ((i = 0; i < n; i++)); do plexes+=" /dev/ram$i 0"; done
# 64-sector regions: a 64 KiB write is two bios, two rounds of 20 copies
dmsetup create v --table "0 4096 vdsplex - 64 $n$plexes 1 nosync"
dd if=/dev/urandom of=/tmp/data bs=64k count=32 status=none

failslab_on() {
	local c
	for c in /sys/kernel/slab/bio-*; do echo 1 >"$c/failslab"; done
	echo Y >$fs/cache-filter
	echo Y >$fs/task-filter
	echo N >$fs/ignore-gfp-wait
	echo 0 >$fs/space
	echo 1 >$fs/interval
	echo 1000000 >$fs/times	# counts down: the failures injected
	echo 0 >$fs/verbose
	echo 100 >$fs/probability
}
failslab_off() {
	local c
	echo 0 >$fs/probability
	for c in /sys/kernel/slab/bio-*; do echo 0 >"$c/failslab"; done
}
failslab_on
# only the writer's allocations fail (make-it-fail, inherited by dd)
sh -c 'echo 1 >/proc/self/make-it-fail &&
	exec dd if=/tmp/data of=/dev/mapper/v bs=64k count=32 oflag=direct status=none' &
w=$!
for ((k = 0; k < 60; k++)); do
	kill -0 $w 2>/dev/null || break
	sleep 0.5
done
stuck=0
kill -0 $w 2>/dev/null && stuck=1
injected=$((1000000 - $(cat $fs/times)))
failslab_off
wait $w || fail "the writer failed (dd exit $?)"
[ $stuck = 0 ] || fail "the writes did not complete in 30 s while the bio caches failed ($injected allocations failed): an allocation in ->map waited for bios it held"
# the copies did come from the reserves: failslab failed most of the 1280
# copies' allocations (and DM's own)
[ "$injected" -ge 640 ] || fail "failslab failed only $injected allocations: the test did not test"
expect_eq "$(health v)" "$(printf 'A%.0s' $(seq $n))" "health after the writes"
cmp -n $((2 << 20)) /tmp/data /dev/mapper/v || fail "the volume does not read back what was written"
args=()
for ((i = 1; i < n; i++)); do args+=("/dev/ram$i:0"); done
plexes_equal 4096 /dev/ram0:0 "${args[@]}"
echo "$n plexes: 32 writes of 64 KiB completed while failslab failed $injected of the writer's bio allocations"
dmsetup remove v
