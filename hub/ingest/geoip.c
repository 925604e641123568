/*
 * geoip — MaxMind DB lookups for the transit stage.  See geoip.h.
 *
 * The file is mapped once; libmaxminddb's lookups only read it, so the
 * pipeline workers share one struct geoip.  Addresses are parsed here
 * (inet_pton) and looked up by sockaddr: MMDB_lookup_string would call
 * getaddrinfo for every event.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <maxminddb.h>

#include "errf.h"
#include "geoip.h"
#include "transit.h"

struct geoip {
	MMDB_s	 db;
};

struct geoip *
geoip_open(const char *path, char *err, size_t errlen)
{
	struct geoip *g;
	int	 rc;

	if ((g = calloc(1, sizeof *g)) == NULL) {
		errf(err, errlen, "out of memory");
		return NULL;
	}
	if ((rc = MMDB_open(path, MMDB_MODE_MMAP, &g->db)) != MMDB_SUCCESS) {
		errf(err, errlen, "%s: %s", path, MMDB_strerror(rc));
		free(g);
		return NULL;
	}
	return g;
}

void
geoip_free(struct geoip *g)
{
	if (g == NULL)
		return;
	MMDB_close(&g->db);
	free(g);
}

/* IPv4 ranges that are not on the public Internet (RFC 6890 and kin). */
static const struct {
	uint32_t net;
	int	 bits;
} reserved4[] = {
	{ 0x00000000, 8 },	/* this network */
	{ 0x0a000000, 8 },	/* private */
	{ 0x64400000, 10 },	/* shared address space (CGN) */
	{ 0x7f000000, 8 },	/* loopback */
	{ 0xa9fe0000, 16 },	/* link-local */
	{ 0xac100000, 12 },	/* private */
	{ 0xc0000000, 24 },	/* IETF protocol assignments */
	{ 0xc0000200, 24 },	/* TEST-NET-1 */
	{ 0xc0586300, 24 },	/* 6to4 relay anycast */
	{ 0xc0a80000, 16 },	/* private */
	{ 0xc6120000, 15 },	/* benchmarking */
	{ 0xc6336400, 24 },	/* TEST-NET-2 */
	{ 0xcb007100, 24 },	/* TEST-NET-3 */
	{ 0xe0000000, 4 },	/* multicast */
	{ 0xf0000000, 4 },	/* reserved, and broadcast */
};

/* IPv6 ranges likewise: prefix bytes and length. */
static const struct {
	unsigned char net[16];
	int	 bits;
} reserved6[] = {
	{ { 0 }, 128 },						/* :: */
	{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, 128 },	/* ::1 */
	{ { 0x01, 0x00 }, 64 },					/* discard */
	{ { 0x20, 0x01, 0x0d, 0xb8 }, 32 },			/* documentation */
	{ { 0xfc }, 7 },					/* unique local */
	{ { 0xfe, 0x80 }, 10 },					/* link-local */
	{ { 0xfe, 0xc0 }, 10 },					/* site-local */
	{ { 0xff }, 8 },					/* multicast */
};

static int
public4(uint32_t a)
{
	size_t	 i;

	for (i = 0; i < sizeof reserved4 / sizeof *reserved4; i++)
		if ((a & (0xffffffffu << (32 - reserved4[i].bits))) ==
		    reserved4[i].net)
			return 0;
	return 1;
}

static int
prefix_eq(const unsigned char *a, const unsigned char *net, int bits)
{
	int	 full = bits / 8, rest = bits % 8;

	if (memcmp(a, net, (size_t)full) != 0)
		return 0;
	return rest == 0 || ((a[full] ^ net[full]) &
	    (unsigned char)(0xff << (8 - rest))) == 0;
}

static int
public6(const unsigned char *a)
{
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0, 0xff, 0xff };
	size_t	 i;

	if (memcmp(a, mapped, 12) == 0)
		return public4((uint32_t)a[12] << 24 | (uint32_t)a[13] << 16 |
		    (uint32_t)a[14] << 8 | a[15]);
	for (i = 0; i < sizeof reserved6 / sizeof *reserved6; i++)
		if (prefix_eq(a, reserved6[i].net, reserved6[i].bits))
			return 0;
	return 1;
}

/* Parse s into ss; 1 if it is a public address. */
static int
parse_public(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return public4(ntohl(sin->sin_addr.s_addr));
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		return public6(sin6->sin6_addr.s6_addr);
	}
	return 0;
}

int
geoip_public(const char *s)
{
	struct sockaddr_storage ss;

	return s != NULL && parse_public(s, &ss);
}

/* What the database says of an address, decoded once: the strings
   point into the mapped file, valid while it is open. */
#define NFIELDS	9
struct place {
	int		 found;		/* 0: not in the database */
	unsigned char	 type[NFIELDS];	/* PT_* */
	const char	*s[NFIELDS];
	size_t		 n[NFIELDS];
	double		 d[NFIELDS];
	char		 point[48];	/* "lat,lon", or "" */
};
#define PT_NONE		0
#define PT_STRING	1
#define PT_DOUBLE	2

static const struct {
	const char	*key;
	const char	*path[4];
} fields[NFIELDS] = {
	{ "country_code", { "country", "iso_code" } },
	{ "country_name", { "country", "names", "en" } },
	{ "continent", { "continent", "code" } },
	{ "city", { "city", "names", "en" } },
	{ "region_code", { "subdivisions", "0", "iso_code" } },
	{ "postal_code", { "postal", "code" } },
	{ "latitude", { "location", "latitude" } },
	{ "longitude", { "location", "longitude" } },
	{ "time_zone", { "location", "time_zone" } },
};
#define F_LAT	6
#define F_LON	7

/* Per worker: the places of the last addresses seen, direct-mapped by
   address (an attack comes from few; a lookup and nine path walks of
   the record become one compare). */
#define CACHE_SLOTS	1024
struct geoip_cache {
	struct {
		unsigned char	 addr[17];	/* family byte, address */
		int		 used;
		struct place	 p;
	} slot[CACHE_SLOTS];
};

struct geoip_cache *
geoip_cache_new(void)
{
	return calloc(1, sizeof(struct geoip_cache));
}

void
geoip_cache_free(struct geoip_cache *c)
{
	free(c);
}

static void
decode(MMDB_entry_s *entry, struct place *p)
{
	MMDB_entry_data_s d;
	size_t	 i;

	memset(p, 0, sizeof *p);
	p->found = 1;
	for (i = 0; i < NFIELDS; i++) {
		if (MMDB_aget_value(entry, &d, fields[i].path) !=
		    MMDB_SUCCESS || !d.has_data)
			continue;
		if (d.type == MMDB_DATA_TYPE_UTF8_STRING) {
			p->type[i] = PT_STRING;
			p->s[i] = d.utf8_string;
			p->n[i] = d.data_size;
		} else if (d.type == MMDB_DATA_TYPE_DOUBLE) {
			p->type[i] = PT_DOUBLE;
			p->d[i] = d.double_value;
		} else if (d.type == MMDB_DATA_TYPE_FLOAT) {
			p->type[i] = PT_DOUBLE;
			p->d[i] = d.float_value;
		}
	}
	if (p->type[F_LAT] == PT_DOUBLE && p->type[F_LON] == PT_DOUBLE)
		snprintf(p->point, sizeof p->point, "%.6g,%.6g", p->d[F_LAT],
		    p->d[F_LON]);
}

/* The place of the public address ss: from the cache (may be NULL) or
   the database.  NULL when it is not in the database. */
static const struct place *
place_of(const struct geoip *g, struct geoip_cache *c,
    const struct sockaddr_storage *ss, struct place *local)
{
	unsigned char key[17];
	MMDB_lookup_result_s r;
	struct place *p = local;
	uint64_t h = 1469598103934665603ULL;
	size_t	 i, slot = 0;
	int	 err;

	memset(key, 0, sizeof key);
	key[0] = (unsigned char)ss->ss_family;
	if (ss->ss_family == AF_INET)
		memcpy(key + 1, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else
		memcpy(key + 1, &((const struct sockaddr_in6 *)ss)->sin6_addr,
		    16);
	if (c != NULL) {
		for (i = 0; i < sizeof key; i++)
			h = (h ^ key[i]) * 1099511628211ULL;
		slot = (size_t)(h >> 20) % CACHE_SLOTS;
		if (c->slot[slot].used &&
		    memcmp(c->slot[slot].addr, key, sizeof key) == 0)
			return c->slot[slot].p.found ? &c->slot[slot].p : NULL;
		p = &c->slot[slot].p;
	}
	r = MMDB_lookup_sockaddr((MMDB_s *)&g->db, (const struct sockaddr *)ss,
	    &err);
	if (err != MMDB_SUCCESS || !r.found_entry)
		memset(p, 0, sizeof *p);
	else
		decode(&r.entry, p);
	if (c != NULL) {
		memcpy(c->slot[slot].addr, key, sizeof key);
		c->slot[slot].used = 1;
	}
	return p->found ? p : NULL;
}

/* Locate details[which + "ipaddress"].  1 located, 0 not, -1 memory. */
static int
locate(const struct geoip *g, struct geoip_cache *c, json_t *details,
    const char *which)
{
	struct sockaddr_storage ss;
	const struct place *p;
	struct place local;
	json_t	*loc, *v;
	char	 key[64];
	const char *ip;
	size_t	 i;

	snprintf(key, sizeof key, "%sipaddress", which);
	ip = json_string_value(json_object_get(details, key));
	if (ip == NULL || !parse_public(ip, &ss) ||
	    (p = place_of(g, c, &ss, &local)) == NULL)
		return 0;
	if ((loc = json_object()) == NULL)
		return -1;
	for (i = 0; i < NFIELDS; i++) {
		if (p->type[i] == PT_NONE)
			continue;
		v = p->type[i] == PT_STRING ? json_stringn(p->s[i], p->n[i]) :
		    json_real(p->d[i]);
		/* a string that is not UTF-8 is left out, not an error */
		if (v == NULL && p->type[i] == PT_STRING)
			continue;
		if (v == NULL || json_object_set_new(loc, fields[i].key, v) ==
		    -1) {
			json_decref(loc);
			return -1;
		}
	}
	if (json_object_size(loc) == 0) {
		json_decref(loc);
		return 0;
	}
	snprintf(key, sizeof key, "%sipgeolocation", which);
	if (json_object_set_new(details, key, loc) == -1)
		return -1;
	if (p->point[0] != '\0') {
		snprintf(key, sizeof key, "%sipgeopoint", which);
		if (json_object_set_new(details, key, json_string(p->point)) ==
		    -1)
			return -1;
	}
	return 1;
}

int
geoip_apply_cached(const struct geoip *g, struct geoip_cache *c, json_t *ev)
{
	json_t	*details;
	int	 a, b;

	if (g == NULL || !json_is_object(details = json_object_get(ev,
	    "details")))
		return 0;
	if ((a = locate(g, c, details, "source")) == -1 ||
	    (b = locate(g, c, details, "destination")) == -1)
		return -1;
	return a + b;
}

int
geoip_apply(const struct geoip *g, json_t *ev)
{
	return geoip_apply_cached(g, NULL, ev);
}

/* ---- the transit step -------------------------------------------------- */

static int
step_init(const struct transit_opts *o, void **state, char *err,
    size_t errlen)
{
	*state = NULL;
	if (o->geoip == NULL)
		return 0;
	if ((*state = geoip_open(o->geoip, err, errlen)) == NULL)
		return -1;
	return 0;
}

static void
step_free(void *state)
{
	geoip_free(state);
}

static void *
step_worker_new(void *state, char *err, size_t errlen)
{
	struct geoip_cache *c;

	if ((c = geoip_cache_new()) == NULL)
		errf(err, errlen, "geoip: out of memory");
	return c;
}

static void
step_worker_free(void *state, void *w)
{
	geoip_cache_free(w);
}

static int
step_event(void *state, void *w, json_t *ev, const struct transit_ctx *ctx)
{
	return geoip_apply_cached(state, w, ev) == -1 ? -1 : 0;
}

const struct transit_step transit_step_geoip = {
	.name = "geoip",
	.init = step_init,
	.free = step_free,
	.worker_new = step_worker_new,
	.worker_free = step_worker_free,
	.event = step_event,
};
