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

bool case_load_values(const char *dir, const char *prefix, int n_files, const om_fe_io_entry *decl, size_t n_decl,
                      om_fe_tensor *out, int *n_out, case_value_info *info, case_result *r)
{
    *n_out = 0;
    for (int k = 0; k < n_files; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s%d.pb", dir, prefix, k);
        /* the file's value name picks the declaration; without one, its position does */
        const om_fe_io_entry *d = (size_t)k < n_decl ? &decl[k] : NULL;
        om_fe_value v = {0};
        om_status st = om_fe_load_value_file(path, d ? d->kind : OM_FE_IO_TENSOR, &v);
        for (size_t i = 0; st == OM_OK && v.name && v.name[0] && i < n_decl; i++)
            if (strcmp(decl[i].name, v.name) == 0 && &decl[i] != d) {
                d = &decl[i];
                om_fe_value_free(&v);
                st = om_fe_load_value_file(path, d->kind, &v);
                break;
            }
        if (st != OM_OK)
            return case_failf(r, "read %s: %s", path, om_last_error());
        if (info) {
            memset(&info[k], 0, sizeof info[k]);
            snprintf(info[k].name, sizeof info[k].name, "%s", d ? d->name : v.name);
            info[k].kind = d ? d->kind : OM_FE_IO_TENSOR;
            info[k].present = v.present;
            info[k].is_sequence = v.is_sequence;
            info[k].n_items = (int)v.n_items;
        }
        for (size_t i = 0; i < v.n_items; i++) {
            if (*n_out >= CASE_MAX_FILES) {
                om_fe_value_free(&v);
                return case_failf(r, "read %s: more than %d tensors in the data set", path, CASE_MAX_FILES);
            }
            om_fe_tensor *t = &out[(*n_out)++];
            *t = v.items[i];
            memset(&v.items[i], 0, sizeof v.items[i]);
            char nm[300];
            if (v.is_sequence)
                snprintf(nm, sizeof nm, "%s.%zu", d ? d->name : v.name, i);
            else
                snprintf(nm, sizeof nm, "%s", t->name && t->name[0] ? t->name : d ? d->name : "");
            free(t->name);
            t->name = strdup(nm);
            if (!t->name) {
                om_fe_value_free(&v);
                return case_failf(r, "read %s: out of memory", path);
            }
        }
        om_fe_value_free(&v);
    }
    return true;
}

int case_value_pins(const case_value_info *info, int n_files, const om_fe_tensor *flat, int n_flat,
                    om_fe_input_pin *pins, om_shape *elems)
{
    int n = 0, used = 0;
    for (int k = 0; k < n_files; k++) {
        const case_value_info *v = &info[k];
        if (v->kind == OM_FE_IO_TENSOR || v->kind == OM_FE_IO_OTHER)
            continue;
        om_fe_input_pin *p = &pins[n++];
        memset(p, 0, sizeof *p);
        p->name = v->name;
        if (!v->present) {
            p->kind = OM_FE_PIN_NONE;
            continue;
        }
        if (!v->is_sequence) { /* a present optional tensor: a plain input, no pin */
            n--;
            continue;
        }
        p->kind = OM_FE_PIN_SEQUENCE;
        p->elems = &elems[used];
        for (int i = 0; i < v->n_items && used < CASE_MAX_FILES; i++) {
            char nm[300];
            snprintf(nm, sizeof nm, "%s.%d", v->name, i);
            elems[used] = om_shape_unknown();
            for (int f = 0; f < n_flat; f++)
                if (flat[f].name && strcmp(flat[f].name, nm) == 0)
                    elems[used] = flat[f].shape;
            used++;
            p->n_elems++;
        }
    }
    return n;
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
static bool load_frozen(const char *path, const case_opts *o, const om_fe_tensor *ins, int n_in,
                        const om_fe_input_pin *pins, int n_pins, om_graph **g, case_result *r)
{
    om_fe_tensor sel[CASE_MAX_FILES];
    int n_sel = 0;
    for (int k = 0; k < n_in; k++)
        for (int i = 0; i < o->n_const_names; i++)
            if (ins[k].name && strcmp(ins[k].name, o->const_names[i]) == 0 && n_sel < CASE_MAX_FILES)
                sel[n_sel++] = ins[k];
    om_fe_import_opts fo = {0};
    fo.frozen = sel;
    fo.n_frozen = (size_t)n_sel;
    fo.pins = pins;
    fo.n_pins = (size_t)n_pins;
    bool ok = n_sel > 0 && om_fe_import_onnx_file_opts(path, &fo, g) == OM_OK;
    if (!ok && n_sel > 0)
        case_failf(r, "load: %s", om_last_error());
    return ok;
}

/* Output k of a value-typed model: a sequence must have as many elements in the compiled
 * model ("<name>.<i>" outputs) as the expected value. */
static bool check_sequence_length(const omrt_model *model, const case_value_info *v, int s, int k, case_result *r)
{
    if (!v->present || !v->is_sequence)
        return true;
    size_t len = strlen(v->name);
    int have = 0;
    for (size_t i = 0; i < omrt_model_num_outputs(model); i++) {
        const char *on = omrt_model_output(model, i)->name;
        if (on && strncmp(on, v->name, len) == 0 && on[len] == '.' && on[len + 1] &&
            strspn(on + len + 1, "0123456789") == strlen(on + len + 1))
            have++;
    }
    if (have != v->n_items)
        return case_failf(r, "data set %d output_%d: sequence '%s' has %d elements, expected %d", s, k, v->name,
                          have, v->n_items);
    return true;
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
    /* sequence / optional inputs and outputs (see case_run.h) */
    om_fe_io_list io = {0};
    bool values = false;
    static case_value_info in_info[CASE_MAX_FILES], out_info[CASE_MAX_FILES];
    om_fe_input_pin vpins[CASE_MAX_FILES];
    om_shape velems[CASE_MAX_FILES];
    int n_vpins = 0;
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
    if (om_fe_onnx_io_kinds(path, &io) == OM_OK) {
        for (size_t i = 0; i < io.n_inputs; i++)
            values |= io.inputs[i].kind != OM_FE_IO_TENSOR;
        for (size_t i = 0; i < io.n_outputs; i++)
            values |= io.outputs[i].kind != OM_FE_IO_TENSOR;
    }
    snprintf(dir, sizeof dir, "%s/test_data_set_0", case_dir);
    n_in = case_count_numbered(dir, "input_", ".pb");
    if (values) {
        int n_files = n_in;
        if (!case_load_values(dir, "input_", n_files, io.inputs, io.n_inputs, ins, &n_in, in_info, r))
            goto done;
        n_vpins = case_value_pins(in_info, n_files, ins, n_in, vpins, velems);
    } else if (!case_load_tensors(dir, "input_", n_in, ins, r)) {
        goto done;
    }
    om_compile_pins cpins = {0};
    cpins.values = vpins;
    cpins.n_values = n_vpins;
    if (om_compile_load_pinned(path, &cpins, &g) != OM_OK) {
        case_failf(r, "load: %s", om_last_error());
        /* values the frontend resolves at import (Loop trip counts, sequence positions)
         * can only see inputs frozen before import */
        if (!(o && o->n_const_names > 0 && load_frozen(path, o, ins, n_in, vpins, n_vpins, &g, r)))
            goto done;
    }
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
            if (values) {
                int n_files = n_in;
                if (!case_load_values(dir, "input_", n_files, io.inputs, io.n_inputs, ins, &n_in, NULL, r))
                    goto done;
            } else if (!case_load_tensors(dir, "input_", n_in, ins, r)) {
                goto done;
            }
        }
        case_free_tensors(outs, n_out);
        memset(outs, 0, sizeof outs);
        n_out = case_count_numbered(dir, "output_", ".pb");
        if (values) {
            int n_files = n_out;
            if (!case_load_values(dir, "output_", n_files, io.outputs, io.n_outputs, outs, &n_out, out_info, r))
                goto done;
            for (int k = 0; k < n_files; k++)
                if (!check_sequence_length(model, &out_info[k], s, k, r))
                    goto done;
        } else if (!case_load_tensors(dir, "output_", n_out, outs, r)) {
            goto done;
        }

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
            if (mo < 0 && values) {
                case_failf(r, "outputs: data set %d: '%s' is not an output of the compiled model", s, outs[k].name);
                goto done;
            }
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
    om_fe_io_list_free(&io);
    return ok;
}
