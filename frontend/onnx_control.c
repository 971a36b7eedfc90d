/* If / Loop / Scan / SequenceMap resolved at import time, and the scoping of subgraphs.
 *
 * omc compiles static graphs, so control flow is flattened into plain tensor ops while
 * importing (the graph still computes its outputs from its runtime inputs):
 *   If    condition a compile-time constant (a constant, possibly behind Identity nodes):
 *         the taken branch is inlined. Otherwise BOTH branches are inlined and every
 *         output is Where(Squeeze(cond), then_k, else_k). Cost: both branches are always
 *         computed. Valid because ONNX ops have no side effects here (random ops are
 *         unsupported anyway); the branches must produce the same shapes: Where would
 *         broadcast differing shapes, so a branch output whose static shape is known at
 *         import and differs from the other branch's is refused.
 *   Loop  trip count M a compile-time constant, the loop condition absent or constant,
 *         and the body's condition output a constant or the unchanged condition input:
 *         the body is inlined M times (iteration number and condition as constants),
 *         carried values threaded through; scan outputs are stacked along a new axis 0
 *         (Unsqueeze + Concat). A constant false condition output stops the unrolling.
 *   Scan  (opset 9+) the scan length read from the static shape of the first scan
 *         input; each iteration takes Gather(x, t, axis) of every scan input, scan
 *         outputs are stacked along their axes (directions honoured). Opset 8 (batch
 *         axis 0, sequence axis 1, no sequence_lens) is unrolled per batch element too.
 *   SequenceMap  the body is inlined once per element of input 0 (its length is known at
 *         import); further sequence inputs are indexed alongside, tensor inputs are given
 *         to every iteration; each body output collects into an output sequence.
 * If with a run-time condition whose branches give sequences of equal length: one Where
 * per element. A condition computed from constants (eval_scalar, e.g. Not of
 * OptionalHasElement) counts as constant.
 * Limits: OM_FE_MAX_UNROLL iterations and OM_FE_MAX_UNROLL_NODES added nodes per model
 * (OM_ERR_UNSUPPORTED beyond, naming the node). Values defined in a subgraph get IR names
 * "<node>/<branch or iteration>/<onnx name>".
 */
#include "frontend/fe_control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- scopes ------------------------------------------------------------------------ */

static om_fe_scope *root_scope(om_fe_ctx *ctx)
{
    if (!ctx->root)
        ctx->root = om_graph_alloc(ctx->g, sizeof *ctx->root);
    return ctx->root;
}

om_fe_binding *om_fe_find_binding(om_fe_ctx *ctx, const char *name)
{
    for (om_fe_scope *s = ctx->scope ? ctx->scope : ctx->root; s; s = s->parent)
        for (int i = s->n - 1; i >= 0; i--)
            if (strcmp(s->b[i].name, name) == 0)
                return &s->b[i];
    return NULL;
}

om_status om_fe_bind(om_fe_ctx *ctx, const char *name, om_value *v, om_fe_seq *seq)
{
    om_fe_scope *s = ctx->scope ? ctx->scope : root_scope(ctx);
    if (!s)
        return om_error(OM_ERR_NO_MEMORY, "out of memory binding '%s'", name);
    if (s->n == s->cap) {
        int cap = s->cap ? 2 * s->cap : 16;
        om_fe_binding *b = om_graph_alloc(ctx->g, (size_t)cap * sizeof *b);
        if (!b)
            return om_error(OM_ERR_NO_MEMORY, "out of memory binding '%s'", name);
        if (s->n)
            memcpy(b, s->b, (size_t)s->n * sizeof *b);
        s->b = b;
        s->cap = cap;
    }
    om_fe_binding *b = &s->b[s->n++];
    memset(b, 0, sizeof *b);
    b->name = om_graph_strdup(ctx->g, name);
    b->v = v;
    b->seq = seq;
    if (!b->name)
        return om_error(OM_ERR_NO_MEMORY, "out of memory binding '%s'", name);
    return OM_OK;
}

om_value *om_fe_lookup(om_fe_ctx *ctx, const char *name, const char *label, om_status *st)
{
    *st = OM_OK;
    om_fe_binding *b = om_fe_find_binding(ctx, name);
    if (!b)
        return om_graph_find_value(ctx->g, name);
    if (!b->v) {
        *st = om_error(OM_ERR_UNSUPPORTED, "%s: '%s' is a %s, used where a tensor is expected", label, name,
                       b->seq ? "sequence" : "optional without a value");
        return NULL;
    }
    return b->v;
}

const char *om_fe_ir_name(om_fe_ctx *ctx, const char *name)
{
    if (!ctx->scope || !ctx->scope->prefix)
        return name;
    size_t len = strlen(ctx->scope->prefix) + strlen(name) + 2;
    char *s = om_graph_alloc(ctx->g, len);
    if (s)
        snprintf(s, len, "%s/%s", ctx->scope->prefix, name);
    return s;
}

om_value *om_fe_new_output(om_fe_ctx *ctx, const char *label, const char *name)
{
    if (!name[0])
        return om_graph_add_value(ctx->g, NULL, OM_DT_UNDEFINED, NULL);
    if (!ctx->scope && (om_graph_find_value(ctx->g, name) || om_fe_find_binding(ctx, name))) {
        ctx->last = om_error(OM_ERR_INVALID_MODEL, "%s: output '%s' is already defined", label, name);
        return NULL;
    }
    const char *irn = om_fe_ir_name(ctx, name);
    om_value *v = irn ? om_graph_add_value(ctx->g, irn, OM_DT_UNDEFINED, NULL) : NULL;
    if (!v) {
        ctx->last = om_error(OM_ERR_NO_MEMORY, "%s: out of memory", label);
        return NULL;
    }
    if (ctx->scope && (ctx->last = om_fe_bind(ctx, name, v, NULL)) != OM_OK)
        return NULL;
    return v;
}

om_value *om_fe_emit1(om_fe_ctx *ctx, om_op op, const char *name, om_value *const *ins, int n_in)
{
    om_value *out = om_graph_add_value(ctx->g, name, OM_DT_UNDEFINED, NULL);
    if (!out || !om_graph_add_node(ctx->g, op, NULL, ins, n_in, &out, 1)) {
        ctx->last = om_error(OM_ERR_NO_MEMORY, "out of memory adding a %s node", om_op_get(op)->name);
        return NULL;
    }
    ctx->unrolled_nodes++;
    return out;
}

om_value *om_fe_const_i64(om_fe_ctx *ctx, const int64_t *v, int n, bool scalar)
{
    int64_t dim = n;
    om_shape s = scalar ? om_shape_scalar() : om_shape_make(1, &dim);
    om_value *c = om_graph_add_constant(ctx->g, NULL, OM_DT_INT64, &s, v, (size_t)n * sizeof *v);
    if (!c)
        ctx->last = om_error(OM_ERR_NO_MEMORY, "out of memory adding a constant");
    return c;
}

om_value *om_fe_const_source(om_value *v)
{
    for (int hops = 0; v && hops < 1000; hops++) {
        if (v->kind == OM_VALUE_CONSTANT)
            return v;
        if (!v->producer || v->producer->op != OM_OP_IDENTITY || v->producer->n_inputs < 1)
            return NULL;
        v = v->producer->inputs[0];
    }
    return NULL;
}

/* A constant scalar-like (one element) bool/int value -> its truth. */
static bool const_truth(const om_value *c, bool *out)
{
    if (!c || c->kind != OM_VALUE_CONSTANT || om_shape_numel(&c->shape) != 1 || !c->data)
        return false;
    size_t es = om_dtype_size(c->dtype);
    const uint8_t *p = c->data;
    bool any = false;
    for (size_t i = 0; i < es; i++)
        any |= p[i] != 0;
    *out = any;
    return es > 0;
}

static bool const_int(const om_value *c, int64_t *out)
{
    if (!c || c->kind != OM_VALUE_CONSTANT || om_shape_numel(&c->shape) != 1 || !c->data)
        return false;
    switch (c->dtype) {
    case OM_DT_INT64: *out = *(const int64_t *)c->data; return true;
    case OM_DT_INT32: *out = *(const int32_t *)c->data; return true;
    default: return false;
    }
}


/* ---- scalar evaluation of trip counts and conditions ------------------------------- */

static bool is_int_dtype(om_dtype dt)
{
    return dt == OM_DT_INT8 || dt == OM_DT_INT16 || dt == OM_DT_INT32 || dt == OM_DT_INT64 || dt == OM_DT_UINT8 ||
           dt == OM_DT_UINT16 || dt == OM_DT_UINT32 || dt == OM_DT_UINT64;
}

/* The one-element constant c as a double (false for other dtypes). */
static bool const_double(const om_value *c, double *out, bool *is_int)
{
    if (!c || c->kind != OM_VALUE_CONSTANT || om_shape_numel(&c->shape) != 1 || !c->data)
        return false;
    *is_int = c->dtype != OM_DT_FLOAT && c->dtype != OM_DT_DOUBLE;
    switch (c->dtype) {
    case OM_DT_FLOAT: *out = *(const float *)c->data; return true;
    case OM_DT_DOUBLE: *out = *(const double *)c->data; return true;
    case OM_DT_INT64: *out = (double)*(const int64_t *)c->data; return true;
    case OM_DT_INT32: *out = *(const int32_t *)c->data; return true;
    case OM_DT_BOOL: *out = *(const uint8_t *)c->data != 0; return true;
    default: return false;
    }
}

/* Evaluates a one-element value computed from constants by a chain of simple scalar ops
 * (Identity, Cast, Add, Sub, Mul, Div, Ceil, Floor, Relu, Neg, Abs, Not): how a Loop's trip
 * count is usually derived (e.g. Range's function body). Integer results truncate as
 * ONNX's integer Div and float->int Cast do. false when anything else is involved. */
static bool eval_scalar(const om_value *v, int depth, double *out, bool *is_int)
{
    if (!v || depth > 64)
        return false;
    if (v->kind == OM_VALUE_CONSTANT)
        return const_double(v, out, is_int);
    const om_node *p = v->producer;
    if (!p || p->n_outputs != 1 || p->n_inputs < 1 || p->n_inputs > 2)
        return false;
    double a = 0, b = 0;
    bool ia = false, ib = false;
    if (!eval_scalar(p->inputs[0], depth + 1, &a, &ia) ||
        (p->n_inputs == 2 && !eval_scalar(p->inputs[1], depth + 1, &b, &ib)))
        return false;
    *is_int = ia;
    switch (p->op) {
    case OM_OP_IDENTITY: *out = a; return true;
    case OM_OP_CAST: {
        const om_attr *to = om_node_attr(p, "to");
        if (!to || to->kind != OM_ATTR_INT)
            return false;
        om_dtype dt = (om_dtype)to->i;
        if (dt == OM_DT_BOOL) {
            *out = a != 0;
            *is_int = true;
        } else if (is_int_dtype(dt)) {
            *out = (double)(int64_t)a;
            *is_int = true;
        } else if (dt == OM_DT_FLOAT) {
            *out = (float)a;
            *is_int = false;
        } else if (dt == OM_DT_DOUBLE) {
            *out = a;
            *is_int = false;
        } else {
            return false;
        }
        return true;
    }
    case OM_OP_ADD: *out = a + b; return p->n_inputs == 2;
    case OM_OP_SUB: *out = a - b; return p->n_inputs == 2;
    case OM_OP_MUL: *out = a * b; return p->n_inputs == 2;
    case OM_OP_DIV:
        if (p->n_inputs != 2 || b == 0)
            return false;
        *out = ia ? (double)((int64_t)a / (int64_t)b) : a / b;
        if (!ia && p->inputs[0]->dtype == OM_DT_FLOAT)
            *out = (float)*out;
        return true;
    case OM_OP_CEIL: *out = a == (double)(int64_t)a ? a : (double)(int64_t)a + (a > 0); return true;
    case OM_OP_FLOOR: *out = a == (double)(int64_t)a ? a : (double)(int64_t)a - (a < 0); return true;
    case OM_OP_RELU: *out = a > 0 ? a : 0; return true;
    case OM_OP_NEG: *out = -a; return true;
    case OM_OP_ABS: *out = a < 0 ? -a : a; return true;
    case OM_OP_NOT:
        *out = a == 0;
        *is_int = true;
        return p->n_inputs == 1;
    default: return false;
    }
}

/* A graph input v is computed from (depth-first), or NULL. */
static const om_value *input_behind(const om_value *v, int depth)
{
    if (!v || depth > 64)
        return NULL;
    if (v->kind == OM_VALUE_INPUT)
        return v;
    for (int i = 0; v->producer && i < v->producer->n_inputs; i++) {
        const om_value *r = input_behind(v->producer->inputs[i], depth + 1);
        if (r)
            return r;
    }
    return NULL;
}

/* The message for a value that must be a compile-time constant: names the graph input it
 * is computed from last, so a caller freezing inputs by the quoted name finds it. */
static om_status need_const(const om_fe_node *n, int index, const om_value *v)
{
    const om_value *in = input_behind(v, 0);
    if (in && in != v)
        return om_error(OM_ERR_UNSUPPORTED, "%s (op %s): input %d ('%s', computed from graph input '%s') must be a "
                        "compile-time constant: it determines the output shape (the loop is unrolled)", n->label,
                        n->op_type, index, v->name, in->name);
    return om_error(OM_ERR_UNSUPPORTED, "%s (op %s): input %d ('%s') must be a compile-time constant: it determines "
                    "the output shape (the loop is unrolled)", n->label, n->op_type, index, v->name);
}

/* ---- subgraph inlining ------------------------------------------------------------- */

om_status om_fe_inline_graph(om_fe_ctx *ctx, const Onnx__GraphProto *body, const char *prefix,
                             om_fe_binding *in, int n_in, om_fe_binding *out)
{
    if (!root_scope(ctx))
        return om_error(OM_ERR_NO_MEMORY, "out of memory");
    if ((size_t)n_in != body->n_input)
        return om_error(OM_ERR_INVALID_MODEL, "%s: the subgraph has %zu inputs, expected %d", prefix,
                        body->n_input, n_in);
    if (body->n_sparse_initializer)
        return om_error(OM_ERR_UNSUPPORTED, "%s: sparse initializers are unsupported", prefix);
    om_fe_scope scope = {0};
    scope.parent = ctx->scope ? ctx->scope : ctx->root;
    scope.prefix = prefix;
    om_fe_scope *saved_scope = ctx->scope;
    const Onnx__GraphProto *saved_graph = ctx->graph;
    ctx->scope = &scope;
    om_status st = OM_OK;
    for (size_t i = 0; i < body->n_input && st == OM_OK; i++) {
        const char *nm = body->input[i] ? om_fe_str(body->input[i]->name) : "";
        if (!nm[0] || (!in[i].v && !in[i].seq && !in[i].is_optional_none))
            continue;
        st = om_fe_bind(ctx, nm, in[i].v, in[i].seq);
        if (st == OM_OK)
            scope.b[scope.n - 1].is_optional_none = in[i].is_optional_none;
    }
    for (size_t i = 0; i < body->n_initializer && st == OM_OK; i++) {
        const Onnx__TensorProto *t = body->initializer[i];
        const char *nm = t ? om_fe_str(t->name) : "";
        char what[512];
        snprintf(what, sizeof what, "%s: initializer '%s'", prefix, nm);
        om_fe_tensor_data d;
        if ((st = om_fe_tensor_decode(t, ctx->base_dir, what, &d)) != OM_OK)
            break;
        om_value *v = om_graph_add_constant(ctx->g, om_fe_ir_name(ctx, nm), d.dtype, &d.shape, d.data, d.nbytes);
        om_fe_tensor_data_release(&d);
        st = v ? om_fe_bind(ctx, nm, v, NULL) : om_error(OM_ERR_NO_MEMORY, "%s", what);
    }
    ctx->graph = body;
    for (size_t i = 0; i < body->n_node && st == OM_OK; i++) {
        if (ctx->unrolled_nodes > OM_FE_MAX_UNROLL_NODES)
            st = om_error(OM_ERR_UNSUPPORTED, "%s: control flow unrolling exceeds %d nodes", prefix,
                          OM_FE_MAX_UNROLL_NODES);
        else
            st = om_fe_import_node(ctx, i);
        ctx->unrolled_nodes++;
    }
    for (size_t i = 0; i < body->n_output && st == OM_OK; i++) {
        const char *nm = body->output[i] ? om_fe_str(body->output[i]->name) : "";
        om_fe_binding *b = nm[0] ? om_fe_find_binding(ctx, nm) : NULL;
        memset(&out[i], 0, sizeof out[i]);
        if (b)
            out[i] = *b;
        else if ((out[i].v = nm[0] ? om_graph_find_value(ctx->g, nm) : NULL) == NULL)
            st = om_error(OM_ERR_INVALID_MODEL, "%s: subgraph output '%s' is not defined", prefix, nm);
        out[i].name = nm;
    }
    ctx->graph = saved_graph;
    ctx->scope = saved_scope;
    return st;
}

static const Onnx__GraphProto *graph_attr(const om_fe_node *n, const char *name)
{
    for (size_t i = 0; i < n->proto->n_attribute; i++) {
        const Onnx__AttributeProto *a = n->proto->attribute[i];
        if (a && strcmp(om_fe_str(a->name), name) == 0 && a->type == ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__GRAPH)
            return a->g;
    }
    return NULL;
}

static const Onnx__AttributeProto *find_attr(const om_fe_node *n, const char *name)
{
    for (size_t i = 0; i < n->proto->n_attribute; i++) {
        const Onnx__AttributeProto *a = n->proto->attribute[i];
        if (a && strcmp(om_fe_str(a->name), name) == 0)
            return a;
    }
    return NULL;
}

static const char *node_prefix(om_fe_ctx *ctx, const om_fe_node *n, const char *part, long idx)
{
    const char *base = n->proto->name && n->proto->name[0] ? n->proto->name
                       : n->proto->n_output && n->proto->output[0] ? n->proto->output[0] : n->op_type;
    const char *outer = ctx->scope && ctx->scope->prefix ? ctx->scope->prefix : NULL;
    char buf[1024];
    if (idx >= 0)
        snprintf(buf, sizeof buf, "%s%s%s/%s%ld", outer ? outer : "", outer ? "/" : "", base, part, idx);
    else
        snprintf(buf, sizeof buf, "%s%s%s/%s", outer ? outer : "", outer ? "/" : "", base, part);
    return om_graph_strdup(ctx->g, buf);
}

/* Defines node output k (ONNX name) as the binding b: tensors through an Identity so the
 * output carries its own name; sequences/optionals are bound directly. */
static om_status define_output(om_fe_ctx *ctx, const om_fe_node *n, int k, const om_fe_binding *b)
{
    const char *nm = k < (int)n->proto->n_output ? om_fe_str(n->proto->output[k]) : "";
    if (!nm[0])
        return OM_OK;
    if (!b->v) {
        om_status st = om_fe_bind(ctx, nm, NULL, b->seq);
        if (st == OM_OK && b->is_optional_none)
            (ctx->scope ? ctx->scope : ctx->root)->b[(ctx->scope ? ctx->scope : ctx->root)->n - 1].is_optional_none = true;
        return st;
    }
    om_value *out = om_fe_new_output(ctx, n->label, nm);
    if (!out)
        return ctx->last;
    if (!om_graph_add_node(ctx->g, OM_OP_IDENTITY, NULL, &b->v, 1, &out, 1))
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    return OM_OK;
}

static om_status define_value(om_fe_ctx *ctx, const om_fe_node *n, int k, om_value *v)
{
    om_fe_binding b = {0};
    b.v = v;
    return define_output(ctx, n, k, &b);
}

/* Stacks vals[0..count) along a new axis `axis` (Unsqueeze + Concat). */
static om_value *stack(om_fe_ctx *ctx, om_value *const *vals, int count, int64_t axis)
{
    om_value *ax = om_fe_const_i64(ctx, &axis, 1, false);
    om_value **u = om_graph_alloc(ctx->g, (size_t)count * sizeof *u);
    if (!ax || !u) {
        ctx->last = om_error(OM_ERR_NO_MEMORY, "out of memory stacking values");
        return NULL;
    }
    for (int i = 0; i < count; i++) {
        om_value *ins[2] = {vals[i], ax};
        if (!(u[i] = om_fe_emit1(ctx, OM_OP_UNSQUEEZE, NULL, ins, 2)))
            return NULL;
    }
    om_value *out = om_fe_emit1(ctx, OM_OP_CONCAT, NULL, u, count);
    if (out && (ctx->last = om_node_set_int(ctx->g, out->producer, "axis", axis)) != OM_OK)
        return NULL;
    return out;
}

static om_value *take(om_fe_ctx *ctx, om_value *x, int64_t index, int64_t axis)
{
    om_value *idx = om_fe_const_i64(ctx, &index, 1, true);
    if (!idx)
        return NULL;
    om_value *ins[2] = {x, idx};
    om_value *out = om_fe_emit1(ctx, OM_OP_GATHER, NULL, ins, 2);
    if (out && (ctx->last = om_node_set_int(ctx->g, out->producer, "axis", axis)) != OM_OK)
        return NULL;
    if (out && x->shape.rank > 0 && axis < x->shape.rank) { /* known now: nested Scan lengths need it */
        om_shape s = x->shape;
        for (int i = (int)axis; i + 1 < s.rank; i++) {
            s.dims[i] = s.dims[i + 1];
            s.syms[i] = s.syms[i + 1];
        }
        s.rank--;
        out->shape = s;
        out->dtype = x->dtype;
    }
    return out;
}

static om_status input_binding(om_fe_ctx *ctx, const om_fe_node *n, size_t i, om_fe_binding *b)
{
    memset(b, 0, sizeof *b);
    const char *nm = i < n->proto->n_input ? om_fe_str(n->proto->input[i]) : "";
    if (!nm[0])
        return OM_OK;
    om_fe_binding *fb = om_fe_find_binding(ctx, nm);
    if (fb) {
        *b = *fb;
        return OM_OK;
    }
    b->v = om_graph_find_value(ctx->g, nm);
    if (!b->v)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op %s): input %zu '%s' is not defined", n->label, n->op_type,
                        i, nm);
    b->name = nm;
    return OM_OK;
}

/* ---- If ---------------------------------------------------------------------------- */

/* Output k of If as Where(c, then_i, else_i) for every element of two equally long
 * sequences; element shapes known at import must agree (as for tensor outputs). */
static om_status where_seq(om_fe_ctx *ctx, const om_fe_node *n, size_t k, om_value *c, const om_fe_seq *ts,
                           const om_fe_seq *es)
{
    om_fe_binding b = {0};
    om_status st;
    if (!(b.seq = om_fe_seq_new(ctx, ts->n)))
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    for (int i = 0; i < ts->n; i++) {
        om_value *ins[3] = {c, NULL, NULL};
        if ((st = om_fe_seq_item(ts, i, n->label, &ins[1])) != OM_OK ||
            (st = om_fe_seq_item(es, i, n->label, &ins[2])) != OM_OK)
            return st;
        const om_shape *a = &ins[1]->shape, *e = &ins[2]->shape;
        if (om_shape_is_static(a) && om_shape_is_static(e) && a->rank >= 0 && e->rank >= 0 && !om_shape_equal(a, e))
            return om_error(OM_ERR_UNSUPPORTED, "%s (op If): element %d of output %zu has different shapes in the "
                            "branches and the condition '%s' is not a compile-time constant", n->label, i, k, c->name);
        if (!(b.seq->items[i] = om_fe_emit1(ctx, OM_OP_WHERE, NULL, ins, 3)))
            return ctx->last;
    }
    return define_output(ctx, n, (int)k, &b);
}

static om_status import_if(om_fe_ctx *ctx, om_fe_node *n)
{
    const Onnx__GraphProto *tb = graph_attr(n, "then_branch"), *eb = graph_attr(n, "else_branch");
    if (!tb || !eb || n->proto->n_input != 1)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op If): needs 1 input and graph attributes then_branch, "
                        "else_branch", n->label);
    om_fe_binding cb;
    om_status st = input_binding(ctx, n, 0, &cb);
    if (st != OM_OK)
        return st;
    if (!cb.v)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op If): the condition is not a tensor", n->label);
    size_t n_out = n->proto->n_output;
    if (tb->n_output != n_out || eb->n_output != n_out)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op If): branches have %zu/%zu outputs, the node %zu", n->label,
                        tb->n_output, eb->n_output, n_out);
    om_fe_binding *to = om_graph_alloc(ctx->g, (n_out + 1) * sizeof *to);
    om_fe_binding *eo = om_graph_alloc(ctx->g, (n_out + 1) * sizeof *eo);
    if (!to || !eo)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    bool truth;
    double dv;
    bool di;
    bool known = const_truth(om_fe_const_source(cb.v), &truth);
    if (!known && eval_scalar(cb.v, 0, &dv, &di)) { /* e.g. Not(OptionalHasElement(x)) */
        known = true;
        truth = dv != 0;
    }
    if (known) {
        const Onnx__GraphProto *b = truth ? tb : eb;
        st = om_fe_inline_graph(ctx, b, node_prefix(ctx, n, truth ? "then" : "else", -1), NULL, 0, to);
        for (size_t k = 0; k < n_out && st == OM_OK; k++)
            st = define_output(ctx, n, (int)k, &to[k]);
        return st;
    }
    if ((st = om_fe_inline_graph(ctx, tb, node_prefix(ctx, n, "then", -1), NULL, 0, to)) != OM_OK ||
        (st = om_fe_inline_graph(ctx, eb, node_prefix(ctx, n, "else", -1), NULL, 0, eo)) != OM_OK)
        return st;
    om_value *c = cb.v;
    if (c->shape.rank != 0) {   /* [1] or unknown: make it a scalar so Where keeps branch shapes */
        if (!(c = om_fe_emit1(ctx, OM_OP_SQUEEZE, NULL, &c, 1)))
            return ctx->last;
    }
    for (size_t k = 0; k < n_out; k++) {
        if (to[k].seq && eo[k].seq && to[k].seq->n == eo[k].seq->n) { /* element by element */
            if ((st = where_seq(ctx, n, k, c, to[k].seq, eo[k].seq)) != OM_OK)
                return st;
            continue;
        }
        if (!to[k].v || !eo[k].v)
            return om_error(OM_ERR_UNSUPPORTED, "%s (op If): output %zu is %s and the condition '%s' is not a "
                            "compile-time constant", n->label, k,
                            to[k].seq && eo[k].seq ? "a sequence of different lengths in the branches"
                                                   : "a sequence or optional", c->name);
        const om_shape *a = &to[k].v->shape, *b = &eo[k].v->shape;
        if (om_shape_is_static(a) && om_shape_is_static(b) && a->rank >= 0 && b->rank >= 0 && !om_shape_equal(a, b))
            return om_error(OM_ERR_UNSUPPORTED, "%s (op If): output %zu has different shapes in the branches and "
                            "the condition '%s' is not a compile-time constant", n->label, k, c->name);
        om_value *ins[3] = {c, to[k].v, eo[k].v};
        om_value *w = om_fe_emit1(ctx, OM_OP_WHERE, NULL, ins, 3);
        if (!w || (st = define_value(ctx, n, (int)k, w)) != OM_OK)
            return w ? st : ctx->last;
    }
    return OM_OK;
}

/* ---- Loop -------------------------------------------------------------------------- */

static om_status import_loop(om_fe_ctx *ctx, om_fe_node *n)
{
    const Onnx__GraphProto *body = graph_attr(n, "body");
    size_t n_in = n->proto->n_input;
    if (!body || n_in < 2)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Loop): needs inputs M, cond and a graph attribute body",
                        n->label);
    size_t n_carried = n_in - 2;
    if (body->n_input != n_carried + 2 || body->n_output < n_carried + 1)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Loop): body has %zu inputs and %zu outputs for %zu "
                        "carried values", n->label, body->n_input, body->n_output, n_carried);
    size_t n_scan = body->n_output - 1 - n_carried;
    om_fe_binding mb, cb;
    om_status st;
    if ((st = input_binding(ctx, n, 0, &mb)) != OM_OK || (st = input_binding(ctx, n, 1, &cb)) != OM_OK)
        return st;
    int64_t trips = -1;
    double dv;
    bool di;
    if (mb.v && !const_int(om_fe_const_source(mb.v), &trips)) {
        if (!eval_scalar(mb.v, 0, &dv, &di) || !di || dv > 1e15 || dv < -1e15)
            return need_const(n, 0, mb.v);
        trips = (int64_t)dv;
    }
    bool run = true;
    if (cb.v && !const_truth(om_fe_const_source(cb.v), &run)) {
        if (!eval_scalar(cb.v, 0, &dv, &di))
            return need_const(n, 1, cb.v);
        run = dv != 0;
    }
    if (trips < 0 && mb.v)
        trips = 0;
    if (!mb.v && run)
        trips = -1; /* while loop: bounded by the condition output only */
    om_fe_binding *cur = om_graph_alloc(ctx->g, (n_carried + 2) * sizeof *cur);
    om_fe_binding *outs = om_graph_alloc(ctx->g, (body->n_output + 1) * sizeof *outs);
    om_value ***scans = om_graph_alloc(ctx->g, (n_scan + 1) * sizeof *scans);
    if (!cur || !outs || !scans)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    for (size_t i = 0; i < n_carried; i++)
        if ((st = input_binding(ctx, n, 2 + i, &cur[2 + i])) != OM_OK)
            return st;
    int64_t it = 0;
    for (; run && (trips < 0 || it < trips); it++) {
        if (it >= OM_FE_MAX_UNROLL)
            return om_error(OM_ERR_UNSUPPORTED, "%s (op Loop): more than %d iterations to unroll", n->label,
                            OM_FE_MAX_UNROLL);
        bool t = true;
        memset(&cur[0], 0, 2 * sizeof cur[0]);
        if (!(cur[0].v = om_fe_const_i64(ctx, &it, 1, true)))
            return ctx->last;
        om_shape s = om_shape_scalar();
        if (!(cur[1].v = om_graph_add_constant(ctx->g, NULL, OM_DT_BOOL, &s, &t, 1)))
            return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
        st = om_fe_inline_graph(ctx, body, node_prefix(ctx, n, "iter", (long)it), cur, (int)n_carried + 2, outs);
        if (st != OM_OK)
            return st;
        if (!outs[0].v || !const_truth(om_fe_const_source(outs[0].v), &run))
            return om_error(OM_ERR_UNSUPPORTED, "%s (op Loop): the body's condition output '%s' must be a "
                            "compile-time constant (the loop is unrolled)", n->label, outs[0].name);
        for (size_t i = 0; i < n_carried; i++)
            cur[2 + i] = outs[1 + i];
        for (size_t k = 0; k < n_scan; k++) {
            if (!outs[1 + n_carried + k].v)
                return om_error(OM_ERR_UNSUPPORTED, "%s (op Loop): scan output %zu is not a tensor", n->label, k);
            om_value **grown = om_graph_alloc(ctx->g, (size_t)(it + 1) * sizeof *grown);
            if (!grown)
                return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
            if (it)
                memcpy(grown, scans[k], (size_t)it * sizeof *grown);
            grown[it] = outs[1 + n_carried + k].v;
            scans[k] = grown;
        }
    }
    for (size_t i = 0; i < n_carried; i++)
        if ((st = define_output(ctx, n, (int)i, &cur[2 + i])) != OM_OK)
            return st;
    for (size_t k = 0; k < n_scan; k++) {
        if (it == 0)
            return om_error(OM_ERR_UNSUPPORTED, "%s (op Loop): zero iterations: the scan outputs' shapes are "
                            "unknown", n->label);
        om_value *v = stack(ctx, scans[k], (int)it, 0);
        if (!v || (st = define_value(ctx, n, (int)(n_carried + k), v)) != OM_OK)
            return v ? st : ctx->last;
    }
    return OM_OK;
}

/* ---- Scan -------------------------------------------------------------------------- */

static int64_t attr_ints_at(const Onnx__AttributeProto *a, size_t i, int64_t dflt)
{
    return a && i < a->n_ints ? a->ints[i] : dflt;
}

/* One Scan over states st[0..n_state) and scan inputs xs[0..n_scan_in) (already without the
 * batch axis for opset 8); fills final states and stacked scan outputs. */
static om_status scan_core(om_fe_ctx *ctx, om_fe_node *n, const Onnx__GraphProto *body, int n_state,
                           om_value **states, int n_scan_in, om_value **xs, bool v8, long batch,
                           om_value **out_states, om_value **out_scans)
{
    const Onnx__AttributeProto *in_axes = v8 ? NULL : find_attr(n, "scan_input_axes");
    const Onnx__AttributeProto *in_dirs = find_attr(n, v8 ? "directions" : "scan_input_directions");
    const Onnx__AttributeProto *out_axes = v8 ? NULL : find_attr(n, "scan_output_axes");
    const Onnx__AttributeProto *out_dirs = v8 ? NULL : find_attr(n, "scan_output_directions");
    int n_scan_out = (int)body->n_output - n_state;
    if ((int)body->n_input != n_state + n_scan_in || n_scan_out < 0)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Scan): body has %zu inputs and %zu outputs for %d states "
                        "and %d scan inputs", n->label, body->n_input, body->n_output, n_state, n_scan_in);
    int64_t len = -1;
    for (int i = 0; i < n_scan_in; i++) {
        int64_t ax = attr_ints_at(in_axes, (size_t)i, 0);
        const om_shape *s = &xs[i]->shape;
        if (ax < 0)
            ax += s->rank;
        if (s->rank < 0 || ax < 0 || ax >= s->rank || s->dims[ax] < 0 || s->syms[ax])
            return om_error(OM_ERR_UNSUPPORTED, "%s (op Scan): the scan length (axis %lld of input '%s') must be "
                            "known at import (static shape)", n->label, (long long)ax, xs[i]->name);
        if (len >= 0 && s->dims[ax] != len)
            return om_error(OM_ERR_INVALID_MODEL, "%s (op Scan): scan inputs have lengths %lld and %lld",
                            n->label, (long long)len, (long long)s->dims[ax]);
        len = s->dims[ax];
    }
    if (len <= 0 || len > OM_FE_MAX_UNROLL)
        return om_error(OM_ERR_UNSUPPORTED, "%s (op Scan): scan length %lld (supported 1..%d)", n->label,
                        (long long)len, OM_FE_MAX_UNROLL);
    om_fe_binding *cur = om_graph_alloc(ctx->g, (size_t)(n_state + n_scan_in + 1) * sizeof *cur);
    om_fe_binding *outs = om_graph_alloc(ctx->g, (body->n_output + 1) * sizeof *outs);
    om_value **col = om_graph_alloc(ctx->g, (size_t)(n_scan_out + 1) * (size_t)len * sizeof *col);
    if (!cur || !outs || !col)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    for (int i = 0; i < n_state; i++)
        cur[i].v = states[i];
    for (int64_t t = 0; t < len; t++) {
        for (int i = 0; i < n_scan_in; i++) {
            int64_t ax = attr_ints_at(in_axes, (size_t)i, 0);
            if (ax < 0)
                ax += xs[i]->shape.rank;
            int64_t pos = attr_ints_at(in_dirs, (size_t)i, 0) ? len - 1 - t : t;
            memset(&cur[n_state + i], 0, sizeof cur[0]);
            if (!(cur[n_state + i].v = take(ctx, xs[i], pos, ax)))
                return ctx->last;
        }
        char part[64];
        if (batch >= 0)
            snprintf(part, sizeof part, "b%ld/iter", batch);
        else
            snprintf(part, sizeof part, "iter");
        om_status st = om_fe_inline_graph(ctx, body, node_prefix(ctx, n, part, (long)t), cur, n_state + n_scan_in,
                                          outs);
        if (st != OM_OK)
            return st;
        for (int i = 0; i < (int)body->n_output; i++)
            if (!outs[i].v)
                return om_error(OM_ERR_UNSUPPORTED, "%s (op Scan): body output %d is not a tensor", n->label, i);
        for (int i = 0; i < n_state; i++)
            cur[i] = outs[i];
        for (int k = 0; k < n_scan_out; k++)
            col[(size_t)k * (size_t)len + (size_t)t] = outs[n_state + k].v;
    }
    for (int i = 0; i < n_state; i++)
        out_states[i] = cur[i].v;
    for (int k = 0; k < n_scan_out; k++) {
        om_value **c = &col[(size_t)k * (size_t)len];
        if (attr_ints_at(out_dirs, (size_t)k, 0))
            for (int64_t a = 0, b = len - 1; a < b; a++, b--) {
                om_value *tmp = c[a];
                c[a] = c[b];
                c[b] = tmp;
            }
        int64_t ax = attr_ints_at(out_axes, (size_t)k, 0);
        if (ax < 0) {
            const om_shape *s = &c[0]->shape;
            if (s->rank < 0)
                return om_error(OM_ERR_UNSUPPORTED, "%s (op Scan): negative scan_output_axes need the rank of "
                                "output %d at import", n->label, k);
            ax += s->rank + 1;
        }
        if (!(out_scans[k] = stack(ctx, c, (int)len, ax)))
            return ctx->last;
    }
    return OM_OK;
}

static om_status import_scan(om_fe_ctx *ctx, om_fe_node *n)
{
    const Onnx__GraphProto *body = graph_attr(n, "body");
    const Onnx__AttributeProto *nsa = find_attr(n, "num_scan_inputs");
    if (!body || !nsa)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Scan): needs attributes body and num_scan_inputs", n->label);
    bool v8 = ctx->opset < 9;
    size_t first = v8 ? 1 : 0;
    size_t n_in = n->proto->n_input;
    int64_t n_scan_in = nsa->i;
    if (n_in < first || n_scan_in < 1 || (int64_t)(n_in - first) < n_scan_in)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Scan): %zu inputs for num_scan_inputs %lld", n->label, n_in,
                        (long long)n_scan_in);
    if (v8 && n_in > 0 && n->proto->input[0] && n->proto->input[0][0])
        return om_error(OM_ERR_UNSUPPORTED, "%s (op Scan, opset %lld): sequence_lens is unsupported", n->label,
                        (long long)ctx->opset);
    int n_state = (int)(n_in - first - (size_t)n_scan_in);
    int n_scan_out = (int)body->n_output - n_state;
    if (n_scan_out < 0 || (int)n->proto->n_output != (int)body->n_output)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Scan): %zu outputs, the body has %zu", n->label,
                        n->proto->n_output, body->n_output);
    om_value **ins = om_graph_alloc(ctx->g, (n_in + 1) * sizeof *ins);
    om_value **res = om_graph_alloc(ctx->g, (body->n_output + 1) * sizeof *res);
    if (!ins || !res)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    for (size_t i = first; i < n_in; i++) {
        om_fe_binding b;
        om_status st = input_binding(ctx, n, i, &b);
        if (st != OM_OK)
            return st;
        if (!b.v)
            return om_error(OM_ERR_UNSUPPORTED, "%s (op Scan): input %zu is omitted or not a tensor", n->label, i);
        ins[i - first] = b.v;
    }
    om_status st;
    if (!v8) {
        st = scan_core(ctx, n, body, n_state, ins, (int)n_scan_in, ins + n_state, false, -1, res, res + n_state);
    } else {
        /* opset 8: axis 0 of every input is the batch; unroll per batch element */
        const om_shape *s = &ins[n_state]->shape;
        if (s->rank < 2 || s->dims[0] <= 0 || s->syms[0])
            return om_error(OM_ERR_UNSUPPORTED, "%s (op Scan, opset 8): the batch size of '%s' must be known at "
                            "import (static shape)", n->label, ins[n_state]->name);
        int64_t nb = s->dims[0];
        if (nb > OM_FE_MAX_UNROLL)
            return om_error(OM_ERR_UNSUPPORTED, "%s (op Scan): batch %lld too large to unroll", n->label, (long long)nb);
        size_t nout = body->n_output;
        om_value **per = om_graph_alloc(ctx->g, (nout + 1) * (size_t)nb * sizeof *per);
        om_value **bin = om_graph_alloc(ctx->g, (n_in + 1) * sizeof *bin);
        if (!per || !bin)
            return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
        for (int64_t b = 0; b < nb; b++) {
            for (size_t i = 0; i < n_in - first; i++)
                if (!(bin[i] = take(ctx, ins[i], b, 0)))
                    return ctx->last;
            om_value **r = &per[(size_t)b * nout];
            /* sequence axis: 1 in the batched input = 0 after taking the batch element */
            if ((st = scan_core(ctx, n, body, n_state, bin, (int)n_scan_in, bin + n_state, true, (long)b, r,
                                r + n_state)) != OM_OK)
                return st;
        }
        om_value **c = om_graph_alloc(ctx->g, (size_t)(nb + 1) * sizeof *c);
        if (!c)
            return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
        for (size_t k = 0; k < nout; k++) {
            for (int64_t b = 0; b < nb; b++)
                c[b] = per[(size_t)b * nout + k];
            if (!(res[k] = stack(ctx, c, (int)nb, 0)))
                return ctx->last;
        }
    }
    if (st != OM_OK)
        return st;
    for (size_t k = 0; k < body->n_output; k++)
        if ((st = define_value(ctx, n, (int)k, res[k])) != OM_OK)
            return st;
    return OM_OK;
}

/* ---- SequenceMap ------------------------------------------------------------------- */

/* The body is inlined once per element of input 0: sequence inputs are indexed, tensor
 * inputs are the same value in every iteration; output k collects body output k. */
static om_status import_sequence_map(om_fe_ctx *ctx, om_fe_node *n)
{
    const Onnx__GraphProto *body = graph_attr(n, "body");
    size_t n_in = n->proto->n_input, n_out = n->proto->n_output;
    if (!body || n_in < 1 || n_out < 1 || body->n_input != n_in || body->n_output != n_out)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op SequenceMap): needs a graph attribute body with as many "
                        "inputs (%zu) and outputs (%zu) as the node", n->label, n_in, n_out);
    om_fe_binding *ins = om_graph_alloc(ctx->g, (n_in + 1) * sizeof *ins);
    om_fe_binding *cur = om_graph_alloc(ctx->g, (n_in + 1) * sizeof *cur);
    om_fe_binding *outs = om_graph_alloc(ctx->g, (n_out + 1) * sizeof *outs);
    om_fe_binding *res = om_graph_alloc(ctx->g, (n_out + 1) * sizeof *res);
    if (!ins || !cur || !outs || !res)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    om_status st;
    for (size_t i = 0; i < n_in; i++) {
        if ((st = input_binding(ctx, n, i, &ins[i])) != OM_OK)
            return st;
        if (!ins[i].v && !ins[i].seq)
            return om_error(OM_ERR_INVALID_MODEL, "%s (op SequenceMap): input %zu is omitted or an optional "
                            "without a value", n->label, i);
    }
    if (!ins[0].seq)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op SequenceMap): input 0 must be a sequence", n->label);
    int len = ins[0].seq->n;
    for (size_t i = 1; i < n_in; i++)
        if (ins[i].seq && ins[i].seq->n != len)
            return om_error(OM_ERR_INVALID_MODEL, "%s (op SequenceMap): input %zu has %d elements, input 0 has %d",
                            n->label, i, ins[i].seq->n, len);
    if (len > OM_FE_MAX_UNROLL)
        return om_error(OM_ERR_UNSUPPORTED, "%s (op SequenceMap): more than %d elements to unroll", n->label,
                        OM_FE_MAX_UNROLL);
    for (size_t k = 0; k < n_out; k++)
        if (!(res[k].seq = om_fe_seq_new(ctx, len)))
            return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    for (int j = 0; j < len; j++) {
        for (size_t i = 0; i < n_in; i++) {
            memset(&cur[i], 0, sizeof cur[i]);
            if (!ins[i].seq)
                cur[i].v = ins[i].v;
            else if ((st = om_fe_seq_item(ins[i].seq, j, n->label, &cur[i].v)) != OM_OK)
                return st;
        }
        if ((st = om_fe_inline_graph(ctx, body, node_prefix(ctx, n, "elem", j), cur, (int)n_in, outs)) != OM_OK)
            return st;
        for (size_t k = 0; k < n_out; k++) {
            if (!outs[k].v)
                return om_error(OM_ERR_UNSUPPORTED, "%s (op SequenceMap): body output %zu is not a tensor", n->label,
                                k);
            res[k].seq->items[j] = outs[k].v;
        }
    }
    for (size_t k = 0; k < n_out; k++)
        if ((st = define_output(ctx, n, (int)k, &res[k])) != OM_OK)
            return st;
    return OM_OK;
}

/* ---- dispatch ---------------------------------------------------------------------- */

bool om_fe_is_control_op(const char *op_type)
{
    return strcmp(op_type, "If") == 0 || strcmp(op_type, "Loop") == 0 || strcmp(op_type, "Scan") == 0 ||
           strcmp(op_type, "SequenceMap") == 0;
}

om_status om_fe_import_control(om_fe_ctx *ctx, om_fe_node *n)
{
    if (strcmp(n->op_type, "If") == 0)
        return import_if(ctx, n);
    if (strcmp(n->op_type, "Loop") == 0)
        return import_loop(ctx, n);
    if (strcmp(n->op_type, "SequenceMap") == 0)
        return import_sequence_map(ctx, n);
    return import_scan(ctx, n);
}
