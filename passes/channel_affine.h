/* Folding a per-output-channel affine map y' = y * scale[c] + shift[c] into the producer of
 * y when that producer is a Conv, Gemm or 2-D MatMul with constant f32 weights; shared by
 * fold-batchnorm and fold-mul-add.
 *
 * Conv(X, W[M,...], B?)          -> Conv(X, W * scale[m], B * scale + shift)       (channel axis 1)
 * Gemm(A, B, C?) alpha, beta     -> Gemm(A, B * scale[n], beta C scale + shift), beta = 1
 *                                   (C absent, or constant per column: [N], [1,N], scalar)
 * MatMul(A[M,K], B[K,N] const)   -> Gemm(A, B * scale[n], shift)
 * The new node is inserted before `root` and produces root's output 0 value (whose type
 * must equal the producer's output type); root and the producer are marked dead (the
 * producer's output must have root as its only reader: the caller checks). Weights are new
 * constants (the old ones may be shared). Products are computed in double and rounded
 * once to f32.
 */
#ifndef OM_PASSES_CHANNEL_AFFINE_H
#define OM_PASSES_CHANNEL_AFFINE_H

#include "passes/pattern.h"

/* Number of output channels of a foldable producer p (Conv/Gemm/MatMul as above with
 * static shapes and constant f32 weights), or -1 when p cannot absorb a channel affine map. */
int64_t om_pat_affine_channels(const om_node *p);

/* Performs the fold; scale/shift have om_pat_affine_channels(p) entries (shift may be NULL:
 * zeros). *done false (and no change) when p does not qualify. Errors: out of memory. */
om_status om_pat_fold_affine(om_graph *g, om_node *p, om_node *root, const double *scale, const double *shift,
                             bool *done);

#endif
