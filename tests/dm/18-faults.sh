# smoke: no
# long: yes
# timeout: 3600
# The fault scenarios of issue 7 against vdsplex, with its expected outcome
# asserted (tests/faults/faults.sh, FX_STRICT=1): a leg swapped to dm
# "error" under fio; write-only errors (dm "delay" with an error device for
# writes); a dm "dust" bad range read from another leg and repaired; two of
# four legs dying; a target and a source failing during AddPlex; a transient
# failure and readd_plex (only the written regions move); the metadata
# device failing under writes and at a commit; check / repair after
# corrupting one leg.  Each ends with cmp of the surviving legs.
# tests/faults/run (make compare) runs the same scenarios against dm
# "mirror" and dm "raid raid1".
# shellcheck source=tests/faults/faults.sh
. "$VDSPLEX_ROOT/tests/faults/faults.sh"
FX_TARGET=vdsplex
FX_STRICT=1
for s in $FX_SCENARIOS; do
	echo "== $s"
	fx_run "$s"
	cleanup_all
	lsmod | grep -q '^dm_vdsplex ' || vm_modprobe dm_vdsplex
done
