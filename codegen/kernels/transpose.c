/* Transpose with a general permutation (attribute perm; default: reversed dims).
 *
 * Loops run over the output in order (stores are contiguous); the input offset of output
 * dim i moves by the input stride of dim perm[i]. Size-1 dims are dropped and output dims
 * that are also adjacent and in order in the input are merged, so e.g. NCHW->NHWC becomes
 * a 3-deep nest and an identity permutation a flat copy loop. The leading merged dims form
 * the parallel work loop (cg_nest.h). Any dtype with a size (moved as integers of that size).
 *
 * Tiled path (4-byte dtypes): when the output's innermost merged dim a is strided in the
 * input and another merged dim q is the input's contiguous one, both a multiple of the
 * lane count T, the loops run over T x T tiles of (q, a): T vector loads along q, an
 * in-register transpose (log2 T stages of two-source shufflevectors: rows i and i+h swap
 * their h-lane blocks, h = T/2 .. 1), T vector stores along a. Pure data movement: the
 * result is the same bits as the element loop's.
 */
#include "codegen/cg_internal.h"
#include "codegen/cg_nest.h"
#include "codegen/kernels/ew_vec.h"

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

/* The T x T tile path (see the header); false when the merged dims do not fit it. */
static bool tile_fits(int m, const int64_t *md, const int64_t *mx, int T, int *q_out)
{
    if (m < 2 || mx[m - 1] == 1)
        return false;
    for (int q = 0; q < m - 1; q++)
        if (mx[q] == 1) {
            *q_out = q;
            return md[q] % T == 0 && md[m - 1] % T == 0;
        }
    return false;
}

static void emit_tiles(om_cg_ctx *cx, int m, const int64_t *md, const int64_t *mx, const int64_t *my, int q, int T)
{
    LLVMBuilderRef b = cx->b;
    LLVMValueRef px = om_cg_in(cx, 0), py = om_cg_out(cx, 0);
    /* loops over every dim, with q and a = m-1 counted in tiles */
    int64_t dims[OM_MAX_RANK + 1], st[2][OM_MAX_RANK + 1];
    for (int i = 0; i < m; i++) {
        bool tiled = i == q || i == m - 1;
        dims[i] = tiled ? md[i] / T : md[i];
        st[0][i] = tiled ? mx[i] * T : mx[i];
        st[1][i] = tiled ? my[i] * T : my[i];
    }
    om_cg_nest nest;
    LLVMValueRef off[2];
    om_cg_nest_open(cx, &nest, m, dims, 2, (const int64_t (*)[OM_MAX_RANK + 1])st, MIN_WORK, off);
    LLVMValueRef r[64];
    /* r_i = X[tile origin + i along a, T along q] */
    for (int i = 0; i < T; i++)
        r[i] = om_cg_vec_load(cx, cx->i32, px, om_cg_add(cx, off[0], om_cg_i64(cx, i * mx[m - 1])), T, T);
    for (int h = T / 2; h >= 1; h /= 2) {
        LLVMValueRef lo[64], hi[64];
        for (int l = 0; l < T; l++) {
            lo[l] = om_cg_i32(cx, (l & h) == 0 ? l : T + l - h);
            hi[l] = om_cg_i32(cx, (l & h) == 0 ? l + h : T + l);
        }
        LLVMValueRef mlo = LLVMConstVector(lo, (unsigned)T), mhi = LLVMConstVector(hi, (unsigned)T);
        for (int i = 0; i < T; i++) {
            if (i & h)
                continue;
            LLVMValueRef a = r[i], c = r[i + h];
            r[i] = LLVMBuildShuffleVector(b, a, c, mlo, "");
            r[i + h] = LLVMBuildShuffleVector(b, a, c, mhi, "");
        }
    }
    /* r_j = Y[tile origin + j along q, T along a] */
    for (int j = 0; j < T; j++)
        om_cg_vec_store(cx, py, om_cg_add(cx, off[1], om_cg_i64(cx, j * my[q])), r[j], T);
    om_cg_nest_close(cx, &nest);
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
    int T = om_cg_vec_lanes(cx), q = -1;
    if (om_dtype_size(X->dtype) == 4 && tile_fits(m, md, mx, T, &q)) {
        emit_tiles(cx, m, md, mx, my, q, T);
        return OM_OK;
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
