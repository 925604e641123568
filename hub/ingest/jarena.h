/* jarena — bump allocation for the jansson trees a thread builds and drops
 * again within one unit of work (a pipeline job, one event in the alerter),
 * so parsing an event costs no malloc or free per value.
 *
 * jarena_install() routes every jansson allocation of the process through
 * here; a thread that has made an arena current (jarena_use) allocates from
 * it, every other allocation is plain malloc.  Frees of arena memory do
 * nothing; jarena_reset() takes it all back at once.  The rules that keep
 * this safe: a tree from an arena is dropped (json_decref) on the thread
 * that built it, with that arena current, or, when every value in it came
 * from the arena, simply left to the reset (no walk); and nothing
 * allocated from an arena outlives its next jarena_reset() — deep-copy
 * with the arena put aside (jarena_use(NULL)) what must be kept.  Under
 * AddressSanitizer a reset poisons the memory it takes back, so a tree
 * kept too long is caught, and a heap value left in a tree that was not
 * dropped shows as a leak. */
#ifndef WARD_JARENA_H
#define WARD_JARENA_H

#include <stddef.h>

struct jarena_chunk;

struct jarena {
	struct jarena_chunk *head;	/* the chunk being filled */
	struct jarena_chunk *spare;	/* kept by reset for reuse */
	size_t		 spare_bytes;
	size_t		 allocated;	/* bytes handed out since reset */
};

/* Route jansson's allocations through jarena.  Call once, first thing in
   main, before any jansson value exists. */
void	 jarena_install(void);
/* 1 once jarena_install() has run. */
int	 jarena_installed(void);

/* An empty arena; no memory until the first allocation. */
void	 jarena_init(struct jarena *);
/* Free every chunk; the arena must not be current on any thread. */
void	 jarena_release(struct jarena *);
/* Make a (or NULL: plain malloc) the calling thread's current arena.
   Returns the previous one, to put back. */
struct jarena *jarena_use(struct jarena *a);
/* The calling thread's current arena, or NULL. */
struct jarena *jarena_current(void);
/* Take back everything allocated from a (accepts NULL).  Every jansson
   value built from it must be dead (its last reference dropped or never
   to be touched again). */
void	 jarena_reset(struct jarena *a);

#endif
