// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: vds.c.  Reads the UAPI header itself, so a code added there
 * without an entry in the CLI's table fails here.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/dm-vdsplex.h>

#include "vds.h"

/* Every "#define VDS*_[ES]_NAME 0x...U" of the header; the count found. */
static unsigned int check_header_codes(void)
{
	FILE *f = fopen(UAPI_HEADER, "r");
	char line[256], macro[128];
	unsigned int found = 0, value;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		const struct vds_code *c;

		if (sscanf(line, "#define %127s 0x%xU", macro, &value) != 2 ||
		    (strncmp(macro, "VDS_", 4) && strncmp(macro, "VDSPLEX_E_", 10)))
			continue;
		c = vds_lookup(value);
		if (!c)
			fail_msg("%s (0x%08X) of the header is missing from vds.c", macro, value);
		assert_string_equal(c->macro, macro);
		found++;
	}
	fclose(f);
	return found;
}

static void every_header_code_known(void **state)
{
	(void)state;
	/* 14 VDS codes and 2 standard HRESULTs at the time of writing. */
	assert_true(check_header_codes() >= 16);
	assert_int_equal(check_header_codes(), vds_count());
}

static void entries_complete(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < vds_count(); i++) {
		const struct vds_code *c = vds_at(i);
		size_t n = strlen(c->sentence);

		assert_non_null(c->name);
		assert_true(strlen(c->name) > 3);
		/* One sentence: capital letter, ends with a period. */
		assert_true(c->sentence[0] >= 'A' && c->sentence[0] <= 'Z');
		assert_true(n > 10 && c->sentence[n - 1] == '.');
		/* Every error has an errno; only OK and the GPT warning have none. */
		if (c->hr != VDS_S_OK && c->hr != VDS_S_GPT_BOOT_MIRRORED_TO_MBR)
			assert_true(c->err > 0);
		for (j = i + 1; j < vds_count(); j++)
			assert_true(vds_at(j)->hr != c->hr);
	}
	assert_null(vds_at(vds_count()));
}

static void documented_values(void **state)
{
	(void)state;
	assert_int_equal(vds_lookup(0x8004243DU)->err, EAGAIN);
	assert_string_equal(vds_name(0x8004243DU), "VDS_E_VOLUME_NOT_ONLINE");
	assert_string_equal(vds_name(0x80042413U), "VDS_E_DEVICE_IN_USE");
	assert_int_equal(vds_lookup(0x80042413U)->err, EBUSY);
	assert_int_equal(vds_lookup(0x80042548U)->err, EBUSY);
	assert_int_equal(vds_lookup(0x8004240DU)->err, ECANCELED);
	assert_int_equal(vds_lookup(0x8004240CU)->err, ESRCH);
	assert_int_equal(vds_lookup(0x8004243FU)->err, EXDEV);
	assert_int_equal(vds_lookup(0x80042440U)->err, ERANGE);
	assert_int_equal(vds_lookup(0x8004244CU)->err, EEXIST);
	assert_int_equal(vds_lookup(0x80042404U)->err, EALREADY);
	assert_int_equal(vds_lookup(0x8004240BU)->err, ENODEV);
	assert_int_equal(vds_lookup(0x8007000EU)->err, ENOMEM);
	assert_string_equal(vds_name(0x80042469U), "VDS_S_GPT_BOOT_MIRRORED_TO_MBR");
	assert_string_equal(vds_name(0x8007045DU), "ERROR_IO_DEVICE");
}

static void formatting(void **state)
{
	char buf[512];

	(void)state;
	assert_int_equal(vds_format(buf, sizeof(buf), VDS_E_DEVICE_IN_USE), 0);
	assert_string_equal(buf, "VDS_E_DEVICE_IN_USE (0x80042413): The device is in use: open, mounted, or used by another mapped device.");
	assert_int_equal(vds_format(buf, sizeof(buf), 0x80049999U), 0);
	assert_non_null(strstr(buf, "UNKNOWN_HRESULT (0x80049999): "));
	assert_string_equal(vds_name(0x80049999U), "UNKNOWN_HRESULT");
	assert_null(vds_lookup(0x80049999U));
	/* Truncation is reported. */
	assert_int_equal(vds_format(buf, 10, VDS_E_DEVICE_IN_USE), -ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_header_code_known),
		cmocka_unit_test(entries_complete),
		cmocka_unit_test(documented_values),
		cmocka_unit_test(formatting),
	};

	return cmocka_run_group_tests_name("vds", tests, NULL, NULL);
}
