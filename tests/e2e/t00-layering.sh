#!/bin/sh
# The layering of the tree, from its #include "x.h" lines.  A module is a
# .c file with its .h (hub/ingest/store.c and store.h); a header is named
# by its file alone, so "x.h" is the one x.h under hub/, proto/ or
# console/.  Fails, naming the files, when
#   - two modules include each other, directly or around a circle
#     (net -> alerter -> session -> net): then neither can be read, built
#     or tested without the other;
#   - console/ includes a hub header, or proto/ a hub or console one
#     (console -> proto <- hub, README's layout).
# No hub is started: this reads the source only.
. "$(dirname "$0")/lib.sh"
cd "$ROOT" || exit 1

# One line per include: FILE HEADER.
find hub proto console -name '*.[ch]' | sort | while read -r f; do
	sed -n 's/^#[ 	]*include[ 	]*"\([^"]*\)".*/\1/p' "$f" |
	    while read -r h; do echo "$f $h"; done
done >"$T/includes"
find hub proto console -name '*.h' | sort >"$T/headers"
check "the tree has includes to read" test -s "$T/includes"

# Modules: the path without its extension.  Edges: module -> module of
# the header, for headers of the tree, other than the module's own.
awk '
NR == FNR {	# headers: basename -> module
	b = $1; sub(/.*\//, "", b); m = $1; sub(/\.h$/, "", m)
	mod[b] = m
	next
}
{
	a = $1; sub(/\.[ch]$/, "", a)
	if (!($2 in mod)) next		# a system or generated header
	b = mod[$2]
	if (a == b) next
	top_a = a; sub(/\/.*/, "", top_a)
	top_b = b; sub(/\/.*/, "", top_b)
	if (top_a == "console" && top_b == "hub")
		print "LAYER " $1 " includes " $2 " (console/ must not use the hub)"
	if (top_a == "proto" && top_b != "proto")
		print "LAYER " $1 " includes " $2 " (proto/ is shared: it uses neither hub/ nor console/)"
	if (!((a, b) in seen)) { seen[a, b] = 1; print "EDGE " a " " b " " $1 }
}' "$T/headers" "$T/includes" >"$T/graph"

grep '^LAYER ' "$T/graph" | sed 's/^LAYER //' >"$T/layer"
eq "console/ and proto/ include no header above them" \
	"$(cat "$T/layer")" ""

# Circles: the strongly connected components of the module graph
# (Tarjan's algorithm), each shown as one circle through its modules.
awk '
$1 == "EDGE" {
	a = $2; b = $3
	if (!(a in idx0)) { node[nn++] = a; idx0[a] = 1 }
	if (!(b in idx0)) { node[nn++] = b; idx0[b] = 1 }
	out[a, ++nout[a]] = b
	via[a, b] = $4
}
function strong(v,    i, w) {
	index_[v] = low[v] = ++counter
	stack[++sp] = v; onstack[v] = 1
	for (i = 1; i <= nout[v]; i++) {
		w = out[v, i]
		if (!(w in index_)) {
			strong(w)
			if (low[w] < low[v]) low[v] = low[w]
		} else if (onstack[w] && index_[w] < low[v])
			low[v] = index_[w]
	}
	if (low[v] == index_[v]) {
		ncomp++
		do {
			w = stack[sp--]; onstack[w] = 0
			comp[w] = ncomp; size[ncomp]++
		} while (w != v)
	}
}
# A shortest way from s back to s inside its component (breadth first).
function circle(s,    q, h, t, v, i, w, prev, path) {
	h = t = 0; q[t++] = s; delete prev
	while (h < t) {
		v = q[h++]
		for (i = 1; i <= nout[v]; i++) {
			w = out[v, i]
			if (comp[w] != comp[s]) continue
			if (w == s) {
				path = v " -> " s " (" via[v, s] ")"
				while (v != s) {
					path = prev[v] " -> " v " (" via[prev[v], v] "), " path
					v = prev[v]
				}
				return path
			}
			if (!(w in prev)) { prev[w] = v; q[t++] = w }
		}
	}
	return s
}
END {
	for (i = 0; i < nn; i++)
		if (!(node[i] in index_)) strong(node[i])
	for (i = 0; i < nn; i++) {
		c = comp[node[i]]
		if (size[c] > 1 && !(c in told)) {
			told[c] = 1
			members = ""
			for (j = 0; j < nn; j++)
				if (comp[node[j]] == c) members = members " " node[j]
			print "{" substr(members, 2) "}: " circle(node[i])
		}
	}
}' "$T/graph" | sort >"$T/circles"

# Circles known and not broken yet, each with where its fix belongs.
# Listed by their modules as the check prints them; a circle not listed
# fails.  One listed here that is gone is said (take it out of the list)
# without failing, so whoever breaks it lands without waiting on this.
cat >"$T/known" <<'EOF'
EOF
sed 's/}:.*/}/' "$T/known" | sort >"$T/known.sets"
sed 's/}:.*/}/' "$T/circles" >"$T/circles.sets"
sed 's/ /,/g' "$T/known.sets" >"$T/known.words"
for set in $(cat "$T/known.words"); do
	set=$(echo "$set" | tr , ' ')
	grep -qxF "$set" "$T/circles.sets" ||
	    echo "# the known circle $set is gone: take it out of the list"
done
eq "no two modules include each other, directly or around a circle" \
	"$(grep -vxF -f "$T/known.sets" "$T/circles.sets" | while read -r set; do
		grep -F "$set" "$T/circles"; done)" ""
while read -r line; do echo "# known circle $line"; done <"$T/known"
done_testing
