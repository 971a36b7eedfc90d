/* fold-batchnorm: BatchNormalization (inference form) folded into the preceding Conv,
 * Gemm or 2-D MatMul.
 *
 * Fires on BN(X, scale, B, mean, var) with one output when X is produced by a Conv / Gemm /
 * MatMul that can absorb a per-output-channel affine map (channel_affine.h: constant f32
 * weights, static shapes), X has BN as its only reader and is not a graph output, and the
 * four BN parameters are f32 constants of C elements. Then with s = scale / sqrt(var + eps):
 *   W' = W * s (per output channel),  bias' = (bias - mean) * s + B
 * and the rewritten producer writes BN's output value (its name and type are kept).
 * A BN whose input has another reader, or whose parameters are not constant, stays.
 * Counter: batchnorms-folded.
 */
#include <math.h>
#include <stdlib.h>

#include "passes/channel_affine.h"

om_status om_pass_fold_batchnorm(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "fold-batchnorm: no graph");
    if (changed)
        *changed = false;
    int64_t folded = 0;
    for (size_t k = 0; k < g->n_nodes; k++) {
        om_node *bn = g->nodes[k];
        if (!bn || bn->dead || bn->op != OM_OP_BATCH_NORMALIZATION || bn->n_outputs != 1 || bn->n_inputs != 5)
            continue;
        if (om_node_int(bn, "training_mode", 0) != 0)
            continue;
        om_value *x = bn->inputs[0];
        om_node *p = om_pat_producer(x, OM_OP_COUNT);
        int64_t C = om_pat_affine_channels(p);
        if (C < 1 || !om_pat_single_use(g, x))
            continue;
        bool ok = true;
        for (int i = 1; i < 5; i++)
            ok = ok && om_pat_is_const(bn->inputs[i]) && bn->inputs[i]->dtype == OM_DT_FLOAT &&
                 om_shape_numel(&bn->inputs[i]->shape) == C;
        if (!ok)
            continue;
        double eps = om_node_float(bn, "epsilon", 1e-5f);
        double *s = malloc((size_t)C * 2 * sizeof(double));
        if (!s)
            return om_error(OM_ERR_NO_MEMORY, "fold-batchnorm: out of memory");
        double *t = s + C;
        for (int64_t c = 0; c < C; c++) {
            double sc = om_pat_const_at(bn->inputs[1], c), b = om_pat_const_at(bn->inputs[2], c);
            double mean = om_pat_const_at(bn->inputs[3], c), var = om_pat_const_at(bn->inputs[4], c);
            s[c] = sc / sqrt(var + eps);
            t[c] = b - mean * s[c];
        }
        bool done;
        om_status st = om_pat_fold_affine(g, p, bn, s, t, &done);
        free(s);
        if (st != OM_OK)
            return st;
        if (done) {
            folded++;
            k++; /* the new node was inserted before bn */
        }
    }
    if (folded)
        om_graph_remove_dead(g);
    om_pass_count(opts, "batchnorms-folded", folded);
    if (changed)
        *changed = folded > 0;
    return OM_OK;
}
