/* Host memory for the runtime: 64-byte aligned blocks (a cache line, an AVX-512 vector),
 * used for the artifact bytes (so WEIGHTS, 64-aligned in the file, stay 64-aligned in
 * memory) and for context arenas (om_rt_zalloc). */
#include <stdint.h>
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

/* Arenas of a few MiB and more are 2 MiB-aligned and asked to be transparent huge pages:
 * a GEMM over 4 KiB pages spends a noticeable share of its time in TLB misses (a C
 * blocked GEMM over 2048x2048 matrices: 69% -> 74% of the core's FMA peak when A, B and C
 * sit on huge pages). Model weights need nothing: the artifact's file mapping already
 * gets huge page-cache folios. */
#define HUGE_PAGE ((size_t)2 << 20)

/* Bytes mapped for a block of `size`: whole huge pages from 4 MiB, else size itself; 0 when
 * rounding up would overflow (the allocation then fails). */
static size_t zalloc_span(size_t size)
{
    if (size < 2 * HUGE_PAGE)
        return size;
    if (size > SIZE_MAX - 2 * HUGE_PAGE)
        return 0;
    return (size + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
}

void *om_rt_zalloc(size_t size)
{
    if (size < OM_RT_ZALLOC_MMAP_MIN) {
        void *p = om_rt_aligned_alloc(size);
        if (p)
            memset(p, 0, size);
        return p;
    }
    /* by size, not by span == size: a whole multiple of 2 MiB wants huge pages too */
    if (size < 2 * HUGE_PAGE) {
        void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? NULL : p; /* page-aligned, hence 64-aligned */
    }
    size_t span = zalloc_span(size);
    if (!span)
        return NULL;
    /* map a huge page more than needed, then return the unaligned head and the tail */
    uint8_t *raw = mmap(NULL, span + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    uint8_t *p = (uint8_t *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (p > raw)
        munmap(raw, (size_t)(p - raw));
    if (raw + span + HUGE_PAGE > p + span)
        munmap(p + span, (size_t)(raw + span + HUGE_PAGE - (p + span)));
    madvise(p, span, MADV_HUGEPAGE); /* a hint: without THP the pages stay 4 KiB */
    return p;
}

void om_rt_zfree(void *p, size_t size)
{
    if (!p)
        return;
    if (size < OM_RT_ZALLOC_MMAP_MIN)
        free(p);
    else
        munmap(p, zalloc_span(size));
}

void *om_rt_block_alloc(size_t size)
{
    return size < OM_RT_ZALLOC_MMAP_MIN ? om_rt_aligned_alloc(size) : om_rt_zalloc(size);
}

void om_rt_block_free(void *p, size_t size)
{
    om_rt_zfree(p, size); /* free() below OM_RT_ZALLOC_MMAP_MIN, as om_rt_aligned_alloc wants */
}
