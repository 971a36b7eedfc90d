/* runtime/file_map.c: a regular file is mapped (page-aligned, same bytes), an empty file
 * gives zero bytes, a FIFO is read through growing anonymous pages (larger than the first
 * 1 MiB chunk, so the doubling runs), a directory or device is refused; buffer copies; and
 * a model loads from a mapped file and from a FIFO, while a flipped WEIGHTS byte in the
 * mapped file is still named by its checksum. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/file_map.h"
#include "runtime/include/omrt.h"
#include "rt_test_util.h"

typedef struct fixture {
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/om_rt_file_map_XXXXXX");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

static uint8_t *pattern(size_t n, unsigned seed)
{
    uint8_t *b = malloc(n ? n : 1);
    assert_non_null(b);
    uint32_t s = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        b[i] = (uint8_t)(s >> 16);
    }
    return b;
}

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(data, 1, n, fp), n);
    assert_int_equal(fclose(fp), 0);
}

static int page_aligned(const void *p)
{
    return ((uintptr_t)p % (uintptr_t)sysconf(_SC_PAGESIZE)) == 0;
}

static void test_regular_file(void **state)
{
    fixture *f = *state;
    char path[128];
    snprintf(path, sizeof path, "%s/data.bin", f->dir);
    size_t n = 100001;
    uint8_t *want = pattern(n, 1), *data = NULL;
    write_file(path, want, n);
    size_t size = 0;
    assert_int_equal(om_rt_file_map(path, &data, &size), OMRT_OK);
    assert_int_equal(size, n);
    assert_true(page_aligned(data));
    assert_memory_equal(data, want, n);
    om_rt_file_unmap(data, size);

    snprintf(path, sizeof path, "%s/empty.bin", f->dir);
    write_file(path, "", 0);
    assert_int_equal(om_rt_file_map(path, &data, &size), OMRT_OK);
    assert_int_equal(size, 0);
    assert_non_null(data);
    om_rt_file_unmap(data, size);
    om_rt_file_unmap(NULL, 0);
    free(want);
}

static void test_refused(void **state)
{
    fixture *f = *state;
    char path[128];
    uint8_t *data = (uint8_t *)1;
    size_t size = 7;
    assert_int_equal(om_rt_file_map(f->dir, &data, &size), OMRT_ERR_IO);
    assert_non_null(strstr(omrt_last_error(), "not a regular file"));
    assert_null(data);
    assert_int_equal(size, 0);
    assert_int_equal(om_rt_file_map("/dev/null", &data, &size), OMRT_ERR_IO);
    assert_non_null(strstr(omrt_last_error(), "/dev/null: not a regular file"));
    snprintf(path, sizeof path, "%s/missing.bin", f->dir);
    assert_int_equal(om_rt_file_map(path, &data, &size), OMRT_ERR_IO);
    assert_non_null(strstr(omrt_last_error(), "missing.bin: cannot open"));
}

typedef struct fifo_writer {
    const char *path;
    const uint8_t *data;
    size_t n;
    int ok;
} fifo_writer;

static void *write_fifo(void *arg)
{
    fifo_writer *w = arg;
    FILE *fp = fopen(w->path, "wb"); /* blocks until the reader opens */
    if (!fp)
        return NULL;
    w->ok = fwrite(w->data, 1, w->n, fp) == w->n;
    w->ok &= fclose(fp) == 0;
    return NULL;
}

/* Maps path (a FIFO fed with data[0..n) by a thread) and checks the bytes. */
static void map_fifo(const char *path, const uint8_t *want, size_t n)
{
    assert_int_equal(mkfifo(path, 0600), 0);
    fifo_writer w = {path, want, n, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, write_fifo, &w), 0);
    uint8_t *data = NULL;
    size_t size = 0;
    omrt_status st = om_rt_file_map(path, &data, &size);
    pthread_join(th, NULL);
    assert_int_equal(st, OMRT_OK);
    assert_true(w.ok);
    assert_int_equal(size, n);
    assert_true(page_aligned(data));
    if (n)
        assert_memory_equal(data, want, n);
    om_rt_file_unmap(data, size);
    unlink(path);
}

static void test_fifo(void **state)
{
    fixture *f = *state;
    char path[128];
    snprintf(path, sizeof path, "%s/pipe", f->dir);
    size_t sizes[] = {0, 5, (1u << 20), (3u << 20) + 4097};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        uint8_t *want = pattern(sizes[i], (unsigned)i + 2);
        map_fifo(path, want, sizes[i]);
        free(want);
    }
}

static void test_copy(void **state)
{
    (void)state;
    size_t n = 70000;
    uint8_t *want = pattern(n, 9), *data = NULL;
    assert_int_equal(om_rt_file_copy(want, n, "<memory>", &data), OMRT_OK);
    assert_true(page_aligned(data));
    assert_memory_equal(data, want, n);
    om_rt_file_unmap(data, n);
    assert_int_equal(om_rt_file_copy(NULL, 0, "<memory>", &data), OMRT_OK);
    assert_non_null(data);
    om_rt_file_unmap(data, 0);
    free(want);
}

static void test_model_from_map_and_fifo(void **state)
{
    fixture *f = *state;
    char path[128];
    rt_test_model t;
    rt_test_model_init(&t, 16);
    size_t size;
    uint8_t *bytes = rt_serialize(&t.m, &size);

    snprintf(path, sizeof path, "%s/model.om", f->dir);
    write_file(path, bytes, size);
    omrt_model *m = NULL;
    assert_int_equal(omrt_model_load_file(path, &m), OMRT_OK);
    assert_int_equal(omrt_model_num_inputs(m), 2);
    assert_int_equal(omrt_model_weight_size(m), 16 * sizeof(float));
    omrt_model_destroy(m);

    /* a flipped weight byte in the mapped file is caught by the WEIGHTS checksum */
    size_t wsize, woff = rt_section_offset(bytes, OM_ART_SEC_WEIGHTS, &wsize);
    assert_true(wsize > 5);
    bytes[woff + 5] ^= 0x01;
    write_file(path, bytes, size);
    m = (omrt_model *)1;
    assert_int_equal(omrt_model_load_file(path, &m), OMRT_ERR_INVALID_ARTIFACT);
    assert_null(m);
    assert_non_null(strstr(omrt_last_error(), "model.om: checksum mismatch in section WEIGHTS"));
    bytes[woff + 5] ^= 0x01;

    snprintf(path, sizeof path, "%s/model.pipe", f->dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    fifo_writer w = {path, bytes, size, 0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, write_fifo, &w), 0);
    omrt_status st = omrt_model_load_file(path, &m);
    pthread_join(th, NULL);
    assert_int_equal(st, OMRT_OK);
    assert_int_equal(omrt_model_num_outputs(m), 2);
    omrt_model_destroy(m);
    free(bytes);
    rt_test_model_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_regular_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo, setup, teardown),
        cmocka_unit_test(test_copy),
        cmocka_unit_test_setup_teardown(test_model_from_map_and_fifo, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
