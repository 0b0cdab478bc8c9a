# smoke: yes
# Suspend/resume, remove, and rmmod: the module is pinned while a volume
# exists and unloads cleanly after.
brd_load 2 16
dmsetup create v --table "0 32768 vdsplex - 8 2 /dev/ram0 0 /dev/ram1 0 1 nosync"
dd if=/dev/urandom of=/dev/mapper/v bs=64k count=16 oflag=direct status=none
dmsetup suspend v
dmsetup resume v
expect_eq "$(health v)" AA "health after suspend/resume"
if rmmod dm_vdsplex 2>/dev/null; then
	fail "rmmod succeeded while a volume exists"
fi
dmsetup remove v
rmmod dm_vdsplex || fail "rmmod after remove"
vm_modprobe dm_vdsplex
