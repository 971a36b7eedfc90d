/* Shared by the kernel tests that check fused epilogues (Conv, Gemm/MatMul, fused tests):
 * a double-precision reference of the activations cg_epilogue.c implements, and the node
 * attributes fuse-epilogue sets. */
#ifndef OM_TESTS_CODEGEN_CG_EPILOGUE_REF_H
#define OM_TESTS_CODEGEN_CG_EPILOGUE_REF_H

#include "ir/ir.h"

/* act(x) for om_activation `act` (NULL: identity) with om_alpha / om_beta where the
 * activation uses them; fails the test on an unknown name. */
double cg_ref_act(const char *act, double alpha, double beta, double x);

/* Sets om_activation (when act is not NULL), om_alpha (Clip, LeakyRelu, HardSigmoid),
 * om_beta (Clip, HardSigmoid) and om_residual (when not 0) on n, asserting success. */
void cg_set_epilogue(om_graph *g, om_node *n, const char *act, float alpha, float beta, int residual);

#endif
