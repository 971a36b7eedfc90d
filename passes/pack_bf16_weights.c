/* pack-bf16-weights: the constant bf16 B operand of MatMul and Gemm, pre-packed offline into
 * the K-pair-interleaved panel layout of the bf16 dot-product GEMM kernel
 * (codegen/kernels/gemm_bf16.h; vdpbf16ps on AVX512-BF16, two f32 FMAs per pair elsewhere).
 *
 * Fires on a live MatMul or Gemm whose output is bf16 and whose input 1 is a bf16 constant of
 * rank 2 (MatMul: B [K, N]; Gemm: B [K, N], or [N, K] with transB) with an EVEN K (so no
 * padding is needed) and no om_packed_b yet. Runs after the precision pass and before
 * pack-gemm-weights (which then leaves the node alone). The operand is replaced by a new
 * constant "<B>_bf16p" of the SAME shape and dtype holding B' = (transB ? B^T : B) [K, N] as
 * ceil(N/32) column panels: panel p holds columns [32p, 32p + w), w = min(32, N - 32p), at
 * element offset 32p * K, laid out [K/2][w][2]: element (k, j) of the panel at
 * (k/2) * 2w + 2j + (k%2), so one 32-bit word holds the pair B'[2q, j], B'[2q+1, j]. The
 * byte size is unchanged, so shape rules and the verifier still hold. The node gets
 * om_packed_b = 32 (the panel width, as for f32 panels) and om_packed_bf16 = 2 (pairs): a
 * kernel must read B in this layout (transB no longer applies to the data). A constant
 * shared by several nodes is packed once per transpose flag; dce drops the original.
 * Counters: weights-packed (nodes rewritten), constants-packed, bytes-packed.
 */
#include <stdlib.h>
#include <string.h>

#include "passes/passes.h"

#define PB_PANEL 32

/* dst = B' in pair-interleaved panels; src is B [K, N] or, with trans, B [N, K]; K even. */
static void pb_pack(const uint16_t *src, uint16_t *dst, int64_t K, int64_t N, bool trans)
{
    for (int64_t p0 = 0; p0 < N; p0 += PB_PANEL) {
        int64_t w = N - p0 < PB_PANEL ? N - p0 : PB_PANEL;
        uint16_t *panel = dst + p0 * K;
        for (int64_t k = 0; k < K; k++)
            for (int64_t j = 0; j < w; j++) {
                int64_t from = trans ? (p0 + j) * K + k : k * N + p0 + j;
                panel[(k / 2) * 2 * w + 2 * j + (k % 2)] = src[from];
            }
    }
}

typedef struct pb_memo {
    const om_value *orig;
    bool trans;
    om_value *packed;
} pb_memo;

/* B' dims of node n's input 1 if the node qualifies. */
static bool pb_candidate(const om_node *n, int64_t *K, int64_t *N, bool *trans)
{
    if (!n || n->dead || (n->op != OM_OP_MATMUL && n->op != OM_OP_GEMM) || om_node_attr(n, "om_packed_b"))
        return false;
    const om_value *a = om_node_input(n, 0);
    const om_value *b = om_node_input(n, 1);
    const om_value *y = n->n_outputs > 0 ? n->outputs[0] : NULL;
    if (!a || !b || !y || a->dtype != OM_DT_BFLOAT16 || b->kind != OM_VALUE_CONSTANT ||
        b->dtype != OM_DT_BFLOAT16 || y->dtype != OM_DT_BFLOAT16 || b->shape.rank != 2 ||
        !om_shape_is_static(&b->shape) || !b->data)
        return false;
    int64_t d0 = b->shape.dims[0], d1 = b->shape.dims[1];
    if (d0 < 1 || d1 < 1 || b->nbytes != (size_t)(d0 * d1) * 2)
        return false;
    *trans = n->op == OM_OP_GEMM && om_node_int(n, "transB", 0) != 0;
    *K = *trans ? d1 : d0;
    *N = *trans ? d0 : d1;
    return *K % 2 == 0;
}

om_status om_pass_pack_bf16_weights(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "pack-bf16-weights: no graph");
    if (changed)
        *changed = false;
    om_status st = OM_OK;
    pb_memo *memo = NULL;
    size_t n_memo = 0, cap_memo = 0;
    uint16_t *buf = NULL;
    int64_t rewritten = 0, packed = 0, bytes = 0;
    for (size_t k = 0; k < g->n_nodes; k++) {
        om_node *n = g->nodes[k];
        int64_t K, N;
        bool trans;
        if (!pb_candidate(n, &K, &N, &trans))
            continue;
        om_value *b = n->inputs[1];
        om_value *pv = NULL;
        for (size_t i = 0; i < n_memo && !pv; i++)
            if (memo[i].orig == b && memo[i].trans == trans)
                pv = memo[i].packed;
        if (!pv) {
            buf = malloc(b->nbytes);
            if (!buf)
                goto nomem;
            pb_pack((const uint16_t *)b->data, buf, K, N, trans);
            char name[160];
            snprintf(name, sizeof name, "%s_bf16p", b->name);
            pv = om_graph_add_constant(g, name, b->dtype, &b->shape, buf, b->nbytes);
            free(buf);
            buf = NULL;
            if (!pv) {
                st = om_error_prefix(OM_ERR_NO_MEMORY, "pack-bf16-weights: node '%s' (%s), constant '%s': ",
                                     n->name ? n->name : "", om_op_name(n->op), b->name);
                goto fail;
            }
            if (n_memo == cap_memo) {
                size_t cap = cap_memo ? 2 * cap_memo : 16;
                pb_memo *m = realloc(memo, cap * sizeof *m);
                if (!m)
                    goto nomem;
                memo = m;
                cap_memo = cap;
            }
            memo[n_memo++] = (pb_memo){b, trans, pv};
            packed++;
            bytes += (int64_t)b->nbytes;
        }
        if ((st = om_node_set_int(g, n, "om_packed_b", PB_PANEL)) != OM_OK ||
            (st = om_node_set_int(g, n, "om_packed_bf16", 2)) != OM_OK)
            goto fail;
        n->inputs[1] = pv;
        rewritten++;
    }
    om_pass_count(opts, "weights-packed", rewritten);
    om_pass_count(opts, "constants-packed", packed);
    om_pass_count(opts, "bytes-packed", bytes);
    if (changed)
        *changed = rewritten > 0;
    free(memo);
    return OM_OK;
nomem:
    st = om_error(OM_ERR_NO_MEMORY, "pack-bf16-weights: out of memory");
fail:
    free(buf);
    free(memo);
    return st;
}
