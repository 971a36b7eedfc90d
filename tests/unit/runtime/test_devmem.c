/* devmem.c and copy.c: the two allocators, copies in the four directions (sync and on a
 * stream), memset, and every misuse: wrong side, past the end, count > dst_max, different
 * devices, bad kinds, NULLs, freeing the wrong kind of block. */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/include/omrt.h"
#include "tests/unit/runtime/rt_exec_util.h"

static void expect(omrt_status got, omrt_status want, const char *needle)
{
    if (got != want)
        fail_msg("status %s, expected %s (%s)", omrt_status_name(got), omrt_status_name(want),
                 omrt_last_error());
    if (needle && !strstr(omrt_last_error(), needle))
        fail_msg("message '%s' lacks '%s'", omrt_last_error(), needle);
}

static int setup(void **state)
{
    if (omrt_init(NULL) != OMRT_OK || omrt_device_set(0) != OMRT_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    return omrt_finalize() == OMRT_OK ? 0 : -1;
}

static void test_alloc_free(void **state)
{
    void *d = (void *)1, *h = (void *)1;
    expect(omrt_malloc_device(0, &d), OMRT_ERR_INVALID_ARGUMENT, "size 0");
    assert_null(d);
    expect(omrt_malloc_device(8, NULL), OMRT_ERR_INVALID_ARGUMENT, "NULL out");
    expect(omrt_malloc_host(0, &h), OMRT_ERR_INVALID_ARGUMENT, "size 0");
    expect(omrt_malloc_host(8, NULL), OMRT_ERR_INVALID_ARGUMENT, NULL);
    expect(omrt_malloc_device(SIZE_MAX - 8, &d), OMRT_ERR_NO_MEMORY, "cannot allocate");
    expect(omrt_malloc_device(100, &d), OMRT_OK, NULL);
    expect(omrt_malloc_host(100, &h), OMRT_OK, NULL);
    assert_int_equal((uintptr_t)d % 64, 0);
    assert_int_equal((uintptr_t)h % 64, 0);
    int32_t dev = -1;
    assert_int_equal(omrt_device_block_remaining(d, &dev), 100);
    assert_int_equal(dev, 0);
    assert_int_equal(omrt_device_block_remaining((char *)d + 60, NULL), 40);
    assert_int_equal(omrt_device_block_remaining((char *)d + 100, NULL), 0);
    assert_int_equal(omrt_device_block_remaining(h, NULL), 0);
    assert_int_equal(omrt_device_block_remaining(NULL, NULL), 0);
    expect(omrt_free_device(h), OMRT_ERR_INVALID_HANDLE, "it is host memory");
    expect(omrt_free_host(d), OMRT_ERR_INVALID_HANDLE, "it is device memory");
    expect(omrt_free_device((char *)d + 8), OMRT_ERR_INVALID_HANDLE, "not the start");
    expect(omrt_free_device(NULL), OMRT_ERR_INVALID_ARGUMENT, "NULL");
    expect(omrt_free_host(NULL), OMRT_ERR_INVALID_ARGUMENT, "NULL");
    expect(omrt_free_device(d), OMRT_OK, NULL);
    expect(omrt_free_device(d), OMRT_ERR_INVALID_HANDLE, NULL);
    expect(omrt_free_host(h), OMRT_OK, NULL);
    expect(omrt_free_host(h), OMRT_ERR_INVALID_HANDLE, NULL);
    /* many blocks: the sorted registry finds each */
    void *b[200];
    for (int i = 0; i < 200; i++)
        expect(omrt_malloc_device((size_t)(i + 1) * 8, &b[i]), OMRT_OK, NULL);
    for (int i = 0; i < 200; i++)
        assert_int_equal(omrt_device_block_remaining(b[i], NULL), (size_t)(i + 1) * 8);
    for (int i = 199; i >= 0; i -= 2)
        expect(omrt_free_device(b[i]), OMRT_OK, NULL);
    for (int i = 0; i < 200; i += 2)
        assert_int_equal(omrt_device_block_remaining(b[i], NULL), (size_t)(i + 1) * 8);
    for (int i = 0; i < 200; i += 2)
        expect(omrt_free_device(b[i]), OMRT_OK, NULL);
}

/* Whether the kernel marks the mapping holding p for transparent huge pages (MADV_HUGEPAGE:
 * "hg" in its smaps VmFlags): 1 or 0, -1 when the system cannot tell (no THP, no /proc). */
static int huge_page_advised(const void *p)
{
    char mode[128] = "";
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (!f)
        return -1;
    bool thp = fgets(mode, sizeof mode, f) && !strstr(mode, "[never]");
    fclose(f);
    if (!thp || !(f = fopen("/proc/self/smaps", "r")))
        return -1;
    char line[512];
    int in = 0, found = -1;
    while (found < 0 && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)
            in = (uintptr_t)p >= lo && (uintptr_t)p < hi;
        else if (in && !strncmp(line, "VmFlags:", 8))
            found = strstr(line, " hg") != NULL;
    }
    fclose(f);
    return found;
}

/* Blocks of 1 MiB and more come from their own mapping (from 4 MiB 2 MiB-aligned and advised
 * for transparent huge pages, whole multiples of 2 MiB included: 4 and 16 MiB once got a
 * plain mapping): sizes, lookups, copies across the end of the first huge page, freeing (an
 * munmap of the wrong span would fault or leak under the sanitizers), and the release of
 * blocks still live at finalize (teardown). */
static void test_large_blocks(void **state)
{
    enum { NB = 4 };
    const size_t sizes[NB] = {(size_t)1 << 20, ((size_t)5 << 20) + 3, ((size_t)4 << 20), ((size_t)16 << 20)};
    void *d[NB], *h[NB];
    for (int i = 0; i < NB; i++) {
        expect(omrt_malloc_device(sizes[i], &d[i]), OMRT_OK, NULL);
        expect(omrt_malloc_host(sizes[i], &h[i]), OMRT_OK, NULL);
        assert_int_equal(omrt_device_block_remaining(d[i], NULL), sizes[i]);
        assert_int_equal(omrt_device_block_remaining((char *)d[i] + sizes[i] - 1, NULL), 1);
        assert_int_equal((uintptr_t)h[i] % 64, 0);
        if (sizes[i] >= ((size_t)4 << 20)) {
            assert_int_equal((uintptr_t)d[i] % ((size_t)2 << 20), 0);
            assert_int_equal((uintptr_t)h[i] % ((size_t)2 << 20), 0);
            if (huge_page_advised(d[i]) == 0 || huge_page_advised(h[i]) == 0)
                fail_msg("a block of %zu bytes is not advised for huge pages", sizes[i]);
        }
    }
    uint8_t *src = h[1], *out = malloc(sizes[1]);
    assert_non_null(out);
    for (size_t k = 0; k < sizes[1]; k++)
        src[k] = (uint8_t)(k * 131 + (k >> 20));
    expect(omrt_memcpy(d[1], sizes[1], src, sizes[1], OMRT_COPY_HOST_TO_DEVICE), OMRT_OK, NULL);
    expect(omrt_memcpy(out, sizes[1], d[1], sizes[1], OMRT_COPY_DEVICE_TO_HOST), OMRT_OK, NULL);
    assert_memory_equal(out, src, sizes[1]);
    free(out);
    expect(omrt_free_device(d[1]), OMRT_OK, NULL);
    expect(omrt_free_host(h[1]), OMRT_OK, NULL);
    expect(omrt_free_device(d[1]), OMRT_ERR_INVALID_HANDLE, NULL);
    expect(omrt_free_device(d[0]), OMRT_OK, NULL);
    expect(omrt_free_host(h[0]), OMRT_OK, NULL);
    expect(omrt_free_device(d[3]), OMRT_OK, NULL);
    expect(omrt_free_host(h[3]), OMRT_OK, NULL);
    /* d[2] and h[2] stay live: omrt_finalize releases them */
}

static void test_no_context(void **state)
{
    omrt_devctx *c;
    expect(omrt_devctx_get_current(&c), OMRT_OK, NULL);
    expect(omrt_devctx_set_current(NULL), OMRT_OK, NULL);
    void *d;
    expect(omrt_malloc_device(8, &d), OMRT_ERR_INVALID_DEVICE, "no current context");
    expect(omrt_devctx_set_current(c), OMRT_OK, NULL);
}

static void test_copies_four_directions(void **state)
{
    enum { N = 256 };
    uint8_t src[N], out[N];
    for (int i = 0; i < N; i++)
        src[i] = (uint8_t)(i * 7 + 1);
    void *d1, *d2, *h;
    expect(omrt_malloc_device(N, &d1), OMRT_OK, NULL);
    expect(omrt_malloc_device(N, &d2), OMRT_OK, NULL);
    expect(omrt_malloc_host(N, &h), OMRT_OK, NULL);
    expect(omrt_memcpy(h, N, src, N, OMRT_COPY_HOST_TO_HOST), OMRT_OK, NULL);
    expect(omrt_memcpy(d1, N, h, N, OMRT_COPY_HOST_TO_DEVICE), OMRT_OK, NULL);
    expect(omrt_memcpy(d2, N, d1, N, OMRT_COPY_DEVICE_TO_DEVICE), OMRT_OK, NULL);
    memset(out, 0, N);
    expect(omrt_memcpy(out, N, d2, N, OMRT_COPY_DEVICE_TO_HOST), OMRT_OK, NULL);
    assert_memory_equal(out, src, N);
    /* DEFAULT infers the direction */
    expect(omrt_memset(d1, N, 0x5a, N), OMRT_OK, NULL);
    expect(omrt_memcpy(out, N, d1, N, OMRT_COPY_DEFAULT), OMRT_OK, NULL);
    for (int i = 0; i < N; i++)
        assert_int_equal(out[i], 0x5a);
    expect(omrt_memcpy(d1, N, src, N, OMRT_COPY_DEFAULT), OMRT_OK, NULL);
    expect(omrt_memcpy(out, N, d1, N, OMRT_COPY_DEVICE_TO_HOST), OMRT_OK, NULL);
    assert_memory_equal(out, src, N);
    /* count 0 is a no-op */
    expect(omrt_memcpy(d1, N, src, 0, OMRT_COPY_HOST_TO_DEVICE), OMRT_OK, NULL);
    /* partial copies inside a block */
    expect(omrt_memcpy((char *)d1 + 128, 128, src, 128, OMRT_COPY_HOST_TO_DEVICE), OMRT_OK, NULL);
    expect(omrt_memset(h, N, 1, 16), OMRT_OK, NULL);
    assert_int_equal(((uint8_t *)h)[15], 1);
    assert_int_equal(((uint8_t *)h)[16], src[16]);
    omrt_free_device(d1);
    omrt_free_device(d2);
    omrt_free_host(h);
}

static void test_copy_misuse(void **state)
{
    uint8_t host[128] = {0};
    void *d, *d2, *h;
    expect(omrt_malloc_device(64, &d), OMRT_OK, NULL);
    expect(omrt_malloc_device(64, &d2), OMRT_OK, NULL);
    expect(omrt_malloc_host(64, &h), OMRT_OK, NULL);
    expect(omrt_memcpy(host, 64, d, 64, OMRT_COPY_HOST_TO_DEVICE), OMRT_ERR_INVALID_ARGUMENT,
           "dst");
    expect(omrt_memcpy(d, 64, d2, 64, OMRT_COPY_HOST_TO_DEVICE), OMRT_ERR_INVALID_ARGUMENT,
           "src");
    expect(omrt_memcpy(d, 64, host, 64, OMRT_COPY_DEVICE_TO_HOST), OMRT_ERR_INVALID_ARGUMENT,
           "is device memory but the copy is device-to-host");
    expect(omrt_memcpy(host, 64, h, 64, OMRT_COPY_DEVICE_TO_HOST), OMRT_ERR_INVALID_ARGUMENT,
           "not device");
    expect(omrt_memcpy(d, 64, host, 64, OMRT_COPY_DEVICE_TO_DEVICE), OMRT_ERR_INVALID_ARGUMENT,
           "src");
    expect(omrt_memcpy(d, 64, host, 64, OMRT_COPY_HOST_TO_HOST), OMRT_ERR_INVALID_ARGUMENT,
           "host-to-host");
    expect(omrt_memcpy(d, 32, host, 64, OMRT_COPY_HOST_TO_DEVICE), OMRT_ERR_INVALID_ARGUMENT,
           "exceeds the destination size 32");
    expect(omrt_memcpy((char *)d + 32, 64, host, 64, OMRT_COPY_HOST_TO_DEVICE),
           OMRT_ERR_INVALID_ARGUMENT, "run past the end of its device block (32 bytes left)");
    expect(omrt_memcpy(host, 128, d, 128, OMRT_COPY_DEVICE_TO_HOST), OMRT_ERR_INVALID_ARGUMENT,
           "past the end");
    expect(omrt_memcpy(host, 128, h, 100, OMRT_COPY_HOST_TO_HOST), OMRT_ERR_INVALID_ARGUMENT,
           "host block");
    expect(omrt_memcpy(d, 64, host, 8, (omrt_copy_kind)9), OMRT_ERR_INVALID_ARGUMENT,
           "unknown copy kind 9");
    expect(omrt_memcpy(NULL, 64, host, 8, OMRT_COPY_HOST_TO_DEVICE), OMRT_ERR_INVALID_ARGUMENT,
           "NULL dst");
    expect(omrt_memcpy(d, 64, NULL, 8, OMRT_COPY_HOST_TO_DEVICE), OMRT_ERR_INVALID_ARGUMENT,
           "NULL src");
    /* memset */
    expect(omrt_memset(host, 128, 0, 8), OMRT_ERR_INVALID_ARGUMENT, "neither device nor host");
    expect(omrt_memset(d, 64, 0, 65), OMRT_ERR_INVALID_ARGUMENT, "exceeds");
    expect(omrt_memset((char *)d + 63, 64, 0, 2), OMRT_ERR_INVALID_ARGUMENT, "past the end");
    expect(omrt_memset(NULL, 64, 0, 2), OMRT_ERR_INVALID_ARGUMENT, "NULL dst");
    /* async: the same checks at enqueue */
    expect(omrt_memcpy_async(host, 64, d, 64, OMRT_COPY_HOST_TO_DEVICE, NULL),
           OMRT_ERR_INVALID_ARGUMENT, "dst");
    expect(omrt_memset_async(host, 64, 0, 8, NULL), OMRT_ERR_INVALID_ARGUMENT, "neither");
    expect(omrt_memcpy_async(d, 64, host, 64, OMRT_COPY_HOST_TO_DEVICE, (omrt_stream *)host),
           OMRT_ERR_INVALID_HANDLE, "not a live stream");
    expect(omrt_memset_async(d, 64, 0, 8, (omrt_stream *)host), OMRT_ERR_INVALID_HANDLE, NULL);
    omrt_free_device(d);
    omrt_free_device(d2);
    omrt_free_host(h);
}

static void test_devices_do_not_share(void **state)
{
    char *cfg = strdup("/tmp/omrt_cfg_XXXXXX");
    int fd = mkstemp(cfg);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "{\"devices\": 2}", 14), 14);
    close(fd);
    omrt_finalize();
    expect(omrt_init(cfg), OMRT_OK, NULL);
    unlink(cfg);
    free(cfg);
    void *a, *b;
    expect(omrt_device_set(0), OMRT_OK, NULL);
    expect(omrt_malloc_device(64, &a), OMRT_OK, NULL);
    expect(omrt_device_set(1), OMRT_OK, NULL);
    expect(omrt_malloc_device(64, &b), OMRT_OK, NULL);
    int32_t dev;
    omrt_device_block_remaining(b, &dev);
    assert_int_equal(dev, 1);
    expect(omrt_memcpy(b, 64, a, 64, OMRT_COPY_DEVICE_TO_DEVICE), OMRT_ERR_INVALID_ARGUMENT,
           "src is on device 0 and dst on device 1");
    expect(omrt_memcpy(b, 64, b, 64, OMRT_COPY_DEVICE_TO_DEVICE), OMRT_OK, NULL);
    expect(omrt_finalize(), OMRT_OK, NULL);
    expect(omrt_init(NULL), OMRT_OK, NULL);
    expect(omrt_device_set(0), OMRT_OK, NULL);
}

static void test_async_copies(void **state)
{
    enum { N = 4096 };
    omrt_stream *s;
    expect(omrt_stream_create(&s), OMRT_OK, NULL);
    uint8_t *src = malloc(N), *dst = malloc(N);
    void *d1, *d2, *h;
    expect(omrt_malloc_device(N, &d1), OMRT_OK, NULL);
    expect(omrt_malloc_device(N, &d2), OMRT_OK, NULL);
    expect(omrt_malloc_host(N, &h), OMRT_OK, NULL);
    for (int round = 0; round < 20; round++) {
        for (int i = 0; i < N; i++)
            src[i] = (uint8_t)(i * 31 + round);
        memset(dst, 0, N);
        /* every step depends on the previous one: only issue order gives the right answer */
        expect(omrt_memcpy_async(h, N, src, N, OMRT_COPY_HOST_TO_HOST, s), OMRT_OK, NULL);
        expect(omrt_memcpy_async(d1, N, h, N, OMRT_COPY_HOST_TO_DEVICE, s), OMRT_OK, NULL);
        expect(omrt_memset_async(d2, N, 0xee, N, s), OMRT_OK, NULL);
        expect(omrt_memcpy_async(d2, N, d1, N / 2, OMRT_COPY_DEVICE_TO_DEVICE, s), OMRT_OK, NULL);
        expect(omrt_memcpy_async(dst, N, d2, N, OMRT_COPY_DEVICE_TO_HOST, s), OMRT_OK, NULL);
        expect(omrt_stream_synchronize(s), OMRT_OK, NULL);
        assert_memory_equal(dst, src, N / 2);
        for (int i = N / 2; i < N; i++)
            assert_int_equal(dst[i], 0xee);
    }
    /* the default stream */
    expect(omrt_memcpy_async(d1, N, src, N, OMRT_COPY_HOST_TO_DEVICE, NULL), OMRT_OK, NULL);
    expect(omrt_memcpy_async(dst, N, d1, N, OMRT_COPY_DEVICE_TO_HOST, NULL), OMRT_OK, NULL);
    expect(omrt_stream_synchronize(NULL), OMRT_OK, NULL);
    assert_memory_equal(dst, src, N);
    expect(omrt_stream_destroy(s), OMRT_OK, NULL);
    omrt_free_device(d1);
    omrt_free_device(d2);
    omrt_free_host(h);
    free(src);
    free(dst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_alloc_free, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_blocks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_context, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copies_four_directions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_copy_misuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_devices_do_not_share, setup, teardown),
        cmocka_unit_test_setup_teardown(test_async_copies, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
