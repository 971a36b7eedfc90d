/* conv-f16-widen: an f16 Conv with constant weights runs as an f32 Conv between Casts.
 *
 * Why: the vectorized convolution kernels (conv_fast, Winograd, depthwise, pack-conv-small's
 * panels) take f32 operands; an f16 Conv runs on the generic direct loop nest, 5-11x slower
 * than the same conv in f32 (ResNet-50 in fp16 ~600 ms against ~55 ms at 1 thread). The f16
 * kernel widens its operands, accumulates in f32 and rounds once to f16 as it stores; this
 * pass does the same around the fast kernels:
 *     Y = Conv(X, W, B, R)  (f16)   ->   X' = Cast<f32>(X), R' = Cast<f32>(R),
 *                                        Y' = Conv(X', W', B', R') (f32), Y = Cast<f16>(Y')
 * where W' and B' are the constants widened at compile time (exact: every f16 is an f32),
 * and the fused epilogue (activation, residual) runs in f32 before the one rounding, as in
 * the f16 kernel. So results equal the f16 kernel's up to the order of the f32 additions.
 * Where a Cast<f32> reads Y (before a widened conv, or before an f32 op such as
 * FusedElementwise), it and Cast<f16> fold into the producing conv: its epilogue rounds
 * through f16 (om_round_f16, cg_epilogue.h) and stores the rounded values as f32 (the same
 * values, two passes over memory fewer).
 * A value read by several such convs gets one Cast. The precision pass's decisions and
 * Casts are untouched (its lit tests run it alone).
 * Cost: the convolutions' weights are stored in f32, so an fp16 artifact of a convnet is about
 * the size of the fp32 one instead of half of it (issue 6's fp16 size bound), plus two Casts
 * per conv over f16 activations. That is why the pass is not in the default pipeline: omc's
 * --widen-f16-convs inserts it (compiler/optimize.c), and without it omc notes the f16 convs
 * left on the generic kernel when it writes an artifact. bf16 keeps 16-bit weights and has
 * fast kernels of its own.
 * Fires on a live Conv whose output is f16, whose W is a constant f16 tensor and whose B (if
 * any) is a constant f16 tensor. Runs after precision and before conv-winograd,
 * conv-stride-slice and pack-conv-small (which then treat the widened convs as f32 ones).
 * Counters: convs-widened, constant-bytes-added, round-trips-fused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/half.h"
#include "passes/passes.h"
#include "passes/pattern.h"

static bool cfw_f16_constant(const om_value *v)
{
    return v && v->kind == OM_VALUE_CONSTANT && v->dtype == OM_DT_FLOAT16 && v->data &&
           om_shape_numel(&v->shape) >= 0 && v->nbytes == (size_t)om_shape_numel(&v->shape) * 2;
}

static bool cfw_candidate(const om_node *n)
{
    if (n->dead || n->op != OM_OP_CONV || n->n_outputs < 1 || !n->outputs[0] ||
        n->outputs[0]->dtype != OM_DT_FLOAT16)
        return false;
    const om_value *w = om_node_input(n, 1), *b = om_node_input(n, 2);
    return cfw_f16_constant(w) && (!b || cfw_f16_constant(b));
}

/* Constant c (f16) widened to f32; one per constant (cache by value id). */
static om_value *cfw_widen_constant(om_graph *g, om_value *c, om_value **cache, size_t n_cache,
                                    const om_pass_opts *opts)
{
    if (c->id < n_cache && cache[c->id])
        return cache[c->id];
    int64_t numel = om_shape_numel(&c->shape);
    float *buf = malloc((size_t)(numel ? numel : 1) * sizeof *buf);
    if (!buf)
        return NULL;
    const unsigned char *src = c->data;
    for (int64_t i = 0; i < numel; i++) {
        uint16_t h;
        memcpy(&h, src + 2 * i, 2);
        buf[i] = om_ir_f16_to_f32(h);
    }
    char name[256];
    snprintf(name, sizeof name, "%s_f32", c->name);
    om_value *w = om_graph_add_constant(g, name, OM_DT_FLOAT, &c->shape, buf, (size_t)numel * sizeof *buf);
    free(buf);
    if (w && c->id < n_cache)
        cache[c->id] = w;
    if (w)
        om_pass_count(opts, "constant-bytes-added", numel * 2);
    return w;
}

/* Non-constant f16 input x as f32 for n: a Cast before n, one per value (cache by id). */
static om_value *cfw_widen_input(om_graph *g, om_node *n, om_value *x, om_value **cache, size_t n_cache)
{
    if (x->id < n_cache && cache[x->id])
        return cache[x->id];
    char name[256];
    snprintf(name, sizeof name, "%s_f32", x->name);
    om_value *y = om_graph_add_value(g, name, OM_DT_FLOAT, &x->shape);
    if (!y || !om_pat_insert_cast(g, n, false, x, y))
        return NULL;
    if (x->id < n_cache)
        cache[x->id] = y;
    return y;
}

/* Rewrites n as described at the top; the Cast of Y sits right after n. */
static om_status cfw_rewrite(om_graph *g, om_node *n, om_value **cache, size_t n_cache, const om_pass_opts *opts)
{
    for (int i = 0; i < n->n_inputs; i++) {
        om_value *x = n->inputs[i];
        if (!x || x->dtype != OM_DT_FLOAT16)
            continue;
        om_value *w = x->kind == OM_VALUE_CONSTANT ? cfw_widen_constant(g, x, cache, n_cache, opts)
                                                   : cfw_widen_input(g, n, x, cache, n_cache);
        if (!w)
            goto oom;
        n->inputs[i] = w;
    }
    if (!om_pat_output_via_cast(g, n, 0, OM_DT_FLOAT))
        goto oom;
    return OM_OK;
oom:
    return om_error(OM_ERR_NO_MEMORY, "conv-f16-widen: node '%s' (Conv): out of memory", n->name ? n->name : "");
}

/* Y32 -> Cast f16 (Y) -> Cast f32 (Y') where Y32 is an f32 Conv's output read by nothing but
 * that first Cast: the conv rounds Y32 through f16 itself (epilogue attribute om_round_f16,
 * cg_epilogue.h) and the readers of Y' read Y32, the same values without two passes over
 * memory; the f16 Cast stays only for other readers of Y. Covers the Casts this pass made
 * for widened convs and the ones the precision pass made for f32 ops (FusedElementwise,
 * f32 Softmax, ...) reading a conv. */
static bool cfw_is_cast(const om_node *n, om_dtype to)
{
    return n && !n->dead && n->op == OM_OP_CAST && n->n_inputs == 1 && om_node_int(n, "to", 0) == to;
}

static om_status cfw_fuse_round_trips(om_graph *g, const om_pass_opts *opts)
{
    int64_t fused = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        om_node *down = g->nodes[i];
        if (!cfw_is_cast(down, OM_DT_FLOAT) || down->outputs[0]->is_output || down->inputs[0]->dtype != OM_DT_FLOAT16)
            continue;
        om_value *y = down->inputs[0];
        om_node *up = y->producer;
        if (!cfw_is_cast(up, OM_DT_FLOAT16) || up->inputs[0]->dtype != OM_DT_FLOAT)
            continue;
        om_value *y32 = up->inputs[0];
        om_node *conv = y32->producer;
        if (!conv || conv->dead || conv->op != OM_OP_CONV || y32->is_output ||
            (!om_node_int(conv, "om_round_f16", 0) && om_graph_count_uses(g, y32) != 1))
            continue;
        om_status st = om_node_set_int(g, conv, "om_round_f16", 1);
        if (st != OM_OK)
            return st;
        om_graph_replace_uses(g, down->outputs[0], y32);
        down->dead = true;
        if (!y->is_output && om_graph_count_uses(g, y) == 0)
            up->dead = true;
        fused++;
    }
    om_graph_remove_dead(g);
    om_pass_count(opts, "round-trips-fused", fused);
    return OM_OK;
}

om_status om_pass_conv_f16_widen(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "conv-f16-widen: no graph");
    if (changed)
        *changed = false;
    size_t n_cache = g->n_values;
    om_value **cache = NULL;
    int64_t widened = 0;
    om_status st = OM_OK;
    for (size_t i = 0; i < g->n_nodes && st == OM_OK; i++) {
        om_node *n = g->nodes[i];
        if (!cfw_candidate(n))
            continue;
        if (!cache && !(cache = calloc(n_cache ? n_cache : 1, sizeof *cache))) {
            st = om_error(OM_ERR_NO_MEMORY, "conv-f16-widen: out of memory");
            break;
        }
        size_t before = g->n_nodes;
        st = cfw_rewrite(g, n, cache, n_cache, opts);
        i += g->n_nodes - before; /* skip the Casts inserted before and after n */
        widened++;
    }
    if (st == OM_OK && widened > 0)
        st = cfw_fuse_round_trips(g, opts);
    free(cache);
    om_pass_count(opts, "convs-widened", widened);
    if (changed)
        *changed = widened > 0;
    return st;
}
