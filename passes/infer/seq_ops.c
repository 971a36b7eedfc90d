/* Shape rules of the seq op group (ir/ops/seq.def):
 *
 * rnn     RNN / GRU / LSTM (X, W, R, B?, sequence_lens?, initial_h?, initial_c?, P?):
 *         G gates (1, 3, 4); layout 0: X [T,B,I], Y [T,D,B,H], Y_h/Y_c [D,B,H];
 *         layout 1: X [B,T,I], Y [B,T,D,H], Y_h/Y_c [B,D,H]. W [D,G*H,I], R [D,G*H,H],
 *         B [D,2*G*H], P [D,3*H], sequence_lens [B] int32. direction forward|reverse|
 *         bidirectional gives D; hidden_size defaults to R's last dim (written back).
 * dft     DFT (input [..., 1|2], dft_length? constant, axis attribute or constant input):
 *         output [..., 2] with dims[axis] = n (onesided: n/2+1). STFT (signal [B,S,1|2],
 *         frame_step constant, window? [L], frame_length? constant): [B, frames, bins, 2];
 *         frame_step / frame_length computed at run time need the output declared static
 *         (the kernel checks and uses the values).
 * window  Hann/Hamming/BlackmanWindow(size): size constant, or computed at run time when
 *         the output is declared static (the kernel checks size == the declared length);
 *         output [size] of output_datatype. MelWeightMatrix: every input constant, or
 *         any computed at run time when the output is declared static (the kernel checks
 *         num_mel_bins and dft_length/2+1 and computes the filters); output
 *         [dft_length/2+1, num_mel_bins].
 * tfidf   TfIdfVectorizer(X int32/int64 [C] or [B,C]) -> float [max(ngram_indexes)+1]
 *         (or [B, ...]); string pools are unsupported.
 */
#include "passes/infer/infer.h"

#include <inttypes.h>
#include <string.h>
#include <strings.h>

/* Element i of a constant integer (or float) value, as int64. */
static bool const_i64(const om_value *v, int64_t i, int64_t *out) {
    if (!v || v->kind != OM_VALUE_CONSTANT || !v->data) return false;
    int64_t n = om_shape_numel(&v->shape);
    if (i < 0 || i >= n) return false;
    switch (v->dtype) {
    case OM_DT_INT64: { int64_t x; memcpy(&x, (const char *)v->data + 8 * i, 8); *out = x; return true; }
    case OM_DT_INT32: { int32_t x; memcpy(&x, (const char *)v->data + 4 * i, 4); *out = x; return true; }
    case OM_DT_FLOAT: { float x; memcpy(&x, (const char *)v->data + 4 * i, 4); *out = (int64_t)x; return true; }
    default: return false;
    }
}

static om_status need_const_scalar(const om_node *n, int i, int64_t *out) {
    om_value *v = om_node_input(n, i);
    if (!v) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d is missing", i);
    if (v->kind != OM_VALUE_CONSTANT)
        return om_infer_error(n, OM_ERR_UNSUPPORTED,
                              "input %d ('%s') must be a compile-time constant: it determines the output shape", i,
                              v->name);
    if (om_shape_numel(&v->shape) != 1 || !const_i64(v, 0, out))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d ('%s') must be one integer (dtype %s)", i, v->name,
                              om_dtype_name(v->dtype));
    return OM_OK;
}

static om_status check_dims(const om_node *n, int i, int rank, const int64_t *want) {
    om_value *v = om_node_input(n, i);
    if (!v) return OM_OK;
    bool ok = v->shape.rank == rank;
    for (int d = 0; ok && d < rank; d++)
        if (v->shape.dims[d] >= 0 && want[d] >= 0 && v->shape.dims[d] != want[d]) ok = false;
    if (!ok) {
        char b1[128], b2[128];
        om_shape w = om_shape_make(rank, want);
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d '%s' has shape %s, expected %s", i, v->name,
                              om_infer_shape_str(&v->shape, b1, sizeof b1), om_infer_shape_str(&w, b2, sizeof b2));
    }
    return OM_OK;
}

om_status om_infer_rnn(om_graph *g, om_node *n) {
    om_status st;
    int G = n->op == OM_OP_LSTM ? 4 : n->op == OM_OP_GRU ? 3 : 1;
    om_value *x = n->inputs[0], *w = om_node_input(n, 1), *r = om_node_input(n, 2);
    if (!x || !w || !r) return om_infer_error(n, OM_ERR_INVALID_MODEL, "inputs X, W and R are required");
    for (int i = 0; i < n->n_inputs; i++) {
        if (!n->inputs[i] || i == 4) continue;
        if ((st = om_infer_check_float(n, i)) != OM_OK) return st;
        if ((st = om_infer_check_same_dtype(n, i, 0)) != OM_OK) return st;
    }
    const char *dir = om_node_string(n, "direction", "forward");
    int D;
    if (!strcmp(dir, "forward") || !strcmp(dir, "reverse")) D = 1;
    else if (!strcmp(dir, "bidirectional")) D = 2;
    else return om_infer_error(n, OM_ERR_INVALID_MODEL, "direction '%s' is not forward, reverse or bidirectional", dir);
    int64_t layout = om_node_int(n, "layout", 0);
    if (layout != 0 && layout != 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "layout %" PRId64 " is not 0 or 1", layout);
    if ((st = om_infer_check_rank(n, 0, 3)) != OM_OK) return st;
    if ((st = om_infer_check_rank(n, 2, 3)) != OM_OK) return st;
    int64_t H = om_node_int(n, "hidden_size", r->shape.dims[2]);
    if (H < 1) return om_infer_error(n, OM_ERR_INVALID_MODEL, "hidden_size %" PRId64 " is unknown or < 1", H);
    if ((st = om_node_set_int(g, n, "hidden_size", H)) != OM_OK) return st;
    int64_t T = x->shape.dims[layout ? 1 : 0], B = x->shape.dims[layout ? 0 : 1], I = x->shape.dims[2];
    int64_t wd[3] = {D, G * H, I}, rd[3] = {D, G * H, H}, bd[2] = {D, 2 * G * H}, sd[1] = {B};
    int64_t hd[3] = {D, B, H}, pd[2] = {D, 3 * H};
    if (layout) { hd[0] = B; hd[1] = D; }
    if ((st = check_dims(n, 1, 3, wd)) != OM_OK) return st;
    if ((st = check_dims(n, 2, 3, rd)) != OM_OK) return st;
    if ((st = check_dims(n, 3, 2, bd)) != OM_OK) return st;
    if ((st = check_dims(n, 4, 1, sd)) != OM_OK) return st;
    if ((st = check_dims(n, 5, 3, hd)) != OM_OK) return st;
    if ((st = check_dims(n, 6, 3, hd)) != OM_OK) return st;
    if ((st = check_dims(n, 7, 2, pd)) != OM_OK) return st;
    om_value *sl = om_node_input(n, 4);
    if (sl && sl->dtype != OM_DT_INT32 && sl->dtype != OM_DT_INT64)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 4 (sequence_lens) has dtype %s, expected int32",
                              om_dtype_name(sl->dtype));
    int na = 0;
    const om_attr *acts = om_node_attr(n, "activations");
    if (acts && acts->kind == OM_ATTR_STRINGS) na = acts->count;
    int per = n->op == OM_OP_LSTM ? 3 : n->op == OM_OP_GRU ? 2 : 1;
    if (acts && na != per && na != per * D)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "%d activations, expected %d (per direction)", na, per * D);
    int64_t yd[4] = {T, D, B, H};
    if (layout) { yd[0] = B; yd[1] = T; yd[2] = D; }
    om_shape ys = om_shape_make(4, yd), hs = om_shape_make(3, hd);
    if ((st = om_infer_set_output(g, n, 0, x->dtype, &ys)) != OM_OK) return st;
    for (int o = 1; o < n->n_outputs; o++)
        if ((st = om_infer_set_output(g, n, o, x->dtype, &hs)) != OM_OK) return st;
    return OM_OK;
}

static om_status infer_dft(om_graph *g, om_node *n) {
    om_status st;
    om_value *x = n->inputs[0];
    if ((st = om_infer_check_float(n, 0)) != OM_OK) return st;
    int r = x->shape.rank;
    if (r < 2 || (x->shape.dims[r - 1] != 1 && x->shape.dims[r - 1] != 2))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' must have rank >= 2 and last dim 1 or 2", x->name);
    int64_t axis = om_node_int(n, "axis", 1);
    if (om_node_input(n, 2)) {
        if ((st = need_const_scalar(n, 2, &axis)) != OM_OK) return st;
    }
    int a;
    /* negative axes count from the back of the whole input (its last dim is re/im): [-r, -2] */
    if (axis < -r || axis > r - 2 || axis == -1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "axis %" PRId64 " is out of range [-%d, -2] u [0, %d]", axis, r,
                              r - 2);
    a = (int)(axis < 0 ? axis + r : axis);
    if ((st = om_node_set_int(g, n, "axis", a)) != OM_OK) return st;
    int64_t len = x->shape.dims[a];
    if (om_node_input(n, 1)) {
        if ((st = need_const_scalar(n, 1, &len)) != OM_OK) return st;
        if (len < 1) return om_infer_error(n, OM_ERR_INVALID_MODEL, "dft_length %" PRId64 " < 1", len);
    }
    if (len < 1) return om_infer_error(n, OM_ERR_UNSUPPORTED, "the signal length (dim %d) must be static", a);
    if ((st = om_node_set_int(g, n, "dft_length", len)) != OM_OK) return st;
    int64_t onesided = om_node_int(n, "onesided", 0);
    if (onesided && x->shape.dims[r - 1] == 2)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "onesided requires a real input (last dim 1)");
    if (onesided && om_node_int(n, "inverse", 0))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "inverse onesided DFT");
    om_shape s = x->shape;
    s.dims[a] = onesided ? len / 2 + 1 : len;
    s.syms[a] = NULL;
    s.dims[r - 1] = 2;
    s.syms[r - 1] = NULL;
    return om_infer_set_output(g, n, 0, x->dtype, &s);
}

/* STFT with a run-time frame_step and/or frame_length and a declared output [B, F, K, 2]:
 * some (length, step) the constant inputs allow must give F frames of K bins. Writes the
 * attributes that are known (0 for the ones the kernel loads at run time: frame_step, and
 * frame_length when two lengths give K one-sided bins). */
static om_status infer_stft_declared(om_graph *g, om_node *n, const om_value *x, const om_value *win) {
    om_status st;
    const om_value *y = n->outputs[0], *sv = om_node_input(n, 1), *fv = om_node_input(n, 3);
    int64_t S = x->shape.dims[1], C = x->shape.dims[2];
    for (int i = 1; i < 4; i += 2) {
        const om_value *v = om_node_input(n, i);
        if (v && ((v->dtype != OM_DT_INT64 && v->dtype != OM_DT_INT32) || om_shape_numel(&v->shape) != 1))
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d ('%s') must be one integer (dtype %s)", i, v->name,
                                  om_dtype_name(v->dtype));
    }
    if (!sv) return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 1 (frame_step) is missing");
    char b[128];
    if (y->shape.rank != 4 || y->shape.dims[0] != x->shape.dims[0] || y->shape.dims[3] != 2)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "output 0 '%s' is declared %s, expected [%" PRId64 ", frames, bins, 2]",
                              y->name, om_infer_shape_str(&y->shape, b, sizeof b), x->shape.dims[0]);
    int64_t onesided = C == 2 ? 0 : om_node_int(n, "onesided", 1);
    int64_t F = y->shape.dims[1], K = y->shape.dims[2], step = 0, lens[2], nl = 0;
    if (sv->kind == OM_VALUE_CONSTANT && (st = need_const_scalar(n, 1, &step)) != OM_OK) return st;
    if (win) {
        if ((st = om_infer_check_rank(n, 2, 1)) != OM_OK) return st;
        if ((st = om_infer_check_same_dtype(n, 2, 0)) != OM_OK) return st;
        lens[nl++] = win->shape.dims[0];
    } else if (fv && fv->kind == OM_VALUE_CONSTANT) {
        if ((st = need_const_scalar(n, 3, &lens[0])) != OM_OK) return st;
        nl = 1;
    } else if (fv) {
        for (int64_t c = onesided ? 2 * K - 2 : K; c <= (onesided ? 2 * K - 1 : K); c++) lens[nl++] = c;
    }
    int64_t good[2], ng = 0;
    for (int i = 0; i < nl; i++) {
        int64_t l = lens[i];
        if (l < 1 || l > S || (onesided ? l / 2 + 1 : l) != K) continue;
        bool fits = false;
        for (int64_t s = step ? step : 1; s <= (step ? step : S) && !fits; s++) fits = 1 + (S - l) / s == F;
        if (fits) good[ng++] = l;
    }
    if (ng == 0)
        return om_infer_error(n, OM_ERR_INVALID_MODEL,
                              "output 0 '%s' is declared %s: no frame_length / frame_step gives it for a signal of %" PRId64
                              " samples", y->name, om_infer_shape_str(&y->shape, b, sizeof b), S);
    if ((st = om_node_set_int(g, n, "onesided", onesided)) != OM_OK) return st;
    if ((st = om_node_set_int(g, n, "frame_length", ng == 1 ? good[0] : 0)) != OM_OK) return st;
    if ((st = om_node_set_int(g, n, "frame_step", step)) != OM_OK) return st;
    return om_infer_set_output(g, n, 0, x->dtype, &y->shape);
}

static om_status infer_stft(om_graph *g, om_node *n) {
    om_status st;
    om_value *x = n->inputs[0], *win = om_node_input(n, 2);
    if ((st = om_infer_check_float(n, 0)) != OM_OK) return st;
    if ((st = om_infer_check_rank(n, 0, 3)) != OM_OK) return st;
    int64_t C = x->shape.dims[2], S = x->shape.dims[1];
    if (C != 1 && C != 2) return om_infer_error(n, OM_ERR_INVALID_MODEL, "signal's last dim must be 1 or 2");
    if (S < 1) return om_infer_error(n, OM_ERR_UNSUPPORTED, "the signal length must be static");
    int64_t step, flen = -1;
    om_value *sv = om_node_input(n, 1), *fv = om_node_input(n, 3);
    if (((sv && sv->kind != OM_VALUE_CONSTANT) || (fv && fv->kind != OM_VALUE_CONSTANT)) && om_infer_outputs_declared(n))
        return infer_stft_declared(g, n, x, win);
    if ((st = need_const_scalar(n, 1, &step)) != OM_OK) return st;
    if (win) {
        if ((st = om_infer_check_rank(n, 2, 1)) != OM_OK) return st;
        if ((st = om_infer_check_same_dtype(n, 2, 0)) != OM_OK) return st;
        flen = win->shape.dims[0];
    }
    if (om_node_input(n, 3)) {
        int64_t fl;
        if ((st = need_const_scalar(n, 3, &fl)) != OM_OK) return st;
        if (flen >= 0 && fl != flen)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "frame_length %" PRId64 " != window length %" PRId64, fl, flen);
        flen = fl;
    }
    if (flen < 1 || flen > S || step < 1)
        return om_infer_error(n, OM_ERR_INVALID_MODEL,
                              "frame_length %" PRId64 " must be in [1, %" PRId64 "] and frame_step %" PRId64 " >= 1",
                              flen, S, step);
    int64_t onesided = om_node_int(n, "onesided", 1);
    if (C == 2) onesided = 0;
    if ((st = om_node_set_int(g, n, "onesided", onesided)) != OM_OK) return st;
    if ((st = om_node_set_int(g, n, "frame_length", flen)) != OM_OK) return st;
    if ((st = om_node_set_int(g, n, "frame_step", step)) != OM_OK) return st;
    int64_t d[4] = {x->shape.dims[0], 1 + (S - flen) / step, onesided ? flen / 2 + 1 : flen, 2};
    om_shape s = om_shape_make(4, d);
    return om_infer_set_output(g, n, 0, x->dtype, &s);
}

om_status om_infer_dft(om_graph *g, om_node *n) {
    return n->op == OM_OP_STFT ? infer_stft(g, n) : infer_dft(g, n);
}

static om_status out_dtype(const om_node *n, om_dtype *dt) {
    int64_t o = om_node_int(n, "output_datatype", 1);
    if (o < 0 || o > 16 || (!om_dtype_is_float((om_dtype)o) && !om_dtype_is_signed_int((om_dtype)o) &&
                            !om_dtype_is_unsigned_int((om_dtype)o)))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "output_datatype %" PRId64 " is not a numeric dtype", o);
    *dt = (om_dtype)o;
    return OM_OK;
}

om_status om_infer_window(om_graph *g, om_node *n) {
    om_status st;
    om_dtype dt = OM_DT_FLOAT;
    if ((st = out_dtype(n, &dt)) != OM_OK) return st;
    if (n->op == OM_OP_MEL_WEIGHT_MATRIX) {
        int64_t bins, dlen;
        bool any_rt = false;
        for (int i = 0; i < 5; i++) any_rt |= n->inputs[i] && n->inputs[i]->kind != OM_VALUE_CONSTANT;
        if (any_rt && om_infer_outputs_declared(n)) {
            /* computed at run time: the kernel checks bins / dft_length and computes the filters */
            const om_value *y = n->outputs[0];
            for (int i = 0; i < 5; i++) {
                om_value *v = n->inputs[i];
                bool is_int = v && (om_dtype_is_signed_int(v->dtype) || om_dtype_is_unsigned_int(v->dtype));
                if (!v || om_shape_numel(&v->shape) != 1 || (i < 3 ? !is_int : !om_dtype_is_float(v->dtype) && !is_int))
                    return om_infer_error(n, OM_ERR_INVALID_MODEL, "input %d must be one %s", i, i < 3 ? "integer" : "number");
            }
            if (y->shape.rank != 2)
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "output 0 '%s' is declared with rank %d, expected 2", y->name,
                                      y->shape.rank);
            if ((n->inputs[0]->kind == OM_VALUE_CONSTANT && need_const_scalar(n, 0, &bins) == OM_OK && bins != y->shape.dims[1]) ||
                (n->inputs[1]->kind == OM_VALUE_CONSTANT && need_const_scalar(n, 1, &dlen) == OM_OK &&
                 dlen / 2 + 1 != y->shape.dims[0]))
                return om_infer_error(n, OM_ERR_INVALID_MODEL, "output 0 '%s' is declared [%" PRId64 ",%" PRId64
                                      "]: not [dft_length/2+1, num_mel_bins]", y->name, y->shape.dims[0], y->shape.dims[1]);
            return om_infer_set_output(g, n, 0, dt, &y->shape);
        }
        for (int i = 0; i < 5; i++) {
            om_value *v = n->inputs[i];
            if (!v || v->kind != OM_VALUE_CONSTANT)
                return om_infer_error(n, OM_ERR_UNSUPPORTED,
                                      "input %d ('%s') must be a compile-time constant: it determines the output", i,
                                      v ? v->name : "");
        }
        if ((st = need_const_scalar(n, 0, &bins)) != OM_OK) return st;
        if ((st = need_const_scalar(n, 1, &dlen)) != OM_OK) return st;
        if (bins < 1 || dlen < 1 || bins > (1 << 20) || dlen > (1 << 24))
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "num_mel_bins %" PRId64 " / dft_length %" PRId64 " out of range",
                                  bins, dlen);
        int64_t d[2] = {dlen / 2 + 1, bins};
        om_shape s = om_shape_make(2, d);
        return om_infer_set_output(g, n, 0, dt, &s);
    }
    int64_t size;
    om_value *sv = n->inputs[0];
    if (sv && sv->kind != OM_VALUE_CONSTANT && om_infer_outputs_declared(n)) {
        if ((sv->dtype != OM_DT_INT64 && sv->dtype != OM_DT_INT32) || om_shape_numel(&sv->shape) != 1)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 ('%s', size) must be one integer (dtype %s)", sv->name,
                                  om_dtype_name(sv->dtype));
        if (n->outputs[0]->shape.rank != 1)
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "output 0 '%s' is declared with rank %d, expected 1",
                                  n->outputs[0]->name, n->outputs[0]->shape.rank);
        size = n->outputs[0]->shape.dims[0];
    } else if ((st = need_const_scalar(n, 0, &size)) != OM_OK) {
        return st;
    }
    if (size < 0 || size > (1 << 26))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "window size %" PRId64 " out of range", size);
    om_shape s = om_shape_make(1, &size);
    return om_infer_set_output(g, n, 0, dt, &s);
}

om_status om_infer_tfidf(om_graph *g, om_node *n) {
    om_value *x = n->inputs[0];
    if (x->dtype == OM_DT_STRING || om_node_attr(n, "pool_strings"))
        return om_infer_error(n, OM_ERR_UNSUPPORTED, "string inputs and pool_strings are not supported (integer tokens only)");
    if (x->dtype != OM_DT_INT32 && x->dtype != OM_DT_INT64)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' has dtype %s, expected int32 or int64", x->name,
                              om_dtype_name(x->dtype));
    if (x->shape.rank != 1 && x->shape.rank != 2)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "input 0 '%s' must be [C] or [B,C]", x->name);
    const char *mode = om_node_string(n, "mode", "");
    if (strcmp(mode, "TF") && strcmp(mode, "IDF") && strcmp(mode, "TFIDF"))
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "mode '%s' is not TF, IDF or TFIDF", mode);
    int64_t mn = om_node_int(n, "min_gram_length", 0), mx = om_node_int(n, "max_gram_length", 0);
    int64_t skip = om_node_int(n, "max_skip_count", 0);
    if (mn < 1 || mx < mn || mx > 64 || skip < 0 || skip > (1 << 20))
        return om_infer_error(n, OM_ERR_INVALID_MODEL,
                              "min_gram_length %" PRId64 ", max_gram_length %" PRId64 ", max_skip_count %" PRId64
                              ": expected 1 <= min <= max <= 64, skip >= 0",
                              mn, mx, skip);
    const int64_t *counts, *idx, *pool;
    int nc = om_node_ints(n, "ngram_counts", &counts), ni = om_node_ints(n, "ngram_indexes", &idx);
    int np = om_node_ints(n, "pool_int64s", &pool);
    if (nc < 0 || ni < 0 || np < 0)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "ngram_counts, ngram_indexes and pool_int64s are required");
    /* count the n-grams of the pool: counts[k] is the start of the (k+1)-grams */
    int64_t grams = 0;
    for (int k = 0; k < nc; k++) {
        int64_t b = counts[k], e = k + 1 < nc ? counts[k + 1] : np;
        if (b < 0 || e < b || e > np || (e - b) % (k + 1))
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "ngram_counts[%d]=%" PRId64 " is inconsistent with the pool", k, b);
        grams += (e - b) / (k + 1);
    }
    if (grams != ni)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "the pool holds %" PRId64 " n-grams but ngram_indexes has %d",
                              grams, ni);
    int64_t width = 0;
    for (int i = 0; i < ni; i++) {
        if (idx[i] < 0 || idx[i] > (1 << 26))
            return om_infer_error(n, OM_ERR_INVALID_MODEL, "ngram_indexes[%d]=%" PRId64 " out of range", i, idx[i]);
        if (idx[i] + 1 > width) width = idx[i] + 1;
    }
    const om_attr *wa = om_node_attr(n, "weights");
    if (wa && wa->count != ni)
        return om_infer_error(n, OM_ERR_INVALID_MODEL, "weights has %d entries, expected %d", wa->count, ni);
    om_shape s = x->shape;
    s.dims[s.rank - 1] = width;
    s.syms[s.rank - 1] = NULL;
    return om_infer_set_output(g, n, 0, OM_DT_FLOAT, &s);
}
