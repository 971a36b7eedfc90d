/* bf16 dot-product GEMM over K-pair-interleaved packed B (MatMul, Gemm).
 *
 * C = A * B for bf16 A [M, K] (A[i, k] at a_off + i*a_rs + k*a_ks) and a constant bf16 B
 * packed by passes/pack_bf16_weights.c: 32-column panels, panel p at element offset 32p * K,
 * laid out [K/2][w][2] (w = min(32, N - 32p)), so that the 32-bit word q*w + j of a panel is
 * the pair (B'[2q, j], B'[2q+1, j]). K must be even. The node carries om_packed_b = 32 and
 * om_packed_bf16 = 2.
 *
 * Micro-tile mr x nr (the om_cg_gemm_plan tile of the target: 8 x 32 on AVX-512) with f32
 * accumulators in registers over the whole K (one pass): per k pair, one 32-bit broadcast of
 * the A pair of each row (one i32 load when a_ks == 1, else two bf16 loads joined), one
 * <vw x i32> load of B pairs per vector (masked past the tile's columns), and
 *   - with AVX512-BF16 (vw = 16): acc = vdpbf16ps(acc, A pair, B pairs)
 *     (llvm.x86.avx512bf16.dpbf16ps.512: acc[i] += a[2i]*b[2i] + a[2i+1]*b[2i+1]);
 *   - elsewhere: the pairs are split into f32 (bf16 -> f32 is a 16-bit shift / mask of the
 *     32-bit word) and accumulated with two llvm.fmuladd per pair. No libcalls either way.
 * The finished tile is written to a stack f32 scratch tile (mr x nr, allocated once per
 * emit_block call) and handed to `post` (bias, alpha/beta*C, epilogue, rounding into C);
 * without post, C must be f32 and is stored directly.
 *
 * AMX (TMUL), where the target has amx-tile and amx-bf16 (om_cg_gemm_bf16_amx): the full
 * 32-column panels of a block are computed in 32 x 32 blocks of C held in four 16 x 16 f32
 * tiles (tmm0-3), per 32 k: two A tiles of 16 rows x 32 bf16 read in place (stride a_rs,
 * so a_ks must be 1: tmm4-5), two B tiles of 16 pair rows x 16 columns (64 bytes) read in
 * place from the panel (stride one panel row = 128 bytes, the second tile at +64 bytes:
 * tmm6-7), four tdpbf16ps; then the tiles are stored to a 32 x 32 f32 stack scratch for
 * post (the callers always have one: bf16 C). K % 32 != 0: the last step reads the A rows
 * (masked) and the B pair rows into zero-padded stack tiles. Row remainders (M % 32 of a
 * block), the narrow last panel and transposed A stay on the vector kernel below. Each
 * block loads the tile configuration first (all tiles 16 rows x 64 bytes) and releases the
 * tiles at its end.
 * The runtime asks Linux for the tile-data permission when an artifact requires amx-tile
 * (runtime/cpu_features.c); the sums are the same bf16 products in f32 (TDPBF16PS also
 * flushes denormals and rounds to nearest even per dot-product step).
 *
 * Work split and blocking are those of om_cg_gemm_plan (same (mb, nb) blocks, same row and
 * column tiles, b_panel = 32): the caller plans with om_cg_gemm_plan and calls
 * om_cg_gemm_bf16_emit_block instead of om_cg_gemm_emit_block. Results differ from the
 * widening kernel only by float reassociation (pairs are summed in one step; AVX512-BF16
 * also flushes denormal inputs and outputs to zero).
 */
#ifndef OM_CODEGEN_KERNELS_GEMM_BF16_H
#define OM_CODEGEN_KERNELS_GEMM_BF16_H

#include "codegen/kernels/gemm_tile.h"

/* Whether the current target has AVX512-BF16 (vdpbf16ps) and 512-bit vectors. */
bool om_cg_gemm_bf16_native(om_cg_ctx *cx);

/* Whether the current target has AMX-TILE + AMX-BF16 and 512-bit vectors (`omc
 * --mattr=-amx-tile` compiles the vdpbf16ps path instead). */
bool om_cg_gemm_bf16_amx(om_cg_ctx *cx);
/* Whether g suits AMX blocks: a_ks == 1, 32-column panels, a post. */
bool om_cg_gemm_bf16_amx_fits(const om_cg_gemm *g);
/* ldtilecfg of the block configuration (tiles 0-7: 16 rows x 64 bytes, from a stack copy):
 * executed before the first AMX block in each thread (per work item); _end: tilerelease. */
void om_cg_gemm_bf16_amx_begin(om_cg_ctx *cx);
void om_cg_gemm_bf16_amx_end(om_cg_ctx *cx);
/* The stack scratch of om_cg_gemm_bf16_amx_block (64-byte aligned, entry block): the 32 x 32
 * f32 sums (first 4 KiB), then K-tail tiles. */
LLVMValueRef om_cg_gemm_bf16_amx_scratch(om_cg_ctx *cx);
/* One AMX block: C[row .. row+32, col .. col+cols) of g over all of g->K (g must fit;
 * cols <= 32; odd K: B's last pair word holds a zero high half), B pairs at g->b + b_off +
 * 2*q*32 + 2*j (bf16 units; a full 32-column panel, all 32 columns are read and computed). The sums go to `scratch` (row stride 32) and
 * post(row, col, 32, cols, scratch, 0, 32) finishes them. Needs om_cg_gemm_bf16_amx_begin
 * before. With `share` (an i64 value < shares; NULL: none) the block also prefetches into
 * L2 its share of the next panel (panel stride 32*K), as one of `shares` blocks on this
 * panel (gemm_tile.h's prefetch stream) -- or, with `a_next` (an i64 row index; needs
 * a_rs == K), its share of the 32 A rows from a_next (the weights of a convolution, where
 * W is the A operand: the next row block). */
void om_cg_gemm_bf16_amx_block(om_cg_ctx *cx, const om_cg_gemm *g, LLVMValueRef scratch, LLVMValueRef row,
                               LLVMValueRef col, int cols, LLVMValueRef b_off, LLVMValueRef share, int64_t shares,
                               LLVMValueRef a_next);

/* Checks g for the packed bf16 kernel: a_dt and b_dt bf16, b_panel 32, K even, a post when
 * C is not f32. OM_ERR_INVALID_MODEL naming the mismatch otherwise. */
om_status om_cg_gemm_bf16_check(const om_cg_gemm *g);

/* Emits block (mb, nb) of g (planned by om_cg_gemm_plan into bl; checked with
 * om_cg_gemm_bf16_check). */
void om_cg_gemm_bf16_emit_block(om_cg_ctx *cx, const om_cg_gemm *g, const om_cg_gemm_blocking *bl, LLVMValueRef mb,
                                LLVMValueRef nb);

/* One micro-tile for other kernels (conv_bf16.c): C[row .. row+rows, col .. col+cols) of g
 * over all of g->K (odd K allowed: the last pair reads only A[., K-1], and B must hold a zero
 * in the second half of its last pair word), B pairs at g->b + b_off (bf16 units) + 2*q*w +
 * 2*j for pair q and tile column j. rows <= 8 (16 lanes) and cols <= 4 vectors; with
 * g->post the sums go to `scratch` (f32, row stride scratch_rs >= the vector-rounded cols)
 * and post is called, else C (f32) is stored directly. */
void om_cg_gemm_bf16_emit_tile(om_cg_ctx *cx, const om_cg_gemm *g, LLVMValueRef scratch, int64_t scratch_rs,
                               LLVMValueRef row, int rows, LLVMValueRef col, int cols, LLVMValueRef b_off, int64_t w);

#endif
