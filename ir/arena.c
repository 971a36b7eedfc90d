/* Block allocator for graph objects (see arena.h).
 *
 * Blocks form a singly linked list, newest first; allocation bumps `used` in the newest
 * block. A request that does not fit opens a new block (OM_ARENA_BLOCK bytes, or exactly
 * the request when it is large), so the remainder of the old block is abandoned: at most
 * a quarter of a block per block. Every block starts 64-byte aligned and sizes are
 * rounded up to 64, which keeps every returned pointer aligned. Blocks come from plain
 * malloc (over-allocated by 63 bytes and aligned by hand, the raw pointer kept in the
 * header) so that allocation-failure tests wrapping malloc reach the arena too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ir/arena.h"

#define OM_ARENA_BLOCK ((size_t)64 * 1024)

typedef struct om_arena_block {
    struct om_arena_block *next;
    void *raw;   /* what malloc returned */
    size_t size; /* usable bytes after the header */
    size_t used;
} om_arena_block;

/* The header occupies one aligned slot so the payload stays aligned. */
#define BLOCK_HEADER ((size_t)OM_ARENA_ALIGN)
_Static_assert(sizeof(om_arena_block) <= BLOCK_HEADER, "arena block header too large");

struct om_arena {
    om_arena_block *head;
    size_t reserved;
};

om_arena *om_arena_create(void)
{
    return calloc(1, sizeof(om_arena));
}

void om_arena_destroy(om_arena *a)
{
    if (!a)
        return;
    om_arena_block *b = a->head;
    while (b) {
        om_arena_block *next = b->next;
        free(b->raw);
        b = next;
    }
    free(a);
}

static om_arena_block *new_block(size_t payload)
{
    if (payload > SIZE_MAX - BLOCK_HEADER - OM_ARENA_ALIGN)
        return NULL;
    void *raw = malloc(BLOCK_HEADER + payload + OM_ARENA_ALIGN - 1);
    if (!raw)
        return NULL;
    uintptr_t at = ((uintptr_t)raw + OM_ARENA_ALIGN - 1) & ~(uintptr_t)(OM_ARENA_ALIGN - 1);
    om_arena_block *b = (om_arena_block *)at;
    b->raw = raw;
    b->next = NULL;
    b->size = payload;
    b->used = 0;
    return b;
}

void *om_arena_alloc(om_arena *a, size_t size)
{
    if (!a)
        return NULL;
    if (size > SIZE_MAX - OM_ARENA_ALIGN)
        return NULL;
    size_t rounded = size == 0 ? OM_ARENA_ALIGN : (size + OM_ARENA_ALIGN - 1) & ~(size_t)(OM_ARENA_ALIGN - 1);
    om_arena_block *b = a->head;
    if (!b || b->size - b->used < rounded) {
        if (rounded > OM_ARENA_BLOCK / 4) {
            /* Own block, linked behind the head so the head's free space stays usable. */
            om_arena_block *big = new_block(rounded);
            if (!big)
                return NULL;
            a->reserved += BLOCK_HEADER + rounded;
            if (a->head) {
                big->next = a->head->next;
                a->head->next = big;
            } else {
                a->head = big;
            }
            big->used = rounded;
            void *p = (char *)big + BLOCK_HEADER;
            memset(p, 0, rounded);
            return p;
        }
        b = new_block(OM_ARENA_BLOCK);
        if (!b)
            return NULL;
        a->reserved += BLOCK_HEADER + OM_ARENA_BLOCK;
        b->next = a->head;
        a->head = b;
    }
    void *p = (char *)b + BLOCK_HEADER + b->used;
    b->used += rounded;
    memset(p, 0, rounded);
    return p;
}

size_t om_arena_bytes(const om_arena *a)
{
    return a ? a->reserved : 0;
}
