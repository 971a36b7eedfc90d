/* fold-mul-add: Mul / Add by a per-output-channel constant after a Conv, Gemm or 2-D MatMul
 * folded into its weights and bias.
 *
 * Fires on Mul(y, c) / Add(y, c) (either operand order) when y is produced by a producer
 * that can absorb a channel affine map (channel_affine.h), y has this node as its only
 * reader and is not a graph output, and c is a constant that varies at most along the
 * output channel axis (axis 1) without widening y by broadcasting (e.g. [C,1,1],
 * [1,C,1,1] or a scalar for Conv; [C], [1,C] or a scalar for Gemm). Mul scales the weights
 * and the bias per channel, Add adds to the bias; the rewritten producer writes the Mul/Add
 * output value. Chains (Conv -> Mul -> Add) fold one step per visit, all in one sweep.
 * Counters: muls-folded, adds-folded.
 */
#include <stdlib.h>

#include "passes/channel_affine.h"

om_status om_pass_fold_mul_add(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "fold-mul-add: no graph");
    if (changed)
        *changed = false;
    int64_t muls = 0, adds = 0;
    for (size_t k = 0; k < g->n_nodes; k++) {
        om_node *n = g->nodes[k];
        if (!n || n->dead || (n->op != OM_OP_MUL && n->op != OM_OP_ADD))
            continue;
        om_value *y, *c;
        if (!om_pat_split_const(n, &y, &c, NULL))
            continue;
        om_node *p = om_pat_producer(y, OM_OP_COUNT);
        int64_t C = om_pat_affine_channels(p);
        if (C < 1 || p->op == OM_OP_MATMUL || !om_pat_single_use(g, y) || !om_shape_equal(&y->shape, &n->outputs[0]->shape))
            continue;
        double *s = malloc((size_t)C * 2 * sizeof(double));
        if (!s)
            return om_error(OM_ERR_NO_MEMORY, "fold-mul-add: out of memory");
        double *t = s + C;
        bool ok = om_pat_per_channel(c, &y->shape, 1, n->op == OM_OP_MUL ? s : t);
        for (int64_t i = 0; ok && i < C; i++) {
            if (n->op == OM_OP_MUL)
                t[i] = 0.0;
            else
                s[i] = 1.0;
        }
        bool done = false;
        om_status st = ok ? om_pat_fold_affine(g, p, n, s, t, &done) : OM_OK;
        free(s);
        if (st != OM_OK)
            return st;
        if (done) {
            if (n->op == OM_OP_MUL)
                muls++;
            else
                adds++;
            k++;
        }
    }
    if (muls || adds)
        om_graph_remove_dead(g);
    om_pass_count(opts, "muls-folded", muls);
    om_pass_count(opts, "adds-folded", adds);
    if (changed)
        *changed = muls || adds;
    return OM_OK;
}
