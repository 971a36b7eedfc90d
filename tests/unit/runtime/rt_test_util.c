/* See rt_test_util.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/runtime/rt_test_util.h"

void *rt_read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    assert_true(n > 0);
    void *b = malloc((size_t)n);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return b;
}

static const float table[8] = {1.0f, -2.0f, 0.5f, 3.0f, -0.25f, 4.0f, 8.0f, -1.5f};

void rt_test_reference(int64_t n, const float *a, const float *b, const float *w, float *out0,
                       float *out1)
{
    for (int64_t i = 0; i < n; i++) {
        volatile float t = a[i] + w[i];
        volatile float u = t * table[i & 7];
        t = (i & 1) ? u + u : -u;
        u = t * 2.0f;
        u = u + 1.0f;
        out0[i] = u + b[i];
        out1[i] = a[i];
    }
}

static void io(om_art_io *io, const char *name, int64_t n, uint32_t tensor)
{
    memset(io, 0, sizeof *io);
    io->name = name;
    io->dtype = 1;
    io->rank = 2;
    io->dims[0] = 1;
    io->dims[1] = n;
    io->nbytes = (uint64_t)n * 4;
    io->tensor = tensor;
}

void rt_test_model_init(rt_test_model *t, int64_t n)
{
    memset(t, 0, sizeof *t);
    t->n = n;
    uint64_t bytes = (uint64_t)n * 4, padded = (bytes + 63) & ~63ull;
    t->code = rt_read_file(OM_RT_TEST_KERNELS_O, &t->code_size);
    t->weights = malloc(bytes);
    assert_non_null(t->weights);
    for (int64_t i = 0; i < n; i++)
        t->weights[i] = (float)(i % 13) * 0.25f - 1.0f;

    io(&t->inputs[0], "a", n, RT_T_A);
    io(&t->inputs[1], "b", n, RT_T_B);
    io(&t->outputs[0], "out0", n, RT_T_OUT0);
    io(&t->outputs[1], "out1", n, RT_T_OUT1);
    t->tensors[RT_T_A] = (om_art_tensor){OM_ART_TENSOR_INPUT, 1, 0, 0, bytes};
    t->tensors[RT_T_B] = (om_art_tensor){OM_ART_TENSOR_INPUT, 1, 1, 0, bytes};
    t->tensors[RT_T_W] = (om_art_tensor){OM_ART_TENSOR_WEIGHT, 1, 0, 0, bytes};
    t->tensors[RT_T_T] = (om_art_tensor){OM_ART_TENSOR_ARENA, 1, 0, 0, bytes};
    t->tensors[RT_T_U] = (om_art_tensor){OM_ART_TENSOR_ARENA, 1, 0, padded, bytes};
    t->tensors[RT_T_OUT0] = (om_art_tensor){OM_ART_TENSOR_OUTPUT, 1, 0, 0, bytes};
    t->tensors[RT_T_OUT1] = (om_art_tensor){OM_ART_TENSOR_OUTPUT, 1, 1, 0, bytes};

    t->kernels[0] = "add_f32";
    t->kernels[1] = "scale_table_f32";
    t->kernels[2] = "ops_f32";
    t->kernels[3] = "bss_f32";
    t->kernels[4] = "copy_f32";
    static const uint32_t plan[RT_N_STEPS][4] = {
        /* kernel, n_args, args... */
        {0, 3, RT_T_A, RT_T_W}, {1, 2, RT_T_T, RT_T_U}, {2, 2, RT_T_U, RT_T_T},
        {3, 2, RT_T_T, RT_T_U}, {0, 3, RT_T_U, RT_T_B}, {4, 2, RT_T_A, RT_T_OUT1},
    };
    for (int s = 0; s < RT_N_STEPS; s++) {
        t->args[s][0] = plan[s][2];
        t->args[s][1] = plan[s][3];
        t->steps[s] = (om_art_step){plan[s][0], plan[s][1], n, t->args[s]};
    }
    t->args[0][2] = RT_T_T;
    t->args[4][2] = RT_T_OUT0;

    om_art_model *m = &t->m;
    m->triple = "x86_64-unknown-linux-gnu";
    m->cpu = "x86-64";
    m->features = "+sse2";
    m->required_x86 = "sse2";
    m->n_inputs = 2;
    m->inputs = t->inputs;
    m->n_outputs = 2;
    m->outputs = t->outputs;
    m->arena_size = padded * 2;
    m->n_tensors = RT_N_TENSORS;
    m->tensors = t->tensors;
    m->n_kernels = RT_N_KERNELS;
    m->kernel_names = t->kernels;
    m->n_steps = RT_N_STEPS;
    m->steps = t->steps;
    m->graph_text = "graph test { }\n";
    m->graph_size = strlen(m->graph_text);
    m->weights = t->weights;
    m->weights_size = bytes;
    m->code = t->code;
    m->code_size = t->code_size;
}

void rt_test_model_free(rt_test_model *t)
{
    free(t->weights);
    free(t->code);
    memset(t, 0, sizeof *t);
}

uint8_t *rt_serialize(const om_art_model *m, size_t *size)
{
    void *out = NULL;
    char err[256] = "";
    int rc = om_art_serialize(m, &out, size, err, sizeof err);
    if (rc != 0)
        fail_msg("serialize failed: %s", err);
    return out;
}

static uint64_t get(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

void rt_put(uint8_t *file, size_t off, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        file[off + (size_t)i] = (uint8_t)(v >> (8 * i));
}

size_t rt_section_offset(const uint8_t *file, uint32_t kind, size_t *size)
{
    uint32_t n = (uint32_t)get(file + 48, 4);
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *e = file + 64 + 32 * i;
        if (get(e, 4) == kind) {
            if (size)
                *size = (size_t)get(e + 16, 8);
            return (size_t)get(e + 8, 8);
        }
    }
    fail_msg("section %u not found", kind);
    return 0;
}

void rt_fix_checksums(uint8_t *file, size_t size)
{
    uint32_t n = (uint32_t)get(file + 48, 4);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t *e = file + 64 + 32 * i;
        uint64_t off = get(e + 8, 8), sz = get(e + 16, 8);
        if (off <= size && sz <= size - off)
            rt_put(e, 24, om_art_crc32(file + off, (size_t)sz), 4);
    }
    rt_put(file, 56, om_art_crc32(file + 64, 32 * (size_t)n), 4);
    rt_put(file, 60, om_art_crc32(file, 60), 4);
}

size_t rt_plan_tensor_offset(uint32_t i) { return 12 + 32 * (size_t)i; }

size_t rt_plan_step_offset(const om_art_model *m, uint32_t s)
{
    size_t off = 12 + 32 * (size_t)m->n_tensors + 4;
    for (uint32_t k = 0; k < m->n_kernels; k++)
        off += 4 + strlen(m->kernel_names[k]);
    off += 4;
    for (uint32_t i = 0; i < s; i++)
        off += 16 + 4 * (size_t)m->steps[i].n_args;
    return off;
}

rt_test_artifact *rt_test_artifact_new(int64_t n, bool compress)
{
    rt_test_artifact *a = calloc(1, sizeof *a);
    assert_non_null(a);
    rt_test_model_init(&a->t, n);
    a->t.m.compress = compress;
    a->file = rt_serialize(&a->t.m, &a->size);
    return a;
}

void rt_test_artifact_free(rt_test_artifact *a)
{
    free(a->file);
    rt_test_model_free(&a->t);
    free(a);
}

void rt_test_run_check(omrt_model *m, const float *w)
{
    float a[64], b[64], o0[64], o1[64], r0[64], r1[64];
    for (int i = 0; i < 64; i++) {
        a[i] = (float)i * 0.5f - 7.0f;
        b[i] = (float)(i % 5);
    }
    rt_test_reference(64, a, b, w, r0, r1);
    omrt_context *c = NULL;
    omrt_context_opts o = {2};
    assert_int_equal(omrt_context_create(m, &o, &c), OMRT_OK);
    const void *in[2] = {a, b};
    void *out[2] = {o0, o1};
    assert_int_equal(omrt_execute(c, in, out), OMRT_OK);
    assert_memory_equal(o0, r0, sizeof r0);
    assert_memory_equal(o1, r1, sizeof r1);
    omrt_context_destroy(c);
    omrt_model_destroy(m);
}
