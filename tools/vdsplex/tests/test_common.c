// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: common.c (saturating addition, the fatal-signal mask). */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common.h"

static void add_sat(void **state)
{
	(void)state;
	assert_true(u64_add_sat(0, 0) == 0);
	assert_true(u64_add_sat(1000, 2000) == 3000);
	assert_true(u64_add_sat(UINT64_MAX - 1, 1) == UINT64_MAX);
	assert_true(u64_add_sat(UINT64_MAX - 1, 2) == UINT64_MAX);
	assert_true(u64_add_sat(UINT64_MAX, UINT64_MAX) == UINT64_MAX);
	/* now_ms() + a --timeout of ~0 ms: no wrap-around to the past. */
	assert_true(u64_add_sat(123456789, UINT64_MAX - 5) == UINT64_MAX);
}

static bool blocked(const sigset_t *set)
{
	return sigismember(set, SIGINT) == 1 && sigismember(set, SIGTERM) == 1 &&
	       sigismember(set, SIGHUP) == 1;
}

static void fatal_mask(void **state)
{
	sigset_t orig, old, now;

	(void)state;
	sigprocmask(SIG_SETMASK, NULL, &orig);
	sig_block_fatal(&old);
	sigprocmask(SIG_SETMASK, NULL, &now);
	assert_true(blocked(&now));
	assert_int_equal(sigismember(&old, SIGINT), sigismember(&orig, SIGINT));
	sig_restore(&old);
	sigprocmask(SIG_SETMASK, NULL, &now);
	assert_int_equal(sigismember(&now, SIGINT), sigismember(&orig, SIGINT));
	assert_int_equal(sigismember(&now, SIGHUP), sigismember(&orig, SIGHUP));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(add_sat),
		cmocka_unit_test(fatal_mask),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
