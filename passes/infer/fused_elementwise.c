/* Shape rule of FusedElementwise (ir/ops/fused.def, made by fuse-elementwise): every input
 * is f32 and Y is the numpy broadcast of all input shapes, f32. The program attributes are
 * checked by the kernel (codegen/kernels/fused_elementwise.c).
 */
#include "passes/infer/infer.h"

om_status om_infer_fused_elementwise(om_graph *g, om_node *n)
{
    om_shape out = {0};
    om_status st;
    for (int i = 0; i < n->n_inputs; i++) {
        om_value *x;
        if ((st = om_infer_need_input(n, i, &x)) != OM_OK)
            return st;
        if (x->dtype != OM_DT_FLOAT)
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "input %d '%s' has dtype %s, expected f32", i, x->name,
                                  om_dtype_name(x->dtype));
        om_shape b;
        int bad = 0;
        if (i == 0) {
            out = x->shape;
            continue;
        }
        if (!om_infer_broadcast(&out, &x->shape, &b, &bad))
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d '%s' does not broadcast (axis %d)", i, x->name, bad);
        out = b;
    }
    return om_infer_set_output(g, n, 0, OM_DT_FLOAT, &out);
}
