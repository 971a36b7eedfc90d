/* Opset rewrites of the seq op group (table: frontend/rewrites/seq.def).
 *
 *   DFT >= 20   axis is an optional input (default -2); without it the attribute axis = -2
 *               is set, so the shape rule reads one form: the attribute, overridden by a
 *               constant input 2 when present.
 * RNN/GRU/LSTM 1/3/7/14 keep one meaning (layout only appears in 14 with default 0;
 * RNN-1's output_sequence does not change Y when Y is requested); STFT, the windows,
 * MelWeightMatrix (17) and TfIdfVectorizer (9) have a single version.
 */
#include "frontend/fe_internal.h"

om_status om_fe_seq_dft20_axis(om_fe_ctx *ctx, om_fe_node *n)
{
    if (n->n_inputs > 2 && n->inputs[2])
        return OM_OK;
    return om_fe_node_set_int(ctx, n, "axis", -2);
}
