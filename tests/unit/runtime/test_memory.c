/* om_rt_zalloc / om_rt_zfree (runtime/memory.c): the arena allocator's three paths -- small
 * blocks from posix_memalign + memset, from 1 MiB fresh mmap pages, from 4 MiB 2 MiB-aligned
 * huge-page candidates with the unaligned head and tail of the mapping returned -- each give
 * zero-filled, writable, 64-byte aligned memory of the asked size, on both sides of every
 * threshold. A block is dirtied before it is freed, so a recycled block would show up as
 * non-zero in the next round. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/rt_internal.h"

static const size_t k_mib = (size_t)1 << 20;

static void check_block(size_t size)
{
    uint8_t *p = om_rt_zalloc(size);
    assert_non_null(p);
    assert_int_equal((uintptr_t)p % 64, 0);
    if (size >= 4 * k_mib)
        assert_int_equal((uintptr_t)p % (2 * k_mib), 0);
    for (size_t i = 0; i < size; i++)
        if (p[i] != 0)
            fail_msg("size %zu: byte %zu is %u, not zero", size, i, p[i]);
    memset(p, 0xa5, size); /* every byte writable; dirty for the next round */
    om_rt_zfree(p, size);
}

static void test_sizes_around_thresholds(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 1, 63, 64, 4096, OM_RT_ZALLOC_MMAP_MIN - 1, OM_RT_ZALLOC_MMAP_MIN,
                            OM_RT_ZALLOC_MMAP_MIN + 1, 4 * k_mib - 1, 4 * k_mib, 4 * k_mib + 1,
                            37 * k_mib + 5};
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            check_block(sizes[i]);
}

static void test_many_live_blocks(void **state)
{
    (void)state;
    /* several huge-page blocks alive at once do not overlap */
    enum { N = 6 };
    uint8_t *p[N];
    size_t size = 5 * k_mib + 3;
    for (int i = 0; i < N; i++) {
        p[i] = om_rt_zalloc(size);
        assert_non_null(p[i]);
        memset(p[i], i + 1, size);
    }
    for (int i = 0; i < N; i++) {
        assert_int_equal(p[i][0], i + 1);
        assert_int_equal(p[i][size - 1], i + 1);
        om_rt_zfree(p[i], size);
    }
}

/* sizes no mapping can hold, including those whose rounding up to a huge page would wrap
 * around to a small block (a damaged artifact's arena_size reaches here unchecked) */
static void test_impossible_size(void **state)
{
    (void)state;
    const size_t sizes[] = {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 63, SIZE_MAX - 4096, SIZE_MAX - 2 * k_mib,
                            SIZE_MAX - 4 * k_mib, SIZE_MAX / 2 + 1, (size_t)1 << 62};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        if (om_rt_zalloc(sizes[i]))
            fail_msg("om_rt_zalloc(%zu) returned a block", sizes[i]);
    om_rt_zfree(NULL, 123); /* accepted */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes_around_thresholds),
        cmocka_unit_test(test_many_live_blocks),
        cmocka_unit_test(test_impossible_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
