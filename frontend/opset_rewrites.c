/* Opset version dispatch: older op versions -> the IR's canonical (newest) semantics.
 *
 * One small function per rewrite, listed in one table keyed by ONNX op type and the range
 * of default-domain opset versions it applies to. Each works on the staged node
 * (om_fe_node) before the IR node exists, so it can change the op, add or drop inputs,
 * outputs and attributes freely. Every rewrite of a node that matches runs, in table order.
 *
 *   Clip < 11                 min/max attributes -> constant scalar inputs (absent -> omitted)
 *   Softmax < 13              attribute coerce_2d = 1 (axis defaults to 1; dims [axis..rank)
 *                             form one softmax block)
 *   Dropout (all)             -> Identity; mask output must be unused; ratio/training_mode
 *                             inputs dropped (training_mode true -> unsupported)
 *   BatchNormalization 7..8   spatial must be 1; attribute dropped
 *   BatchNormalization (all)  inference: one output only, training_mode/momentum dropped;
 *                             training_mode = 1 (opset >= 14; batch statistics) is kept with
 *                             momentum and up to 3 outputs (Y, running_mean, running_var)
 *   Gemm < 11                 C is required
 * Legacy versions (opsets 1..6; the issue asks for 7..17, but the backend suite holds
 * GlobalAveragePool cases at opset 1 and many converted models at opset 6):
 *   any op < 7                `consumed_inputs` (a memory hint) dropped
 *   Add/Sub/Mul/Div < 7       `broadcast`/`axis` -> numpy broadcasting (B reshaped to trailing
 *                             ones when it is a constant; a non-constant B not aligned to the
 *                             end is unsupported)
 *   BatchNormalization < 7    `is_test` dropped (inference, as ONNX Runtime does)
 *   Gemm < 7                  `broadcast` dropped (numpy broadcasting covers both settings)
 *   Reshape < 5               `shape` attribute -> constant int64 input
 *   Concat < 4                axis defaults to 1 (made explicit)
 *   Dropout < 7               `is_test` dropped (with the Dropout rewrite)
 * Ops whose older versions have the newest meaning (Conv, pooling, Flatten, Transpose,
 * MatMul, the unary ops, ...) need no entry.
 */
#include "frontend/fe_internal.h"
#include "frontend/fe_control.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

typedef om_status (*om_fe_rewrite_fn)(om_fe_ctx *ctx, om_fe_node *n);

/* float -> IEEE half bits (round to nearest even), for Clip bounds on float16 inputs */
static uint16_t f32_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t mag = x & 0x7fffffffu;
    if (mag >= 0x7f800000u) /* inf or nan */
        return (uint16_t)(sign | 0x7c00u | (mag > 0x7f800000u ? 0x200u : 0));
    if (mag >= 0x477ff000u) /* rounds to >= 65520: overflow to inf */
        return (uint16_t)(sign | 0x7c00u);
    if (mag < 0x38800000u) { /* subnormal half (or zero) */
        if (mag < 0x33000000u)
            return (uint16_t)sign;
        uint32_t e = mag >> 23;
        uint32_t m = (mag & 0x7fffffu) | 0x800000u;
        uint32_t shift = 126 - e; /* 14..24 */
        uint32_t h = m >> (shift);
        uint32_t rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (h & 1)))
            h++;
        return (uint16_t)(sign | h);
    }
    uint32_t h = ((mag >> 13) - (112u << 10));
    uint32_t rem = mag & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1)))
        h++;
    return (uint16_t)(sign | h);
}

/* A scalar constant holding v in the dtype of `like` (float when unknown). */
static om_status scalar_like(om_fe_ctx *ctx, const om_fe_node *n, const char *suffix, float v,
                             const om_value *like, om_value **out)
{
    om_dtype dt = like && like->dtype != OM_DT_UNDEFINED ? like->dtype : OM_DT_FLOAT;
    union { float f; double d; uint16_t h; } u;
    size_t size;
    switch (dt) {
    case OM_DT_DOUBLE: u.d = v; size = sizeof(double); break;
    case OM_DT_FLOAT16: u.h = f32_to_f16(v); size = 2; break;
    default: dt = OM_DT_FLOAT; u.f = v; size = sizeof(float); break;
    }
    const char *base = n->proto->name && n->proto->name[0] ? n->proto->name : n->outputs[0];
    char name[256];
    snprintf(name, sizeof name, "%s/%s", base, suffix);
    om_shape s = om_shape_scalar();
    *out = om_graph_add_constant(ctx->g, name, dt, &s, &u, size);
    if (!*out)
        return om_error_prefix(OM_ERR_NO_MEMORY, "%s (op Clip): adding the %s bound", n->label, suffix);
    return OM_OK;
}

static om_status clip_attrs_to_inputs(om_fe_ctx *ctx, om_fe_node *n)
{
    const om_attr *mn = om_fe_node_attr(n, "min");
    const om_attr *mx = om_fe_node_attr(n, "max");
    om_value *x = n->n_inputs > 0 ? n->inputs[0] : NULL;
    om_value *vmin = NULL, *vmax = NULL;
    /* absent bounds are -FLT_MAX / FLT_MAX: the same as an omitted input */
    om_status st;
    if (mn && mn->kind == OM_ATTR_FLOAT && mn->f != -FLT_MAX &&
        (st = scalar_like(ctx, n, "min", mn->f, x, &vmin)) != OM_OK)
        return st;
    if (mx && mx->kind == OM_ATTR_FLOAT && mx->f != FLT_MAX &&
        (st = scalar_like(ctx, n, "max", mx->f, x, &vmax)) != OM_OK)
        return st;
    om_fe_node_drop_attr(n, "min");
    om_fe_node_drop_attr(n, "max");
    n->n_inputs = 1;
    if (vmin || vmax) {
        n->inputs[1] = vmin;
        n->n_inputs = 2;
    }
    if (vmax) {
        n->inputs[2] = vmax;
        n->n_inputs = 3;
    }
    return OM_OK;
}

static om_status softmax_coerce_2d(om_fe_ctx *ctx, om_fe_node *n)
{
    if (!om_fe_node_attr(n, "axis")) {
        om_status st = om_fe_node_set_int(ctx, n, "axis", 1);
        if (st != OM_OK)
            return st;
    }
    return om_fe_node_set_int(ctx, n, "coerce_2d", 1);
}

/* A training_mode input that is a constant false (or omitted) is inference. */
static bool is_const_false(const om_value *v)
{
    if (!v)
        return true;
    if (v->kind != OM_VALUE_CONSTANT || v->nbytes == 0 || !v->data)
        return false;
    const uint8_t *p = v->data;
    for (size_t i = 0; i < v->nbytes; i++)
        if (p[i])
            return false;
    return true;
}

/* In inference Dropout keeps every element, so a used mask output is a constant all-true
 * bool tensor of the data's shape, which must then be static at import. */
static om_status dropout_inference_mask(om_fe_ctx *ctx, om_fe_node *n)
{
    const om_value *x = n->inputs[0];
    if (!om_shape_is_static(&x->shape))
        return om_error(OM_ERR_UNSUPPORTED,
                        "%s (op Dropout, opset %lld): the mask output '%s' is used and input '%s' has "
                        "no static shape at import",
                        n->label, (long long)ctx->opset, n->outputs[1], x->name);
    size_t count = (size_t)om_shape_numel(&x->shape);
    uint8_t *ones = malloc(count ? count : 1);
    if (!ones)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
    memset(ones, 1, count);
    const char *onnx_name = n->outputs[1], *name = onnx_name;
    if (ctx->scope) {
        if (!(name = om_fe_ir_name(ctx, onnx_name))) {
            free(ones);
            return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", n->label);
        }
        if (om_graph_find_value(ctx->g, name))
            name = NULL; /* a re-inlined body: the IR picks a fresh name */
    }
    om_value *mask = om_graph_add_constant(ctx->g, name, OM_DT_BOOL, &x->shape, ones, count);
    free(ones);
    if (!mask)
        return om_error_prefix(OM_ERR_NO_MEMORY, "%s (op Dropout)", n->label);
    return ctx->scope ? om_fe_bind(ctx, onnx_name, mask, NULL) : OM_OK;
}

static om_status dropout_to_identity(om_fe_ctx *ctx, om_fe_node *n)
{
    if (n->n_inputs < 1 || !n->inputs[0])
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Dropout): missing input 0 (data)", n->label);
    if (n->n_inputs > 2 && !is_const_false(n->inputs[2]))
        return om_error(OM_ERR_UNSUPPORTED,
                        "%s (op Dropout, opset %lld): training_mode input '%s' is not a constant false; "
                        "training mode is unsupported",
                        n->label, (long long)ctx->opset, n->inputs[2]->name);
    if (n->n_outputs > 1 && n->outputs[1][0] && om_fe_name_uses(ctx, n->outputs[1]) > 0) {
        om_status st = dropout_inference_mask(ctx, n);
        if (st != OM_OK)
            return st;
    }
    n->op = OM_OP_IDENTITY;
    n->n_inputs = 1;
    n->n_outputs = 1;
    om_fe_node_drop_attr(n, "ratio");
    om_fe_node_drop_attr(n, "seed");
    om_fe_node_drop_attr(n, "is_test");
    return OM_OK;
}

static om_status batchnorm_spatial(om_fe_ctx *ctx, om_fe_node *n)
{
    const om_attr *a = om_fe_node_attr(n, "spatial");
    if (a && a->kind == OM_ATTR_INT && a->i != 1)
        return om_error(OM_ERR_UNSUPPORTED,
                        "%s (op BatchNormalization, opset %lld): spatial=%lld is unsupported (only 1)",
                        n->label, (long long)ctx->opset, (long long)a->i);
    om_fe_node_drop_attr(n, "spatial");
    return OM_OK;
}

static om_status batchnorm_inference(om_fe_ctx *ctx, om_fe_node *n)
{
    const om_attr *a = om_fe_node_attr(n, "training_mode");
    if (a && a->kind == OM_ATTR_INT && a->i == 1 && ctx->opset >= 14 && n->n_outputs <= 3)
        return OM_OK; /* training mode: codegen/kernels/norm_moments.c */
    if ((a && a->kind == OM_ATTR_INT && a->i != 0) || n->n_outputs > 1)
        return om_error(OM_ERR_UNSUPPORTED,
                        "%s (op BatchNormalization, opset %lld): training mode (%d outputs%s) is unsupported",
                        n->label, (long long)ctx->opset, n->n_outputs,
                        a && a->i ? ", training_mode=1" : "");
    om_fe_node_drop_attr(n, "training_mode");
    om_fe_node_drop_attr(n, "momentum");
    return OM_OK;
}

static om_status gemm_c_required(om_fe_ctx *ctx, om_fe_node *n)
{
    if (n->n_inputs < 3 || !n->inputs[2])
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Gemm, opset %lld): input 2 (C) is required before opset 11",
                        n->label, (long long)ctx->opset);
    return OM_OK;
}

static om_status drop_consumed_inputs(om_fe_ctx *ctx, om_fe_node *n)
{
    om_fe_node_drop_attr(n, "consumed_inputs");
    return OM_OK;
}

/* Legacy broadcasting: with broadcast=1, B's shape matches a contiguous run of A's dims
 * starting at `axis` (default: aligned to the end, which is numpy's rule). */
om_status om_fe_legacy_broadcast(om_fe_ctx *ctx, om_fe_node *n)
{
    const om_attr *bc = om_fe_node_attr(n, "broadcast");
    const om_attr *ax = om_fe_node_attr(n, "axis");
    bool on = bc && bc->kind == OM_ATTR_INT && bc->i != 0;
    if (on && ax && n->n_inputs == 2 && n->inputs[0] && n->inputs[1]) {
        om_value *a = n->inputs[0], *b = n->inputs[1];
        int ra = a->shape.rank, rb = b->shape.rank;
        int64_t axis = ax->kind == OM_ATTR_INT ? ax->i : 0;
        if (ra >= 0 && axis < 0)
            axis += ra;
        if (ra < 0 || rb < 0 || axis < 0 || axis + rb > ra)
            return om_error(OM_ERR_UNSUPPORTED,
                            "%s (op %s, opset %lld): legacy broadcast with axis=%lld needs the ranks of both "
                            "inputs ('%s' rank %d, '%s' rank %d)",
                            n->label, n->op_type, (long long)ctx->opset, (long long)ax->i, a->name, ra,
                            b->name, rb);
        int trailing = ra - (int)axis - rb;
        if (trailing > 0) {
            if (b->kind != OM_VALUE_CONSTANT)
                return om_error(OM_ERR_UNSUPPORTED,
                                "%s (op %s, opset %lld): legacy broadcast of non-constant '%s' at axis %lld",
                                n->label, n->op_type, (long long)ctx->opset, b->name, (long long)axis);
            om_shape s = b->shape;
            for (int i = 0; i < trailing; i++)
                s.dims[s.rank++] = 1;
            char name[256];
            snprintf(name, sizeof name, "%s/broadcast", b->name);
            om_value *nb = om_graph_add_constant(ctx->g, name, b->dtype, &s, b->data, b->nbytes);
            if (!nb)
                return om_error_prefix(OM_ERR_NO_MEMORY, "%s (op %s)", n->label, n->op_type);
            n->inputs[1] = nb;
        }
    }
    om_fe_node_drop_attr(n, "broadcast");
    om_fe_node_drop_attr(n, "axis");
    return OM_OK;
}

static om_status drop_is_test(om_fe_ctx *ctx, om_fe_node *n)
{
    om_fe_node_drop_attr(n, "is_test");
    return OM_OK;
}

static om_status gemm_legacy_broadcast(om_fe_ctx *ctx, om_fe_node *n)
{
    om_fe_node_drop_attr(n, "broadcast");
    return OM_OK;
}

static om_status reshape_shape_attr(om_fe_ctx *ctx, om_fe_node *n)
{
    const om_attr *a = om_fe_node_attr(n, "shape");
    if (n->n_inputs >= 2 && n->inputs[1])
        return OM_OK; /* already the input form */
    if (!a || a->kind != OM_ATTR_INTS)
        return om_error(OM_ERR_INVALID_MODEL, "%s (op Reshape, opset %lld): no 'shape' attribute", n->label,
                        (long long)ctx->opset);
    int64_t count = a->count;
    om_shape s = om_shape_make(1, &count);
    char name[256];
    snprintf(name, sizeof name, "%s/shape", n->proto->name && n->proto->name[0] ? n->proto->name
                                            : n->n_outputs ? n->outputs[0] : "reshape");
    om_value *v = om_graph_add_constant(ctx->g, name, OM_DT_INT64, &s, a->ints, (size_t)count * sizeof(int64_t));
    if (!v)
        return om_error_prefix(OM_ERR_NO_MEMORY, "%s (op Reshape)", n->label);
    om_fe_node_drop_attr(n, "shape");
    n->inputs[1] = v;
    n->n_inputs = 2;
    return OM_OK;
}

static om_status concat_default_axis(om_fe_ctx *ctx, om_fe_node *n)
{
    if (om_fe_node_attr(n, "axis"))
        return OM_OK;
    return om_fe_node_set_int(ctx, n, "axis", 1);
}

static const struct {
    const char *op_type;
    int min_opset, max_opset; /* inclusive */
    om_fe_rewrite_fn fn;
} g_rewrites[] = {
    {"*", 1, 6, drop_consumed_inputs},
    {"Add", 1, 6, om_fe_legacy_broadcast},
    {"Sub", 1, 6, om_fe_legacy_broadcast},
    {"Mul", 1, 6, om_fe_legacy_broadcast},
    {"Div", 1, 6, om_fe_legacy_broadcast},
    {"BatchNormalization", 1, 6, drop_is_test},
    {"Gemm", 1, 6, gemm_legacy_broadcast},
    {"Reshape", 1, 4, reshape_shape_attr},
    {"Concat", 1, 3, concat_default_axis},
    {"Clip", 1, 10, clip_attrs_to_inputs},
    {"Softmax", 1, 12, softmax_coerce_2d},
    {"Dropout", 1, 1000, dropout_to_identity},
    {"BatchNormalization", 1, 8, batchnorm_spatial},
    {"BatchNormalization", 1, 1000, batchnorm_inference},
    {"Gemm", 1, 10, gemm_c_required},
/* the op groups' rewrites (frontend/rewrites/<group>.def, functions in <group>.c) */
#define OM_FE_REWRITE(op, lo, hi, fn) {op, lo, hi, fn},
#define OM_FE_FRONTEND_OP(op)
#include "frontend/rewrites/rewrites.def"
#undef OM_FE_REWRITE
#undef OM_FE_FRONTEND_OP
};

om_status om_fe_apply_rewrites(om_fe_ctx *ctx, om_fe_node *n)
{
    for (size_t i = 0; i < sizeof g_rewrites / sizeof g_rewrites[0]; i++) {
        if (ctx->opset < g_rewrites[i].min_opset || ctx->opset > g_rewrites[i].max_opset ||
            (strcmp(g_rewrites[i].op_type, "*") != 0 && strcmp(g_rewrites[i].op_type, n->op_type) != 0))
            continue;
        om_status st = g_rewrites[i].fn(ctx, n);
        if (st != OM_OK)
            return st;
    }
    return OM_OK;
}
