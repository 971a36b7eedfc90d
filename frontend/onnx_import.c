/* ONNX model -> IR graph: the public entry points and the model-level walk.
 *
 * Order: decode the ModelProto (bounded size; a protobuf error is "not a valid ONNX
 * model"), pick the default-domain opset (1..17; see opset_rewrites.c for
 * the legacy versions 1..6), then initializers (constants), graph
 * inputs (skipping names that are initializers: the initializer wins; sequence and optional
 * inputs bound under their pins, onnx_sequence.c), nodes in file order
 * (ONNX requires topological order; an input not yet defined is an error naming it),
 * value_info types for intermediates, and finally the outputs with their declared types.
 * On any failure the half-built graph is destroyed and *out stays NULL.
 */
#include "frontend/fe_control.h"

#include <stdlib.h>
#include <string.h>

static om_status select_opset(const Onnx__ModelProto *m, int64_t *out)
{
    int64_t best = -1;
    bool training = false;
    for (size_t i = 0; i < m->n_opset_import; i++) {
        const Onnx__OperatorSetIdProto *o = m->opset_import[i];
        if (!o)
            continue;
        const char *d = om_fe_str(o->domain);
        if ((!d[0] || strcmp(d, "ai.onnx") == 0) && o->version > best)
            best = o->version;
        training |= strcmp(d, "ai.onnx.preview.training") == 0;
    }
    /* A model of training-domain optimizer ops only need not import ai.onnx: their
     * lowering (onnx_training.c) uses opset-independent elementwise ops. */
    if (best < 0 && training)
        best = OM_FE_OPSET_MAX;
    if (best < 0)
        return om_error(OM_ERR_INVALID_MODEL, "no opset_import for the default domain (ai.onnx)");
    if (best < OM_FE_OPSET_MIN || best > OM_FE_OPSET_MAX)
        return om_error(OM_ERR_UNSUPPORTED, "opset %lld of domain ai.onnx is unsupported (supported: %d..%d)",
                        (long long)best, OM_FE_OPSET_MIN, OM_FE_OPSET_MAX);
    *out = best;
    return OM_OK;
}

static om_status import_initializers(om_fe_ctx *ctx)
{
    const Onnx__GraphProto *gp = ctx->graph;
    if (gp->n_sparse_initializer)
        return om_error(OM_ERR_UNSUPPORTED, "sparse initializers are unsupported (%zu found)",
                        gp->n_sparse_initializer);
    for (size_t i = 0; i < gp->n_initializer; i++) {
        const Onnx__TensorProto *t = gp->initializer[i];
        const char *name = t ? om_fe_str(t->name) : "";
        if (!name[0])
            return om_error(OM_ERR_INVALID_MODEL, "initializer #%zu has no name", i);
        char what[512];
        snprintf(what, sizeof what, "initializer '%s'", name);
        if (om_graph_find_value(ctx->g, name))
            return om_error(OM_ERR_INVALID_MODEL, "%s is defined twice", what);
        om_fe_tensor_data d;
        om_status st = om_fe_tensor_decode(t, ctx->base_dir, what, &d);
        if (st != OM_OK)
            return st;
        om_value *v = om_graph_add_constant(ctx->g, name, d.dtype, &d.shape, d.data, d.nbytes);
        om_fe_tensor_data_release(&d);
        if (!v)
            return om_error_prefix(OM_ERR_NO_MEMORY, "%s", what);
    }
    return OM_OK;
}

/* The pin of graph input `name`, or NULL. */
static const om_fe_input_pin *find_pin(const om_fe_import_opts *o, const char *name)
{
    for (size_t k = 0; o && k < o->n_pins; k++)
        if (o->pins[k].name && strcmp(o->pins[k].name, name) == 0)
            return &o->pins[k];
    return NULL;
}

/* Every pin must name a sequence or optional graph input (not an initializer). */
static om_status check_pins(const om_fe_ctx *ctx, const om_fe_import_opts *o)
{
    const Onnx__GraphProto *gp = ctx->graph;
    for (size_t k = 0; o && k < o->n_pins; k++) {
        const char *pn = o->pins[k].name ? o->pins[k].name : "";
        bool found = false;
        for (size_t i = 0; i < gp->n_input && !found; i++) {
            const Onnx__ValueInfoProto *vi = gp->input[i];
            if (!vi || strcmp(om_fe_str(vi->name), pn) != 0)
                continue;
            if (!om_fe_seq_or_opt_type(vi->type))
                return om_error(OM_ERR_INVALID_ARGUMENT, "input '%s' is a tensor: a sequence or 'none' pin applies to "
                                "sequence and optional inputs only (pin a tensor as \"%s:d0,d1,...\")", pn, pn);
            found = true;
        }
        if (!found)
            return om_error(OM_ERR_INVALID_ARGUMENT, "the sequence/optional pin '%s' names no graph input", pn);
    }
    return OM_OK;
}

static om_status import_inputs(om_fe_ctx *ctx, const om_fe_import_opts *o)
{
    const Onnx__GraphProto *gp = ctx->graph;
    om_status cst = check_pins(ctx, o);
    if (cst != OM_OK)
        return cst;
    for (size_t i = 0; i < gp->n_input; i++) {
        const Onnx__ValueInfoProto *vi = gp->input[i];
        const char *name = vi ? om_fe_str(vi->name) : "";
        if (!name[0])
            return om_error(OM_ERR_INVALID_MODEL, "graph input #%zu has no name", i);
        om_value *prev = om_graph_find_value(ctx->g, name);
        if (prev && prev->kind == OM_VALUE_CONSTANT)
            continue; /* an initializer with a default: the initializer wins */
        if (prev)
            return om_error(OM_ERR_INVALID_MODEL, "graph input '%s' is declared twice", name);
        const om_fe_tensor *fz = NULL;
        for (size_t k = 0; k < ctx->n_frozen && !fz; k++)
            if (ctx->frozen[k].name && strcmp(ctx->frozen[k].name, name) == 0)
                fz = &ctx->frozen[k];
        if (fz) { /* frozen by the caller: a constant from the start */
            if (!om_graph_add_constant(ctx->g, name, fz->dtype, &fz->shape, fz->data, fz->nbytes))
                return om_error_prefix(OM_ERR_INVALID_MODEL, "frozen graph input '%s'", name);
            continue;
        }
        if (om_fe_seq_or_opt_type(vi->type)) {
            om_status st = om_fe_import_seq_input(ctx, vi, find_pin(o, name));
            if (st != OM_OK)
                return st;
            continue;
        }
        char what[512];
        snprintf(what, sizeof what, "graph input '%s'", name);
        om_dtype dt;
        om_shape shape;
        om_status st = om_fe_type(ctx->g, vi->type, what, &dt, &shape);
        if (st != OM_OK)
            return st;
        om_value *v = om_graph_add_value(ctx->g, name, dt, &shape);
        if (!v)
            return om_error_prefix(OM_ERR_NO_MEMORY, "%s", what);
        st = om_graph_add_input(ctx->g, v);
        if (st != OM_OK)
            return om_error_prefix(st, "%s", what);
    }
    return OM_OK;
}

/* Declared types of intermediates (value_info): advisory, so entries that do not name an
 * intermediate or hold a non-tensor type are ignored. */
static om_status import_value_info(om_fe_ctx *ctx)
{
    const Onnx__GraphProto *gp = ctx->graph;
    for (size_t i = 0; i < gp->n_value_info; i++) {
        const Onnx__ValueInfoProto *vi = gp->value_info[i];
        if (!vi || !vi->name || !vi->type || vi->type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
            continue;
        om_value *v = om_graph_find_value(ctx->g, vi->name);
        if (!v || v->kind != OM_VALUE_INTERMEDIATE)
            continue;
        char what[512];
        snprintf(what, sizeof what, "value_info '%s'", vi->name);
        om_dtype dt;
        om_shape shape;
        om_status st = om_fe_type(ctx->g, vi->type, what, &dt, &shape);
        if (st != OM_OK)
            return st;
        v->dtype = dt;
        v->shape = shape;
    }
    return OM_OK;
}

static om_status import_outputs(om_fe_ctx *ctx)
{
    const Onnx__GraphProto *gp = ctx->graph;
    if (gp->n_output == 0)
        return om_error(OM_ERR_INVALID_MODEL, "the graph has no outputs");
    for (size_t i = 0; i < gp->n_output; i++) {
        const Onnx__ValueInfoProto *vi = gp->output[i];
        const char *name = vi ? om_fe_str(vi->name) : "";
        if (!name[0])
            return om_error(OM_ERR_INVALID_MODEL, "graph output #%zu has no name", i);
        om_fe_binding *b = om_fe_find_binding(ctx, name);
        if (b && !b->v) { /* a sequence (outputs "<name>.<i>") or an absent optional */
            om_status st = om_fe_export_output(ctx, name, b);
            if (st != OM_OK)
                return st;
            continue;
        }
        om_value *v = b ? b->v : om_graph_find_value(ctx->g, name);
        if (!v)
            return om_error(OM_ERR_INVALID_MODEL,
                            "graph output '%s' is not produced by any node, input or initializer", name);
        char what[512];
        snprintf(what, sizeof what, "graph output '%s'", name);
        om_dtype dt = OM_DT_UNDEFINED;
        om_shape shape = om_shape_unknown();
        om_status st = om_fe_seq_or_opt_type(vi->type) ? OM_OK /* a present optional */
                                                       : om_fe_type(ctx->g, vi->type, what, &dt, &shape);
        if (st != OM_OK)
            return st;
        if (v->kind == OM_VALUE_INTERMEDIATE) {
            if (dt != OM_DT_UNDEFINED)
                v->dtype = dt;
            if (shape.rank >= 0)
                v->shape = shape;
        }
        st = om_graph_add_output(ctx->g, v);
        if (st != OM_OK)
            return om_error_prefix(st, "%s", what);
    }
    return OM_OK;
}

static om_status import_model(const Onnx__ModelProto *m, const char *base_dir, const char *display,
                              const om_fe_import_opts *o, om_graph **out)
{
    if (!m->graph)
        return om_error(OM_ERR_INVALID_MODEL, "not a valid ONNX model: %s (no graph)", display);
    om_fe_ctx ctx = {0};
    ctx.model = m;
    ctx.graph = m->graph;
    ctx.base_dir = base_dir;
    ctx.frozen = o ? o->frozen : NULL;
    ctx.n_frozen = o ? o->n_frozen : 0;
    om_status st = select_opset(m, &ctx.opset);
    if (st == OM_ERR_INVALID_MODEL) { /* no default opset: a foreign domain says more */
        char msg[512];
        snprintf(msg, sizeof msg, "%s", om_last_error());
        if (om_fe_check_node_domains(&ctx) != OM_OK)
            return OM_ERR_UNSUPPORTED;
        return om_error(st, "%s", msg);
    }
    if (st != OM_OK)
        return st;
    const char *gname = m->graph->name && m->graph->name[0] ? m->graph->name : "main";
    ctx.g = om_graph_create(gname);
    if (!ctx.g)
        return om_error(OM_ERR_NO_MEMORY, "out of memory creating the graph");
    ctx.g->opset = ctx.opset;
    if ((st = import_initializers(&ctx)) != OM_OK || (st = import_inputs(&ctx, o)) != OM_OK)
        goto fail;
    for (size_t i = 0; i < ctx.graph->n_node; i++)
        if ((st = om_fe_import_node(&ctx, i)) != OM_OK)
            goto fail;
    if ((st = import_value_info(&ctx)) != OM_OK || (st = import_outputs(&ctx)) != OM_OK)
        goto fail;
    *out = ctx.g;
    return OM_OK;
fail:
    om_graph_destroy(ctx.g);
    return st;
}

/* display: the file path, or NULL for a memory buffer (then messages get no prefix).
 * owned: when not NULL, *owned is buf and is freed right after decoding (protobuf-c copies
 * bytes fields), so a large model is not held three times (file, proto, arena). */
static om_status import_buffer(const void *buf, size_t size, const char *base_dir, const char *display,
                               uint8_t **owned, const om_fe_import_opts *o, om_graph **out)
{
    const char *shown = display ? display : "<memory buffer>";
    if (size > OM_FE_MAX_FILE_BYTES)
        return om_error(OM_ERR_INVALID_MODEL, "not a valid ONNX model: %s (%zu bytes; the limit is 2 GiB)",
                        shown, size);
    om_status st = om_fe_proto_check(&onnx__model_proto__descriptor, buf, size, shown);
    Onnx__ModelProto *m = st == OM_OK ? onnx__model_proto__unpack(NULL, size, buf) : NULL;
    if (owned) {
        free(*owned);
        *owned = NULL;
    }
    if (st != OM_OK)
        return st;
    if (!m)
        return om_error(OM_ERR_INVALID_MODEL, "not a valid ONNX model: %s (protobuf decoding failed)", shown);
    st = import_model(m, base_dir, shown, o, out);
    onnx__model_proto__free_unpacked(m, NULL);
    if (st != OM_OK && display && !strstr(om_last_error(), "not a valid ONNX model"))
        om_error_prefix(st, "%s", display);
    return st;
}

om_status om_fe_import_onnx_memory(const void *buf, size_t size, const char *base_dir, om_graph **out)
{
    if (!out)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_fe_import_onnx_memory: out is NULL");
    *out = NULL;
    if (!buf && size)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_fe_import_onnx_memory: buffer is NULL");
    static const uint8_t empty[1];
    return import_buffer(buf ? buf : empty, size, base_dir, NULL, NULL, NULL, out);
}

om_status om_fe_import_onnx_file(const char *path, om_graph **out)
{
    return om_fe_import_onnx_file_frozen(path, NULL, 0, out);
}

om_status om_fe_import_onnx_file_frozen(const char *path, const om_fe_tensor *frozen, size_t n_frozen,
                                        om_graph **out)
{
    om_fe_import_opts o = {0};
    o.frozen = frozen;
    o.n_frozen = n_frozen;
    return om_fe_import_onnx_file_opts(path, &o, out);
}

om_status om_fe_import_onnx_file_opts(const char *path, const om_fe_import_opts *o, om_graph **out)
{
    if (!out || (o && ((o->n_frozen && !o->frozen) || (o->n_pins && !o->pins))))
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_fe_import_onnx_file: NULL argument");
    *out = NULL;
    uint8_t *buf = NULL;
    size_t size = 0;
    om_status st = om_fe_read_file(path, "ONNX model", &buf, &size);
    if (st != OM_OK)
        return st;
    char *dir = om_fe_dirname(path);
    if (!dir) {
        free(buf);
        return om_error(OM_ERR_NO_MEMORY, "out of memory reading %s", path);
    }
    st = import_buffer(buf, size, dir, path, &buf, o, out);
    free(dir);
    free(buf);
    return st;
}
