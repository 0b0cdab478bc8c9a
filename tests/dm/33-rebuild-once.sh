# kernels: stock-6.12
# "rebuild" in a table resyncs the plex once, when that table is resumed,
# not at every later resume (issue: failure paths, F6).  dmsetup table prints
# "rebuild" for a plex that is not in sync, so the round trip the docs
# promise (dmsetup table | dmsetup load) during an AddPlex must not turn
# every later suspend/resume into a full resync of that plex.
l0=$(loop_file a 16)
l1=$(loop_file b 16)
dmsetup create v --table "0 32768 vdsplex - 64 1 $l0 0 1 nosync"
dd if=/dev/urandom of=/dev/mapper/v bs=1M count=16 oflag=direct status=none
dmsetup message v 0 resync_rate 2048
dmsetup message v 0 add_plex "$l1"
sleep 1
t=$(table_of v)
echo "table during the AddPlex: $t"
echo "$t" | grep -q "rebuild 1" || fail "the table does not name the plex being added for rebuild: $t"
dmsetup table v | dmsetup load v
dmsetup suspend v
dmsetup resume v
dmsetup message v 0 resync_rate 0
wait_idle v 120
r1=$(status_field v 8)
expect_eq "$(health v)" AA "health after the AddPlex"
dmsetup suspend v
dmsetup resume v
sleep 1
wait_idle v 120
r2=$(status_field v 8)
echo "regions resynced: $r1 after the AddPlex, $r2 after a later suspend/resume"
expect_eq "$r2" "$r1" "regions resynced by a plain suspend/resume after the reload"
plexes_equal 32768 "$l0:0" "$l1:0"
dmsetup remove v
