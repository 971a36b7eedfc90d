/* conv-winograd: 3x3 stride-1 f32 convolutions -> WinogradConv (ir/ops/fused.def), computed
 * with Winograd's F(4x4, 3x3) minimal filtering (Lavin & Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2016): per 4x4 output tile, 36 multiplications per input
 * channel instead of 144. The kernel (codegen/kernels/conv_winograd.c) transforms 6x6 input
 * tiles (B^T d B), multiplies them by the transformed weights as 36 GEMMs over the channels
 * and transforms back (A^T m A).
 *
 * Fires on a live Conv with X, W, Y f32 of rank 4 and static shapes, W a constant
 * [M, C, 3, 3], group 1, strides and dilations 1, pads in 0..2, no auto_pad, no om_packed_*
 * attribute, M a multiple of 8 and a shape where it measured faster than the direct kernel
 * (WG_* below). W is replaced by U = G g G^T, a new constant "<W>_winograd" of shape
 * [36, M, C] laid out as [36][M/8][C][8]: element (xi, m, c) at ((xi*(M/8) + m/8)*C + c)*8 +
 * m%8, so the GEMM's 8-row micro-tile reads the 8 weights of one input channel from one
 * 32-byte run. The node becomes WinogradConv in place (inputs, pads and epilogue attributes
 * kept) and gains output 1, its scratch (ir/winograd.h). G has entries 1/4, 1/6, 1/12, 1/24:
 * U is computed in double and rounded once.
 * Runs after all fusion and precision passes (the node's epilogue is final; only f32
 * convolutions are rewritten). Counters: convs-winograd, bytes-winograd.
 */
#include <stdlib.h>
#include <string.h>

#include "ir/winograd.h"
#include "passes/passes.h"
#include "passes/pattern.h"

#define WG_MIN_C 16            /* input channels: the transforms cost ~ per channel */
#define WG_MIN_M 16
#define WG_MIN_PLANE 64        /* output positions: fewer leave most tile lanes idle */
#define WG_MAX_U_BYTES (4 << 20) /* transformed weights per conv (4x the direct ones) */

/* F(4x4, 3x3) weight transform G (6x3). */
static const double wg_G[6][3] = {
    {1.0 / 4, 0, 0},
    {-1.0 / 6, -1.0 / 6, -1.0 / 6},
    {-1.0 / 6, 1.0 / 6, -1.0 / 6},
    {1.0 / 24, 1.0 / 12, 1.0 / 6},
    {1.0 / 24, -1.0 / 12, 1.0 / 6},
    {0, 0, 1},
};

static bool wg_candidate(const om_node *n)
{
    if (!om_pat_plain_f32_conv(n) || !om_pat_ints_all_one(n, "strides") || !om_pat_ints_all_one(n, "dilations"))
        return false;
    const int64_t *p = NULL;
    if (om_node_ints(n, "pads", &p) != 4)
        return false;
    for (int i = 0; i < 4; i++)
        if (p[i] < 0 || p[i] > 2)
            return false;
    const om_value *w = om_node_input(n, 1), *y = n->outputs[0];
    int64_t M = w->shape.dims[0], C = w->shape.dims[1];
    if (w->shape.dims[2] != 3 || w->shape.dims[3] != 3)
        return false;
    if (M % 8 != 0 || M < WG_MIN_M || C < WG_MIN_C)
        return false;
    if (y->shape.dims[2] * y->shape.dims[3] < WG_MIN_PLANE || 36 * M * C * 4 > WG_MAX_U_BYTES)
        return false;
    return true;
}

/* U (36 x M x C, layout above) from W [M][C][3][3]. */
static void wg_transform(const float *w, int64_t M, int64_t C, float *u)
{
    for (int64_t m = 0; m < M; m++)
        for (int64_t c = 0; c < C; c++) {
            const float *g = w + (m * C + c) * 9;
            double t[6][3]; /* G g */
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 3; j++)
                    t[i][j] = wg_G[i][0] * g[j] + wg_G[i][1] * g[3 + j] + wg_G[i][2] * g[6 + j];
            for (int i = 0; i < 6; i++)
                for (int k = 0; k < 6; k++) { /* (G g) G^T */
                    double v = t[i][0] * wg_G[k][0] + t[i][1] * wg_G[k][1] + t[i][2] * wg_G[k][2];
                    int64_t xi = i * 6 + k;
                    u[((xi * (M / 8) + m / 8) * C + c) * 8 + m % 8] = (float)v;
                }
        }
}

om_status om_pass_conv_winograd(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "conv-winograd: no graph");
    if (changed)
        *changed = false;
    int64_t rewritten = 0, bytes = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        om_node *n = g->nodes[i];
        if (!wg_candidate(n))
            continue;
        om_value *w = n->inputs[1];
        int64_t M = w->shape.dims[0], C = w->shape.dims[1];
        size_t nbytes = (size_t)(36 * M * C) * sizeof(float);
        float *u = malloc(nbytes);
        if (!u)
            return om_error(OM_ERR_NO_MEMORY, "conv-winograd: node '%s' (Conv): out of memory", n->name ? n->name : "");
        wg_transform(w->data, M, C, u);
        char name[160];
        snprintf(name, sizeof name, "%s_winograd", w->name ? w->name : "w");
        om_shape us = {.rank = 3, .dims = {36, M, C}};
        om_value *uv = om_graph_add_constant(g, name, OM_DT_FLOAT, &us, u, nbytes);
        free(u);
        if (!uv)
            return om_error(OM_ERR_NO_MEMORY, "conv-winograd: node '%s' (Conv): out of memory", n->name ? n->name : "");
        /* output 1: the kernel's scratch (ir/winograd.h) */
        om_value *y = n->outputs[0];
        snprintf(name, sizeof name, "%s_wgscratch", y->name);
        om_shape ss = {.rank = 1};
        ss.dims[0] = om_winograd_workspace_floats(y->shape.dims[0], C, M, y->shape.dims[2], y->shape.dims[3]);
        om_value *ws = om_graph_add_value(g, name, OM_DT_FLOAT, &ss);
        om_value **outs = om_graph_alloc(g, 2 * sizeof *outs);
        if (!ws || !outs)
            return om_error(OM_ERR_NO_MEMORY, "conv-winograd: node '%s' (Conv): out of memory", n->name ? n->name : "");
        outs[0] = y;
        outs[1] = ws;
        ws->producer = n;
        ws->producer_output = 1;
        n->outputs = outs;
        n->n_outputs = 2;
        n->inputs[1] = uv;
        n->op = OM_OP_WINOGRAD_CONV;
        rewritten++;
        bytes += (int64_t)nbytes;
    }
    om_pass_count(opts, "convs-winograd", rewritten);
    om_pass_count(opts, "bytes-winograd", bytes);
    if (changed)
        *changed = rewritten > 0;
    return OM_OK;
}
