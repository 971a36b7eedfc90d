/* pack-gemm-weights: the constant B operand of MatMul and Gemm, pre-packed offline into the
 * panel layout the register-blocked GEMM kernel reads (codegen/kernels/gemm_tile.h).
 *
 * Fires on a live MatMul or Gemm whose input 1 is an f32, f16 or bf16 constant (the node's
 * output dtype) of rank 2 (MatMul: B [K, N]; Gemm: B [K, N], or [N, K] with transB) and
 * which has no om_packed_* attribute yet (B already in some kernel's layout). The
 * operand is replaced by a new constant "<B>_packed" of the SAME shape and dtype holding
 * the elements of B' = (transB ? B^T : B) [K, N] reordered as ceil(N/32) column panels:
 * panel p holds columns [32p, 32p + w), w = min(32, N - 32p), row-major [K, w], at element
 * offset 32p * K. No padding, so the byte size is unchanged and shape rules and the
 * verifier still hold; the node gets om_packed_b = 32 (INT), which tells the kernel the
 * layout (and that transB no longer applies to the data). A constant shared by several
 * nodes is packed once per transpose flag; the original becomes unused and dce drops it.
 * Invariant: a node with om_packed_b reads B only through the packed layout, so nothing
 * else may rewrite its input 1 afterwards (this pass runs after all fusion, before dce).
 * Counters: weights-packed (nodes rewritten), constants-packed, bytes-packed.
 */
#include <string.h>

#include "passes/pack_b_operand.h"

#define PACK_PANEL 32

/* dst = B' in panels; src is B [K, N] or, with trans, B [N, K]; elements of es bytes. */
static void pack_panels(const unsigned char *src, unsigned char *dst, size_t es, int64_t K, int64_t N, bool trans)
{
    for (int64_t p0 = 0; p0 < N; p0 += PACK_PANEL) {
        int64_t w = N - p0 < PACK_PANEL ? N - p0 : PACK_PANEL;
        unsigned char *panel = dst + (size_t)(p0 * K) * es;
        for (int64_t k = 0; k < K; k++)
            for (int64_t j = 0; j < w; j++) {
                int64_t from = trans ? (p0 + j) * K + k : k * N + p0 + j;
                memcpy(panel + (size_t)(k * w + j) * es, src + (size_t)from * es, es);
            }
    }
}

static bool pack_dtype(om_dtype dt)
{
    return dt == OM_DT_FLOAT || dt == OM_DT_FLOAT16 || dt == OM_DT_BFLOAT16;
}

/* Whether some pass already put n's B into a kernel layout (om_packed_b, om_packed_bf16,
 * any om_packed_* attribute). */
static bool pack_already(const om_node *n)
{
    for (int i = 0; i < n->n_attrs; i++)
        if (n->attrs[i].name && !strncmp(n->attrs[i].name, "om_packed", 9))
            return true;
    return false;
}

/* B' dims of node n's input 1 if the node qualifies. */
static bool pack_candidate(const om_node *n, int64_t *K, int64_t *N, bool *trans)
{
    if (!n || n->dead || (n->op != OM_OP_MATMUL && n->op != OM_OP_GEMM) || pack_already(n))
        return false;
    const om_value *b = om_node_input(n, 1);
    const om_value *y = n->n_outputs > 0 ? n->outputs[0] : NULL;
    if (!b || !y || b->kind != OM_VALUE_CONSTANT || !pack_dtype(b->dtype) || y->dtype != b->dtype ||
        b->shape.rank != 2 || !om_shape_is_static(&b->shape) || !b->data)
        return false;
    int64_t d0 = b->shape.dims[0], d1 = b->shape.dims[1];
    if (d0 < 1 || d1 < 1 || b->nbytes != (size_t)(d0 * d1) * om_dtype_size(b->dtype))
        return false;
    *trans = n->op == OM_OP_GEMM && om_node_int(n, "transB", 0) != 0;
    *K = *trans ? d1 : d0;
    *N = *trans ? d0 : d1;
    return true;
}

static void pack_b(const om_value *b, void *dst, int64_t K, int64_t N, bool trans)
{
    pack_panels(b->data, dst, om_dtype_size(b->dtype), K, N, trans);
}

om_status om_pass_pack_gemm_weights(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    static const om_pass_pack_b_kind kind = {"pack-gemm-weights", "_packed", pack_candidate, pack_b,
                                             1, {"om_packed_b"}, {PACK_PANEL}};
    return om_pass_pack_b_operands(g, opts, changed, &kind);
}
