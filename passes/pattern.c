/* Pattern-matching helpers shared by the rewrite passes; see pattern.h for the rewrite
 * idiom (the root's output value is kept, matched nodes are marked dead). Use counts are
 * computed by scanning the live nodes (om_graph_count_uses): linear per query, which is
 * fine for graphs of a few thousand nodes. */
#include "passes/pattern.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


om_node *om_pat_producer(const om_value *v, om_op op)
{
    if (!v || v->kind != OM_VALUE_INTERMEDIATE || !v->producer || v->producer->dead)
        return NULL;
    if (op != OM_OP_COUNT && v->producer->op != op)
        return NULL;
    return v->producer;
}

bool om_pat_single_use(const om_graph *g, const om_value *v)
{
    return v && !v->is_output && om_graph_count_uses(g, v) == 1;
}

om_node *om_pat_single_user(const om_graph *g, const om_value *v)
{
    om_node *found = NULL;
    if (!v)
        return NULL;
    for (size_t k = 0; k < g->n_nodes; k++) {
        om_node *n = g->nodes[k];
        if (!n || n->dead)
            continue;
        for (int i = 0; i < n->n_inputs; i++) {
            if (n->inputs[i] != v)
                continue;
            if (found)
                return NULL;
            found = n;
        }
    }
    return found;
}

bool om_pat_is_const(const om_value *v)
{
    if (!v || v->kind != OM_VALUE_CONSTANT || !v->data || v->dtype == OM_DT_FLOAT16 ||
        v->dtype == OM_DT_BFLOAT16 || v->dtype == OM_DT_STRING || v->dtype >= OM_DT_COMPLEX64)
        return false;
    int64_t n = om_shape_numel(&v->shape);
    size_t es = om_dtype_size(v->dtype);
    return n >= 0 && es > 0 && v->nbytes == (size_t)n * es;
}

double om_pat_const_at(const om_value *v, int64_t i)
{
    if (!om_pat_is_const(v) || i < 0 || i >= om_shape_numel(&v->shape))
        return 0.0;
    const unsigned char *p = (const unsigned char *)v->data + (size_t)i * om_dtype_size(v->dtype);
    switch (v->dtype) {
    case OM_DT_FLOAT: { float f; memcpy(&f, p, 4); return f; }
    case OM_DT_DOUBLE: { double d; memcpy(&d, p, 8); return d; }
    case OM_DT_INT8: return *(const int8_t *)p;
    case OM_DT_UINT8: case OM_DT_BOOL: return *p;
    case OM_DT_INT16: { int16_t x; memcpy(&x, p, 2); return x; }
    case OM_DT_UINT16: { uint16_t x; memcpy(&x, p, 2); return x; }
    case OM_DT_INT32: { int32_t x; memcpy(&x, p, 4); return x; }
    case OM_DT_UINT32: { uint32_t x; memcpy(&x, p, 4); return x; }
    case OM_DT_INT64: { int64_t x; memcpy(&x, p, 8); return (double)x; }
    case OM_DT_UINT64: { uint64_t x; memcpy(&x, p, 8); return (double)x; }
    default: return 0.0;
    }
}

bool om_pat_const_all(const om_value *v, double want, double rel)
{
    if (!om_pat_is_const(v))
        return false;
    int64_t n = om_shape_numel(&v->shape);
    if (n < 1)
        return false;
    for (int64_t i = 0; i < n; i++) {
        double a = om_pat_const_at(v, i);
        if (rel == 0 ? a != want : !(fabs(a - want) <= rel * fabs(want)))
            return false;
    }
    return true;
}

bool om_pat_const_scalar(const om_value *v, double *out)
{
    if (!om_pat_is_const(v) || om_shape_numel(&v->shape) != 1)
        return false;
    *out = om_pat_const_at(v, 0);
    return true;
}

bool om_pat_split_const(const om_node *n, om_value **other, om_value **cst, int *const_index)
{
    if (!n || n->n_inputs != 2 || !n->inputs[0] || !n->inputs[1])
        return false;
    bool c0 = om_pat_is_const(n->inputs[0]), c1 = om_pat_is_const(n->inputs[1]);
    if (c0 == c1)
        return false;
    int ci = c0 ? 0 : 1;
    *cst = n->inputs[ci];
    *other = n->inputs[1 - ci];
    if (const_index)
        *const_index = ci;
    return true;
}

om_value *om_pat_other_input(const om_node *n, const om_value *v)
{
    if (!n || n->n_inputs != 2)
        return NULL;
    if (n->inputs[0] == v && n->inputs[1] != v)
        return n->inputs[1];
    if (n->inputs[1] == v && n->inputs[0] != v)
        return n->inputs[0];
    return NULL;
}

bool om_pat_forward(om_graph *g, om_value *y, om_value *x)
{
    if (!y || !x || y == x || y->is_output || y->dtype != x->dtype || !om_shape_equal(&y->shape, &x->shape))
        return false;
    om_graph_replace_uses(g, y, x);
    om_node *p = om_pat_producer(y, OM_OP_COUNT);
    if (p) {
        bool used = false;
        for (int o = 0; o < p->n_outputs && !used; o++)
            used = p->outputs[o] && (p->outputs[o]->is_output || om_graph_count_uses(g, p->outputs[o]) > 0);
        if (!used)
            p->dead = true;
    }
    return true;
}

om_node *om_pat_replace_root(om_graph *g, om_node *root, om_op op, om_value *const *inputs, int n_inputs)
{
    om_value *y = root->outputs[0];
    om_node *n = om_graph_insert_node_before(g, root, op, root->name, inputs, n_inputs, &y, 1);
    if (!n)
        return NULL;
    root->dead = true;
    y->producer = n;
    y->producer_output = 0;
    return n;
}

om_node *om_pat_insert_cast(om_graph *g, om_node *pos, bool after, om_value *x, om_value *y)
{
    om_node *c = after ? om_graph_insert_node_after(g, pos, OM_OP_CAST, y->name, &x, 1, &y, 1)
                       : om_graph_insert_node_before(g, pos, OM_OP_CAST, y->name, &x, 1, &y, 1);
    return c && om_node_set_int(g, c, "to", y->dtype) == OM_OK ? c : NULL;
}

om_node *om_pat_output_via_cast(om_graph *g, om_node *n, int j, om_dtype dt)
{
    om_value *o = n->outputs[j];
    char name[256];
    snprintf(name, sizeof name, "%s_%s", o->name, om_dtype_name(dt));
    om_value *o2 = om_graph_add_value(g, name, dt, &o->shape);
    if (!o2)
        return NULL;
    n->outputs[j] = o2;
    o2->producer = n;
    o2->producer_output = j;
    return om_pat_insert_cast(g, n, true, o2, o);
}

om_status om_pat_copy_attrs(om_graph *g, om_node *to, const om_node *from)
{
    for (int i = 0; i < from->n_attrs; i++) {
        const om_attr *a = &from->attrs[i];
        om_status st;
        switch (a->kind) {
        case OM_ATTR_INT: st = om_node_set_int(g, to, a->name, a->i); break;
        case OM_ATTR_FLOAT: st = om_node_set_float(g, to, a->name, a->f); break;
        case OM_ATTR_STRING: st = om_node_set_string(g, to, a->name, a->s); break;
        case OM_ATTR_INTS: st = om_node_set_ints(g, to, a->name, a->ints, a->count); break;
        case OM_ATTR_FLOATS: st = om_node_set_floats(g, to, a->name, a->floats, a->count); break;
        case OM_ATTR_STRINGS: st = om_node_set_strings(g, to, a->name, a->strings, a->count); break;
        case OM_ATTR_TENSOR: st = om_node_set_tensor(g, to, a->name, a->tensor); break;
        default: st = om_error(OM_ERR_INTERNAL, "attribute '%s' of unknown kind", a->name); break;
        }
        if (st != OM_OK)
            return st;
    }
    return OM_OK;
}

om_value *om_pat_const_f32(om_graph *g, const char *name, int rank, const int64_t *dims, const double *data)
{
    om_shape s = om_shape_make(rank, dims);
    int64_t n = om_shape_numel(&s);
    if (n < 0)
        return NULL;
    float *buf = malloc((size_t)(n ? n : 1) * sizeof(float));
    if (!buf) {
        om_error(OM_ERR_NO_MEMORY, "out of memory making constant '%s'", name);
        return NULL;
    }
    for (int64_t i = 0; i < n; i++)
        buf[i] = (float)data[i];
    om_value *v = om_graph_add_constant(g, name, OM_DT_FLOAT, &s, buf, (size_t)n * sizeof(float));
    free(buf);
    return v;
}

om_value *om_pat_const_i64(om_graph *g, const char *name, int64_t count, const int64_t *data)
{
    om_shape s = om_shape_make(1, &count);
    return om_graph_add_constant(g, name, OM_DT_INT64, &s, data, (size_t)count * sizeof(int64_t));
}

bool om_pat_per_channel(const om_value *c, const om_shape *out, int axis, double *vals)
{
    if (!om_pat_is_const(c) || !om_shape_is_static(out) || axis < 0 || axis >= out->rank)
        return false;
    int r = c->shape.rank;
    if (r > out->rank)
        return false;
    int64_t C = out->dims[axis];
    int64_t n = om_shape_numel(&c->shape);
    /* align c's dims to the right of out's */
    for (int i = 0; i < r; i++) {
        int oi = out->rank - r + i;
        int64_t d = c->shape.dims[i];
        if (d != 1 && !(oi == axis && d == C))
            return false;
    }
    for (int64_t ch = 0; ch < C; ch++)
        vals[ch] = om_pat_const_at(c, n == 1 ? 0 : ch);
    return true;
}

bool om_pat_kill_if_unused(const om_graph *g, om_node *n)
{
    if (!n || n->dead)
        return false;
    for (int o = 0; o < n->n_outputs; o++)
        if (n->outputs[o] && (n->outputs[o]->is_output || om_graph_count_uses(g, n->outputs[o]) > 0))
            return false;
    n->dead = true;
    return true;
}

int om_pat_users(const om_graph *g, const om_value *v, om_node **out, int max)
{
    int count = 0;
    for (size_t k = 0; k < g->n_nodes; k++) {
        om_node *n = g->nodes[k];
        if (!n || n->dead)
            continue;
        for (int i = 0; i < n->n_inputs; i++)
            if (n->inputs[i] == v) {
                if (count < max)
                    out[count] = n;
                count++;
            }
    }
    return count;
}

void om_pat_kill_chain(const om_graph *g, om_node *const *nodes, int count)
{
    bool again = true;
    while (again) {
        again = false;
        for (int i = count; i-- > 0;)
            if (om_pat_kill_if_unused(g, nodes[i]))
                again = true;
    }
}

om_node *om_pat_user_op(const om_graph *g, const om_value *v, om_op op)
{
    if (!om_pat_single_use(g, v))
        return NULL;
    om_node *u = om_pat_single_user(g, v);
    return u && u->op == op ? u : NULL;
}

bool om_pat_has_attr_prefix(const om_node *n, const char *prefix)
{
    size_t len = strlen(prefix);
    for (int i = 0; i < n->n_attrs; i++)
        if (n->attrs[i].name && !strncmp(n->attrs[i].name, prefix, len))
            return true;
    return false;
}

bool om_pat_ints_all_one(const om_node *n, const char *name)
{
    const int64_t *v = NULL;
    int cnt = om_node_ints(n, name, &v);
    for (int i = 0; v && i < cnt; i++)
        if (v[i] != 1)
            return false;
    return true;
}

static bool f32_4d_static(const om_value *v)
{
    return v && v->dtype == OM_DT_FLOAT && v->shape.rank == 4 && om_shape_is_static(&v->shape);
}

bool om_pat_plain_f32_conv(const om_node *n)
{
    if (!n || n->dead || n->op != OM_OP_CONV || om_pat_has_attr_prefix(n, "om_packed") ||
        om_node_int(n, "group", 1) != 1)
        return false;
    const char *ap = om_node_string(n, "auto_pad", "NOTSET");
    if (ap && ap[0] && strcmp(ap, "NOTSET") != 0)
        return false;
    const om_value *x = om_node_input(n, 0), *w = om_node_input(n, 1), *b = om_node_input(n, 2);
    const om_value *y = n->n_outputs > 0 ? n->outputs[0] : NULL;
    if (!f32_4d_static(x) || !f32_4d_static(w) || !f32_4d_static(y) || w->kind != OM_VALUE_CONSTANT || !w->data)
        return false;
    if ((size_t)om_shape_numel(&w->shape) * 4 != w->nbytes || (b && b->dtype != OM_DT_FLOAT))
        return false;
    return w->shape.dims[1] == x->shape.dims[1] && y->shape.dims[1] == w->shape.dims[0];
}
