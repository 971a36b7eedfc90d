/* A compile-time estimate of one step's single-thread time, for the driver's choice of
 * serial steps (cg_internal.h: om_cg_ctx.serial).
 *
 * Why: on a small model every step is a few microseconds, and splitting one over the pool's
 * threads costs more than it saves: the workers must be woken or caught spinning, and the
 * next step reads, from the other core's cache, what they wrote. PP-OCR cls (94 steps, 0.38
 * ms at 1 thread) took 0.43 ms at 2 threads. Timing every step of it, of MobileNetV2 and of
 * PP-OCRv4 det at 1 and 2 threads and running on the calling thread only the steps that took
 * under 5 us at 1 thread would give 0.37 ms for cls and leave the other two as they are
 * (2.76 and 20.8 ms); from 20 us on, MobileNetV2 loses 2%.
 *
 * The estimate: flops / 50 GFLOP/s + bytes / 12 GB/s, where bytes counts every input
 * (weights included) and output once and flops is 2 x multiply-adds for Conv, Gemm and MatMul
 * and one per output element otherwise. Both rates are below what the kernels reach on
 * one core, so the estimate errs long and a step is made serial only when it is small by a
 * margin.
 */
#include "codegen/cg_internal.h"

#define STEP_FLOPS_PER_NS 50.0
#define STEP_BYTES_PER_NS 12.0
/* Serial below this estimate: the steps of the three models above with an estimate under
 * 20 us took at most 6 us at 1 thread (cls; the estimate runs about 4x long), except an SE
 * block's 1x1 conv on a 1x1 plane in det (44 us: 13 us lost there, 0.06% of det). Applying
 * the rule to the measured step times: cls 430 -> 371 us, MobileNetV2 unchanged, det +0.1%. */
#define STEP_SERIAL_BELOW_NS 20000.0
/* A whole model runs serially when its estimate is under this and no step takes more than a
 * quarter of it: a model of many small steps gains nothing from a second thread and loses
 * when that thread has gone to sleep between inferences (PP-OCR cls, 94 steps estimated at
 * 1.6 ms, 0.42 ms at 1 thread: at 2 threads 0.44 ms back to back, 0.77 ms with 20 ms between
 * inferences against 0.51-0.57 ms at 1 thread). One large step (a single GEMM) still gains
 * from threads, hence the share rule. */
#define MODEL_SERIAL_BELOW_NS 2000000.0
#define MODEL_SERIAL_MAX_STEP_SHARE 0.25

static double numel(const om_value *v)
{
    return v && om_shape_is_static(&v->shape) ? (double)om_shape_numel(&v->shape) : 0;
}

static double value_bytes(const om_value *v) { return v ? numel(v) * (double)om_dtype_size(v->dtype) : 0; }

/* multiply-adds per output element of Conv weights [M, C/g, k...] */
static double weight_inner(const om_value *w)
{
    if (!w || w->shape.rank < 2 || !om_shape_is_static(&w->shape))
        return 1;
    double k = 1;
    for (int i = 1; i < w->shape.rank; i++)
        k *= (double)w->shape.dims[i];
    return k;
}

/* the estimate, ns */
static double step_cost_ns(const om_node *n)
{
    double bytes = 0;
    for (int i = 0; i < n->n_inputs; i++)
        bytes += value_bytes(n->inputs[i]);
    for (int j = 0; j < n->n_outputs; j++)
        bytes += value_bytes(n->outputs[j]);
    const om_value *y = n->n_outputs > 0 ? n->outputs[0] : NULL;
    const om_value *a = om_node_input(n, 0), *b = om_node_input(n, 1);
    double flops = numel(y);
    switch (n->op) {
    case OM_OP_CONV:
        flops = 2 * numel(y) * weight_inner(b);
        break;
    case OM_OP_WINOGRAD_CONV: /* U is [36, M, C]: counted as the direct 3x3 conv */
        if (b && b->shape.rank == 3)
            flops = 2 * numel(y) * 9 * (double)b->shape.dims[2];
        break;
    case OM_OP_GEMM:
    case OM_OP_MATMUL:
        if (a && a->shape.rank >= 1 && a->shape.dims[a->shape.rank - 1] > 0) {
            bool ta = n->op == OM_OP_GEMM && om_node_int(n, "transA", 0) && a->shape.rank == 2;
            flops = 2 * numel(y) * (double)a->shape.dims[ta ? 0 : a->shape.rank - 1];
        }
        break;
    default:
        break;
    }
    return flops / STEP_FLOPS_PER_NS + bytes / STEP_BYTES_PER_NS;
}

bool om_cg_step_is_small(const om_node *n) { return step_cost_ns(n) < STEP_SERIAL_BELOW_NS; }

bool om_cg_graph_is_small(const om_graph *g)
{
    double total = 0, largest = 0;
    for (size_t k = 0; k < g->n_nodes; k++) {
        if (!g->nodes[k] || g->nodes[k]->dead)
            continue;
        double c = step_cost_ns(g->nodes[k]);
        total += c;
        largest = c > largest ? c : largest;
    }
    return total < MODEL_SERIAL_BELOW_NS && largest <= MODEL_SERIAL_MAX_STEP_SHARE * total;
}
