/* Generated signals: HannWindow, HammingWindow, BlackmanWindow (size) and MelWeightMatrix
 * (num_mel_bins, dft_length, sample_rate, lower_edge_hertz, upper_edge_hertz). The shape
 * rule requires the inputs that determine the output to be constants, so the whole output is
 * computed here at compile time with C's cos/log10/pow (double) and embedded as a constant
 * table; the kernel copies it out (no libm at run time).
 *   windows  N = size if periodic (default) else size - 1;
 *            Hann 0.5 - 0.5 cos(2 pi n / N), Hamming 25/46 - 21/46 cos(2 pi n / N),
 *            Blackman 0.42 - 0.5 cos(2 pi n / N) + 0.08 cos(4 pi n / N); N = 0 gives 1.
 *            A size computed at run time (declared output) is loaded and must equal the
 *            compiled length, else the kernel returns OM_ART_CHECK_SHAPE_VALUE.
 *   mel      the triangular filters of the ONNX definition: num_mel_bins + 2 points evenly
 *            spaced on the mel scale (2595 log10(1 + f / 700)) between the edges, mapped
 *            to spectrogram bins floor((dft_length + 1) f / sample_rate); output
 *            [dft_length / 2 + 1, num_mel_bins]. When any input is computed at run time
 *            (the output was declared), the kernel checks num_mel_bins and dft_length / 2 + 1
 *            against the compiled shape and computes the filters at run time from the
 *            loaded values, in f64 with the libm-free exp/log of cg_math.h (relative error
 *            ~2e-7: a filter edge that close to a bin boundary may land one bin over; one
 *            work item).
 */
#include <math.h>
#include <stdlib.h>

#include "codegen/kernels/seq_util.h"
#include "codegen/kernels/rt_shape.h"
#include "codegen/cg_math.h"

static om_status mel_values(om_cg_ctx *cx, const om_node *n, double *out, int64_t rows, int64_t bins)
{
    double v[5];
    for (int i = 0; i < 5; i++)
        if (!om_cg_seq_const(n->inputs[i], 0, &v[i]))
            return om_cg_unsupported(cx, "input %d must be a constant scalar", i);
    double dlen = v[1], rate = v[2];
    if (!(rate > 0))
        return om_cg_unsupported(cx, "sample_rate %g must be > 0", rate);
    double lo = 2595.0 * log10(1.0 + v[3] / 700.0), hi = 2595.0 * log10(1.0 + v[4] / 700.0);
    double step = (hi - lo) / (double)(bins + 2);
    int64_t *fb = malloc(sizeof *fb * (size_t)(bins + 2));
    if (!fb)
        return om_error(OM_ERR_NO_MEMORY, "MelWeightMatrix: out of memory");
    for (int64_t i = 0; i < bins + 2; i++) {
        double f = 700.0 * (pow(10.0, ((double)i * step + lo) / 2595.0) - 1.0);
        fb[i] = (int64_t)floor((dlen + 1.0) * f / rate);
    }
    for (int64_t i = 0; i < rows * bins; i++)
        out[i] = 0.0;
    for (int64_t i = 0; i < bins; i++) {
        int64_t l = fb[i], c = fb[i + 1], h = fb[i + 2];
        if (c - l == 0) {
            if (c >= 0 && c < rows)
                out[c * bins + i] = 1.0;
        } else {
            for (int64_t j = l; j <= c; j++)
                if (j >= 0 && j < rows)
                    out[j * bins + i] = (double)(j - l) / (double)(c - l);
        }
        if (h - c > 0)
            for (int64_t j = c; j < h; j++)
                if (j >= 0 && j < rows)
                    out[j * bins + i] = (double)(h - j) / (double)(h - c);
    }
    free(fb);
    return OM_OK;
}

/* Input i as f64 (any numeric dtype). */
static LLVMValueRef load_f64(om_cg_ctx *cx, int i)
{
    const om_value *v = om_node_input(cx->node, i);
    return om_cg_convert(cx, om_cg_load(cx, v->dtype, om_cg_in(cx, i), om_cg_i64(cx, 0)), v->dtype, OM_DT_DOUBLE);
}

static om_status mel_runtime(om_cg_ctx *cx, const om_node *n, int64_t rows, int64_t bins)
{
    LLVMBuilderRef b = cx->b;
    const om_value *y = n->outputs[0];
    for (int i = 0; i < 5; i++) {
        const om_value *v = om_node_input(n, i);
        if (!v || om_shape_numel(&v->shape) != 1 || !om_cg_type(cx, v->dtype) || v->dtype == OM_DT_BOOL ||
            (i < 3 && om_dtype_is_float(v->dtype)))
            return om_cg_unsupported(cx, "input %d must be one number (integer for inputs 0..2)", i);
    }
    LLVMValueRef zero = om_cg_i64(cx, 0), one = om_cg_i64(cx, 1);
    LLVMValueRef nb = om_cg_rt_int(cx, 0, 0), dlen = om_cg_rt_int(cx, 1, 0), rate_i = om_cg_rt_int(cx, 2, 0);
    LLVMValueRef ok = om_cg_rt_and_eq(cx, NULL, nb, bins);
    ok = om_cg_rt_and(cx, ok, LLVMBuildICmp(b, LLVMIntSGE, dlen, one, ""));
    ok = om_cg_rt_and_eq(cx, ok, LLVMBuildAdd(b, LLVMBuildSDiv(b, dlen, om_cg_i64(cx, 2), ""), one, ""), rows);
    ok = om_cg_rt_and(cx, ok, LLVMBuildICmp(b, LLVMIntSGT, rate_i, zero, ""));
    om_cg_rt_check(cx, ok);
    LLVMValueRef rate = LLVMBuildSIToFP(b, rate_i, cx->f64, "rate");
    LLVMValueRef dl1 = LLVMBuildSIToFP(b, LLVMBuildAdd(b, dlen, one, ""), cx->f64, "");
    const double ln10 = 2.302585092994045684;
#define F64(v) LLVMConstReal(cx->f64, (v))
    LLVMValueRef mel[2];
    for (int e = 0; e < 2; e++) { /* 2595 log10(1 + hz / 700) */
        LLVMValueRef hz = load_f64(cx, 3 + e);
        LLVMValueRef a = LLVMBuildFAdd(b, F64(1.0), LLVMBuildFDiv(b, hz, F64(700.0), ""), "");
        mel[e] = LLVMBuildFMul(b, F64(2595.0 / ln10), om_cg_log_f64(cx, a), "mel");
    }
    LLVMValueRef step = LLVMBuildFDiv(b, LLVMBuildFSub(b, mel[1], mel[0], ""), F64((double)(bins + 2)), "step");
    LLVMValueRef fb = om_cg_alloca(cx, LLVMArrayType2(cx->i64, (uint64_t)(bins + 2)), "fb");
    om_cg_loop l;
    LLVMValueRef i = om_cg_for(cx, &l, zero, om_cg_i64(cx, bins + 2), "i");
    LLVMValueRef m = LLVMBuildFAdd(b, LLVMBuildFMul(b, LLVMBuildSIToFP(b, i, cx->f64, ""), step, ""), mel[0], "");
    LLVMValueRef p10 = om_cg_exp_f64(cx, LLVMBuildFMul(b, m, F64(ln10 / 2595.0), ""));
    LLVMValueRef hz = LLVMBuildFMul(b, F64(700.0), LLVMBuildFSub(b, p10, F64(1.0), ""), "");
    LLVMValueRef bin = om_cg_floor(cx, LLVMBuildFDiv(b, LLVMBuildFMul(b, dl1, hz, ""), rate, ""));
    om_cg_store(cx, OM_DT_INT64, fb, i, LLVMBuildFPToSI(b, bin, cx->i64, ""));
    om_cg_for_end(cx, &l);
#undef F64
    LLVMValueRef py = om_cg_out(cx, 0);
    om_dtype dt = y->dtype;
    om_cg_loop lz;
    LLVMValueRef z = om_cg_for(cx, &lz, zero, om_cg_i64(cx, rows * bins), "z");
    om_cg_store(cx, dt, py, z, om_cg_const(cx, dt, 0));
    om_cg_for_end(cx, &lz);
    om_cg_loop lb, lj;
    LLVMValueRef k = om_cg_for(cx, &lb, zero, om_cg_i64(cx, bins), "k");
    LLVMValueRef lo = om_cg_load(cx, OM_DT_INT64, fb, k), c = om_cg_load(cx, OM_DT_INT64, fb, om_cg_add(cx, k, one));
    LLVMValueRef hi = om_cg_load(cx, OM_DT_INT64, fb, om_cg_add(cx, k, om_cg_i64(cx, 2)));
    LLVMValueRef R = om_cg_i64(cx, rows);
    /* rising edge j in [l, c] (c == l: a single 1), then falling j in [c, h) */
    LLVMValueRef j0 = om_cg_max(cx, OM_DT_INT64, lo, zero), j1 = om_cg_min(cx, OM_DT_INT64, om_cg_add(cx, c, one), R);
    LLVMValueRef j = om_cg_for(cx, &lj, j0, j1, "j");
    LLVMValueRef num = LLVMBuildSIToFP(b, LLVMBuildSub(b, j, lo, ""), cx->f64, "");
    LLVMValueRef den = LLVMBuildSIToFP(b, LLVMBuildSub(b, c, lo, ""), cx->f64, "");
    LLVMValueRef same = LLVMBuildICmp(b, LLVMIntEQ, c, lo, "");
    LLVMValueRef v = LLVMBuildSelect(b, same, LLVMConstReal(cx->f64, 1.0), LLVMBuildFDiv(b, num, den, ""), "");
    om_cg_store(cx, dt, py, om_cg_mad(cx, j, bins, k), om_cg_convert(cx, v, OM_DT_DOUBLE, dt));
    om_cg_for_end(cx, &lj);
    j0 = om_cg_max(cx, OM_DT_INT64, c, zero);
    j1 = om_cg_min(cx, OM_DT_INT64, hi, R);
    j = om_cg_for(cx, &lj, j0, j1, "j");
    num = LLVMBuildSIToFP(b, LLVMBuildSub(b, hi, j, ""), cx->f64, "");
    den = LLVMBuildSIToFP(b, LLVMBuildSub(b, hi, c, ""), cx->f64, "");
    om_cg_store(cx, dt, py, om_cg_mad(cx, j, bins, k), om_cg_convert(cx, LLVMBuildFDiv(b, num, den, ""), OM_DT_DOUBLE, dt));
    om_cg_for_end(cx, &lj);
    om_cg_for_end(cx, &lb);
    return OM_OK;
}

om_status om_cg_emit_window(om_cg_ctx *cx, const om_node *n)
{
    const om_value *y = n->outputs[0];
    int64_t count = om_shape_numel(&y->shape);
    if (count < 0)
        return om_cg_unsupported(cx, "output shape must be static");
    if (n->op != OM_OP_MEL_WEIGHT_MATRIX && !om_cg_rt_is_const(om_node_input(n, 0))) {
        om_status st = om_cg_rt_check_ints(cx, 0, &count, 1);
        if (st != OM_OK)
            return st;
    }
    if (count == 0)
        return OM_OK;
    if (count > (1 << 22))
        return om_cg_unsupported(cx, "%lld output elements exceed the compile-time table limit (4M)", (long long)count);
    double *vals = malloc(sizeof *vals * (size_t)count);
    if (!vals)
        return om_error(OM_ERR_NO_MEMORY, "node '%s': out of memory", n->name);
    om_status st = OM_OK;
    if (n->op == OM_OP_MEL_WEIGHT_MATRIX && y->shape.rank == 2) {
        bool all_const = true;
        for (int i = 0; i < 5; i++)
            all_const &= om_cg_rt_is_const(om_node_input(n, i));
        if (!all_const) {
            free(vals);
            return mel_runtime(cx, n, y->shape.dims[0], y->shape.dims[1]);
        }
    }
    if (n->op == OM_OP_MEL_WEIGHT_MATRIX) {
        if (y->shape.rank != 2) {
            st = om_cg_unsupported(cx, "output must be 2-D");
            goto done;
        }
        st = mel_values(cx, n, vals, y->shape.dims[0], y->shape.dims[1]);
        if (st != OM_OK)
            goto done;
    } else {
        double N = om_node_int(n, "periodic", 1) ? (double)count : (double)(count - 1);
        const double pi = 3.14159265358979323846;
        for (int64_t i = 0; i < count; i++) {
            double a = N > 0 ? 2.0 * pi * (double)i / N : 0.0;
            if (n->op == OM_OP_HANN_WINDOW)
                vals[i] = 0.5 - 0.5 * cos(a);
            else if (n->op == OM_OP_HAMMING_WINDOW)
                vals[i] = 25.0 / 46.0 - 21.0 / 46.0 * cos(a);
            else
                vals[i] = 0.42 - 0.5 * cos(a) + 0.08 * cos(2.0 * a);
        }
    }
    LLVMValueRef tab = om_cg_const_table(cx, y->dtype, vals, NULL, count, "win");
    if (!tab) {
        st = om_cg_unsupported(cx, "output dtype %s", om_dtype_name(y->dtype));
        goto done;
    }
    om_cg_loop l;
    LLVMValueRef i = om_cg_for_work(cx, &l, count, "i");
    om_cg_store(cx, y->dtype, om_cg_out(cx, 0), i, om_cg_load(cx, y->dtype, tab, i));
    om_cg_for_end(cx, &l);
done:
    free(vals);
    return st;
}
