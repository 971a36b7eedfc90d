/* Sequence and optional values resolved at import time.
 *
 * A sequence value is a compile-time list of IR tensor values (om_fe_seq, bound to its
 * ONNX name in the current scope); the IR has no sequence type. Every sequence op lowers
 * to plain tensor ops or to list edits:
 *   SequenceConstruct / SequenceEmpty      list of the inputs / empty list
 *   SequenceInsert / SequenceErase         position a compile-time constant (default: end)
 *   SequenceAt                             index a compile-time constant -> Identity
 *   SequenceLength                         -> int64 scalar constant
 *   ConcatFromSequence                     -> Concat (new_axis: Unsqueeze each, then Concat)
 *   SplitToSequence                        constant split, or keepdims form on a static axis
 *                                          -> one Slice (+Squeeze) per element; a run-time
 *                                          1-D split of static length gives a sequence whose
 *                                          length is known but whose items are not (using
 *                                          one is an error; SequenceLength works)
 *   Optional / OptionalHasElement / OptionalGetElement: presence known statically; an
 *                                          optional with a value is just that value.
 *   Identity                               of a sequence or optional: the same binding; of
 *                                          a tensor: the plain Identity node (as onnx_nodes.c
 *                                          would emit it)
 * Graph inputs and outputs of these types (the contract is in onnx_import.h): a pinned
 * sequence input is a list of new tensor graph inputs "<name>.<i>"; an optional input is
 * absent (pinned none), a sequence, or a plain tensor input; sequence outputs become
 * tensor outputs "<name>.<i>" (Identity nodes naming them).
 */
#include "frontend/fe_control.h"

#include <stdio.h>
#include <string.h>

static const char *const k_seq_ops[] = {"SequenceConstruct", "SequenceEmpty", "SequenceInsert", "SequenceErase",
                                        "SequenceAt", "SequenceLength", "ConcatFromSequence", "SplitToSequence",
                                        "Optional", "OptionalHasElement", "OptionalGetElement",
                                        "Identity"};

bool om_fe_is_sequence_op(const char *op_type)
{
    for (size_t i = 0; i < sizeof k_seq_ops / sizeof *k_seq_ops; i++)
        if (strcmp(op_type, k_seq_ops[i]) == 0)
            return true;
    return false;
}

static const char *in_name(const om_fe_node *n, size_t i)
{
    return i < n->proto->n_input ? om_fe_str(n->proto->input[i]) : "";
}

static const char *out_name(const om_fe_node *n, size_t i)
{
    return i < n->proto->n_output ? om_fe_str(n->proto->output[i]) : "";
}

static int64_t attr_int(const om_fe_node *n, const char *name, int64_t dflt)
{
    for (size_t i = 0; i < n->proto->n_attribute; i++) {
        const Onnx__AttributeProto *a = n->proto->attribute[i];
        if (a && strcmp(om_fe_str(a->name), name) == 0)
            return a->i;
    }
    return dflt;
}

static om_status get_seq(om_fe_ctx *ctx, const om_fe_node *n, size_t i, om_fe_seq **out)
{
    const char *nm = in_name(n, i);
    om_fe_binding *b = nm[0] ? om_fe_find_binding(ctx, nm) : NULL;
    if (!b || !b->seq)
        return om_error(OM_ERR_UNSUPPORTED, "%s (op %s): input %zu '%s' must be a sequence known at compile time",
                        n->label, n->op_type, i, nm);
    *out = b->seq;
    return OM_OK;
}

static om_status get_tensor(om_fe_ctx *ctx, const om_fe_node *n, size_t i, om_value **out)
{
    om_status st;
    const char *nm = in_name(n, i);
    *out = nm[0] ? om_fe_lookup(ctx, nm, n->label, &st) : NULL;
    if (nm[0] && st != OM_OK)
        return st;
    if (nm[0] && !*out)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op %s): input %zu '%s' is not defined", n->label, n->op_type, i,
                        nm);
    return OM_OK;
}

static om_status const_index(const om_fe_node *n, size_t i, om_value *v, int64_t *out)
{
    om_value *c = om_fe_const_source(v);
    if (!c || om_shape_numel(&c->shape) != 1 || !c->data ||
        (c->dtype != OM_DT_INT64 && c->dtype != OM_DT_INT32))
        return om_error(OM_ERR_UNSUPPORTED, "%s (op %s): input %zu ('%s') must be a compile-time constant: it "
                        "determines the sequence", n->label, n->op_type, i, v ? v->name : "");
    *out = c->dtype == OM_DT_INT64 ? *(const int64_t *)c->data : *(const int32_t *)c->data;
    return OM_OK;
}

om_fe_seq *om_fe_seq_new(om_fe_ctx *ctx, int n)
{
    om_fe_seq *s = n >= 0 ? om_graph_alloc(ctx->g, sizeof *s) : NULL;
    if (s)
        s->items = om_graph_alloc(ctx->g, (size_t)(n + 1) * sizeof *s->items);
    if (!s || !s->items)
        return NULL;
    s->n = n;
    return s;
}

static om_fe_seq *new_seq(om_fe_ctx *ctx, int n)
{
    return om_fe_seq_new(ctx, n);
}

om_status om_fe_seq_item(const om_fe_seq *s, int i, const char *label, om_value **out)
{
    *out = s && i >= 0 && i < s->n ? s->items[i] : NULL;
    if (*out)
        return OM_OK;
    return om_error(OM_ERR_UNSUPPORTED, "%s: sequence element %d is not computable at compile time%s%s", label, i,
                    s && s->why ? ": " : "", s && s->why ? s->why : "");
}

om_status om_fe_bind_none(om_fe_ctx *ctx, const char *name)
{
    om_status st = om_fe_bind(ctx, name, NULL, NULL);
    if (st == OM_OK) {
        om_fe_binding *b = om_fe_find_binding(ctx, name);
        if (b)
            b->is_optional_none = true;
    }
    return st;
}

static om_status bind_out_seq(om_fe_ctx *ctx, const om_fe_node *n, om_fe_seq *s)
{
    const char *nm = out_name(n, 0);
    if (!s)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    if (!nm[0])
        return OM_OK;
    if (!ctx->scope && (om_graph_find_value(ctx->g, nm) || om_fe_find_binding(ctx, nm)))
        return om_error(OM_ERR_INVALID_MODEL, "%s: output '%s' is already defined", n->label, nm);
    return om_fe_bind(ctx, nm, NULL, s);
}

/* Output 0 of n as an IR value computed by `op` over ins (or an Identity of ins[0]). */
static om_status emit_out(om_fe_ctx *ctx, const om_fe_node *n, om_op op, om_value *const *ins, int n_in,
                          om_node **node)
{
    om_value *out = om_fe_new_output(ctx, n->label, out_name(n, 0));
    if (!out)
        return ctx->last;
    om_node *nd = om_graph_add_node(ctx->g, op, om_fe_str(n->proto->name), ins, n_in, &out, 1);
    if (!nd)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    if (node)
        *node = nd;
    return OM_OK;
}

static om_status seq_pos(const om_fe_node *n, int64_t p, int len, bool insert, int *out)
{
    if (p < 0)
        p += len;
    if (p < 0 || p > len || (!insert && p == len))
        return om_error(OM_ERR_INVALID_MODEL, "%s (op %s): position %lld is out of range for a sequence of %d",
                        n->label, n->op_type, (long long)p, len);
    *out = (int)p;
    return OM_OK;
}

static om_status import_split(om_fe_ctx *ctx, const om_fe_node *n)
{
    om_value *x, *split;
    om_status st;
    if ((st = get_tensor(ctx, n, 0, &x)) != OM_OK || (st = get_tensor(ctx, n, 1, &split)) != OM_OK)
        return st;
    int64_t axis = attr_int(n, "axis", 0), keep = attr_int(n, "keepdims", 1);
    const om_shape *s = &x->shape;
    if (axis < 0)
        axis += s->rank;
    if (split && !om_fe_const_source(split) && split->shape.rank == 1 && split->shape.dims[0] >= 0 &&
        !split->shape.syms[0] && split->shape.dims[0] <= OM_FE_MAX_SEQ) {
        /* run-time sizes of a static count: the length is known, the items are not */
        om_fe_seq *q = new_seq(ctx, (int)split->shape.dims[0]);
        char why[600];
        snprintf(why, sizeof why, "%s (op SplitToSequence): input 1 ('%s') must be a compile-time constant: it "
                 "determines the element shapes", n->label, split->name);
        if (q && !(q->why = om_graph_strdup(ctx->g, why)))
            q = NULL;
        return bind_out_seq(ctx, n, q);
    }
    if (s->rank < 0 || axis < 0 || axis >= s->rank || s->dims[axis] < 0 || s->syms[axis])
        return om_error(OM_ERR_UNSUPPORTED, "%s (op SplitToSequence): the split axis of '%s' must have a static "
                        "size at import", n->label, x->name);
    int64_t dim = s->dims[axis];
    int64_t sizes[OM_FE_MAX_SEQ];
    int count = 0;
    if (!split) {
        if (dim > OM_FE_MAX_SEQ)
            return om_error(OM_ERR_UNSUPPORTED, "%s: more than %d elements", n->label, OM_FE_MAX_SEQ);
        for (; count < dim; count++)
            sizes[count] = 1;
    } else {
        om_value *c = om_fe_const_source(split);
        if (!c || !c->data || (c->dtype != OM_DT_INT64 && c->dtype != OM_DT_INT32) || c->shape.rank > 1)
            return om_error(OM_ERR_UNSUPPORTED, "%s (op SplitToSequence): input 1 ('%s') must be a compile-time "
                            "constant: it determines the sequence", n->label, split->name);
        int64_t ne = om_shape_numel(&c->shape);
        int64_t v0 = c->dtype == OM_DT_INT64 ? ((const int64_t *)c->data)[0] : ((const int32_t *)c->data)[0];
        if (c->shape.rank == 0) {
            if (v0 <= 0)
                return om_error(OM_ERR_INVALID_MODEL, "%s: split %lld", n->label, (long long)v0);
            for (int64_t at = 0; at < dim && count < OM_FE_MAX_SEQ; at += v0)
                sizes[count++] = at + v0 <= dim ? v0 : dim - at;
        } else {
            int64_t total = 0;
            for (int64_t i = 0; i < ne && count < OM_FE_MAX_SEQ; i++) {
                int64_t v = c->dtype == OM_DT_INT64 ? ((const int64_t *)c->data)[i] : ((const int32_t *)c->data)[i];
                sizes[count++] = v;
                total += v;
            }
            if (total != dim)
                return om_error(OM_ERR_INVALID_MODEL, "%s: split sizes sum to %lld, the axis has %lld", n->label,
                                (long long)total, (long long)dim);
        }
        keep = 1;
    }
    om_fe_seq *q = new_seq(ctx, count);
    if (!q)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    int64_t at = 0;
    for (int i = 0; i < count; i++) {
        int64_t b = at, e = at + sizes[i];
        om_value *ins[4] = {x, om_fe_const_i64(ctx, &b, 1, false), om_fe_const_i64(ctx, &e, 1, false),
                            om_fe_const_i64(ctx, &axis, 1, false)};
        if (!ins[1] || !ins[2] || !ins[3])
            return ctx->last;
        om_value *v = om_fe_emit1(ctx, OM_OP_SLICE, NULL, ins, 4);
        if (v && !keep) {
            om_value *sq[2] = {v, ins[3]};
            v = om_fe_emit1(ctx, OM_OP_SQUEEZE, NULL, sq, 2);
        }
        if (!v)
            return ctx->last;
        q->items[i] = v;
        at = e;
    }
    return bind_out_seq(ctx, n, q);
}

/* Identity (opset 16 takes sequences and optionals too). */
static om_status import_identity(om_fe_ctx *ctx, const om_fe_node *n)
{
    if (n->proto->n_input != 1 || n->proto->n_output != 1)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Identity, opset %lld): %zu inputs and %zu outputs, expected 1 "
                        "and 1", n->label, (long long)ctx->opset, n->proto->n_input, n->proto->n_output);
    const char *nm = in_name(n, 0);
    om_fe_binding *b = nm[0] ? om_fe_find_binding(ctx, nm) : NULL;
    if (b && b->seq)
        return bind_out_seq(ctx, n, b->seq);
    if (b && !b->v) {
        const char *on = out_name(n, 0);
        if (on[0] && !ctx->scope && (om_graph_find_value(ctx->g, on) || om_fe_find_binding(ctx, on)))
            return om_error(OM_ERR_INVALID_MODEL, "%s: output '%s' is already defined", n->label, on);
        return on[0] ? om_fe_bind_none(ctx, on) : OM_OK;
    }
    om_value *v;
    om_status st = get_tensor(ctx, n, 0, &v);
    if (st != OM_OK)
        return st;
    if (!v)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Identity): required input 0 is omitted", n->label);
    return emit_out(ctx, n, OM_OP_IDENTITY, &v, 1, NULL);
}

om_status om_fe_import_sequence(om_fe_ctx *ctx, om_fe_node *n)
{
    const char *op = n->op_type;
    om_status st;
    om_fe_seq *s;
    om_value *v;
    if (strcmp(op, "Identity") == 0)
        return import_identity(ctx, n);
    if (strcmp(op, "SequenceConstruct") == 0) {
        size_t k = n->proto->n_input;
        om_fe_seq *q = new_seq(ctx, (int)k);
        for (size_t i = 0; q && i < k; i++)
            if ((st = get_tensor(ctx, n, i, &q->items[i])) != OM_OK)
                return st;
        return bind_out_seq(ctx, n, q);
    }
    if (strcmp(op, "SequenceEmpty") == 0)
        return bind_out_seq(ctx, n, new_seq(ctx, 0));
    if (strcmp(op, "SequenceInsert") == 0 || strcmp(op, "SequenceErase") == 0) {
        bool ins = op[8] == 'I';
        om_value *t = NULL, *pos = NULL;
        if ((st = get_seq(ctx, n, 0, &s)) != OM_OK || (ins && (st = get_tensor(ctx, n, 1, &t)) != OM_OK) ||
            (st = get_tensor(ctx, n, ins ? 2 : 1, &pos)) != OM_OK)
            return st;
        int at = ins ? s->n : s->n - 1;
        if (pos) {
            int64_t p;
            if ((st = const_index(n, ins ? 2 : 1, pos, &p)) != OM_OK || (st = seq_pos(n, p, s->n, ins, &at)) != OM_OK)
                return st;
        } else if (!ins && s->n == 0) {
            return om_error(OM_ERR_INVALID_MODEL, "%s (op SequenceErase): the sequence is empty", n->label);
        }
        if (s->n >= OM_FE_MAX_SEQ)
            return om_error(OM_ERR_UNSUPPORTED, "%s: more than %d elements", n->label, OM_FE_MAX_SEQ);
        om_fe_seq *q = new_seq(ctx, ins ? s->n + 1 : s->n - 1);
        if (!q)
            return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
        for (int i = 0, j = 0; i < s->n; i++) {
            if (ins && i == at)
                q->items[j++] = t;
            if (!ins && i == at)
                continue;
            q->items[j++] = s->items[i];
        }
        if (ins && at == s->n)
            q->items[s->n] = t;
        return bind_out_seq(ctx, n, q);
    }
    if (strcmp(op, "SequenceAt") == 0) {
        om_value *pos;
        int64_t p;
        int at;
        if ((st = get_seq(ctx, n, 0, &s)) != OM_OK || (st = get_tensor(ctx, n, 1, &pos)) != OM_OK ||
            !pos || (st = const_index(n, 1, pos, &p)) != OM_OK || (st = seq_pos(n, p, s->n, false, &at)) != OM_OK)
            return st != OM_OK ? st : om_error(OM_ERR_INVALID_MODEL, "%s: no position", n->label);
        if ((st = om_fe_seq_item(s, at, n->label, &v)) != OM_OK)
            return st;
        return emit_out(ctx, n, OM_OP_IDENTITY, &v, 1, NULL);
    }
    if (strcmp(op, "SequenceLength") == 0) {
        if ((st = get_seq(ctx, n, 0, &s)) != OM_OK)
            return st;
        int64_t len = s->n;
        om_value *c = om_fe_const_i64(ctx, &len, 1, true);
        if (!c)
            return ctx->last;
        return emit_out(ctx, n, OM_OP_IDENTITY, &c, 1, NULL);
    }
    if (strcmp(op, "ConcatFromSequence") == 0) {
        if ((st = get_seq(ctx, n, 0, &s)) != OM_OK)
            return st;
        if (s->n == 0)
            return om_error(OM_ERR_INVALID_MODEL, "%s (op ConcatFromSequence): the sequence is empty", n->label);
        for (int i = 0; i < s->n; i++)
            if ((st = om_fe_seq_item(s, i, n->label, &v)) != OM_OK)
                return st;
        int64_t axis = attr_int(n, "axis", 0), new_axis = attr_int(n, "new_axis", 0);
        om_value **items = s->items;
        if (new_axis) {
            if (axis < 0) {
                if (s->items[0]->shape.rank < 0)
                    return om_error(OM_ERR_UNSUPPORTED, "%s: a negative axis with new_axis needs the rank at import",
                                    n->label);
                axis += s->items[0]->shape.rank + 1;
            }
            om_value *ax = om_fe_const_i64(ctx, &axis, 1, false);
            items = om_graph_alloc(ctx->g, (size_t)s->n * sizeof *items);
            if (!ax || !items)
                return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
            for (int i = 0; i < s->n; i++) {
                om_value *u[2] = {s->items[i], ax};
                if (!(items[i] = om_fe_emit1(ctx, OM_OP_UNSQUEEZE, NULL, u, 2)))
                    return ctx->last;
            }
        }
        om_node *nd;
        if ((st = emit_out(ctx, n, OM_OP_CONCAT, items, s->n, &nd)) != OM_OK)
            return st;
        return om_node_set_int(ctx->g, nd, "axis", axis);
    }
    if (strcmp(op, "SplitToSequence") == 0)
        return import_split(ctx, n);
    /* optionals */
    const char *nm = in_name(n, 0);
    om_fe_binding *b = nm[0] ? om_fe_find_binding(ctx, nm) : NULL;
    if (strcmp(op, "Optional") == 0) {
        const char *on = out_name(n, 0);
        if (!nm[0]) /* no value: an empty optional */
            return on[0] ? om_fe_bind_none(ctx, on) : OM_OK;
        if (b && b->seq)
            return bind_out_seq(ctx, n, b->seq);
        if ((st = get_tensor(ctx, n, 0, &v)) != OM_OK)
            return st;
        return emit_out(ctx, n, OM_OP_IDENTITY, &v, 1, NULL);
    }
    bool present = nm[0] && !(b && !b->v && !b->seq);
    if (strcmp(op, "OptionalHasElement") == 0) {
        bool t = present;
        om_shape sc = om_shape_scalar();
        om_value *c = om_graph_add_constant(ctx->g, NULL, OM_DT_BOOL, &sc, &t, 1);
        if (!c)
            return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
        return emit_out(ctx, n, OM_OP_IDENTITY, &c, 1, NULL);
    }
    /* OptionalGetElement */
    if (!present)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op OptionalGetElement): the optional '%s' has no value", n->label,
                        nm);
    if (b && b->seq)
        return bind_out_seq(ctx, n, b->seq);
    if ((st = get_tensor(ctx, n, 0, &v)) != OM_OK)
        return st;
    return emit_out(ctx, n, OM_OP_IDENTITY, &v, 1, NULL);
}

/* ---- sequence and optional graph inputs and outputs ------------------------------- */

bool om_fe_seq_or_opt_type(const Onnx__TypeProto *tp)
{
    return tp && (tp->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE ||
                  tp->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE);
}

/* "<name>.<i>" in the arena; OM_ERR_INVALID_MODEL when the model already has that name. */
static om_status element_name(om_fe_ctx *ctx, const char *name, int i, const char *what, const char **out)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s.%d", name, i);
    if (om_graph_find_value(ctx->g, buf) || om_fe_find_binding(ctx, buf))
        return om_error(OM_ERR_INVALID_MODEL, "'%s' (element %d of %s '%s') is also the name of another value of "
                        "the model", buf, i, what, name);
    if (!(*out = om_graph_strdup(ctx->g, buf)))
        return om_error(OM_ERR_NO_MEMORY, "out of memory naming '%s'", buf);
    return OM_OK;
}

/* The pinned shape of element i merged with the declared element shape decl. */
static om_status element_shape(const char *name, int i, const om_shape *pin, const om_shape *decl, om_shape *out)
{
    if (pin->rank < 0 || pin->rank > OM_MAX_RANK)
        return om_error(OM_ERR_INVALID_ARGUMENT, "sequence input '%s' element %d: pinned rank %d", name, i, pin->rank);
    if (decl->rank >= 0 && decl->rank != pin->rank)
        return om_error(OM_ERR_INVALID_ARGUMENT, "sequence input '%s' element %d: the pin has %d dims, the model "
                        "declares rank %d", name, i, pin->rank, decl->rank);
    *out = om_shape_unknown();
    out->rank = pin->rank;
    for (int d = 0; d < pin->rank; d++) {
        int64_t pd = pin->dims[d], md = decl->rank >= 0 ? decl->dims[d] : OM_DIM_UNKNOWN;
        if (pd >= 0 && md >= 0 && pd != md)
            return om_error(OM_ERR_INVALID_ARGUMENT, "sequence input '%s' element %d dim %d: the pin gives %lld, the "
                            "model fixes it to %lld", name, i, d, (long long)pd, (long long)md);
        out->dims[d] = pd >= 0 ? pd : md;
        out->syms[d] = pd < 0 && md < 0 && decl->rank >= 0 ? decl->syms[d] : NULL;
    }
    return OM_OK;
}

om_status om_fe_import_seq_input(om_fe_ctx *ctx, const Onnx__ValueInfoProto *vi, const om_fe_input_pin *pin)
{
    const char *name = om_fe_str(vi->name);
    const Onnx__TypeProto *tp = vi->type;
    bool optional = tp->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE;
    const Onnx__TypeProto *inner = optional ? (tp->optional_type ? tp->optional_type->elem_type : NULL) : tp;
    if (!inner)
        return om_error(OM_ERR_INVALID_MODEL, "optional graph input '%s' has no element type", name);
    bool is_seq = inner->value_case == ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE;
    const Onnx__TypeProto *elem = is_seq ? (inner->sequence_type ? inner->sequence_type->elem_type : NULL) : inner;
    const char *kind = optional ? (is_seq ? "optional sequence" : "optional") : "sequence";
    if (!elem || elem->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
        return om_error(OM_ERR_UNSUPPORTED, "graph input '%s': %s of a non-tensor type (only tensors, sequences of "
                        "tensors and optionals of those are supported)", name, kind);
    char what[512];
    snprintf(what, sizeof what, "graph input '%s'", name);
    om_dtype dt;
    om_shape decl;
    om_status st = om_fe_type(ctx->g, elem, what, &dt, &decl);
    if (st != OM_OK)
        return st;
    if (pin && pin->kind == OM_FE_PIN_NONE) {
        if (!optional)
            return om_error(OM_ERR_INVALID_ARGUMENT, "graph input '%s' is a sequence, not an optional: it cannot be "
                            "pinned absent ('none')", name);
        return om_fe_bind_none(ctx, name);
    }
    if (pin && pin->kind == OM_FE_PIN_SEQUENCE && !is_seq)
        return om_error(OM_ERR_INVALID_ARGUMENT, "graph input '%s' is an optional tensor, not a sequence: pin it "
                        "present with a shape (\"%s:d0,d1,...\") or absent (\"%s:none\")", name, name, name);
    if (!is_seq) { /* a present optional tensor: a plain tensor input of that name */
        om_value *v = om_graph_add_value(ctx->g, name, dt, &decl);
        if (!v)
            return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", what);
        st = om_graph_add_input(ctx->g, v);
        return st == OM_OK ? OM_OK : om_error_prefix(st, "%s", what);
    }
    if (!pin)
        return om_error(OM_ERR_UNSUPPORTED, "graph input '%s' is a %s: pin its length and element shapes, e.g. omc "
                        "--input-shape \"%s:[[2,3],[4,3]]\"%s%s%s (it is then fed as the tensors '%s.0', '%s.1', ...)",
                        name, kind, name, optional ? ", or \"" : "", optional ? name : "", optional ? ":none\"" : "",
                        name, name);
    if (pin->n_elems < 0 || pin->n_elems > OM_FE_MAX_SEQ || (pin->n_elems && !pin->elems))
        return om_error(OM_ERR_INVALID_ARGUMENT, "graph input '%s': a sequence pin of %d elements (supported 0..%d)",
                        name, pin->n_elems, OM_FE_MAX_SEQ);
    om_fe_seq *seq = om_fe_seq_new(ctx, pin->n_elems);
    if (!seq)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", what);
    for (int i = 0; i < pin->n_elems; i++) {
        const char *en;
        om_shape shape;
        if ((st = element_shape(name, i, &pin->elems[i], &decl, &shape)) != OM_OK ||
            (st = element_name(ctx, name, i, "sequence input", &en)) != OM_OK)
            return st;
        om_value *v = om_graph_add_value(ctx->g, en, dt, &shape);
        if (!v)
            return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", what);
        if ((st = om_graph_add_input(ctx->g, v)) != OM_OK)
            return om_error_prefix(st, "%s", what);
        seq->items[i] = v;
    }
    return om_fe_bind(ctx, name, NULL, seq);
}

om_status om_fe_export_output(om_fe_ctx *ctx, const char *name, const om_fe_binding *b)
{
    char label[512];
    snprintf(label, sizeof label, "graph output '%s'", name);
    if (!b->seq)
        return om_error(OM_ERR_UNSUPPORTED, "%s is an optional without a value for these inputs: a compiled model "
                        "cannot have an absent output", label);
    om_status st;
    for (int i = 0; i < b->seq->n; i++) {
        om_value *item, *out;
        const char *en;
        if ((st = om_fe_seq_item(b->seq, i, label, &item)) != OM_OK ||
            (st = element_name(ctx, name, i, "sequence output", &en)) != OM_OK)
            return st;
        if (!(out = om_graph_add_value(ctx->g, en, OM_DT_UNDEFINED, NULL)) ||
            !om_graph_add_node(ctx->g, OM_OP_IDENTITY, NULL, &item, 1, &out, 1))
            return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", label);
        if ((st = om_graph_add_output(ctx->g, out)) != OM_OK)
            return om_error_prefix(st, "%s", label);
    }
    return OM_OK;
}
