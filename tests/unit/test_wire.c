/* Unit tests for proto/wire: every message decoded, good and bad. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "catalogue.h"
#include "version.h"
#include "wire.h"

#define K32	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
#define S64	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="
#define C	WIRE_FROM_CONSOLE
#define H	WIRE_FROM_HUB

/*
 * One case: a frame (a printf format; %s, when present, gets a run of
 * `fill` letters 'a'), the side it comes from, and the expected result:
 * the type on success, or WIRE_NONE and a piece of the error message.
 */
struct wcase {
	const char	*frame;
	enum wire_from	 from;
	int		 fill;
	enum wire_type	 want;
	const char	*errpart;
};

static const struct wcase good[] = {
	{ "{\"type\":\"hello\",\"protocol\":\"" WARD_PROTOCOL "\",\"version\":"
	  "\"0.1.0\",\"hub_key\":\"" K32 "\",\"nonce\":\"" K32 "\"}", H, 0,
	  WIRE_HELLO, NULL },
	{ "{\"type\":\"auth\",\"user\":\"alice\",\"nonce\":\"" K32 "\","
	  "\"signature\":\"" S64 "\"}", C, 0, WIRE_AUTH, NULL },
	{ "{\"type\":\"welcome\",\"user\":\"alice\",\"role\":\"lead\","
	  "\"signature\":\"" S64 "\",\"last_seq\":12}", H, 0, WIRE_WELCOME,
	  NULL },
	{ "{\"type\":\"subscribe\",\"id\":1,\"topic\":\"incidents\","
	  "\"since_seq\":40}", C, 0, WIRE_SUBSCRIBE, NULL },
	{ "{\"type\":\"subscribe\",\"id\":2,\"topic\":\"incident:INC-7\"}", C,
	  0, WIRE_SUBSCRIBE, NULL },
	{ "{\"type\":\"subscribe\",\"id\":3,\"topic\":\"alerts\"}", C, 0,
	  WIRE_SUBSCRIBE, NULL },
	{ "{\"type\":\"subscribe\",\"id\":4,\"topic\":\"events\",\"query\":"
	  "\"hostname:web1 AND severity:ERROR\"}", C, 0, WIRE_SUBSCRIBE, NULL },
	{ "{\"type\":\"subscribe\",\"id\":5,\"topic\":\"presence\"}", C, 0,
	  WIRE_SUBSCRIBE, NULL },
	{ "{\"type\":\"unsubscribe\",\"id\":6,\"topic\":\"alerts\"}", C, 0,
	  WIRE_UNSUBSCRIBE, NULL },
	{ "{\"type\":\"op\",\"id\":7,\"op\":\"incident.create\",\"title\":"
	  "\"Phish at finance\",\"description\":\"line1\\nline2\\tx\","
	  "\"severity\":\"high\",\"tags\":[\"phish\",\"mail\"],\"lead\":"
	  "\"bob\",\"reported\":\"2024-02-29T10:00:00.5Z\"}", C, 0, WIRE_OP,
	  NULL },
	{ "{\"type\":\"op\",\"id\":8,\"op\":\"incident.update\",\"incident\":"
	  "\"INC-3\",\"version\":2,\"title\":\"t\",\"verified\":null}", C, 0,
	  WIRE_OP, NULL },
	{ "{\"type\":\"op\",\"id\":9,\"op\":\"incident.note\",\"incident\":"
	  "\"INC-3\",\"text\":\"seen on web1\"}", C, 0, WIRE_OP, NULL },
	{ "{\"type\":\"op\",\"id\":10,\"op\":\"incident.close\",\"incident\":"
	  "\"INC-3\",\"resolution\":\"false_positive\",\"text\":\"test\"}", C,
	  0, WIRE_OP, NULL },
	{ "{\"type\":\"op\",\"id\":11,\"op\":\"incident.status\",\"incident\":"
	  "\"INC-3\",\"status\":\"contained\",\"version\":4}", C, 0, WIRE_OP,
	  NULL },
	{ "{\"type\":\"op\",\"id\":12,\"op\":\"incident.phase\",\"incident\":"
	  "\"INC-3\",\"phase\":\"lessons_learned\"}", C, 0, WIRE_OP, NULL },
	{ "{\"type\":\"op\",\"id\":13,\"op\":\"incident.lead\",\"incident\":"
	  "\"INC-3\",\"lead\":null}", C, 0, WIRE_OP, NULL },
	{ "{\"type\":\"op\",\"id\":14,\"op\":\"task.add\",\"incident\":"
	  "\"INC-3\",\"title\":\"image web1\",\"assignee\":\"carol\",\"due\":"
	  "\"2024-05-01T00:00:00Z\"}", C, 0, WIRE_OP, NULL },
	{ "{\"type\":\"op\",\"id\":15,\"op\":\"task.assign\",\"task\":\"T-4\","
	  "\"assignee\":\"carol\"}", C, 0, WIRE_OP, NULL },
	{ "{\"type\":\"op\",\"id\":16,\"op\":\"task.status\",\"task\":4,"
	  "\"status\":\"blocked\"}", C, 0, WIRE_OP, NULL },
	{ "{\"type\":\"op\",\"id\":17,\"op\":\"observable.add\",\"incident\":"
	  "\"INC-3\",\"kind\":\"ip\",\"value\":\"2001:db8::1\",\"ioc\":true}",
	  C, 0, WIRE_OP, NULL },
	{ "{\"type\":\"op\",\"id\":18,\"op\":\"observable.add\",\"incident\":"
	  "\"INC-3\",\"kind\":\"hash\",\"value\":"
	  "\"d41d8cd98f00b204e9800998ecf8427e\"}", C, 0, WIRE_OP, NULL },
	{ "{\"type\":\"op\",\"id\":19,\"op\":\"observable.add\",\"incident\":"
	  "\"INC-3\",\"kind\":\"url\",\"value\":\"https://evil.example/x?a=1\"}",
	  C, 0, WIRE_OP, NULL },
	{ "{\"type\":\"op\",\"id\":20,\"op\":\"incident.link\",\"incident\":"
	  "\"INC-3\",\"alerts\":[1,2],\"events\":[68719476737]}", C, 0,
	  WIRE_OP, NULL },
	{ "{\"type\":\"query\",\"id\":21,\"query\":\"incident.list\","
	  "\"status\":\"active\",\"limit\":50}", C, 0, WIRE_QUERY, NULL },
	{ "{\"type\":\"query\",\"id\":22,\"query\":\"incident.show\","
	  "\"incident\":\"INC-3\"}", C, 0, WIRE_QUERY, NULL },
	{ "{\"type\":\"query\",\"id\":23,\"query\":\"audit.list\",\"user\":"
	  "\"bob\",\"refused\":true}", C, 0, WIRE_QUERY, NULL },
	{ "{\"type\":\"query\",\"id\":24,\"query\":\"whoami\"}", C, 0,
	  WIRE_QUERY, NULL },
	{ "{\"type\":\"query\",\"id\":25,\"query\":\"presence\"}", C, 0,
	  WIRE_QUERY, NULL },
	{ "{\"type\":\"ok\",\"id\":7,\"seq\":41,\"result\":{\"x\":[1]}}", H, 0,
	  WIRE_REPLY_OK, NULL },
	{ "{\"type\":\"error\",\"id\":8,\"code\":\"stale\",\"message\":\"m\","
	  "\"current\":{\"id\":\"INC-3\",\"version\":3}}", H, 0,
	  WIRE_REPLY_ERROR, NULL },
	{ "{\"type\":\"error\",\"code\":\"unauthenticated\",\"message\":\"no\"}",
	  H, 0, WIRE_REPLY_ERROR, NULL },
	{ "{\"type\":\"op\",\"seq\":41,\"op\":\"incident.note\",\"user\":"
	  "\"bob\",\"time\":\"2024-05-01T10:00:00.123Z\",\"incident\":\"INC-3\","
	  "\"args\":{},\"state\":{}}", H, 0, WIRE_OP_PUSH, NULL },
	{ "{\"type\":\"events\",\"sub\":4,\"events\":[{\"id\":1,\"summary\":"
	  "\"x\"},{\"id\":2}]}", H, 0, WIRE_EVENTS, NULL },
	{ " {\"events\" : [ {\"summary\":\"x\", \"id\":0 } ] ,\"type\":\"events\"}\n",
	  H, 0, WIRE_EVENTS, NULL },
	{ "{\"type\":\"events\",\"events\":[{\"id\":3,\"s\\u0075mmary\":"
	  "\"caf\\u00e9 \\ud83d\\ude00 \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\","
	  "\"n\":-1.5e3,\"z\":-0,\"a\":[true,false,null,{},[]],\"o\":{\"id\":"
	  "\"a nested id\",\"q\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"}}]}", H, 0,
	  WIRE_EVENTS, NULL },
	{ "{\"type\":\"alert\",\"alert\":{\"id\":3}}", H, 0, WIRE_ALERT, NULL },
	{ "{\"type\":\"presence\",\"users\":[{\"user\":\"bob\",\"role\":"
	  "\"handler\",\"viewing\":[\"INC-3\"]}]}", H, 0, WIRE_PRESENCE, NULL },
	{ "{\"type\":\"resync\",\"reason\":\"queue full\",\"last_seq\":9}", H,
	  0, WIRE_RESYNC, NULL },
	/* the caps are inclusive */
	{ "{\"type\":\"op\",\"id\":1,\"op\":\"incident.create\",\"title\":"
	  "\"%s\"}", C, WIRE_MAX_TITLE, WIRE_OP, NULL },
	{ "{\"type\":\"op\",\"id\":1,\"op\":\"incident.note\",\"incident\":"
	  "\"INC-1\",\"text\":\"%s\"}", C, WIRE_MAX_TEXT, WIRE_OP, NULL },
};

#define OPC	"{\"type\":\"op\",\"id\":1,\"op\":"
static const struct wcase bad[] = {
	/* not a message */
	{ "", C, 0, WIRE_NONE, "not JSON" },
	{ "{\"type\":\"op\"", C, 0, WIRE_NONE, "not JSON" },
	{ "[1,2]", C, 0, WIRE_NONE, "not a JSON object" },
	{ "\"hello\"", H, 0, WIRE_NONE, "not a JSON object" },
	{ "42", C, 0, WIRE_NONE, "not a JSON object" },
	{ "{\"type\":\"whoami\",\"type\":\"auth\"}", C, 0, WIRE_NONE,
	  "not JSON" },
	{ "{\"id\":1}", C, 0, WIRE_NONE, "missing field 'type'" },
	{ "{\"type\":7}", C, 0, WIRE_NONE, "'type': not a string" },
	{ "{\"type\":\"launch\",\"id\":1}", C, 0, WIRE_NONE,
	  "unknown message type 'launch'" },
	{ "{\"type\":\"x\\u001b[2J\"}", C, 0, WIRE_NONE, "garbled" },
	/* wrong direction */
	{ "{\"type\":\"hello\",\"protocol\":\"" WARD_PROTOCOL "\",\"version\":"
	  "\"0.1.0\",\"hub_key\":\"" K32 "\",\"nonce\":\"" K32 "\"}", C, 0,
	  WIRE_NONE, "unknown message type 'hello'" },
	{ "{\"type\":\"auth\",\"user\":\"alice\",\"nonce\":\"" K32 "\","
	  "\"signature\":\"" S64 "\"}", H, 0, WIRE_NONE, "unknown message" },
	{ "{\"type\":\"ok\",\"id\":1}", C, 0, WIRE_NONE, "unknown message" },
	/* ids */
	{ "{\"type\":\"subscribe\",\"topic\":\"alerts\"}", C, 0, WIRE_NONE,
	  "missing field 'id'" },
	{ "{\"type\":\"subscribe\",\"id\":-1,\"topic\":\"alerts\"}", C, 0,
	  WIRE_NONE, "'id'" },
	{ "{\"type\":\"subscribe\",\"id\":1.5,\"topic\":\"alerts\"}", C, 0,
	  WIRE_NONE, "'id'" },
	{ "{\"type\":\"subscribe\",\"id\":\"1\",\"topic\":\"alerts\"}", C, 0,
	  WIRE_NONE, "'id'" },
	{ "{\"type\":\"subscribe\",\"id\":9007199254740992,\"topic\":"
	  "\"alerts\"}", C, 0, WIRE_NONE, "'id'" },
	{ "{\"type\":\"auth\",\"id\":1,\"user\":\"alice\",\"nonce\":\"" K32
	  "\",\"signature\":\"" S64 "\"}", C, 0, WIRE_NONE,
	  "unexpected field 'id'" },
	/* handshake fields */
	{ "{\"type\":\"hello\",\"protocol\":\"ward.v1\",\"version\":\"9\","
	  "\"hub_key\":\"" K32 "\",\"nonce\":\"" K32 "\"}", H, 0, WIRE_NONE,
	  "protocol ward.v1" },
	{ "{\"type\":\"hello\",\"protocol\":\"" WARD_PROTOCOL "\",\"version\":"
	  "\"0.1.0\",\"hub_key\":\"" K32 "\"}", H, 0, WIRE_NONE,
	  "missing field 'nonce'" },
	{ "{\"type\":\"hello\",\"protocol\":\"" WARD_PROTOCOL "\",\"version\":"
	  "\"0.1.0\",\"hub_key\":\"AAAA\",\"nonce\":\"" K32 "\"}", H, 0,
	  WIRE_NONE, "'hub_key': not base64 of 32 bytes" },
	{ "{\"type\":\"auth\",\"user\":\"alice\",\"nonce\":\"" K32 "\","
	  "\"signature\":\"" K32 "\"}", C, 0, WIRE_NONE,
	  "'signature': not base64 of 64 bytes" },
	{ "{\"type\":\"auth\",\"user\":\"alice\",\"nonce\":\"!AAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"signature\":\"" S64 "\"}", C, 0,
	  WIRE_NONE, "'nonce': not base64" },
	{ "{\"type\":\"auth\",\"user\":\"al ice\",\"nonce\":\"" K32 "\","
	  "\"signature\":\"" S64 "\"}", C, 0, WIRE_NONE,
	  "'user': not a user name" },
	{ "{\"type\":\"auth\",\"user\":\"%s\",\"nonce\":\"" K32 "\","
	  "\"signature\":\"" S64 "\"}", C, WIRE_MAX_NAME + 1, WIRE_NONE,
	  "'user': not a user name" },
	{ "{\"type\":\"welcome\",\"user\":\"alice\",\"role\":\"shipper\","
	  "\"signature\":\"" S64 "\",\"last_seq\":1}", H, 0, WIRE_NONE,
	  "'role': must be one of viewer, handler, lead, admin" },
	/* subscriptions */
	{ "{\"type\":\"subscribe\",\"id\":1,\"topic\":\"incident:7\"}", C, 0,
	  WIRE_NONE, "'topic'" },
	{ "{\"type\":\"subscribe\",\"id\":1,\"topic\":\"everything\"}", C, 0,
	  WIRE_NONE, "'topic'" },
	{ "{\"type\":\"subscribe\",\"id\":1,\"topic\":\"alerts\",\"query\":"
	  "\"x\"}", C, 0, WIRE_NONE, "only for topic 'events'" },
	{ "{\"type\":\"subscribe\",\"id\":1,\"topic\":\"events\",\"query\":"
	  "\"%s\"}", C, WIRE_MAX_QUERY + 1, WIRE_NONE, "longer than 4096" },
	{ "{\"type\":\"subscribe\",\"id\":1,\"topic\":\"events\","
	  "\"since_seq\":-4}", C, 0, WIRE_NONE, "'since_seq'" },
	/* ops: wrong type, missing, too long, wrong enum, unknown field */
	{ OPC "\"incident.create\"}", C, 0, WIRE_NONE,
	  "missing field 'title'" },
	{ OPC "\"incident.create\",\"title\":12}", C, 0, WIRE_NONE,
	  "'title': not a string" },
	{ OPC "\"incident.create\",\"title\":\"%s\"}", C, WIRE_MAX_TITLE + 1,
	  WIRE_NONE, "'title': longer than 200 bytes" },
	{ OPC "\"incident.create\",\"title\":\"   \"}", C, 0, WIRE_NONE,
	  "'title': empty" },
	{ OPC "\"incident.create\",\"title\":\"a\\u001b]0;pwned\\u0007\"}", C,
	  0, WIRE_NONE, "control characters" },
	{ OPC "\"incident.create\",\"title\":\"a\\u009bb\"}", C, 0, WIRE_NONE,
	  "control characters" },
	{ OPC "\"incident.create\",\"title\":\"a\\nb\"}", C, 0, WIRE_NONE,
	  "control characters" },
	{ OPC "\"incident.create\",\"title\":\"t\",\"severity\":\"urgent\"}",
	  C, 0, WIRE_NONE, "must be one of low, medium, high, critical" },
	{ OPC "\"incident.create\",\"title\":\"t\",\"titel\":\"t\"}", C, 0,
	  WIRE_NONE, "unknown field 'titel'" },
	{ OPC "\"incident.create\",\"title\":\"t\",\"tags\":\"a\"}", C, 0,
	  WIRE_NONE, "'tags': not an array" },
	{ OPC "\"incident.create\",\"title\":\"t\",\"tags\":[\"%s\"]}", C,
	  WIRE_MAX_TAG + 1, WIRE_NONE, "'tags': item 0" },
	{ OPC "\"incident.create\",\"title\":\"t\",\"tags\":[1]}", C, 0,
	  WIRE_NONE, "'tags': item 0" },
	{ OPC "\"incident.create\",\"title\":\"t\",\"tags\":[\"1\",\"2\",\"3\","
	  "\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\",\"12\",\"13\","
	  "\"14\",\"15\",\"16\",\"17\",\"18\",\"19\",\"20\",\"21\",\"22\","
	  "\"23\",\"24\",\"25\",\"26\",\"27\",\"28\",\"29\",\"30\",\"31\","
	  "\"32\",\"33\"]}", C, 0, WIRE_NONE, "more than 32 items" },
	{ OPC "\"incident.create\",\"title\":\"t\",\"reported\":"
	  "\"2023-02-29T00:00:00Z\"}", C, 0, WIRE_NONE, "not a UTC time" },
	{ OPC "\"incident.create\",\"title\":\"t\",\"reported\":"
	  "\"2023-02-01 00:00:00\"}", C, 0, WIRE_NONE, "not a UTC time" },
	{ OPC "\"incident.create\",\"title\":\"t\",\"description\":\"%s\"}", C,
	  WIRE_MAX_TEXT + 1, WIRE_NONE, "'description': longer than" },
	{ OPC "\"incident.explode\"}", C, 0, WIRE_NONE,
	  "'op': must be one of" },
	{ OPC "7}", C, 0, WIRE_NONE, "'op': not a string" },
	{ "{\"type\":\"op\",\"id\":1}", C, 0, WIRE_NONE, "missing field 'op'" },
	{ OPC "\"incident.update\",\"incident\":\"INC-3\",\"title\":\"t\"}",
	  C, 0, WIRE_NONE, "missing field 'version'" },
	{ OPC "\"incident.update\",\"incident\":\"INC-3\",\"version\":1}", C,
	  0, WIRE_NONE, "nothing to change" },
	{ OPC "\"incident.update\",\"incident\":\"INC-3\",\"version\":1,"
	  "\"reported\":null}", C, 0, WIRE_NONE, "not a UTC time" },
	{ OPC "\"incident.note\",\"incident\":\"INC-0\",\"text\":\"x\"}", C, 0,
	  WIRE_NONE, "not an incident id" },
	{ OPC "\"incident.note\",\"incident\":\"inc-3\",\"text\":\"x\"}", C, 0,
	  WIRE_NONE, "not an incident id" },
	{ OPC "\"incident.note\",\"incident\":3,\"text\":\"x\"}", C, 0,
	  WIRE_NONE, "not an incident id" },
	{ OPC "\"incident.note\",\"incident\":\"INC-99999999999999999999\","
	  "\"text\":\"x\"}", C, 0, WIRE_NONE, "not an incident id" },
	{ OPC "\"incident.note\",\"incident\":\"INC-3\",\"text\":\" \\n\"}", C,
	  0, WIRE_NONE, "'text': empty" },
	{ OPC "\"incident.close\",\"incident\":\"INC-3\"}", C, 0, WIRE_NONE,
	  "missing field 'resolution'" },
	{ OPC "\"incident.close\",\"incident\":\"INC-3\",\"resolution\":"
	  "\"fixed\"}", C, 0, WIRE_NONE, "must be one of true_positive" },
	{ OPC "\"incident.status\",\"incident\":\"INC-3\",\"status\":"
	  "\"closed\"}", C, 0, WIRE_NONE, "incident.close" },
	{ OPC "\"incident.status\",\"incident\":\"INC-3\",\"status\":"
	  "\"pending\"}", C, 0, WIRE_NONE, "must be one of open" },
	{ OPC "\"incident.phase\",\"incident\":\"INC-3\",\"phase\":\"done\"}",
	  C, 0, WIRE_NONE, "must be one of identification" },
	{ OPC "\"incident.lead\",\"incident\":\"INC-3\"}", C, 0, WIRE_NONE,
	  "missing field 'lead'" },
	{ OPC "\"task.add\",\"incident\":\"INC-3\",\"title\":\"t\","
	  "\"assignee\":\"b@d\"}", C, 0, WIRE_NONE, "not a user name" },
	{ OPC "\"task.assign\",\"task\":\"X-4\",\"assignee\":\"bob\"}", C, 0,
	  WIRE_NONE, "not a task id" },
	{ OPC "\"task.assign\",\"task\":0,\"assignee\":\"bob\"}", C, 0,
	  WIRE_NONE, "not a task id" },
	{ OPC "\"task.status\",\"task\":\"T-4\",\"status\":\"finished\"}", C,
	  0, WIRE_NONE, "must be one of todo" },
	{ OPC "\"observable.add\",\"incident\":\"INC-3\",\"kind\":\"ip\","
	  "\"value\":\"300.1.1.1\"}", C, 0, WIRE_NONE, "not a valid ip" },
	{ OPC "\"observable.add\",\"incident\":\"INC-3\",\"kind\":\"ip\","
	  "\"value\":\"10.0.0.0/33\"}", C, 0, WIRE_NONE, "not a valid ip" },
	{ OPC "\"observable.add\",\"incident\":\"INC-3\",\"kind\":\"hash\","
	  "\"value\":\"abc\"}", C, 0, WIRE_NONE, "not a valid hash" },
	{ OPC "\"observable.add\",\"incident\":\"INC-3\",\"kind\":\"domain\","
	  "\"value\":\"-bad.example\"}", C, 0, WIRE_NONE, "not a valid domain" },
	{ OPC "\"observable.add\",\"incident\":\"INC-3\",\"kind\":\"url\","
	  "\"value\":\"not a url\"}", C, 0, WIRE_NONE, "not a valid url" },
	{ OPC "\"observable.add\",\"incident\":\"INC-3\",\"kind\":\"mac\","
	  "\"value\":\"x\"}", C, 0, WIRE_NONE, "must be one of ip" },
	{ OPC "\"observable.add\",\"incident\":\"INC-3\",\"kind\":\"user\","
	  "\"value\":\"%s\"}", C, WIRE_MAX_VALUE + 1, WIRE_NONE,
	  "longer than 2048" },
	{ OPC "\"observable.add\",\"incident\":\"INC-3\",\"kind\":\"ip\","
	  "\"value\":\"10.0.0.1\",\"ioc\":\"yes\"}", C, 0, WIRE_NONE,
	  "'ioc': not true or false" },
	{ OPC "\"incident.link\",\"incident\":\"INC-3\"}", C, 0, WIRE_NONE,
	  "no alerts or events" },
	{ OPC "\"incident.link\",\"incident\":\"INC-3\",\"alerts\":[0]}", C, 0,
	  WIRE_NONE, "not a positive integer" },
	{ OPC "\"incident.link\",\"incident\":\"INC-3\",\"events\":[\"1\"]}", C,
	  0, WIRE_NONE, "not a positive integer" },
	/* queries */
	{ "{\"type\":\"query\",\"id\":1,\"query\":\"incident.show\"}", C, 0,
	  WIRE_NONE, "missing field 'incident'" },
	{ "{\"type\":\"query\",\"id\":1,\"query\":\"incident.list\","
	  "\"limit\":5000}", C, 0, WIRE_NONE, "'limit'" },
	{ "{\"type\":\"query\",\"id\":1,\"query\":\"incident.list\","
	  "\"status\":\"new\"}", C, 0, WIRE_NONE, "must be one of" },
	{ "{\"type\":\"query\",\"id\":1,\"query\":\"drop.tables\"}", C, 0,
	  WIRE_NONE, "'query': must be one of" },
	{ "{\"type\":\"query\",\"id\":1,\"query\":\"whoami\",\"x\":1}", C, 0,
	  WIRE_NONE, "unknown field 'x'" },
	/* hub messages */
	{ "{\"type\":\"ok\"}", H, 0, WIRE_NONE, "missing field 'id'" },
	{ "{\"type\":\"error\",\"id\":1,\"code\":\"oops\",\"message\":\"m\"}",
	  H, 0, WIRE_NONE, "must be one of" },
	{ "{\"type\":\"error\",\"id\":1,\"code\":\"stale\"}", H, 0, WIRE_NONE,
	  "missing field 'message'" },
	{ "{\"type\":\"error\",\"id\":1,\"code\":\"stale\",\"message\":\"%s\"}",
	  H, WIRE_MAX_MESSAGE + 1, WIRE_NONE, "longer than 1024" },
	{ "{\"type\":\"error\",\"id\":1,\"code\":\"stale\",\"message\":\"m\","
	  "\"current\":[]}", H, 0, WIRE_NONE, "'current': not an object" },
	{ "{\"type\":\"op\",\"id\":3,\"seq\":4,\"op\":\"incident.note\","
	  "\"user\":\"bob\",\"time\":\"2024-05-01T10:00:00Z\",\"incident\":"
	  "\"INC-3\",\"args\":{},\"state\":{}}", H, 0, WIRE_NONE,
	  "unexpected field 'id'" },
	{ "{\"type\":\"op\",\"seq\":4,\"op\":\"incident.note\",\"user\":\"bob\","
	  "\"time\":\"2024-05-01T10:00:00Z\",\"incident\":\"INC-3\",\"args\":{}}",
	  H, 0, WIRE_NONE, "missing field 'state'" },
	{ "{\"type\":\"event\",\"event\":\"x\"}", H, 0, WIRE_NONE,
	  "unknown message type 'event'" },
	{ "{\"type\":\"presence\",\"users\":[{\"user\":\"bob\"}]}", H, 0,
	  WIRE_NONE, "missing field 'role'" },
	{ "{\"type\":\"presence\",\"users\":[{\"user\":\"bob\",\"role\":"
	  "\"lead\",\"viewing\":[\"INC-x\"]}]}", H, 0, WIRE_NONE,
	  "not an incident id" },
	{ "{\"type\":\"presence\",\"users\":[3]}", H, 0, WIRE_NONE,
	  "not an object" },
	{ "{\"type\":\"resync\",\"reason\":\"x\"}", H, 0, WIRE_NONE,
	  "missing field 'last_seq'" },
	/* event batches */
	{ "{\"type\":\"events\",\"events\":{}}", H, 0, WIRE_NONE,
	  "field 'events': not an array" },
	{ "{\"type\":\"events\",\"events\":[]}", H, 0, WIRE_NONE,
	  "field 'events': empty" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1},2]}", H, 0, WIRE_NONE,
	  "item 1 is not an object" },
	{ "{\"type\":\"events\",\"events\":[{\"summary\":\"x\"}]}", H, 0,
	  WIRE_NONE, "item 0: missing field 'id'" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":\"7\"}]}", H, 0,
	  WIRE_NONE, "item 0: field 'id': not an integer" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":-1}]}", H, 0, WIRE_NONE,
	  "field 'id': not an integer" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1.5}]}", H, 0, WIRE_NONE,
	  "field 'id': not an integer" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":9007199254740992}]}", H,
	  0, WIRE_NONE, "field 'id': not an integer" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"id\":2}]}", H, 0,
	  WIRE_NONE, "duplicate key 'id'" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"d\":{\"a\":1,"
	  "\"\\u0061\":2}}]}", H, 0, WIRE_NONE, "duplicate key" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"s\":\"a\\u0000b\"}]}",
	  H, 0, WIRE_NONE, "\\u0000" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"s\":\"\\ud800x\"}]}",
	  H, 0, WIRE_NONE, "lone high surrogate" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"s\":\"\\udc00\"}]}",
	  H, 0, WIRE_NONE, "lone low surrogate" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"s\":\"\\x\"}]}",
	  H, 0, WIRE_NONE, "invalid escape" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"s\":\"\xff\"}]}",
	  H, 0, WIRE_NONE, "invalid UTF-8" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"s\":\"\xc0\xaf\"}]}",
	  H, 0, WIRE_NONE, "invalid UTF-8" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"s\":\"\xed\xa0\x80\"}]}",
	  H, 0, WIRE_NONE, "invalid UTF-8" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"s\":\"a\tb\"}]}", H,
	  0, WIRE_NONE, "control character" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"n\":1e400}]}", H, 0,
	  WIRE_NONE, "number out of range" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"n\":"
	  "99999999999999999999}]}", H, 0, WIRE_NONE, "number out of range" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"n\":01}]}", H, 0,
	  WIRE_NONE, "item 0: not JSON" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"n\":1.}]}", H, 0,
	  WIRE_NONE, "invalid number" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,}]}", H, 0, WIRE_NONE,
	  "item 0: not JSON" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"t\":tru}]}", H, 0,
	  WIRE_NONE, "invalid token" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1,\"x\":[1,2}]}", H, 0,
	  WIRE_NONE, "not JSON" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1", H, 0, WIRE_NONE,
	  "not JSON" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1}]}x", H, 0, WIRE_NONE,
	  "end of input expected" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1}],\"extra\":1}", H, 0,
	  WIRE_NONE, "unknown field 'extra'" },
	{ "{\"type\":\"events\",\"sub\":\"4\",\"events\":[{\"id\":1}]}", H,
	  0, WIRE_NONE, "field 'sub': not an integer" },
	{ "{\"type\":\"events\",\"sub\":4}", H, 0, WIRE_NONE,
	  "missing field 'events'" },
	{ "{\"type\":\"events\",\"type\":\"events\",\"events\":[{\"id\":1}]}",
	  H, 0, WIRE_NONE, "duplicate key 'type'" },
	{ "{\"type\":\"events\",\"events\":[{\"id\":1}]}", C, 0, WIRE_NONE,
	  "unknown message type 'events'" },
	{ "{\"type\":\"event\",\"event\":{\"id\":1}}", H, 0, WIRE_NONE,
	  "unknown message type 'event'" },
	/* strings with NUL are refused by the parser */
	{ OPC "\"incident.create\",\"title\":\"a\\u0000b\"}", C, 0, WIRE_NONE,
	  "not JSON" },
};

static char *
expand(const struct wcase *w)
{
	char *fill, *out;
	size_t n;

	if (w->fill == 0)
		return strdup(w->frame);
	fill = malloc((size_t)w->fill + 1);
	assert_non_null(fill);
	memset(fill, 'a', (size_t)w->fill);
	fill[w->fill] = '\0';
	n = strlen(w->frame) + (size_t)w->fill + 1;
	out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, w->frame, fill);
	free(fill);
	return out;
}

static void
decodes_every_good_message(void **state)
{
	struct wire_msg m;
	char err[256], *f;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		f = expand(&good[i]);
		err[0] = '\0';
		if (wire_decode(f, strlen(f), good[i].from, &m, err,
		    sizeof(err)) != 0)
			fail_msg("good case %zu refused: %s\n%s", i, err, f);
		assert_int_equal(m.type, good[i].want);
		assert_non_null(m.root);
		wire_msg_release(&m);
		assert_null(m.root);
		free(f);
	}
}

static void
refuses_every_bad_message(void **state)
{
	struct wire_msg m;
	char err[256], *f;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f = expand(&bad[i]);
		err[0] = '\0';
		if (wire_decode(f, strlen(f), bad[i].from, &m, err,
		    sizeof(err)) == 0)
			fail_msg("bad case %zu accepted:\n%.300s", i, f);
		assert_int_equal(m.type, WIRE_NONE);
		assert_null(m.root);
		if (strstr(err, bad[i].errpart) == NULL)
			fail_msg("bad case %zu: error \"%s\" lacks \"%s\"", i,
			    err, bad[i].errpart);
		free(f);
	}
}

static void
names_and_ids(void **state)
{
	struct wire_msg m;
	char err[256];
	const char *f;

	f = "{\"type\":\"op\",\"id\":77,\"op\":\"task.status\",\"task\":\"T-9\","
	    "\"status\":\"done\"}";
	assert_int_equal(wire_decode(f, strlen(f), C, &m, err, sizeof(err)), 0);
	assert_int_equal(m.id, 77);
	assert_string_equal(m.name, "task.status");
	wire_msg_release(&m);

	/* a refused request still yields its id for the error reply */
	f = "{\"type\":\"op\",\"id\":78,\"op\":\"task.status\",\"task\":\"T-9\"}";
	assert_int_equal(wire_decode(f, strlen(f), C, &m, err, sizeof(err)),
	    -1);
	assert_int_equal(m.id, 78);

	f = "{\"type\":\"subscribe\",\"id\":3,\"topic\":\"incident:INC-12\","
	    "\"since_seq\":5}";
	assert_int_equal(wire_decode(f, strlen(f), C, &m, err, sizeof(err)), 0);
	assert_string_equal(m.name, "incident:INC-12");
	wire_msg_release(&m);

	f = "{\"type\":\"welcome\",\"user\":\"a\",\"role\":\"viewer\","
	    "\"signature\":\"" S64 "\",\"last_seq\":33}";
	assert_int_equal(wire_decode(f, strlen(f), H, &m, err, sizeof(err)), 0);
	assert_int_equal(m.seq, 33);
	assert_int_equal(m.id, -1);
	wire_msg_release(&m);
}

static void
refuses_oversized_frame(void **state)
{
	struct wire_msg m;
	char err[256], *f;
	size_t n = WIRE_MAX_FRAME + 1;

	f = malloc(n);
	assert_non_null(f);
	memset(f, ' ', n);
	assert_int_equal(wire_decode(f, n, C, &m, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "longer than"));
	free(f);
}

/* Every builder's output decodes as its own type from its own side. */
static void
builders_round_trip(void **state)
{
	unsigned char key[WIRE_KEY_BYTES], sig[WIRE_SIG_BYTES];
	struct {
		json_t		*msg;
		enum wire_from	 from;
		enum wire_type	 want;
	} t[16];
	struct wire_msg m;
	json_t *args;
	char err[256], *s;
	size_t i, n = 0, len;

	memset(key, 7, sizeof(key));
	memset(sig, 9, sizeof(sig));
	args = json_pack("{s:s, s:s}", "incident", "INC-2", "text", "hi");
#define ADD(x, f, w) do { t[n].msg = (x); t[n].from = (f); t[n].want = (w); \
	n++; } while (0)
	ADD(wire_hello(key, key), H, WIRE_HELLO);
	ADD(wire_auth("alice", key, sig), C, WIRE_AUTH);
	ADD(wire_welcome("alice", ROLE_LEAD, sig, 4), H, WIRE_WELCOME);
	ADD(wire_subscribe(1, "events", "host:x", 10), C, WIRE_SUBSCRIBE);
	ADD(wire_unsubscribe(2, "events"), C, WIRE_UNSUBSCRIBE);
	ADD(wire_op(3, "incident.note", args), C, WIRE_OP);
	ADD(wire_query(4, "whoami", NULL), C, WIRE_QUERY);
	ADD(wire_ok(5, 6, json_pack("{s:i}", "a", 1)), H, WIRE_REPLY_OK);
	ADD(wire_error(6, WIRE_ESTALE, "changed", json_object()), H,
	    WIRE_REPLY_ERROR);
	ADD(wire_error(-1, WIRE_EUNAUTH, "bad signature", NULL), H,
	    WIRE_REPLY_ERROR);
	ADD(wire_alert(json_pack("{s:i}", "id", 1)), H, WIRE_ALERT);
	ADD(wire_presence(json_pack("[{s:s, s:s, s:[s]}]", "user", "bob",
	    "role", "handler", "viewing", "INC-1")), H, WIRE_PRESENCE);
	ADD(wire_resync("behind", 9), H, WIRE_RESYNC);
#undef ADD
	for (i = 0; i < n; i++) {
		assert_non_null(t[i].msg);
		s = wire_encode(t[i].msg, &len);
		assert_non_null(s);
		if (wire_decode(s, len, t[i].from, &m, err, sizeof(err)) != 0)
			fail_msg("builder %zu: %s\n%s", i, err, s);
		assert_int_equal(m.type, t[i].want);
		wire_msg_release(&m);
		free(s);
		json_decref(t[i].msg);
	}
	json_decref(args);
	/* invalid arguments give NULL, not a bad message */
	assert_null(wire_auth("no spaces", key, sig));
	assert_null(wire_welcome("alice", ROLE_SHIPPER, sig, 1));
	assert_null(wire_subscribe(1, "nope", NULL, -1));
}

/* Build a batch of the stored documents docs[] (ids from 100). */
static char *
batch(const char *const *docs, size_t n, int64_t sub, size_t *len)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	assert_int_equal(wire_events_head(&b, sub), 0);
	for (i = 0; i < n; i++) {
		if (i > 0)
			assert_int_equal(buf_append(&b, ",", 1), 0);
		assert_int_equal(wire_event_text(&b, 100 + (int64_t)i, docs[i],
		    strlen(docs[i])), 0);
	}
	assert_int_equal(wire_events_tail(&b), 0);
	return buf_steal(&b, len);
}

/*
 * An "events" push built by the hub's builders decodes to the same events:
 * each one's text is a slice of the frame that jansson reads as the stored
 * document with its "id" put in (replacing one it had).
 */
static void
events_round_trip(void **state)
{
#define DOC0 "{\"utctimestamp\":\"2026-11-27T10:11:12.000000Z\",\"summary\":" \
	"\"caf\\u00e9 \\\"quoted\\\" \\u001b[31m\",\"details\":{\"id\":5}}"
	static const char *const docs[] = {
		DOC0,
		"{}",
		" { \"id\" : \"plugin's\", \"hostname\":\"web1\" } ",
		"{\"tags\":[\"a\",{\"b\":[]}],\"severity\":\"ERROR\"}",
	};
	struct wire_msg m;
	json_error_t je;
	json_t	*got, *want;
	char	 err[256], out[64], *f;
	const char *v;
	size_t	 len, i, vl;

	f = batch(docs, 4, 12, &len);
	if (wire_decode(f, len, H, &m, err, sizeof(err)) != 0)
		fail_msg("%s\n%s", err, f);
	assert_int_equal(m.type, WIRE_EVENTS);
	assert_int_equal(json_integer_value(json_object_get(m.root, "sub")), 12);
	assert_int_equal(m.nevents, 4);
	for (i = 0; i < m.nevents; i++) {
		assert_int_equal(m.events[i].id, 100 + (int64_t)i);
		assert_true(m.events[i].json >= m.text &&
		    m.events[i].json + m.events[i].len <= m.text + len);
		got = json_loadb(m.events[i].json, m.events[i].len,
		    JSON_REJECT_DUPLICATES, &je);
		assert_non_null(got);
		want = json_loads(docs[i], 0, NULL);
		json_object_set_new(want, "id", json_integer(100 + (int)i));
		assert_true(json_equal(got, want));
		json_decref(got);
		json_decref(want);
	}
	/* the few fields a row shows, read off the text */
	assert_int_equal(wire_json_field(m.events[0].json, m.events[0].len,
	    "summary", out, sizeof(out)), 20);
	assert_string_equal(out, "caf\xc3\xa9 \"quoted\" \x1b[31m");
	assert_int_equal(wire_json_field(m.events[0].json, m.events[0].len,
	    "summary", out, 6), 5);		/* cut before the é, not in it */
	assert_string_equal(out, "caf\xc3\xa9");
	assert_int_equal(wire_json_field(m.events[0].json, m.events[0].len,
	    "summary", out, 5), 3);
	assert_string_equal(out, "caf");
	assert_int_equal(wire_json_field(m.events[0].json, m.events[0].len,
	    "hostname", out, sizeof(out)), -1);
	assert_int_equal(wire_json_member(m.events[0].json, m.events[0].len,
	    "details", &v, &vl), 0);
	assert_int_equal(vl, strlen("{\"id\":5}"));
	assert_int_equal(wire_json_field(m.events[0].json, m.events[0].len,
	    "details", out, sizeof(out)), -1);	/* not a string */
	assert_int_equal(wire_json_field(m.events[2].json, m.events[2].len,
	    "hostname", out, sizeof(out)), 4);
	assert_int_equal(wire_json_member(m.events[3].json, m.events[3].len,
	    "severity", &v, &vl), 0);
	assert_int_equal(vl, 7);
	wire_msg_release(&m);
	assert_null(m.events);
	assert_null(m.text);
	free(f);

	/* without a sub */
	f = batch(docs, 1, -1, &len);
	assert_int_equal(wire_decode(f, len, H, &m, err, sizeof(err)), 0);
	assert_null(json_object_get(m.root, "sub"));
	wire_msg_release(&m);
	free(f);
	/* what is not an object is not an event */
	{
		struct buf b;

		buf_init(&b);
		assert_int_equal(wire_event_text(&b, 1, "[1]", 3), -1);
		assert_int_equal(wire_event_text(&b, 1, "", 0), -1);
		assert_int_equal(b.len, 0);
		buf_release(&b);
	}
	/* the raw readers never read past what they are given */
	assert_int_equal(wire_json_field("{\"a\":\"xy", 8, "a", out,
	    sizeof(out)), -1);
	assert_int_equal(wire_json_str("\"xy", 3, out, sizeof(out)), 2);
	assert_int_equal(wire_json_field("{\"a\"", 4, "a", out, sizeof(out)),
	    -1);
	assert_int_equal(wire_json_field("{\"a\":[\"]\"", 9, "b", out,
	    sizeof(out)), -1);
}

/* A batch is refused whole, saying where: nesting past WIRE_MAX_DEPTH
   (counted from the frame's object, as jansson counts), too many events. */
static void
events_limits(void **state)
{
	struct wire_msg m;
	struct buf b;
	char	 err[256];
	int	 depth, i;

	for (depth = WIRE_MAX_DEPTH - 3; depth <= WIRE_MAX_DEPTH - 2; depth++) {
		buf_init(&b);
		buf_puts(&b, "{\"type\":\"events\",\"events\":[{\"id\":1,\"x\":");
		for (i = 0; i < depth; i++)
			buf_puts(&b, "[");
		for (i = 0; i < depth; i++)
			buf_puts(&b, "]");
		buf_puts(&b, "}]}");
		/* 3 levels (frame, array, event) and depth arrays */
		if (3 + depth <= WIRE_MAX_DEPTH) {
			if (wire_decode(b.data, b.len, H, &m, err,
			    sizeof(err)) != 0)
				fail_msg("depth %d: %s", depth, err);
			wire_msg_release(&m);
		} else {
			assert_int_equal(wire_decode(b.data, b.len, H, &m, err,
			    sizeof(err)), -1);
			assert_non_null(strstr(err, "nested too deep"));
		}
		buf_release(&b);
	}
	buf_init(&b);
	buf_puts(&b, "{\"type\":\"events\",\"events\":[");
	for (i = 0; i <= WIRE_MAX_BATCH; i++)
		buf_printf(&b, "%s{\"id\":%d}", i ? "," : "", i);
	buf_puts(&b, "]}");
	assert_int_equal(wire_decode(b.data, b.len, H, &m, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "more than"));
	assert_null(m.events);
	buf_release(&b);
	/* many keys in one object: still every duplicate found */
	buf_init(&b);
	buf_puts(&b, "{\"type\":\"events\",\"events\":[{\"id\":1");
	for (i = 0; i < 5000; i++)
		buf_printf(&b, ",\"k%d\":%d", i, i);
	buf_puts(&b, ",\"k4321\":0}]}");
	assert_int_equal(wire_decode(b.data, b.len, H, &m, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "duplicate key 'k4321'"));
	buf_release(&b);
}

static void
error_message_is_capped(void **state)
{
	struct wire_msg m;
	char big[WIRE_MAX_MESSAGE + 100], err[256], *s;
	json_t *e;
	size_t len;

	/* 2-byte characters, so the cut falls inside one */
	memset(big, 0, sizeof(big));
	for (len = 0; len + 2 < sizeof(big); len += 2) {
		big[len] = (char)0xc3;
		big[len + 1] = (char)0xa9;
	}
	big[WIRE_MAX_MESSAGE + 1] = (char)0xa9;	/* keep it valid UTF-8 */
	big[WIRE_MAX_MESSAGE] = (char)0xc3;
	e = wire_error(1, WIRE_EINVALID, big, NULL);
	assert_non_null(e);
	assert_true(strlen(json_string_value(json_object_get(e, "message")))
	    <= WIRE_MAX_MESSAGE);
	s = wire_encode(e, &len);
	assert_int_equal(wire_decode(s, len, H, &m, err, sizeof(err)), 0);
	wire_msg_release(&m);
	free(s);
	json_decref(e);
}

/* The catalogue: one entry per op and query, in the order of its enum,
   each findable by name and (if it has one) by its subcommand's words;
   a decoded request points at its entry. */
static void
catalogue_is_whole(void **state)
{
	const struct catalogue_entry *e;
	struct wire_msg m;
	char	 err[256], w1[32], w2[32], frame[256];
	size_t	 i;
	int	 nops = 0;

	for (i = 0; i < CAT_COUNT; i++) {
		e = &catalogue[i];
		assert_int_equal(e->id, i);
		assert_non_null(e->fields);
		assert_non_null(e->help);
		assert_ptr_equal(catalogue_find(e->name, e->flags & CAT_QUERY),
		    e);
		assert_null(catalogue_find(e->name, !(e->flags & CAT_QUERY)));
		if (!(e->flags & CAT_QUERY))
			nops++;
		if (e->cli == NULL)
			continue;
		w2[0] = '\0';
		assert_true(sscanf(e->cli, "%31s %31s", w1, w2) >= 1);
		assert_ptr_equal(catalogue_cli(w1, catalogue_cli_words(e) == 2 ?
		    w2 : NULL), e);
	}
	assert_int_equal(nops, CAT_INCIDENT_LIST);
	assert_null(catalogue_find("no.such.op", 0));
	assert_null(catalogue_cli("incident", "nope"));
	assert_int_equal(catalogue_cli_words(&catalogue[CAT_WHOAMI]), 1);
	snprintf(frame, sizeof frame, "{\"type\":\"op\",\"id\":1,\"op\":"
	    "\"incident.note\",\"incident\":\"INC-1\",\"text\":\"x\"}");
	assert_int_equal(wire_decode(frame, strlen(frame), C, &m, err,
	    sizeof err), 0);
	assert_ptr_equal(m.entry, &catalogue[CAT_INCIDENT_NOTE]);
	wire_msg_release(&m);
	snprintf(frame, sizeof frame, "{\"type\":\"query\",\"id\":1,"
	    "\"query\":\"user.list\"}");
	assert_int_equal(wire_decode(frame, strlen(frame), C, &m, err,
	    sizeof err), 0);
	assert_ptr_equal(m.entry, &catalogue[CAT_USER_LIST]);
	wire_msg_release(&m);
}

static void
roles_and_rights(void **state)
{
	static const struct {
		const char	*op;
		int		 may[4];	/* viewer handler lead admin */
	} t[] = {
		{ "incident.create", { 0, 1, 1, 1 } },
		{ "incident.note", { 0, 1, 1, 1 } },
		{ "incident.close", { 0, 0, 1, 1 } },
		{ "task.assign", { 0, 0, 1, 1 } },
		{ "task.status", { 0, 2, 1, 1 } },
		{ "no.such.op", { 0, 0, 0, 0 } },
	};
	size_t i;
	int r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		for (r = 0; r < 4; r++)
			assert_int_equal(role_may(ROLE_VIEWER + r, t[i].op),
			    t[i].may[r]);
	assert_int_equal(role_may(ROLE_SHIPPER, "incident.note"), WIRE_MAY_NO);
	assert_int_equal(role_may(ROLE_READER, "incident.create"),
	    WIRE_MAY_NO);
	assert_int_equal(role_parse("lead"), ROLE_LEAD);
	assert_int_equal(role_parse("reader"), ROLE_READER);
	assert_int_equal(role_parse("root"), ROLE_NONE);
	assert_int_equal(role_parse("none"), ROLE_NONE);
	assert_int_equal(role_parse(NULL), ROLE_NONE);
	assert_string_equal(role_name(ROLE_ADMIN), "admin");
	assert_string_equal(role_name((enum role)99), "none");
	assert_string_equal(wire_err_name(WIRE_ENOTFOUND), "not_found");
	assert_int_equal(wire_err_parse("stale"), WIRE_ESTALE);
}

static void
ids_and_values(void **state)
{
	static const char *const ips[] = { "10.0.0.1", "::1", "fe80::1/64",
		"192.168.0.0/16", NULL };
	static const char *const notips[] = { "10.0.0", "10.0.0.1/", "::g",
		"1.2.3.4/-1", "", NULL };
	char err[128], ref[24];
	int64_t n;
	json_t *v;
	int i;

	assert_int_equal(wire_incident_id("INC-42", &n), 0);
	assert_int_equal(n, 42);
	assert_int_equal(wire_incident_id("INC-042", &n), -1);
	assert_int_equal(wire_incident_id("INC-", &n), -1);
	assert_int_equal(wire_incident_id("INC-9007199254740991", &n), 0);
	assert_int_equal(wire_incident_id("INC-9007199254740992", &n), -1);
	v = json_string("T-5");
	assert_int_equal(wire_task_id(v, &n), 0);
	assert_int_equal(n, 5);
	json_decref(v);
	v = json_integer(6);
	assert_int_equal(wire_task_id(v, &n), 0);
	assert_int_equal(n, 6);
	json_decref(v);
	wire_incident_ref(7, ref, sizeof(ref));
	assert_string_equal(ref, "INC-7");
	wire_task_ref(8, ref, sizeof(ref));
	assert_string_equal(ref, "T-8");
	for (i = 0; ips[i] != NULL; i++)
		assert_int_equal(wire_check_observable("ip", ips[i], err,
		    sizeof(err)), 0);
	for (i = 0; notips[i] != NULL; i++)
		assert_int_equal(wire_check_observable("ip", notips[i], err,
		    sizeof(err)), -1);
	assert_true(wire_valid_time("2024-02-29T23:59:60.123456789Z"));
	assert_false(wire_valid_time("2024-13-01T00:00:00Z"));
	assert_false(wire_valid_time("2024-01-01T00:00:00+01:00"));
	assert_false(wire_valid_time("2024-01-01T00:00:00.Z"));
	assert_true(wire_valid_name("a.b_c-1"));
	assert_false(wire_valid_name("-a"));
	assert_false(wire_valid_name(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decodes_every_good_message),
		cmocka_unit_test(refuses_every_bad_message),
		cmocka_unit_test(names_and_ids),
		cmocka_unit_test(refuses_oversized_frame),
		cmocka_unit_test(builders_round_trip),
		cmocka_unit_test(events_round_trip),
		cmocka_unit_test(events_limits),
		cmocka_unit_test(error_message_is_capped),
		cmocka_unit_test(catalogue_is_whole),
		cmocka_unit_test(roles_and_rights),
		cmocka_unit_test(ids_and_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
