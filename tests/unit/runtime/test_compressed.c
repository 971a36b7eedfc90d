/* Format 1.2 compressed sections at the artifact level: the writer's layout (which sections it
 * encodes, the encoded header, CRCs over the stored bytes), a compressed artifact loading and
 * running with the reference results, damaged compressed sections giving errors that name the
 * section, 1.1 artifacts whose encoding field is not read, and allocation failures while
 * writing and loading compressed artifacts (malloc & co. wrapped as in test_faults.c). */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

static int inject(void) { return fail_at >= 0 && seen++ == fail_at; }

void *__wrap_malloc(size_t n) { return inject() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { return inject() ? NULL : __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { return inject() ? NULL : __real_realloc(p, n); }
int __wrap_posix_memalign(void **p, size_t a, size_t n)
{
    return inject() ? 12 /* ENOMEM */ : __real_posix_memalign(p, a, n);
}

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint8_t *entry(uint8_t *f, uint32_t kind)
{
    for (uint32_t i = 0; i < f[48]; i++)
        if (le(f + 64 + 32 * i, 4) == kind)
            return f + 64 + 32 * i;
    fail_msg("no section %u", kind);
    return NULL;
}

typedef rt_test_artifact fixture;

static int setup(void **state)
{
    *state = rt_test_artifact_new(64, true);
    return 0;
}

static int teardown(void **state)
{
    rt_test_artifact_free(*state);
    return 0;
}

static void test_layout(void **state)
{
    fixture *f = *state;
    uint8_t *b = f->file;
    assert_int_equal(le(b + 10, 2), 2);   /* format 1.2 */
    static const uint32_t raw_kinds[] = {OM_ART_SEC_TARGET, OM_ART_SEC_DESC, OM_ART_SEC_WEIGHTS};
    for (int i = 0; i < 3; i++)
        assert_int_equal(le(entry(b, raw_kinds[i]) + 28, 4), OM_ART_ENC_STORED);
    /* CODE (the fixture ELF object) compresses; GRAPH ("graph test { }\n") is too small */
    const uint8_t *e = entry(b, OM_ART_SEC_CODE);
    assert_int_equal(le(e + 28, 4), OM_ART_ENC_OMLZ);
    assert_int_equal(le(entry(b, OM_ART_SEC_GRAPH) + 28, 4), OM_ART_ENC_STORED);
    uint64_t off = le(e + 8, 8), sz = le(e + 16, 8);
    assert_true(sz < f->t.code_size);
    assert_int_equal(le(e + 24, 4), om_art_crc32(b + off, (size_t)sz));   /* stored bytes */
    assert_int_equal(le(b + off, 8), f->t.code_size);                     /* raw size */
    assert_int_equal(le(b + off + 8, 4), om_art_crc32(f->t.code, f->t.code_size));
    assert_int_equal(le(b + off + 12, 4), 0);
    /* WEIGHTS stays raw and 64-aligned in the file */
    const uint8_t *w = entry(b, OM_ART_SEC_WEIGHTS);
    assert_int_equal(le(w + 8, 8) % 64, 0);
    assert_memory_equal(b + le(w + 8, 8), f->t.weights, 64 * 4);

    om_art_model r;
    char err[256] = "";
    assert_int_equal(om_art_parse(b, f->size, &r, err, sizeof err), 0);
    assert_int_equal(r.code_size, f->t.code_size);
    assert_memory_equal(r.code, f->t.code, f->t.code_size);
    assert_ptr_equal(r.weights, b + le(w + 8, 8));   /* used in place */
    for (uint32_t i = 0; i < r.n_sections; i++)
        if (r.sections[i].kind == OM_ART_SEC_CODE) {
            assert_int_equal(r.sections[i].encoding, OM_ART_ENC_OMLZ);
            assert_int_equal(r.sections[i].size, sz);
            assert_int_equal(r.sections[i].raw_size, f->t.code_size);
        }
    om_art_model_free(&r);
    /* without the flag nothing is encoded (the 1.1 layout, minor 2) */
    f->t.m.compress = false;
    size_t plain_size;
    uint8_t *plain = rt_serialize(&f->t.m, &plain_size);
    f->t.m.compress = true;
    for (uint32_t i = 0; i < plain[48]; i++)
        assert_int_equal(le(plain + 64 + 32 * i + 28, 4), 0);
    assert_true(plain_size > f->size);
    free(plain);
}

static void test_loads_and_runs(void **state)
{
    fixture *f = *state;
    omrt_model *m = NULL;
    if (omrt_model_load_memory(f->file, f->size, &m) != OMRT_OK)
        fail_msg("%s", omrt_last_error());
    rt_test_run_check(m, f->t.weights);
}

/* Copies the artifact, lets `patch` damage CODE's payload or entry, fixes every checksum
 * unless told not to, and expects the reader's message to contain needle. */
static void expect_code_error(fixture *f, void (*patch)(uint8_t *file, uint8_t *e, uint64_t v),
                              uint64_t v, int fix, const char *needle)
{
    uint8_t *c = malloc(f->size);
    memcpy(c, f->file, f->size);
    patch(c, entry(c, OM_ART_SEC_CODE), v);
    if (fix)
        rt_fix_checksums(c, f->size);
    om_art_model m;
    char err[256] = "";
    if (om_art_parse(c, f->size, &m, err, sizeof err) != -1)
        fail_msg("damage %" PRIu64 " accepted (expected '%s')", v, needle);
    if (!strstr(err, needle))
        fail_msg("message '%s' lacks '%s'", err, needle);
    om_art_model_free(&m);
    free(c);
}

static void p_raw_size(uint8_t *c, uint8_t *e, uint64_t v) { rt_put(c, le(e + 8, 8), v, 8); }
static void p_raw_crc(uint8_t *c, uint8_t *e, uint64_t v) { rt_put(c, le(e + 8, 8) + 8, v, 4); }
static void p_size(uint8_t *c, uint8_t *e, uint64_t v) { (void)c; rt_put(e, 16, v, 8); }
static void p_encoding(uint8_t *c, uint8_t *e, uint64_t v) { (void)c; rt_put(e, 28, v, 4); }
static void p_byte(uint8_t *c, uint8_t *e, uint64_t v) { c[le(e + 8, 8) + v] ^= 0x10; }

static void test_damaged_code_section(void **state)
{
    fixture *f = *state;
    uint64_t raw = f->t.code_size, sz = le(entry(f->file, OM_ART_SEC_CODE) + 16, 8);
    char want[160];
    snprintf(want, sizeof want, "section CODE: corrupt OMLZ data: stream ends after %" PRIu64
             " of the declared %" PRIu64 " bytes", raw, raw + 1);
    expect_code_error(f, p_raw_size, raw + 1, 1, want);
    expect_code_error(f, p_raw_size, raw - 1, 1, "section CODE: corrupt OMLZ data: ");
    expect_code_error(f, p_raw_size, (uint64_t)1 << 40, 1,
                      "section CODE: OMLZ raw size 1099511627776 is over the limit");
    expect_code_error(f, p_raw_size, UINT64_MAX, 1, "section CODE: OMLZ raw size");
    expect_code_error(f, p_raw_crc, 0x12345678, 1,
                      "checksum mismatch in section CODE after decoding (stored 0x12345678");
    expect_code_error(f, p_size, sz - 1, 1, "section CODE: corrupt OMLZ data: truncated stream");
    expect_code_error(f, p_size, 15, 1, "section CODE: OMLZ section of 15 bytes is shorter than "
                                        "its 16-byte header");
    expect_code_error(f, p_encoding, 9, 1, "section CODE: unknown encoding 9");
    /* WEIGHTS is used in place (64-aligned): an encoded WEIGHTS is refused */
    uint8_t *wc = malloc(f->size);
    memcpy(wc, f->file, f->size);
    rt_put(entry(wc, OM_ART_SEC_WEIGHTS), 28, OM_ART_ENC_OMLZ, 4);
    rt_fix_checksums(wc, f->size);
    om_art_model wm;
    char werr[256] = "";
    assert_int_equal(om_art_parse(wc, f->size, &wm, werr, sizeof werr), -1);
    assert_string_equal(werr, "section WEIGHTS: encoding 1 not allowed (weights are stored raw "
                              "and used in place)");
    free(wc);
    expect_code_error(f, p_byte, 20, 0, "checksum mismatch in section CODE (stored");
    /* a flipped bit anywhere in the stream: refused naming CODE, or (a bit that does not
     * change the output: padding, or a distance moved within a run of equal bytes) the very
     * same CODE bytes; most flips must be refused */
    int refused = 0;
    uint8_t *d = malloc(f->size);
    for (uint64_t at = 16; at < sz; at++) {
        memcpy(d, f->file, f->size);
        p_byte(d, entry(d, OM_ART_SEC_CODE), at);
        rt_fix_checksums(d, f->size);
        om_art_model r;
        char err[256] = "";
        if (om_art_parse(d, f->size, &r, err, sizeof err) == 0) {
            assert_int_equal(r.code_size, raw);
            assert_memory_equal(r.code, f->t.code, raw);
            om_art_model_free(&r);
        } else {
            if (!strstr(err, "section CODE"))
                fail_msg("byte %" PRIu64 ": '%s' does not name CODE", at, err);
            refused++;
        }
    }
    free(d);
    assert_true(refused > (int)(sz - 16) * 3 / 4);
    /* and the runtime's load names it too */
    uint8_t *c = malloc(f->size);
    memcpy(c, f->file, f->size);
    p_raw_size(c, entry(c, OM_ART_SEC_CODE), raw + 1);
    rt_fix_checksums(c, f->size);
    omrt_model *m = NULL;
    assert_int_equal(omrt_model_load_memory(c, f->size, &m), OMRT_ERR_INVALID_ARTIFACT);
    assert_null(m);
    if (!strstr(omrt_last_error(), "section CODE: corrupt OMLZ data"))
        fail_msg("'%s'", omrt_last_error());
    free(c);
}

/* Before 1.2 the field was reserved: a 1.1 reader ignored it, and so does this one. */
static void test_encoding_field_ignored_before_1_2(void **state)
{
    fixture *f = *state;
    f->t.m.compress = false;
    size_t size;
    uint8_t *c = rt_serialize(&f->t.m, &size);
    f->t.m.compress = true;
    rt_put(entry(c, OM_ART_SEC_PLAN), 28, 1, 4);
    rt_put(c, 10, 1, 2);
    rt_fix_checksums(c, size);
    om_art_model m;
    char err[256] = "";
    if (om_art_parse(c, size, &m, err, sizeof err) != 0)
        fail_msg("1.1 artifact refused: %s", err);
    assert_int_equal(m.minor, 1);
    om_art_model_free(&m);
    rt_put(c, 10, 2, 2);   /* as 1.2 the stored PLAN is read as OMLZ: refused, named */
    rt_fix_checksums(c, size);
    assert_int_equal(om_art_parse(c, size, &m, err, sizeof err), -1);
    if (!strstr(err, "section PLAN"))
        fail_msg("'%s'", err);
    free(c);
}

static void arm(long n)
{
    fail_at = n;
    seen = 0;
}

static void test_allocation_failures(void **state)
{
    fixture *f = *state;
    int complete = 0;
    for (long k = 0; k < 10000 && !complete; k++) {   /* writing */
        void *out = NULL;
        size_t size = 0;
        char err[256] = "";
        arm(k);
        int rc = om_art_serialize(&f->t.m, &out, &size, err, sizeof err);
        long allocations = seen;
        fail_at = -1;
        if (rc == 0)
            complete = allocations <= k;
        else if (strcmp(err, "out of memory while serializing the artifact") != 0)
            fail_msg("allocation %ld: %s", k, err);
        free(out);
    }
    assert_true(complete);
    complete = 0;
    for (long k = 0; k < 10000 && !complete; k++) {   /* loading */
        omrt_model *m = NULL;
        arm(k);
        omrt_status st = omrt_model_load_memory(f->file, f->size, &m);
        long allocations = seen;
        fail_at = -1;
        if (st == OMRT_OK)
            complete = allocations <= k;
        else if (st != OMRT_ERR_NO_MEMORY)
            fail_msg("allocation %ld: %s (%s)", k, omrt_status_name(st), omrt_last_error());
        omrt_model_destroy(m);
    }
    assert_true(complete);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_loads_and_runs),
        cmocka_unit_test(test_damaged_code_section),
        cmocka_unit_test(test_encoding_field_ignored_before_1_2),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
