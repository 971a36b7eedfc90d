/* Shared by the f32 2-D Conv kernel tests: a case description, the graph of one Conv node
 * (W a seeded random constant, optional bias, fused epilogue and residual), and the plain C
 * reference (double accumulation, zero padding by bounds checks) that the kernel's output is
 * checked against with |got - ref| <= tol_rel * (sum |w*x| + 1) (+ 2e-6 relative for the
 * activations). */
#ifndef OM_TESTS_CODEGEN_CG_CONV_REF_H
#define OM_TESTS_CODEGEN_CG_CONV_REF_H

#include <stdbool.h>
#include <stdint.h>

#include "codegen/codegen.h"
#include "ir/ir.h"

typedef struct cg_conv_case {
    int64_t n, c, m, h, w, k, s, d; /* s, d: 0 means 1 */
    int64_t pads[4];                /* top, left, bottom, right */
    bool bias;
    const char *act;                /* NULL: none */
    float alpha, beta;
    int residual;                   /* om_residual */
    int64_t group;                  /* 0 means 1 */
} cg_conv_case;

/* Output spatial sizes of cc. */
void cg_conv_out_size(const cg_conv_case *cc, int64_t *oh, int64_t *ow);
/* The graph y = Conv(x, w, b?, r?) of cc; *out_n the node, *w_data the weights (owned by
 * the caller). */
om_graph *cg_conv_build(const cg_conv_case *cc, om_node **out_n, float **w_data);
/* Compiles g (built by cg_conv_build, possibly rewritten by passes) for `target` (NULL: the
 * host), runs it on seeded random inputs and checks output y against the reference conv of
 * cc with weights w; fails the test naming the case and the first wrong elements. */
void cg_conv_run_check_on(const cg_conv_case *cc, om_graph *g, const float *w, double tol_rel,
                          const om_cg_target_opts *target);
/* The same on the host. */
void cg_conv_run_check(const cg_conv_case *cc, om_graph *g, const float *w, double tol_rel);

/* Calls check(cc) for `base` with every fused activation (parameters set where the activation
 * has them; bias on every other one) and each residual position 0..2, then with the residual
 * alone. */
void cg_conv_each_epilogue(cg_conv_case base, void (*check)(cg_conv_case cc));

#endif
