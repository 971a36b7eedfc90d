/* Integer matrix products (family qmatmul): MatMulInteger and QLinearMatMul.
 *
 *   acc[b, m, n] = sum_k (A[b, m, k] - a_zp[m|0]) * (B[b, k, n] - b_zp[n|0])   in i32
 *   MatMulInteger: Y = acc (i32)
 *   QLinearMatMul: Y = saturate(round_half_even(f32(acc) * (a_scale * b_scale / y_scale)) + y_zp)
 * A and B are u8 or i8 with rank >= 2; batch dims broadcast (per-batch offsets of A and B
 * are compile-time tables). Scales and zero points are read at run time (per tensor; the
 * MatMulInteger zero points may also be per row of A / per column of B).
 * Work items: the output rows (batch * M); a row of up to QM_ROW_MAX outputs accumulates
 * in an i32 stack row, k outer and the columns inner (unit stride, vectorized); longer
 * rows take one dot product per output.
 */
#include <stdlib.h>

#include "codegen/kernels/nn_util.h"

#define QM_ROW_MAX 8192 /* i32 row accumulator limit (longer rows: one dot product per output) */

om_status om_cg_emit_qmatmul(om_cg_ctx *cx, const om_node *n)
{
    bool ql = n->op == OM_OP_QLINEAR_MATMUL;
    int ai = 0, bi = ql ? 3 : 1, azi = ql ? 2 : 2, bzi = ql ? 5 : 3;
    const om_value *va = om_node_input(n, ai), *vb = om_node_input(n, bi), *vaz = om_node_input(n, azi),
                   *vbz = om_node_input(n, bzi), *vy = n->n_outputs ? n->outputs[0] : NULL;
    if (!va || !vb || !vy || !om_shape_is_static(&va->shape) || !om_shape_is_static(&vb->shape) ||
        !om_shape_is_static(&vy->shape) || va->shape.rank < 2 || vb->shape.rank < 2 || vy->shape.rank < 2)
        return om_cg_unsupported(cx, "needs static shapes of rank >= 2");
    int ra = va->shape.rank, rb = vb->shape.rank, ry = vy->shape.rank;
    int64_t M = va->shape.dims[ra - 2], K = va->shape.dims[ra - 1], N = vb->shape.dims[rb - 1];
    if (vb->shape.dims[rb - 2] != K || vy->shape.dims[ry - 2] != M || vy->shape.dims[ry - 1] != N)
        return om_cg_unsupported(cx, "shapes do not fit");
    int64_t nb = 1;
    for (int d = 0; d < ry - 2; d++) nb *= vy->shape.dims[d];
    int64_t numel = om_shape_numel(&vy->shape);
    if (numel == 0)
        return OM_OK;
    int64_t azn = vaz ? om_shape_numel(&vaz->shape) : 0, bzn = vbz ? om_shape_numel(&vbz->shape) : 0;
    if ((vaz && azn != 1 && (ql || azn != M)) || (vbz && bzn != 1 && (ql || bzn != N)))
        return om_cg_unsupported(cx, "zero points must hold 1 element (MatMulInteger: or M / N)");
    for (int i = 1; ql && i < 8; i++)
        if (i != 3 && (!om_node_input(n, i) || om_shape_numel(&om_node_input(n, i)->shape) != 1))
            return om_cg_unsupported(cx, "input %d must be a scalar (per-tensor quantization)", i);
    /* per-batch offsets (elements) of A and B */
    int64_t *ao = malloc(sizeof *ao * (size_t)nb), *bo = malloc(sizeof *bo * (size_t)nb);
    if (!ao || !bo) {
        free(ao);
        free(bo);
        return om_error(OM_ERR_NO_MEMORY, "codegen: out of memory");
    }
    for (int64_t t = 0; t < nb; t++) {
        int64_t rem = t, oa = 0, ob = 0, sa = M * K, sb = K * N;
        for (int d = ry - 3; d >= 0; d--) {
            int64_t od = rem % vy->shape.dims[d];
            rem /= vy->shape.dims[d];
            int da = d - (ry - ra), db = d - (ry - rb);
            if (da >= 0) {
                if (va->shape.dims[da] != 1) oa += od * sa;
                sa *= va->shape.dims[da];
            }
            if (db >= 0) {
                if (vb->shape.dims[db] != 1) ob += od * sb;
                sb *= vb->shape.dims[db];
            }
        }
        ao[t] = oa;
        bo[t] = ob;
    }
    LLVMValueRef tao = om_cg_nn_table_i64(cx, OM_DT_INT64, ao, nb, "qma");
    LLVMValueRef tbo = om_cg_nn_table_i64(cx, OM_DT_INT64, bo, nb, "qmb");
    free(ao);
    free(bo);
    if (!tao || !tbo)
        return om_error(OM_ERR_NO_MEMORY, "codegen: out of memory");
    LLVMBuilderRef b = cx->b;
    om_dtype at = va->dtype, bt = vb->dtype, yt = vy->dtype;
    LLVMValueRef pa = om_cg_in(cx, ai), pb = om_cg_in(cx, bi), py = om_cg_out(cx, 0);
    LLVMValueRef paz = vaz ? om_cg_in(cx, azi) : NULL, pbz = vbz ? om_cg_in(cx, bzi) : NULL;
    LLVMValueRef mult = NULL, yz = NULL;
    if (ql) {
        LLVMValueRef as = om_cg_load(cx, OM_DT_FLOAT, om_cg_in(cx, 1), om_cg_i64(cx, 0));
        LLVMValueRef bs = om_cg_load(cx, OM_DT_FLOAT, om_cg_in(cx, 4), om_cg_i64(cx, 0));
        LLVMValueRef ys = om_cg_load(cx, OM_DT_FLOAT, om_cg_in(cx, 6), om_cg_i64(cx, 0));
        mult = LLVMBuildFDiv(b, LLVMBuildFMul(b, as, bs, ""), ys, "mult");
        const om_value *vyz = om_node_input(n, 7);
        yz = om_cg_convert(cx, om_cg_load(cx, vyz->dtype, om_cg_in(cx, 7), om_cg_i64(cx, 0)), vyz->dtype, OM_DT_FLOAT);
    }
    om_cg_loop lw, ln, lk;
    LLVMValueRef row = om_cg_for_work(cx, &lw, nb * M, "row");
    LLVMValueRef bidx = LLVMBuildUDiv(b, row, om_cg_i64(cx, M), ""), m = LLVMBuildURem(b, row, om_cg_i64(cx, M), "m");
    LLVMValueRef abase = om_cg_add(cx, om_cg_load(cx, OM_DT_INT64, tao, bidx), om_cg_mad(cx, m, K, NULL));
    LLVMValueRef bbase = om_cg_load(cx, OM_DT_INT64, tbo, bidx);
    LLVMValueRef az = paz ? om_cg_convert(cx, om_cg_load(cx, vaz->dtype, paz, azn > 1 ? m : om_cg_i64(cx, 0)),
                                          vaz->dtype, OM_DT_INT32)
                          : om_cg_i32(cx, 0);
    if (N <= QM_ROW_MAX) {
        /* acc[j] += (A[m, k] - a_zp) * (B[k, j] - b_zp[j]): unit stride over j (vectorized) */
        LLVMValueRef accv = om_cg_alloca(cx, LLVMArrayType2(cx->i32, (uint64_t)N), "accrow");
        LLVMBuildMemSet(b, accv, LLVMConstInt(cx->i8, 0, 0), om_cg_i64(cx, 4 * N), 4);
        LLVMValueRef kk = om_cg_for(cx, &lk, om_cg_i64(cx, 0), om_cg_i64(cx, K), "k");
        LLVMValueRef av = om_cg_convert(cx, om_cg_load(cx, at, pa, om_cg_add(cx, abase, kk)), at, OM_DT_INT32);
        av = LLVMBuildSub(b, av, az, "");
        LLVMValueRef brow = om_cg_add(cx, bbase, om_cg_mad(cx, kk, N, NULL));
        LLVMValueRef j = om_cg_for(cx, &ln, om_cg_i64(cx, 0), om_cg_i64(cx, N), "n");
        LLVMValueRef bz = pbz ? om_cg_convert(cx, om_cg_load(cx, vbz->dtype, pbz, bzn > 1 ? j : om_cg_i64(cx, 0)),
                                              vbz->dtype, OM_DT_INT32)
                              : om_cg_i32(cx, 0);
        LLVMValueRef bv = om_cg_convert(cx, om_cg_load(cx, bt, pb, om_cg_add(cx, brow, j)), bt, OM_DT_INT32);
        LLVMValueRef p = LLVMBuildMul(b, av, LLVMBuildSub(b, bv, bz, ""), "");
        om_cg_store(cx, OM_DT_INT32, accv, j, LLVMBuildAdd(b, om_cg_load(cx, OM_DT_INT32, accv, j), p, ""));
        om_cg_for_end(cx, &ln);
        om_cg_for_end(cx, &lk);
        j = om_cg_for(cx, &ln, om_cg_i64(cx, 0), om_cg_i64(cx, N), "n");
        LLVMValueRef v = om_cg_load(cx, OM_DT_INT32, accv, j);
        if (ql) {
            LLVMValueRef f = LLVMBuildFMul(b, LLVMBuildSIToFP(b, v, cx->f32, ""), mult, "");
            v = om_cg_nn_sat_int(cx, LLVMBuildFAdd(b, om_cg_nn_roundeven(cx, f), yz, ""), OM_DT_FLOAT, yt);
        }
        om_cg_store(cx, yt, py, om_cg_mad(cx, row, N, j), v);
        om_cg_for_end(cx, &ln);
        om_cg_for_end(cx, &lw);
        return OM_OK;
    }
    LLVMValueRef j = om_cg_for(cx, &ln, om_cg_i64(cx, 0), om_cg_i64(cx, N), "n");
    LLVMValueRef bz = pbz ? om_cg_convert(cx, om_cg_load(cx, vbz->dtype, pbz, bzn > 1 ? j : om_cg_i64(cx, 0)),
                                          vbz->dtype, OM_DT_INT32)
                          : om_cg_i32(cx, 0);
    LLVMValueRef acc = om_cg_alloca(cx, cx->i32, "acc");
    LLVMBuildStore(b, om_cg_i32(cx, 0), acc);
    LLVMValueRef kk = om_cg_for(cx, &lk, om_cg_i64(cx, 0), om_cg_i64(cx, K), "k");
    LLVMValueRef av = om_cg_convert(cx, om_cg_load(cx, at, pa, om_cg_add(cx, abase, kk)), at, OM_DT_INT32);
    LLVMValueRef bv = om_cg_convert(cx, om_cg_load(cx, bt, pb, om_cg_add(cx, bbase, om_cg_mad(cx, kk, N, j))), bt,
                                    OM_DT_INT32);
    LLVMValueRef p = LLVMBuildMul(b, LLVMBuildSub(b, av, az, ""), LLVMBuildSub(b, bv, bz, ""), "");
    LLVMBuildStore(b, LLVMBuildAdd(b, LLVMBuildLoad2(b, cx->i32, acc, ""), p, ""), acc);
    om_cg_for_end(cx, &lk);
    LLVMValueRef v = LLVMBuildLoad2(b, cx->i32, acc, "");
    if (ql) {
        LLVMValueRef f = LLVMBuildFMul(b, LLVMBuildSIToFP(b, v, cx->f32, ""), mult, "");
        v = om_cg_nn_sat_int(cx, LLVMBuildFAdd(b, om_cg_nn_roundeven(cx, f), yz, ""), OM_DT_FLOAT, yt);
    }
    om_cg_store(cx, yt, py, om_cg_mad(cx, row, N, j), v);
    om_cg_for_end(cx, &ln);
    om_cg_for_end(cx, &lw);
    return OM_OK;
}
