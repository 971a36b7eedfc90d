/* pack-conv-small: the constant weights of f32 Conv nodes with small output planes,
 * re-laid out offline for the output-channel-vectorized kernel (codegen/kernels/conv_small.h).
 *
 * Fires on a live Conv with X, W, Y f32 of rank 4 and static shapes, group 1, W a constant,
 * no auto_pad (other than NOTSET), no om_packed_* attribute yet, output plane OH*OW <= 196
 * and M (output channels) a multiple of 16; stride-1 1x1 ones only with C >= 256. W [M, C, KH, KW] (K = C*KH*KW per channel) is
 * replaced by a new constant "<W>_kpack" of the SAME shape and dtype holding M/NB panels of
 * NB = 32 (or 16 when M % 32 != 0) output channels: panel p is row-major [K][NB] with element
 * (k, j) = W[p*NB + j][k], at element offset p*K*NB. No padding, so shape rules and the
 * verifier still hold; the node gets om_packed_conv = NB (INT), which tells the Conv emitter
 * the layout. Invariant: a node with om_packed_conv reads W only through this layout, so
 * nothing may rewrite its input 1 afterwards (the pass runs after all fusion and precision
 * passes). Counters: convs-packed, bytes-packed.
 */
#include <stdlib.h>
#include <string.h>

#include "passes/passes.h"
#include "passes/pattern.h"

#define PCS_MAX_PLANE 196
#define PCS_MIN_K_1X1 256

/* Whether any stride of n is not 1. */
/* Panel width of node n if it qualifies, else 0. */
static int64_t pcs_candidate(const om_node *n)
{
    if (!om_pat_plain_f32_conv(n))
        return 0;
    const om_value *x = om_node_input(n, 0), *w = om_node_input(n, 1), *y = n->outputs[0];
    int64_t M = w->shape.dims[0];
    if (M < 16 || M % 16 != 0)
        return 0;
    int64_t L = y->shape.dims[2] * y->shape.dims[3];
    if (L < 1 || L > PCS_MAX_PLANE)
        return 0;
    /* stride-1 1x1 convolutions gain only with a long K (conv_fast runs them as a plain
     * GEMM). Measured on a Sapphire-Rapids-class Xeon, 1 thread: C 256 gains (256->1024
     * 14x14 0.749 -> 0.698 ms, 256->256 14x14 and 256->512 7x7 3-8%), C 128 loses (128->512
     * 14x14 0.185 -> 0.203 ms); a Zen 5 had measured the gain only from C 512 on. */
    if (w->shape.dims[2] * w->shape.dims[3] == 1 && x->shape.dims[1] < PCS_MIN_K_1X1 && om_pat_ints_all_one(n, "strides"))
        return 0;
    return M % 32 == 0 ? 32 : 16;
}

om_status om_pass_pack_conv_small(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "pack-conv-small: no graph");
    if (changed)
        *changed = false;
    om_status st = OM_OK;
    float *buf = NULL;
    int64_t rewritten = 0, bytes = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        om_node *n = g->nodes[i];
        int64_t nb = pcs_candidate(n);
        if (!nb)
            continue;
        om_value *w = n->inputs[1];
        int64_t M = w->shape.dims[0], K = om_shape_numel(&w->shape) / M;
        buf = malloc(w->nbytes);
        if (!buf) {
            st = om_error(OM_ERR_NO_MEMORY, "pack-conv-small: out of memory");
            goto fail;
        }
        const float *src = w->data;
        for (int64_t p = 0; p < M / nb; p++)
            for (int64_t k = 0; k < K; k++)
                for (int64_t j = 0; j < nb; j++)
                    buf[(p * K + k) * nb + j] = src[(p * nb + j) * K + k];
        char name[160];
        snprintf(name, sizeof name, "%s_kpack", w->name ? w->name : "w");
        om_value *pv = om_graph_add_constant(g, name, w->dtype, &w->shape, buf, w->nbytes);
        free(buf);
        buf = NULL;
        if (!pv) {
            st = om_error(OM_ERR_NO_MEMORY, "pack-conv-small: node '%s' (Conv), constant '%s': out of memory",
                          n->name ? n->name : "", w->name ? w->name : "");
            goto fail;
        }
        if ((st = om_node_set_int(g, n, "om_packed_conv", nb)) != OM_OK)
            goto fail;
        n->inputs[1] = pv;
        rewritten++;
        bytes += (int64_t)w->nbytes;
    }
    om_pass_count(opts, "convs-packed", rewritten);
    om_pass_count(opts, "bytes-packed", bytes);
    if (changed)
        *changed = rewritten > 0;
    return OM_OK;
fail:
    free(buf);
    return st;
}
