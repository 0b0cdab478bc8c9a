# smoke: no
# kernels: stock-6.12
# Discarded regions (Documentation/dm-vdsplex.rst, "Persistent state"): a
# region wholly discarded since its last write is recorded (on the metadata
# device too); a resync passes the discard to the new plex instead of
# copying the region; the next write to the region ends it.
l0=$(loop_file a 64)
l1=$(loop_file b 64)
l2=$(loop_file c 64)
meta=$(loop_file m 4)
len=131072 # 64 regions of 1 MiB
T="0 $len vdsplex $meta 2048 2 $l0 0 $l1 0"
dmsetup create v --table "$T 1 nosync"
dd if=/dev/urandom of=/dev/mapper/v bs=1M count=64 oflag=direct status=none
# regions 16..47 wholly discarded; 8 MiB into region 10 partly (not counted)
blkdiscard -o $((16 << 20)) -l $((32 << 20)) /dev/mapper/v
blkdiscard -o $(((10 << 20) + 4096)) -l 65536 /dev/mapper/v
# the next write to region 20 makes it current again
dd if=/dev/urandom of=/dev/mapper/v bs=4k seek=$((20 * 256 + 3)) count=1 oflag=direct conv=notrunc status=none
# the map is persistent: stop, reassemble, then AddPlex
dmsetup remove v
dmsetup create v --table "$T"
# the new plex starts random, not zeroed: a resync that neither copies a
# region nor passes its discard on leaves it differing
scramble "$l2"
dmsetup message v 0 add_plex $l2
wait_idle v
expect_eq "$(status_field v 8)" 33 "regions copied by the AddPlex (31 of 64 passed as discards)"
plexes_equal $len "$l0:0" "$l1:0" "$l2:0"
# a write after the resync is mirrored to the new plex like any other
dd if=/dev/urandom of=/dev/mapper/v bs=4k seek=$((30 * 256)) count=8 oflag=direct conv=notrunc status=none
plexes_equal $len "$l0:0" "$l1:0" "$l2:0"
dmsetup remove v
# in core mode too (while the volume lives)
dmsetup create c --table "0 $len vdsplex - 2048 2 $l0 0 $l1 0 1 nosync"
blkdiscard -o 0 -l $((8 << 20)) /dev/mapper/c
scramble "$l2" # it holds the data already
dmsetup message c 0 add_plex $l2
wait_idle c
expect_eq "$(status_field c 8)" 56 "regions copied in core mode (8 of 64 passed as discards)"
plexes_equal $len "$l0:0" "$l1:0" "$l2:0"
