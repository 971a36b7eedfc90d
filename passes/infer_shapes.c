/* infer-shapes: give every value a dtype and a shape.
 *
 * 1. Pins (opts->pins, from --input-shape): each names a graph input and gives a shape
 *    of the input's rank; a pinned dim (>= 0) replaces an unknown dim and must equal a
 *    static one. A pinned dim that carried a symbol binds that symbol, and every other
 *    input dim with the same symbol takes the same value. Pins are all-or-nothing: on
 *    any error no input shape has changed.
 * 2. With opts->require_static, every input dim must now be known; the message names the
 *    input and dim and shows the --input-shape spelling that would fix it.
 * 3. Nodes are visited in g->nodes order (topological), each through the rule of its op
 *    family (om_infer_<family>, table expanded from ir/ops.def). Before a rule runs the
 *    driver checks arity and that every present input has a known dtype and rank, so
 *    rules only check op semantics. Rules merge with types the model declared and
 *    rewrite window attributes to the explicit form (conv_pool.c).
 * 4. Folding (fold.h): right after its rule succeeds, a node whose inputs are all
 *    constants (or Shape/Size of a static input) is evaluated through opts->eval_node and
 *    its outputs become constants in place, so later rules (Reshape's shape, Expand, Range,
 *    ConstantOfShape ...) see constant inputs. Folded nodes (also those a rule folded and
 *    marked dead itself) are dropped at the end; nodes producing graph outputs, random ops
 *    and outputs above opts->fold_limit_bytes stay.
 * Counters: nodes-inferred, inputs-pinned, nodes-canonicalized (attributes rewritten),
 * values-changed (a value's dtype or shape changed), nodes-folded. *changed reports any of
 * the last three, so a second run on an inferred graph reports no change.
 */
#include "passes/passes.h"
#include "passes/infer/infer.h"
#include "passes/fold.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef om_status (*infer_fn)(om_graph *g, om_node *n);

static const infer_fn infer_table[OM_OP_COUNT] = {
#define OM_OP(e, name, min_in, max_in, min_out, max_out, family) [OM_OP_##e] = om_infer_##family,
#include "ir/ops.def"
#undef OM_OP
};

static om_status not_an_input(const om_graph *g, const char *name) {
    char list[512];
    size_t k = 0;
    list[0] = '\0';
    for (size_t i = 0; i < g->n_inputs && k < sizeof(list); i++)
        k += (size_t)snprintf(list + k, sizeof(list) - k, "%s'%s'", i ? ", " : "", g->inputs[i]->name);
    return om_error(OM_ERR_INVALID_ARGUMENT, "--input-shape names '%s', which is not a graph input; the inputs are: %s",
                    name, g->n_inputs ? list : "(none)");
}

typedef struct sym_binding {
    const char *sym;
    int64_t value;
    const char *input;
    int dim;
} sym_binding;

/* Applies the pins to a copy of the input shapes and writes them back only when every
 * pin is valid, so a failed call leaves the graph as it was. */
static om_status apply_pins(om_graph *g, const om_pass_opts *opts, bool *changed) {
    sym_binding binds[64];
    int n_binds = 0;
    om_status st = OM_OK;
    om_shape *shapes = malloc((g->n_inputs ? g->n_inputs : 1) * sizeof(*shapes));
    if (!shapes) return om_error(OM_ERR_NO_MEMORY, "infer-shapes: out of memory");
    for (size_t k = 0; k < g->n_inputs; k++) shapes[k] = g->inputs[k]->shape;
    for (int p = 0; p < opts->n_pins; p++) {
        const om_input_pin *pin = &opts->pins[p];
        if (!pin->name) {
            st = om_error(OM_ERR_INVALID_ARGUMENT, "--input-shape entry %d has no name", p);
            goto fail;
        }
        size_t k = 0;
        while (k < g->n_inputs && strcmp(g->inputs[k]->name, pin->name) != 0) k++;
        if (k == g->n_inputs) {
            st = not_an_input(g, pin->name);
            goto fail;
        }
        om_shape *s = &shapes[k];
        if (pin->shape.rank < 0 || pin->shape.rank > OM_MAX_RANK) {
            st = om_error(OM_ERR_INVALID_ARGUMENT, "--input-shape for '%s' has rank %d (maximum %d)", pin->name,
                          pin->shape.rank, OM_MAX_RANK);
            goto fail;
        }
        if (s->rank < 0) {
            *s = pin->shape;
            for (int i = 0; i < s->rank; i++) s->syms[i] = NULL;
            continue;
        }
        if (s->rank != pin->shape.rank) {
            st = om_error(OM_ERR_INVALID_ARGUMENT, "--input-shape for input '%s' has %d dims, but the input has rank %d",
                          pin->name, pin->shape.rank, s->rank);
            goto fail;
        }
        for (int i = 0; i < s->rank; i++) {
            int64_t pd = pin->shape.dims[i], md = s->dims[i];
            if (pd < 0) continue;
            if (md >= 0) {
                if (md != pd) {
                    st = om_error(OM_ERR_INVALID_ARGUMENT,
                                  "--input-shape for input '%s' dim %d gives %" PRId64 ", but the model fixes it to %" PRId64,
                                  pin->name, i, pd, md);
                    goto fail;
                }
                continue;
            }
            const char *sym = s->syms[i];
            if (sym) {
                for (int b = 0; b < n_binds; b++) {
                    if (strcmp(binds[b].sym, sym) == 0 && binds[b].value != pd) {
                        st = om_error(OM_ERR_INVALID_ARGUMENT,
                                      "--input-shape gives dim '%s' two values: %" PRId64 " (input '%s' dim %d) and %" PRId64
                                      " (input '%s' dim %d)",
                                      sym, binds[b].value, binds[b].input, binds[b].dim, pd, pin->name, i);
                        goto fail;
                    }
                }
                if (n_binds < (int)(sizeof(binds) / sizeof(binds[0])))
                    binds[n_binds++] = (sym_binding){sym, pd, pin->name, i};
            }
            s->dims[i] = pd;
            s->syms[i] = NULL;
        }
    }
    /* Symbols bound by a pin fix the same symbol elsewhere among the inputs. */
    for (size_t k = 0; k < g->n_inputs; k++) {
        om_shape *s = &shapes[k];
        for (int i = 0; i < s->rank; i++) {
            if (s->dims[i] >= 0 || !s->syms[i]) continue;
            for (int b = 0; b < n_binds; b++) {
                if (strcmp(binds[b].sym, s->syms[i]) == 0) {
                    s->dims[i] = binds[b].value;
                    s->syms[i] = NULL;
                    break;
                }
            }
        }
    }
    for (size_t k = 0; k < g->n_inputs; k++) {
        if (memcmp(&g->inputs[k]->shape, &shapes[k], sizeof(om_shape)) != 0) *changed = true;
        g->inputs[k]->shape = shapes[k];
    }
fail:
    free(shapes);
    return st;
}

/* Writes the --input-shape suggestion "x:1,3,224,224" (unknown dims shown as 1). */
static void suggest_pin(const om_value *v, char *buf, size_t len) {
    size_t k = (size_t)snprintf(buf, len, "%s:", v->name);
    for (int i = 0; i < v->shape.rank && k < len; i++)
        k += (size_t)snprintf(buf + k, len - k, "%s%" PRId64, i ? "," : "", v->shape.dims[i] >= 0 ? v->shape.dims[i] : 1);
}

static om_status check_static_inputs(const om_graph *g) {
    for (size_t k = 0; k < g->n_inputs; k++) {
        const om_value *v = g->inputs[k];
        if (v->shape.rank < 0)
            return om_error(OM_ERR_INVALID_ARGUMENT, "input '%s' has an unknown rank; pin it with --input-shape \"%s:...\"",
                            v->name, v->name);
        for (int i = 0; i < v->shape.rank; i++) {
            if (v->shape.dims[i] >= 0) continue;
            char hint[256];
            suggest_pin(v, hint, sizeof(hint));
            if (v->shape.syms[i])
                return om_error(OM_ERR_INVALID_ARGUMENT, "input '%s' dim %d ('%s') is dynamic; pin it with --input-shape \"%s\"",
                                v->name, i, v->shape.syms[i], hint);
            return om_error(OM_ERR_INVALID_ARGUMENT, "input '%s' dim %d is dynamic; pin it with --input-shape \"%s\"", v->name,
                            i, hint);
        }
    }
    return OM_OK;
}

/* Checks what every rule relies on: known op, arity, outputs present, inputs typed. */
static om_status check_node(const om_node *n) {
    const om_op_info *info = om_op_get(n->op);
    if (!info) return om_error(OM_ERR_INVALID_MODEL, "node '%s': invalid op %d", n->name ? n->name : "", (int)n->op);
    if (n->n_inputs < info->min_inputs || (info->max_inputs >= 0 && n->n_inputs > info->max_inputs))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "has %d inputs, expected %d..%d", n->n_inputs, info->min_inputs,
                              info->max_inputs);
    if (n->n_outputs < info->min_outputs || n->n_outputs > info->max_outputs)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "has %d outputs, expected %d..%d", n->n_outputs, info->min_outputs,
                              info->max_outputs);
    for (int i = 0; i < n->n_outputs; i++)
        if (!n->outputs[i]) return om_infer_error(n, OM_ERR_INVALID_MODEL, "output %d is missing", i);
    for (int i = 0; i < n->n_inputs; i++) {
        const om_value *v = n->inputs[i];
        if (!v) continue;
        if (v->dtype == OM_DT_UNDEFINED)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d '%s' has no dtype", i, v->name);
        if (v->shape.rank < 0 || v->shape.rank > OM_MAX_RANK)
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "input %d '%s' has an unknown rank", i, v->name);
    }
    return OM_OK;
}

/* A cheap fingerprint of a node's attributes: setters copy arrays into fresh arena
 * memory, so any rewrite changes a pointer or a scalar seen here. */
static uint64_t attr_fingerprint(const om_node *n) {
    uint64_t h = 1469598103934665603ull;
#define MIX(x) (h = (h ^ (uint64_t)(x)) * 1099511628211ull)
    MIX(n->n_attrs);
    MIX((uintptr_t)n->attrs);
    for (int i = 0; i < n->n_attrs; i++) {
        const om_attr *a = &n->attrs[i];
        MIX((uintptr_t)a->name);
        MIX(a->kind);
        MIX(a->i);
        MIX(a->count);
        MIX((uintptr_t)a->ints);
        MIX((uintptr_t)a->s);
    }
#undef MIX
    return h;
}

static bool same_type(om_dtype dt, const om_shape *a, const om_value *v) {
    if (dt != v->dtype || a->rank != v->shape.rank) return false;
    for (int i = 0; i < a->rank && i < OM_MAX_RANK; i++)
        if (a->dims[i] != v->shape.dims[i]) return false;
    return true;
}

om_status om_pass_infer_shapes(om_graph *g, const om_pass_opts *opts, bool *changed) {
    if (!g) return om_error(OM_ERR_INVALID_ARGUMENT, "infer-shapes: no graph");
    om_pass_opts none = {0};
    if (!opts) opts = &none;
    if (changed) *changed = false;
    om_status st;
    if (opts->n_pins > 0 && !opts->pins) return om_error(OM_ERR_INVALID_ARGUMENT, "infer-shapes: n_pins > 0 without pins");
    bool pinned = false;
    if (opts->n_pins > 0) {
        if ((st = apply_pins(g, opts, &pinned)) != OM_OK) return st;
        om_pass_count(opts, "inputs-pinned", opts->n_pins);
    }
    if (opts->require_static && (st = check_static_inputs(g)) != OM_OK) return st;
    int64_t inferred = 0, canonicalized = 0, values_changed = 0, folded = 0;
    for (size_t k = 0; k < g->n_nodes; k++) {
        om_node *n = g->nodes[k];
        if (!n || n->dead) continue;
        if ((st = check_node(n)) != OM_OK) return st;
        om_dtype before_dt[8];
        om_shape before[8];
        int nb = n->n_outputs < 8 ? n->n_outputs : 8;
        for (int i = 0; i < nb; i++) {
            before_dt[i] = n->outputs[i]->dtype;
            before[i] = n->outputs[i]->shape;
        }
        uint64_t fp = attr_fingerprint(n);
        infer_fn fn = infer_table[n->op];
        if (!fn) return om_infer_error(n, OM_ERR_INTERNAL, "no shape rule");
        if ((st = fn(g, n)) != OM_OK) return st;
        inferred++;
        if (attr_fingerprint(n) != fp) canonicalized++;
        for (int i = 0; i < nb; i++)
            if (!same_type(before_dt[i], &before[i], n->outputs[i])) values_changed++;
        bool f = n->dead; /* a rule may fold its node itself (Shape, Size: tensor_ops.c) */
        if (!f && (st = om_fold_node(g, n, opts, &f)) != OM_OK) return st;
        folded += f;
    }
    if (folded) om_graph_remove_dead(g);
    om_pass_count(opts, "nodes-inferred", inferred);
    om_pass_count(opts, "nodes-canonicalized", canonicalized);
    om_pass_count(opts, "values-changed", values_changed);
    om_pass_count(opts, "nodes-folded", folded);
    if (changed && (pinned || canonicalized || values_changed || folded)) *changed = true;
    return OM_OK;
}
