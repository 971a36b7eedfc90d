/* Private: the block allocator behind om_graph_alloc.
 *
 * An arena hands out zeroed, 64-byte aligned allocations carved from large blocks and
 * frees them all at once in om_arena_destroy. Requests larger than a quarter of the
 * block size get a block of their own, so big constant data wastes nothing.
 * Allocation failure returns NULL and leaves the arena usable.
 */
#ifndef OM_IR_ARENA_H
#define OM_IR_ARENA_H

#include <stddef.h>

#define OM_ARENA_ALIGN 64

typedef struct om_arena om_arena;

om_arena *om_arena_create(void);                /* NULL on out of memory */
void om_arena_destroy(om_arena *a);             /* accepts NULL */
void *om_arena_alloc(om_arena *a, size_t size); /* zeroed, aligned; size 0 gives a valid pointer */
size_t om_arena_bytes(const om_arena *a);       /* bytes reserved from the system */

#endif /* OM_IR_ARENA_H */
