# smoke: no
# long: yes
# timeout: 3600
# make check-long: the fuzzers of 22-fuzz with many more executions.
FUZZ_N=${FUZZ_N:-20000}
. "$VDSPLEX_ROOT/tests/dm/22-fuzz.sh"
