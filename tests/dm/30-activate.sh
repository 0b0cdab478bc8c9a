# smoke: no
# kernels: stock-6.12
# vdsplex activate and /etc/vdsplextab (issue "deployment"): a volume whose
# plexes come back under other names and device numbers is reassembled from
# its metadata by the identities recorded for its plexes (here dm UUIDs);
# an active volume is left alone; a missing plex activates the volume
# degraded with a warning, also when the surviving plex took the missing
# one's device number; the dm UUID is the one create gave; core-mode lines,
# noauto, nofail; clear errors for an unknown name, a bad line, blank or busy
# metadata.
brd_load 4 16
len=32768 # 16 MiB
tab=/tmp/vdsplextab
# act ARGS...: vdsplex activate with $tab; stdout+stderr in $out, exit in $rc
act() {
	rc=0
	out=$("$VX" activate --tab "$tab" "$@" 2>&1) || rc=$?
	echo "$out"
}
plexes_of() { "$VX" plexes v --json | python3 -c '
import json, sys
print(" ".join("%s:%s" % (p["major"], p["minor"]) for p in json.load(sys.stdin)["plexes"]))'; }

# Two plexes that are mapped devices with UUIDs (their identities).
dmsetup create pa --uuid TEST-PLEX-A --table "0 $len linear /dev/ram0 0"
dmsetup create pb --uuid TEST-PLEX-B --table "0 $len linear /dev/ram1 0"
out=$("$VX" create v --meta /dev/ram2 --plex /dev/mapper/pa --plex /dev/mapper/pb \
	--region-size 64K --nosync)
echo "$out"
uuid=$(echo "$out" | sed -n 's/.*, uuid \(VDSPLEX-[0-9a-f-]*\)$/\1/p')
[ -n "$uuid" ] || fail "create printed no uuid"
expect_eq "$(dmsetup info -c --noheadings -o uuid v)" "$uuid" "the dm UUID create printed"
dd if=/dev/urandom of=/dev/mapper/v bs=1M count=16 oflag=direct status=none
sum=$(md5sum </dev/mapper/v)
"$VX" plexes v
dmsetup remove v
dmsetup remove pa
dmsetup remove pb

# The plexes return under other names, in the other order: other minors.
dmsetup create zz-first --table "0 8 zero" # takes the old minor of pa
dmsetup create x1 --uuid TEST-PLEX-B --table "0 $len linear /dev/ram1 0"
dmsetup create x2 --uuid TEST-PLEX-A --table "0 $len linear /dev/ram0 0"
a=$(devno /dev/mapper/x2) b=$(devno /dev/mapper/x1)
echo "v /dev/ram2 - rate=10M" >$tab
act v
expect_eq "$rc" 0 "activate with renamed plexes"
echo "$out" | grep -q "plex id 1 'TEST-PLEX-A' found by identity at /dev/mapper/x2 ($a)" ||
	fail "activation did not say where plex A was found"
echo "$out" | grep -q "v: activated /dev/mapper/v, 2 of 2 plexes$" || fail "no activation line"
expect_eq "$(health v)" AA "health after activation"
expect_eq "$(plexes_of)" "${a} ${b}" "plexes in their recorded order, at their new numbers"
expect_eq "$(status_field v 7)" 10240 "rate= from the tab line"
expect_eq "$(md5sum </dev/mapper/v)" "$sum" "data after activation"
expect_eq "$(dmsetup info -c --noheadings -o uuid v)" "$uuid" "the same dm UUID after activation"
"$VX" dump-metadata /dev/ram2 --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
got = " ".join("%s:%s" % (p["major"], p["minor"]) for p in d["plexes"])
assert got == sys.argv[1], (got, sys.argv[1])' "$a $b" || fail "the metadata's hints were not updated"

# Already active: left alone, exit 0.
act v
expect_eq "$rc" 0 "activate of an active volume"
echo "$out" | grep -q '^v: already active$' || fail "no 'already active'"
# Busy metadata: another name over the same metadata device is refused.
echo "w /dev/ram2" >$tab
act w
expect_eq "$rc" 1 "metadata device in use"
echo "$out" | grep -q "w: metadata device /dev/ram2 is in use" || fail "busy: $out"
dmsetup remove v

# One plex missing, and the other one now at its device number (a disk lost,
# the next one takes its name): degraded, with the warning; exit 0.
dmsetup remove x2
dmsetup remove x1
dmsetup create filler --table "0 8 zero" # takes x1's minor
dmsetup create y --uuid TEST-PLEX-B --table "0 $len linear /dev/ram1 0" # x2's = A's hint
expect_eq "$(devno /dev/mapper/y)" "$a" "plex B on A's recorded number"
echo "v /dev/ram2" >$tab
act v
expect_eq "$rc" 0 "degraded activation"
echo "$out" | grep -q "plex id 2 'TEST-PLEX-B' found by identity at /dev/mapper/y ($a), recorded as $b" ||
	fail "activation did not say where plex B was found"
echo "$out" | grep -q "warning: v: plex id 1 'TEST-PLEX-A' (alive, recorded as $a) not found: .*degraded" ||
	fail "no warning for the missing plex"
echo "$out" | grep -q "v: activated /dev/mapper/v, 1 of 2 plexes (degraded)" || fail "no degraded line"
expect_eq "$(health v)" A "health of the degraded volume"
expect_eq "$(md5sum </dev/mapper/v)" "$sum" "data on the degraded volume"
dmsetup remove v

# Waiting for a missing plex: --timeout waits, then activates degraded
# (the metadata now records plex B only: remove it and bring it back late).
dmsetup remove y
(sleep 2 && dmsetup create y --uuid TEST-PLEX-B --table "0 $len linear /dev/ram1 0") &
act v --timeout 20
wait
expect_eq "$rc" 0 "activate waiting for a late plex"
echo "$out" | grep -q "v: waiting up to 20 s for 1 missing plex" || fail "no waiting line"
echo "$out" | grep -q "v: activated /dev/mapper/v, 1 of 1 plex$" || fail "late plex: $out"
dmsetup remove v
# A plex used by another mapped device is not taken.
dmsetup create holder --table "0 $len linear /dev/mapper/y 0"
act v
expect_eq "$rc" 1 "the only plex held by another device"
echo "$out" | grep -q "in use by another mapped device" || fail "holder: $out"
dmsetup remove holder

# No in-sync plex found: not activated.
dmsetup remove y
act v
expect_eq "$rc" 1 "no plex found"
echo "$out" | grep -q "v: none of the plexes recorded in sync was found; not activating" ||
	fail "no-plex: $out"

# Errors that name the input.
act nothere
expect_eq "$rc" 1 "unknown NAME"
echo "$out" | grep -q "NAME 'nothere' is not in $tab" || fail "unknown: $out"
printf '# ok\nv /dev/ram2 - nosnyc\n' >$tab
act --all
expect_eq "$rc" 1 "a bad line"
echo "$out" | grep -q "$tab: line 2: unknown option 'nosnyc'" || fail "bad line: $out"
echo "blank /dev/ram3" >$tab
act blank
expect_eq "$rc" 1 "blank metadata"
echo "$out" | grep -q "holds no vdsplex metadata (never formatted)" || fail "blank: $out"
echo "v /dev/nosuchdisk" >$tab
act v
expect_eq "$rc" 1 "missing metadata device"
echo "$out" | grep -q "metadata device '/dev/nosuchdisk': no such device" || fail "nodev: $out"
rc=0
"$VX" activate --tab /tmp/nosuchtab --all 2>/dev/null || rc=$?
expect_eq "$rc" 1 "missing tab file"

# --all: noauto skipped, nofail failures are warnings, core mode.
cat >$tab <<TAB
# NAME  METADATA  PLEXES           OPTIONS
c       -         /dev/ram3        nosync,region-size=128K
skip    -         /dev/ram1        noauto
broken  /dev/ram0 -                nofail
TAB
act --all
expect_eq "$rc" 0 "--all with a nofail failure"
echo "$out" | grep -q "c: activated /dev/mapper/c (core mode), 1 plex" || fail "core: $out"
echo "$out" | grep -q "warning: broken: not activated (nofail)" || fail "nofail: $out"
dmsetup info skip >/dev/null 2>&1 && fail "noauto volume activated by --all"
expect_eq "$(table_of c)" "- 256 1 $(devno /dev/ram3) 0" "core-mode table"
sed -i 's/nofail//' $tab
act --all
expect_eq "$rc" 1 "--all with a failure"
act skip
expect_eq "$rc" 0 "a noauto volume by name"
expect_eq "$(health skip)" A "a one-plex core-mode volume"
dmsetup remove skip
dmsetup remove c
dmsetup remove zz-first
dmsetup remove filler
