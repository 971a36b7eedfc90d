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
 *            [dft_length / 2 + 1, num_mel_bins].
 */
#include <math.h>
#include <stdlib.h>

#include "codegen/kernels/seq_util.h"
#include "codegen/kernels/rt_shape.h"

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
