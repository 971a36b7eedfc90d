/* Loading and running whole models: the test model over several sizes and thread counts
 * against a plain C reference, loading from a file, and each kind of damage seen through the
 * public API (status + message naming the problem). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "runtime/cpu_features.h"
#include "runtime/include/omrt.h"
#include "tests/unit/runtime/rt_test_util.h"

static void expect_load_error(const uint8_t *buf, size_t size, omrt_status want, const char *needle)
{
    omrt_model *m = (omrt_model *)1;
    omrt_status st = omrt_model_load_memory(buf, size, &m);
    assert_null(m);
    if (st != want)
        fail_msg("status %s, expected %s (%s)", omrt_status_name(st), omrt_status_name(want),
                 omrt_last_error());
    if (needle && !strstr(omrt_last_error(), needle))
        fail_msg("message '%s' lacks '%s'", omrt_last_error(), needle);
}

typedef struct io_bufs {
    int64_t n;
    float *a, *b, *out0, *out1, *ref0, *ref1;
} io_bufs;

static void bufs_init(io_bufs *io, int64_t n, const float *w, unsigned seed)
{
    io->n = n;
    float **all[] = {&io->a, &io->b, &io->out0, &io->out1, &io->ref0, &io->ref1};
    for (int i = 0; i < 6; i++) {
        *all[i] = malloc((size_t)n * sizeof(float));
        assert_non_null(*all[i]);
    }
    for (int64_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        io->a[i] = (float)((seed >> 8) % 2000) / 100.0f - 10.0f;
        io->b[i] = (float)((seed >> 4) % 999) / 33.0f;
    }
    rt_test_reference(n, io->a, io->b, w, io->ref0, io->ref1);
}

static void bufs_free(io_bufs *io)
{
    free(io->a);
    free(io->b);
    free(io->out0);
    free(io->out1);
    free(io->ref0);
    free(io->ref1);
}

static void run_and_check(omrt_model *m, int threads, io_bufs *io)
{
    omrt_context *c = NULL;
    omrt_context_opts o = {threads};
    assert_int_equal(omrt_context_create(m, &o, &c), OMRT_OK);
    for (int rep = 0; rep < 3; rep++) { /* the context is reusable */
        memset(io->out0, 0xAB, (size_t)io->n * 4);
        memset(io->out1, 0xAB, (size_t)io->n * 4);
        const void *in[2] = {io->a, io->b};
        void *out[2] = {io->out0, io->out1};
        assert_int_equal(omrt_execute(c, in, out), OMRT_OK);
        assert_memory_equal(io->out0, io->ref0, (size_t)io->n * 4);
        assert_memory_equal(io->out1, io->ref1, (size_t)io->n * 4);
    }
    omrt_context_destroy(c);
}

static void test_runs_with_any_thread_count(void **state)
{
    static const int64_t sizes[] = {1, 2, 3, 7, 64, 1000, 4099};
    static const int threads[] = {1, 2, 3, 8};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        rt_test_model t;
        rt_test_model_init(&t, sizes[s]);
        size_t size;
        uint8_t *f = rt_serialize(&t.m, &size);
        omrt_model *m = NULL;
        assert_int_equal(omrt_model_load_memory(f, size, &m), OMRT_OK);
        memset(f, 0, size); /* the model keeps its own copy */
        free(f);
        io_bufs io;
        bufs_init(&io, sizes[s], t.weights, (unsigned)s + 1);
        for (size_t k = 0; k < sizeof threads / sizeof threads[0]; k++)
            run_and_check(m, threads[k], &io);
        bufs_free(&io);
        omrt_model_destroy(m);
        rt_test_model_free(&t);
    }
}

static void test_model_info(void **state)
{
    rt_test_model t;
    rt_test_model_init(&t, 10);
    size_t size;
    uint8_t *f = rt_serialize(&t.m, &size);
    omrt_model *m = NULL;
    assert_int_equal(omrt_model_load_memory(f, size, &m), OMRT_OK);
    assert_int_equal(omrt_model_num_inputs(m), 2);
    assert_int_equal(omrt_model_num_outputs(m), 2);
    const omrt_tensor_info *i1 = omrt_model_input(m, 1);
    assert_non_null(i1);
    assert_string_equal(i1->name, "b");
    assert_int_equal(i1->dtype, 1);
    assert_int_equal(i1->rank, 2);
    assert_int_equal(i1->dims[0], 1);
    assert_int_equal(i1->dims[1], 10);
    assert_int_equal(i1->nbytes, 40);
    assert_string_equal(omrt_model_output(m, 0)->name, "out0");
    assert_null(omrt_model_input(m, 2));
    assert_null(omrt_model_output(m, 2));
    assert_null(omrt_model_output(m, SIZE_MAX));
    assert_int_equal(omrt_model_input_index(m, "b"), 1);
    assert_int_equal(omrt_model_input_index(m, "out0"), -1);
    assert_int_equal(omrt_model_output_index(m, "out1"), 1);
    assert_int_equal(omrt_model_output_index(m, NULL), -1);
    assert_int_equal(omrt_model_work_size(m), t.m.arena_size);
    assert_int_equal(omrt_model_weight_size(m), 40);
    omrt_model_destroy(m);
    free(f);
    rt_test_model_free(&t);
}

static void test_load_file(void **state)
{
    rt_test_model t;
    rt_test_model_init(&t, 100);
    char dir[] = "/tmp/om_rt_model_XXXXXX", path[128], err[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/model.om", dir);
    assert_int_equal(om_art_write_file(&t.m, path, err, sizeof err), 0);
    omrt_model *m = NULL;
    assert_int_equal(omrt_model_load_file(path, &m), OMRT_OK);
    io_bufs io;
    bufs_init(&io, 100, t.weights, 9);
    run_and_check(m, 2, &io);
    bufs_free(&io);
    omrt_model_destroy(m);

    /* damage on disk is named with the file's name */
    FILE *f = fopen(path, "r+b");
    fseek(f, 0, SEEK_SET);
    fputc('X', f);
    fclose(f);
    m = (omrt_model *)1;
    assert_int_equal(omrt_model_load_file(path, &m), OMRT_ERR_INVALID_ARTIFACT);
    assert_null(m);
    assert_string_equal(omrt_last_error(), "model.om: bad magic: not an .om artifact");

    assert_int_equal(omrt_model_load_file(dir, &m), OMRT_ERR_IO);
    assert_non_null(strstr(omrt_last_error(), "not a regular file"));
    snprintf(path, sizeof path, "%s/missing.om", dir);
    assert_int_equal(omrt_model_load_file(path, &m), OMRT_ERR_IO);
    assert_non_null(strstr(omrt_last_error(), "missing.om: cannot open"));
    snprintf(path, sizeof path, "%s/empty.om", dir);
    fclose(fopen(path, "w"));
    assert_int_equal(omrt_model_load_file(path, &m), OMRT_ERR_INVALID_ARTIFACT);
    assert_int_equal(omrt_model_load_file("/dev/null", &m), OMRT_ERR_IO);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    rt_test_model_free(&t);
}

static void test_damage_through_the_api(void **state)
{
    rt_test_model t;
    rt_test_model_init(&t, 20);
    size_t size;
    uint8_t *f = rt_serialize(&t.m, &size);
    uint8_t *c = malloc(size);

    memcpy(c, f, size);
    c[0] = 'X';
    expect_load_error(c, size, OMRT_ERR_INVALID_ARTIFACT, "<memory>: bad magic");
    expect_load_error(c, 0, OMRT_ERR_INVALID_ARTIFACT, "bad magic");
    memcpy(c, f, size);
    rt_put(c, 8, 2, 2);
    rt_put(c, 10, 3, 2);
    rt_fix_checksums(c, size);
    expect_load_error(c, size, OMRT_ERR_UNSUPPORTED,
                      "unsupported .om format version 2.3: this runtime reads 1.x");
    memcpy(c, f, size);
    rt_put(c, 10, 9, 2);
    rt_fix_checksums(c, size);
    omrt_model *m = NULL;
    assert_int_equal(omrt_model_load_memory(c, size, &m), OMRT_OK); /* newer minor */
    omrt_model_destroy(m);
    for (uint32_t kind = OM_ART_SEC_TARGET; kind <= OM_ART_SEC_CODE; kind++) {
        size_t sz, off = rt_section_offset(f, kind, &sz);
        if (sz == 0)
            continue;
        memcpy(c, f, size);
        c[off + sz / 3] ^= 0x80;
        char needle[64];
        snprintf(needle, sizeof needle, "checksum mismatch in section %s", om_art_section_name(kind));
        expect_load_error(c, size, OMRT_ERR_INVALID_ARTIFACT, needle);
    }
    for (size_t n = 0; n < size; n += 11)
        expect_load_error(f, n, OMRT_ERR_INVALID_ARTIFACT, NULL);
    free(c);
    free(f);
    rt_test_model_free(&t);
}

static void expect_model_error(const om_art_model *am, omrt_status want, const char *needle)
{
    size_t size;
    uint8_t *f = rt_serialize(am, &size);
    expect_load_error(f, size, want, needle);
    free(f);
}

/* Names in error messages come from the artifact: a hostile one cannot smuggle a terminal
 * escape sequence or a line break into the caller's output. */
static void test_error_names_without_control_characters(void **state)
{
    (void)state;
    rt_test_model t;
    rt_test_model_init(&t, 20);
    t.kernels[0] = "k\x1b[2J\nfake: ok"; /* no such function in CODE: the load names it */
    expect_model_error(&t.m, OMRT_ERR_INVALID_ARTIFACT, "kernel 'k?[2J?fake: ok'");
    assert_null(strchr(omrt_last_error(), 0x1b));
    assert_null(strchr(omrt_last_error(), '\n'));
    rt_test_model_free(&t);
}

static void test_cpu_feature_missing(void **state)
{
    rt_test_model t;
    rt_test_model_init(&t, 20);
    t.m.cpu = "znver4";
    t.m.required_x86 = "avx2 avx512f avx512bf16";
    om_rt_cpu_set_override("sse2 avx avx2 fma avx512f");
    expect_model_error(&t.m, OMRT_ERR_UNSUPPORTED,
                       "this CPU lacks avx512bf16 required by <memory> (compiled for znver4); "
                       "recompile with --cpu=<yours>");
    om_rt_cpu_set_override("sse2 avx avx2 fma avx512f avx512bf16");
    size_t size;
    uint8_t *f = rt_serialize(&t.m, &size);
    omrt_model *m = NULL;
    assert_int_equal(omrt_model_load_memory(f, size, &m), OMRT_OK);
    omrt_model_destroy(m);
    free(f);
    om_rt_cpu_set_override(NULL);
    t.m.required_x86 = "sse2 hyperthreading";
    expect_model_error(&t.m, OMRT_ERR_INVALID_ARTIFACT, "CPU feature 'hyperthreading'");
    t.m.required_x86 = "sse2";
    t.m.triple = "riscv64-unknown-linux-gnu";
    expect_model_error(&t.m, OMRT_ERR_UNSUPPORTED, "compiled for riscv64");
    rt_test_model_free(&t);
}

static void test_code_problems(void **state)
{
    rt_test_model t;
    rt_test_model_init(&t, 20);
    t.kernels[3] = "no_such_kernel";
    expect_model_error(&t.m, OMRT_ERR_INVALID_ARTIFACT,
                       "<memory>: kernel 'no_such_kernel' (PLAN kernel 3) is not a function "
                       "defined in the CODE object");
    t.kernels[3] = "om_test_scratch"; /* a data symbol is not a kernel */
    expect_model_error(&t.m, OMRT_ERR_INVALID_ARTIFACT, "kernel 'om_test_scratch'");
    t.kernels[3] = "bss_f32";

    size_t sinf_size;
    void *sinf_obj = rt_read_file(OM_RT_TEST_SINF_O, &sinf_size);
    t.m.code = sinf_obj;
    t.m.code_size = sinf_size;
    expect_model_error(&t.m, OMRT_ERR_INVALID_ARTIFACT, "<memory>: CODE: undefined symbol 'sinf'");
    free(sinf_obj);
    t.m.code = "this is not an ELF object";
    t.m.code_size = 25;
    expect_model_error(&t.m, OMRT_ERR_INVALID_ARTIFACT, "CODE: not an ELF object");
    t.m.code = NULL;
    t.m.code_size = 0;
    expect_model_error(&t.m, OMRT_ERR_INVALID_ARTIFACT, "CODE: not an ELF object");
    rt_test_model_free(&t);
}

typedef struct par_arg {
    omrt_model *m;
    const float *w;
    int ok;
} par_arg;

static void *par_main(void *p)
{
    par_arg *a = p;
    io_bufs io;
    bufs_init(&io, 500, a->w, 77);
    omrt_context *c = NULL;
    omrt_context_opts o = {2};
    a->ok = omrt_context_create(a->m, &o, &c) == OMRT_OK;
    for (int i = 0; i < 20 && a->ok; i++) {
        const void *in[2] = {io.a, io.b};
        void *out[2] = {io.out0, io.out1};
        a->ok = omrt_execute(c, in, out) == OMRT_OK &&
                memcmp(io.out0, io.ref0, 500 * 4) == 0 && memcmp(io.out1, io.ref1, 500 * 4) == 0;
    }
    omrt_context_destroy(c);
    bufs_free(&io);
    return NULL;
}

/* Three threads, each with its own context on one model. (The fixture's bss_f32 keeps
 * scratch data in the shared code image; all threads use the same inputs so its writes are
 * identical. Real kernels keep no mutable static state.) */
static void test_contexts_share_a_model(void **state)
{
    rt_test_model t;
    rt_test_model_init(&t, 500);
    size_t size;
    uint8_t *f = rt_serialize(&t.m, &size);
    omrt_model *m = NULL;
    assert_int_equal(omrt_model_load_memory(f, size, &m), OMRT_OK);
    pthread_t th[3];
    par_arg args[3];
    for (int i = 0; i < 3; i++) {
        args[i] = (par_arg){m, t.weights, 0};
        assert_int_equal(pthread_create(&th[i], NULL, par_main, &args[i]), 0);
    }
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
        assert_true(args[i].ok);
    }
    omrt_model_destroy(m);
    free(f);
    rt_test_model_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_with_any_thread_count),
        cmocka_unit_test(test_model_info),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_damage_through_the_api),
        cmocka_unit_test(test_error_names_without_control_characters),
        cmocka_unit_test(test_cpu_feature_missing),
        cmocka_unit_test(test_code_problems),
        cmocka_unit_test(test_contexts_share_a_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
