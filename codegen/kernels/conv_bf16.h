/* bf16 convolution as an implicit-im2col GEMM on the bf16 dot-product micro-tile
 * (codegen/kernels/conv_bf16.c), reached from the generic Conv emitter (conv.c) for bf16
 * X, W, Y. conv.c validates the node and reads the fused epilogue first; this kernel only
 * decides whether it applies and emits it. Private to codegen/kernels.
 *
 * Per image n: Y[n] [M, OH*OW] = W [M, K] x B [K, OH*OW], K = C*KH*KW, where W is the
 * constant weight tensor read in place (row m, pairs (k, k+1) contiguous: the broadcast A
 * pairs) and B[k = (c, kh, kw), p = (oh, ow)] = X[n, c, oh*SH - PH + kh*DH, ow*SW - PW + kw*DW]
 * (zero outside X). Work items are (image, 32-column tile of OH*OW); each packs its B panel
 * [ceil(K/2)][32][2] (pairs along K, zero past K and past OH*OW) into a stack buffer once,
 * then runs every 8-row tile of M over it with om_cg_gemm_bf16_emit_tile (vdpbf16ps with
 * AVX512-BF16, two f32 FMAs per pair otherwise) -- or, where the target has AMX, first
 * every 32-row block of M with om_cg_gemm_bf16_amx_block (W tiles read
 * in place, B tiles from the panel; the tile configuration is loaded per work item and
 * released at its end), the M % 32 rows left on the 8-row tiles; with AMX a work item
 * packs up to 4 column tiles side by side (<= 576 KiB of stack, at least two items per
 * image when there are two tiles) and runs M-outer, so each W row block is reused across
 * them, while the item's panels share the prefetch of the next W row block (ResNet-50 in
 * bf16 on AMX: 22.3/22.1/21.4 -> 21.3/21.0/20.6 ms at 1 thread, outputs bit-identical)
 * -- and a vector post: + bias[m], the
 * epilogue (Relu or none on vectors; other activations and residuals per element), rounding
 * to bf16 on store. Packing: when the flattened output maps linearly onto the input (stride
 * 1 and OW == IW: 1x1 and "same" convolutions), one masked <32 x i16> load per k row;
 * otherwise 32-bit gathers. Covered: group 1, 1-D/2-D, 512-lane targets (AVX-512), K up
 * to 4608 = 3x3 x 512 channels (the panel, up to 288 KiB, lives on the worker's stack: the
 * runtime's threads use the default pthread stack). Not covered (the generic direct kernel):
 * groups / depthwise, larger K (needs K blocks with partial sums), AVX2 and narrower targets.
 */
#ifndef OM_CODEGEN_KERNELS_CONV_BF16_H
#define OM_CODEGEN_KERNELS_CONV_BF16_H

#include "codegen/kernels/conv_fast.h"

/* Emits the bf16 kernel for geometry g and epilogue ep and sets *done, or leaves the
 * function untouched with *done = false when the case is not covered. */
om_status om_cg_conv_bf16(om_cg_ctx *cx, const om_cg_conv_geom *g, const om_cg_epilogue *ep, bool *done);

#endif
