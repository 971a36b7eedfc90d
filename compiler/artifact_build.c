/* Building the .om artifact's contents (om_art_model) from a planned graph and the code
 * generator's result.
 *
 * Tensor table, in this order (deterministic: it depends only on the graph and the steps):
 *   - one INPUT tensor per graph input (index = input number),
 *   - one OUTPUT tensor per graph output (index = output number),
 *   - then, walking the steps in order and their args in order, one entry per value seen
 *     for the first time: constants become WEIGHT tensors, intermediates ARENA tensors at
 *     value->mem_offset.
 * Weights: each constant's bytes at a 64-byte aligned offset in the WEIGHTS blob, zero
 * padding between; constants with identical bytes share one copy.
 * Kernel names: the step symbols, each once, in first-use order.
 * The artifact asks for section compression (om_art_model.compress): the writer encodes PLAN,
 * GRAPH and CODE where that makes them smaller; WEIGHTS stays raw and mmap-able.
 *
 * Invariants checked here (the graph must have gone through finalize-io and plan-memory):
 * a graph output is not also an input, a constant or listed twice, and some step writes
 * it; every intermediate a step touches has an arena offset with its bytes inside the arena.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"

#ifndef OMC_VERSION
#define OMC_VERSION "0.0.0"
#endif

typedef struct builder {
    const om_graph *g;
    om_art_model *m;
    int64_t *tensor_of;     /* value id -> tensor index, -1 if none */
    uint32_t cap_tensors;
    const om_value **weight_src; /* per WEIGHT tensor, its constant (parallel to tensors) */
    uint64_t weights_size;
} builder;

static uint64_t value_nbytes(const om_value *v)
{
    if (v->kind == OM_VALUE_CONSTANT)
        return v->nbytes;
    int64_t n = om_shape_numel(&v->shape);
    return n < 0 ? 0 : (uint64_t)n * om_dtype_size(v->dtype);
}

static om_status value_slot(builder *b, const om_value *v, int64_t **slot)
{
    *slot = NULL;
    if (v->id >= b->g->n_values || b->g->values[v->id] != v)
        return om_error(OM_ERR_INTERNAL, "value '%s' (id %u) is not in the graph's value table",
                        v->name, v->id);
    *slot = &b->tensor_of[v->id];
    return OM_OK;
}

static om_status add_tensor(builder *b, const om_value *v, uint32_t kind, uint32_t index,
                            uint64_t offset, uint32_t *out)
{
    om_art_model *m = b->m;
    if (m->n_tensors == b->cap_tensors) {
        uint32_t cap = b->cap_tensors ? b->cap_tensors * 2 : 16;
        om_art_tensor *t = realloc(m->tensors, sizeof *t * cap);
        if (!t)
            return om_error(OM_ERR_NO_MEMORY, "artifact: out of memory (tensor table)");
        m->tensors = t;
        const om_value **w = realloc(b->weight_src, sizeof *w * cap);
        if (!w)
            return om_error(OM_ERR_NO_MEMORY, "artifact: out of memory (tensor table)");
        b->weight_src = w;
        b->cap_tensors = cap;
    }
    om_art_tensor *t = &m->tensors[m->n_tensors];
    memset(t, 0, sizeof *t);
    t->kind = kind;
    t->dtype = (uint32_t)v->dtype;
    t->index = index;
    t->offset = offset;
    t->nbytes = value_nbytes(v);
    b->weight_src[m->n_tensors] = kind == OM_ART_TENSOR_WEIGHT ? v : NULL;
    *out = m->n_tensors++;
    return OM_OK;
}

static om_status fill_io(const om_value *v, uint32_t tensor, om_art_io *io)
{
    if (v->shape.rank < 0 || v->shape.rank > OM_ART_MAX_RANK)
        return om_error(OM_ERR_INVALID_MODEL, "graph input/output '%s' has rank %d (at most %d)",
                        v->name, v->shape.rank, OM_ART_MAX_RANK);
    memset(io, 0, sizeof *io);
    io->name = v->name;
    io->dtype = (uint32_t)v->dtype;
    io->rank = (uint32_t)v->shape.rank;
    for (int i = 0; i < v->shape.rank; i++)
        io->dims[i] = v->shape.dims[i];
    io->nbytes = value_nbytes(v);
    io->tensor = tensor;
    return OM_OK;
}

static om_status add_io(builder *b)
{
    const om_graph *g = b->g;
    om_art_model *m = b->m;
    m->n_inputs = (uint32_t)g->n_inputs;
    m->n_outputs = (uint32_t)g->n_outputs;
    m->inputs = calloc(g->n_inputs ? g->n_inputs : 1, sizeof *m->inputs);
    m->outputs = calloc(g->n_outputs ? g->n_outputs : 1, sizeof *m->outputs);
    if (!m->inputs || !m->outputs)
        return om_error(OM_ERR_NO_MEMORY, "artifact: out of memory (model description)");
    om_status st;
    for (size_t i = 0; i < g->n_inputs; i++) {
        const om_value *v = g->inputs[i];
        int64_t *slot;
        uint32_t t;
        if ((st = value_slot(b, v, &slot)) != OM_OK)
            return st;
        if (*slot >= 0)
            return om_error(OM_ERR_INVALID_MODEL, "graph input '%s' is listed twice", v->name);
        if ((st = add_tensor(b, v, OM_ART_TENSOR_INPUT, (uint32_t)i, 0, &t)) != OM_OK)
            return st;
        *slot = t;
        if ((st = fill_io(v, t, &m->inputs[i])) != OM_OK)
            return st;
    }
    for (size_t i = 0; i < g->n_outputs; i++) {
        const om_value *v = g->outputs[i];
        int64_t *slot;
        uint32_t t;
        if ((st = value_slot(b, v, &slot)) != OM_OK)
            return st;
        if (*slot >= 0 || v->kind != OM_VALUE_INTERMEDIATE || !v->producer)
            return om_error(OM_ERR_INVALID_MODEL,
                            "graph output '%s' is %s: the artifact needs the 'finalize-io' pass",
                            v->name,
                            *slot >= 0 ? (m->tensors[*slot].kind == OM_ART_TENSOR_INPUT
                                              ? "also a graph input" : "listed twice")
                            : v->kind == OM_VALUE_CONSTANT ? "a constant"
                                                           : "not produced by a node");
        if ((st = add_tensor(b, v, OM_ART_TENSOR_OUTPUT, (uint32_t)i, 0, &t)) != OM_OK)
            return st;
        *slot = t;
        if ((st = fill_io(v, t, &m->outputs[i])) != OM_OK)
            return st;
    }
    return OM_OK;
}

/* Offset for constant v in the weights blob: the offset of an earlier constant with the
 * same bytes, or the next 64-aligned offset. */
static uint64_t weight_offset(builder *b, const om_value *v)
{
    const om_art_model *m = b->m;
    for (uint32_t i = 0; i < m->n_tensors; i++) {
        const om_value *w = b->weight_src[i];
        if (w && w->nbytes == v->nbytes && (v->nbytes == 0 || memcmp(w->data, v->data, v->nbytes) == 0))
            return m->tensors[i].offset;
    }
    uint64_t off = (b->weights_size + OM_ART_WEIGHT_ALIGN - 1) / OM_ART_WEIGHT_ALIGN * OM_ART_WEIGHT_ALIGN;
    b->weights_size = off + v->nbytes;
    return off;
}

static om_status tensor_for_arg(builder *b, const om_cg_step *s, const om_value *v, uint32_t *out)
{
    int64_t *slot;
    om_status st = value_slot(b, v, &slot);
    if (st != OM_OK)
        return st;
    if (*slot >= 0) {
        *out = (uint32_t)*slot;
        return OM_OK;
    }
    const om_graph *g = b->g;
    uint32_t t;
    if (v->kind == OM_VALUE_CONSTANT) {
        if (!v->data && v->nbytes)
            return om_error(OM_ERR_INVALID_MODEL, "constant '%s' has no data", v->name);
        st = add_tensor(b, v, OM_ART_TENSOR_WEIGHT, 0, weight_offset(b, v), &t);
    } else if (v->kind == OM_VALUE_INTERMEDIATE) {
        uint64_t nbytes = value_nbytes(v);
        if (v->mem_offset < 0 || (uint64_t)v->mem_offset + nbytes > (uint64_t)g->arena_size)
            return om_error(OM_ERR_INVALID_MODEL,
                            "value '%s' (used by node '%s', %s) has %s: the artifact needs the "
                            "'plan-memory' pass to run last",
                            v->name, s->node->name, om_op_name(s->node->op),
                            v->mem_offset < 0 ? "no arena offset" : "an offset outside the arena");
        st = add_tensor(b, v, OM_ART_TENSOR_ARENA, 0, (uint64_t)v->mem_offset, &t);
    } else {
        return om_error(OM_ERR_INVALID_MODEL, "value '%s' used by node '%s' is an input that is "
                        "not listed among the graph inputs", v->name, s->node->name);
    }
    if (st != OM_OK)
        return st;
    *slot = t;
    *out = t;
    return OM_OK;
}

static om_status add_kernel(om_art_model *m, const char *symbol, uint32_t *out)
{
    for (uint32_t i = 0; i < m->n_kernels; i++) {
        if (strcmp(m->kernel_names[i], symbol) == 0) {
            *out = i;
            return OM_OK;
        }
    }
    m->kernel_names[m->n_kernels] = symbol;   /* room for n_steps names was allocated */
    *out = m->n_kernels++;
    return OM_OK;
}

/* "node 'name' (Op)": what a run-time error names (format 1.1 step labels). */
static char *step_label(const om_node *n)
{
    const char *name = n->name ? n->name : "";
    size_t len = strlen(name) + strlen(om_op_name(n->op)) + 16;
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "node '%s' (%s)", name, om_op_name(n->op));
    return s;
}

static om_status add_steps(builder *b, const om_cg_result *r)
{
    om_art_model *m = b->m;
    size_t n = r->n_steps;
    m->steps = calloc(n ? n : 1, sizeof *m->steps);
    m->kernel_names = calloc(n ? n : 1, sizeof *m->kernel_names);
    m->step_labels = calloc(n ? n : 1, sizeof *m->step_labels);
    if (!m->steps || !m->kernel_names || !m->step_labels)
        return om_error(OM_ERR_NO_MEMORY, "artifact: out of memory (steps)");
    for (size_t i = 0; i < n; i++) {
        const om_cg_step *s = &r->steps[i];
        om_art_step *a = &m->steps[i];
        if (!s->symbol || !s->node || s->n_args < 0 || (s->n_args > 0 && !s->args) || s->work_items < 1)
            return om_error(OM_ERR_INTERNAL, "codegen step %zu is malformed", i);
        om_status st = add_kernel(m, s->symbol, &a->kernel);
        if (st != OM_OK)
            return st;
        a->work_items = s->work_items;
        uint32_t *args = calloc(s->n_args ? (size_t)s->n_args : 1, sizeof *args);
        if (!args)
            return om_error(OM_ERR_NO_MEMORY, "artifact: out of memory (step args)");
        a->args = args;
        a->n_args = (uint32_t)s->n_args;
        m->n_steps = (uint32_t)(i + 1);
        char *label = step_label(s->node);
        if (!label)
            return om_error(OM_ERR_NO_MEMORY, "artifact: out of memory (step labels)");
        m->step_labels[i] = label;
        for (int j = 0; j < s->n_args; j++) {
            if (!s->args[j])
                return om_error(OM_ERR_INTERNAL, "codegen step for node '%s' has a NULL arg %d",
                                s->node->name, j);
            if ((st = tensor_for_arg(b, s, s->args[j], &args[j])) != OM_OK)
                return st;
        }
    }
    return OM_OK;
}

/* Every OUTPUT tensor must be written by some step. */
static om_status check_outputs_written(builder *b, const om_cg_result *r)
{
    const om_graph *g = b->g;
    for (size_t i = 0; i < g->n_outputs; i++) {
        const om_value *v = g->outputs[i];
        bool written = false;
        for (size_t k = 0; k < r->n_steps && !written; k++) {
            const om_node *n = r->steps[k].node;
            for (int j = 0; j < n->n_outputs; j++)
                written |= n->outputs[j] == v;
        }
        if (!written)
            return om_error(OM_ERR_INVALID_MODEL,
                            "graph output '%s' is not computed by any kernel", v->name);
    }
    return OM_OK;
}

static om_status fill_weights(builder *b)
{
    om_art_model *m = b->m;
    if (b->weights_size == 0)
        return OM_OK;
    unsigned char *blob = calloc(1, b->weights_size);
    if (!blob)
        return om_error(OM_ERR_NO_MEMORY, "artifact: out of memory (%llu bytes of weights)",
                        (unsigned long long)b->weights_size);
    for (uint32_t i = 0; i < m->n_tensors; i++) {
        const om_value *w = b->weight_src[i];
        if (w && w->nbytes)
            memcpy(blob + m->tensors[i].offset, w->data, w->nbytes);
    }
    m->weights = blob;
    m->weights_size = b->weights_size;
    return OM_OK;
}

om_status om_compile_build_artifact(const om_graph *g, const om_cg_result *r, om_art_model *m)
{
    if (!g || !r || !m)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_compile_build_artifact: NULL argument");
    memset(m, 0, sizeof *m);
    builder b = {.g = g, .m = m};
    om_status st = OM_OK;

    m->major = OM_ART_MAJOR;
    m->minor = OM_ART_MINOR;
    snprintf(m->producer, sizeof m->producer, "omc %s", OMC_VERSION);
    m->triple = r->triple ? r->triple : "";
    m->cpu = r->cpu ? r->cpu : "";
    m->features = r->features ? r->features : "";
    m->required_x86 = r->required_cpu ? r->required_cpu : "";
    if (g->arena_size < 0) {
        st = om_error(OM_ERR_INVALID_MODEL, "the graph has no memory plan: the artifact needs "
                      "the 'plan-memory' pass");
        goto fail;
    }
    m->arena_size = (uint64_t)g->arena_size;

    b.tensor_of = malloc(sizeof *b.tensor_of * (g->n_values ? g->n_values : 1));
    if (!b.tensor_of) {
        st = om_error(OM_ERR_NO_MEMORY, "artifact: out of memory");
        goto fail;
    }
    for (size_t i = 0; i < g->n_values; i++)
        b.tensor_of[i] = -1;

    if ((st = add_io(&b)) != OM_OK || (st = add_steps(&b, r)) != OM_OK ||
        (st = check_outputs_written(&b, r)) != OM_OK || (st = fill_weights(&b)) != OM_OK)
        goto fail;

    om_print_opts po = {.elide_above = 64, .show_mem = true};
    char *text = NULL;
    if ((st = om_ir_print_to_string(g, &po, &text)) != OM_OK)
        goto fail;
    m->graph_text = text;
    m->graph_size = strlen(text);
    m->code = r->object;
    m->code_size = r->object_size;
    m->compress = true;   /* PLAN, GRAPH, CODE as OMLZ where smaller (format 1.2) */

    free(b.tensor_of);
    free(b.weight_src);
    return OM_OK;
fail:
    free(b.tensor_of);
    free(b.weight_src);
    om_compile_artifact_free(m);
    return st;
}

void om_compile_artifact_free(om_art_model *m)
{
    if (!m)
        return;
    free(m->inputs);
    free(m->outputs);
    free(m->tensors);
    free((void *)m->kernel_names);
    if (m->steps)
        for (uint32_t i = 0; i < m->n_steps; i++)
            free((void *)m->steps[i].args);
    free(m->steps);
    if (m->step_labels)
        for (uint32_t i = 0; i < m->n_steps; i++)
            free((void *)m->step_labels[i]);
    free((void *)m->step_labels);
    free((void *)m->graph_text);
    free((void *)m->weights);
    memset(m, 0, sizeof *m);
}
