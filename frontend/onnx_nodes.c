/* NodeProto -> IR node, and Constant nodes -> constant values.
 *
 * A node is staged first (om_fe_node: op, input values, output names, attributes), then
 * the opset rewrites edit the staged form, then the IR node is created with its output
 * values and attributes. Order of checks: domain, op type supported, inputs defined,
 * attributes convertible, rewrites, arity against the op table. Inputs named "" are
 * omitted optional inputs (NULL in the IR); trailing omitted inputs and trailing omitted
 * outputs are dropped; an omitted output in the middle gets a generated name.
 *
 * Attributes are copied generically by type (INT, FLOAT, STRING, INTS, FLOATS, STRINGS,
 * TENSOR -> constant); GRAPH, SPARSE_TENSOR, TYPE_PROTO and their lists are unsupported
 * (the GRAPH attributes of If/Loop/Scan are consumed by onnx_control.c, which imports
 * those nodes itself). Names resolve through om_fe_lookup (subgraph scopes first).
 * Everything staged lives in the graph's arena (the waste is a few words per node).
 */
#include "frontend/fe_control.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NODE_IO (1 << 20) /* sanity bound on inputs/outputs/attributes per node */

size_t om_fe_name_uses(const om_fe_ctx *ctx, const char *name)
{
    size_t uses = 0;
    const Onnx__GraphProto *gp = ctx->graph;
    for (size_t i = 0; i < gp->n_node; i++) {
        const Onnx__NodeProto *p = gp->node[i];
        for (size_t j = 0; p && j < p->n_input; j++)
            uses += p->input[j] && strcmp(p->input[j], name) == 0;
    }
    for (size_t i = 0; i < gp->n_output; i++)
        uses += gp->output[i] && gp->output[i]->name && strcmp(gp->output[i]->name, name) == 0;
    return uses;
}

/* ---- staged attributes ------------------------------------------------------------------ */

om_attr *om_fe_node_attr(om_fe_node *n, const char *name)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (strcmp(n->attrs[i].name, name) == 0)
            return &n->attrs[i];
    return NULL;
}

void om_fe_node_drop_attr(om_fe_node *n, const char *name)
{
    for (int i = 0; i < n->n_attrs; i++) {
        if (strcmp(n->attrs[i].name, name) == 0) {
            memmove(&n->attrs[i], &n->attrs[i + 1], (size_t)(n->n_attrs - i - 1) * sizeof n->attrs[0]);
            n->n_attrs--;
            return;
        }
    }
}

static om_attr *attr_slot(om_fe_node *n, const char *name)
{
    om_attr *a = om_fe_node_attr(n, name);
    if (a)
        return a;
    if (n->n_attrs >= n->cap_attrs)
        return NULL; /* cap has room for every rewrite; see stage_node */
    a = &n->attrs[n->n_attrs++];
    memset(a, 0, sizeof *a);
    a->name = name;
    return a;
}

om_status om_fe_node_set_int(om_fe_ctx *ctx, om_fe_node *n, const char *name, int64_t v)
{
    om_attr *a = attr_slot(n, name);
    if (!a)
        return om_error(OM_ERR_INTERNAL, "%s: no room for attribute '%s'", n->label, name);
    a->kind = OM_ATTR_INT;
    a->i = v;
    return OM_OK;
}

/* ONNX bytes -> NUL-terminated arena string; embedded NULs are refused. */
static om_status bytes_to_str(om_fe_ctx *ctx, const om_fe_node *n, const char *attr,
                              const ProtobufCBinaryData *b, const char **out)
{
    if (b->len && memchr(b->data, '\0', b->len))
        return om_error(OM_ERR_UNSUPPORTED, "%s (op %s): attribute '%s': strings with NUL bytes are unsupported",
                        n->label, n->op_type, attr);
    char *s = om_graph_alloc(ctx->g, b->len + 1);
    if (!s)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    if (b->len)
        memcpy(s, b->data, b->len);
    s[b->len] = '\0';
    *out = s;
    return OM_OK;
}

static om_status tensor_constant(om_fe_ctx *ctx, const Onnx__TensorProto *t, const char *what,
                                 const char *name, om_value **out)
{
    om_fe_tensor_data d;
    om_status st = om_fe_tensor_decode(t, ctx->base_dir, what, &d);
    if (st != OM_OK)
        return st;
    om_value *v = om_graph_add_constant(ctx->g, name, d.dtype, &d.shape, d.data, d.nbytes);
    om_fe_tensor_data_release(&d);
    if (!v)
        return om_error_prefix(OM_ERR_NO_MEMORY, "%s", what);
    *out = v;
    return OM_OK;
}

static om_status convert_attr(om_fe_ctx *ctx, om_fe_node *n, const Onnx__AttributeProto *ap, om_attr *a)
{
    memset(a, 0, sizeof *a);
    const char *name = om_fe_str(ap->name);
    a->name = name;
    if (!name[0])
        return om_error(OM_ERR_INVALID_MODEL, "%s (op %s): attribute without a name", n->label, n->op_type);
    switch (ap->type) {
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT:
        a->kind = OM_ATTR_INT;
        a->i = ap->i;
        return OM_OK;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT:
        a->kind = OM_ATTR_FLOAT;
        a->f = ap->f;
        return OM_OK;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING:
        a->kind = OM_ATTR_STRING;
        return bytes_to_str(ctx, n, name, &ap->s, &a->s);
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS:
        if (ap->n_ints > INT_MAX)
            break;
        a->kind = OM_ATTR_INTS;
        a->count = (int)ap->n_ints;
        a->ints = ap->ints;
        return OM_OK;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS:
        if (ap->n_floats > INT_MAX)
            break;
        a->kind = OM_ATTR_FLOATS;
        a->count = (int)ap->n_floats;
        a->floats = ap->floats;
        return OM_OK;
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS: {
        if (ap->n_strings > MAX_NODE_IO)
            break;
        a->kind = OM_ATTR_STRINGS;
        a->count = (int)ap->n_strings;
        a->strings = om_graph_alloc(ctx->g, (ap->n_strings + 1) * sizeof(char *));
        if (!a->strings)
            return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
        for (size_t i = 0; i < ap->n_strings; i++) {
            om_status st = bytes_to_str(ctx, n, name, &ap->strings[i], &a->strings[i]);
            if (st != OM_OK)
                return st;
        }
        return OM_OK;
    }
    case ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR: {
        if (!ap->t)
            return om_error(OM_ERR_INVALID_MODEL, "%s (op %s): attribute '%s' of type TENSOR has no tensor",
                            n->label, n->op_type, name);
        /* decoded when the IR node exists (apply_attrs), so the IR can detach the constant */
        a->kind = OM_ATTR_TENSOR;
        return OM_OK;
    }
    default: {
        static const char *const kinds[] = {
            [5] = "GRAPH", [9] = "TENSORS", [10] = "GRAPHS", [11] = "SPARSE_TENSOR",
            [12] = "SPARSE_TENSORS", [13] = "TYPE_PROTO", [14] = "TYPE_PROTOS",
        };
        int k = (int)ap->type;
        const char *kn = k > 0 && k < 15 && kinds[k] ? kinds[k] : NULL;
        if (k == 0)
            return om_error(OM_ERR_INVALID_MODEL, "%s (op %s): attribute '%s' has no type", n->label,
                            n->op_type, name);
        if (kn)
            return om_error(OM_ERR_UNSUPPORTED, "%s (op %s, opset %lld): attribute '%s' of type %s is unsupported",
                            n->label, n->op_type, (long long)ctx->opset, name, kn);
        return om_error(OM_ERR_INVALID_MODEL, "%s (op %s): attribute '%s' has unknown type %d", n->label,
                        n->op_type, name, k);
    }
    }
    return om_error(OM_ERR_INVALID_MODEL, "%s (op %s): attribute '%s' is too large", n->label, n->op_type, name);
}

/* A TENSOR attribute: decoded into a graph constant and attached right away, which lets
 * om_node_set_tensor take the just-added constant out of g->values again. */
static om_status set_tensor_attr(om_fe_ctx *ctx, const om_fe_node *sn, om_node *node, const char *name)
{
    const Onnx__AttributeProto *ap = NULL;
    for (size_t i = 0; i < sn->proto->n_attribute && !ap; i++)
        if (sn->proto->attribute[i] && strcmp(om_fe_str(sn->proto->attribute[i]->name), name) == 0)
            ap = sn->proto->attribute[i];
    if (!ap || !ap->t)
        return om_error(OM_ERR_INTERNAL, "%s (op %s): tensor attribute '%s' vanished", sn->label,
                        sn->op_type, name);
    char what[512], cname[512];
    snprintf(what, sizeof what, "%s (op %s): attribute '%s'", sn->label, sn->op_type, name);
    snprintf(cname, sizeof cname, "%s/%s", node->name && node->name[0] ? node->name
                                           : node->n_outputs ? node->outputs[0]->name : "attr", name);
    om_value *v = NULL;
    om_status st = tensor_constant(ctx, ap->t, what, cname, &v);
    if (st != OM_OK)
        return st;
    return om_node_set_tensor(ctx->g, node, name, v);
}

/* Sets the staged attributes on the created IR node (the setters copy arrays). */
static om_status apply_attrs(om_fe_ctx *ctx, const om_fe_node *sn, om_node *node)
{
    for (int i = 0; i < sn->n_attrs; i++) {
        const om_attr *a = &sn->attrs[i];
        om_status st = OM_OK;
        switch (a->kind) {
        case OM_ATTR_INT: st = om_node_set_int(ctx->g, node, a->name, a->i); break;
        case OM_ATTR_FLOAT: st = om_node_set_float(ctx->g, node, a->name, a->f); break;
        case OM_ATTR_STRING: st = om_node_set_string(ctx->g, node, a->name, a->s); break;
        case OM_ATTR_INTS: st = om_node_set_ints(ctx->g, node, a->name, a->ints, a->count); break;
        case OM_ATTR_FLOATS: st = om_node_set_floats(ctx->g, node, a->name, a->floats, a->count); break;
        case OM_ATTR_STRINGS: st = om_node_set_strings(ctx->g, node, a->name, a->strings, a->count); break;
        case OM_ATTR_TENSOR: st = set_tensor_attr(ctx, sn, node, a->name); break;
        }
        if (st != OM_OK)
            return om_error_prefix(st, "%s (op %s): attribute '%s'", sn->label, sn->op_type, a->name);
    }
    return OM_OK;
}

/* ---- Constant nodes ----------------------------------------------------------------------- */

static om_status import_constant(om_fe_ctx *ctx, om_fe_node *n)
{
    const Onnx__NodeProto *p = n->proto;
    if (p->n_output != 1 || !p->output[0] || !p->output[0][0])
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Constant): expected 1 named output, found %zu",
                        n->label, p->n_output);
    const char *out = p->output[0];
    const char *onnx_out = out;
    if (ctx->scope && !(out = om_fe_ir_name(ctx, out)))
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    if (ctx->scope) {
        om_value *fresh = om_graph_find_value(ctx->g, out);
        if (fresh) /* a re-inlined body: the IR picks a fresh name */
            out = NULL;
    } else if (om_graph_find_value(ctx->g, out) || om_fe_find_binding(ctx, out))
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Constant): output '%s' is already defined", n->label, out);
    if (p->n_attribute != 1 || !p->attribute[0])
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Constant): expected exactly 1 attribute, found %zu",
                        n->label, p->n_attribute);
    const Onnx__AttributeProto *a = p->attribute[0];
    const char *an = om_fe_str(a->name);
    char what[512];
    snprintf(what, sizeof what, "%s (op Constant): attribute '%s'", n->label, an);
    om_value *v = NULL;
    om_shape s = om_shape_scalar();
    if (strcmp(an, "value") == 0) {
        if (!a->t)
            return om_error(OM_ERR_INVALID_MODEL, "%s has no tensor", what);
        om_status st = tensor_constant(ctx, a->t, what, out, &v);
        return st == OM_OK && ctx->scope ? om_fe_bind(ctx, onnx_out, v, NULL) : st;
    } else if (strcmp(an, "value_float") == 0) {
        if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT)
            return om_error(OM_ERR_INVALID_MODEL, "%s is not of type FLOAT", what);
        v = om_graph_add_constant(ctx->g, out, OM_DT_FLOAT, &s, &a->f, sizeof(float));
    } else if (strcmp(an, "value_int") == 0) {
        if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT)
            return om_error(OM_ERR_INVALID_MODEL, "%s is not of type INT", what);
        v = om_graph_add_constant(ctx->g, out, OM_DT_INT64, &s, &a->i, sizeof(int64_t));
    } else if (strcmp(an, "value_floats") == 0) {
        if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS)
            return om_error(OM_ERR_INVALID_MODEL, "%s is not of type FLOATS", what);
        int64_t dim = (int64_t)a->n_floats;
        s = om_shape_make(1, &dim);
        v = om_graph_add_constant(ctx->g, out, OM_DT_FLOAT, &s, a->floats, a->n_floats * sizeof(float));
    } else if (strcmp(an, "value_ints") == 0) {
        if (a->type != ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS)
            return om_error(OM_ERR_INVALID_MODEL, "%s is not of type INTS", what);
        int64_t dim = (int64_t)a->n_ints;
        s = om_shape_make(1, &dim);
        v = om_graph_add_constant(ctx->g, out, OM_DT_INT64, &s, a->ints, a->n_ints * sizeof(int64_t));
    } else if (strcmp(an, "sparse_value") == 0 || strcmp(an, "value_string") == 0 ||
               strcmp(an, "value_strings") == 0) {
        return om_error(OM_ERR_UNSUPPORTED, "%s (op Constant, opset %lld): '%s' constants are unsupported",
                        n->label, (long long)ctx->opset, an);
    } else {
        return om_error(OM_ERR_INVALID_MODEL, "%s: unknown Constant attribute", what);
    }
    if (!v)
        return om_error_prefix(OM_ERR_NO_MEMORY, "%s", what);
    return ctx->scope ? om_fe_bind(ctx, onnx_out, v, NULL) : OM_OK;
}

/* ---- op nodes -------------------------------------------------------------------------- */

static const char *make_label(om_fe_ctx *ctx, const Onnx__NodeProto *p, size_t index)
{
    char buf[64];
    if (p->name && p->name[0]) {
        size_t len = strlen(p->name) + 8;
        char *s = om_graph_alloc(ctx->g, len);
        if (s)
            snprintf(s, len, "node '%s'", p->name);
        return s;
    }
    snprintf(buf, sizeof buf, "node #%zu", index);
    return om_graph_strdup(ctx->g, buf);
}

/* Resolves inputs and output names and converts attributes into n. */
static om_status stage_node(om_fe_ctx *ctx, om_fe_node *n)
{
    const Onnx__NodeProto *p = n->proto;
    if (p->n_input > MAX_NODE_IO || p->n_output > MAX_NODE_IO || p->n_attribute > MAX_NODE_IO)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op %s): too many inputs, outputs or attributes",
                        n->label, n->op_type);
    n->cap_inputs = (int)p->n_input + 2;
    n->inputs = om_graph_alloc(ctx->g, (size_t)n->cap_inputs * sizeof *n->inputs);
    n->outputs = om_graph_alloc(ctx->g, (p->n_output + 1) * sizeof *n->outputs);
    n->cap_attrs = (int)p->n_attribute + 4;
    n->attrs = om_graph_alloc(ctx->g, (size_t)n->cap_attrs * sizeof *n->attrs);
    if (!n->inputs || !n->outputs || !n->attrs)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    for (size_t i = 0; i < p->n_input; i++) {
        const char *in = om_fe_str(p->input[i]);
        om_value *v = NULL;
        if (in[0]) {
            om_status lst;
            v = om_fe_lookup(ctx, in, n->label, &lst);
            if (lst != OM_OK)
                return lst;
            if (!v)
                return om_error(OM_ERR_INVALID_MODEL,
                                "%s (op %s): input %zu '%s' is not a graph input, an initializer or the "
                                "output of an earlier node",
                                n->label, n->op_type, i, in);
        }
        n->inputs[n->n_inputs++] = v;
    }
    for (size_t i = 0; i < p->n_output; i++)
        n->outputs[n->n_outputs++] = om_fe_str(p->output[i]);
    while (n->n_outputs > 0 && !n->outputs[n->n_outputs - 1][0])
        n->n_outputs--;
    for (size_t i = 0; i < p->n_attribute; i++) {
        if (!p->attribute[i])
            continue;
        const char *an = om_fe_str(p->attribute[i]->name);
        if (om_fe_node_attr(n, an))
            return om_error(OM_ERR_INVALID_MODEL, "%s (op %s): attribute '%s' appears twice", n->label,
                            n->op_type, an);
        om_status st = convert_attr(ctx, n, p->attribute[i], &n->attrs[n->n_attrs]);
        if (st != OM_OK)
            return st;
        n->n_attrs++;
    }
    return OM_OK;
}

/* Creates the output values and the IR node from the staged node. */
static om_status emit_node(om_fe_ctx *ctx, om_fe_node *n)
{
    const om_op_info *info = om_op_get(n->op);
    if (!info)
        return om_fe_unsupported_op(n, "ai.onnx", ctx->opset);
    while (n->n_inputs > 0 && !n->inputs[n->n_inputs - 1])
        n->n_inputs--;
    if (n->n_inputs < info->min_inputs || (info->max_inputs >= 0 && n->n_inputs > info->max_inputs))
        return om_error(OM_ERR_INVALID_MODEL, "%s (op %s, opset %lld): %d inputs, expected %d..%d", n->label,
                        n->op_type, (long long)ctx->opset, n->n_inputs, info->min_inputs,
                        info->max_inputs >= 0 ? info->max_inputs : INT_MAX);
    for (int i = 0; i < info->min_inputs; i++)
        if (!n->inputs[i])
            return om_error(OM_ERR_INVALID_MODEL, "%s (op %s): required input %d is omitted", n->label,
                            n->op_type, i);
    if (n->n_outputs < info->min_outputs || n->n_outputs > info->max_outputs)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op %s, opset %lld): %d outputs, expected %d..%d", n->label,
                        n->op_type, (long long)ctx->opset, n->n_outputs, info->min_outputs,
                        info->max_outputs);
    om_value **outs = om_graph_alloc(ctx->g, (size_t)(n->n_outputs + 1) * sizeof *outs);
    if (!outs)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    for (int i = 0; i < n->n_outputs; i++) {
        const char *on = n->outputs[i];
        if (on[0] && !ctx->scope && (om_graph_find_value(ctx->g, on) || om_fe_find_binding(ctx, on)))
            return om_error(OM_ERR_INVALID_MODEL, "%s (op %s): output %d '%s' is already defined", n->label,
                            n->op_type, i, on);
        outs[i] = om_fe_new_output(ctx, n->label, on);
        if (!outs[i])
            return ctx->last;
    }
    const char *name = om_fe_str(n->proto->name);
    om_node *node = om_graph_add_node(ctx->g, n->op, name, n->inputs, n->n_inputs, outs, n->n_outputs);
    if (!node)
        return om_error_prefix(OM_ERR_NO_MEMORY, "%s", n->label);
    return apply_attrs(ctx, n, node);
}

static int64_t domain_opset(const om_fe_ctx *ctx, const char *domain)
{
    int64_t best = -1;
    for (size_t i = 0; ctx->model && i < ctx->model->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = ctx->model->opset_import[i];
        if (o && strcmp(om_fe_str(o->domain), domain) == 0 && o->version > best)
            best = o->version;
    }
    return best;
}

om_status om_fe_check_node_domains(om_fe_ctx *ctx)
{
    for (size_t i = 0; i < ctx->graph->n_node; i++) {
        const Onnx__NodeProto *p = ctx->graph->node[i];
        const char *domain = p ? om_fe_str(p->domain) : "";
        if (!domain[0] || strcmp(domain, "ai.onnx") == 0 || om_fe_is_training_op(domain, om_fe_str(p->op_type)))
            continue;
        om_fe_node n;
        memset(&n, 0, sizeof n);
        n.proto = p;
        n.index = i;
        n.op_type = om_fe_str(p->op_type);
        char label[300];
        if (p->name && p->name[0])
            snprintf(label, sizeof label, "node '%.280s'", p->name);
        else
            snprintf(label, sizeof label, "node #%zu", i);
        n.label = label;
        return om_fe_unsupported_op(&n, domain, domain_opset(ctx, domain));
    }
    return OM_OK;
}

om_status om_fe_import_node(om_fe_ctx *ctx, size_t index)
{
    const Onnx__NodeProto *p = ctx->graph->node[index];
    if (!p)
        return om_error(OM_ERR_INVALID_MODEL, "node #%zu is empty", index);
    om_fe_node n;
    memset(&n, 0, sizeof n);
    n.proto = p;
    n.index = index;
    n.op_type = om_fe_str(p->op_type);
    n.op = OM_OP_COUNT;
    n.label = make_label(ctx, p, index);
    if (!n.label)
        return om_error(OM_ERR_NO_MEMORY, "out of memory");
    const char *domain = om_fe_str(p->domain);
    if (om_fe_is_training_op(domain, n.op_type))
        return om_fe_import_training(ctx, &n);
    if (domain[0] && strcmp(domain, "ai.onnx") != 0)
        return om_fe_unsupported_op(&n, domain, domain_opset(ctx, domain));
    if (!n.op_type[0])
        return om_error(OM_ERR_INVALID_MODEL, "%s: no op_type", n.label);
    if (om_fe_is_control_op(n.op_type))
        return om_fe_import_control(ctx, &n);
    if (om_fe_is_sequence_op(n.op_type))
        return om_fe_import_sequence(ctx, &n);
    if (!om_fe_op_type_supported(n.op_type))
        return om_fe_unsupported_op(&n, "ai.onnx", ctx->opset);
    if (strcmp(n.op_type, "Constant") == 0)
        return import_constant(ctx, &n);
    n.op = om_op_lookup(n.op_type);
    om_status st = stage_node(ctx, &n);
    if (st != OM_OK)
        return st;
    st = om_fe_apply_rewrites(ctx, &n);
    if (st != OM_OK)
        return st;
    return emit_node(ctx, &n);
}
