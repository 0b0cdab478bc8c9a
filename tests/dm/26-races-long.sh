# smoke: no
# long: yes
# timeout: 3600
# make check-long: every race of 23-races looped 20 times.
RACE_N=${RACE_N:-20}
. "$VDSPLEX_ROOT/tests/dm/23-races.sh"
