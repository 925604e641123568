/* utf8 — decoding UTF-8, and writing JSON text a terminal can show safely.
 * Shared by the console (views, subcommands) and the hub's command-line
 * tools (wardd parse, wardd rules test), which print other people's input. */
#ifndef WARD_UTF8_H
#define WARD_UTF8_H

#include <stddef.h>
#include <stdio.h>

/* Decode one UTF-8 character at s (n > 0 bytes): returns its length and
   the code point in *cp, or 0 when the bytes are not valid UTF-8
   (overlong forms, surrogates and code points past U+10FFFF are not). */
size_t	utf8_decode(const char *s, size_t n, unsigned *cp);

/* Write the JSON text s (len bytes) and a newline to f, with DEL and the C1
   controls (U+0080-U+009F) written as \u escapes and a byte that is not
   UTF-8 as \ufffd: the same JSON, with nothing a terminal would obey (the
   C0 controls are escaped by every JSON encoder already). */
void	utf8_put_json(FILE *f, const char *s, size_t len);

#endif
