# smoke: no
# kernels: stock-6.12
# vdsplex break-plex (tools/vdsplex/vdsplex.8): after a completed write
# pass, while a second job writes a disjoint range, plex 2 is split off as
# a linear device that passes fio --verify_only on the first range; around
# a mounted ext4 the split is taken with the filesystem frozen and fscks
# clean.
brd_load 4 64
len=131072 # 64 MiB
"$VX" create v --plex /dev/ram0 --plex /dev/ram1 --plex /dev/ram2 --nosync
fio --name=first --filename=/dev/mapper/v --size=32M --rw=randwrite --bs=4k \
	--iodepth=16 --ioengine=libaio --direct=1 --verify=crc32c --do_verify=0 \
	--randseed=11 --output=/tmp/first.out || fail "the first write pass"
fio --name=second --filename=/dev/mapper/v --offset=32M --size=32M --rw=randwrite \
	--bs=4k --iodepth=8 --ioengine=libaio --direct=1 --time_based --runtime=20 \
	--output=/tmp/second.out &
pid=$!
sleep 3
"$VX" break-plex v 2 split || fail "break-plex under load"
wait $pid || fail "the second job failed during the split"
expect_eq "$(health v)" AA "health after the split"
expect_eq "$(dmsetup table split)" "0 $len linear 1:2 0" "the split device"
fio --name=first --filename=/dev/mapper/split --size=32M --rw=randwrite --bs=4k \
	--iodepth=16 --ioengine=libaio --direct=1 --verify=crc32c --verify_only \
	--randseed=11 --output=/tmp/verify.out || { cat /tmp/verify.out; fail "the split plex fails verification"; }
dmsetup remove split

# a mounted ext4: frozen around the split, the split copy is clean
mkfs.ext4 -q /dev/mapper/v
mkdir -p /tmp/mnt
mount /dev/mapper/v /tmp/mnt
cp -r "$VDSPLEX_ROOT"/tests /tmp/mnt/
dd if=/dev/urandom of=/tmp/mnt/blob bs=1M count=8 status=none
"$VX" break-plex v 1 split2 || fail "break-plex of a mounted volume"
touch /tmp/mnt/after || fail "the filesystem stayed frozen"
umount /tmp/mnt
fsck.ext4 -fn /dev/mapper/split2 || fail "the split copy of the mounted ext4 is not clean"
# a refused split leaves the filesystem thawed
mount /dev/mapper/v /tmp/mnt
vx_expect VDS_E_PLEX_LAST_ACTIVE break-plex v 0 split3
touch /tmp/mnt/still-writable || fail "frozen after a refused break-plex"
umount /tmp/mnt
