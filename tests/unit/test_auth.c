/* Unit tests for proto/auth: handshake, key files, known_hubs. */
#include <sys/stat.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <sqlite3.h>

#include "auth.h"
#include "state.h"
#include "users.h"
#include "wire.h"

struct fixture {
	char		dir[64];
	struct auth_key	hub, alice, bob;
};

static int
setup(void **state)
{
	struct fixture *f;

	if (auth_init() != 0 || (f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/ward-auth.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	if (auth_keygen(&f->hub, "hub") != 0 ||
	    auth_keygen(&f->alice, "alice@x") != 0 ||
	    auth_keygen(&f->bob, "bob@y") != 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static char *
path(struct fixture *f, const char *name)
{
	static char p[128];

	snprintf(p, sizeof(p), "%s/%s", f->dir, name);
	return p;
}

/* The whole handshake through the wire messages, as hub and console run
   it: hello -> auth -> welcome, each encoded and decoded. */
static void
handshake_succeeds(void **state)
{
	struct fixture *f = *state;
	unsigned char hn[AUTH_NONCE_BYTES], cn[AUTH_NONCE_BYTES];
	unsigned char hpk[AUTH_PK_BYTES], got_cn[AUTH_NONCE_BYTES];
	unsigned char sig[AUTH_SIG_BYTES], hsig[AUTH_SIG_BYTES];
	struct wire_msg m;
	char err[256], *s;
	json_t *msg;
	size_t len;

	auth_nonce(hn);
	msg = wire_hello(f->hub.pk, hn);
	s = wire_encode(msg, &len);
	json_decref(msg);
	/* console */
	assert_int_equal(wire_decode(s, len, WIRE_FROM_HUB, &m, err,
	    sizeof(err)), 0);
	free(s);
	assert_int_equal(wire_b64_decode(json_string_value(json_object_get(
	    m.root, "hub_key")), hpk, sizeof(hpk)), 0);
	assert_memory_equal(hpk, f->hub.pk, AUTH_PK_BYTES);
	wire_msg_release(&m);
	auth_nonce(cn);
	assert_int_equal(auth_console_sign(f->alice.sk, hn, cn, hpk, "alice",
	    NULL, sig), 0);
	msg = wire_auth("alice", cn, sig);
	s = wire_encode(msg, &len);
	json_decref(msg);
	/* hub */
	assert_int_equal(wire_decode(s, len, WIRE_FROM_CONSOLE, &m, err,
	    sizeof(err)), 0);
	free(s);
	assert_int_equal(m.type, WIRE_AUTH);
	assert_int_equal(wire_b64_decode(json_string_value(json_object_get(
	    m.root, "nonce")), got_cn, sizeof(got_cn)), 0);
	assert_int_equal(wire_b64_decode(json_string_value(json_object_get(
	    m.root, "signature")), sig, sizeof(sig)), 0);
	assert_int_equal(auth_console_verify(f->alice.pk, hn, got_cn,
	    f->hub.pk, "alice", NULL, sig), 0);
	wire_msg_release(&m);
	assert_int_equal(auth_hub_sign(f->hub.sk, hn, got_cn, f->hub.pk,
	    "alice", NULL, hsig), 0);
	/* console checks the hub against the pinned key */
	assert_int_equal(auth_hub_verify(hpk, hn, cn, "alice", NULL, hsig), 0);
}

static void
wrong_signatures_are_refused(void **state)
{
	struct fixture *f = *state;
	unsigned char hn[32], cn[32], sig[64];

	auth_nonce(hn);
	auth_nonce(cn);
	assert_int_equal(auth_console_sign(f->alice.sk, hn, cn, f->hub.pk,
	    "alice", NULL, sig), 0);
	/* bob's key is not alice's */
	assert_int_equal(auth_console_verify(f->bob.pk, hn, cn, f->hub.pk,
	    "alice", NULL, sig), -1);
	/* alice's signature does not make her bob */
	assert_int_equal(auth_console_verify(f->alice.pk, hn, cn, f->hub.pk,
	    "bob", NULL, sig), -1);
	/* one flipped bit */
	sig[10] ^= 1;
	assert_int_equal(auth_console_verify(f->alice.pk, hn, cn, f->hub.pk,
	    "alice", NULL, sig), -1);
	sig[10] ^= 1;
	assert_int_equal(auth_console_verify(f->alice.pk, hn, cn, f->hub.pk,
	    "alice", NULL, sig), 0);
	/* a console signature is not a hub signature, even by one key */
	assert_int_equal(auth_console_sign(f->hub.sk, hn, cn, f->hub.pk,
	    "alice", NULL, sig), 0);
	assert_int_equal(auth_hub_verify(f->hub.pk, hn, cn, "alice", NULL, sig), -1);
	/* over-long names are refused rather than truncated */
	assert_int_equal(auth_console_sign(f->alice.sk, hn, cn, f->hub.pk,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    NULL, sig), -1);
}

static void
replayed_signatures_are_refused(void **state)
{
	struct fixture *f = *state;
	unsigned char hn1[32], hn2[32], cn1[32], cn2[32], sig[64], hsig[64];

	auth_nonce(hn1);
	auth_nonce(hn2);
	auth_nonce(cn1);
	auth_nonce(cn2);
	assert_memory_not_equal(hn1, hn2, 32);
	/* a recorded console signature against the hub's next nonce */
	assert_int_equal(auth_console_sign(f->alice.sk, hn1, cn1, f->hub.pk,
	    "alice", NULL, sig), 0);
	assert_int_equal(auth_console_verify(f->alice.pk, hn1, cn1, f->hub.pk,
	    "alice", NULL, sig), 0);
	assert_int_equal(auth_console_verify(f->alice.pk, hn2, cn1, f->hub.pk,
	    "alice", NULL, sig), -1);
	/* a recorded hub signature against the console's next nonce */
	assert_int_equal(auth_hub_sign(f->hub.sk, hn1, cn1, f->hub.pk,
	    "alice", NULL, hsig), 0);
	assert_int_equal(auth_hub_verify(f->hub.pk, hn1, cn2, "alice", NULL, hsig),
	    -1);
}

/* A hub that swaps in its own key: the console signed over the key it
   saw, and the impostor cannot sign as the pinned key. */
static void
tampered_hub_key_is_refused(void **state)
{
	struct fixture *f = *state;
	struct auth_key evil;
	unsigned char hn[32], cn[32], sig[64], hsig[64];

	assert_int_equal(auth_keygen(&evil, "evil"), 0);
	auth_nonce(hn);
	auth_nonce(cn);
	/* the console answered a hello that carried evil's key */
	assert_int_equal(auth_console_sign(f->alice.sk, hn, cn, evil.pk,
	    "alice", NULL, sig), 0);
	/* relayed to the real hub, it does not verify */
	assert_int_equal(auth_console_verify(f->alice.pk, hn, cn, f->hub.pk,
	    "alice", NULL, sig), -1);
	/* the impostor's welcome fails against the pinned key */
	assert_int_equal(auth_hub_sign(evil.sk, hn, cn, evil.pk, "alice",
	    NULL, hsig), 0);
	assert_int_equal(auth_hub_verify(f->hub.pk, hn, cn, "alice", NULL, hsig), -1);
	auth_key_wipe(&evil);
}

static void
unknown_user_is_not_found(void **state)
{
	struct fixture *f = *state;
	struct users_entry e;
	sqlite3 *db;
	char err[256];

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(state_schema(db, err, sizeof(err)), 0);
	assert_int_equal(users_add(db, "alice", ROLE_HANDLER, f->alice.pk,
	    "alice@x", err, sizeof(err)), 0);
	assert_int_equal(users_find(db, "alice", &e, err, sizeof(err)), 1);
	assert_memory_equal(e.pk, f->alice.pk, AUTH_PK_BYTES);
	assert_int_equal(e.role, ROLE_HANDLER);
	assert_int_equal(users_find(db, "mallory", &e, err, sizeof(err)), 0);
	/* one key, one person */
	assert_int_equal(users_add(db, "alice2", ROLE_VIEWER, f->alice.pk,
	    NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another user"));
	assert_int_equal(users_add(db, "alice", ROLE_VIEWER, f->bob.pk, NULL,
	    err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exists"));
	assert_int_equal(users_add(db, "svc", ROLE_SHIPPER, f->bob.pk, NULL,
	    err, sizeof(err)), -1);
	assert_int_equal(users_add(db, "bad name", ROLE_LEAD, f->bob.pk, NULL,
	    err, sizeof(err)), -1);
	assert_int_equal(users_set_role(db, "alice", ROLE_LEAD, err,
	    sizeof(err)), 0);
	assert_int_equal(users_find(db, "alice", &e, err, sizeof(err)), 1);
	assert_int_equal(e.role, ROLE_LEAD);
	assert_int_equal(users_del(db, "alice", err, sizeof(err)), 0);
	assert_int_equal(users_find(db, "alice", &e, err, sizeof(err)), 0);
	assert_int_equal(users_del(db, "alice", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no user alice"));
	sqlite3_close(db);
}

static int
count_user(const struct users_entry *e, void *arg)
{
	char *names = arg;

	strcat(names, e->name);
	strcat(names, ",");
	return 0;
}

static void
users_list_in_order(void **state)
{
	struct fixture *f = *state;
	char err[256], names[64] = "";
	sqlite3 *db;

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(state_schema(db, err, sizeof(err)), 0);
	assert_int_equal(users_add(db, "zed", ROLE_ADMIN, f->bob.pk, NULL,
	    err, sizeof(err)), 0);
	assert_int_equal(users_add(db, "amy", ROLE_VIEWER, f->alice.pk, NULL,
	    err, sizeof(err)), 0);
	assert_int_equal(users_list(db, count_user, names, err, sizeof(err)),
	    0);
	assert_string_equal(names, "amy,zed,");
	sqlite3_close(db);
}

static void
key_files_round_trip(void **state)
{
	struct fixture *f = *state;
	struct auth_key k;
	unsigned char pk[32];
	char err[256], comment[64], *p;
	struct stat st;

	p = path(f, "id_ed25519");
	assert_int_equal(auth_key_write(p, &f->alice, 0, err, sizeof(err)), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* the secret file handed over by mistake as a public key */
	assert_int_equal(auth_pubkey_read(p, pk, NULL, 0, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "secret key"));
	assert_int_equal(auth_key_read(p, &k, err, sizeof(err)), 0);
	assert_memory_equal(k.pk, f->alice.pk, 32);
	assert_memory_equal(k.sk, f->alice.sk, 64);
	assert_string_equal(k.comment, "alice@x");
	auth_key_wipe(&k);
	assert_int_equal(auth_pubkey_read(path(f, "id_ed25519.pub"), pk,
	    comment, sizeof(comment), err, sizeof(err)), 0);
	assert_memory_equal(pk, f->alice.pk, 32);
	assert_string_equal(comment, "alice@x");
	/* no silent overwrite */
	p = path(f, "id_ed25519");
	assert_int_equal(auth_key_write(p, &f->bob, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exists"));
	assert_int_equal(auth_key_read(p, &k, err, sizeof(err)), 0);
	assert_memory_equal(k.pk, f->alice.pk, 32);
	auth_key_wipe(&k);
	assert_int_equal(auth_key_write(p, &f->bob, 1, err, sizeof(err)), 0);
	assert_int_equal(auth_key_read(p, &k, err, sizeof(err)), 0);
	assert_memory_equal(k.pk, f->bob.pk, 32);
	auth_key_wipe(&k);
}

static void
open_secret_key_is_refused(void **state)
{
	struct fixture *f = *state;
	static const mode_t modes[] = { 0640, 0604, 0660, 0644, 0602 };
	struct auth_key k;
	char err[256], *p;
	size_t i;

	p = path(f, "loose");
	assert_int_equal(auth_key_write(p, &f->alice, 0, err, sizeof(err)), 0);
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		assert_int_equal(chmod(p, modes[i]), 0);
		assert_int_equal(auth_key_read(p, &k, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "too open"));
		assert_non_null(strstr(err, "chmod 600"));
		assert_false(k.has_sk);
	}
	assert_int_equal(chmod(p, 0400), 0);
	assert_int_equal(auth_key_read(p, &k, err, sizeof(err)), 0);
	auth_key_wipe(&k);
	assert_int_equal(auth_key_read(path(f, "absent"), &k, err,
	    sizeof(err)), -1);
}

static void
hub_key_created_once(void **state)
{
	struct fixture *f = *state;
	struct auth_key a, b;
	char err[256], *p;
	int created;

	p = path(f, "hub_ed25519");
	assert_int_equal(auth_key_load_or_create(p, "hub", &a, &created, err,
	    sizeof(err)), 0);
	assert_int_equal(created, 1);
	assert_int_equal(auth_key_load_or_create(p, "hub", &b, &created, err,
	    sizeof(err)), 0);
	assert_int_equal(created, 0);
	assert_memory_equal(a.pk, b.pk, 32);
	auth_key_wipe(&a);
	auth_key_wipe(&b);
}

static void
public_key_lines(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
		"",
		"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBad",
		"ward-ed25519",
		"ward-ed25519 AAAA",
		"ward-ed25519 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"ward-ed25519 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=x",
		"ward-ed25519 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= c\x1b[2J",
		"ward-ed25519 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= a\nb",
		NULL,
	};
	unsigned char pk[32];
	char line[AUTH_PUBLINE_MAX], comment[64], err[256];
	int i;

	assert_int_equal(auth_pubkey_format(f->bob.pk, "bob@y", line,
	    sizeof(line)), 0);
	assert_int_equal(strncmp(line, "ward-ed25519 ", 13), 0);
	assert_int_equal(auth_pubkey_parse(line, pk, comment, sizeof(comment),
	    err, sizeof(err)), 0);
	assert_memory_equal(pk, f->bob.pk, 32);
	assert_string_equal(comment, "bob@y");
	strcat(line, "\r\n");
	assert_int_equal(auth_pubkey_parse(line, pk, comment, sizeof(comment),
	    err, sizeof(err)), 0);
	assert_string_equal(comment, "bob@y");
	for (i = 0; bad[i] != NULL; i++)
		if (auth_pubkey_parse(bad[i], pk, NULL, 0, err, sizeof(err))
		    == 0)
			fail_msg("accepted bad public key line %d", i);
}

static void
known_hubs_pin_on_first_use(void **state)
{
	struct fixture *f = *state;
	char err[512], *p;
	FILE *fp;

	p = path(f, "cfg/known_hubs");	/* the directory does not exist */
	assert_int_equal(auth_known_hubs_check(p, "hub.example:8443",
	    f->hub.pk, err, sizeof(err)), AUTH_HUB_UNKNOWN);
	assert_int_equal(auth_known_hubs_add(p, "hub.example:8443", f->hub.pk,
	    err, sizeof(err)), 0);
	assert_int_equal(auth_known_hubs_add(p, "other:1", f->bob.pk, err,
	    sizeof(err)), 0);
	assert_int_equal(auth_known_hubs_check(p, "hub.example:8443",
	    f->hub.pk, err, sizeof(err)), AUTH_HUB_MATCH);
	assert_int_equal(auth_known_hubs_check(p, "other:1", f->bob.pk, err,
	    sizeof(err)), AUTH_HUB_MATCH);
	assert_int_equal(auth_known_hubs_check(p, "hub.example:9999",
	    f->hub.pk, err, sizeof(err)), AUTH_HUB_UNKNOWN);
	/* the same address with another key */
	assert_int_equal(auth_known_hubs_check(p, "hub.example:8443",
	    f->bob.pk, err, sizeof(err)), AUTH_HUB_CHANGED);
	assert_non_null(strstr(err, "hub key for hub.example:8443 changed"));
	assert_non_null(strstr(err, "line 1"));
	/* comments and blank lines are skipped; a mangled entry is an error */
	fp = fopen(p, "a");
	assert_non_null(fp);
	fprintf(fp, "# comment\n\nbroken:2 ward-ed25519 zzz\n");
	fclose(fp);
	assert_int_equal(auth_known_hubs_check(p, "other:1", f->bob.pk, err,
	    sizeof(err)), AUTH_HUB_MATCH);
	assert_int_equal(auth_known_hubs_check(p, "broken:2", f->bob.pk, err,
	    sizeof(err)), AUTH_HUB_ERROR);
	assert_non_null(strstr(err, "malformed"));
	/* addresses with blanks cannot be written */
	assert_int_equal(auth_known_hubs_add(p, "a b:1", f->bob.pk, err,
	    sizeof(err)), -1);
	assert_int_equal(auth_known_hubs_check(p, "", f->bob.pk, err,
	    sizeof(err)), AUTH_HUB_ERROR);
}

/* Over TLS the transcripts hold the hub certificate's hash as each side
   sees it: a man in the middle that terminates TLS shows the console its
   own certificate, and neither side's signature verifies at the other. */
static void
tls_channel_binds_the_handshake(void **state)
{
	struct fixture *f = *state;
	static const unsigned char hub_der[] = "DER of the hub's certificate";
	static const unsigned char mitm_der[] = "DER of the proxy's certificate";
	unsigned char hn[AUTH_NONCE_BYTES], cn[AUTH_NONCE_BYTES];
	unsigned char hub_ch[AUTH_CHANNEL_BYTES], mitm_ch[AUTH_CHANNEL_BYTES];
	unsigned char sig[AUTH_SIG_BYTES], again[AUTH_CHANNEL_BYTES];

	auth_nonce(hn);
	auth_nonce(cn);
	auth_channel(hub_der, sizeof(hub_der), hub_ch);
	auth_channel(hub_der, sizeof(hub_der), again);
	auth_channel(mitm_der, sizeof(mitm_der), mitm_ch);
	assert_memory_equal(hub_ch, again, sizeof(hub_ch));
	assert_memory_not_equal(hub_ch, mitm_ch, sizeof(hub_ch));
	/* the same certificate on both sides: good */
	assert_int_equal(auth_console_sign(f->alice.sk, hn, cn, f->hub.pk,
	    "alice", hub_ch, sig), 0);
	assert_int_equal(auth_console_verify(f->alice.pk, hn, cn, f->hub.pk,
	    "alice", hub_ch, sig), 0);
	/* the console saw the proxy's: the hub refuses */
	assert_int_equal(auth_console_sign(f->alice.sk, hn, cn, f->hub.pk,
	    "alice", mitm_ch, sig), 0);
	assert_int_equal(auth_console_verify(f->alice.pk, hn, cn, f->hub.pk,
	    "alice", hub_ch, sig), -1);
	/* ... and the hub's answer does not verify at the console */
	assert_int_equal(auth_hub_sign(f->hub.sk, hn, cn, f->hub.pk, "alice",
	    hub_ch, sig), 0);
	assert_int_equal(auth_hub_verify(f->hub.pk, hn, cn, "alice", mitm_ch,
	    sig), -1);
	assert_int_equal(auth_hub_verify(f->hub.pk, hn, cn, "alice", hub_ch,
	    sig), 0);
	/* bound and unbound (ws://) never stand for each other */
	assert_int_equal(auth_hub_verify(f->hub.pk, hn, cn, "alice", NULL,
	    sig), -1);
	assert_int_equal(auth_console_sign(f->alice.sk, hn, cn, f->hub.pk,
	    "alice", NULL, sig), 0);
	assert_int_equal(auth_console_verify(f->alice.pk, hn, cn, f->hub.pk,
	    "alice", hub_ch, sig), -1);
	assert_int_equal(auth_console_verify(f->alice.pk, hn, cn, f->hub.pk,
	    "alice", NULL, sig), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(handshake_succeeds),
		cmocka_unit_test(tls_channel_binds_the_handshake),
		cmocka_unit_test(wrong_signatures_are_refused),
		cmocka_unit_test(replayed_signatures_are_refused),
		cmocka_unit_test(tampered_hub_key_is_refused),
		cmocka_unit_test(unknown_user_is_not_found),
		cmocka_unit_test(users_list_in_order),
		cmocka_unit_test(key_files_round_trip),
		cmocka_unit_test(open_secret_key_is_refused),
		cmocka_unit_test(hub_key_created_once),
		cmocka_unit_test(public_key_lines),
		cmocka_unit_test(known_hubs_pin_on_first_use),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
