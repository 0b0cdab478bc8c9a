# kernels: stock-6.12
# A plex attached at run time joins a queue whose limits were stacked
# without it: AddPlex (ioctl and message) refuses a device with a virtual
# boundary the volume lacks, naming it (before, it was attached); a reload
# that names the device stacks the limits again and is accepted.
vm_modprobe null_blk nr_devices=1 gb=1 virt_boundary=1 ||
	{ echo "SKIP: null_blk has no virt_boundary parameter on $VDSPLEX_KREL"; exit 77; }
expect_eq "$(cat /sys/block/nullb0/queue/virt_boundary_mask)" 4095 "null_blk's virt boundary"
brd_load 1 32
len=65536
dmsetup create v --table "0 $len vdsplex - 8 1 /dev/ram0 0"
expect_eq "$(cat /sys/dev/block/"$(devno /dev/mapper/v)"/queue/virt_boundary_mask)" 0 \
	"the volume's virt boundary"
ioctl_expect VDS_E_INVALID_OPERATION add /dev/mapper/v /dev/nullb0
dmesg | tail -n 3 | grep -q "add_plex: '.*' has a virt boundary (0xfff) the volume lacks" ||
	fail "kernel log lacks the reason: $(dmesg | tail -n 3)"
expect_msg_fails v add_plex /dev/nullb0
expect_eq "$(health v)" A "health after the refused AddPlex"
# a reload stacks the limits with the new plex
dmsetup reload v --table "0 $len vdsplex - 8 2 /dev/ram0 0 /dev/nullb0 0"
dmsetup resume v
expect_eq "$(cat /sys/dev/block/"$(devno /dev/mapper/v)"/queue/virt_boundary_mask)" 4095 \
	"the volume's virt boundary after the reload"
wait_idle v 300
expect_eq "$(health v)" AA "health once the reloaded plex is in sync"
