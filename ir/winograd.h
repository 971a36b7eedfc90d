/* The tiling of WinogradConv (ir/ops/fused.def), shared by the pass that creates the node
 * (passes/conv_winograd.c sizes its workspace output) and the kernel that runs it
 * (codegen/kernels/conv_winograd.c): both must agree on the scratch each work item uses.
 *
 * F(4x4, 3x3): the output plane is cut into th x tw tiles of 4x4; a work item is (image,
 * block of R tile rows, block of MBk output channels) and its TB = R*tw tiles are the GEMM
 * columns (rows of TBp = TB rounded up to the vector width VL). Scratch of one item, in
 * floats: V = 36 * C * TBp (transformed input tiles) then Cs = 36 * MBc * TBp (the GEMM
 * results of one chunk of MBc output channels), rounded up to 16 floats; item i uses
 * [i * slot, (i + 1) * slot) of the node's workspace output (no stack, no sharing between
 * threads: items are what the runtime splits over threads).
 */
#ifndef OM_IR_WINOGRAD_H
#define OM_IR_WINOGRAD_H

#include <stdint.h>

#define OM_WINOGRAD_MR 8 /* GEMM micro-tile rows = the weights' run length ([36][M/8][C][8]) */

typedef struct om_winograd_plan {
    int64_t th, tw;       /* tiles per column / row */
    int64_t R, TB, TBp;   /* tile rows per item, GEMM columns, their row stride */
    int64_t nrb, nmb;     /* row blocks, output-channel blocks */
    int64_t MBk, MBc;     /* output channels per item, per GEMM chunk (MBc divides MBk) */
    int64_t items;        /* N * nrb * nmb work items */
    int64_t slot;         /* scratch floats per item (V then Cs) */
} om_winograd_plan;

/* The plan for N images of C -> M channels (M a multiple of 8) with an OH x OW output on a
 * target with VL f32 lanes. */
void om_winograd_plan_make(int64_t N, int64_t C, int64_t M, int64_t OH, int64_t OW, int VL, om_winograd_plan *p);

/* Workspace floats enough for every vector width the kernel targets (4, 8, 16 lanes). */
int64_t om_winograd_workspace_floats(int64_t N, int64_t C, int64_t M, int64_t OH, int64_t OW);

#endif
