#!/bin/sh
# The partition layout (hub/schema.h): events holds the typed columns and
# the facets (each exactly what doc -> '$.details.FIELD' gives), docs the
# documents, the time index is on the utc second (utcs), and the full-text
# index is a file beside it (layout 4).  A partition of layout 3 (the time
# index on utc), of layout 2 (the index inside it too) and one written
# before facets (layout 0: the document in events) are still written to
# and searched, with the same answers.
. "$(dirname "$0")/lib.sh"
LOADGEN=$ROOT/${B:-build/rel}/bench/loadgen
mkdir -p "$T/norules"
start_hub --rules "$T/norules" || exit 1
TOKEN=$(new_token t19)
READER=$(new_token t19r reader)
"$LOADGEN" -u "$URL" -t "$TOKEN" -c 2 -b 500 -n 3000 >"$T/load.out" 2>&1
check "loadgen's events were acknowledged" \
	grep -q '^events acked   3000 ' "$T/load.out"
DB=$(ls "$DATA"/events/*.db | tail -n 1)
eq "a new partition has layout 4" "$(sqlite3 "$DB" 'pragma user_version')" 4
check "its full-text index is a file beside it" test -s "${DB%.db}.fts"
eq "which holds no other table than its own" \
	"$(sqlite3 "$DB" "select count(*) from sqlite_schema where name like 'fts%'")" 0
eq "events holds no document nor summary" \
	"$(sqlite3 "$DB" "select count(*) from pragma_table_info('events') where name in ('doc', 'summary')")" 0
eq "every event has its document" \
	"$(sqlite3 "$DB" 'select count(*) from events join docs using (id)')" 3000
F="f_sourceipaddress IS NOT (doc -> '\$.details.sourceipaddress') OR
    f_destinationipaddress IS NOT (doc -> '\$.details.destinationipaddress') OR
    f_sourceport IS NOT (doc -> '\$.details.sourceport') OR
    f_destinationport IS NOT (doc -> '\$.details.destinationport') OR
    f_username IS NOT (doc -> '\$.details.username')"
eq "each facet is what doc -> path gives" \
	"$(sqlite3 "$DB" "select count(*) from events_full where $F")" 0
check "the facets are filled (usernames, addresses, ports)" test \
	"$(sqlite3 "$DB" "select count(*) from events where f_username is not null and f_sourceipaddress is not null and f_sourceport is not null")" -gt 1000
eq "utcs is the second of utc" \
	"$(sqlite3 "$DB" "select count(*) from events where utcs != utc / 1000000 * 1000000")" 0

# search: NDJSON out; compare with sqlite3 over the documents
search() {
	curl -s -G -H "Authorization: Bearer $READER" \
		--data-urlencode "q=$1" --data-urlencode limit=100000 \
		"$URL/api/search"
}
by_user() {	# the count by rows as "user count", sorted
	search '* | count by details.username' |
		jq -r '"\(.["details.username"]) \(.count)"' | sort
}
truth() {	# the same from the documents, with sqlite3
	for f in "$DATA"/events/*.db; do
		sqlite3 "$f" "select ifnull(doc ->> '\$.details.username', 'null') from events_full"
	done | sort | uniq -c | awk '{ print $2, $1 }' | sort
}
by_user >"$T/got1"; truth >"$T/want1"
check "count by a facet agrees with the documents" cmp -s "$T/got1" "$T/want1"
user=$(head -n 1 "$T/want1" | cut -d' ' -f1)
eq "a facet term counts what the documents hold" \
	"$(search "details.username:$user | count" | jq .count)" \
	"$(grep "^$user " "$T/want1" | cut -d' ' -f2)"
words() {	# events whose summary has the word $1, from the documents
	for f in "$DATA"/events/*.db; do
		sqlite3 "$f" "select count(*) from events_full where ' ' || lower(summary) || ' ' like '% $1 %'"
	done | awk '{ n += $1 } END { print n }'
}
eq "a word of the summaries counts what the documents hold" \
	"$(search 'accepted | count' | jq .count)" "$(words accepted)"
newest() {	# the ids of the newest 200, as search and sqlite3 order them
	search '*' | jq -r .id | head -n 200 >"$T/got-order"
	sqlite3 "$DB" "select id from events order by utc desc, id desc limit 200" >"$T/want-order"
	cmp -s "$T/got-order" "$T/want-order"
}
check "newest first is the order of utc, then id" newest
# feed LAYOUT N SEED: restart the hub on the rewritten partition, send it
# N more events, and see them acknowledged and the layout kept.
feed() {
	start_hub --rules "$T/norules" || exit 1
	"$LOADGEN" -u "$URL" -t "$TOKEN" -c 2 -b 500 -n "$2" -s "$3" \
		>"$T/load$1.out" 2>&1
	check "a partition of layout $1 takes more events" \
		grep -q "^events acked   $2 " "$T/load$1.out"
	eq "and keeps its layout" "$(sqlite3 "$DB" 'pragma user_version')" "$1"
}
in_range() {	# bounds inside a second count what sqlite3 counts
	lo=$(sqlite3 "$DB" "select utc + 1 from events order by utc limit 1 offset 500")
	hi=$(sqlite3 "$DB" "select utc - 1 from events order by utc limit 1 offset 2500")
	got=$(search "utctimestamp:>=$lo utctimestamp:<$hi | count" | jq .count)
	want=$(sqlite3 "$DB" "select count(*) from events where utc >= $lo and utc < $hi")
	echo "# $lo..$hi: search $got, sqlite3 $want"
	[ "$got" = "$want" ] && [ "$want" -gt 0 ]
}
check "a time range with bounds inside seconds counts what sqlite3 does" in_range
stop_hub

# Make the partition look written by ward before the time index was on
# the utc second (layout 3): the index on utc itself, no utcs.
sqlite3 "$DB" "
	DROP INDEX events_utc;
	ALTER TABLE events DROP COLUMN utcs;
	CREATE INDEX events_utc ON events(utc);
	PRAGMA user_version = 3;" || echo "# could not rewrite $DB"
feed 3 1000 3
eq "search counts them all" "$(search '* | count' | jq .count)" 4000
check "newest first there too" newest
check "a time range there too" in_range
stop_hub

# Make the partition look written by ward before its index had a file:
# the index inside it (filled here from the documents, as the hub would).
sqlite3 "$DB" "
	CREATE VIRTUAL TABLE fts USING fts5(summary, text, content='',
		columnsize=0, detail=column);
	INSERT INTO fts(rowid, summary, text) SELECT id, summary,
		(SELECT group_concat(atom, char(10)) FROM json_tree(doc)
		 WHERE type IN ('text', 'integer', 'real') AND fullkey NOT IN
		 ('\$.summary', '\$.utctimestamp', '\$.receivedtimestamp'))
		FROM docs;
	PRAGMA user_version = 2;" || echo "# could not rewrite $DB"
rm -f "${DB%.db}.fts" "${DB%.db}.fts-wal" "${DB%.db}.fts-shm"
feed 2 2000 5
check "with no index file beside it" test ! -e "${DB%.db}.fts"
eq "search counts them all" "$(search '* | count' | jq .count)" 6000
eq "a word of the summaries counts what the documents hold there" \
	"$(search 'accepted | count' | jq .count)" "$(words accepted)"
stop_hub

# Make the partition look written by a ward before facets.
sqlite3 "$DB" "
	ALTER TABLE events ADD COLUMN summary TEXT;
	ALTER TABLE events ADD COLUMN doc TEXT;
	UPDATE events SET (summary, doc) =
		(SELECT summary, doc FROM docs WHERE docs.id = events.id);
	DROP VIEW events_full; DROP TABLE docs;
	ALTER TABLE events DROP COLUMN f_sourceipaddress;
	ALTER TABLE events DROP COLUMN f_destinationipaddress;
	ALTER TABLE events DROP COLUMN f_sourceport;
	ALTER TABLE events DROP COLUMN f_destinationport;
	ALTER TABLE events DROP COLUMN f_username;
	PRAGMA user_version = 0;" || echo "# could not rewrite $DB"
feed 0 2000 7
eq "with the documents in events" \
	"$(sqlite3 "$DB" 'select count(*) from events where doc is not null')" 8000
eq "search counts them all" "$(search '* | count' | jq .count)" 8000
truth0() {
	sqlite3 "$DB" "select ifnull(doc ->> '\$.details.username', 'null') from events" |
		sort | uniq -c | awk '{ print $2, $1 }' | sort
}
by_user >"$T/got2"; truth0 >"$T/want2"
check "count by a facet agrees with the documents there too" \
	cmp -s "$T/got2" "$T/want2"
eq "a facet term too" \
	"$(search "details.username:$user | count" | jq .count)" \
	"$(grep "^$user " "$T/want2" | cut -d' ' -f2)"
failed=$(sqlite3 "$DB" "select count(*) from events where summary like 'Failed password%'")
check "some summaries say Failed password ($failed)" test "$failed" -gt 0
eq "a summary phrase counts what the documents hold" \
	"$(search 'summary:"Failed password" | count' | jq .count)" "$failed"
eq "and newest-first search returns documents" \
	"$(search "details.username:$user" | jq -r '.details.username' | sort -u)" \
	"$user"
done_testing
