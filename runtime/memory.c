/* Host memory for the runtime: 64-byte aligned blocks (a cache line, an AVX-512 vector),
 * used for the artifact bytes (so WEIGHTS, 64-aligned in the file, stay 64-aligned in
 * memory) and for context arenas. */
#include <stdlib.h>

#include "runtime/rt_internal.h"

void *om_rt_aligned_alloc(size_t size)
{
    size_t rounded = size ? (size + 63) & ~(size_t)63 : 64;
    if (rounded < size)
        return NULL;
    void *p = NULL;
    if (posix_memalign(&p, 64, rounded) != 0)
        return NULL;
    return p;
}
