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
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((rc = MMDB_open(path, MMDB_MODE_MMAP, &g->db)) != MMDB_SUCCESS) {
		snprintf(err, errlen, "%s: %s", path, MMDB_strerror(rc));
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

/* Set key in o to the string or double at path in entry, if there is
   one.  0, or -1 when out of memory. */
static int
put(json_t *o, const char *key, MMDB_entry_s *entry, const char *const *path)
{
	MMDB_entry_data_s d;
	json_t	*v;

	if (MMDB_aget_value(entry, &d, path) != MMDB_SUCCESS || !d.has_data)
		return 0;
	switch (d.type) {
	case MMDB_DATA_TYPE_UTF8_STRING:
		v = json_stringn(d.utf8_string, d.data_size);
		break;
	case MMDB_DATA_TYPE_DOUBLE:
		v = json_real(d.double_value);
		break;
	case MMDB_DATA_TYPE_FLOAT:
		v = json_real(d.float_value);
		break;
	default:
		return 0;
	}
	/* a string that is not UTF-8 is left out, not an error */
	if (v == NULL)
		return d.type == MMDB_DATA_TYPE_UTF8_STRING ? 0 : -1;
	return json_object_set_new(o, key, v);
}

static const char *const p_country_code[] = { "country", "iso_code", NULL };
static const char *const p_country_name[] = { "country", "names", "en",
	NULL };
static const char *const p_continent[] = { "continent", "code", NULL };
static const char *const p_city[] = { "city", "names", "en", NULL };
static const char *const p_region[] = { "subdivisions", "0", "iso_code",
	NULL };
static const char *const p_postal[] = { "postal", "code", NULL };
static const char *const p_lat[] = { "location", "latitude", NULL };
static const char *const p_lon[] = { "location", "longitude", NULL };
static const char *const p_tz[] = { "location", "time_zone", NULL };

/* Locate details[which + "ipaddress"].  1 located, 0 not, -1 memory. */
static int
locate(const struct geoip *g, json_t *details, const char *which)
{
	struct sockaddr_storage ss;
	MMDB_lookup_result_s r;
	json_t	*loc = NULL, *lat, *lon;
	char	 key[64], point[64];
	const char *ip;
	int	 err;

	snprintf(key, sizeof key, "%sipaddress", which);
	ip = json_string_value(json_object_get(details, key));
	if (ip == NULL || !parse_public(ip, &ss))
		return 0;
	r = MMDB_lookup_sockaddr((MMDB_s *)&g->db, (struct sockaddr *)&ss,
	    &err);
	if (err != MMDB_SUCCESS || !r.found_entry)
		return 0;
	if ((loc = json_object()) == NULL ||
	    put(loc, "country_code", &r.entry, p_country_code) == -1 ||
	    put(loc, "country_name", &r.entry, p_country_name) == -1 ||
	    put(loc, "continent", &r.entry, p_continent) == -1 ||
	    put(loc, "city", &r.entry, p_city) == -1 ||
	    put(loc, "region_code", &r.entry, p_region) == -1 ||
	    put(loc, "postal_code", &r.entry, p_postal) == -1 ||
	    put(loc, "latitude", &r.entry, p_lat) == -1 ||
	    put(loc, "longitude", &r.entry, p_lon) == -1 ||
	    put(loc, "time_zone", &r.entry, p_tz) == -1)
		goto fail;
	if (json_object_size(loc) == 0) {
		json_decref(loc);
		return 0;
	}
	lat = json_object_get(loc, "latitude");
	lon = json_object_get(loc, "longitude");
	snprintf(key, sizeof key, "%sipgeolocation", which);
	if (json_object_set_new(details, key, loc) == -1)
		return -1;
	if (lat != NULL && lon != NULL) {
		snprintf(key, sizeof key, "%sipgeopoint", which);
		snprintf(point, sizeof point, "%.6g,%.6g",
		    json_real_value(lat), json_real_value(lon));
		if (json_object_set_new(details, key, json_string(point)) ==
		    -1)
			return -1;
	}
	return 1;
fail:
	json_decref(loc);
	return -1;
}

int
geoip_apply(const struct geoip *g, json_t *ev)
{
	json_t	*details;
	int	 a, b;

	if (g == NULL || !json_is_object(details = json_object_get(ev,
	    "details")))
		return 0;
	if ((a = locate(g, details, "source")) == -1 ||
	    (b = locate(g, details, "destination")) == -1)
		return -1;
	return a + b;
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

static int
step_event(void *state, void *w, json_t *ev, const struct transit_ctx *ctx)
{
	return geoip_apply(state, ev) == -1 ? -1 : 0;
}

const struct transit_step transit_step_geoip = {
	.name = "geoip",
	.init = step_init,
	.free = step_free,
	.event = step_event,
};
