/* Fused epilogues of the Conv, Gemm and MatMul kernels (made by the fuse-epilogue pass,
 * passes/fuse_epilogue.c), applied to each output element just before it is stored.
 *
 * The epilogue is described by attributes of the kernel node:
 *   om_activation  STRING  "" (none) | Relu | Clip | Sigmoid | HardSigmoid | HardSwish |
 *                          LeakyRelu | SiLU (x*sigmoid(x)) | Gelu | GeluTanh | Tanh
 *   om_alpha, om_beta FLOAT the activation's parameters (Clip: min, max, each absent when
 *                          that bound is absent; HardSigmoid: alpha, beta; LeakyRelu: alpha)
 *   om_residual    INT     0: none; 1: Y = act(acc + R); 2: Y = act(acc) + R, where R is the
 *                          node's input 3 with exactly Y's shape and dtype
 *   om_round_f16   INT     1: the result is rounded to the nearest f16 (and stored as f32):
 *                          what Cast to f16 and back would do, set by conv-f16-widen
 * MatMul's bias (its optional input 2, [N] broadcast over rows) is added by matmul.c before
 * the epilogue. The activation is computed in f32 (f64 accumulators: Relu, Clip, LeakyRelu,
 * HardSigmoid/HardSwish exactly in f64; the transcendental ones are refused).
 */
#ifndef OM_CODEGEN_CG_EPILOGUE_H
#define OM_CODEGEN_CG_EPILOGUE_H

#include "codegen/cg_internal.h"

typedef enum om_cg_act {
    OM_CG_ACT_NONE, OM_CG_ACT_RELU, OM_CG_ACT_CLIP, OM_CG_ACT_SIGMOID, OM_CG_ACT_HARD_SIGMOID,
    OM_CG_ACT_HARD_SWISH, OM_CG_ACT_LEAKY_RELU, OM_CG_ACT_SILU, OM_CG_ACT_GELU, OM_CG_ACT_GELU_TANH,
    OM_CG_ACT_TANH
} om_cg_act;

typedef struct om_cg_epilogue {
    om_cg_act act;
    float alpha, beta;
    bool has_alpha, has_beta;
    int residual;          /* 0, 1 (before act) or 2 (after act) */
    bool round_f16;        /* round the final f32 value through f16 */
    om_dtype dt;           /* the tensor dtype of Y and R */
    LLVMValueRef res;      /* base of R when residual != 0 */
} om_cg_epilogue;

/* The activation named s (NULL/"" -> NONE); false for an unknown name. */
bool om_cg_act_parse(const char *s, om_cg_act *out);

/* Reads the epilogue attributes of the current node n (output 0 is Y) and checks them:
 * the activation name, om_residual in 0..2 and input `res_input` present with Y's dtype and
 * shape when om_residual != 0. adt is the accumulator dtype the kernel computes in. Loads
 * nothing yet except R's base address. */
om_status om_cg_epilogue_read(om_cg_ctx *cx, const om_node *n, int res_input, om_dtype adt, om_cg_epilogue *ep);

/* True when the epilogue does anything. */
bool om_cg_epilogue_active(const om_cg_epilogue *ep);

/* Applies the epilogue to v (an accumulator-typed value of Y's element at flat index
 * y_index) and returns the new accumulator-typed value. */
LLVMValueRef om_cg_epilogue_apply(om_cg_ctx *cx, const om_cg_epilogue *ep, om_dtype adt, LLVMValueRef v,
                                  LLVMValueRef y_index);

/* v (f32, scalar or vector) rounded through f16 when ep->round_f16, else v: the last step of
 * every epilogue (om_cg_epilogue_apply includes it; the vector kernels call it last). */
LLVMValueRef om_cg_epilogue_round(om_cg_ctx *cx, const om_cg_epilogue *ep, LLVMValueRef v);

/* The activation of ep on v: an adt scalar or a vector of them (f32 for the transcendental
 * ones); constants are splatted to v's type. */
LLVMValueRef om_cg_act_apply(om_cg_ctx *cx, const om_cg_epilogue *ep, om_dtype adt, LLVMValueRef v);

#endif
