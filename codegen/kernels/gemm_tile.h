/* Register-blocked GEMM building blocks for kernel emitters (Gemm, MatMul, 1x1 Conv):
 * f32 arithmetic, f32/f16/bf16 operands.
 *
 * Two levels, both emitted at the builder's current position (cx->b) with explicit LLVM
 * vector types <vw x float>, vw from the target (16 with AVX-512F, 8 with AVX/AVX2, 4 on
 * SSE-only x86 and AArch64 NEON; om_cg_gemm_vec_width):
 *
 * 1. The micro-tile (om_cg_gemm_tile_emit): an mr x nr block of C held in mr * ceil(nr/vw)
 *    vector registers over a k loop of compile-time length kc:
 *        C[r, j] (+)= sum_{k < kc} A[r, k] * B[k, j]          r < mr, j < nr
 *    A[r, k] is one scalar broadcast to a vector (any strides), B[k, j..j+vw) is one
 *    contiguous vector load (B rows are contiguous in j: a packed panel or a row-major
 *    matrix), accumulation with llvm.fmuladd (one fma where the target has FMA). Columns
 *    nr..nv*vw are masked (llvm.masked.load/store): nothing past column nr is read from B
 *    or C. With accumulate the tile first loads C, else it overwrites C. Element addresses
 *    (in elements of each operand's dtype; offsets are i64 values, strides compile-time):
 *        A[r, k] = a[a_off + r * a_rs + k * a_ks]
 *        B[k, j] = b[b_off + k * b_ks + j]
 *        C[r, j] = c[c_off + r * c_rs + j]
 *    The k loop is unrolled by 4 (kc % 4 remainder straight-line); all mr/nr code is
 *    straight-line. The register budget is the caller's: om_cg_gemm_tile_shape gives the
 *    tile the target fits (AVX-512: 8 x 32; AVX2 and NEON: 6 x 16; SSE: 6 x 8; the planner
 *    below widens it to 12 x 32 for f32 operands on AVX-512, and to 6 x 64 over two packed
 *    panels (b_half) for large f32 products with K blocks of 512 to 1024). With a prefetch stream
 *    (pf_div > 0) the tile also prefetches its share of the next packed panel into L2.
 *
 * 2. The blocked matrix product (om_cg_gemm_plan + om_cg_gemm_emit_block): C = A * B for
 *    one M x N x K matrix, split in m-blocks x n-blocks (work items: the caller maps its
 *    om_cg_for_work index onto (mb, nb) and emits one block per item; blocks never share
 *    an output row segment, block edges sit on multiples of 32 columns / mr rows), inside a
 *    block K-blocked by kc (at most 256, B micro-panel kc x nr stays in L1, A block in L2;
 *    f32 operands on AVX-512: at most 2048, fewer round trips of C), loops
 *    kblock -> column tile -> row tile -> micro-tile. With 6 x 64 tiles the regular column
 *    tiles are pairs of panels; a panel left over and the partial panel follow in the last
 *    n-block. B is either
 *      - packed (b_panel = P > 0): B' [K, N] stored as ceil(N/P) column panels; panel p
 *        holds columns [p*P, p*P + w), w = min(P, N - p*P), row-major [K, w], at element
 *        offset p * P * K (the layout passes/pack_gemm_weights.c writes, P = 32), or
 *      - row-major (b_panel = 0): B[k, j] at b_off + k * b_ks + j (activations, attention).
 *    After the last K block of a micro-tile, `post` (optional) is called once per tile to
 *    finish it (bias, alpha/beta*C, activation, residual): it gets the tile's first row and
 *    column (i64 values, matrix coordinates), its compile-time size and where the f32 sums
 *    are; C[r, j] of the tile is at c_off + (row + r) * c_rs + col + j.
 *    f16/bf16 operands are widened to f32 on load (A, B, any mix); sums are f32. A 16-bit C
 *    is computed in one K pass into an f32 scratch tile (mr x nr floats of stack, allocated
 *    once per om_cg_gemm_emit_block call) which `post` rounds into C once, as the naive
 *    kernels do.
 *
 * Results differ from a naive i-k-j loop only by float reassociation (K blocks are summed
 * in order; within a block each output is one fma chain over k), and do not depend on how
 * the work items are split over threads. C must not alias A, B or anything `post` reads
 * (K blocks store partial sums into C; plan-memory never shares a node's input and output
 * buffers). Nothing is allocated: A and B are read in place (an A block copy for rows a
 * multiple of 4 KiB apart was measured no faster with 8-row tiles on Zen 5).
 */
#ifndef OM_CODEGEN_KERNELS_GEMM_TILE_H
#define OM_CODEGEN_KERNELS_GEMM_TILE_H

#include "codegen/cg_internal.h"

/* f32 lanes of the widest vector register the current target has (16, 8 or 4). */
int om_cg_gemm_vec_width(om_cg_ctx *cx);
/* The micro-tile the current target fits: *mr rows, *nr columns (a multiple of the vector
 * width; 32 on AVX-512, 16 on AVX2/NEON, 8 on SSE). */
void om_cg_gemm_tile_shape(om_cg_ctx *cx, int *mr, int *nr);

typedef struct om_cg_gemm_tile {
    LLVMValueRef a, b, c;             /* base pointers (C is f32) */
    om_dtype a_dt, b_dt;              /* element types of A and B: f32 (or 0), f16, bf16 */
    LLVMValueRef a_off, b_off, c_off; /* i64 element offsets */
    int64_t a_rs, a_ks, b_ks, c_rs;   /* element strides */
    int64_t b_half;                   /* != 0: the tile's columns 32.. come from b_half elements
                                         further (a 64-column tile over two packed 32-column
                                         panels: B[k, 32 + j] at b_off + b_half + k*b_ks + j) */
    int mr, nr;                       /* 1..16 rows, 1..4*vw columns */
    int64_t kc;                       /* >= 1 */
    bool accumulate;                  /* C += A*B instead of C = A*B */
    /* Prefetch stream (pf_div > 0): per GT_UNROLL steps of the k loop starting at step k,
     * prefetch (L2) the 64-byte lines (pf_line0 + k * pf_lines_per_k) / pf_div + j,
     * j < ceil(GT_UNROLL * pf_lines_per_k / pf_div), of the region that starts at B element
     * b_off + pf_origin. The blocked product gives each of a block's pf_div row tiles
     * (pf_line0 = its index * kc * lines per B row) an equal share of the next B panel, so
     * the panel streams in from memory while all of them run instead of during the first. */
    LLVMValueRef pf_line0;
    int64_t pf_origin, pf_lines_per_k, pf_div;
    int64_t pf_origin2;               /* != 0: a second region, same shares, at this origin */
    int64_t a_prefetch;               /* != 0: per k, prefetch (L2) the line of element
                                         A[0, k] + a_prefetch (A streamed from memory) */
} om_cg_gemm_tile;
void om_cg_gemm_tile_emit(om_cg_ctx *cx, const om_cg_gemm_tile *t);

/* Finishes the tile C[row .. row+rows, col .. col+cols): the f32 sums of element (r, j) are
 * at acc[acc_off + r * acc_rs + j]. With an f32 C, acc is C itself (rewrite in place);
 * with a 16-bit C, acc is a stack scratch tile and the post must store every element of
 * the tile into C (converted to c_dt). */
typedef void (*om_cg_gemm_post_fn)(om_cg_ctx *cx, void *user, LLVMValueRef row, LLVMValueRef col, int rows,
                                   int cols, LLVMValueRef acc, LLVMValueRef acc_off, int64_t acc_rs);

typedef struct om_cg_gemm {
    int64_t M, N, K;                  /* >= 1 each */
    om_dtype a_dt, b_dt, c_dt;        /* f32 (or 0), f16 or bf16 each; a 16-bit C needs post */
    LLVMValueRef a, b, c;             /* base pointers */
    LLVMValueRef a_off, b_off, c_off; /* i64 element offsets of this matrix (NULL: 0) */
    int64_t a_rs, a_ks;               /* A[i, k] at a_off + i*a_rs + k*a_ks */
    int64_t b_panel;                  /* > 0: packed panels of b_panel columns (see above) */
    int64_t b_ks;                     /* b_panel == 0: B[k, j] at b_off + k*b_ks + j */
    int64_t c_rs;                     /* C[i, j] at c_off + i*c_rs + j */
    om_cg_gemm_post_fn post;          /* NULL: none */
    void *post_user;
} om_cg_gemm;

typedef struct om_cg_gemm_blocking {
    int mr, nr;                       /* micro-tile */
    int64_t kc;                       /* K block */
    int64_t mb, nb;                   /* rows / columns per block (multiples of mr / of 32) */
    int64_t m_blocks, n_blocks;       /* work items = m_blocks * n_blocks */
} om_cg_gemm_blocking;

/* Chooses the tile and blocking for g on the current target. `items_hint` is the number of
 * independent matrices the caller also splits over (batch), so that small problems are cut
 * finer when they are few. OM_ERR_INVALID_MODEL for sizes < 1 or a bad panel width. */
om_status om_cg_gemm_plan(om_cg_ctx *cx, const om_cg_gemm *g, int64_t items_hint, om_cg_gemm_blocking *bl);
/* Emits block (mb, nb) (i64 values in [0, m_blocks) x [0, n_blocks)) of g. */
void om_cg_gemm_emit_block(om_cg_ctx *cx, const om_cg_gemm *g, const om_cg_gemm_blocking *bl, LLVMValueRef mb,
                           LLVMValueRef nb);

#endif
