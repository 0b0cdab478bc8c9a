# kernels: stock-6.12
# long-kernels: debug
# Failures during a resync: a target plex that fails is dropped (D) while the
# others finish; a source that fails hands over to another in-sync plex.
brd_load 4 32
len=65536 # 32 regions of 1 MiB
dmsetup create s0 --table "0 $len linear /dev/ram0 0"
dmsetup create t3 --table "0 $len linear /dev/ram3 0"
dd if=/dev/urandom of=/dev/mapper/s0 bs=1M count=32 oflag=direct status=none
dmsetup create v --table "0 $len vdsplex - 2048 2 /dev/mapper/s0 0 /dev/ram1 0 2 resync_rate 4096"

# A target fails mid-resync: it is dropped, the other target completes.
ev=$(dmsetup info -c --noheadings -o events v)
wait_idle v 300
[ "$(dmsetup info -c --noheadings -o events v)" -gt "$ev" ] || fail "no dm event when the resync finished"
ioctl_expect VDS_S_OK add /dev/mapper/v /dev/mapper/t3 /dev/ram2 --close
sleep 2
dmsetup suspend t3
dmsetup load t3 --table "0 $len error"
dmsetup resume t3
wait_idle v 300
expect_eq "$(health v)" AADA "health after a target failed mid-resync"
plexes_equal $len /dev/mapper/s0:0 /dev/ram1:0 /dev/ram2:0
dmsetup message v 0 remove_plex 2
dmsetup message v 0 remove_plex 2

# The source fails mid-resync: plex 1 takes over and the copy completes.
# ram2 still holds the data from above: scrambled, so a copy that does
# nothing fails the comparison.
scramble /dev/ram2
dmsetup message v 0 add_plex /dev/ram2
sleep 2
dmsetup suspend s0
dmsetup load s0 --table "0 $len error"
dmsetup resume s0
# reads from the failed source fail, so read what the volume has: the
# resync notices on its next copy from plex 0.
wait_idle v 300
case "$(health v)" in
D*A) ;;
*) fail "health after the source failed mid-resync: $(health v)" ;;
esac
plexes_equal $len /dev/ram1:0 /dev/ram2:0
