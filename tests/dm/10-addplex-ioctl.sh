# smoke: yes
# kernels: stock-6.12
# long-kernels: debug
# AddPlex over /dev/vdsplex-control and its async handle
# (Documentation/ioctl.rst): ADD_PLEX under fio load then WAIT; poll and
# read while it runs; close and OPEN_ASYNC; CANCEL mid-resync and after
# completion; a second AddPlex while one runs; dmsetup remove while one
# runs; every core-mode error case with its VDS code; QUERY_PLEXES,
# SET_IDENTITY, REMOVE_PLEX; malformed structs; no CAP_SYS_ADMIN; rmmod
# refused while a handle is open.
brd_load 8 64
len=131072 # 64 regions of 1 MiB
[ -c /dev/vdsplex-control ] || fail "no /dev/vdsplex-control"
out=$("$IOCTL" version)
echo "$out" | grep -q '^abi=1 module=' || fail "VERSION: $out"
dmsetup create v --table "0 $len vdsplex - 2048 2 /dev/ram0 0 /dev/ram1 0 1 nosync"
vol=$(devno /dev/mapper/v)

# ADD_PLEX under fio verify load, WAIT on the handle, then every plex equal.
fio_verify /dev/mapper/v 64 --number_ios=3000 &
fio_pid=$!
sleep 2
out=$(ioctl_expect VDS_S_OK add "$vol" /dev/ram2=by-id-ram2 --status --wait)
echo "$out" | grep -q '^status state=running' || fail "right after ADD_PLEX: $out"
echo "$out" | grep -q '^wait rc=0 errno=0 state=succeeded hresult=0x00000000 VDS_S_OK nr_plexes=1 nr_in_sync=1' ||
	fail "WAIT: $out"
expect_eq "$(out_field "$out" first_index)" 2 "first_index of the new plex"
wait "$fio_pid" || fail "fio verify during ADD_PLEX"
expect_eq "$(health v)" AAA "health after ADD_PLEX"
plexes_equal $len /dev/ram0:0 /dev/ram1:0 /dev/ram2:0
# QUERY_PLEXES: ids, identity, source flag, progress.
out=$("$IOCTL" plexes "$vol")
echo "$out" | grep -q "^plex index=2 id=3 health=A .*synced=64/64 .*identity=by-id-ram2$" ||
	fail "QUERY_PLEXES after ADD_PLEX: $out"
echo "$out" | grep -q "^plex index=0 id=1 health=A .*flags=0x2 " || fail "source flag: $out"
# OPEN_ASYNC after the end reports the last operation.
out=$(ioctl_expect VDS_S_OK open "$vol" --wait 0)
echo "$out" | grep -q 'state=succeeded' || fail "OPEN_ASYNC after completion: $out"

# poll + read while it runs: the percent rises, is never 100 before the end.
dmsetup message v 0 resync_rate 8192
out=$(ioctl_expect VDS_S_OK add "$vol" /dev/ram3 --watch --fdinfo)
echo "$out" | grep -q '^final state=succeeded .*percent=100 ' || fail "watch end: $out"
rises=$(out_field "$out" rises)
[ "$rises" -ge 3 ] || fail "percent rose only $rises times while watching: $out"
echo "$out" | grep -q '^fdinfo vdsplex-state:.*succeeded' || fail "fdinfo: $out"
echo "$out" | grep -q '^fdinfo vdsplex-percent:.*100' || fail "fdinfo percent: $out"

# Close the handle early: the operation goes on; OPEN_ASYNC finds it.
# (1 MiB/s: it is still running while the refusals are checked)
dmsetup message v 0 resync_rate 1024
out=$(ioctl_expect VDS_S_OK add "$vol" /dev/ram4 --close)
expect_eq "$(health v)" AAAAa "health after closing the handle"
ioctl_expect VDS_E_ANOTHER_CALL_IN_PROGRESS add "$vol" /dev/ram5 >/dev/null
expect_msg_fails v add_plex /dev/ram5
dmsetup message v 0 resync_rate 8192
out=$(ioctl_expect VDS_S_OK open "$vol" --status --wait)
echo "$out" | grep -q '^status state=running' || fail "OPEN_ASYNC while running: $out"
echo "$out" | grep -q 'state=succeeded .*nr_plexes=1 nr_in_sync=1 ids=5 indices=4$' ||
	fail "WAIT through OPEN_ASYNC: $out"
plexes_equal $len /dev/ram0:0 /dev/ram3:0 /dev/ram4:0
# REMOVE_PLEX and SET_IDENTITY through the control device.
ioctl_expect VDS_S_OK remove "$vol" 4 >/dev/null
ioctl_expect VDS_S_OK remove "$vol" 3 >/dev/null
ioctl_expect VDS_S_OK identity "$vol" 0 wwn-ram0 >/dev/null
"$IOCTL" plexes "$vol" | grep -q "^plex index=0 .*identity=wwn-ram0$" || fail "SET_IDENTITY not recorded"
ioctl_expect VDS_E_INVALID_OPERATION remove "$vol" 9 >/dev/null
ioctl_expect VDS_E_INVALID_OPERATION identity "$vol" 9 name >/dev/null

# CANCEL mid-resync: the plex is detached, the volume is as before.
dmsetup message v 0 resync_rate 4096
out=$(ioctl_expect VDS_S_OK add "$vol" /dev/ram3 --cancel-at 10 --wait --cancel)
echo "$out" | grep -q '^cancel rc=0 errno=0 hresult=0x8004240d VDS_E_OPERATION_CANCELED' ||
	fail "CANCEL mid-resync: $out"
echo "$out" | grep -q '^wait rc=0 .*state=canceled hresult=0x8004240d' || fail "WAIT after CANCEL: $out"
expect_eq "$(health v)" AAA "health after CANCEL"
expect_eq "$(table_of v)" "- 2048 3 1:0 0 1:1 0 1:2 0 2 resync_rate 4096" "table after CANCEL"
# CANCEL after completion: too late.
dmsetup message v 0 resync_rate adaptive
out=$(ioctl_expect VDS_S_OK add "$vol" /dev/ram3 --wait --cancel)
echo "$out" | grep -q '^cancel rc=-1 errno=ESRCH hresult=0x8004240c VDS_E_CANCEL_TOO_LATE' ||
	fail "CANCEL after completion: $out"
ioctl_expect VDS_S_OK remove "$vol" 3 >/dev/null

# Every core-mode error case of ADD_PLEX with its VDS code
# (Documentation/ioctl.rst, "VDSPLEX_IOC_ADD_PLEX").
dmsetup create lin --table "0 $len linear /dev/ram6 0"
ioctl_expect VDS_E_INVALID_OPERATION add "$(devno /dev/mapper/lin)" /dev/ram5 >/dev/null
ioctl_expect VDS_E_INVALID_OPERATION add "$vol" 7:250 >/dev/null           # no such device
dmsetup create small --table "0 $((len - 8)) linear /dev/ram7 0"
ioctl_expect VDS_E_INVALID_OPERATION add "$vol" /dev/mapper/small >/dev/null
dmsetup remove small
ioctl_expect VDS_E_INVALID_OPERATION add "$vol" /dev/ram7@16 >/dev/null   # too small at that offset
big=$(loop_file big4k 80)
losetup -d "$big"
big=$(losetup --show -f --sector-size 4096 /tmp/big4k.img)
out=$(ioctl_expect VDS_E_INVALID_OPERATION add "$vol" "$big")
dmesg | tail -n 5 | grep -q 'logical block size 4096 > 512' || fail "no log line for the block size"
ioctl_expect VDS_E_DISK_IN_USE_BY_VOLUME add "$vol" "$vol" >/dev/null
ioctl_expect VDS_E_DISK_IN_USE_BY_VOLUME add "$vol" /dev/ram1 >/dev/null
ovl=$(loop_file ovl 80)
ioctl_expect VDS_E_DISK_IN_USE_BY_VOLUME add "$vol" "$ovl" "$ovl@100" >/dev/null
ioctl_expect VDS_E_DEVICE_IN_USE add "$vol" /dev/ram6 >/dev/null          # under dm "lin"
dmsetup create w --table "0 $len vdsplex - 2048 1 /dev/ram7 0"
ioctl_expect VDS_E_DEVICE_IN_USE add "$vol" /dev/ram7 >/dev/null          # a plex of volume w
ioctl_expect VDS_E_PLEX_LAST_ACTIVE remove "$(devno /dev/mapper/w)" 0 >/dev/null
mkfs.ext4 -q /dev/ram5
mkdir -p /tmp/mnt
grep -qw ext4 /proc/filesystems || vm_modprobe ext4 # a module on Debian's kernels
mount /dev/ram5 /tmp/mnt
out=$(ioctl_expect VDS_E_DEVICE_IN_USE add "$vol" /dev/ram5)
expect_eq "$(out_field "$out" bad_extent)" 0 "bad_extent of a mounted device"
umount /tmp/mnt
dmsetup suspend v
ioctl_expect VDS_E_VOLUME_NOT_ONLINE add "$vol" /dev/ram5 >/dev/null
dmsetup resume v
dmsetup table v | dmsetup load v
ioctl_expect VDS_E_VOLUME_NOT_ONLINE add "$vol" /dev/ram5 >/dev/null
dmsetup clear v
# Nothing changed by the refusals.
expect_eq "$(table_of v)" "- 2048 3 1:0 0 1:1 0 1:2 0" "table after the refusals"
[ -z "$(dmsetup deps v | grep -o '(1, 5)')" ] || fail "a refused plex stayed open"

# No in-sync plex: the dead plex and a new one make up the table.
dmsetup message w 0 add_plex /dev/ram4
wait_idle w
dmsetup message w 0 fail_plex 0
dmsetup load w --table "0 $len vdsplex - 2048 2 /dev/ram7 0 /dev/ram3 0"
dmsetup resume w
expect_eq "$(health w)" DS "health with no in-sync plex"
ioctl_expect VDS_E_VOLUME_NOT_HEALTHY add "$(devno /dev/mapper/w)" /dev/ram5 >/dev/null
dmsetup remove w

# Every new plex fails: the operation fails with ERROR_IO_DEVICE.
dmsetup create et --table "0 $len linear /dev/ram3 0"
dmsetup message v 0 resync_rate 2048
"$IOCTL" add "$vol" /dev/mapper/et --wait >/tmp/et.out 2>&1 &
et_pid=$!
sleep 3
dmsetup suspend et
dmsetup load et --table "0 $len error"
dmsetup resume et
wait "$et_pid" || true
grep -q '^wait rc=0 .*state=failed hresult=0x8007045d ERROR_IO_DEVICE nr_plexes=1 nr_in_sync=0' /tmp/et.out ||
	fail "AddPlex of a failing plex: $(cat /tmp/et.out)"
expect_eq "$(health v)" AAAD "health after the new plex failed"
ioctl_expect VDS_S_OK remove "$vol" 3 >/dev/null
dmsetup remove et
dmsetup message v 0 resync_rate adaptive

# Malformed structs: -EINVAL; unknown commands: -ENOTTY.
"$IOCTL" badstructs "$vol" /dev/ram5 || fail "malformed structs: $("$IOCTL" badstructs "$vol" /dev/ram5 | grep WRONG)"
# Without CAP_SYS_ADMIN: EPERM.
out=$(setpriv --inh-caps=-all --bounding-set=-all "$IOCTL" version 2>&1) || true
echo "$out" | grep -q '^version rc=-1 errno=EPERM' || fail "without CAP_SYS_ADMIN: $out"
out=$(setpriv --inh-caps=-all --bounding-set=-all "$IOCTL" add "$vol" /dev/ram5 2>&1) || true
echo "$out" | grep -q '^add rc=-1 errno=EPERM' || fail "ADD_PLEX without CAP_SYS_ADMIN: $out"

# dmsetup remove while an AddPlex runs: OBJECT_DELETED through the handle,
# which stays valid; rmmod is refused while it is open.
dmsetup message v 0 resync_rate 2048
"$IOCTL" add "$vol" /dev/ram3 --wait --status --sleep 10 >/tmp/held.out 2>&1 &
held=$!
# until the AddPlex runs (the client may take seconds to start on a busy host)
for _ in $(seq 60); do
	case "$(health v)" in *a*) break ;; esac
	sleep 0.5
done
expect_eq "$(status_field v 4)" recover "action once the held AddPlex runs"
dmsetup remove v
sleep 1
if rmmod dm_vdsplex 2>/dev/null; then
	vm_modprobe dm_vdsplex
	fail "rmmod succeeded while an async handle was open"
fi
wait "$held" || true
cat /tmp/held.out
grep -q '^wait rc=0 .*state=failed hresult=0x8004240b VDS_E_OBJECT_DELETED' /tmp/held.out ||
	fail "WAIT across dmsetup remove: $(cat /tmp/held.out)"
grep -q '^status state=failed hresult=0x8004240b' /tmp/held.out || fail "QUERY after remove"
dmsetup remove lin
rmmod dm_vdsplex || fail "rmmod after the handle closed"
vm_modprobe dm_vdsplex
