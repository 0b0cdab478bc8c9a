# smoke: yes
# kernels: stock-6.12
# The resync engine: add_plex under fio load (the new plex then verifies on
# its own), two plexes added in one pass, suspend/resume and a reload in the
# middle of a resync (no restart), cancel, removing the source mid-resync,
# and the refusals.
brd_load 6 64 # ram5: a spare, never written
len=131072 # 64 regions of 1 MiB
dmsetup create v --table "0 $len vdsplex - 2048 2 /dev/ram0 0 /dev/ram1 0 1 nosync"
job=(--name=load --size=64M --rw=randwrite --bs=4k --iodepth=16 --ioengine=libaio
	--direct=1 --verify=crc32c --randseed=7 --number_ios=4000)

# add_plex while fio writes; the message returns with the plex recovering.
# A cap keeps the copy (64 MiB of ram disk) from ending before the status
# is read; the copy then goes on at the adaptive default.
fio "${job[@]}" --filename=/dev/mapper/v --do_verify=0 --output=/tmp/load.out &
fio_pid=$!
sleep 2
dmsetup message v 0 resync_rate 8192
dmsetup message v 0 add_plex /dev/ram2
expect_eq "$(dmsetup status v | cut -d' ' -f5,7)" "AAa recover" \
	"health and sync_action right after add_plex"
dmsetup message v 0 resync_rate adaptive
wait "$fio_pid" || { cat /tmp/load.out; fail "fio write pass"; }
wait_idle v
expect_eq "$(health v)" AAA "health after the resync"
expect_eq "$(status_field v 8)" 64 "regions resynced by one add_plex"
fio "${job[@]}" --filename=/dev/ram2 --verify_only --output=/tmp/verify.out ||
	{ cat /tmp/verify.out; fail "fio verify read from the new plex alone"; }
grep -q 'err= 0' /tmp/verify.out || fail "fio reported errors"
plexes_equal $len /dev/ram0:0 /dev/ram1:0 /dev/ram2:0

# Two plexes, one pass (one ADD_PLEX with two extents): every region is
# copied once for both.  A second AddPlex while one runs is refused, for
# that reason (a free device, so no other reason applies).
dmsetup message v 0 pause_resync
ioctl_expect VDS_S_OK add /dev/mapper/v /dev/ram3 /dev/ram4@0 --close
if out=$(dmsetup message v 0 add_plex /dev/ram5 2>&1); then
	fail "a second add_plex while an AddPlex runs was accepted"
fi
case "$out" in
*"Operation already in progress"*) ;;
*) fail "a second add_plex while an AddPlex runs: want EALREADY, got: $out" ;;
esac
dmesg | tail -n 20 | grep -q 'add_plex: another AddPlex is running' ||
	fail "a second add_plex: kernel log lacks 'another AddPlex is running' (has: $(dmesg | grep vdsplex | tail -n 1))"
expect_eq "$(health v)" AAAaa "health with two plexes added while paused"
expect_eq "$(status_field v 4)" frozen "sync_action while paused"
dmsetup message v 0 resume_resync
wait_idle v
expect_eq "$(health v)" AAAAA "health after adding two plexes"
expect_eq "$(status_field v 8)" 128 "regions resynced after the second pass"
plexes_equal $len /dev/ram0:0 /dev/ram1:0 /dev/ram2:0 /dev/ram3:0 /dev/ram4:0
dmsetup message v 0 identity 3 by-id-ram3
dmsetup message v 0 remove_plex 4
dmsetup message v 0 remove_plex 3
dmsetup message v 0 remove_plex 2
expect_eq "$(table_of v)" "- 2048 2 1:0 0 1:1 0" "table after remove_plex"

# Suspend/resume and a reload mid-resync continue where the copy was.
dmsetup message v 0 resync_rate 4096
scramble /dev/ram2 # it holds the data: a copy that does nothing must fail
dmsetup message v 0 add_plex /dev/ram2
sleep 3
dmsetup suspend v
dmsetup resume v
before=$(status_field v 8)
dmsetup table v | dmsetup load v
dmsetup resume v
after=$(status_field v 8)
[ "$after" -ge "$before" ] || fail "regions_resynced went back after a reload: $before -> $after"
wait_idle v
expect_eq "$(status_field v 8)" 192 "regions resynced: no region copied twice"
expect_eq "$(status_field v 7)" 4096 "resync_rate kept across the reload"
plexes_equal $len /dev/ram0:0 /dev/ram1:0 /dev/ram2:0

# cancel detaches the plex being added; the others keep their data.
dd if=/dev/urandom of=/dev/mapper/v bs=1M count=8 oflag=direct status=none
dmsetup message v 0 add_plex /dev/ram3
sleep 2
dmsetup message v 0 cancel
expect_eq "$(health v)" AAA "health after cancel"
expect_eq "$(table_of v)" "- 2048 3 1:0 0 1:1 0 1:2 0 2 resync_rate 4096" "table after cancel"
plexes_equal $len /dev/ram0:0 /dev/ram1:0 /dev/ram2:0
expect_msg_fails v cancel

# Remove the source plex mid-resync: plex 1 takes over as the source.
dmsetup message v 0 resync_rate adaptive
dmsetup message v 0 resync_rate 8192
# the cancelled copy left ram3 holding all the data: scrambled first
scramble /dev/ram3
dmsetup message v 0 add_plex /dev/ram3
sleep 2
dmsetup message v 0 remove_plex 0
wait_idle v
expect_eq "$(health v)" AAA "health after removing the source mid-resync"
plexes_equal $len /dev/ram1:0 /dev/ram2:0 /dev/ram3:0

# Refusals.
expect_msg_fails v add_plex /dev/nonexistent
expect_msg_fails v add_plex /dev/ram1
expect_msg_fails v add_plex /dev/ram4 1
expect_msg_fails v identity 7 name
expect_msg_fails v identity 0 "two words"
expect_msg_fails v resync_rate fast
expect_msg_fails v remove_plex 3
expect_msg_fails v frobnicate
dmsetup message v 0 fail_plex 0
dmsetup message v 0 fail_plex 1
expect_eq "$(health v)" DDA "health after failing two plexes"
expect_msg_fails v fail_plex 2
expect_msg_fails v remove_plex 2
