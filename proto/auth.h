/*
 * auth — the ward.v3 handshake (Ed25519, both ways), key files and
 * known_hubs pinning.  Functions only: no sockets, no printing.
 *
 * The hub sends a fresh 32-byte nonce and its public key (hello).  The
 * console answers with its own nonce and a signature, by the user's key,
 * over the console transcript (auth).  The hub checks it against the
 * user's public key and answers with its signature over the hub transcript
 * (welcome), which the console checks against the pinned hub key.  Each
 * transcript is the length-prefixed (4-byte big-endian) concatenation of
 *
 *	context, hub nonce, console nonce, hub public key, user, protocol,
 *	channel
 *
 * with context "ward.v3 console auth" or "ward.v3 hub auth", so neither
 * signature can stand for the other, and both nonces are in both: a
 * recorded console signature is useless against a new hub nonce, and a
 * recorded hub signature useless against a new console nonce.
 *
 * channel binds the handshake to the TLS connection it runs over: the
 * SHA-256 of the hub's certificate (DER) as each side sees it, or empty
 * over plain ws://.  A TLS-terminating man in the middle shows the
 * console its own certificate, so the two sides sign different
 * transcripts and neither signature verifies: it cannot relay a
 * handshake it did not make (RFC 5929's tls-server-end-point, in spirit).
 *
 * Key files, like ssh-keygen's:
 *	FILE	 "ward-ed25519-secret BASE64(seed) comment\n", mode 0600
 *	FILE.pub "ward-ed25519 BASE64(public key) comment\n"
 * known_hubs: one "HOST:PORT ward-ed25519 BASE64" per line; '#' comments.
 */
#ifndef WARD_AUTH_H
#define WARD_AUTH_H

#include <stddef.h>

#define AUTH_PK_BYTES		32
#define AUTH_SEED_BYTES		32
#define AUTH_SK_BYTES		64
#define AUTH_NONCE_BYTES	32
#define AUTH_SIG_BYTES		64
#define AUTH_CHANNEL_BYTES	32	/* SHA-256 of the hub's certificate */
#define AUTH_MAX_COMMENT	128
#define AUTH_KEY_TYPE		"ward-ed25519"
#define AUTH_PUBLINE_MAX	(sizeof(AUTH_KEY_TYPE) + 45 + AUTH_MAX_COMMENT + 2)

/* A key pair.  sk is only set when has_sk; release with auth_key_wipe. */
struct auth_key {
	unsigned char	pk[AUTH_PK_BYTES];
	unsigned char	sk[AUTH_SK_BYTES];
	int		has_sk;
	char		comment[AUTH_MAX_COMMENT + 1];
};

/* Initialize libsodium.  Call once before anything else here; safe to
   call again.  Returns 0 or -1. */
int	auth_init(void);

/* Fill n with AUTH_NONCE_BYTES random bytes. */
void	auth_nonce(unsigned char n[AUTH_NONCE_BYTES]);

/* Generate a key pair with comment (may be NULL; cut to AUTH_MAX_COMMENT
   and to its first line).  Returns 0 or -1. */
int	auth_keygen(struct auth_key *k, const char *comment);
/* Zero the secret parts of k. */
void	auth_key_wipe(struct auth_key *k);

/*
 * Write k to path (the secret key, mode 0600) and path.pub.  Refuses to
 * replace an existing file unless overwrite.  Returns 0, or -1 with err
 * (nothing is left half-written: a failed write removes what it made).
 */
int	auth_key_write(const char *path, const struct auth_key *k,
	    int overwrite, char *err, size_t errlen);
/*
 * Read the secret key file path into k (has_sk set, pk derived from it).
 * Refuses a file that group or others may read or write, or that another
 * user owns, with a message that says how to fix it.  Returns 0 or -1.
 */
int	auth_key_read(const char *path, struct auth_key *k, char *err,
	    size_t errlen);
/*
 * Read the key at path, or create one (and path.pub) when there is none:
 * the hub's DATA/hub_ed25519.  *created is set to 1 when it was made.
 * Returns 0 or -1 with err.
 */
int	auth_key_load_or_create(const char *path, const char *comment,
	    struct auth_key *k, int *created, char *err, size_t errlen);

/* Parse a public key line "ward-ed25519 BASE64 [comment]" (trailing
   newline allowed).  comment may be NULL; else it gets the comment ("" if
   none), cut to commentlen.  Returns 0 or -1 with err. */
int	auth_pubkey_parse(const char *line, unsigned char pk[AUTH_PK_BYTES],
	    char *comment, size_t commentlen, char *err, size_t errlen);
/* Format "ward-ed25519 BASE64 comment" (no newline) into out, which
   should hold AUTH_PUBLINE_MAX bytes.  Returns 0 or -1 when it is short. */
int	auth_pubkey_format(const unsigned char pk[AUTH_PK_BYTES],
	    const char *comment, char *out, size_t outlen);
/* Read the first line of a .pub file.  Returns 0 or -1 with err. */
int	auth_pubkey_read(const char *path, unsigned char pk[AUTH_PK_BYTES],
	    char *comment, size_t commentlen, char *err, size_t errlen);
/* The base64 of a public key (45 bytes with the NUL) into out. */
void	auth_pubkey_b64(const unsigned char pk[AUTH_PK_BYTES], char *out,
	    size_t outlen);

/* The channel binding of a TLS connection: the SHA-256 of the hub's
   certificate, der[0..len) (DER), into out. */
void	auth_channel(const unsigned char *der, size_t len,
	    unsigned char out[AUTH_CHANNEL_BYTES]);

/*
 * The handshake signatures.  user is the user name as sent in auth;
 * channel the connection's binding (auth_channel), or NULL over plain
 * ws://.  The sign functions return 0 or -1 (user too long); verify
 * returns 0 when the signature is good, -1 otherwise.
 */
int	auth_console_sign(const unsigned char sk[AUTH_SK_BYTES],
	    const unsigned char hub_nonce[AUTH_NONCE_BYTES],
	    const unsigned char console_nonce[AUTH_NONCE_BYTES],
	    const unsigned char hub_pk[AUTH_PK_BYTES], const char *user,
	    const unsigned char *channel, unsigned char sig[AUTH_SIG_BYTES]);
int	auth_console_verify(const unsigned char user_pk[AUTH_PK_BYTES],
	    const unsigned char hub_nonce[AUTH_NONCE_BYTES],
	    const unsigned char console_nonce[AUTH_NONCE_BYTES],
	    const unsigned char hub_pk[AUTH_PK_BYTES], const char *user,
	    const unsigned char *channel,
	    const unsigned char sig[AUTH_SIG_BYTES]);
int	auth_hub_sign(const unsigned char hub_sk[AUTH_SK_BYTES],
	    const unsigned char hub_nonce[AUTH_NONCE_BYTES],
	    const unsigned char console_nonce[AUTH_NONCE_BYTES],
	    const unsigned char hub_pk[AUTH_PK_BYTES], const char *user,
	    const unsigned char *channel, unsigned char sig[AUTH_SIG_BYTES]);
int	auth_hub_verify(const unsigned char hub_pk[AUTH_PK_BYTES],
	    const unsigned char hub_nonce[AUTH_NONCE_BYTES],
	    const unsigned char console_nonce[AUTH_NONCE_BYTES],
	    const char *user, const unsigned char *channel,
	    const unsigned char sig[AUTH_SIG_BYTES]);

/* Results of auth_known_hubs_check. */
enum auth_known {
	AUTH_HUB_ERROR = -1,	/* could not read the file; err says why */
	AUTH_HUB_UNKNOWN = 0,	/* no line for this hub (or no file) */
	AUTH_HUB_MATCH = 1,	/* pinned, and the key is the same */
	AUTH_HUB_CHANGED = 2,	/* pinned to another key; err says so */
};

/*
 * Look hostport ("host:port") up in the known_hubs file path and compare
 * with pk.  A missing file is AUTH_HUB_UNKNOWN.  On AUTH_HUB_CHANGED err
 * reads "hub key for HOST:PORT changed ..." with the file and line to
 * remove if the change is expected.
 */
enum auth_known	auth_known_hubs_check(const char *path, const char *hostport,
	    const unsigned char pk[AUTH_PK_BYTES], char *err, size_t errlen);
/*
 * Append "hostport ward-ed25519 BASE64" to path, creating it (mode 0600)
 * and its parent directory (mode 0700) when missing.  Refuses a hostport
 * with blanks or control characters.  Returns 0 or -1 with err.
 */
int	auth_known_hubs_add(const char *path, const char *hostport,
	    const unsigned char pk[AUTH_PK_BYTES], char *err, size_t errlen);

#endif
