/*
 * With no arena current, jansson gets plain malloc and free (so memory
 * jansson hands out, json_dumps() text included, is still released with
 * free()).  With one current, blocks come from its chunks, and a free
 * looks the pointer up among the chunks in use: found, nothing to do;
 * not found (a block from the heap, dropped while the arena is current),
 * free().  So arena trees must be dropped on their own thread with their
 * arena current, which is how the pipeline and the alerter use them.
 * Chunks are 1 MiB, or bigger for one big block; a reset keeps up to
 * 4 MiB of them for the next unit of work and frees the rest.
 *
 * The current arena is thread-local: jansson's allocation hook is one
 * process-wide function with no context argument, so this is the one
 * place the hub keeps per-thread mutable state.
 */
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "jarena.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define JARENA_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define JARENA_ASAN 1
#endif
#ifdef JARENA_ASAN
#include <sanitizer/asan_interface.h>
#define POISON(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)	((void)(p), (void)(n))
#define UNPOISON(p, n)	((void)(p), (void)(n))
#endif

#define CHUNK		(1u << 20)
#define KEEP		(4u << 20)

struct jarena_chunk {
	struct jarena_chunk *next;
	size_t		 size;		/* bytes of data[] */
	size_t		 used;
	_Alignas(16) unsigned char data[];
};

static _Thread_local struct jarena *current;
static int installed;

static void *
arena_alloc(struct jarena *a, size_t n)
{
	struct jarena_chunk *c = a->head;
	size_t	 need = (n + 15) & ~(size_t)15;
	unsigned char *p;

	if (c == NULL || c->size - c->used < need) {
		struct jarena_chunk **sp = &a->spare;

		/* A kept chunk big enough, else a new one. */
		while (*sp != NULL && (*sp)->size < need)
			sp = &(*sp)->next;
		if ((c = *sp) != NULL) {
			*sp = c->next;
			a->spare_bytes -= c->size;
		} else {
			size_t	 size = need > CHUNK ? need : CHUNK;

			if ((c = malloc(sizeof *c + size)) == NULL)
				return NULL;
			c->size = size;
			POISON(c->data, size);
		}
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += need;
	a->allocated += need;
	UNPOISON(p, n);
	return p;
}

static void *
jmalloc(size_t n)
{
	if (current != NULL)
		return arena_alloc(current, n);
	return malloc(n);
}

static void
jfree(void *ptr)
{
	const struct jarena_chunk *c;
	const unsigned char *p = ptr;

	if (current != NULL)
		for (c = current->head; c != NULL; c = c->next)
			if (p >= c->data && p < c->data + c->used)
				return;	/* taken back by the next reset */
	free(ptr);
}

void
jarena_install(void)
{
	if (!installed) {
		json_set_alloc_funcs(jmalloc, jfree);
		installed = 1;
	}
}

int
jarena_installed(void)
{
	return installed;
}

void
jarena_init(struct jarena *a)
{
	a->head = a->spare = NULL;
	a->spare_bytes = a->allocated = 0;
}

static void
free_chunks(struct jarena_chunk *c)
{
	struct jarena_chunk *next;

	for (; c != NULL; c = next) {
		next = c->next;
		UNPOISON(c->data, c->size);
		free(c);
	}
}

void
jarena_release(struct jarena *a)
{
	free_chunks(a->head);
	free_chunks(a->spare);
	jarena_init(a);
}

struct jarena *
jarena_use(struct jarena *a)
{
	struct jarena *prev = current;

	current = installed ? a : NULL;
	return prev;
}

struct jarena *
jarena_current(void)
{
	return current;
}

void
jarena_reset(struct jarena *a)
{
	struct jarena_chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		if (a->spare_bytes + c->size > KEEP) {
			UNPOISON(c->data, c->size);
			free(c);
			continue;
		}
		POISON(c->data, c->size);
		c->next = a->spare;
		a->spare = c;
		a->spare_bytes += c->size;
	}
	a->head = NULL;
	a->allocated = 0;
}
