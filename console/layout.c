/*
 * layout — what goes where on the console's screen.  See layout.h.
 */
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "layout.h"
#include "utf8.h"

static void
rect(struct layout *l, enum layout_region r, int y, int x, int h, int w)
{
	if (h <= 0 || w <= 0)
		h = w = 0;
	l->r[r].y = y;
	l->r[r].x = x;
	l->r[r].h = h;
	l->r[r].w = w;
}

/* A list with an optional side pane in the box (y, h) of width w. */
static void
split_side(struct layout *l, int y, int h, int w, int side)
{
	int mw, sh;

	if (!side || h < 6) {
		rect(l, R_MAIN, y, 0, h, w);
		return;
	}
	if (w >= LAYOUT_WIDE_W) {
		mw = w * 55 / 100;
		l->side_right = 1;
		rect(l, R_MAIN, y, 0, h, mw);
		rect(l, R_SIDE, y, mw, h, w - mw);
		return;
	}
	sh = h * 45 / 100;
	if (sh < 3)
		sh = 3;
	rect(l, R_MAIN, y, 0, h - sh, w);
	rect(l, R_SIDE, y + h - sh, 0, sh, w);
}

void
layout_compute(const struct layout_in *in, struct layout *out)
{
	int	 w = in->w, h = in->h, y, bh, th, hh, lw;

	memset(out, 0, sizeof *out);
	if (w < LAYOUT_TINY_W || h < LAYOUT_TINY_H) {
		out->tiny = 1;
		rect(out, R_MAIN, 0, 0, h, w);
		return;
	}
	rect(out, R_TABS, 0, 0, 1, w);
	rect(out, R_STATUS, h - 2, 0, 1, w);
	rect(out, R_CMD, h - 1, 0, 1, w);
	y = 1;
	bh = h - 3;		/* the body, between tabs and status */
	switch (in->view) {
	case LV_EVENTS:
		rect(out, R_QUERY, y, 0, 1, w);
		y++, bh--;
		if (in->qerr && bh > 2) {
			rect(out, R_QERR, y, 0, 1, w);
			y++, bh--;
		}
		split_side(out, y, bh, w, in->side);
		break;
	case LV_ALERTS:
		split_side(out, y, bh, w, in->side);
		break;
	case LV_INCIDENT:
		hh = bh >= 12 ? 3 : 1;
		rect(out, R_HEADER, y, 0, hh, w);
		y += hh, bh -= hh;
		if (bh < 8) {
			rect(out, R_MAIN, y, 0, bh, w);
			break;
		}
		if (w >= LAYOUT_WIDE_W) {
			lw = w * 58 / 100;
			th = bh / 2;
			rect(out, R_MAIN, y, 0, bh, lw);
			rect(out, R_SIDE, y, lw, th, w - lw);
			rect(out, R_SIDE2, y + th, lw, bh - th, w - lw);
			out->side_right = 1;
			break;
		}
		th = bh * 55 / 100;
		rect(out, R_MAIN, y, 0, th, w);
		lw = w * 55 / 100;
		rect(out, R_SIDE, y + th, 0, bh - th, lw);
		rect(out, R_SIDE2, y + th, lw, bh - th, w - lw);
		break;
	default:
		rect(out, R_MAIN, y, 0, bh, w);
		break;
	}
}

int
layout_same(const struct layout *a, const struct layout *b)
{
	return a->tiny == b->tiny && a->side_right == b->side_right &&
	    memcmp(a->r, b->r, sizeof a->r) == 0;
}

static void
list_sight(struct layout_list *l, size_t n, size_t h)
{
	if (h == 0)
		h = 1;
	if (l->cur < l->top)
		l->top = l->cur;
	if (l->cur >= l->top + h)
		l->top = l->cur - h + 1;
	if (n <= h)
		l->top = 0;
	else if (l->top > n - h)
		l->top = n - h;
}

int
layout_list_move(struct layout_list *l, size_t n, size_t h,
    enum layout_move mv, int follow_ok)
{
	size_t	 cur0 = l->cur, top0 = l->top, d;

	if (n == 0) {
		l->cur = l->top = 0;
		l->follow = follow_ok;
		return cur0 != 0 || top0 != 0;
	}
	if (h == 0)
		h = 1;
	d = 0;
	switch (mv) {
	case LM_DOWN:
		if (l->cur + 1 < n)
			l->cur++;
		break;
	case LM_UP:
		if (l->cur > 0)
			l->cur--;
		break;
	case LM_TOP:
		l->cur = 0;
		break;
	case LM_BOTTOM:
		l->cur = n - 1;
		break;
	case LM_HALF_DOWN:
	case LM_PAGE_DOWN:
		d = mv == LM_PAGE_DOWN ? h : (h / 2 ? h / 2 : 1);
		l->cur = l->cur + d < n ? l->cur + d : n - 1;
		l->top += d;
		break;
	case LM_HALF_UP:
	case LM_PAGE_UP:
		d = mv == LM_PAGE_UP ? h : (h / 2 ? h / 2 : 1);
		l->cur = l->cur > d ? l->cur - d : 0;
		l->top = l->top > d ? l->top - d : 0;
		break;
	}
	if (l->cur >= n)
		l->cur = n - 1;
	/* Paging moves the view with the cursor, like less. */
	if (d != 0 && (l->cur < l->top || l->cur >= l->top + h))
		l->top = l->cur;
	list_sight(l, n, h);
	l->follow = follow_ok && l->cur == n - 1;
	return l->cur != cur0 || l->top != top0;
}

void
layout_list_set(struct layout_list *l, size_t n, size_t h, size_t i)
{
	l->cur = n == 0 ? 0 : (i < n ? i : n - 1);
	list_sight(l, n, h);
}

void
layout_list_fix(struct layout_list *l, size_t n, size_t h)
{
	if (n == 0) {
		l->cur = l->top = 0;
		return;
	}
	if (l->follow || l->cur >= n)
		l->cur = n - 1;
	list_sight(l, n, h);
}

void
layout_list_dropped(struct layout_list *l, size_t k)
{
	l->cur = l->cur >= k ? l->cur - k : 0;
	l->top = l->top >= k ? l->top - k : 0;
}

static int
cp_width(unsigned cp)
{
	int w;

	if (cp < 0x20 || cp == 0x7f)
		return 1;
	w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

size_t
layout_escape(const char *s, size_t n, char *out, size_t outlen, int oneline)
{
	const unsigned char *p = (const unsigned char *)s;
	char	 tmp[16];
	size_t	 i = 0, o = 0, k, tl;
	unsigned cp;

	if (outlen == 0)
		return 0;
	while (i < n) {
		k = utf8_decode(s + i, n - i, &cp);
		if (k == 0) {
			tl = (size_t)snprintf(tmp, sizeof tmp, "\\x%02x", p[i]);
			k = 1;
		} else if (cp == '\n' && !oneline) {
			tmp[0] = '\n';
			tl = 1;
		} else if (cp == '\n' || cp == '\r' || cp == '\t') {
			tmp[0] = ' ';
			tl = 1;
		} else if (cp < 0x20 || cp == 0x7f) {
			tmp[0] = '^';
			tmp[1] = cp == 0x7f ? '?' : (char)(cp + 0x40);
			tl = 2;
		} else if ((cp >= 0x80 && cp <= 0x9f) ||
		    (cp >= 0x202a && cp <= 0x202e) ||
		    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e ||
		    cp == 0x200f || cp == 0x61c) {
			tl = (size_t)snprintf(tmp, sizeof tmp, "\\u%04x", cp);
		} else {
			memcpy(tmp, p + i, k);
			tl = k;
		}
		if (o + tl >= outlen)
			break;
		memcpy(out + o, tmp, tl);
		o += tl;
		i += k;
	}
	out[o] = '\0';
	return o;
}

int
layout_width(const char *s, size_t n)
{
	size_t	 i = 0, k;
	unsigned cp;
	int	 w = 0;

	while (i < n) {
		if ((k = utf8_decode(s + i, n - i, &cp)) == 0) {
			w++;
			i++;
			continue;
		}
		w += cp_width(cp);
		i += k;
	}
	return w;
}

size_t
layout_fit(const char *s, size_t n, int cols, int *used)
{
	size_t	 i = 0, k;
	unsigned cp;
	int	 w = 0, cw;

	while (i < n) {
		if ((k = utf8_decode(s + i, n - i, &cp)) == 0) {
			k = 1;
			cw = 1;
		} else
			cw = cp_width(cp);
		if (w + cw > cols)
			break;
		w += cw;
		i += k;
	}
	if (used != NULL)
		*used = w;
	return i;
}

/* Wrap one paragraph (no newline) of s. */
static int
wrap_para(const char *s, size_t n, int cols,
    void (*fn)(void *, const char *, size_t), void *arg)
{
	size_t	 start = 0, fit, brk, i;
	int	 lines = 0;

	if (n == 0) {
		if (fn != NULL)
			fn(arg, s, 0);
		return 1;
	}
	while (start < n) {
		fit = layout_fit(s + start, n - start, cols, NULL);
		if (fit == 0) {	/* a character wider than the line */
			fit = 1;
			while (start + fit < n &&
			    ((unsigned char)s[start + fit] & 0xc0) == 0x80)
				fit++;
		}
		if (start + fit < n) {
			/* Break at the last space that fits, if any. */
			brk = 0;
			for (i = fit; i > 0; i--)
				if (s[start + i] == ' ') {
					brk = i;
					break;
				}
			if (brk > 0)
				fit = brk;
		}
		if (fn != NULL)
			fn(arg, s + start, fit);
		lines++;
		start += fit;
		while (start < n && s[start] == ' ')
			start++;
	}
	return lines;
}

int
layout_wrap(const char *s, size_t n, int cols,
    void (*fn)(void *arg, const char *line, size_t len), void *arg)
{
	const char *nl;
	size_t	 i = 0, len;
	int	 lines = 0;

	if (cols < 1)
		cols = 1;
	for (;;) {
		nl = memchr(s + i, '\n', n - i);
		len = nl != NULL ? (size_t)(nl - (s + i)) : n - i;
		lines += wrap_para(s + i, len, cols, fn, arg);
		if (nl == NULL)
			break;
		i += len + 1;
	}
	return lines;
}

size_t
layout_bar(uint64_t v, uint64_t max, int width, int ascii, char *out,
    size_t outlen)
{
	uint64_t eighths;
	size_t	 o = 0;
	int	 i, full, part;

	if (outlen == 0)
		return 0;
	if (max == 0 || width <= 0 || v == 0) {
		out[0] = '\0';
		return 0;
	}
	if (v > max)
		v = max;
	eighths = (v * (uint64_t)width * 8 + max - 1) / max;
	full = (int)(eighths / 8);
	part = (int)(eighths % 8);
	for (i = 0; i < full && o + 4 < outlen; i++) {
		if (ascii)
			out[o++] = '#';
		else {
			memcpy(out + o, "\xe2\x96\x88", 3);
			o += 3;
		}
	}
	if (part > 0 && o + 4 < outlen) {
		if (ascii)
			out[o++] = part >= 4 ? '#' : '-';
		else {
			out[o++] = (char)0xe2;
			out[o++] = (char)0x96;
			out[o++] = (char)(0x80 | ((0x2590 - part) & 0x3f));
		}
	}
	out[o] = '\0';
	return o;
}
