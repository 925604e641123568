/*
 * fuzz_decoder — libFuzzer target for the decoder engine (ward-parsers(5)).
 * An input without a line "#EVENTS" is a message: it is run, as the
 * summary of events from each program the shipped decoders select (and
 * as a whole raw event's text), through share/parsers, loaded once from
 * the working directory.  An input with one is decoder YAML, then
 * messages, one a line: the YAML is loaded and every decoder that loads
 * is run over them with several program names.
 *
 *   make build/fuzz/fuzz_decoder && build/fuzz/fuzz_decoder -max_total_time=60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "decoder.h"

static const char *const programs[] = {
	"sshd", "sshd-session", "sudo", "su", "kernel", "postfix/smtpd",
	"dovecot", "nginx", "sshd(pam_unix)", "x",
};

static struct decoders *shipped;
static struct decoder_scratch *scratch;

static void
run(const struct decoders *ds, const char *msg, size_t len)
{
	json_t	*ev, *s;
	size_t	 i;

	if ((s = json_stringn(msg, len)) == NULL)
		return;			/* not UTF-8: jansson refuses it */
	for (i = 0; i < sizeof programs / sizeof *programs; i++) {
		ev = json_pack("{s:s, s:s, s:O, s:{}}", "processname",
		    programs[i], "hostname", "h", "summary", s, "details");
		if (ev == NULL)
			break;
		if (decoders_apply(ds, ev, scratch) == -1)
			abort();	/* no allocation fails here */
		json_decref(ev);
	}
	json_decref(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *sep, *p, *nl;
	static const char mark[] = "\n#EVENTS\n";
	struct decoders *ds;
	size_t	 nerr;

	if (scratch == NULL && (scratch = decoder_scratch_new()) == NULL)
		abort();
	if (shipped == NULL) {
		const char *dir[] = { "share/parsers" };
		char	 err[512];

		if ((shipped = decoders_load(dir, 1, err, sizeof err)) ==
		    NULL) {
			fprintf(stderr, "fuzz_decoder: %s (run from the "
			    "repository root)\n", err);
			abort();
		}
	}
	sep = memmem(text, size, mark, sizeof mark - 1);
	if (sep == NULL) {
		run(shipped, text, size);
		return 0;
	}
	ds = decoders_load_string(text, (size_t)(sep - text), "fuzz.yml",
	    NULL, NULL, &nerr);
	if (ds == NULL)
		return 0;
	for (p = sep + sizeof mark - 1; p < text + size; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(text + size - p))) == NULL)
			nl = text + size;
		run(ds, p, (size_t)(nl - p));
	}
	decoders_free(ds);
	return 0;
}
