/* A zeroed model input or output buffer from the runtime's host allocator, as an AscendCL
 * program takes its model buffers from aclrtMallocHost: large buffers then sit on
 * transparent huge pages like a context's arena (runtime/memory.c). Header-only, for omrun
 * and bench/omc_bench.c (built against the public runtime API alone). Needs omrt_init;
 * release with omrt_free_host. NULL when out of memory.
 */
#ifndef OM_TOOLS_IO_BUFFER_H
#define OM_TOOLS_IO_BUFFER_H

#include <string.h>

#include "runtime/include/omrt.h"

static inline void *om_io_buffer(size_t nbytes)
{
    size_t n = nbytes ? nbytes : 1;
    void *p = NULL;
    if (omrt_malloc_host(n, &p) != OMRT_OK)
        return NULL;
    memset(p, 0, n);
    return p;
}

#endif
