/*
 * auth — Ed25519 handshake, key files, known_hubs.  See auth.h.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "auth.h"
#include "errf.h"
#include "version.h"

#define SECRET_TYPE	"ward-ed25519-secret"
#define CTX_CONSOLE	WARD_PROTOCOL " console auth"
#define CTX_HUB		WARD_PROTOCOL " hub auth"
#define MAX_USER	64
#define B64_KEY_LEN	44	/* base64 of 32 bytes, padded */
#define MAX_FILE	4096

int
auth_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

void
auth_nonce(unsigned char n[AUTH_NONCE_BYTES])
{
	randombytes_buf(n, AUTH_NONCE_BYTES);
}

/* Copy the first line of src into dst (size n), dropping control bytes. */
static void
set_comment(char *dst, size_t n, const char *src)
{
	size_t i, o = 0;

	if (src != NULL)
		for (i = 0; src[i] != '\0' && src[i] != '\n' && o + 1 < n;
		    i++)
			if ((unsigned char)src[i] >= 0x20 && src[i] != 0x7f)
				dst[o++] = src[i];
	dst[o] = '\0';
}

int
auth_keygen(struct auth_key *k, const char *comment)
{
	memset(k, 0, sizeof(*k));
	if (crypto_sign_keypair(k->pk, k->sk) != 0)
		return -1;
	k->has_sk = 1;
	set_comment(k->comment, sizeof(k->comment), comment);
	return 0;
}

void
auth_key_wipe(struct auth_key *k)
{
	if (k == NULL)
		return;
	sodium_memzero(k->sk, sizeof(k->sk));
	k->has_sk = 0;
}

void
auth_pubkey_b64(const unsigned char pk[AUTH_PK_BYTES], char *out,
    size_t outlen)
{
	if (outlen < B64_KEY_LEN + 1) {
		if (outlen > 0)
			out[0] = '\0';
		return;
	}
	sodium_bin2base64(out, outlen, pk, AUTH_PK_BYTES,
	    sodium_base64_VARIANT_ORIGINAL);
}

static int
b64_key(const char *s, size_t n, unsigned char out[32])
{
	size_t got = 0;
	const char *end = NULL;

	if (n != B64_KEY_LEN)
		return -1;
	if (sodium_base642bin(out, 32, s, n, NULL, &got, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || got != 32 ||
	    end != s + n)
		return -1;
	return 0;
}

int
auth_pubkey_format(const unsigned char pk[AUTH_PK_BYTES], const char *comment,
    char *out, size_t outlen)
{
	char b64[B64_KEY_LEN + 1], c[AUTH_MAX_COMMENT + 1];
	int n;

	auth_pubkey_b64(pk, b64, sizeof(b64));
	set_comment(c, sizeof(c), comment);
	n = snprintf(out, outlen, "%s %s%s%s", AUTH_KEY_TYPE, b64,
	    c[0] ? " " : "", c);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

/*
 * Parse "TYPE BASE64[ comment]" ending at NUL or newline: the shared part
 * of public and secret key lines.
 */
static int
parse_line(const char *line, const char *type, unsigned char key[32],
    char *comment, size_t commentlen, char *err, size_t errlen)
{
	size_t tl = strlen(type), n;
	const char *p, *q;

	if (strncmp(line, type, tl) != 0 || line[tl] != ' ')
		return errf(err, errlen, "not a %s key (expected a line "
		    "starting with '%s ')", type, type);
	p = line + tl + 1;
	for (q = p; *q != '\0' && *q != ' ' && *q != '\n' && *q != '\r'; q++)
		;
	n = (size_t)(q - p);
	if (b64_key(p, n, key) != 0)
		return errf(err, errlen, "%s key: bad base64 key (expected %d "
		    "characters)", type, B64_KEY_LEN);
	while (*q == ' ')
		q++;
	if (comment != NULL && commentlen > 0)
		set_comment(comment, commentlen, q);
	for (; *q != '\0' && *q != '\n'; q++)
		if ((unsigned char)*q < 0x20 && *q != '\r' && *q != '\t')
			return errf(err, errlen, "%s key: control character "
			    "in comment", type);
	if (*q == '\n' && q[1] != '\0' && q[1] != '\n')
		return errf(err, errlen, "%s key: more than one line", type);
	if (comment != NULL && commentlen > 0) {
		n = strlen(comment);
		while (n > 0 && (comment[n - 1] == '\r' ||
		    comment[n - 1] == ' '))
			comment[--n] = '\0';
	}
	return 0;
}

int
auth_pubkey_parse(const char *line, unsigned char pk[AUTH_PK_BYTES],
    char *comment, size_t commentlen, char *err, size_t errlen)
{
	if (strncmp(line, SECRET_TYPE " ", sizeof(SECRET_TYPE)) == 0)
		return errf(err, errlen, "this is a secret key, not a public "
		    "one: use the .pub file, and keep this one to yourself");
	return parse_line(line, AUTH_KEY_TYPE, pk, comment, commentlen, err,
	    errlen);
}

/* Read at most MAX_FILE - 1 bytes of fd into buf (NUL-terminated). */
static int
read_all(int fd, char *buf, size_t size)
{
	size_t o = 0;
	ssize_t r;

	while (o + 1 < size) {
		r = read(fd, buf + o, size - 1 - o);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		o += (size_t)r;
	}
	buf[o] = '\0';
	return 0;
}

int
auth_pubkey_read(const char *path, unsigned char pk[AUTH_PK_BYTES],
    char *comment, size_t commentlen, char *err, size_t errlen)
{
	char buf[MAX_FILE], why[200];
	int fd, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	if (read_all(fd, buf, sizeof(buf)) != 0) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (auth_pubkey_parse(buf, pk, comment, commentlen, why,
	    sizeof(why)) != 0) {
		errf(err, errlen, "%s: %s", path, why);
		goto fail;
	}
	rc = 0;
fail:
	close(fd);
	return rc;
}

int
auth_key_read(const char *path, struct auth_key *k, char *err, size_t errlen)
{
	char buf[MAX_FILE], why[200];
	unsigned char seed[AUTH_SEED_BYTES];
	struct stat st;
	int fd, rc = -1;

	memset(k, 0, sizeof(*k));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		errf(err, errlen, "%s: not a regular file", path);
		goto fail;
	}
	if (st.st_uid != geteuid()) {
		errf(err, errlen, "%s: owned by uid %u, not by this user; a "
		    "secret key must be its owner's alone", path,
		    (unsigned)st.st_uid);
		goto fail;
	}
	if (st.st_mode & 077) {
		errf(err, errlen, "permissions %04o for '%s' are too open: a "
		    "secret key must be readable by its owner only (chmod 600 "
		    "%s)", (unsigned)(st.st_mode & 07777), path, path);
		goto fail;
	}
	if (read_all(fd, buf, sizeof(buf)) != 0) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (parse_line(buf, SECRET_TYPE, seed, k->comment, sizeof(k->comment),
	    why, sizeof(why)) != 0) {
		errf(err, errlen, "%s: %s", path, why);
		goto fail;
	}
	if (crypto_sign_seed_keypair(k->pk, k->sk, seed) != 0) {
		errf(err, errlen, "%s: cannot derive the key pair", path);
		goto fail;
	}
	k->has_sk = 1;
	rc = 0;
fail:
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(seed, sizeof(seed));
	close(fd);
	if (rc != 0)
		auth_key_wipe(k);
	return rc;
}

/* Write s to a new file path with mode; refuse an existing one unless
   overwrite.  Returns 0 or -1 with err. */
static int
write_file(const char *path, const char *s, mode_t mode, int overwrite,
    char *err, size_t errlen)
{
	size_t n = strlen(s), o = 0;
	ssize_t w;
	int fd, flags;

	flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
	    (overwrite ? O_TRUNC : O_EXCL);
	if ((fd = open(path, flags, mode)) == -1)
		return errf(err, errlen, "%s: %s", path, errno == EEXIST ?
		    "exists; will not overwrite it" : strerror(errno));
	if (fchmod(fd, mode) == -1)
		goto fail;
	while (o < n) {
		w = write(fd, s + o, n - o);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		o += (size_t)w;
	}
	if (fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	errf(err, errlen, "%s: %s", path, strerror(errno));
	if (fd != -1)
		close(fd);
	unlink(path);
	return -1;
}

int
auth_key_write(const char *path, const struct auth_key *k, int overwrite,
    char *err, size_t errlen)
{
	char line[512], pub[AUTH_PUBLINE_MAX + 1], *pubpath = NULL;
	unsigned char seed[AUTH_SEED_BYTES];
	char b64[B64_KEY_LEN + 1];
	int rc = -1;

	if (!k->has_sk)
		return errf(err, errlen, "no secret key to write");
	if (asprintf(&pubpath, "%s.pub", path) == -1) {
		pubpath = NULL;
		errf(err, errlen, "out of memory");
		goto fail;
	}
	if (!overwrite && access(pubpath, F_OK) == 0) {
		errf(err, errlen, "%s: exists; will not overwrite it", pubpath);
		goto fail;
	}
	crypto_sign_ed25519_sk_to_seed(seed, k->sk);
	sodium_bin2base64(b64, sizeof(b64), seed, sizeof(seed),
	    sodium_base64_VARIANT_ORIGINAL);
	snprintf(line, sizeof(line), "%s %s%s%s\n", SECRET_TYPE, b64,
	    k->comment[0] ? " " : "", k->comment);
	if (auth_pubkey_format(k->pk, k->comment, pub, sizeof(pub) - 1) != 0) {
		errf(err, errlen, "public key line too long");
		goto fail;
	}
	strcat(pub, "\n");
	if (write_file(path, line, 0600, overwrite, err, errlen) != 0)
		goto fail;
	if (write_file(pubpath, pub, 0644, overwrite, err, errlen) != 0) {
		unlink(path);
		goto fail;
	}
	rc = 0;
fail:
	sodium_memzero(line, sizeof(line));
	sodium_memzero(b64, sizeof(b64));
	sodium_memzero(seed, sizeof(seed));
	free(pubpath);
	return rc;
}

int
auth_key_load_or_create(const char *path, const char *comment,
    struct auth_key *k, int *created, char *err, size_t errlen)
{
	struct stat st;

	*created = 0;
	if (lstat(path, &st) == 0)
		return auth_key_read(path, k, err, errlen);
	if (errno != ENOENT)
		return errf(err, errlen, "%s: %s", path, strerror(errno));
	if (auth_keygen(k, comment) != 0)
		return errf(err, errlen, "cannot generate a key pair");
	if (auth_key_write(path, k, 0, err, errlen) != 0) {
		auth_key_wipe(k);
		return -1;
	}
	*created = 1;
	return 0;
}

/* Handshake transcripts. */

struct transcript {
	unsigned char	b[512];
	size_t		n;
};

static void
put(struct transcript *t, const void *p, size_t n)
{
	t->b[t->n++] = (unsigned char)(n >> 24);
	t->b[t->n++] = (unsigned char)(n >> 16);
	t->b[t->n++] = (unsigned char)(n >> 8);
	t->b[t->n++] = (unsigned char)n;
	if (n > 0)
		memcpy(t->b + t->n, p, n);
	t->n += n;
}

void
auth_channel(const unsigned char *der, size_t len,
    unsigned char out[AUTH_CHANNEL_BYTES])
{
	crypto_hash_sha256(out, der, len);
}

static int
transcript(struct transcript *t, const char *ctx, const unsigned char *hn,
    const unsigned char *cn, const unsigned char *hpk, const char *user,
    const unsigned char *channel)
{
	if (user == NULL || strlen(user) == 0 || strlen(user) > MAX_USER)
		return -1;
	t->n = 0;
	put(t, ctx, strlen(ctx));
	put(t, hn, AUTH_NONCE_BYTES);
	put(t, cn, AUTH_NONCE_BYTES);
	put(t, hpk, AUTH_PK_BYTES);
	put(t, user, strlen(user));
	put(t, WARD_PROTOCOL, strlen(WARD_PROTOCOL));
	put(t, channel, channel != NULL ? AUTH_CHANNEL_BYTES : 0);
	return 0;
}

int
auth_console_sign(const unsigned char sk[AUTH_SK_BYTES],
    const unsigned char hub_nonce[AUTH_NONCE_BYTES],
    const unsigned char console_nonce[AUTH_NONCE_BYTES],
    const unsigned char hub_pk[AUTH_PK_BYTES], const char *user,
    const unsigned char *channel, unsigned char sig[AUTH_SIG_BYTES])
{
	struct transcript t;

	if (transcript(&t, CTX_CONSOLE, hub_nonce, console_nonce, hub_pk,
	    user, channel) != 0)
		return -1;
	return crypto_sign_detached(sig, NULL, t.b, t.n, sk) == 0 ? 0 : -1;
}

int
auth_console_verify(const unsigned char user_pk[AUTH_PK_BYTES],
    const unsigned char hub_nonce[AUTH_NONCE_BYTES],
    const unsigned char console_nonce[AUTH_NONCE_BYTES],
    const unsigned char hub_pk[AUTH_PK_BYTES], const char *user,
    const unsigned char *channel, const unsigned char sig[AUTH_SIG_BYTES])
{
	struct transcript t;

	if (transcript(&t, CTX_CONSOLE, hub_nonce, console_nonce, hub_pk,
	    user, channel) != 0)
		return -1;
	return crypto_sign_verify_detached(sig, t.b, t.n, user_pk) == 0 ?
	    0 : -1;
}

int
auth_hub_sign(const unsigned char hub_sk[AUTH_SK_BYTES],
    const unsigned char hub_nonce[AUTH_NONCE_BYTES],
    const unsigned char console_nonce[AUTH_NONCE_BYTES],
    const unsigned char hub_pk[AUTH_PK_BYTES], const char *user,
    const unsigned char *channel, unsigned char sig[AUTH_SIG_BYTES])
{
	struct transcript t;

	if (transcript(&t, CTX_HUB, hub_nonce, console_nonce, hub_pk,
	    user, channel) != 0)
		return -1;
	return crypto_sign_detached(sig, NULL, t.b, t.n, hub_sk) == 0 ? 0 : -1;
}

int
auth_hub_verify(const unsigned char hub_pk[AUTH_PK_BYTES],
    const unsigned char hub_nonce[AUTH_NONCE_BYTES],
    const unsigned char console_nonce[AUTH_NONCE_BYTES],
    const char *user, const unsigned char *channel,
    const unsigned char sig[AUTH_SIG_BYTES])
{
	struct transcript t;

	if (transcript(&t, CTX_HUB, hub_nonce, console_nonce, hub_pk,
	    user, channel) != 0)
		return -1;
	return crypto_sign_verify_detached(sig, t.b, t.n, hub_pk) == 0 ?
	    0 : -1;
}

/* known_hubs */

static int
valid_hostport(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 255 || strchr(s, ':') == NULL || s[0] == '#')
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

enum auth_known
auth_known_hubs_check(const char *path, const char *hostport,
    const unsigned char pk[AUTH_PK_BYTES], char *err, size_t errlen)
{
	unsigned char key[AUTH_PK_BYTES];
	char *line = NULL, *p, *host, *type, *b64, *save;
	size_t cap = 0, lineno = 0, first = 0;
	enum auth_known rc = AUTH_HUB_UNKNOWN;
	FILE *f;

	if (!valid_hostport(hostport)) {
		errf(err, errlen, "bad hub address '%.64s'", hostport);
		return AUTH_HUB_ERROR;
	}
	if ((f = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return AUTH_HUB_UNKNOWN;
		errf(err, errlen, "%s: %s", path, strerror(errno));
		return AUTH_HUB_ERROR;
	}
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		p = line + strspn(line, " \t");
		if (*p == '#' || *p == '\n' || *p == '\0')
			continue;
		p[strcspn(p, "\r\n")] = '\0';
		host = strtok_r(p, " \t", &save);
		type = strtok_r(NULL, " \t", &save);
		b64 = strtok_r(NULL, " \t", &save);
		if (host == NULL || strcmp(host, hostport) != 0)
			continue;
		if (type == NULL || b64 == NULL ||
		    strcmp(type, AUTH_KEY_TYPE) != 0 ||
		    b64_key(b64, strlen(b64), key) != 0) {
			errf(err, errlen, "%s:%zu: malformed entry for %s",
			    path, lineno, hostport);
			rc = AUTH_HUB_ERROR;
			goto done;
		}
		if (sodium_memcmp(key, pk, AUTH_PK_BYTES) == 0) {
			rc = AUTH_HUB_MATCH;
			goto done;
		}
		if (first == 0)
			first = lineno;
	}
	if (ferror(f)) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		rc = AUTH_HUB_ERROR;
	} else if (first != 0) {
		errf(err, errlen, "hub key for %s changed (it does not match "
		    "%s line %zu): someone may be impersonating the hub; if "
		    "the hub's key was replaced on purpose, remove that line",
		    hostport, path, first);
		rc = AUTH_HUB_CHANGED;
	}
done:
	free(line);
	fclose(f);
	return rc;
}

int
auth_known_hubs_add(const char *path, const char *hostport,
    const unsigned char pk[AUTH_PK_BYTES], char *err, size_t errlen)
{
	char b64[B64_KEY_LEN + 1], line[400], *dir = NULL, *slash;
	size_t n, o = 0;
	ssize_t w;
	int fd = -1, rc = -1;

	if (!valid_hostport(hostport))
		return errf(err, errlen, "bad hub address '%.64s'", hostport);
	if ((dir = strdup(path)) == NULL)
		return errf(err, errlen, "out of memory");
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		char	*p;

		/* Like mkdir -p: ~/.config may not exist on a new account. */
		*slash = '\0';
		for (p = dir + 1; ; p++) {
			if (*p != '/' && *p != '\0')
				continue;
			{
				char	 c = *p;

				*p = '\0';
				if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
					errf(err, errlen, "%s: %s", dir,
					    strerror(errno));
					goto fail;
				}
				*p = c;
			}
			if (*p == '\0')
				break;
		}
	}
	auth_pubkey_b64(pk, b64, sizeof(b64));
	snprintf(line, sizeof(line), "%s %s %s\n", hostport, AUTH_KEY_TYPE,
	    b64);
	if ((fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0600)) == -1) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	n = strlen(line);
	while (o < n) {
		w = write(fd, line + o, n - o);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			errf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		o += (size_t)w;
	}
	if (fsync(fd) == -1) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	rc = 0;
fail:
	if (fd != -1)
		close(fd);
	free(dir);
	return rc;
}
