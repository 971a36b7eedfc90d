/* precision: rewrites f32 tensors to f16 or bf16 per the precision mode (see precision.h).
 *
 * Runs after folding and fusion and before dce/finalize-io/plan-memory. Three steps:
 *  1. Decide, in topological order, whether each node runs in low precision (L: f16 or
 *     bf16) or stays f32: --keep-dtype wins; then the op's list (allow/infer/deny, after
 *     --modify-mixlist) in the mode (precision_decide.c); then, in f16 only, the range
 *     refusals: a constant input with |x| > 65504 or with more than 1% of its nonzero
 *     values flushing to zero, ReduceSum/ReduceMean over more than 4096 elements, and
 *     Softmax/LogSoftmax over an axis longer than 4096. In bf16, grouped convolutions stay
 *     f32, and a MatMul/Gemm whose B is already packed in f32 (om_packed_b) is left alone.
 *     Each such decision is counted and, with opts->precision->report, written as one line.
 *  2. Rewrite: the f32 tensors ("T" tensors: every f32 input and output, except Resize's
 *     roi/scales and LayerNormalization's Mean/InvStdDev) of an L node become L in place;
 *     a consumer that needs the other dtype reads a Cast. Casts are placed on values: one
 *     per (value, dtype), before the first consumer that needs it, so the fewest are made.
 *     Constants read in L are converted at compile time (rounded to nearest even), one
 *     copy per constant; the f32 original goes when dce finds it unused. The kernels of
 *     the L ops take f16/bf16 operands directly and accumulate in f32.
 *     Graph inputs and outputs keep their declared dtypes (a Cast at the boundary), except
 *     inputs named by --input-fp16-nodes (declared f16) and outputs retyped by --output-type.
 *  3. Cast clean-up: Cast(Cast(y)) where the inner cast widens y exactly (f16/bf16/ints ->
 *     f32) reads y directly; a round trip f32 -> L -> f32 is removed; a Cast to its input's
 *     own dtype is removed unless it produces a graph output.
 * Invariants: shapes never change; only values whose declared dtype was f32 change dtype;
 * the node order stays topological (casts are inserted just before a consumer or just
 * after a producer).
 * Counters: nodes-low, nodes-f32, casts-inserted, casts-removed, constants-converted,
 * constant-bytes-saved, kept-dtype, refused-constant-range, refused-constant-underflow,
 * refused-reduction, refused-softmax-axis, bf16-grouped-conv-f32, inputs-fp16, outputs-retyped.
 */
#include <stdlib.h>
#include <string.h>

#include "ir/half.h"
#include "passes/passes.h"
#include "passes/pattern.h"
#include "passes/precision.h"
#include "passes/precision_internal.h"

typedef struct prec_state {
    om_graph *g;
    const om_pass_precision_opts *po;
    const om_pass_opts *opts;
    om_dtype low;                  /* OM_DT_FLOAT16 / OM_DT_BFLOAT16, or UNDEFINED (fp32 mode) */
    size_t n_orig;                 /* values that existed before the pass */
    om_dtype *orig;                /* [n_orig] declared dtypes */
    om_value **as_f32, **as_f16, **as_bf16; /* [n_orig] cached casts / converted constants */
} prec_state;

static om_dtype orig_dtype(const prec_state *s, const om_value *v)
{
    return v->id < s->n_orig && s->g->values[v->id] == v ? s->orig[v->id] : v->dtype;
}

static om_value **cache_slot(prec_state *s, const om_value *v, om_dtype dt)
{
    if (v->id >= s->n_orig || s->g->values[v->id] != v)
        return NULL;
    switch (dt) {
    case OM_DT_FLOAT: return &s->as_f32[v->id];
    case OM_DT_FLOAT16: return &s->as_f16[v->id];
    case OM_DT_BFLOAT16: return &s->as_bf16[v->id];
    default: return NULL;
    }
}

/* A copy of constant x (f32) converted to dt at compile time. */
static om_status convert_constant(prec_state *s, om_value *x, om_dtype dt, om_value **out)
{
    int64_t n = om_shape_numel(&x->shape);
    if (n < 0 || x->nbytes != (size_t)n * 4 || !x->data)
        return om_error(OM_ERR_INTERNAL, "precision: constant '%s' has no f32 data of its shape", x->name);
    uint16_t *buf = malloc((size_t)(n ? n : 1) * 2);
    if (!buf)
        return om_error(OM_ERR_NO_MEMORY, "precision: out of memory converting constant '%s'", x->name);
    const unsigned char *src = x->data;
    for (int64_t i = 0; i < n; i++) {
        float f;
        memcpy(&f, src + 4 * i, 4);
        buf[i] = dt == OM_DT_FLOAT16 ? om_ir_f32_to_f16(f) : om_ir_f32_to_bf16(f);
    }
    char name[256];
    snprintf(name, sizeof name, "%s_%s", x->name, om_dtype_name(dt));
    om_value *c = om_graph_add_constant(s->g, name, dt, &x->shape, buf, (size_t)n * 2);
    free(buf);
    if (!c)
        return om_error(OM_ERR_NO_MEMORY, "precision: out of memory adding constant '%s'", name);
    om_pass_count(s->opts, "constants-converted", 1);
    om_pass_count(s->opts, "constant-bytes-saved", n * 2);
    *out = c;
    return OM_OK;
}


/* The Casts this pass inserts to bf16 round to nearest even (attribute om_round_nearest):
 * ONNX's Cast to bf16 truncates, which costs accuracy the model did not ask for. */
static om_status mark_round_nearest(om_graph *g, om_node *c, om_dtype dt)
{
    return dt == OM_DT_BFLOAT16 ? om_node_set_int(g, c, "om_round_nearest", 1) : OM_OK;
}

static om_status make_cast(prec_state *s, om_value *x, om_dtype dt, om_node *pos, bool after, om_value **out)
{
    char name[256];
    snprintf(name, sizeof name, "%s_%s", x->name, om_dtype_name(dt));
    om_value *y = om_graph_add_value(s->g, name, dt, &x->shape);
    om_node *c = y ? om_pat_insert_cast(s->g, pos, after, x, y) : NULL;
    if (!c)
        return om_error(OM_ERR_NO_MEMORY, "precision: out of memory adding a cast of '%s'", x->name);
    om_status st = mark_round_nearest(s->g, c, dt);
    if (st != OM_OK)
        return st;
    om_pass_count(s->opts, "casts-inserted", 1);
    *out = y;
    return OM_OK;
}

/* x as dtype dt for consumer `user`: x itself, a cached copy, a converted constant or a
 * new Cast placed just before `user`. */
static om_status value_as(prec_state *s, om_value *x, om_dtype dt, om_node *user, om_value **out)
{
    if (x->dtype == dt) {
        *out = x;
        return OM_OK;
    }
    om_value **slot = cache_slot(s, x, dt);
    if (slot && *slot) {
        *out = *slot;
        return OM_OK;
    }
    om_status st = x->kind == OM_VALUE_CONSTANT && x->dtype == OM_DT_FLOAT && (dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16)
                       ? convert_constant(s, x, dt, out)
                       : make_cast(s, x, dt, user, false, out);
    if (st == OM_OK && slot)
        *slot = *out;
    return st;
}

/* The dtype a graph output whose declared dtype is f32 ends up with. */
static om_dtype output_target(const prec_state *s) { return s->po->output_dtype ? s->po->output_dtype : OM_DT_FLOAT; }

/* Output j of n (declared f32) is to be stored as `want` by n. Graph outputs keep their
 * target dtype through a Cast after n. */
static om_status retype_output(prec_state *s, om_node *n, int j, om_dtype want)
{
    om_value *o = n->outputs[j];
    om_dtype target = o->is_output ? output_target(s) : want;
    if (target == want) {
        if (o->dtype != want && o->is_output)
            om_pass_count(s->opts, "outputs-retyped", 1);
        o->dtype = want;
        return OM_OK;
    }
    /* n writes o2 (want); Cast(o2) -> o (target); consumers of o stay on o. */
    o->dtype = target;
    om_node *c = om_pat_output_via_cast(s->g, n, j, want);
    if (!c)
        return om_error(OM_ERR_NO_MEMORY, "precision: out of memory retyping '%s'", o->name);
    om_value *o2 = c->inputs[0];
    om_status st = mark_round_nearest(s->g, c, target);
    if (st != OM_OK)
        return st;
    om_pass_count(s->opts, "casts-inserted", 1);
    if (target != OM_DT_FLOAT)
        om_pass_count(s->opts, "outputs-retyped", 1);
    om_value **slot = cache_slot(s, o, want);
    if (slot)
        *slot = o2;
    return OM_OK;
}

static om_status mark_fp16_inputs(prec_state *s)
{
    for (int i = 0; i < s->po->n_fp16_inputs; i++) {
        const char *name = s->po->fp16_inputs[i];
        om_value *v = NULL;
        for (size_t k = 0; k < s->g->n_inputs && !v; k++)
            if (strcmp(s->g->inputs[k]->name, name) == 0)
                v = s->g->inputs[k];
        if (!v) {
            char known[256];
            size_t p = 0;
            known[0] = '\0';
            for (size_t k = 0; k < s->g->n_inputs && p < sizeof known; k++)
                p += (size_t)snprintf(known + p, sizeof known - p, "%s%s", k ? ", " : "", s->g->inputs[k]->name);
            return om_error(OM_ERR_INVALID_ARGUMENT, "--input-fp16-nodes: '%s' is not a graph input (inputs: %s)",
                            name, known);
        }
        if (v->dtype == OM_DT_FLOAT16)
            continue;
        if (v->dtype != OM_DT_FLOAT)
            return om_error(OM_ERR_INVALID_ARGUMENT, "--input-fp16-nodes: input '%s' is %s, not f32", name,
                            om_dtype_name(v->dtype));
        v->dtype = OM_DT_FLOAT16;
        om_pass_count(s->opts, "inputs-fp16", 1);
    }
    return OM_OK;
}

/* Step 2 for one node: its T inputs read `e`-typed values, its T outputs are stored as e
 * (declared-f32 tensors only). e is FLOAT for nodes that stay f32. */
static om_status rewrite_node(prec_state *s, om_node *n, om_dtype e)
{
    om_status st;
    for (int i = 0; i < n->n_inputs; i++) {
        om_value *x = n->inputs[i];
        om_dtype want = om_pass_prec_is_t_input(n, i) ? e : OM_DT_FLOAT;
        if (!x || orig_dtype(s, x) != OM_DT_FLOAT || x->dtype == want)
            continue;
        om_value *y;
        if ((st = value_as(s, x, want, n, &y)) != OM_OK)
            return st;
        n->inputs[i] = y;
    }
    for (int j = 0; j < n->n_outputs; j++) {
        om_value *o = n->outputs[j];
        if (!o || !om_pass_prec_is_t_output(n, j) || orig_dtype(s, o) != OM_DT_FLOAT)
            continue;
        if (e == OM_DT_FLOAT && (!o->is_output || output_target(s) == OM_DT_FLOAT))
            continue;
        if ((st = retype_output(s, n, j, e)) != OM_OK)
            return st;
    }
    return OM_OK;
}

static int64_t cast_to(const om_node *n) { return om_node_int(n, "to", 0); }

static bool widens_exactly_to_f32(om_dtype from)
{
    switch (from) {
    case OM_DT_FLOAT16: case OM_DT_BFLOAT16: case OM_DT_BOOL: case OM_DT_INT8: case OM_DT_UINT8:
    case OM_DT_INT16: case OM_DT_UINT16:
        return true;
    default:
        return false;
    }
}

/* Step 3. */
static void cleanup_casts(prec_state *s, bool *changed)
{
    om_graph *g = s->g;
    for (size_t k = 0; k < g->n_nodes; k++) {
        om_node *c2 = g->nodes[k];
        if (c2->dead || c2->op != OM_OP_CAST || !c2->inputs[0] || !c2->outputs[0])
            continue;
        om_value *x = c2->inputs[0], *out = c2->outputs[0];
        om_node *c1 = x->kind == OM_VALUE_INTERMEDIATE ? x->producer : NULL;
        if (c1 && !c1->dead && c1->op == OM_OP_CAST && c1->inputs[0]) {
            om_value *y = c1->inputs[0];
            bool exact = cast_to(c1) == OM_DT_FLOAT && widens_exactly_to_f32(y->dtype);
            bool round_trip = y->dtype == OM_DT_FLOAT && (x->dtype == OM_DT_FLOAT16 || x->dtype == OM_DT_BFLOAT16) &&
                              cast_to(c2) == OM_DT_FLOAT;
            if (exact || round_trip) {
                c2->inputs[0] = y;
                x = y;
                om_pass_count(s->opts, "casts-removed", 1);
                *changed = true;
                if (om_graph_count_uses(g, c1->outputs[0]) == 0 && !c1->outputs[0]->is_output)
                    c1->dead = true;
            }
        }
        if (x->dtype == out->dtype && !out->is_output) {
            om_graph_replace_uses(g, out, x);
            c2->dead = true;
            om_pass_count(s->opts, "casts-removed", 1);
            *changed = true;
        }
    }
    om_graph_remove_dead(g);
}

om_status om_pass_precision(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    if (changed)
        *changed = false;
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "precision: no graph");
    const om_pass_precision_opts *po = opts ? opts->precision : NULL;
    if (!po || (po->mode == OM_PRECISION_FP32 && po->n_fp16_inputs == 0 &&
                (po->output_dtype == OM_DT_UNDEFINED || po->output_dtype == OM_DT_FLOAT)))
        return OM_OK;
    prec_state s = {.g = g, .po = po, .opts = opts, .low = om_pass_precision_low_dtype(po->mode), .n_orig = g->n_values};
    om_status st = OM_OK;
    size_t nv = s.n_orig ? s.n_orig : 1;
    size_t n_nodes = g->n_nodes;
    om_node **order = malloc((n_nodes ? n_nodes : 1) * sizeof *order);
    om_dtype *exec = calloc(n_nodes ? n_nodes : 1, sizeof *exec);
    s.orig = malloc(nv * sizeof *s.orig);
    s.as_f32 = calloc(nv, sizeof *s.as_f32);
    s.as_f16 = calloc(nv, sizeof *s.as_f16);
    s.as_bf16 = calloc(nv, sizeof *s.as_bf16);
    om_dtype *planned = malloc(nv * sizeof *planned);
    if (!order || !exec || !s.orig || !s.as_f32 || !s.as_f16 || !s.as_bf16 || !planned) {
        st = om_error(OM_ERR_NO_MEMORY, "precision: out of memory");
        goto fail;
    }
    for (size_t i = 0; i < s.n_orig; i++)
        s.orig[i] = g->values[i]->dtype;
    memcpy(order, g->nodes, n_nodes * sizeof *order);
    if ((st = mark_fp16_inputs(&s)) != OM_OK)
        goto fail;

    /* 1. decide */
    for (size_t i = 0; i < s.n_orig; i++)
        planned[i] = g->values[i]->dtype;
    om_pass_prec_decider d = {.g = g, .po = po, .opts = opts, .low = s.low, .orig = s.orig, .n_orig = s.n_orig,
                         .planned = planned};
    for (size_t i = 0; i < n_nodes; i++) {
        if (order[i]->dead)
            continue;
        exec[i] = om_pass_prec_decide(&d, order[i]);
        if (exec[i] != OM_DT_UNDEFINED)
            om_pass_count(opts, exec[i] == OM_DT_FLOAT ? "nodes-f32" : "nodes-low", 1);
    }
    /* 2. rewrite */
    for (size_t i = 0; i < n_nodes; i++) {
        if (order[i]->dead)
            continue;
        if ((st = rewrite_node(&s, order[i], exec[i] == OM_DT_UNDEFINED ? OM_DT_FLOAT : exec[i])) != OM_OK)
            goto fail;
    }
    /* 3. clean up */
    bool dummy = false;
    cleanup_casts(&s, &dummy);
    if (changed)
        *changed = true;
fail:
    free(order);
    free(exec);
    free(s.orig);
    free(s.as_f32);
    free(s.as_f16);
    free(s.as_bf16);
    free(planned);
    return st;
}
