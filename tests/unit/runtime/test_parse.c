/* om_art_parse on damaged artifacts: every kind of damage gives -1 and a message that names
 * the problem, never a crash (run under ASan with OMC_SANITIZE=ON). Semantic damage is made
 * with valid checksums (rt_fix_checksums) so that it reaches the table checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/runtime/rt_test_util.h"

typedef rt_test_artifact fixture;

static int setup(void **state)
{
    *state = rt_test_artifact_new(50, false);
    return 0;
}

static int teardown(void **state)
{
    rt_test_artifact_free(*state);
    return 0;
}

/* Parses a copy of buf[0..size) (exact-size heap copy so ASan sees any over-read). */
static int parse_copy(const uint8_t *buf, size_t size, char *err, size_t errlen)
{
    uint8_t *c = malloc(size ? size : 1);
    memcpy(c, buf, size);
    om_art_model m;
    int rc = om_art_parse(c, size, &m, err, errlen);
    om_art_model_free(&m);
    free(c);
    return rc;
}

static void expect_error(const uint8_t *buf, size_t size, const char *needle)
{
    char err[256] = "";
    assert_int_equal(parse_copy(buf, size, err, sizeof err), -1);
    if (!strstr(err, needle))
        fail_msg("message '%s' lacks '%s'", err, needle);
}

static void test_valid_parses(void **state)
{
    fixture *f = *state;
    char err[256] = "";
    assert_int_equal(parse_copy(f->file, f->size, err, sizeof err), 0);
}

static void test_bad_magic(void **state)
{
    fixture *f = *state;
    uint8_t *c = malloc(f->size);
    memcpy(c, f->file, f->size);
    c[3] ^= 0x20;
    expect_error(c, f->size, "bad magic: not an .om artifact");
    expect_error(c, 0, "bad magic");
    expect_error((const uint8_t *)"\x7f" "ELF", 4, "bad magic");
    free(c);
}

static void test_truncated_everywhere_in_header_and_table(void **state)
{
    fixture *f = *state;
    size_t table_end = 64 + 6 * 32;
    for (size_t n = 0; n < table_end; n++) {
        char err[256] = "";
        assert_int_equal(parse_copy(f->file, n, err, sizeof err), -1);
        if (n >= 8 && !strstr(err, "truncated"))
            fail_msg("length %zu: message '%s' lacks 'truncated'", n, err);
    }
}

static void test_truncated_inside_each_section(void **state)
{
    fixture *f = *state;
    for (uint32_t kind = OM_ART_SEC_TARGET; kind <= OM_ART_SEC_CODE; kind++) {
        size_t sz, off = rt_section_offset(f->file, kind, &sz);
        char needle[64];
        snprintf(needle, sizeof needle, "truncated: section %s ends at", om_art_section_name(kind));
        if (kind == OM_ART_SEC_GRAPH || sz == 0)
            continue;
        size_t cuts[] = {off, off + 1, off + sz / 2, off + sz - 1};
        for (size_t i = 0; i < 4; i++)
            expect_error(f->file, cuts[i], needle);
    }
    /* and every length from the table end to the file end, in coarse steps */
    for (size_t n = 64 + 6 * 32; n < f->size; n += 7)
        expect_error(f->file, n, "truncated");
}

static void test_flipped_byte_in_each_section(void **state)
{
    fixture *f = *state;
    uint8_t *c = malloc(f->size);
    for (uint32_t kind = OM_ART_SEC_TARGET; kind <= OM_ART_SEC_CODE; kind++) {
        size_t sz, off = rt_section_offset(f->file, kind, &sz);
        size_t at[] = {off, off + sz / 2, off + sz - 1};
        char needle[64];
        snprintf(needle, sizeof needle, "checksum mismatch in section %s", om_art_section_name(kind));
        for (int i = 0; i < 3; i++) {
            memcpy(c, f->file, f->size);
            c[at[i]] ^= 0x01;
            expect_error(c, f->size, needle);
        }
    }
    memcpy(c, f->file, f->size);
    c[20] ^= 0x40; /* producer: header CRC */
    expect_error(c, f->size, "header checksum mismatch");
    memcpy(c, f->file, f->size);
    c[64 + 32 + 16] ^= 0x01; /* DESC size: table CRC */
    expect_error(c, f->size, "section table checksum mismatch");
    free(c);
}

static void test_versions(void **state)
{
    fixture *f = *state;
    uint8_t *c = malloc(f->size);
    memcpy(c, f->file, f->size);
    rt_put(c, 8, 2, 2);
    rt_put(c, 10, 0, 2);
    rt_fix_checksums(c, f->size);
    expect_error(c, f->size, "unsupported .om format version 2.0: this runtime reads 1.x");
    rt_put(c, 8, 0, 2); /* an older, unknown major is refused too */
    expect_error(c, f->size, "unsupported .om format version 0.0");
    /* a newer minor of the same major is accepted */
    rt_put(c, 8, 1, 2);
    rt_put(c, 10, 7, 2);
    rt_fix_checksums(c, f->size);
    om_art_model m;
    char err[256] = "";
    assert_int_equal(om_art_parse(c, f->size, &m, err, sizeof err), 0);
    assert_int_equal(m.minor, 7);
    om_art_model_free(&m);
    free(c);
}

static void test_header_fields(void **state)
{
    fixture *f = *state;
    uint8_t *c = malloc(f->size);
    memcpy(c, f->file, f->size);
    rt_put(c, 12, 128, 4);
    rt_fix_checksums(c, f->size);
    expect_error(c, f->size, "bad header size 128");
    memcpy(c, f->file, f->size);
    rt_put(c, 48, 0, 4);
    rt_fix_checksums(c, f->size);
    expect_error(c, f->size, "bad section count 0");
    rt_put(c, 48, 100000, 4);
    rt_put(c, 60, om_art_crc32(c, 60), 4);
    expect_error(c, f->size, "bad section count 100000");
    free(c);
}

/* Removes table entry `idx` (later entries move up; payload offsets stay valid). */
static size_t drop_section(uint8_t *c, size_t size, uint32_t kind)
{
    uint32_t n = c[48];
    for (uint32_t i = 0; i < n; i++)
        if (c[64 + 32 * i] == kind) {
            memmove(c + 64 + 32 * i, c + 64 + 32 * (i + 1), 32 * (n - i - 1));
            memset(c + 64 + 32 * (n - 1), 0, 32);
            rt_put(c, 48, n - 1, 4);
            rt_fix_checksums(c, size);
            return size;
        }
    fail_msg("no section %u", kind);
    return 0;
}

static void test_missing_sections(void **state)
{
    fixture *f = *state;
    uint8_t *c = malloc(f->size);
    const uint32_t required[] = {OM_ART_SEC_TARGET, OM_ART_SEC_DESC, OM_ART_SEC_PLAN, OM_ART_SEC_CODE};
    for (int i = 0; i < 4; i++) {
        memcpy(c, f->file, f->size);
        drop_section(c, f->size, required[i]);
        char needle[64];
        snprintf(needle, sizeof needle, "missing required section %s", om_art_section_name(required[i]));
        expect_error(c, f->size, needle);
    }
    /* GRAPH and WEIGHTS are optional, but then weight tensors do not fit */
    memcpy(c, f->file, f->size);
    drop_section(c, f->size, OM_ART_SEC_GRAPH);
    char err[256] = "";
    assert_int_equal(parse_copy(c, f->size, err, sizeof err), 0);
    drop_section(c, f->size, OM_ART_SEC_WEIGHTS);
    expect_error(c, f->size, "weight tensor 2");
    free(c);
}

static uint8_t *entry(uint8_t *c, uint32_t kind)
{
    for (uint32_t i = 0; i < c[48]; i++)
        if (c[64 + 32 * i] == kind)
            return c + 64 + 32 * i;
    return NULL;
}

static void test_table_entries(void **state)
{
    fixture *f = *state;
    uint8_t *c = malloc(f->size);
    size_t plan_size, plan = rt_section_offset(f->file, OM_ART_SEC_PLAN, &plan_size);
    size_t graph = rt_section_offset(f->file, OM_ART_SEC_GRAPH, NULL);

    memcpy(c, f->file, f->size);
    rt_put(entry(c, OM_ART_SEC_PLAN), 4, 12, 4);
    rt_fix_checksums(c, f->size);
    expect_error(c, f->size, "section PLAN: bad alignment 12");

    memcpy(c, f->file, f->size);
    rt_put(entry(c, OM_ART_SEC_WEIGHTS), 4, 8, 4);
    rt_fix_checksums(c, f->size);
    expect_error(c, f->size, "section WEIGHTS: alignment 8 below 64");

    memcpy(c, f->file, f->size);
    rt_put(entry(c, OM_ART_SEC_PLAN), 8, plan + 4, 8);
    rt_fix_checksums(c, f->size);
    expect_error(c, f->size, "section PLAN: offset");

    memcpy(c, f->file, f->size);
    rt_put(entry(c, OM_ART_SEC_PLAN), 16, UINT64_MAX - 8, 8);
    rt_fix_checksums(c, f->size);
    expect_error(c, f->size, "section PLAN");

    memcpy(c, f->file, f->size);
    rt_put(entry(c, OM_ART_SEC_GRAPH), 8, plan, 8); /* GRAPH on top of PLAN */
    rt_put(entry(c, OM_ART_SEC_GRAPH), 16, 16, 8);
    rt_fix_checksums(c, f->size);
    expect_error(c, f->size, "sections PLAN and GRAPH overlap");

    memcpy(c, f->file, f->size);
    rt_put(entry(c, OM_ART_SEC_GRAPH), 0, OM_ART_SEC_PLAN, 4);
    rt_fix_checksums(c, f->size);
    expect_error(c, f->size, "duplicate section PLAN");

    memcpy(c, f->file, f->size);
    rt_put(entry(c, OM_ART_SEC_DESC), 8, 64, 8); /* inside the table */
    rt_fix_checksums(c, f->size);
    expect_error(c, f->size, "section DESC: offset 64 inside the header or section table");

    /* an unknown kind (a later minor's section) is ignored */
    memcpy(c, f->file, f->size);
    rt_put(entry(c, OM_ART_SEC_GRAPH), 0, 42, 4);
    rt_fix_checksums(c, f->size);
    char err[256] = "";
    assert_int_equal(parse_copy(c, f->size, err, sizeof err), 0);
    (void)graph;
    free(c);
}

/* Patches the PLAN payload at `at` with v (n bytes), fixes checksums, expects needle. */
static void plan_patch(fixture *f, size_t at, uint64_t v, int n, const char *needle)
{
    uint8_t *c = malloc(f->size);
    memcpy(c, f->file, f->size);
    size_t plan = rt_section_offset(c, OM_ART_SEC_PLAN, NULL);
    rt_put(c, plan + at, v, n);
    rt_fix_checksums(c, f->size);
    expect_error(c, f->size, needle);
    free(c);
}

static void test_plan_damage(void **state)
{
    fixture *f = *state;
    const om_art_model *m = &f->t.m;
    size_t w = rt_plan_tensor_offset(RT_T_W), u = rt_plan_tensor_offset(RT_T_U);
    size_t a = rt_plan_tensor_offset(RT_T_A);
    plan_patch(f, w + 16, 64, 8, "weight tensor 2 [64, +200) lies outside WEIGHTS (200 bytes)");
    plan_patch(f, w + 16, 8, 8, "weight tensor 2 offset 8 is not 64-byte aligned");
    plan_patch(f, w + 24, UINT64_MAX, 8, "weight tensor 2");
    plan_patch(f, u + 16, m->arena_size, 8, "arena tensor 4");
    plan_patch(f, u + 24, UINT64_MAX - 10, 8, "lies outside the arena");
    plan_patch(f, 0, 100, 8, "arena tensor 3 [0, +200) lies outside the arena (100 bytes)");
    plan_patch(f, a + 0, 9, 4, "tensor 0 has unknown kind 9");
    plan_patch(f, a + 4, 8, 4, "tensor 0 has unknown dtype 8");      /* string */
    plan_patch(f, a + 8, 2, 4, "tensor 0 refers to input 2 but the model has 2");
    plan_patch(f, 8, 0x10000000, 4, "tensor count 268435456 needs at least");
    size_t s2 = rt_plan_step_offset(m, 2);
    plan_patch(f, s2 + 0, 5, 4, "step 2 uses kernel 5 but there are 5");
    plan_patch(f, s2 + 4, 0x7fffffff, 4, "section PLAN is truncated");
    plan_patch(f, s2 + 8, 0, 8, "step 2 (ops_f32) has work_items 0");
    plan_patch(f, s2 + 8, (uint64_t)-5, 8, "work_items -5");
    plan_patch(f, s2 + 16 + 4, 7, 4, "step 2 (ops_f32) arg 1 refers to tensor 7 but there are 7");
    /* an empty kernel name */
    size_t k0 = rt_plan_tensor_offset(RT_N_TENSORS) + 4;
    plan_patch(f, k0, 0, 4, "section PLAN: kernel name 0 is empty");
    plan_patch(f, k0, 0xFFFFFF, 4, "section PLAN is truncated");
}

static void desc_patch(fixture *f, size_t at, uint64_t v, int n, const char *needle)
{
    uint8_t *c = malloc(f->size);
    memcpy(c, f->file, f->size);
    size_t desc = rt_section_offset(c, OM_ART_SEC_DESC, NULL);
    rt_put(c, desc + at, v, n);
    rt_fix_checksums(c, f->size);
    expect_error(c, f->size, needle);
    free(c);
}

static void test_desc_damage(void **state)
{
    fixture *f = *state;
    /* input 0: count(4) | len(4) "a" | dtype | rank | dims[2] | nbytes | tensor */
    size_t io0 = 4, dtype = io0 + 5, rank = dtype + 4, dim0 = rank + 4, nbytes = dim0 + 16;
    size_t tensor = nbytes + 8;
    desc_patch(f, 0, 0x40000000, 4, "input count 1073741824 needs at least");
    desc_patch(f, io0, 1000, 4, "section DESC is truncated");
    desc_patch(f, io0 + 4, 0, 1, "contains a NUL byte");
    desc_patch(f, dtype, 0, 4, "input 0 'a' has unknown dtype 0");
    desc_patch(f, dtype, 6, 4, "dtype/nbytes 6/200 differ from tensor 0's 1/200"); /* int32, same size */
    desc_patch(f, rank, 9, 4, "input 0 'a' has rank 9 > 8");
    desc_patch(f, dim0, (uint64_t)-1, 8, "input 0 'a' dim 0 is -1");
    desc_patch(f, dim0, 2, 8, "nbytes 200 does not match its shape and dtype");
    desc_patch(f, tensor, 1, 4, "input 0 'a' refers to tensor 1 which is not input 0");
    desc_patch(f, tensor, RT_T_W, 4, "which is not input 0");
    desc_patch(f, tensor, 1000, 4, "input 0 'a' refers to tensor 1000 but PLAN has 7");
}

static void test_null_arguments(void **state)
{
    fixture *f = *state;
    char err[128];
    assert_int_equal(om_art_parse(f->file, f->size, NULL, err, sizeof err), -1);
    om_art_model m;
    assert_int_equal(om_art_parse(NULL, 10, &m, err, sizeof err), -1);
    assert_int_equal(om_art_parse(f->file, 4, &m, NULL, 0), -1); /* no message buffer: fine */
    om_art_model_free(NULL);
    assert_string_equal(om_art_section_name(OM_ART_SEC_WEIGHTS), "WEIGHTS");
    assert_string_equal(om_art_section_name(99), "?");
}

/* Deterministic pseudo-random byte damage: never crashes, always either parses or fails. */
static void test_random_damage(void **state)
{
    fixture *f = *state;
    uint8_t *c = malloc(f->size);
    uint32_t x = 12345;
    for (int it = 0; it < 400; it++) {
        memcpy(c, f->file, f->size);
        for (int k = 0; k < 3; k++) {
            x = x * 1103515245u + 12345u;
            size_t at = (x >> 8) % (64 + 6 * 32 + 600 < f->size ? 64 + 6 * 32 + 600 : f->size);
            c[at] = (uint8_t)(x >> 3);
        }
        if (it & 1)
            rt_fix_checksums(c, f->size);
        char err[256];
        (void)parse_copy(c, f->size, err, sizeof err);
    }
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_parses),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_truncated_everywhere_in_header_and_table),
        cmocka_unit_test(test_truncated_inside_each_section),
        cmocka_unit_test(test_flipped_byte_in_each_section),
        cmocka_unit_test(test_versions),
        cmocka_unit_test(test_header_fields),
        cmocka_unit_test(test_missing_sections),
        cmocka_unit_test(test_table_entries),
        cmocka_unit_test(test_plan_damage),
        cmocka_unit_test(test_desc_damage),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_random_damage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
