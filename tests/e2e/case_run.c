/* See case_run.h: one backend test case through omc's library path and the runtime. */
#include <dirent.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"
#include "tests/e2e/case_run.h"

bool case_failf(case_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->msg, sizeof r->msg, fmt, ap);
    va_end(ap);
    return false;
}

/* Sorted list of "<prefix><N><suffix>" names in dir, N = 0, 1, ... until one is missing. */
int case_count_numbered(const char *dir, const char *prefix, const char *suffix)
{
    int n = 0;
    for (;; n++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s%d%s", dir, prefix, n, suffix);
        FILE *f = fopen(path, "rb");
        if (!f)
            return n;
        fclose(f);
        if (n >= CASE_MAX_FILES)
            return n;
    }
}

int case_count_datasets(const char *case_dir)
{
    int n = 0;
    for (;; n++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/test_data_set_%d", case_dir, n);
        DIR *d = opendir(path);
        if (!d)
            return n;
        closedir(d);
        if (n >= CASE_MAX_FILES)
            return n;
    }
}

void case_free_tensors(om_fe_tensor *t, int n)
{
    for (int i = 0; i < n; i++)
        om_fe_tensor_free(&t[i]);
}

/* Loads <dir>/<prefix>K.pb for K in [0, n). */
bool case_load_tensors(const char *dir, const char *prefix, int n, om_fe_tensor *out,
                         case_result *r)
{
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s%d.pb", dir, prefix, i);
        if (om_fe_load_tensor_file(path, &out[i]) != OM_OK)
            return case_failf(r, "read %s: %s", path, om_last_error());
    }
    return true;
}

static void shape_str(const int64_t *dims, int rank, char *buf, size_t len)
{
    size_t o = 0;
    o += (size_t)snprintf(buf + o, len - o, "[");
    for (int i = 0; i < rank && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%lld", i ? "," : "", (long long)dims[i]);
    if (o < len)
        snprintf(buf + o, len - o, "]");
}

static double half_to_double(uint16_t h)
{
    int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    double v;
    if (e == 0)
        v = ldexp(m, -24);
    else if (e == 31)
        v = m ? NAN : INFINITY;
    else
        v = ldexp(m + 1024, e - 25);
    return s ? -v : v;
}

static double bf16_to_double(uint16_t b)
{
    uint32_t u = (uint32_t)b << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

/* Reads element i of a float-typed buffer as double. */
static double float_at(const void *data, om_dtype dt, size_t i)
{
    switch (dt) {
    case OM_DT_FLOAT: { float f; memcpy(&f, (const char *)data + 4 * i, 4); return f; }
    case OM_DT_DOUBLE: { double d; memcpy(&d, (const char *)data + 8 * i, 8); return d; }
    case OM_DT_FLOAT16: { uint16_t h; memcpy(&h, (const char *)data + 2 * i, 2); return half_to_double(h); }
    case OM_DT_BFLOAT16: { uint16_t h; memcpy(&h, (const char *)data + 2 * i, 2); return bf16_to_double(h); }
    default: return NAN;
    }
}

/* Reads element i of an integer or bool buffer as a signed 64-bit value (uint64 wraps). */
static long long int_at(const void *data, om_dtype dt, size_t i)
{
    const char *p = data;
    switch (dt) {
    case OM_DT_UINT8: case OM_DT_BOOL: return ((const uint8_t *)p)[i];
    case OM_DT_INT8: return ((const int8_t *)p)[i];
    case OM_DT_UINT16: { uint16_t v; memcpy(&v, p + 2 * i, 2); return v; }
    case OM_DT_INT16: { int16_t v; memcpy(&v, p + 2 * i, 2); return v; }
    case OM_DT_INT32: { int32_t v; memcpy(&v, p + 4 * i, 4); return v; }
    case OM_DT_UINT32: { uint32_t v; memcpy(&v, p + 4 * i, 4); return v; }
    case OM_DT_INT64: { int64_t v; memcpy(&v, p + 8 * i, 8); return v; }
    case OM_DT_UINT64: { uint64_t v; memcpy(&v, p + 8 * i, 8); return (long long)v; }
    default: return 0;
    }
}

/* Compares one output buffer with the expected tensor. */
/* The suite stores bfloat16 tensors as uint16 (numpy has no bfloat16): the same bits. */
static bool same_dtype(om_dtype model, om_dtype data)
{
    return model == data || (model == OM_DT_BFLOAT16 && data == OM_DT_UINT16);
}

bool case_compare_output(const char *what, const omrt_tensor_info *info, const void *got,
                         const om_fe_tensor *exp_in, case_result *r)
{
    om_fe_tensor bf = *exp_in;
    if ((om_dtype)info->dtype == OM_DT_BFLOAT16 && exp_in->dtype == OM_DT_UINT16)
        bf.dtype = OM_DT_BFLOAT16;
    const om_fe_tensor *exp = &bf;
    char gs[256], es[256];
    shape_str(info->dims, info->rank, gs, sizeof gs);
    shape_str(exp->shape.dims, exp->shape.rank, es, sizeof es);
    if ((om_dtype)info->dtype != exp->dtype)
        return case_failf(r, "%s: dtype %s, expected %s", what, om_dtype_onnx_name((om_dtype)info->dtype),
                     om_dtype_onnx_name(exp->dtype));
    if (info->rank != exp->shape.rank ||
        memcmp(info->dims, exp->shape.dims, sizeof(int64_t) * (size_t)(info->rank > 0 ? info->rank : 0)) != 0)
        return case_failf(r, "%s: shape %s, expected %s", what, gs, es);
    if (info->nbytes != exp->nbytes)
        return case_failf(r, "%s: %zu bytes, expected %zu", what, info->nbytes, exp->nbytes);
    size_t es_size = om_dtype_size(exp->dtype);
    if (es_size == 0)
        return case_failf(r, "%s: cannot compare dtype %s", what, om_dtype_onnx_name(exp->dtype));
    size_t n = exp->nbytes / es_size;
    if (om_dtype_is_float(exp->dtype)) {
        for (size_t i = 0; i < n; i++) {
            double a = float_at(got, exp->dtype, i), b = float_at(exp->data, exp->dtype, i);
            if (a == b || (isnan(a) && isnan(b)))
                continue;
            if (!(fabs(a - b) <= CASE_ATOL + CASE_RTOL * fabs(b)))
                return case_failf(r, "%s %s: mismatch at index %zu: got %.9g, expected %.9g "
                             "(|diff| %.3g > atol %g + rtol %g * |expected|)",
                             what, es, i, a, b, fabs(a - b), CASE_ATOL, CASE_RTOL);
        }
        return true;
    }
    if (exp->dtype == OM_DT_BOOL || om_dtype_is_signed_int(exp->dtype) ||
        om_dtype_is_unsigned_int(exp->dtype)) {
        for (size_t i = 0; i < n; i++) {
            long long a = int_at(got, exp->dtype, i), b = int_at(exp->data, exp->dtype, i);
            if (a != b)
                return case_failf(r, "%s %s: mismatch at index %zu: got %lld, expected %lld", what, es,
                             i, a, b);
        }
        return true;
    }
    return case_failf(r, "%s: cannot compare dtype %s", what, om_dtype_onnx_name(exp->dtype));
}

/* Index of the model input that tensor k of a data set feeds: by name when the tensor has a
 * name the model knows, else by position. */
int64_t case_graph_input_for(const om_graph *g, const om_fe_tensor *t, int k)
{
    if (t->name && t->name[0]) {
        for (size_t i = 0; i < g->n_inputs; i++)
            if (strcmp(g->inputs[i]->name, t->name) == 0)
                return (int64_t)i;
    }
    return k < (int64_t)g->n_inputs ? k : -1;
}

/* Turns graph input `gi` into a constant holding t (same value, so its name and uses stay). */
static bool freeze_input(om_graph *g, int64_t gi, const om_fe_tensor *t, case_result *r)
{
    om_value *v = g->inputs[gi];
    void *data = om_graph_alloc(g, t->nbytes ? t->nbytes : 1);
    if (!data)
        return case_failf(r, "setup: out of memory freezing input '%s'", v->name);
    if (t->nbytes)
        memcpy(data, t->data, t->nbytes);
    v->kind = OM_VALUE_CONSTANT;
    if (!same_dtype(v->dtype, t->dtype))
        v->dtype = t->dtype;
    v->shape = t->shape;
    v->data = data;
    v->nbytes = t->nbytes;
    memmove(&g->inputs[gi], &g->inputs[gi + 1], sizeof(om_value *) * (g->n_inputs - (size_t)gi - 1));
    g->n_inputs--;
    return true;
}

/* Imports the model with the inputs named in o->const_names (fed by test_data_set_0's
 * input_K.pb files of that name) frozen into constants from the start. r->msg gets the
 * frontend's message on failure. */
static bool load_frozen(const char *case_dir, const char *path, const case_opts *o, om_graph **g, case_result *r)
{
    char dir[4096];
    om_fe_tensor ins[CASE_MAX_FILES], sel[CASE_MAX_FILES];
    memset(ins, 0, sizeof ins);
    snprintf(dir, sizeof dir, "%s/test_data_set_0", case_dir);
    int n_in = case_count_numbered(dir, "input_", ".pb"), n_sel = 0;
    case_result tmp = {{0}};
    if (n_in > CASE_MAX_FILES || !case_load_tensors(dir, "input_", n_in, ins, &tmp))
        return false;
    for (int k = 0; k < n_in; k++)
        for (int i = 0; i < o->n_const_names; i++)
            if (ins[k].name && strcmp(ins[k].name, o->const_names[i]) == 0)
                sel[n_sel++] = ins[k];
    bool ok = n_sel > 0 && om_fe_import_onnx_file_frozen(path, sel, (size_t)n_sel, g) == OM_OK;
    if (!ok && n_sel > 0)
        case_failf(r, "load: %s", om_last_error());
    case_free_tensors(ins, n_in);
    return ok;
}

bool case_run(const char *case_dir, const case_opts *o, case_result *r)
{
    bool ok = false;
    om_graph *g = NULL;
    om_cg_result *cg = NULL;
    om_art_model art = {0};
    void *buf = NULL;
    size_t size = 0;
    omrt_model *model = NULL;
    omrt_context *ctx = NULL;
    om_fe_tensor ins[CASE_MAX_FILES], outs[CASE_MAX_FILES];
    int n_in = 0, n_out = 0;
    om_input_pin pins[CASE_MAX_FILES];
    int n_pins = 0;
    void *out_bufs[CASE_MAX_FILES] = {0};
    char path[4096], dir[4096];
    bool frozen[CASE_MAX_FILES] = {0};
    bool at_import[CASE_MAX_FILES] = {0};   /* frozen by load_frozen: constants already */
    memset(ins, 0, sizeof ins);
    memset(outs, 0, sizeof outs);
    if (o)
        memcpy(frozen, o->const_input, sizeof frozen);

    int n_sets = case_count_datasets(case_dir);
    if (n_sets == 0) {
        case_failf(r, "setup: no test_data_set_0 in %s", case_dir);
        goto done;
    }

    /* 1. load and optimize, pinning dynamic inputs to the first data set's shapes */
    snprintf(path, sizeof path, "%s/model.onnx", case_dir);
    if (om_compile_load(path, &g) != OM_OK) {
        case_failf(r, "load: %s", om_last_error());
        /* values the frontend resolves at import (Loop trip counts, sequence positions)
         * can only see inputs frozen before import */
        if (!(o && o->n_const_names > 0 && load_frozen(case_dir, path, o, &g, r)))
            goto done;
    }
    snprintf(dir, sizeof dir, "%s/test_data_set_0", case_dir);
    n_in = case_count_numbered(dir, "input_", ".pb");
    if (!case_load_tensors(dir, "input_", n_in, ins, r))
        goto done;
    for (int i = 0; o && i < o->n_const_names; i++) {
        om_value *already = om_graph_find_value(g, o->const_names[i]);
        if (already && already->kind == OM_VALUE_CONSTANT) { /* frozen at import (load_frozen) */
            for (int k = 0; k < n_in; k++)
                if (ins[k].name && strcmp(ins[k].name, o->const_names[i]) == 0)
                    at_import[k] = true;
            continue;
        }
        int k = 0;
        while (k < n_in && !(case_graph_input_for(g, &ins[k], k) >= 0 &&
                             strcmp(g->inputs[case_graph_input_for(g, &ins[k], k)]->name, o->const_names[i]) == 0))
            k++;
        if (k == n_in) {
            case_failf(r, "setup: no input_K.pb feeds the model input '%s' to freeze", o->const_names[i]);
            goto done;
        }
        frozen[k] = true;
    }
    /* freeze first (positions shift), then pin */
    for (int k = n_in - 1; k >= 0; k--) {
        if (!frozen[k])
            continue;
        int64_t gi = case_graph_input_for(g, &ins[k], k);
        if (gi < 0) {
            case_failf(r, "setup: --const-input %d: no model input for input_%d.pb", k, k);
            goto done;
        }
        if (!freeze_input(g, gi, &ins[k], r))
            goto done;
    }
    for (int k = 0; k < n_in; k++)
        frozen[k] |= at_import[k];
    for (int k = 0, pos = 0; k < n_in; k++) {
        if (frozen[k])
            continue;
        int64_t gi = case_graph_input_for(g, &ins[k], pos++);
        if (gi < 0)
            continue;
        om_value *v = g->inputs[gi];
        if (om_shape_is_static(&v->shape)) {
            /* A few suite models declare a static input shape their data does not have
             * (CastLike's 'like'); the data wins, as in ONNX's own runners. */
            if (!om_shape_equal(&v->shape, &ins[k].shape))
                v->shape = ins[k].shape;
            continue;
        }
        pins[n_pins].name = v->name;
        pins[n_pins].shape = ins[k].shape;
        n_pins++;
    }
    om_compile_opts opts = {0};
    opts.pins = pins;
    opts.n_pins = n_pins;
    opts.target.opt_level = 3;   /* as omc */
    if (om_compile_optimize(g, &opts) != OM_OK) {
        case_failf(r, "optimize: %s", om_last_error());
        goto done;
    }

    /* 2. codegen, artifact bytes (as omc writes them), runtime load */
    if (om_cg_compile(g, &opts.target, &cg) != OM_OK) {
        case_failf(r, "codegen: %s", om_last_error());
        goto done;
    }
    if (om_compile_build_artifact(g, cg, &art) != OM_OK) {
        case_failf(r, "artifact: %s", om_last_error());
        goto done;
    }
    char err[512] = "";
    if (om_art_serialize(&art, &buf, &size, err, sizeof err) != 0) {
        case_failf(r, "serialize: %s", err);
        goto done;
    }
    if (omrt_model_load_memory(buf, size, &model) != OMRT_OK) {
        case_failf(r, "runtime load: %s", omrt_last_error());
        goto done;
    }
    omrt_context_opts copts = {.threads = 1};
    if (omrt_context_create(model, &copts, &ctx) != OMRT_OK) {
        case_failf(r, "context: %s", omrt_last_error());
        goto done;
    }

    size_t m_in = omrt_model_num_inputs(model), m_out = omrt_model_num_outputs(model);
    if (m_in > CASE_MAX_FILES || m_out > CASE_MAX_FILES) {
        case_failf(r, "setup: too many inputs/outputs (%zu/%zu)", m_in, m_out);
        goto done;
    }
    for (size_t i = 0; i < m_out; i++) {
        const omrt_tensor_info *oi = omrt_model_output(model, i);
        out_bufs[i] = malloc(oi->nbytes ? oi->nbytes : 1);
        if (!out_bufs[i]) {
            case_failf(r, "setup: out of memory");
            goto done;
        }
    }

    /* 3. every data set */
    for (int s = 0; s < n_sets; s++) {
        snprintf(dir, sizeof dir, "%s/test_data_set_%d", case_dir, s);
        if (s > 0) {
            case_free_tensors(ins, n_in);
            memset(ins, 0, sizeof ins);
            n_in = case_count_numbered(dir, "input_", ".pb");
            if (!case_load_tensors(dir, "input_", n_in, ins, r))
                goto done;
        }
        case_free_tensors(outs, n_out);
        memset(outs, 0, sizeof outs);
        n_out = case_count_numbered(dir, "output_", ".pb");
        if (!case_load_tensors(dir, "output_", n_out, outs, r))
            goto done;

        int n_fed = 0;
        for (int k = 0; k < n_in; k++)
            n_fed += !frozen[k];
        if ((size_t)n_fed != m_in) {
            case_failf(r, "inputs: data set %d feeds %d inputs, the compiled model has %zu", s, n_fed,
                  m_in);
            goto done;
        }
        const void *in_ptrs[CASE_MAX_FILES] = {0};
        for (int k = 0, pos = 0; k < n_in; k++) {
            if (frozen[k])
                continue;
            int64_t mi = -1;
            if (ins[k].name && ins[k].name[0])
                mi = omrt_model_input_index(model, ins[k].name);
            if (mi < 0)
                mi = pos;
            pos++;
            const omrt_tensor_info *ii = omrt_model_input(model, (size_t)mi);
            if (!same_dtype((om_dtype)ii->dtype, ins[k].dtype) || ii->nbytes != ins[k].nbytes) {
                case_failf(r, "inputs: input_%d.pb (%s, %zu bytes) does not fit model input '%s' "
                      "(%s, %zu bytes)", k, om_dtype_onnx_name(ins[k].dtype), ins[k].nbytes,
                      ii->name, om_dtype_onnx_name((om_dtype)ii->dtype), ii->nbytes);
                goto done;
            }
            in_ptrs[mi] = ins[k].data ? ins[k].data : (const void *)"";
        }
        if ((size_t)n_out != m_out) {
            case_failf(r, "outputs: data set %d expects %d outputs, the compiled model has %zu", s,
                  n_out, m_out);
            goto done;
        }
        if (omrt_execute(ctx, in_ptrs, out_bufs) != OMRT_OK) {
            case_failf(r, "execute: %s", omrt_last_error());
            goto done;
        }
        for (int k = 0; k < n_out; k++) {
            int64_t mo = -1;
            if (outs[k].name && outs[k].name[0])
                mo = omrt_model_output_index(model, outs[k].name);
            if (mo < 0)
                mo = k;
            const omrt_tensor_info *oi = omrt_model_output(model, (size_t)mo);
            char what[512];
            snprintf(what, sizeof what, "data set %d output_%d '%s'", s, k, oi->name);
            if (!case_compare_output(what, oi, out_bufs[mo], &outs[k], r))
                goto done;
        }
    }
    ok = true;

done:
    for (size_t i = 0; i < CASE_MAX_FILES; i++)
        free(out_bufs[i]);
    case_free_tensors(ins, n_in);
    case_free_tensors(outs, n_out);
    omrt_context_destroy(ctx);
    omrt_model_destroy(model);
    free(buf);
    om_compile_artifact_free(&art);
    om_cg_result_destroy(cg);
    om_graph_destroy(g);
    return ok;
}
