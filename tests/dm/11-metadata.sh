# smoke: yes
# kernels: debug stock-6.1
# Persistent state (Documentation/dm-vdsplex.rst, "Persistent state"): a
# zeroed device is formatted; a clean stop and reassembly resyncs nothing;
# plex states and an AddPlex's checkpoint survive the volume going away, and
# OPEN_ASYNC finds the resumed operation; corrupt, foreign or mismatched
# metadata is refused with a message naming the problem and left untouched.
brd_load 5 64
len=131072 # 64 regions of 1 MiB
meta=/dev/ram4
T2="0 $len vdsplex $meta 2048 2 /dev/ram0 0 /dev/ram1 0"
T3="0 $len vdsplex $meta 2048 3 /dev/ram0 0 /dev/ram1 0 /dev/ram2 0"
job=(--name=md --size=64M --rw=randwrite --bs=4k --iodepth=16 --ioengine=libaio
	--direct=1 --verify=crc32c --randseed=11 --number_ios=2000)

# A device too small for the metadata is refused before anything is written.
truncate -s 64K /tmp/small.img
[ -e /dev/loop-control ] || vm_modprobe loop
small=$(losetup --show -f /tmp/small.img)
expect_create_fails bad "0 $len vdsplex $small 8 1 /dev/ram0 0" \
	"metadata_dev '$small' has 128 sectors, needs 288"
# first activation formats the zeroed device
dmsetup create v --table "$T2 1 nosync"
set -- $(dmsetup status v)
expect_eq "$4 $5 $7 $9 ${10}" "2 AA idle ok 0" "status with a metadata device"
expect_eq "$(table_of v)" "1:4 2048 2 1:0 0 1:1 0" "table with a metadata device"
expect_eq "$(dd if=$meta bs=4k count=1 iflag=direct status=none | dd bs=1 skip=4 count=4 status=none)" \
	VDSP "superblock magic on disk"
dmsetup table v | dmsetup load v
dmsetup resume v
expect_eq "$(table_of v)" "1:4 2048 2 1:0 0 1:1 0" "table after a reload"
# a reload must keep the metadata device and mode
if dmsetup load v --table "0 $len vdsplex - 2048 2 /dev/ram0 0 /dev/ram1 0" 2>/dev/null; then
	dmsetup clear v
	fail "a core-mode reload of a volume with metadata was accepted"
fi
dmesg | tail -n 5 | grep -qF "metadata_dev differs from the live volume's" ||
	fail "kernel log lacks the metadata-mode mismatch"
fio "${job[@]}" --filename=/dev/mapper/v --output=/tmp/w.out ||
	{ cat /tmp/w.out; fail "fio write pass"; }

# Clean stop, reassembly without nosync: nothing to resync, data intact.
dmsetup remove v
dmsetup create v --table "$T2"
set -- $(dmsetup status v)
expect_eq "$5 $7 ${11}" "AA idle 0" "health, action, regions resynced after a clean stop"
fio "${job[@]}" --filename=/dev/mapper/v --verify_only --output=/tmp/v.out ||
	{ cat /tmp/v.out; fail "fio verify after reassembly"; }

# The metadata's extent is not a plex.
ioctl_expect VDS_E_DISK_IN_USE_BY_VOLUME add /dev/mapper/v $meta
dmesg | tail -n 3 | grep -qF "overlaps the metadata's" || fail "kernel log lacks the metadata overlap"

# AddPlex, stopped mid-resync: the checkpoint is on disk, the next
# activation resumes from it (OPEN_ASYNC reports it) and copies the rest.
dmsetup message v 0 resync_rate 4096
dmsetup message v 0 add_plex /dev/ram2
dmsetup message v 0 identity 2 plex-two
sleep 6
first=$(status_field v 8)
dmsetup remove v
[ "$first" -gt 0 ] && [ "$first" -lt 64 ] || fail "regions copied before the stop: $first"
# capped, so that it is still running when OPEN_ASYNC looks (lifted below)
dmsetup create v --table "$T3 2 resync_rate 1024"
h=$(health v)
case "$h" in AAa | AAS) ;; *) fail "health after reassembly mid-AddPlex: $h" ;; esac
out=$("$IOCTL" open /dev/mapper/v --status 2>&1) || { echo "$out"; fail "OPEN_ASYNC of the resumed AddPlex"; }
echo "$out"
echo "$out" | grep -q "state=running" || fail "OPEN_ASYNC: the resumed AddPlex is not running"
dmsetup message v 0 resync_rate 0
out=$("$IOCTL" open /dev/mapper/v --wait 60000 2>&1) || { echo "$out"; fail "WAIT on the resumed AddPlex"; }
echo "$out" | grep -q "hresult=0x00000000" || fail "resumed AddPlex result: $out"
wait_idle v
second=$(status_field v 8)
[ $((first + second)) -le 64 ] ||
	fail "the resync restarted: $first regions before the stop, $second after"
[ "$second" -ge 1 ] || fail "nothing resynced after the stop"
expect_eq "$(health v)" AAA "health after the resumed AddPlex"
plexes_equal $len /dev/ram0:0 /dev/ram1:0 /dev/ram2:0
out=$("$IOCTL" plexes /dev/mapper/v)
echo "$out" | grep -q "identity=plex-two" || fail "identity lost across the stop: $out"

# A dead plex stays dead across deactivation; a table plex the metadata
# does not know is stale.
dmsetup message v 0 fail_plex 1
dmsetup remove v
dmsetup create v --table "0 $len vdsplex $meta 2048 4 /dev/ram0 0 /dev/ram1 0 /dev/ram2 0 /dev/ram3 0 2 resync_rate 1"
expect_eq "$(health v)" ADAa "health: dead plex kept, unknown plex stale"
dmsetup remove v

# Corrupt metadata: refused, named, and never overwritten.
blockdev --flushbufs $meta
sum=$(md5sum <"$meta")
printf 'X' | dd of=$meta bs=1 seek=200 conv=notrunc,fsync status=none
blockdev --flushbufs $meta
sum_bad=$(md5sum <"$meta")
expect_create_fails v "$T3" "metadata superblock: checksum mismatch"
blockdev --flushbufs $meta
expect_eq "$(md5sum <"$meta")" "$sum_bad" "corrupt metadata left untouched"
[ "$sum" != "$sum_bad" ] || fail "the corruption did not change the device"
# foreign data
dd if=/dev/urandom of=$meta bs=4k count=1 oflag=direct status=none
expect_create_fails v "$T3" "metadata superblock: bad magic"
# metadata of another volume size
dd if=/dev/zero of=$meta bs=1M count=4 oflag=direct status=none
dmsetup create v --table "$T2 1 nosync"
dmsetup remove v
expect_create_fails v "0 $((len / 2)) vdsplex $meta 2048 2 /dev/ram0 0 /dev/ram1 0" \
	"metadata is for a volume of $len sectors, table: $((len / 2))"
expect_create_fails v "0 $len vdsplex $meta 1024 2 /dev/ram0 0 /dev/ram1 0" \
	"metadata has region_size 2048, the table 1024"

# An AddPlex resumed from the metadata by a table that never runs: a handle
# on it reads 0 % (no progress yet), and dmsetup remove ends it with
# VDS_E_OBJECT_DELETED, as it does for a running one
# (Documentation/ioctl.rst, "Removing a volume with an open handle").
dd if=/dev/zero of=$meta bs=1M count=4 oflag=direct status=none
dmsetup create v --table "0 $len vdsplex $meta 2048 1 /dev/ram0 0 1 nosync"
dmsetup message v 0 resync_rate 1024
dmsetup message v 0 add_plex /dev/ram1
dmsetup remove v # ends that AddPlex; the metadata keeps plex 1 recovering
dmsetup create v --notable
dmsetup load v --table "0 $len vdsplex $meta 2048 2 /dev/ram0 0 /dev/ram1 0 2 resync_rate 1024"
vol=$(dmsetup info -c -o major,minor --noheadings --separator : v)
"$IOCTL" open "$vol" --status --wait 20000 >/tmp/never.out 2>&1 &
held=$!
sleep 2
dmsetup remove v
wait "$held" || true
cat /tmp/never.out
grep -q '^status state=running .* percent=0 ' /tmp/never.out || fail "percent before any progress"
grep -q '^wait rc=0 .*hresult=0x8004240b VDS_E_OBJECT_DELETED' /tmp/never.out ||
	fail "a resumed AddPlex outlived its never-resumed table: $(cat /tmp/never.out)"
