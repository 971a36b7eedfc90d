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

#include "passes/pack_b_operand.h"

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

static void pb_pack_b(const om_value *b, void *dst, int64_t K, int64_t N, bool trans)
{
    pb_pack(b->data, dst, K, N, trans);
}

om_status om_pass_pack_bf16_weights(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    static const om_pass_pack_b_kind kind = {"pack-bf16-weights", "_bf16p", pb_candidate, pb_pack_b,
                                             2, {"om_packed_b", "om_packed_bf16"}, {PB_PANEL, 2}};
    return om_pass_pack_b_operands(g, opts, changed, &kind);
}
