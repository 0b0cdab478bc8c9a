# smoke: no
# kernels: stock-6.12
# add-plex's VDS semantics (Documentation/dm-vdsplex.rst, "Command-line
# tool"): a single-linear-segment volume is consumed (refused while open;
# restored when the attach fails), a vdsplex volume adds the sum of its
# plexes in one call, a PLEX spanning disks or with several extents on one
# disk is refused, so is one built on VOLUME itself; --stack attaches the
# mapped device; mirroring a GPT boot volume to an MBR disk warns with
# VDS_S_GPT_BOOT_MIRRORED_TO_MBR.
brd_load 8 32
len=32768 # 16 MiB, 16 regions of 1 MiB: the second half of ram0 and ram1
"$VX" create v --plex /dev/ram0:32768 --plex /dev/ram1:16M --nosync
expect_eq "$(table_of v)" "- 2048 2 1:0 32768 1:1 32768" "table of v"
dd if=/dev/urandom of=/dev/mapper/v bs=1M count=16 oflag=direct status=none

# a linear volume is consumed: its extent becomes the plex, it is removed
dmsetup create lv --table "0 $len linear /dev/ram2 4096"
out=$("$VX" add-plex v lv --wait) || fail "add-plex of a linear volume: $out"
dmsetup info lv >/dev/null 2>&1 && fail "the consumed volume is still there"
"$VX" plexes v --json | python3 -c '
import json, sys
p = json.load(sys.stdin)["plexes"][2]
assert (p["major"], p["minor"], p["offset_sectors"]) == (1, 2, 4096), p' ||
	fail "the consumed volume's extent is not plex 2"
plexes_equal $len /dev/ram0:32768 /dev/ram2:4096

# ... not while it is open; a failed attach restores its table
dmsetup create lv2 --table "0 $len linear /dev/ram3 0"
exec 3</dev/mapper/lv2
vx_expect VDS_E_DEVICE_IN_USE add-plex v lv2
exec 3<&-
expect_eq "$(dmsetup table lv2)" "0 $len linear 1:3 0" "table of the open volume"
dmsetup create tiny --table "0 2048 linear /dev/ram3 40000"
vx_expect VDS_E_INVALID_OPERATION add-plex v tiny
expect_eq "$(dmsetup table tiny)" "0 2048 linear 1:3 40000" "table restored after the failed attach"
expect_eq "$(dmsetup info -c --noheadings -o attr tiny | cut -c 1-4)" "L--w" "tiny is live again"
# the kernel refuses the extent (another mapped device holds its disk):
# the consumed volume gets its table back, live
dmsetup create holder --table "0 100 linear /dev/ram3 60000"
vx_expect VDS_E_DEVICE_IN_USE add-plex v lv2
expect_eq "$(dmsetup table lv2)" "0 $len linear 1:3 0" "table restored after the kernel's refusal"
expect_eq "$(dmsetup info -c --noheadings -o attr lv2 | cut -c 1-4)" "L--w" "lv2 is live again"
dd if=/dev/mapper/lv2 of=/dev/null bs=4k count=1 iflag=direct status=none || fail "lv2 does not read"
dmsetup remove tiny lv2 holder

# spanning disks; several extents on one disk; built on the volume itself
printf '0 16384 linear /dev/ram3 0\n16384 16384 linear /dev/ram4 0\n' | dmsetup create span
vx_expect VDS_E_VOLUME_SPANS_DISKS add-plex v span
printf '0 16384 linear /dev/ram3 0\n16384 16384 linear /dev/ram3 40000\n' | dmsetup create frag
vx_expect VDS_E_REQUIRES_CONTIGUOUS_DISK_SPACE add-plex v frag
# adjacent segments on one disk are one extent
printf '0 16384 linear /dev/ram3 0\n16384 16384 linear /dev/ram3 16384\n' | dmsetup create adj
dmsetup create loop --table "0 $len linear /dev/mapper/v 0"
vx_expect VDS_E_DISK_IN_USE_BY_VOLUME add-plex v loop
dmsetup remove loop span frag
expect_eq "$(health v)" AAA "health after the refusals"

# --stack: the mapped device itself is the plex, and stays
"$VX" add-plex v adj --stack --wait >/dev/null
dmsetup info adj >/dev/null || fail "--stack removed the mapped device"
expect_eq "$(table_of v | cut -d' ' -f10)" "$(devno /dev/mapper/adj)" "plex 3 is the stacked device"
plexes_equal $len /dev/ram0:32768 /dev/mapper/adj:0
"$VX" remove-plex v 3
dmsetup remove adj

# the sum of plexes: a 2-plex vdsplex volume adds both in one call
# ... once every plex of it is in sync (a failed attach would reload it);
# at 1 KiB/s s is still resyncing however fast the kernel is
dmsetup create s --table "0 65536 vdsplex - 2048 2 /dev/ram3 0 /dev/ram4 0 2 resync_rate 1"
expect_eq "$(health s)" Aa "health of s, resyncing"
vx_expect VDS_E_VOLUME_NOT_HEALTHY add-plex v s
dmsetup info s >/dev/null || fail "the refused vdsplex volume was removed"
dmsetup message s 0 resync_rate adaptive
wait_idle s
out=$("$VX" add-plex v s --wait) || fail "add-plex of a vdsplex volume: $out"
echo "$out" | grep -q "2 of 2 new plexes in sync (index 3, 4)" || fail "sum of plexes: $out"
dmsetup info s >/dev/null 2>&1 && fail "the consumed vdsplex volume is still there"
expect_eq "$(health v)" AAAAA "health after the sum of plexes"
plexes_equal $len /dev/ram0:32768 /dev/ram3:0 /dev/ram4:0
dmsetup remove v

# a volume holding /boot on a GPT disk, mirrored to an MBR disk: a warning
g=$(loop_file gpt 24)
m=$(loop_file mbr 24)
echo 'label: gpt
start=2048, size=34816' | sfdisk -q "$g"
echo 'label: dos
start=2048, size=34816' | sfdisk -q "$m"
losetup -d "$g" "$m"
g=$(losetup --show -P -f /tmp/gpt.img)
m=$(losetup --show -P -f /tmp/mbr.img)
udevadm settle 2>/dev/null || sleep 1
[ -b "${g}p1" ] && [ -b "${m}p1" ] || fail "no partitions on the loop devices"
"$VX" create b --plex "${g}p1" --nosync
mkfs.ext4 -q /dev/mapper/b
mount /dev/mapper/b /boot
rc=0
"$VX" add-plex b "${m}p1" --wait >/dev/null 2>/tmp/err || rc=$?
umount /boot
expect_eq "$rc" 0 "exit of the GPT-to-MBR add-plex"
grep -q "VDS_S_GPT_BOOT_MIRRORED_TO_MBR (0x80042469)" /tmp/err ||
	fail "no GPT/MBR warning: $(cat /tmp/err)"
fsck.ext4 -fn "${m}p1" >/dev/null || fail "the MBR plex holds no clean copy"
