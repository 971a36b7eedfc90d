/* See cg_jit.h. ORC LLJIT loads the relocatable object exactly as produced for the
 * artifact; memcpy/memmove/memset resolve from the test process. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <llvm-c/Core.h>
#include <llvm-c/Error.h>
#include <llvm-c/LLJIT.h>
#include <llvm-c/Orc.h>

#include "codegen/cg_target.h"
#include "tests/unit/codegen/cg_jit.h"

typedef int32_t (*kernel_fn)(void *const *, int64_t, int64_t);

struct cg_jit {
    const om_graph *g;
    om_cg_result *res;
    LLVMOrcLLJITRef jit;
    kernel_fn *fns;       /* per step */
    void **bufs;          /* per value id */
    size_t *sizes;
};

static om_status llvm_err(LLVMErrorRef e, const char *what)
{
    char *m = LLVMGetErrorMessage(e);
    om_status st = om_error(OM_ERR_INTERNAL, "cg_jit: %s: %s", what, m);
    LLVMDisposeErrorMessage(m);
    return st;
}

void cg_jit_destroy(cg_jit *j)
{
    if (!j)
        return;
    if (j->jit)
        LLVMOrcDisposeLLJIT(j->jit);
    if (j->bufs)
        for (size_t i = 0; i < j->g->n_values; i++)
            free(j->bufs[i]);
    free(j->bufs);
    free(j->sizes);
    free(j->fns);
    om_cg_result_destroy(j->res);
    free(j);
}

bool cg_jit_host_has(const char *feature)
{
    om_cg_init_llvm();
    char *f = LLVMGetHostCPUFeatures();
    size_t n = strlen(feature);
    bool yes = false;
    for (const char *p = f; p && *p && !yes;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        yes = len == n + 1 && p[0] == '+' && !strncmp(p + 1, feature, n);
        p = end ? end + 1 : NULL;
    }
    LLVMDisposeMessage(f);
    return yes;
}

om_status cg_jit_create(const om_graph *g, const om_cg_target_opts *t, cg_jit **out)
{
    *out = NULL;
    om_status st;
    cg_jit *j = calloc(1, sizeof *j);
    if (!j)
        return OM_ERR_NO_MEMORY;
    j->g = g;
    /* every step splits its work loop, however small, so that cg_jit_run_checked's three
     * chunks exercise the splits */
    om_cg_target_opts o = t ? *t : (om_cg_target_opts){.opt_level = 3};
    o.split_small_steps = true;
    if ((st = om_cg_compile(g, &o, &j->res)) != OM_OK || (st = om_cg_amx_permit(j->res->required_cpu)) != OM_OK)
        goto fail;
    om_cg_init_llvm();
    LLVMErrorRef e = LLVMOrcCreateLLJIT(&j->jit, NULL);
    if (e) {
        st = llvm_err(e, "create LLJIT");
        goto fail;
    }
    LLVMOrcJITDylibRef jd = LLVMOrcLLJITGetMainJITDylib(j->jit);
    LLVMOrcDefinitionGeneratorRef gen;
    e = LLVMOrcCreateDynamicLibrarySearchGeneratorForProcess(&gen, LLVMOrcLLJITGetGlobalPrefix(j->jit), NULL, NULL);
    if (e) {
        st = llvm_err(e, "process symbols");
        goto fail;
    }
    LLVMOrcJITDylibAddGenerator(jd, gen);
    LLVMMemoryBufferRef mb = LLVMCreateMemoryBufferWithMemoryRangeCopy(j->res->object, j->res->object_size, "kernels.o");
    if ((e = LLVMOrcLLJITAddObjectFile(j->jit, jd, mb))) {
        st = llvm_err(e, "add object");
        goto fail;
    }
    j->fns = calloc(j->res->n_steps + 1, sizeof *j->fns);
    j->bufs = calloc(g->n_values + 1, sizeof *j->bufs);
    j->sizes = calloc(g->n_values + 1, sizeof *j->sizes);
    if (!j->fns || !j->bufs || !j->sizes) {
        st = OM_ERR_NO_MEMORY;
        goto fail;
    }
    for (size_t s = 0; s < j->res->n_steps; s++) {
        LLVMOrcExecutorAddress addr = 0;
        if ((e = LLVMOrcLLJITLookup(j->jit, &addr, j->res->steps[s].symbol))) {
            st = llvm_err(e, j->res->steps[s].symbol);
            goto fail;
        }
        j->fns[s] = (kernel_fn)(uintptr_t)addr;
    }
    for (size_t i = 0; i < g->n_values; i++) {
        const om_value *v = g->values[i];
        if (!v)
            continue;
        int64_t n = om_shape_numel(&v->shape);
        size_t bytes = n > 0 ? (size_t)n * om_dtype_size(v->dtype) : 0;
        size_t alloc = (bytes + 63) / 64 * 64 + 64;
        j->bufs[i] = aligned_alloc(64, alloc);
        if (!j->bufs[i]) {
            st = OM_ERR_NO_MEMORY;
            goto fail;
        }
        memset(j->bufs[i], 0, alloc);
        j->sizes[i] = bytes;
        if (v->kind == OM_VALUE_CONSTANT && v->data)
            memcpy(j->bufs[i], v->data, bytes < v->nbytes ? bytes : v->nbytes);
    }
    *out = j;
    return OM_OK;
fail:
    cg_jit_destroy(j);
    return st;
}

const om_cg_result *cg_jit_result(const cg_jit *j) { return j->res; }

void *cg_jit_buf(cg_jit *j, const om_value *v) { return j->bufs[v->id]; }

om_status cg_jit_run(cg_jit *j, int chunks)
{
    for (size_t s = 0; s < j->res->n_steps; s++) {
        const om_cg_step *st = &j->res->steps[s];
        void *args[64];
        if (st->n_args > 64)
            return OM_ERR_INTERNAL;
        for (int a = 0; a < st->n_args; a++)
            args[a] = j->bufs[st->args[a]->id];
        int64_t w = st->work_items;
        int32_t rc;
        if (chunks <= 1) {
            rc = j->fns[s](args, 0, w);
        } else {
            int64_t a = w / 3, b = w - w / 4;   /* uneven: [0,a) [a,b) [b,w) */
            rc = j->fns[s](args, 0, a);
            rc |= j->fns[s](args, a, b);
            rc |= j->fns[s](args, b, w);
        }
        if (rc != 0)
            return OM_ERR_INVALID_ARGUMENT;   /* a run-time check failed (om_art_check_code) */
    }
    return OM_OK;
}

void cg_jit_run_checked(cg_jit *j)
{
    const om_graph *g = j->g;
    assert_int_equal(cg_jit_run(j, 1), OM_OK);
    void **saved = calloc(g->n_outputs + 1, sizeof *saved);
    assert_non_null(saved);
    for (size_t o = 0; o < g->n_outputs; o++) {
        size_t id = g->outputs[o]->id;
        saved[o] = malloc(j->sizes[id] + 1);
        assert_non_null(saved[o]);
        memcpy(saved[o], j->bufs[id], j->sizes[id]);
    }
    for (size_t i = 0; i < g->n_values; i++) {
        const om_value *v = g->values[i];
        if (v && v->kind == OM_VALUE_INTERMEDIATE)
            memset(j->bufs[i], 0xA5, j->sizes[i]);
    }
    assert_int_equal(cg_jit_run(j, 3), OM_OK);
    for (size_t o = 0; o < g->n_outputs; o++) {
        size_t id = g->outputs[o]->id;
        if (memcmp(saved[o], j->bufs[id], j->sizes[id]) != 0)
            fail_msg("output '%s' differs between a whole-range run and a 3-chunk run", g->outputs[o]->name);
        free(saved[o]);
    }
    free(saved);
}

om_value *cg_value(om_graph *g, const char *name, om_dtype dt, int rank, const int64_t *dims)
{
    om_shape s = om_shape_make(rank, dims);
    return om_graph_add_value(g, name, dt, &s);
}

om_value *cg_input(om_graph *g, const char *name, om_dtype dt, int rank, const int64_t *dims)
{
    om_value *v = cg_value(g, name, dt, rank, dims);
    if (v && om_graph_add_input(g, v) != OM_OK)
        return NULL;
    return v;
}

/* ---- numeric helpers ---- */

float cg_f16_to_f32(uint16_t h)
{
    uint32_t s = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 31, m = h & 1023, u;
    if (e == 0) {
        float f = (float)m * (1.0f / 16777216.0f);
        return s ? -f : f;
    }
    if (e == 31)
        u = s | 0x7f800000u | (m << 13);
    else
        u = s | ((e + 112) << 23) | (m << 13);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

uint16_t cg_f32_to_f16(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    uint16_t s = (uint16_t)((u >> 16) & 0x8000);
    uint32_t a = u & 0x7fffffffu;
    if (a > 0x7f800000u)
        return s | 0x7e00;
    if (a >= 0x477ff000u)      /* rounds to >= 65520: inf */
        return s | 0x7c00;
    if (a < 0x38800000u) {     /* subnormal or zero: value / 2^-24 rounded to nearest even */
        float v;
        memcpy(&v, &a, 4);
        float q = v * 16777216.0f; /* exact scaling */
        uint32_t r = (uint32_t)q;
        float frac = q - (float)r;
        if (frac > 0.5f || (frac == 0.5f && (r & 1)))
            r++;
        return s | (uint16_t)r;
    }
    uint32_t e = (a >> 23) - 112, m = a & 0x7fffff;
    uint32_t h = (e << 10) | (m >> 13), rest = m & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1)))
        h++;
    return s | (uint16_t)h;
}

float cg_bf16_to_f32(uint16_t h)
{
    uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

uint16_t cg_f32_to_bf16(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((u >> 16) | 0x40);
    u += 0x7fff + ((u >> 16) & 1);
    return (uint16_t)(u >> 16);
}

double cg_get(om_dtype dt, const void *buf, int64_t i)
{
    const unsigned char *p = buf;
    switch (dt) {
    case OM_DT_FLOAT: { float v; memcpy(&v, p + 4 * i, 4); return v; }
    case OM_DT_DOUBLE: { double v; memcpy(&v, p + 8 * i, 8); return v; }
    case OM_DT_FLOAT16: { uint16_t v; memcpy(&v, p + 2 * i, 2); return cg_f16_to_f32(v); }
    case OM_DT_BFLOAT16: { uint16_t v; memcpy(&v, p + 2 * i, 2); return cg_bf16_to_f32(v); }
    case OM_DT_INT8: return ((const int8_t *)buf)[i];
    case OM_DT_UINT8: case OM_DT_BOOL: return ((const uint8_t *)buf)[i];
    case OM_DT_INT16: return ((const int16_t *)buf)[i];
    case OM_DT_UINT16: return ((const uint16_t *)buf)[i];
    case OM_DT_INT32: return ((const int32_t *)buf)[i];
    case OM_DT_UINT32: return ((const uint32_t *)buf)[i];
    case OM_DT_INT64: return (double)((const int64_t *)buf)[i];
    case OM_DT_UINT64: return (double)((const uint64_t *)buf)[i];
    default: return 0;
    }
}

void cg_set(om_dtype dt, void *buf, int64_t i, double v)
{
    unsigned char *p = buf;
    int64_t w = om_dtype_is_float(dt) ? 0 : (int64_t)v;
    switch (dt) {
    case OM_DT_FLOAT: { float f = (float)v; memcpy(p + 4 * i, &f, 4); break; }
    case OM_DT_DOUBLE: memcpy(p + 8 * i, &v, 8); break;
    case OM_DT_FLOAT16: { uint16_t h = cg_f32_to_f16((float)v); memcpy(p + 2 * i, &h, 2); break; }
    case OM_DT_BFLOAT16: { uint16_t h = cg_f32_to_bf16((float)v); memcpy(p + 2 * i, &h, 2); break; }
    case OM_DT_INT8: ((int8_t *)buf)[i] = (int8_t)w; break;
    case OM_DT_UINT8: case OM_DT_BOOL: ((uint8_t *)buf)[i] = (uint8_t)w; break;
    case OM_DT_INT16: ((int16_t *)buf)[i] = (int16_t)w; break;
    case OM_DT_UINT16: ((uint16_t *)buf)[i] = (uint16_t)w; break;
    case OM_DT_INT32: ((int32_t *)buf)[i] = (int32_t)w; break;
    case OM_DT_UINT32: ((uint32_t *)buf)[i] = (uint32_t)w; break;
    case OM_DT_INT64: ((int64_t *)buf)[i] = w; break;
    case OM_DT_UINT64: ((uint64_t *)buf)[i] = (uint64_t)w; break;
    default: break;
    }
}

static uint64_t g_state = 0x9E3779B97F4A7C15ull;

uint64_t cg_rand(void)
{
    g_state ^= g_state << 13;
    g_state ^= g_state >> 7;
    g_state ^= g_state << 17;
    return g_state;
}

double cg_uniform(double lo, double hi)
{
    return lo + (hi - lo) * ((double)(cg_rand() >> 11) / 9007199254740992.0);
}

void cg_fill_random(om_dtype dt, void *buf, int64_t n, double lo, double hi)
{
    for (int64_t i = 0; i < n; i++) {
        double v = cg_uniform(lo, hi);
        if (!om_dtype_is_float(dt))
            v = v < 0 ? -(double)(int64_t)(-v + 0.5) : (double)(int64_t)(v + 0.5);
        cg_set(dt, buf, i, v);
    }
}

const om_cg_target_opts cg_no_libcall_targets[3] = {
    {NULL, NULL, NULL, 3},
    {"x86_64-unknown-linux-gnu", "x86-64", "", 3},
    {"aarch64-linux-gnu", NULL, NULL, 3},
};

int cg_elf_bad_undefined(const void *obj, size_t size, int *machine)
{
    const unsigned char *p = obj;
    if (size < sizeof(Elf64_Ehdr) || memcmp(p, ELFMAG, SELFMAG) || p[EI_CLASS] != ELFCLASS64)
        return -1;
    Elf64_Ehdr eh;
    memcpy(&eh, p, sizeof eh);
    if (machine)
        *machine = eh.e_machine;
    if (eh.e_type != ET_REL || eh.e_shoff + (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr) > size)
        return -1;
    int bad = 0, symtabs = 0;
    for (int s = 0; s < eh.e_shnum; s++) {
        Elf64_Shdr sh, strh;
        memcpy(&sh, p + eh.e_shoff + s * sizeof sh, sizeof sh);
        if (sh.sh_type != SHT_SYMTAB)
            continue;
        symtabs++;
        if (sh.sh_link >= eh.e_shnum)
            return -1;
        memcpy(&strh, p + eh.e_shoff + sh.sh_link * sizeof strh, sizeof strh);
        if (sh.sh_offset + sh.sh_size > size || strh.sh_offset + strh.sh_size > size)
            return -1;
        for (size_t k = 1; k < sh.sh_size / sizeof(Elf64_Sym); k++) {
            Elf64_Sym sym;
            memcpy(&sym, p + sh.sh_offset + k * sizeof sym, sizeof sym);
            if (sym.st_shndx != SHN_UNDEF || sym.st_name == 0 || sym.st_name >= strh.sh_size)
                continue;
            const char *name = (const char *)p + strh.sh_offset + sym.st_name;
            if (strcmp(name, "memcpy") && strcmp(name, "memmove") && strcmp(name, "memset")) {
                print_error("undefined symbol in kernels: %s\n", name);
                bad++;
            }
        }
    }
    return symtabs == 1 ? bad : -1;
}

int cg_jit_assert_no_libcalls(const om_graph *g, const om_cg_target_opts *t, const char *what)
{
    const char *triple = t && t->triple ? t->triple : "host";
    om_cg_result *r = NULL;
    if (om_cg_compile(g, t, &r) != OM_OK)
        fail_msg("%s (%s): compile: %s", what, triple, om_last_error());
    int machine = 0, bad = cg_elf_bad_undefined(r->object, r->object_size, &machine);
    om_cg_result_destroy(r);
    if (bad != 0)
        fail_msg("%s (%s): %s", what, triple, bad < 0 ? "malformed ELF object" : "undefined symbols besides memcpy/memmove/memset");
    return machine;
}
