/* Transpose with a general permutation (attribute perm; default: reversed dims).
 *
 * Loops run over the output in order (stores are contiguous); the input offset of output
 * dim i moves by the input stride of dim perm[i]. Size-1 dims are dropped and output dims
 * that are also adjacent and in order in the input are merged, so e.g. NCHW->NHWC becomes
 * a 3-deep nest and an identity permutation a flat copy loop. The leading merged dims form
 * the parallel work loop (cg_nest.h). Any dtype with a size (moved as integers of that size).
 */
#include "codegen/cg_internal.h"
#include "codegen/cg_nest.h"

/* leading dims are fused into the parallel loop until it has this many items */
#define MIN_WORK 256

static om_dtype bits_dtype(size_t size)
{
    switch (size) {
    case 1: return OM_DT_UINT8;
    case 2: return OM_DT_UINT16;
    case 4: return OM_DT_UINT32;
    case 8: return OM_DT_UINT64;
    default: return OM_DT_UNDEFINED;
    }
}

om_status om_cg_emit_transpose(om_cg_ctx *cx, const om_node *n)
{
    const om_value *X = om_node_input(n, 0), *Y = n->outputs[0];
    if (!X)
        return om_cg_unsupported(cx, "input 0 is required");
    om_dtype mdt = bits_dtype(om_dtype_size(X->dtype));
    if (mdt == OM_DT_UNDEFINED || X->dtype != Y->dtype)
        return om_cg_unsupported(cx, "dtype %s not supported by this kernel", om_dtype_name(X->dtype));
    int r = X->shape.rank;
    if (Y->shape.rank != r)
        return om_cg_unsupported(cx, "output rank %d differs from input rank %d", Y->shape.rank, r);
    int64_t perm[OM_MAX_RANK];
    const int64_t *p = NULL;
    int np = om_node_ints(n, "perm", &p);
    if (np < 0) {
        for (int i = 0; i < r; i++)
            perm[i] = r - 1 - i;
    } else {
        if (np != r)
            return om_cg_unsupported(cx, "perm has %d entries for rank %d", np, r);
        bool seen[OM_MAX_RANK] = {0};
        for (int i = 0; i < r; i++) {
            int64_t v = p[i] < 0 ? p[i] + r : p[i];
            if (v < 0 || v >= r || seen[v])
                return om_cg_unsupported(cx, "perm is not a permutation of 0..%d", r - 1);
            seen[v] = true;
            perm[i] = v;
        }
    }
    int64_t xs[OM_MAX_RANK], acc = 1;
    for (int i = r - 1; i >= 0; i--) {
        xs[i] = acc;
        acc *= X->shape.dims[i];
    }
    for (int i = 0; i < r; i++)
        if (Y->shape.dims[i] != X->shape.dims[perm[i]])
            return om_cg_unsupported(cx, "output dim %d is %lld, expected %lld", i,
                                     (long long)Y->shape.dims[i], (long long)X->shape.dims[perm[i]]);
    /* merged dims (extent, input stride, output stride) */
    int m = 0;
    int64_t md[OM_MAX_RANK + 1], mx[OM_MAX_RANK + 1], my[OM_MAX_RANK + 1];
    int64_t ys[OM_MAX_RANK];
    acc = 1;
    for (int i = r - 1; i >= 0; i--) {
        ys[i] = acc;
        acc *= Y->shape.dims[i];
    }
    for (int i = 0; i < r; i++) {
        int64_t d = Y->shape.dims[i], sx = xs[perm[i]];
        if (d == 1)
            continue;
        if (m > 0 && mx[m - 1] == sx * d && my[m - 1] == ys[i] * d) {
            md[m - 1] *= d;
            mx[m - 1] = sx;
            my[m - 1] = ys[i];
            continue;
        }
        md[m] = d;
        mx[m] = sx;
        my[m] = ys[i];
        m++;
    }
    if (m == 0) {
        md[0] = 1;
        mx[0] = my[0] = 0;
        m = 1;
    }
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    int64_t st[2][OM_MAX_RANK + 1];
    for (int i = 0; i < m; i++) {
        st[0][i] = mx[i];
        st[1][i] = my[i];
    }
    om_cg_nest nest;
    LLVMValueRef off[2];
    om_cg_nest_open(cx, &nest, m, md, 2, (const int64_t (*)[OM_MAX_RANK + 1])st, MIN_WORK, off);
    om_cg_store(cx, mdt, py, off[1], om_cg_load(cx, mdt, px, off[0]));
    om_cg_nest_close(cx, &nest);
    return OM_OK;
}
