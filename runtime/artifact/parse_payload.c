/* om_art_parse, the payload level: decodes TARGET, DESC and PLAN with a bounds-checked
 * cursor and cross-checks them, so that a model that passes can be used without further
 * checks by the runtime:
 *   - every count is checked against the bytes left before anything is allocated for it;
 *   - strings are bounded by their section and may not contain NUL (they become C strings);
 *   - dtypes are known, ranks <= OM_ART_MAX_RANK, dims >= 0, io nbytes = product(dims) * size;
 *   - PLAN tensors: kind known; INPUT/OUTPUT index in range; WEIGHT offset 64-aligned and
 *     [offset, offset+nbytes) inside WEIGHTS; ARENA [offset, offset+nbytes) inside arena_size;
 *   - kernel names non-empty; steps: kernel index, arg indices in range, work_items >= 1;
 *   - DESC io i refers to a PLAN tensor of kind INPUT/OUTPUT with index i, same dtype, nbytes.
 * Trailing bytes after the known fields of a section are ignored (room for later minors).
 * Decoded strings and arrays live in m->owned_; graph/weights/code point into the buffer.
 */
#include <inttypes.h>

#include "runtime/artifact/art_internal.h"
#include "runtime/artifact/parse_internal.h"

#define IO_MIN_BYTES 24u      /* str len, dtype, rank, nbytes, tensor */
#define TENSOR_BYTES 32u
#define STEP_MIN_BYTES 16u

typedef struct pctx {
    om_art_model *m;
    char *err;
    size_t errlen;
} pctx;

static int truncated(pctx *p, const char *sec, const om_art_cur *c, const char *what)
{
    om_art_err(p->err, p->errlen, "section %s is truncated at byte %zu of %zu (reading %s)",
               sec, c->pos, c->size, what);
    return -1;
}

static int read_cstr(pctx *p, om_art_cur *c, const char *sec, const char *what, const char **out)
{
    const uint8_t *s;
    uint32_t n;
    if (!om_art_cur_str(c, &s, &n))
        return truncated(p, sec, c, what);
    if (memchr(s, 0, n)) {
        om_art_err(p->err, p->errlen, "section %s: %s contains a NUL byte", sec, what);
        return -1;
    }
    char *d = om_art_owned_strdup(&p->m->owned_, s, n);
    if (!d) {
        om_art_err(p->err, p->errlen, "out of memory reading section %s", sec);
        return -1;
    }
    *out = d;
    return 0;
}

static void *alloc_array(pctx *p, const char *sec, uint64_t n, size_t elem)
{
    if (n == 0)
        return NULL;
    void *a = n > SIZE_MAX / elem ? NULL : om_art_owned_alloc(&p->m->owned_, (size_t)n * elem);
    if (!a)
        om_art_err(p->err, p->errlen, "out of memory reading section %s", sec);
    return a;
}

/* A u32 count of items of at least min_bytes each, checked against the bytes left. */
static int read_count(pctx *p, om_art_cur *c, const char *sec, const char *what,
                      uint32_t min_bytes, uint32_t *n)
{
    *n = om_art_cur_u32(c);
    if (c->bad)
        return truncated(p, sec, c, what);
    if ((uint64_t)*n * min_bytes > om_art_cur_left(c)) {
        om_art_err(p->err, p->errlen, "section %s: %s %" PRIu32 " needs at least %" PRIu64
                   " bytes, %zu left", sec, what, *n, (uint64_t)*n * min_bytes,
                   om_art_cur_left(c));
        return -1;
    }
    return 0;
}

static int parse_target(pctx *p, const uint8_t *d, uint64_t size)
{
    om_art_cur c = {d, (size_t)size, 0, false};
    om_art_model *m = p->m;
    if (read_cstr(p, &c, "TARGET", "triple", &m->triple) ||
        read_cstr(p, &c, "TARGET", "cpu", &m->cpu) ||
        read_cstr(p, &c, "TARGET", "features", &m->features) ||
        read_cstr(p, &c, "TARGET", "required_x86", &m->required_x86))
        return -1;
    return 0;
}

static int parse_io(pctx *p, om_art_cur *c, const char *what, uint32_t i, om_art_io *io)
{
    char label[64];
    snprintf(label, sizeof label, "%s %" PRIu32, what, i);
    if (read_cstr(p, c, "DESC", label, &io->name))
        return -1;
    io->dtype = om_art_cur_u32(c);
    io->rank = om_art_cur_u32(c);
    if (c->bad)
        return truncated(p, "DESC", c, label);
    size_t esize = om_art_dtype_size(io->dtype);
    if (esize == 0) {
        om_art_err(p->err, p->errlen, "section DESC: %s '%s' has unknown dtype %" PRIu32,
                   label, io->name, io->dtype);
        return -1;
    }
    if (io->rank > OM_ART_MAX_RANK) {
        om_art_err(p->err, p->errlen, "section DESC: %s '%s' has rank %" PRIu32 " > %d", label,
                   io->name, io->rank, OM_ART_MAX_RANK);
        return -1;
    }
    uint64_t elems = 1;
    bool overflow = false;
    for (uint32_t d = 0; d < io->rank; d++) {
        io->dims[d] = om_art_cur_i64(c);
        if (c->bad)
            return truncated(p, "DESC", c, label);
        if (io->dims[d] < 0) {
            om_art_err(p->err, p->errlen, "section DESC: %s '%s' dim %" PRIu32 " is %" PRId64,
                       label, io->name, d, io->dims[d]);
            return -1;
        }
        if (io->dims[d] && elems > UINT64_MAX / (uint64_t)io->dims[d])
            overflow = true;
        else
            elems *= (uint64_t)io->dims[d];
    }
    io->nbytes = om_art_cur_u64(c);
    io->tensor = om_art_cur_u32(c);
    if (c->bad)
        return truncated(p, "DESC", c, label);
    if (overflow || elems > UINT64_MAX / esize || elems * esize != io->nbytes) {
        om_art_err(p->err, p->errlen, "section DESC: %s '%s' nbytes %" PRIu64
                   " does not match its shape and dtype", label, io->name, io->nbytes);
        return -1;
    }
    return 0;
}

static int parse_desc(pctx *p, const uint8_t *d, uint64_t size)
{
    om_art_cur c = {d, (size_t)size, 0, false};
    om_art_model *m = p->m;
    if (read_count(p, &c, "DESC", "input count", IO_MIN_BYTES, &m->n_inputs))
        return -1;
    if (m->n_inputs && !(m->inputs = alloc_array(p, "DESC", m->n_inputs, sizeof(om_art_io))))
        return -1;
    for (uint32_t i = 0; i < m->n_inputs; i++)
        if (parse_io(p, &c, "input", i, &m->inputs[i]))
            return -1;
    if (read_count(p, &c, "DESC", "output count", IO_MIN_BYTES, &m->n_outputs))
        return -1;
    if (m->n_outputs && !(m->outputs = alloc_array(p, "DESC", m->n_outputs, sizeof(om_art_io))))
        return -1;
    for (uint32_t i = 0; i < m->n_outputs; i++)
        if (parse_io(p, &c, "output", i, &m->outputs[i]))
            return -1;
    return 0;
}

static int check_tensor(pctx *p, uint32_t i, const om_art_tensor *t)
{
    const om_art_model *m = p->m;
    if (om_art_dtype_size(t->dtype) == 0) {
        om_art_err(p->err, p->errlen, "section PLAN: tensor %" PRIu32 " has unknown dtype %"
                   PRIu32, i, t->dtype);
        return -1;
    }
    switch (t->kind) {
    case OM_ART_TENSOR_INPUT:
    case OM_ART_TENSOR_OUTPUT: {
        uint32_t n = t->kind == OM_ART_TENSOR_INPUT ? m->n_inputs : m->n_outputs;
        if (t->index >= n) {
            om_art_err(p->err, p->errlen, "section PLAN: tensor %" PRIu32 " refers to %s %"
                       PRIu32 " but the model has %" PRIu32, i,
                       t->kind == OM_ART_TENSOR_INPUT ? "input" : "output", t->index, n);
            return -1;
        }
        return 0;
    }
    case OM_ART_TENSOR_WEIGHT:
        if (t->offset % OM_ART_WEIGHT_ALIGN) {
            om_art_err(p->err, p->errlen, "section PLAN: weight tensor %" PRIu32 " offset %"
                       PRIu64 " is not %d-byte aligned", i, t->offset, OM_ART_WEIGHT_ALIGN);
            return -1;
        }
        if (t->offset > m->weights_size || t->nbytes > m->weights_size - t->offset) {
            om_art_err(p->err, p->errlen, "section PLAN: weight tensor %" PRIu32 " [%" PRIu64
                       ", +%" PRIu64 ") lies outside WEIGHTS (%" PRIu64 " bytes)", i, t->offset,
                       t->nbytes, m->weights_size);
            return -1;
        }
        return 0;
    case OM_ART_TENSOR_ARENA:
        if (t->offset > m->arena_size || t->nbytes > m->arena_size - t->offset) {
            om_art_err(p->err, p->errlen, "section PLAN: arena tensor %" PRIu32 " [%" PRIu64
                       ", +%" PRIu64 ") lies outside the arena (%" PRIu64 " bytes)", i,
                       t->offset, t->nbytes, m->arena_size);
            return -1;
        }
        return 0;
    default:
        om_art_err(p->err, p->errlen, "section PLAN: tensor %" PRIu32 " has unknown kind %"
                   PRIu32, i, t->kind);
        return -1;
    }
}

/* Format 1.1: one label per step after the steps (absent in 1.0, or count 0). */
static int parse_step_labels(pctx *p, om_art_cur *c)
{
    om_art_model *m = p->m;
    if (m->minor < 1 || om_art_cur_left(c) == 0)
        return 0;
    uint32_t n;
    if (read_count(p, c, "PLAN", "step label count", 4, &n))
        return -1;
    if (n == 0)
        return 0;
    if (n != m->n_steps) {
        om_art_err(p->err, p->errlen, "section PLAN: %" PRIu32 " step labels for %" PRIu32 " steps", n,
                   m->n_steps);
        return -1;
    }
    if (!(m->step_labels = alloc_array(p, "PLAN", n, sizeof(const char *))))
        return -1;
    for (uint32_t s = 0; s < n; s++) {
        char label[40];
        snprintf(label, sizeof label, "step label %" PRIu32, s);
        if (read_cstr(p, c, "PLAN", label, &m->step_labels[s]))
            return -1;
    }
    return 0;
}

static int parse_steps(pctx *p, om_art_cur *c)
{
    om_art_model *m = p->m;
    if (read_count(p, c, "PLAN", "step count", STEP_MIN_BYTES, &m->n_steps))
        return -1;
    if (m->n_steps && !(m->steps = alloc_array(p, "PLAN", m->n_steps, sizeof(om_art_step))))
        return -1;
    for (uint32_t s = 0; s < m->n_steps; s++) {
        om_art_step *st = &m->steps[s];
        char label[48];
        snprintf(label, sizeof label, "step %" PRIu32, s);
        st->kernel = om_art_cur_u32(c);
        st->n_args = om_art_cur_u32(c);
        st->work_items = om_art_cur_i64(c);
        if (c->bad)
            return truncated(p, "PLAN", c, label);
        if ((uint64_t)st->n_args * 4 > om_art_cur_left(c))
            return truncated(p, "PLAN", c, label);
        if (st->kernel >= m->n_kernels) {
            om_art_err(p->err, p->errlen, "section PLAN: step %" PRIu32 " uses kernel %" PRIu32
                       " but there are %" PRIu32, s, st->kernel, m->n_kernels);
            return -1;
        }
        if (st->work_items < 1) {
            om_art_err(p->err, p->errlen, "section PLAN: step %" PRIu32 " (%s) has work_items %"
                       PRId64 " (must be >= 1)", s, m->kernel_names[st->kernel], st->work_items);
            return -1;
        }
        uint32_t *args = NULL;
        if (st->n_args && !(args = alloc_array(p, "PLAN", st->n_args, sizeof(uint32_t))))
            return -1;
        for (uint32_t a = 0; a < st->n_args; a++) {
            args[a] = om_art_cur_u32(c);
            if (args[a] >= m->n_tensors) {
                om_art_err(p->err, p->errlen, "section PLAN: step %" PRIu32 " (%s) arg %" PRIu32
                           " refers to tensor %" PRIu32 " but there are %" PRIu32, s,
                           m->kernel_names[st->kernel], a, args[a], m->n_tensors);
                return -1;
            }
        }
        st->args = args;
    }
    return parse_step_labels(p, c);
}

static int parse_plan(pctx *p, const uint8_t *d, uint64_t size)
{
    om_art_cur c = {d, (size_t)size, 0, false};
    om_art_model *m = p->m;
    m->arena_size = om_art_cur_u64(&c);
    if (c.bad)
        return truncated(p, "PLAN", &c, "arena size");
    if (read_count(p, &c, "PLAN", "tensor count", TENSOR_BYTES, &m->n_tensors))
        return -1;
    if (m->n_tensors &&
        !(m->tensors = alloc_array(p, "PLAN", m->n_tensors, sizeof(om_art_tensor))))
        return -1;
    for (uint32_t i = 0; i < m->n_tensors; i++) {
        om_art_tensor *t = &m->tensors[i];
        t->kind = om_art_cur_u32(&c);
        t->dtype = om_art_cur_u32(&c);
        t->index = om_art_cur_u32(&c);
        (void)om_art_cur_u32(&c); /* reserved */
        t->offset = om_art_cur_u64(&c);
        t->nbytes = om_art_cur_u64(&c);
        if (check_tensor(p, i, t))
            return -1;
    }
    if (read_count(p, &c, "PLAN", "kernel count", 4, &m->n_kernels))
        return -1;
    if (m->n_kernels &&
        !(m->kernel_names = alloc_array(p, "PLAN", m->n_kernels, sizeof(const char *))))
        return -1;
    for (uint32_t k = 0; k < m->n_kernels; k++) {
        char label[40];
        snprintf(label, sizeof label, "kernel name %" PRIu32, k);
        if (read_cstr(p, &c, "PLAN", label, &m->kernel_names[k]))
            return -1;
        if (!m->kernel_names[k][0]) {
            om_art_err(p->err, p->errlen, "section PLAN: %s is empty", label);
            return -1;
        }
    }
    return parse_steps(p, &c);
}

static int check_io(pctx *p, const char *what, uint32_t kind, uint32_t i, const om_art_io *io)
{
    const om_art_model *m = p->m;
    if (io->tensor >= m->n_tensors) {
        om_art_err(p->err, p->errlen, "%s %" PRIu32 " '%s' refers to tensor %" PRIu32
                   " but PLAN has %" PRIu32, what, i, io->name, io->tensor, m->n_tensors);
        return -1;
    }
    const om_art_tensor *t = &m->tensors[io->tensor];
    if (t->kind != kind || t->index != i) {
        om_art_err(p->err, p->errlen, "%s %" PRIu32 " '%s' refers to tensor %" PRIu32
                   " which is not %s %" PRIu32, what, i, io->name, io->tensor, what, i);
        return -1;
    }
    if (t->dtype != io->dtype || t->nbytes != io->nbytes) {
        om_art_err(p->err, p->errlen, "%s %" PRIu32 " '%s': dtype/nbytes %" PRIu32 "/%" PRIu64
                   " differ from tensor %" PRIu32 "'s %" PRIu32 "/%" PRIu64, what, i, io->name,
                   io->dtype, io->nbytes, io->tensor, t->dtype, t->nbytes);
        return -1;
    }
    return 0;
}

int om_art_parse_payloads(const uint8_t *buf, om_art_model *m, char *err, size_t errlen)
{
    pctx p = {m, err, errlen};
    const uint8_t *d;
    uint64_t size;

    /* weights, graph and code first: PLAN checks tensor offsets against weights_size */
    if (om_art_find_section(m, OM_ART_SEC_GRAPH, buf, &d, &size) == 0) {
        m->graph_text = (const char *)d;
        m->graph_size = size;
    }
    if (om_art_find_section(m, OM_ART_SEC_WEIGHTS, buf, &d, &size) == 0) {
        m->weights = d;
        m->weights_size = size;
    }
    om_art_find_section(m, OM_ART_SEC_CODE, buf, &d, &size);
    m->code = d;
    m->code_size = size;

    om_art_find_section(m, OM_ART_SEC_TARGET, buf, &d, &size);
    if (parse_target(&p, d, size))
        return -1;
    om_art_find_section(m, OM_ART_SEC_DESC, buf, &d, &size);
    if (parse_desc(&p, d, size))
        return -1;
    om_art_find_section(m, OM_ART_SEC_PLAN, buf, &d, &size);
    if (parse_plan(&p, d, size))
        return -1;
    for (uint32_t i = 0; i < m->n_inputs; i++)
        if (check_io(&p, "input", OM_ART_TENSOR_INPUT, i, &m->inputs[i]))
            return -1;
    for (uint32_t i = 0; i < m->n_outputs; i++)
        if (check_io(&p, "output", OM_ART_TENSOR_OUTPUT, i, &m->outputs[i]))
            return -1;
    return 0;
}
