// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where a block device is mounted; see mountinfo.h.
 *
 * A mountinfo line (proc(5)):
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 *   id parent major:minor root mountpoint options ...
 * The root and the mountpoint escape space, tab, newline and backslash as
 * octal (\040).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "mountinfo.h"

/* Undo the octal escapes of a mountinfo field, in place. */
static void unescape(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static void record(struct mount_hit *hit, const char *root, const char *mnt)
{
	bool whole = !strcmp(root, "/");

	if (!strcmp(mnt, "/"))
		hit->root = true;
	if (!strcmp(mnt, "/boot"))
		hit->boot = true;
	/* Prefer a mount of the filesystem's root over a bind mount of a subtree. */
	if (!hit->count || (whole && !hit->whole)) {
		snprintf(hit->mountpoint, sizeof(hit->mountpoint), "%s", mnt);
		hit->whole = whole;
	}
	hit->count++;
}

int mountinfo_scan(FILE *f, uint32_t major, uint32_t minor, struct mount_hit *hit)
{
	char *line = NULL;
	size_t cap = 0;
	int r = 0;

	memset(hit, 0, sizeof(*hit));
	while (getline(&line, &cap, f) > 0) {
		char *save = NULL, *dev, *root, *mnt;
		unsigned int ma, mi;

		if (!strtok_r(line, " ", &save) || !strtok_r(NULL, " ", &save)) {
			r = -EINVAL;
			break;
		}
		dev = strtok_r(NULL, " ", &save);
		root = strtok_r(NULL, " ", &save);
		mnt = strtok_r(NULL, " ", &save);
		if (!mnt || sscanf(dev, "%u:%u", &ma, &mi) != 2) {
			r = -EINVAL;
			break;
		}
		if (ma != major || mi != minor)
			continue;
		unescape(root);
		unescape(mnt);
		record(hit, root, mnt);
	}
	free(line);
	return r;
}

int mountinfo_lookup(uint32_t major, uint32_t minor, struct mount_hit *hit)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int r;

	if (!f) {
		memset(hit, 0, sizeof(*hit));
		return -errno;
	}
	r = mountinfo_scan(f, major, minor, hit);
	fclose(f);
	return r;
}
