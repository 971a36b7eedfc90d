/* fold-constants: one sweep in g->nodes order folding every node whose inputs are all
 * constants (and Shape/Size of static inputs) into constants, with the rules of fold.h.
 * Needs dtypes and static shapes (run infer-shapes first; infer-shapes itself already folds
 * as it goes, so this pass matters for graphs whose constants appear later, e.g. after a
 * rewrite). Folded nodes are dropped; their inputs that nothing reads any more are left for
 * dce. A second run finds nothing to fold.
 * Counters: nodes-folded.
 */
#include "passes/fold.h"

om_status om_pass_fold_constants(om_graph *g, const om_pass_opts *opts, bool *changed)
{
    if (changed)
        *changed = false;
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "fold-constants: no graph");
    int64_t folded = 0;
    for (size_t k = 0; k < g->n_nodes; k++) {
        bool f = false;
        om_status st = om_fold_node(g, g->nodes[k], opts, &f);
        if (st != OM_OK)
            return st;
        folded += f;
    }
    if (folded)
        om_graph_remove_dead(g);
    om_pass_count(opts, "nodes-folded", folded);
    if (changed && folded)
        *changed = true;
    return OM_OK;
}
