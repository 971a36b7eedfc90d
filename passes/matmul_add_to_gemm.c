/* matmul-add-to-gemm: MatMul + bias Add -> Gemm with C.
 *
 * Fires on Add(y, c) (either operand order) where y = MatMul(A, B) with A 2-D [M,K], B 2-D
 * [K,N] (constant or not), y's only reader is the Add and y is not a graph output, and c is
 * a constant bias broadcast over rows ([N], [1,N] or one element) that does not widen y.
 * The result is Gemm(A, B, c') (alpha = beta = 1, no transposes; c' is c as [N] f32) writing
 * the Add's output value. Only 2-D A is handled: a batched A ([1,128,768] in BERT) would need
 * Reshapes around the Gemm, and Reshape is a copying kernel today, so those stay MatMul + Add
 * (left for the epilogue fusion into the matmul kernel).
 * Counter: gemms-formed.
 */
#include <stdlib.h>

#include "passes/pattern.h"

om_status om_pass_matmul_add_to_gemm(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "matmul-add-to-gemm: no graph");
    if (changed)
        *changed = false;
    int64_t formed = 0;
    for (size_t k = 0; k < g->n_nodes; k++) {
        om_node *n = g->nodes[k];
        if (!n || n->dead || n->op != OM_OP_ADD)
            continue;
        om_value *y, *c;
        if (!om_pat_split_const(n, &y, &c, NULL))
            continue;
        om_node *mm = om_pat_producer(y, OM_OP_MATMUL);
        if (!mm || mm->n_inputs != 2 || om_node_attr(mm, "om_activation") || !om_pat_single_use(g, y))
            continue;
        om_value *a = om_node_input(mm, 0), *b = om_node_input(mm, 1);
        if (!a || !b || a->shape.rank != 2 || b->shape.rank != 2 || y->dtype != OM_DT_FLOAT ||
            c->dtype != OM_DT_FLOAT || !om_shape_is_static(&y->shape) || y->shape.rank != 2 ||
            !om_shape_equal(&y->shape, &n->outputs[0]->shape))
            continue;
        int64_t N = y->shape.dims[1];
        double *bias = malloc((size_t)(N ? N : 1) * sizeof(double));
        if (!bias)
            return om_error(OM_ERR_NO_MEMORY, "matmul-add-to-gemm: out of memory");
        /* a bias over rows: constant along axis 0, i.e. per "channel" of axis 1 */
        bool ok = om_pat_per_channel(c, &y->shape, 1, bias);
        om_value *c2 = NULL;
        if (ok) {
            char name[96];
            snprintf(name, sizeof name, "%s_bias", n->outputs[0]->name);
            c2 = om_pat_const_f32(g, name, 1, &N, bias);
        }
        free(bias);
        if (!ok)
            continue;
        if (!c2)
            return om_error(OM_ERR_NO_MEMORY, "matmul-add-to-gemm: out of memory");
        om_value *ins[3] = {a, b, c2};
        om_node *gm = om_pat_replace_root(g, n, OM_OP_GEMM, ins, 3);
        if (!gm)
            return om_error(OM_ERR_NO_MEMORY, "matmul-add-to-gemm: out of memory");
        gm->name = mm->name;
        mm->dead = true;
        formed++;
        k++;
    }
    if (formed)
        om_graph_remove_dead(g);
    om_pass_count(opts, "gemms-formed", formed);
    if (changed)
        *changed = formed > 0;
    return OM_OK;
}
