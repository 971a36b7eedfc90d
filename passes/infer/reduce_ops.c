/* Shape rules of the reduce op group: Reduce*, ArgMax/ArgMin, TopK, CumSum, Einsum, Det.
 *
 * Reduce*(data, axes?): axes (int64, 1-D) is normally a compile-time constant (it determines
 *   the output shape); values in [-r, r), no repeats. Absent or empty axes reduce every axis,
 *   unless noop_with_empty_axes = 1 (then the output is the input). keepdims (default 1)
 *   keeps reduced axes as 1. Output dtype = input dtype (numeric). Axes computed at run time:
 *   an empty tensor (static element count 0) is the same as empty axes; otherwise the model
 *   must declare the output's static shape, which some set of that many distinct axes must
 *   give (the kernel checks the values at run time). TopK's K likewise: a run-time K needs
 *   declared outputs, whose axis dim (at most the input's) is then K.
 * ArgMax/ArgMin: axis (default 0) in [-r, r); the axis dim must not be 0; output int64 with
 *   the axis kept as 1 or dropped (keepdims).
 * TopK(X, K): K a constant int64 of one element, 0 <= K <= dims[axis] (axis default -1);
 *   outputs [.., K, ..] of X's dtype and int64.
 * CumSum(x, axis): axis a scalar (rank 0 or [1]) int32/int64; checked when constant;
 *   output = x's type.
 * Einsum: the equation is parsed and validated against the operands (labels [a-zA-Z],
 *   `...` broadcast dims, repeated labels = diagonals, implicit output = labels used once,
 *   sorted, after the broadcast dims), then REWRITTEN into an explicit canonical form that
 *   codegen reads: no spaces, every `...` replaced by letters the equation does not use
 *   (right-aligned, so that broadcast dims share letters), always with "->".
 * Det: X [..., M, M] floating; output [...].
 */
#include "passes/infer/infer.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool is_numeric(om_dtype dt)
{
    return om_dtype_is_float(dt) || om_dtype_is_signed_int(dt) || om_dtype_is_unsigned_int(dt);
}

static om_status need_numeric(const om_node *n, const om_value *x)
{
    if (!is_numeric(x->dtype))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 0 '%s' has dtype %s, expected a numeric type", x->name,
                              om_dtype_name(x->dtype));
    return OM_OK;
}

static om_status not_constant(const om_node *n, int i, const om_value *v)
{
    return om_infer_error(n, OM_ERR_UNSUPPORTED,
                          "input %d ('%s') must be a compile-time constant: it determines the output shape", i,
                          v->name);
}

/* Input i: a constant int32/int64 tensor of rank <= 1 with at most max elements. */
static om_status const_ints(const om_node *n, int i, const char *what, int64_t *out, int max, int *count)
{
    om_value *v;
    om_status st = om_infer_need_input(n, i, &v);
    if (st != OM_OK)
        return st;
    if (v->dtype != OM_DT_INT64 && v->dtype != OM_DT_INT32)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d '%s' (%s) has dtype %s, expected i64", i, v->name,
                              what, om_dtype_name(v->dtype));
    if (v->shape.rank > 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d '%s' (%s) must be 1-D, found rank %d", i, v->name,
                              what, v->shape.rank);
    if (v->kind != OM_VALUE_CONSTANT)
        return not_constant(n, i, v);
    int64_t numel = om_shape_numel(&v->shape);
    size_t es = om_dtype_size(v->dtype);
    if (numel < 0 || numel > max)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d '%s' (%s) has %" PRId64 " elements, at most %d allowed",
                              i, v->name, what, numel, max);
    if (numel > 0 && (!v->data || v->nbytes < (size_t)numel * es))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d '%s' (%s) has %zu bytes of data, expected %zu", i,
                              v->name, what, v->nbytes, (size_t)numel * es);
    for (int64_t k = 0; k < numel; k++) {
        if (es == 8) {
            memcpy(&out[k], (const char *)v->data + k * 8, 8);
        } else {
            int32_t t;
            memcpy(&t, (const char *)v->data + k * 4, 4);
            out[k] = t;
        }
    }
    *count = (int)numel;
    return OM_OK;
}

/* ---- Reduce* ----------------------------------------------------------------------- */

/* Non-empty axes computed at run time: the declared output must be the reduction over some
 * set of k distinct axes. */
static om_status infer_reduce_declared(om_graph *g, om_node *n, const om_value *x, const om_value *av, int64_t k,
                                       bool keep)
{
    if (!om_infer_outputs_declared(n))
        return not_constant(n, 1, av);
    const om_value *y = n->outputs[0];
    int r = x->shape.rank;
    for (uint64_t m = 0; k <= r && m < ((uint64_t)1 << r); m++) {
        if (__builtin_popcountll(m) != k)
            continue;
        om_shape o = {0};
        bool fits = true;
        for (int i = 0; i < r; i++) {
            int64_t d = m >> i & 1 ? (keep ? 1 : -2) : x->shape.dims[i];
            if (d == -2)
                continue;
            if (o.rank >= y->shape.rank || (d >= 0 && d != y->shape.dims[o.rank]))
                fits = false;
            o.rank++;
        }
        if (fits && o.rank == y->shape.rank)
            return om_infer_set_output(g, n, 0, x->dtype, &y->shape);
    }
    char b1[128], b2[128];
    return om_infer_error(n, OM_ERR_INVALID_MODEL,
                          "output 0 '%s' is declared %s: no %" PRId64 " distinct axes of input 0 '%s' %s reduce to it%s",
                          y->name, om_infer_shape_str(&y->shape, b1, sizeof b1), k, x->name,
                          om_infer_shape_str(&x->shape, b2, sizeof b2), keep ? " (keepdims = 1)" : "");
}

om_status om_infer_reduce(om_graph *g, om_node *n)
{
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK)
        return st;
    if ((st = need_numeric(n, x)) != OM_OK)
        return st;
    int r = x->shape.rank;
    bool keep = om_node_int(n, "keepdims", 1) != 0;
    bool noop = om_node_int(n, "noop_with_empty_axes", 0) != 0;
    int64_t axes[OM_MAX_RANK * 2];
    int count = 0;
    om_value *av = om_node_input(n, 1);
    if (av && av->kind != OM_VALUE_CONSTANT) {
        int64_t k = om_shape_numel(&av->shape);
        if (av->dtype != OM_DT_INT64 && av->dtype != OM_DT_INT32)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (axes) has dtype %s, expected i64", av->name,
                                  om_dtype_name(av->dtype));
        if (av->shape.rank > 1 || k < 0)
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "input 1 '%s' (axes) must be 1-D with a static length",
                                  av->name);
        if (k > 0)
            return infer_reduce_declared(g, n, x, av, k, keep);
        av = NULL; /* empty: as if absent */
    }
    if (av && (st = const_ints(n, 1, "axes", axes, OM_MAX_RANK * 2, &count)) != OM_OK)
        return st;
    bool red[OM_MAX_RANK] = {0};
    if (count == 0) {
        if (noop)
            return om_infer_set_output(g, n, 0, x->dtype, &x->shape);
        for (int i = 0; i < r; i++)
            red[i] = true;
    }
    for (int k = 0; k < count; k++) {
        int a;
        if (axes[k] < -r || axes[k] >= r)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 (axes) value %" PRId64 " is out of range [%d, %d]",
                                  axes[k], -r, r - 1);
        a = (int)(axes[k] < 0 ? axes[k] + r : axes[k]);
        if (red[a])
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 (axes) names axis %d twice", a);
        red[a] = true;
    }
    om_shape out = {0};
    for (int i = 0; i < r; i++) {
        if (!red[i]) {
            out.dims[out.rank] = x->shape.dims[i];
            out.syms[out.rank++] = x->shape.syms[i];
        } else if (keep) {
            out.dims[out.rank++] = 1;
        }
    }
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}

/* ---- ArgMax / ArgMin --------------------------------------------------------------- */

om_status om_infer_arg_reduce(om_graph *g, om_node *n)
{
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK)
        return st;
    if ((st = need_numeric(n, x)) != OM_OK)
        return st;
    int r = x->shape.rank, a;
    if (r < 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' must have rank >= 1", x->name);
    if ((st = om_infer_axis(n, "axis", om_node_int(n, "axis", 0), r, 0, &a)) != OM_OK)
        return st;
    if (x->shape.dims[a] == 0)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s': axis %d has no elements to choose from", x->name,
                              a);
    bool keep = om_node_int(n, "keepdims", 1) != 0;
    om_shape out = {0};
    for (int i = 0; i < r; i++) {
        if (i != a) {
            out.dims[out.rank] = x->shape.dims[i];
            out.syms[out.rank++] = x->shape.syms[i];
        } else if (keep) {
            out.dims[out.rank++] = 1;
        }
    }
    return om_infer_set_output(g, n, 0, OM_DT_INT64, &out);
}

/* ---- TopK -------------------------------------------------------------------------- */

om_status om_infer_topk(om_graph *g, om_node *n)
{
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK)
        return st;
    if ((st = need_numeric(n, x)) != OM_OK)
        return st;
    int r = x->shape.rank, a, count = 0;
    if (r < 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' must have rank >= 1", x->name);
    if ((st = om_infer_axis(n, "axis", om_node_int(n, "axis", -1), r, 0, &a)) != OM_OK)
        return st;
    int64_t k[1];
    om_value *kv = om_node_input(n, 1);
    if (kv && kv->kind != OM_VALUE_CONSTANT && om_infer_outputs_declared(n)) {
        /* K computed at run time: the declared outputs give it (the kernel checks the value) */
        if ((kv->dtype != OM_DT_INT64 && kv->dtype != OM_DT_INT32) || om_shape_numel(&kv->shape) != 1 ||
            kv->shape.rank > 1)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (K) must be one i64 value", kv->name);
        if (n->outputs[0]->shape.rank != r)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "output 0 '%s' is declared with rank %d, expected %d",
                                  n->outputs[0]->name, n->outputs[0]->shape.rank, r);
        k[0] = n->outputs[0]->shape.dims[a];
        count = 1;
    } else if ((st = const_ints(n, 1, "K", k, 1, &count)) != OM_OK) {
        return st;
    }
    if (count != 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 (K) must hold one value, found %d", count);
    if (k[0] < 0 || (x->shape.dims[a] >= 0 && k[0] > x->shape.dims[a]))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "K = %" PRId64 " is out of range [0, %" PRId64 "] (dim %d of '%s')",
                              k[0], x->shape.dims[a], a, x->name);
    om_shape out = x->shape;
    out.dims[a] = k[0];
    out.syms[a] = NULL;
    if ((st = om_infer_set_output(g, n, 0, x->dtype, &out)) != OM_OK)
        return st;
    return om_infer_set_output(g, n, 1, OM_DT_INT64, &out);
}

/* ---- CumSum ------------------------------------------------------------------------ */

om_status om_infer_cumsum(om_graph *g, om_node *n)
{
    om_value *x, *ax;
    om_status st;
    if ((st = om_infer_need_input(n, 0, &x)) != OM_OK || (st = om_infer_need_input(n, 1, &ax)) != OM_OK)
        return st;
    if ((st = need_numeric(n, x)) != OM_OK)
        return st;
    if (x->shape.rank < 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' must have rank >= 1", x->name);
    if (ax->dtype != OM_DT_INT32 && ax->dtype != OM_DT_INT64)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (axis) has dtype %s, expected i32 or i64",
                              ax->name, om_dtype_name(ax->dtype));
    if (!(ax->shape.rank == 0 || (ax->shape.rank == 1 && ax->shape.dims[0] == 1)))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 '%s' (axis) must be a scalar", ax->name);
    if (ax->kind == OM_VALUE_CONSTANT) {
        int64_t v[1];
        int count = 0;
        if ((st = const_ints(n, 1, "axis", v, 1, &count)) != OM_OK)
            return st;
        int r = x->shape.rank;
        if (count != 1 || v[0] < -r || v[0] >= r)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 (axis) value %" PRId64 " is out of range [%d, %d]",
                                  count ? v[0] : 0, -r, r - 1);
    }
    return om_infer_set_output(g, n, 0, x->dtype, &x->shape);
}

/* ---- Einsum ------------------------------------------------------------------------ */

#define EIN_MAX_OPS 16

typedef struct ein_term {
    char labels[OM_MAX_RANK + 1]; /* letters; '.' marks where the ellipsis dims go */
    int n_labels;                 /* letters including the one '.' entry */
    bool ellipsis;
} ein_term;

static bool is_label(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

/* Parses one term from s (up to ',' / '-' / end) into t. Returns chars consumed or -1. */
static int parse_term(const char *s, ein_term *t)
{
    int i = 0;
    memset(t, 0, sizeof *t);
    for (;;) {
        char c = s[i];
        if (c == ' ') {
            i++;
        } else if (is_label(c)) {
            if (t->n_labels >= OM_MAX_RANK + 1)
                return -1;
            t->labels[t->n_labels++] = c;
            i++;
        } else if (c == '.') {
            if (t->ellipsis || s[i + 1] != '.' || s[i + 2] != '.' || t->n_labels >= OM_MAX_RANK + 1)
                return -1;
            t->ellipsis = true;
            t->labels[t->n_labels++] = '.';
            i += 3;
        } else {
            return i;
        }
    }
}

om_status om_infer_einsum(om_graph *g, om_node *n)
{
    const char *eq = om_node_string(n, "equation", NULL);
    if (!eq)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "attribute equation (string) is required");
    int n_ops = n->n_inputs;
    if (n_ops > EIN_MAX_OPS)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "%d operands, at most %d supported", n_ops, EIN_MAX_OPS);
    ein_term terms[EIN_MAX_OPS], out_t;
    int pos = 0, k = 0;
    for (;;) {
        if (k >= EIN_MAX_OPS)
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "equation '%s' has more than %d terms", eq, EIN_MAX_OPS);
        int used = parse_term(eq + pos, &terms[k]);
        if (used < 0)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "equation '%s': bad term at offset %d", eq, pos);
        pos += used;
        k++;
        if (eq[pos] == ',') {
            pos++;
            continue;
        }
        break;
    }
    bool explicit_out = false;
    if (eq[pos] == '-' && eq[pos + 1] == '>') {
        int used = parse_term(eq + pos + 2, &out_t);
        if (used < 0)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "equation '%s': bad output term", eq);
        pos += 2 + used;
        explicit_out = true;
    }
    if (eq[pos] != '\0')
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "equation '%s': unexpected '%c' at offset %d", eq, eq[pos], pos);
    if (k != n_ops)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "equation '%s' has %d operand terms, the node has %d inputs", eq,
                              k, n_ops);
    /* sizes per letter; ellipsis rank and dims (right-aligned broadcast) */
    int64_t size[128];
    bool used[128] = {0};
    int count[128] = {0};
    for (int c = 0; c < 128; c++)
        size[c] = -2; /* unset */
    int ell_rank = 0;
    int64_t ell_dims[OM_MAX_RANK];
    om_dtype dt = OM_DT_UNDEFINED;
    for (int i = 0; i < n_ops; i++) {
        om_value *v;
        om_status st = om_infer_need_input(n, i, &v);
        if (st != OM_OK)
            return st;
        if (!is_numeric(v->dtype))
            return om_infer_error(n, OM_ERR_UNSUPPORTED, "input %d '%s' has dtype %s, expected a numeric type", i,
                                  v->name, om_dtype_name(v->dtype));
        if (i == 0)
            dt = v->dtype;
        else if ((st = om_infer_check_same_dtype(n, i, 0)) != OM_OK)
            return st;
        const ein_term *t = &terms[i];
        int letters = t->n_labels - (t->ellipsis ? 1 : 0);
        int r = v->shape.rank;
        if (t->ellipsis ? r < letters : r != letters)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d '%s' has rank %d, term %d of '%s' needs %s%d", i,
                                  v->name, r, i, eq, t->ellipsis ? "at least " : "", letters);
        int er = r - letters, d = 0;
        if (t->ellipsis && er > ell_rank) {
            /* widen: new leading dims are 1 so far */
            for (int j = ell_rank - 1; j >= 0; j--)
                ell_dims[j + er - ell_rank] = ell_dims[j];
            for (int j = 0; j < er - ell_rank; j++)
                ell_dims[j] = 1;
            ell_rank = er;
        }
        for (int j = 0; j < t->n_labels; j++) {
            char c = t->labels[j];
            if (c == '.') {
                for (int e = 0; e < er; e++, d++) {
                    int64_t have = ell_dims[ell_rank - er + e], got = v->shape.dims[d];
                    if (got == 1 || have == got)
                        continue;
                    if (have == 1 || have < 0) {
                        ell_dims[ell_rank - er + e] = got;
                        continue;
                    }
                    if (got >= 0)
                        return om_infer_error(n, OM_ERR_INVALID_MODEL,
                                              "input %d '%s': broadcast dim %d is %" PRId64 ", other operands have %" PRId64,
                                              i, v->name, d, got, have);
                }
                continue;
            }
            int64_t got = v->shape.dims[d++];
            used[(int)c] = true;
            count[(int)c]++;
            int64_t *have = &size[(int)c];
            if (*have == -2 || *have == 1 || (*have < 0 && got >= 0))
                *have = got == 1 && *have >= 0 ? *have : got; /* unset, or a 1 / unknown replaced */
            else if (got >= 0 && got != 1 && got != *have)
                return om_infer_error(n, OM_ERR_INVALID_MODEL,
                                      "label '%c' is %" PRId64 " in input %d '%s' and %" PRId64 " elsewhere", c, got, i,
                                      v->name, size[(int)c]);
        }
    }
    bool any_ell = false;
    for (int i = 0; i < n_ops; i++)
        any_ell |= terms[i].ellipsis;
    if (!explicit_out) {
        memset(&out_t, 0, sizeof out_t);
        if (any_ell) {
            out_t.labels[out_t.n_labels++] = '.';
            out_t.ellipsis = true;
        }
        for (int c = 'A'; c <= 'z'; c++)
            if (is_label((char)c) && count[c] == 1) {
                if (out_t.n_labels >= OM_MAX_RANK + 1)
                    return om_infer_error(n, OM_ERR_UNSUPPORTED, "equation '%s': output rank above %d", eq, OM_MAX_RANK);
                out_t.labels[out_t.n_labels++] = (char)c;
            }
    } else {
        bool seen[128] = {0};
        for (int j = 0; j < out_t.n_labels; j++) {
            char c = out_t.labels[j];
            if (c == '.') {
                if (!any_ell)
                    return om_infer_error(n, OM_ERR_INVALID_MODEL, "equation '%s': '...' in the output only", eq);
                continue;
            }
            if (!used[(int)c] || seen[(int)c])
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "equation '%s': output label '%c' %s", eq, c,
                                      seen[(int)c] ? "repeats" : "is not in any input");
            seen[(int)c] = true;
        }
    }
    /* letters for the ellipsis dims: unused ones, the same for every term (right-aligned) */
    char ell_letters[OM_MAX_RANK];
    int got_letters = 0;
    for (int c = 'A'; c <= 'z' && got_letters < ell_rank; c++)
        if (is_label((char)c) && !used[c])
            ell_letters[got_letters++] = (char)c;
    if (got_letters < ell_rank)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "equation '%s': no free letters for the '...' dims", eq);
    /* canonical equation and output shape */
    char canon[(EIN_MAX_OPS + 1) * (2 * OM_MAX_RANK + 2) + 8];
    size_t cl = 0;
    for (int i = 0; i <= n_ops; i++) {
        const ein_term *t = i < n_ops ? &terms[i] : &out_t;
        if (i == n_ops) {
            canon[cl++] = '-';
            canon[cl++] = '>';
        } else if (i > 0) {
            canon[cl++] = ',';
        }
        int er = ell_rank;
        if (i < n_ops)
            er = om_node_input(n, i)->shape.rank - (t->n_labels - (t->ellipsis ? 1 : 0));
        for (int j = 0; j < t->n_labels; j++) {
            if (t->labels[j] == '.')
                for (int e = 0; e < er; e++)
                    canon[cl++] = ell_letters[ell_rank - er + e];
            else
                canon[cl++] = t->labels[j];
        }
    }
    canon[cl] = '\0';
    om_shape out = {0};
    for (int j = 0; j < out_t.n_labels; j++) {
        char c = out_t.labels[j];
        if (c == '.') {
            for (int e = 0; e < ell_rank; e++)
                out.dims[out.rank++] = ell_dims[e];
        } else {
            if (out.rank >= OM_MAX_RANK)
                return om_infer_error(n, OM_ERR_UNSUPPORTED, "equation '%s': output rank above %d", eq, OM_MAX_RANK);
            out.dims[out.rank++] = size[(int)c] < 0 ? OM_DIM_UNKNOWN : size[(int)c];
        }
    }
    if (out.rank > OM_MAX_RANK)
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "equation '%s': output rank above %d", eq, OM_MAX_RANK);
    om_status st = om_node_set_string(g, n, "equation", canon);
    if (st != OM_OK)
        return st;
    return om_infer_set_output(g, n, 0, dt, &out);
}

/* ---- Det --------------------------------------------------------------------------- */

om_status om_infer_det(om_graph *g, om_node *n)
{
    om_value *x;
    om_status st = om_infer_need_input(n, 0, &x);
    if (st != OM_OK)
        return st;
    if ((st = om_infer_check_float(n, 0)) != OM_OK)
        return st;
    int r = x->shape.rank;
    if (r < 2)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' must have rank >= 2, found %d", x->name, r);
    bool ok = true;
    om_infer_merge_dim(x->shape.dims[r - 2], x->shape.dims[r - 1], &ok);
    if (!ok)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s': matrices must be square, found %" PRId64 "x%" PRId64,
                              x->name, x->shape.dims[r - 2], x->shape.dims[r - 1]);
    om_shape out = x->shape;
    out.rank = r - 2;
    return om_infer_set_output(g, n, 0, x->dtype, &out);
}
