/* See cg_epilogue_ref.h. */
#include "tests/unit/codegen/cg_epilogue_ref.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

double cg_ref_act(const char *a, double alpha, double beta, double x)
{
    if (!a)
        return x;
    if (!strcmp(a, "Relu"))
        return x > 0 ? x : 0;
    if (!strcmp(a, "Clip"))
        return x < alpha ? alpha : x > beta ? beta : x;
    if (!strcmp(a, "LeakyRelu"))
        return x < 0 ? alpha * x : x;
    if (!strcmp(a, "HardSigmoid")) {
        double t = alpha * x + beta;
        return t < 0 ? 0 : t > 1 ? 1 : t;
    }
    if (!strcmp(a, "HardSwish")) {
        double t = x / 6 + 0.5;
        return x * (t < 0 ? 0 : t > 1 ? 1 : t);
    }
    if (!strcmp(a, "Sigmoid"))
        return 1 / (1 + exp(-x));
    if (!strcmp(a, "SiLU"))
        return x / (1 + exp(-x));
    if (!strcmp(a, "Tanh"))
        return tanh(x);
    if (!strcmp(a, "Gelu"))
        return 0.5 * x * (1 + erf(x / sqrt(2.0)));
    if (!strcmp(a, "GeluTanh"))
        return 0.5 * x * (1 + tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
    fail_msg("no reference for activation %s", a);
    return 0;
}

void cg_set_epilogue(om_graph *g, om_node *n, const char *a, float alpha, float beta, int residual)
{
    if (a) {
        assert_int_equal(om_node_set_string(g, n, "om_activation", a), OM_OK);
        if (!strcmp(a, "Clip") || !strcmp(a, "LeakyRelu") || !strcmp(a, "HardSigmoid"))
            assert_int_equal(om_node_set_float(g, n, "om_alpha", alpha), OM_OK);
        if (!strcmp(a, "Clip") || !strcmp(a, "HardSigmoid"))
            assert_int_equal(om_node_set_float(g, n, "om_beta", beta), OM_OK);
    }
    if (residual)
        assert_int_equal(om_node_set_int(g, n, "om_residual", residual), OM_OK);
}
