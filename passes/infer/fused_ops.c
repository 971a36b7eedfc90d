/* Shape rules of the fused ops of ir/ops/fused.def (made by graph passes).
 *
 * fused_gelu: Gelu(X) -> Y, elementwise: Y has X's dtype (a float type) and shape; the
 * attribute approximate, when present, is "none" or "tanh".
 */
#include <string.h>

#include "passes/infer/infer.h"

om_status om_infer_fused_gelu(om_graph *g, om_node *n)
{
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK)
        return st;
    st = om_infer_check_float(n, 0);
    if (st != OM_OK)
        return st;
    const char *ap = om_node_string(n, "approximate", "none");
    if (strcmp(ap, "none") != 0 && strcmp(ap, "tanh") != 0)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute approximate is '%s', expected \"none\" or \"tanh\"",
                              ap);
    return om_infer_set_output(g, n, 0, x->dtype, &x->shape);
}
