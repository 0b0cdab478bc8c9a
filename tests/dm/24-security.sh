# smoke: no
# Security (Documentation/ioctl.rst, "Rules common to every call" and "Who
# may do what with a handle"): every control ioctl is refused without
# CAP_SYS_ADMIN, even to root; the async handle lets a holder without it
# query, wait, read and poll but not cancel; no kernel byte reaches
# userspace uninitialised (reserved fields, identity tails, array entries
# past the caller's room, the bytes after read()'s status).
brd_load 4 16
len=32768
dmsetup create v --table "0 $len vdsplex - 128 2 /dev/ram0 0 /dev/ram1 0 1 nosync"
vol=$(devno /dev/mapper/v)
expect_eq "$(stat -c '%a %U' /dev/vdsplex-control)" "600 root" "mode of the control device"

# root without CAP_SYS_ADMIN in its bounding set: every command EPERM
nocap() { setpriv --bounding-set=-sys_admin --inh-caps=-sys_admin -- "$@"; }
eff=$(nocap awk '/^CapEff/ {print $2}' /proc/self/status)
[ $((0x$eff & (1 << 21))) = 0 ] || fail "setpriv left CAP_SYS_ADMIN in effect ($eff)"
for cmd in "version" "add $vol /dev/ram2" "plexes $vol" "remove $vol 1" \
	"identity $vol 0 name" "open $vol"; do
	out=$(nocap "$IOCTL" $cmd 2>&1) && fail "vdsplex-ioctl $cmd succeeded without CAP_SYS_ADMIN: $out"
	echo "$out" | head -n 1 | grep -q 'rc=-1 errno=EPERM' ||
		fail "vdsplex-ioctl $cmd without CAP_SYS_ADMIN: $out"
done
expect_eq "$(health v)" AA "health after the refused calls"
vx_out=$(nocap "$VX" plexes v 2>&1) && fail "the CLI's plexes succeeded without CAP_SYS_ADMIN: $vx_out"
echo "$vx_out"

# the handle without CAP_SYS_ADMIN: status yes, cancel no; it goes on
dmsetup message v 0 resync_rate 4096
out=$(ioctl_expect VDS_S_OK add "$vol" /dev/ram2 --drop-cap --status --cancel --wait)
echo "$out" | grep -q '^drop-cap rc=0' || fail "drop-cap: $out"
echo "$out" | grep -q '^query rc=0' || fail "QUERY on a handle without CAP_SYS_ADMIN: $out"
echo "$out" | grep -q '^cancel rc=-1 errno=EPERM' || fail "CANCEL without CAP_SYS_ADMIN: $out"
echo "$out" | grep -q '^wait rc=0 .*state=succeeded' || fail "WAIT without CAP_SYS_ADMIN: $out"
expect_eq "$(health v)" AAA "health after the refused cancel"
plexes_equal $len /dev/ram0:0 /dev/ram1:0 /dev/ram2:0

# uninitialised bytes
"$IOCTL" identity "$vol" 1 short-name >/dev/null
out=$("$IOCTL" leakcheck "$vol") || fail "leakcheck: $out"
echo "$out"
echo "$out" | grep -q '^leakcheck ok: 3 plexes' || fail "leakcheck: $out"
"$IOCTL" badstructs "$vol" /dev/ram3 || fail "badstructs"
