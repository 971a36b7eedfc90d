/* See pack_b_operand.h. */
#include "passes/pack_b_operand.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct pack_memo {
    const om_value *orig;
    bool trans;
    om_value *packed;
} pack_memo;

om_status om_pass_pack_b_operands(om_graph *g, const om_pass_opts *opts, bool *changed,
                                  const om_pass_pack_b_kind *kind)
{
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "%s: no graph", kind->pass);
    if (changed)
        *changed = false;
    om_status st = OM_OK;
    pack_memo *memo = NULL;
    size_t n_memo = 0, cap_memo = 0;
    void *buf = NULL;
    int64_t rewritten = 0, packed = 0, bytes = 0;
    for (size_t k = 0; k < g->n_nodes; k++) {
        om_node *n = g->nodes[k];
        int64_t K, N;
        bool trans;
        if (!kind->candidate(n, &K, &N, &trans))
            continue;
        om_value *b = n->inputs[1];
        om_value *pv = NULL;
        for (size_t i = 0; i < n_memo && !pv; i++)
            if (memo[i].orig == b && memo[i].trans == trans)
                pv = memo[i].packed;
        if (!pv) {
            buf = malloc(b->nbytes);
            if (!buf)
                goto nomem;
            kind->pack(b, buf, K, N, trans);
            char name[160];
            snprintf(name, sizeof name, "%s%s", b->name, kind->suffix);
            pv = om_graph_add_constant(g, name, b->dtype, &b->shape, buf, b->nbytes);
            free(buf);
            buf = NULL;
            if (!pv) {
                st = om_error_prefix(OM_ERR_NO_MEMORY, "%s: node '%s' (%s), constant '%s': ", kind->pass,
                                     n->name ? n->name : "", om_op_name(n->op), b->name);
                goto fail;
            }
            if (n_memo == cap_memo) {
                size_t cap = cap_memo ? 2 * cap_memo : 16;
                pack_memo *m = realloc(memo, cap * sizeof *m);
                if (!m)
                    goto nomem;
                memo = m;
                cap_memo = cap;
            }
            memo[n_memo++] = (pack_memo){b, trans, pv};
            packed++;
            bytes += (int64_t)b->nbytes;
        }
        for (int a = 0; a < kind->n_attrs; a++)
            if ((st = om_node_set_int(g, n, kind->attrs[a], kind->values[a])) != OM_OK)
                goto fail;
        n->inputs[1] = pv;
        rewritten++;
    }
    om_pass_count(opts, "weights-packed", rewritten);
    om_pass_count(opts, "constants-packed", packed);
    om_pass_count(opts, "bytes-packed", bytes);
    if (changed)
        *changed = rewritten > 0;
    free(memo);
    return OM_OK;
nomem:
    st = om_error(OM_ERR_NO_MEMORY, "%s: out of memory", kind->pass);
fail:
    free(buf);
    free(memo);
    return st;
}
