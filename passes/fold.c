/* Constant folding of one node (see fold.h). Shape and Size are computed here from the
 * input's static shape; everything else goes through the caller's evaluator
 * (opts->eval_node, the codegen JIT in omc), which writes straight into arena buffers that
 * become the constants' data. */
#include "passes/fold.h"

#include <string.h>

static bool is_random_op(om_op op)
{
    const char *name = om_op_name(op);
    return strncmp(name, "Random", 6) == 0 || strcmp(name, "Bernoulli") == 0 ||
           strcmp(name, "Multinomial") == 0 || strcmp(name, "Dropout") == 0;
}

/* Shape (opset 15 start/end attributes, clamped like the spec) or Size of a static input. */
static bool fold_shape_like(const om_node *n, void *out)
{
    const char *name = om_op_name(n->op);
    const om_value *x = n->n_inputs == 1 ? n->inputs[0] : NULL;
    if (!x || !om_shape_is_static(&x->shape))
        return false;
    int64_t *o = out;
    if (strcmp(name, "Size") == 0) {
        if (n->outputs[0]->dtype != OM_DT_INT64 || om_shape_numel(&n->outputs[0]->shape) != 1)
            return false;
        o[0] = om_shape_numel(&x->shape);
        return true;
    }
    int r = x->shape.rank;
    int64_t start = om_node_int(n, "start", 0), end = om_node_int(n, "end", r);
    if (start < 0)
        start += r;
    if (end < 0)
        end += r;
    start = start < 0 ? 0 : start > r ? r : start;
    end = end < 0 ? 0 : end > r ? r : end;
    int64_t cnt = end > start ? end - start : 0;
    if (n->outputs[0]->dtype != OM_DT_INT64 || om_shape_numel(&n->outputs[0]->shape) != cnt)
        return false;
    for (int64_t i = 0; i < cnt; i++)
        o[i] = x->shape.dims[start + i];
    return true;
}

om_status om_fold_node(om_graph *g, om_node *n, const om_pass_opts *opts, bool *folded)
{
    *folded = false;
    if (!n || n->dead || n->n_outputs < 1 || n->n_outputs > 16 || is_random_op(n->op))
        return OM_OK;
    const char *name = om_op_name(n->op);
    bool shape_like = strcmp(name, "Shape") == 0 || strcmp(name, "Size") == 0;
    if (!shape_like) {
        if (!opts || !opts->eval_node)
            return OM_OK;
        for (int i = 0; i < n->n_inputs; i++) {
            const om_value *v = n->inputs[i];
            if (v && (v->kind != OM_VALUE_CONSTANT ||
                      v->nbytes != (size_t)om_shape_numel(&v->shape) * om_dtype_size(v->dtype)))
                return OM_OK;
        }
    }
    int64_t limit = opts && opts->fold_limit_bytes > 0 ? opts->fold_limit_bytes : OM_FOLD_DEFAULT_LIMIT;
    int64_t total = 0;
    size_t bytes[16];
    for (int i = 0; i < n->n_outputs; i++) {
        const om_value *v = n->outputs[i];
        if (!v || v->is_output || v->kind != OM_VALUE_INTERMEDIATE || !om_shape_is_static(&v->shape) ||
            om_dtype_size(v->dtype) == 0)
            return OM_OK;
        int64_t numel = om_shape_numel(&v->shape);
        if (numel > limit)
            return OM_OK;
        bytes[i] = (size_t)numel * om_dtype_size(v->dtype);
        total += (int64_t)bytes[i];
        if (total > limit)
            return OM_OK;
    }
    void *bufs[16];
    for (int i = 0; i < n->n_outputs; i++) {
        /* 64 bytes of slack: kernels may touch whole vectors at the end of small buffers. */
        bufs[i] = om_graph_alloc(g, (bytes[i] + 63) / 64 * 64 + 64);
        if (!bufs[i])
            return om_error(OM_ERR_NO_MEMORY, "fold: out of memory for the outputs of node '%s' (%s)", n->name,
                            name);
    }
    if (shape_like) {
        if (n->n_outputs != 1 || !fold_shape_like(n, bufs[0]))
            return OM_OK;
    } else {
        om_status st = opts->eval_node(opts->eval_user, g, n, bufs);
        if (st == OM_ERR_NO_MEMORY)
            return st;
        if (st != OM_OK) {
            om_pass_count(opts, "eval-failed", 1);   /* the node stays; codegen reports it */
            return OM_OK;
        }
    }
    for (int i = 0; i < n->n_outputs; i++) {
        om_value *v = n->outputs[i];
        v->kind = OM_VALUE_CONSTANT;
        v->data = bufs[i];
        v->nbytes = bytes[i];
        v->producer = NULL;
        v->producer_output = 0;
        v->mem_offset = -1;
    }
    n->dead = true;
    *folded = true;
    return OM_OK;
}
