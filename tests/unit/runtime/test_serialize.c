/* om_art_serialize: byte layout, determinism, round trip through om_art_parse, and the
 * writer's refusal to produce an artifact the reader would reject. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/runtime/rt_test_util.h"

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void test_header_and_table_layout(void **state)
{
    (void)state;
    rt_test_model t;
    rt_test_model_init(&t, 100);
    size_t size;
    uint8_t *f = rt_serialize(&t.m, &size);
    assert_memory_equal(f, "OMCART\r\n", 8);
    assert_int_equal(le(f + 8, 2), OM_ART_MAJOR);
    assert_int_equal(le(f + 10, 2), OM_ART_MINOR);
    assert_int_equal(le(f + 12, 4), 64);
    assert_string_equal((const char *)f + 16, "omc " OMC_VERSION);
    assert_int_equal(le(f + 48, 4), 6);
    assert_int_equal(le(f + 52, 4), 0);
    assert_int_equal(le(f + 56, 4), om_art_crc32(f + 64, 6 * 32));
    assert_int_equal(le(f + 60, 4), om_art_crc32(f, 60));
    static const uint32_t kinds[6] = {OM_ART_SEC_TARGET, OM_ART_SEC_DESC, OM_ART_SEC_PLAN,
                                      OM_ART_SEC_GRAPH, OM_ART_SEC_WEIGHTS, OM_ART_SEC_CODE};
    uint64_t prev_end = 64 + 6 * 32;
    for (int i = 0; i < 6; i++) {
        const uint8_t *e = f + 64 + 32 * i;
        uint32_t align = (uint32_t)le(e + 4, 4);
        uint64_t off = le(e + 8, 8), sz = le(e + 16, 8);
        assert_int_equal(le(e, 4), kinds[i]);
        assert_int_equal(align, kinds[i] == OM_ART_SEC_WEIGHTS || kinds[i] == OM_ART_SEC_CODE ? 64 : 8);
        assert_int_equal(off % align, 0);
        assert_true(off >= prev_end && off - prev_end < align); /* minimal zero padding */
        for (uint64_t p = prev_end; p < off; p++)
            assert_int_equal(f[p], 0);
        assert_int_equal(le(e + 24, 4), om_art_crc32(f + off, (size_t)sz));
        assert_int_equal(le(e + 28, 4), 0);
        prev_end = off + sz;
    }
    assert_int_equal(prev_end, size);
    free(f);
    rt_test_model_free(&t);
}

static void test_deterministic(void **state)
{
    (void)state;
    rt_test_model t;
    rt_test_model_init(&t, 37);
    size_t s1, s2;
    uint8_t *a = rt_serialize(&t.m, &s1);
    uint8_t *b = rt_serialize(&t.m, &s2);
    assert_int_equal(s1, s2);
    assert_memory_equal(a, b, s1);
    free(a);
    free(b);
    rt_test_model_free(&t);
}

static void test_round_trip(void **state)
{
    (void)state;
    rt_test_model t;
    rt_test_model_init(&t, 77);
    size_t size;
    uint8_t *f = rt_serialize(&t.m, &size);
    om_art_model r;
    char err[256] = "";
    assert_int_equal(om_art_parse(f, size, &r, err, sizeof err), 0);
    assert_int_equal(r.major, OM_ART_MAJOR);
    assert_string_equal(r.producer, "omc " OMC_VERSION);
    assert_string_equal(r.triple, t.m.triple);
    assert_string_equal(r.cpu, t.m.cpu);
    assert_string_equal(r.features, t.m.features);
    assert_string_equal(r.required_x86, t.m.required_x86);
    assert_int_equal(r.n_inputs, 2);
    assert_string_equal(r.inputs[1].name, "b");
    assert_int_equal(r.inputs[1].rank, 2);
    assert_int_equal(r.inputs[1].dims[1], 77);
    assert_int_equal(r.inputs[1].nbytes, 77 * 4);
    assert_int_equal(r.inputs[1].tensor, RT_T_B);
    assert_string_equal(r.outputs[0].name, "out0");
    assert_int_equal(r.arena_size, t.m.arena_size);
    assert_int_equal(r.n_tensors, RT_N_TENSORS);
    assert_memory_equal(&r.tensors[RT_T_U], &t.tensors[RT_T_U], sizeof(om_art_tensor));
    assert_int_equal(r.n_kernels, RT_N_KERNELS);
    assert_string_equal(r.kernel_names[3], "bss_f32");
    assert_int_equal(r.n_steps, RT_N_STEPS);
    for (int s = 0; s < RT_N_STEPS; s++) {
        assert_int_equal(r.steps[s].kernel, t.steps[s].kernel);
        assert_int_equal(r.steps[s].n_args, t.steps[s].n_args);
        assert_int_equal(r.steps[s].work_items, 77);
        assert_memory_equal(r.steps[s].args, t.steps[s].args, 4 * t.steps[s].n_args);
    }
    assert_int_equal(r.graph_size, t.m.graph_size);
    assert_memory_equal(r.graph_text, t.m.graph_text, t.m.graph_size);
    assert_int_equal(r.weights_size, 77 * 4);
    assert_memory_equal(r.weights, t.weights, 77 * 4);
    assert_int_equal(((uintptr_t)r.weights - (uintptr_t)f) % 64, 0);
    assert_int_equal(r.code_size, t.code_size);
    assert_memory_equal(r.code, t.code, t.code_size);
    assert_int_equal(r.n_sections, 6);
    om_art_model_free(&r);
    om_art_model_free(&r); /* zeroed: freeing again is harmless */
    free(f);
    rt_test_model_free(&t);
}

static void test_custom_producer_and_empty_optional_sections(void **state)
{
    (void)state;
    rt_test_model t;
    rt_test_model_init(&t, 8);
    strcpy(t.m.producer, "unit-test 9");
    t.m.graph_text = NULL;
    t.m.graph_size = 0;
    size_t size;
    uint8_t *f = rt_serialize(&t.m, &size);
    om_art_model r;
    assert_int_equal(om_art_parse(f, size, &r, NULL, 0), 0);
    assert_string_equal(r.producer, "unit-test 9");
    assert_int_equal(r.graph_size, 0);
    om_art_model_free(&r);
    free(f);
    rt_test_model_free(&t);
}

static void expect_refusal(om_art_model *m, const char *needle)
{
    void *out = (void *)1;
    size_t size = 1;
    char err[256] = "";
    assert_int_equal(om_art_serialize(m, &out, &size, err, sizeof err), -1);
    assert_null(out);
    assert_int_equal(size, 0);
    if (!strstr(err, needle))
        fail_msg("message '%s' lacks '%s'", err, needle);
}

static void test_refuses_invalid_models(void **state)
{
    (void)state;
    rt_test_model t;
    rt_test_model_init(&t, 16);
    t.args[2][1] = 99;
    expect_refusal(&t.m, "step 2 (ops_f32) arg 1 refers to tensor 99");
    t.args[2][1] = RT_T_T;
    t.tensors[RT_T_W].nbytes = 1000;
    expect_refusal(&t.m, "weight tensor 2");
    t.tensors[RT_T_W].nbytes = 64;
    t.inputs[0].rank = 9;
    expect_refusal(&t.m, "rank 9");
    t.inputs[0].rank = 2;
    t.steps[1].work_items = 0;
    expect_refusal(&t.m, "work_items 0");
    t.steps[1].work_items = 16;
    t.m.n_tensors = 3;
    t.m.tensors = NULL;
    expect_refusal(&t.m, "NULL");
    t.m.tensors = t.tensors;
    expect_refusal(&t.m, "refers to tensor"); /* n_tensors 3: step args out of range */
    assert_int_equal(om_art_serialize(NULL, NULL, NULL, NULL, 0), -1);
    rt_test_model_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_and_table_layout),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_custom_producer_and_empty_optional_sections),
        cmocka_unit_test(test_refuses_invalid_models),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
