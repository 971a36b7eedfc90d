/* Running the pass pipeline for omc: maps om_compile_opts onto the pass manager's options
 * (pins, require_static, stats, dumps, printing, disabled passes) and runs the list.
 * Debug builds (NDEBUG undefined) verify the graph after every pass. Constant folding is on:
 * the passes evaluate nodes with constant inputs through the codegen JIT (om_cg_evaluator).
 *
 * om_compile_check_ready states what the artifact needs from the pipeline: dtypes and static
 * shapes everywhere (infer-shapes) and a memory plan (plan-memory). With a custom --passes
 * list that lacks them, the message says which pass to add.
 */
#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"

/* Where `name` appears as a whole entry of the comma-separated list, or NULL. */
static const char *find_entry(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *at = strstr(list, name); at; at = strstr(at + 1, name))
        if ((at == list || at[-1] == ',') && (at[n] == ',' || at[n] == '\0'))
            return at;
    return NULL;
}

/* list with `entry` inserted at offset k, which is 0, strlen(list) or the start of an entry.
 * malloc'd; NULL on out of memory. */
static char *insert_entry(const char *list, const char *entry, size_t k)
{
    size_t n = strlen(list), e = strlen(entry);
    char *out = malloc(n + e + 2);
    if (!out)
        return NULL;
    memcpy(out, list, k);
    size_t o = k;
    if (k == n && o && out[o - 1] != ',')
        out[o++] = ',';
    memcpy(out + o, entry, e);
    o += e;
    if (k < n)
        out[o++] = ',';
    strcpy(out + o, list + k);
    return out;
}

/* list with `entry` just before the entry `anchor` (at the end if anchor is absent). */
static char *with_entry_before(const char *list, const char *entry, const char *anchor)
{
    const char *at = find_entry(list, anchor);
    return insert_entry(list, entry, at ? (size_t)(at - list) : strlen(list));
}

/* The default pipeline with the precision pass inserted right after the fusion passes
 * (after fuse-elementwise; without it, before pack-gemm-weights, which packs f32 weights
 * only, or else before dce), so before finalize-io and plan-memory. malloc'd; NULL on out
 * of memory. */
static char *with_precision(const char *list)
{
    const char *at = find_entry(list, "fuse-elementwise");
    if (!at)
        return with_entry_before(list, "precision", find_entry(list, "pack-gemm-weights") ? "pack-gemm-weights" : "dce");
    at += strlen("fuse-elementwise");
    return insert_entry(list, "precision", (size_t)(at - list) + (*at == ','));
}

static bool precision_active(const om_pass_precision_opts *p)
{
    return p && (p->mode != OM_PRECISION_FP32 || p->n_fp16_inputs > 0 ||
                 (p->output_dtype != OM_DT_UNDEFINED && p->output_dtype != OM_DT_FLOAT));
}

typedef struct lazy_eval {
    om_cg_evaluator *ev;
} lazy_eval;

static om_status lazy_eval_node(void *user, om_graph *g, const om_node *n, void *const *outputs)
{
    lazy_eval *le = user;
    if (!le->ev) {
        om_status st = om_cg_evaluator_create(&le->ev);
        if (st != OM_OK)
            return st;
    }
    return om_cg_evaluator_run(le->ev, g, n, outputs);
}

om_status om_compile_optimize(om_graph *g, const om_compile_opts *opts)
{
    if (!g || !opts)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_compile_optimize: NULL argument");
    om_pass_manager_opts m;
    memset(&m, 0, sizeof m);
    m.pass.stats = opts->stats;
    m.pass.pins = opts->pins;
    m.pass.n_pins = opts->n_pins;
    m.pass.require_static = true;
    m.dump_dir = opts->dump_dir;
    m.print_after = opts->print_after;
    m.print_after_all = opts->print_after_all;
    m.disabled = opts->disabled;
    m.n_disabled = opts->n_disabled;
    m.verify_each = opts->verify_each;
#ifndef NDEBUG
    m.verify_each = true;
#endif
    /* Constant folding (in infer-shapes and fold-constants) runs kernels through the JIT;
     * the evaluator (an LLJIT) is made on the first node to fold. */
    lazy_eval le = {0};
    m.pass.eval_node = lazy_eval_node;
    m.pass.eval_user = &le;
    m.pass.precision = opts->precision;
    const char *list = opts->passes ? opts->passes : "default";
    char *own = NULL;
    bool widen = opts->precision && opts->precision->widen_f16_convs;
    if ((precision_active(opts->precision) || widen) && strcmp(list, "default") == 0) {
        const char *base = om_pass_pipeline_get("default");
        bool oom = false;
        if (precision_active(opts->precision))
            oom = !(own = with_precision(base));
        /* --widen-f16-convs (also for models that are f16 themselves): before conv-winograd,
         * which then transforms the widened weights */
        if (!oom && widen) {
            char *wide = with_entry_before(own ? own : base, "conv-f16-widen", "conv-winograd");
            free(own);
            oom = !(own = wide);
        }
        if (oom)
            return om_error(OM_ERR_NO_MEMORY, "out of memory building the pass list");
        list = own;
    }
    om_status st = om_pass_run_list(g, list, &m);
    om_cg_evaluator_destroy(le.ev);
    free(own);
    return st;
}

static om_status check_value(const om_value *v)
{
    if (v && (v->dtype == OM_DT_UNDEFINED || !om_shape_is_static(&v->shape)))
        return om_error(OM_ERR_INVALID_ARGUMENT,
                        "value '%s' has no %s: the artifact needs the 'infer-shapes' pass "
                        "(add it to --passes, or do not disable it)",
                        v->name, v->dtype == OM_DT_UNDEFINED ? "dtype" : "static shape");
    return OM_OK;
}

om_status om_compile_check_shapes(const om_graph *g)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_compile_check_shapes: NULL graph");
    om_status st = OM_OK;
    for (size_t i = 0; i < g->n_inputs && st == OM_OK; i++)
        st = check_value(g->inputs[i]);
    for (size_t i = 0; i < g->n_outputs && st == OM_OK; i++)
        st = check_value(g->outputs[i]);
    for (size_t i = 0; i < g->n_nodes && st == OM_OK; i++) {
        const om_node *n = g->nodes[i];
        if (n->dead)
            continue;
        for (int j = 0; j < n->n_inputs && st == OM_OK; j++)
            st = check_value(n->inputs[j]);
        for (int j = 0; j < n->n_outputs && st == OM_OK; j++)
            st = check_value(n->outputs[j]);
    }
    return st;
}

om_status om_compile_check_ready(const om_graph *g)
{
    om_status st = om_compile_check_shapes(g);
    if (st != OM_OK)
        return st;
    if (g->arena_size < 0)
        return om_error(OM_ERR_INVALID_ARGUMENT,
                        "the graph has no memory plan: the artifact needs the 'plan-memory' pass "
                        "(add it to --passes, or do not disable it)");
    for (size_t i = 0; i < g->n_nodes; i++) {
        const om_node *n = g->nodes[i];
        if (n->dead)
            continue;
        for (int j = 0; j < n->n_outputs; j++) {
            const om_value *v = n->outputs[j];
            if (v && !v->is_output && v->mem_offset < 0)
                return om_error(OM_ERR_INVALID_ARGUMENT,
                                "value '%s' (output of node '%s', %s) has no arena offset: the "
                                "artifact needs the 'plan-memory' pass to run last",
                                v->name, n->name, om_op_name(n->op));
        }
    }
    return OM_OK;
}

size_t om_compile_count_f16_convs(const om_graph *g)
{
    size_t count = 0;
    for (size_t i = 0; g && i < g->n_nodes; i++) {
        const om_node *n = g->nodes[i];
        if (!n->dead && n->op == OM_OP_CONV && n->n_inputs > 0 && n->inputs[0] &&
            n->inputs[0]->dtype == OM_DT_FLOAT16)
            count++;
    }
    return count;
}
