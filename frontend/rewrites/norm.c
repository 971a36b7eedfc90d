/* Opset rewrites of the norm op group (table: frontend/rewrites/norm.def).
 *
 *   LogSoftmax, Hardmax < 13   attribute coerce_2d = 1 and an explicit axis (default 1):
 *                              dims [axis, rank) form one block, as for Softmax < 13
 *                              (frontend/opset_rewrites.c); passes and codegen read the
 *                              same two attributes for the whole softmax family.
 * The other ops of the group (LayerNormalization 17, InstanceNormalization 1/6, LRN 1/13,
 * MeanVarianceNormalization 9/13, the losses 12/13) have one meaning across their versions
 * (InstanceNormalization-1's consumed_inputs is dropped by the generic opset < 7 rewrite).
 */
#include "frontend/fe_internal.h"

om_status om_fe_norm_softmax_coerce_2d(om_fe_ctx *ctx, om_fe_node *n)
{
    if (!om_fe_node_attr(n, "axis")) {
        om_status st = om_fe_node_set_int(ctx, n, "axis", 1);
        if (st != OM_OK)
            return st;
    }
    return om_fe_node_set_int(ctx, n, "coerce_2d", 1);
}
