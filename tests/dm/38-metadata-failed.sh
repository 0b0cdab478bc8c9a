# kernels: debug
# Running with a failed metadata device (Documentation/dm-vdsplex.rst,
# "Errors"): writes go on unlogged; what needs a commit is refused, fail_plex
# too (before, it was accepted and every later write failed, as the failure
# could not be recorded); a plex that fails by itself meanwhile makes writes
# fail (no write is acknowledged past an unrecorded failure) until a resume
# rewrites the metadata; then the failure is on disk and writes go on.
brd_load 3 16
len=32768 # 16 MiB, 256 regions of 64 KiB
dmsetup create lm --table "0 8192 linear /dev/ram2 0"
dmsetup create l1 --table "0 $len linear /dev/ram1 0"
T="0 $len vdsplex /dev/mapper/lm 128 2 /dev/ram0 0 /dev/mapper/l1 0"
dmsetup create v --table "$T 1 nosync"
dd if=/dev/urandom of=/dev/mapper/v bs=1M count=16 oflag=direct status=none
# every region clean again: the next write to one needs a commit
wait_swept /dev/mapper/lm
swap() { # swap DEV TABLE
	dmsetup suspend "$1"
	dmsetup load "$1" --table "$2"
	dmsetup resume "$1"
}
wr() { # wr REGION: one 4 KiB write through the volume
	dd if=/dev/urandom of=/dev/mapper/v bs=4k seek=$(($1 * 16)) count=1 \
		oflag=direct conv=notrunc status=none
}

# The metadata device fails; a write to a clean region needs a commit.
swap lm "0 8192 error"
wr 100 || fail "a write failed when the metadata device failed"
expect_eq "$(status_field v 6)" fail "metadata_state after its device failed"
wr 101 || fail "an unlogged write failed"
# what needs a commit is refused, fail_plex too
expect_msg_fails v fail_plex 1
dmesg | tail -n 3 | grep -q "fail_plex: the metadata device has failed" ||
	fail "kernel log lacks the fail_plex refusal"
expect_msg_fails v check
dmesg | tail -n 3 | grep -q "check: the metadata device has failed" ||
	fail "kernel log lacks the check refusal"
expect_eq "$(health v)" AA "health after the refused fail_plex"
wr 102 || fail "a write after the refused fail_plex failed"

# Plex 1 fails by itself: its failure cannot be recorded, so writes fail.
swap l1 "0 $len error"
if wr 103 2>/dev/null; then fail "a write was acknowledged past an unrecorded plex failure"; fi
expect_eq "$(health v)" AD "health after plex 1 failed"
if wr 104 2>/dev/null; then fail "a later write was acknowledged past the unrecorded failure"; fi
expect_msg_fails v readd_plex 1
dmesg | tail -n 3 | grep -q "readd_plex: the metadata device has failed" ||
	fail "kernel log lacks the readd_plex refusal"
# reads go on, from plex 0
dd if=/dev/mapper/v of=/dev/null bs=1M count=1 iflag=direct status=none ||
	fail "a read failed with the metadata device failed"

# The metadata device returns: a resume rewrites it, failure included.
swap lm "0 8192 linear /dev/ram2 0"
dmsetup suspend v
dmsetup resume v
expect_eq "$(status_field v 6) $(health v)" "ok AD" "metadata_state and health after the resume"
wr 105 || fail "a write failed after the failure was recorded"
states=$("$VX" dump-metadata /dev/mapper/lm --json |
	python3 -c "import json,sys; print(' '.join(p['state'] for p in json.load(sys.stdin)['plexes']))")
expect_eq "$states" "alive dead" "plex records after the resume"
# fail_plex works again once the metadata device does
dmsetup remove v
swap l1 "0 $len linear /dev/ram1 0"
dmsetup create v --table "$T"
expect_eq "$(health v)" AD "health after reassembly"
dmsetup message v 0 readd_plex 1
wait_idle v 300
dmsetup message v 0 fail_plex 1
expect_eq "$(health v)" AD "health after fail_plex with the metadata device back"
wr 106 || fail "a write after fail_plex failed"
