# smoke: no
# kernels: stock-6.12
# Every example in the documentation is run (issue "docs").  Each block of
# Documentation/*.rst marked with the comment ".. vdsplex-example: NAME"
# right before its ".. code-block:: sh" runs on its own under "bash -e",
# with the preamble that dm-vdsplex.rst states under "Examples": four empty
# 32 MiB ram disks /dev/ram0../dev/ram3, no mapped device, the CLI on PATH
# as vdsplex.  Each block marked ".. vdsplex-example-c: NAME" before its
# ".. code-block:: c" is compiled first, from the repository root with
# "gcc -I include/uapi", onto that PATH as NAME; a shell example must run
# it.  The scenario fails when a block fails or times out, when a C example
# does not compile or no shell example runs it, when a marker is malformed,
# and when no marked block was found at all.
work=${VDSPLEX_RESULTS:-/tmp}/doc-examples
rm -rf "$work"
mkdir -p "$work/src" "$work/bin" "$work/run"
ln -s "$VX" "$work/bin/vdsplex"

# The extractor: prints "KIND NAME FILE:LINE" per marked block and writes
# the block, its indentation removed, to SRC/NAME.sh or SRC/NAME.c.
python3 - "$VDSPLEX_ROOT/Documentation" "$work/src" >"$work/list" <<'EOF'
import glob, os, re, sys

doc, src = sys.argv[1], sys.argv[2]
marker = re.compile(r'^\.\. vdsplex-example(-c)?: *(\S+) *$')
bad, seen = [], {}
for path in sorted(glob.glob(os.path.join(doc, '*.rst'))):
    lines = open(path, encoding='utf-8').read().split('\n')
    rel = os.path.relpath(path, os.path.dirname(doc))
    i = 0
    while i < len(lines):
        m = marker.match(lines[i])
        if not m:
            if re.match(r'^\.\. vdsplex-example', lines[i]):
                bad.append('%s:%d: malformed marker %r' % (rel, i + 1, lines[i]))
            elif lines[i].strip() == '.. code-block:: sh' and \
                    (i == 0 or not marker.match(lines[i - 1])):
                print('note: %s:%d: shell block not marked as an example'
                      % (rel, i + 1), file=sys.stderr)
            i += 1
            continue
        kind = 'c' if m.group(1) else 'sh'
        name, where = m.group(2), '%s:%d' % (rel, i + 1)
        if not re.match(r'^[A-Za-z0-9][A-Za-z0-9._-]*$', name):
            bad.append('%s: bad example name %r' % (where, name))
        if name in seen:
            bad.append('%s: example %r also at %s' % (where, name, seen[name]))
        seen[name] = where
        j = i + 1
        if j >= len(lines) or lines[j].strip() != '.. code-block:: ' + kind:
            bad.append('%s: the marker is not directly before ".. code-block:: %s"'
                       % (where, kind))
            i = j
            continue
        j += 1
        while j < len(lines) and lines[j].startswith(' ') and \
                lines[j].strip().startswith(':'):
            j += 1                              # directive options
        while j < len(lines) and not lines[j].strip():
            j += 1
        indent = re.match(r'^[ \t]*', lines[j] if j < len(lines) else '').group(0)
        if not indent:
            bad.append('%s: empty code block' % where)
            i = j
            continue
        body = []
        while j < len(lines) and (not lines[j].strip() or lines[j].startswith(indent)):
            body.append(lines[j][len(indent):])
            j += 1
        while body and not body[-1].strip():
            body.pop()
        with open(os.path.join(src, name + '.' + kind), 'w') as f:
            f.write('\n'.join(body) + '\n')
        print(kind, name, where)
        i = j
for b in bad:
    print('error: ' + b, file=sys.stderr)
sys.exit(1 if bad else 0)
EOF
cat "$work/list"
mapfile -t examples <"$work/list"
[ ${#examples[@]} -gt 0 ] || fail "no block marked .. vdsplex-example in Documentation/*.rst"

# C examples: compiled as the documentation says, each run by a shell example
for e in "${examples[@]}"; do
	read -r kind name where <<<"$e"
	[ "$kind" = c ] || continue
	(cd "$VDSPLEX_ROOT" && gcc -Wall -Wextra -Werror -O2 -I include/uapi \
		-o "$work/bin/$name" "$work/src/$name.c") ||
		fail "C example $name ($where) does not compile"
	grep -qw -- "$name" "$work"/src/*.sh 2>/dev/null ||
		fail "C example $name ($where) is run by no shell example"
done

# shell examples: each from the preamble, under bash -e
failed=() nr=0
for e in "${examples[@]}"; do
	read -r kind name where <<<"$e"
	[ "$kind" = sh ] || continue
	nr=$((nr + 1))
	cleanup_all
	brd_load 4 32
	echo "== example $name ($where)"
	start=$(date +%s)
	rc=0
	(cd "$work/run" && PATH="$work/bin:$PATH" timeout 300 bash -e "$work/src/$name.sh") \
		</dev/null >"$work/$name.out" 2>&1 || rc=$?
	sed 's/^/   | /' "$work/$name.out"
	echo "== example $name: exit $rc, $(($(date +%s) - start))s"
	[ $rc = 0 ] || failed+=("$name ($where): exit $rc")
done
cleanup_all
[ $nr -gt 0 ] || fail "no shell example (.. vdsplex-example) in Documentation/*.rst"
[ ${#failed[@]} = 0 ] || fail "${#failed[@]} of $nr examples failed: ${failed[*]}"
echo "$nr shell examples passed"
