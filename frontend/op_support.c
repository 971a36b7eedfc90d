/* Which ONNX op types the frontend imports, and the message for those it does not.
 *
 * The table is derived from ir/ops.def (every IR op but the pass-made ones of
 * ir/ops/internal.def is an ONNX op of the default domain) plus the op types the frontend consumes itself: Constant (becomes a constant value) and
 * Dropout (rewritten to Identity). All are handled from the oldest supported opset
 * (OM_FE_OPSET_MIN); older op versions are canonicalized by opset_rewrites.c.
 * om_fe_supported_ops returns the constant table (IR ops in ops.def order, then the
 * frontend's own); the message lists them sorted by name.
 */
#include "frontend/fe_internal.h"

#include <stdlib.h>
#include <string.h>

/* IR ops in ops.def order, then the frontend-only op types. */
static const om_fe_op_support g_supported[] = {
#define OM_OP(e, name, min_in, max_in, min_out, max_out, family) {name, OM_FE_OPSET_MIN},
/* ir/ops.def's groups but internal.def (pass-made ops: FusedElementwise, WinogradConv) */
#include "ir/ops/core.def"
#include "ir/ops/math.def"
#include "ir/ops/logic.def"
#include "ir/ops/reduce.def"
#include "ir/ops/norm.def"
#include "ir/ops/tensor.def"
#include "ir/ops/nn.def"
#include "ir/ops/seq.def"
#include "ir/ops/fused.def"
#undef OM_OP
    {"Constant", OM_FE_OPSET_MIN},
    {"Dropout", OM_FE_OPSET_MIN},
    /* resolved at import time (onnx_control.c, onnx_sequence.c) */
    {"If", OM_FE_OPSET_MIN},
    {"Loop", OM_FE_OPSET_MIN},
    {"Scan", 8},
    {"SequenceConstruct", 11},
    {"SequenceEmpty", 11},
    {"SequenceInsert", 11},
    {"SequenceErase", 11},
    {"SequenceAt", 11},
    {"SequenceLength", 11},
    {"ConcatFromSequence", 11},
    {"SplitToSequence", 11},
    {"Optional", 15},
    {"OptionalHasElement", 15},
    {"OptionalGetElement", 15},
    {"SequenceMap", 17},
    /* optimizer ops lowered to elementwise ops (onnx_training.c) */
    {"Adagrad", 1, "ai.onnx.preview.training"},
    {"Momentum", 1, "ai.onnx.preview.training"},
    {"Adam", 1, "ai.onnx.preview.training"},
#define OM_FE_REWRITE(op, lo, hi, fn)
#define OM_FE_FRONTEND_OP(op) {op, OM_FE_OPSET_MIN},
#include "frontend/rewrites/rewrites.def"
#undef OM_FE_REWRITE
#undef OM_FE_FRONTEND_OP
};

#define N_SUPPORTED (sizeof g_supported / sizeof g_supported[0])

size_t om_fe_supported_ops(const om_fe_op_support **out)
{
    if (out)
        *out = g_supported;
    return N_SUPPORTED;
}

static int cmp_support(const void *a, const void *b)
{
    return strcmp(((const om_fe_op_support *)a)->op_type, ((const om_fe_op_support *)b)->op_type);
}

bool om_fe_op_type_supported(const char *op_type)
{
    if (!op_type)
        return false;
    for (size_t i = 0; i < N_SUPPORTED; i++)
        if (!g_supported[i].domain && strcmp(g_supported[i].op_type, op_type) == 0)
            return true;
    return false;
}

/* Case-insensitive Levenshtein distance, capped at 99 for long strings. */
static int edit_distance(const char *a, const char *b)
{
    /* optimal string alignment: insertions, deletions, substitutions and adjacent
     * transpositions ("Rleu" -> "Relu") cost 1; case-insensitive */
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return 99;
    int d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int ca = a[i - 1] | 0x20, cb = b[j - 1] | 0x20;
            int v = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == (b[j - 2] | 0x20) && (a[i - 2] | 0x20) == cb && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[la][lb];
}

om_status om_fe_unsupported_op(const om_fe_node *n, const char *domain, int64_t opset)
{
    om_fe_op_support ops[N_SUPPORTED];
    size_t count = N_SUPPORTED;
    memcpy(ops, g_supported, sizeof ops);
    qsort(ops, count, sizeof ops[0], cmp_support);
    char list[1024];
    size_t len = 0;
    list[0] = '\0';
    for (size_t i = 0; i < count && len < sizeof list; i++)
        if (!ops[i].domain)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "", ops[i].op_type);
    /* the nearest name, when it is plausibly a misspelling */
    const char *best = NULL;
    int best_d = 3;
    bool default_domain = !domain[0] || strcmp(domain, "ai.onnx") == 0;
    for (size_t i = 0; i < count && default_domain; i++) {
        if (ops[i].domain)
            continue;
        int d = edit_distance(n->op_type, ops[i].op_type);
        if (d < best_d && 2 * d <= (int)strlen(n->op_type)) { /* "Foo" is no misspelling of "Cos" */
            best_d = d;
            best = ops[i].op_type;
        }
    }
    char opset_s[32];
    if (opset >= 0)
        snprintf(opset_s, sizeof opset_s, "%lld", (long long)opset);
    else
        snprintf(opset_s, sizeof opset_s, "not imported");
    return om_error(OM_ERR_UNSUPPORTED,
                    "%s (op %s, domain %s, opset %s): unsupported %s%s%s%s; supported (domain ai.onnx): %s",
                    n->label, n->op_type, domain[0] ? domain : "ai.onnx", opset_s,
                    default_domain ? "operator" : "operator domain", best ? " (did you mean " : "",
                    best ? best : "", best ? "?)" : "", list);
}
