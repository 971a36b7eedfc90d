/* Allocation-failure tests (SQLite's *fault.test idea): the Nth allocation made by the
 * runtime fails, for every N until the operation no longer allocates that much; each public
 * call must then either succeed or report out-of-memory cleanly (no crash, no leak under
 * ASan, *out NULL). malloc/calloc/realloc/posix_memalign are wrapped with the linker's
 * --wrap (allocations inside libc itself, e.g. by pthread_create, are not counted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/include/omrt.h"
#include "tests/unit/runtime/rt_test_util.h"

static long fail_at = -1, seen;

void *__real_malloc(size_t);
void *__real_calloc(size_t, size_t);
void *__real_realloc(void *, size_t);
int __real_posix_memalign(void **, size_t, size_t);

static int inject(void)
{
    return fail_at >= 0 && seen++ == fail_at;
}

void *__wrap_malloc(size_t n) { return inject() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { return inject() ? NULL : __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { return inject() ? NULL : __real_realloc(p, n); }
int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
    return inject() ? 12 /* ENOMEM */ : __real_posix_memalign(p, a, n);
}

static void arm(long n) { fail_at = n; seen = 0; }

static void test_load_create_execute(void **state)
{
    rt_test_model t;
    rt_test_model_init(&t, 64);
    size_t size;
    uint8_t *f = rt_serialize(&t.m, &size);
    float a[64] = {0}, b[64] = {0}, o0[64], o1[64];
    const void *in[2] = {a, b};
    void *out[2] = {o0, o1};
    int complete = 0;
    for (long k = 0; k < 10000 && !complete; k++) {
        omrt_model *m = NULL;
        omrt_context *c = NULL;
        omrt_context_opts o = {2};
        arm(k);
        omrt_status st = omrt_model_load_memory(f, size, &m);
        if (st == OMRT_OK)
            st = omrt_context_create(m, &o, &c);
        long allocations = seen;
        fail_at = -1;
        if (st == OMRT_OK) {
            assert_int_equal(omrt_execute(c, in, out), OMRT_OK);
            complete = allocations <= k; /* nothing failed: every allocation was covered */
        } else if (st != OMRT_ERR_NO_MEMORY) {
            fail_msg("allocation %ld: status %s (%s)", k, omrt_status_name(st), omrt_last_error());
        } else {
            assert_true(strlen(omrt_last_error()) > 0);
        }
        omrt_context_destroy(c);
        omrt_model_destroy(m);
    }
    assert_true(complete);
    assert_true(seen > 20); /* the last, complete run made many allocations, all covered */
    free(f);
    rt_test_model_free(&t);
}

static void test_serialize_and_parse(void **state)
{
    rt_test_model t;
    rt_test_model_init(&t, 64);
    int complete = 0;
    for (long k = 0; k < 10000 && !complete; k++) {
        void *out = NULL;
        size_t size = 0;
        char err[256] = "";
        arm(k);
        int rc = om_art_serialize(&t.m, &out, &size, err, sizeof err);
        long allocations = seen;
        fail_at = -1;
        if (rc == 0) {
            complete = allocations <= k;
            free(out);
        } else if (strcmp(err, "out of memory while serializing the artifact") != 0) {
            fail_msg("allocation %ld: %s", k, err);
        }
    }
    assert_true(complete);
    rt_test_model_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_create_execute),
        cmocka_unit_test(test_serialize_and_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
