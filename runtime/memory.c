/* Host memory for the runtime: 64-byte aligned blocks (a cache line, an AVX-512 vector),
 * used for the artifact bytes (so WEIGHTS, 64-aligned in the file, stay 64-aligned in
 * memory) and for context arenas (om_rt_zalloc). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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

void *om_rt_zalloc(size_t size)
{
    if (size < OM_RT_ZALLOC_MMAP_MIN) {
        void *p = om_rt_aligned_alloc(size);
        if (p)
            memset(p, 0, size);
        return p;
    }
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p; /* page-aligned, hence 64-aligned */
}

void om_rt_zfree(void *p, size_t size)
{
    if (!p)
        return;
    if (size < OM_RT_ZALLOC_MMAP_MIN)
        free(p);
    else
        munmap(p, size);
}
