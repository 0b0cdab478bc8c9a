# smoke: no
# kernels: stock-6.12
# long-kernels: debug
# readd_plex (Documentation/dm-vdsplex.rst, "Messages"): a dead plex comes
# back and only the regions written while it was dead are resynced -- after
# an administrator's fail_plex, after a transient failure (its device
# swapped to dm "error" and back), and across a stop and reassembly with a
# metadata device.
brd_load 3 16
len=32768 # 16 MiB, 256 regions of 64 KiB
dmsetup create e1 --table "0 $len linear /dev/ram1 0"
T="0 $len vdsplex /dev/ram2 128 2 /dev/ram0 0 /dev/mapper/e1 0"
dmsetup create v --table "$T 1 nosync"
dd if=/dev/urandom of=/dev/mapper/v bs=1M count=16 oflag=direct status=none

wait_swept /dev/ram2

# administrator's fail_plex, 5 regions written, readd
dmsetup message v 0 fail_plex 1
for r in 3 9 9 40 41 200; do
	dd if=/dev/urandom of=/dev/mapper/v bs=4k seek=$((r * 16)) count=2 oflag=direct conv=notrunc status=none
done
expect_msg_fails v readd_plex 0
# slowly (1 KiB/s), so the copy is still running when status is read
dmsetup message v 0 resync_rate 1
dmsetup message v 0 readd_plex 1
expect_eq "$(health v) $(status_field v 4)" "Aa recover" "right after readd_plex"
dmsetup message v 0 resync_rate adaptive
wait_idle v
expect_eq "$(status_field v 8)" 5 "regions resynced by the readd (5 written while dead)"
plexes_equal $len /dev/ram0:0 /dev/ram1:0

# transient failure: the device errors, a write fails it, it comes back
wait_swept /dev/ram2
dmsetup suspend e1
dmsetup load e1 --table "0 $len error"
dmsetup resume e1
dd if=/dev/urandom of=/dev/mapper/v bs=4k seek=$((100 * 16)) count=1 oflag=direct conv=notrunc status=none
expect_eq "$(health v)" AD "health after a write error"
for r in 101 102; do
	dd if=/dev/urandom of=/dev/mapper/v bs=4k seek=$((r * 16)) count=1 oflag=direct conv=notrunc status=none
done
dmsetup suspend e1
dmsetup load e1 --table "0 $len linear /dev/ram1 0"
dmsetup resume e1
# the dead plex stays dead across a stop and reassembly
dmsetup remove v
dmsetup create v --table "$T"
expect_eq "$(health v)" AD "health after reassembly"
dd if=/dev/urandom of=/dev/mapper/v bs=4k seek=$((150 * 16)) count=1 oflag=direct conv=notrunc status=none
dmsetup message v 0 readd_plex 1
wait_idle v
expect_eq "$(status_field v 8)" 4 "regions resynced (the failed write's region, 2 more, 1 after reassembly)"
plexes_equal $len /dev/ram0:0 /dev/ram1:0
