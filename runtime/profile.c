/* Per-step execution profile, switched on by the environment variable OMRT_PROFILE=1 when
 * a context is created: omrt_execute then times every step (CLOCK_MONOTONIC, two clock
 * reads per step: negligible next to a kernel) and, when the context is destroyed, prints
 * to stderr the time per execution by op type and the slowest steps, named by their
 * labels (format 1.1) or kernel names; OMRT_PROFILE=all prints every step, in order, too.
 * Off (the default), it costs one NULL test per step.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_internal.h"

#define TOP_STEPS 15
#define MAX_OP_KINDS 128

void om_rt_profile_init(omrt_context *c)
{
    const char *e = getenv("OMRT_PROFILE");
    if (!e || !e[0] || strcmp(e, "0") == 0)
        return;
    /* failure to allocate only leaves profiling off */
    c->step_ns = calloc(c->model->art.n_steps ? c->model->art.n_steps : 1, sizeof *c->step_ns);
}

/* The op type of step s: "(Conv)" in its label, else the kernel name's suffix after the
 * last '_' (om_k12_Conv). Copied into buf. */
static const char *step_op(const om_art_model *a, uint32_t s, char *buf, size_t len)
{
    const char *l = a->step_labels ? a->step_labels[s] : NULL;
    const char *open = l ? strrchr(l, '(') : NULL;
    if (open && l[strlen(l) - 1] == ')') {
        snprintf(buf, len, "%.*s", (int)(strlen(open) - 2), open + 1);
        return buf;
    }
    const char *k = a->kernel_names[a->steps[s].kernel];
    const char *us = strrchr(k, '_');
    snprintf(buf, len, "%s", us ? us + 1 : k);
    return buf;
}

typedef struct op_total {
    char op[48];
    uint64_t ns;
    unsigned steps;
} op_total;

static int by_ns_desc(const void *x, const void *y)
{
    uint64_t a = ((const op_total *)x)->ns, b = ((const op_total *)y)->ns;
    return a < b ? 1 : a > b ? -1 : 0;
}

static void print_step(const omrt_context *c, uint32_t s, double total, double runs)
{
    const om_art_model *a = &c->model->art;
    fprintf(stderr, "    %5.1f%%  %9.3f ms  step %u %s (work items %lld)\n", 100.0 * (double)c->step_ns[s] / total,
            (double)c->step_ns[s] / runs / 1e6, s, a->step_labels ? a->step_labels[s] : a->kernel_names[a->steps[s].kernel],
            (long long)a->steps[s].work_items);
}

void om_rt_profile_report(const omrt_context *c)
{
    if (!c->step_ns || !c->profiled_runs)
        return;
    const om_art_model *a = &c->model->art;
    double runs = (double)c->profiled_runs, total = 0;
    for (uint32_t s = 0; s < a->n_steps; s++)
        total += (double)c->step_ns[s];
    fprintf(stderr, "omrt profile: %llu executions, %.3f ms per execution (sum of %u steps)\n",
            (unsigned long long)c->profiled_runs, total / runs / 1e6, a->n_steps);
    if (total <= 0)
        return;
    op_total ops[MAX_OP_KINDS];
    int n_ops = 0;
    for (uint32_t s = 0; s < a->n_steps; s++) {
        char op[48];
        step_op(a, s, op, sizeof op);
        int k = 0;
        while (k < n_ops && strcmp(ops[k].op, op) != 0)
            k++;
        if (k == n_ops) {
            if (n_ops == MAX_OP_KINDS)
                continue;
            snprintf(ops[n_ops].op, sizeof ops[n_ops].op, "%s", op);
            ops[n_ops].ns = 0;
            ops[n_ops++].steps = 0;
        }
        ops[k].ns += c->step_ns[s];
        ops[k].steps++;
    }
    qsort(ops, (size_t)n_ops, sizeof *ops, by_ns_desc);
    fprintf(stderr, "  by op type:\n");
    for (int k = 0; k < n_ops; k++)
        fprintf(stderr, "    %5.1f%%  %9.3f ms  %-24s %u steps\n", 100.0 * (double)ops[k].ns / total,
                (double)ops[k].ns / runs / 1e6, ops[k].op, ops[k].steps);
    /* slowest steps: a selection by repeated maximum (n_steps is small) */
    fprintf(stderr, "  slowest steps:\n");
    uint32_t shown[TOP_STEPS];
    int n_shown = 0;
    while (n_shown < TOP_STEPS && n_shown < (int)a->n_steps) {
        uint32_t best = UINT32_MAX;
        for (uint32_t s = 0; s < a->n_steps; s++) {
            bool taken = false;
            for (int i = 0; i < n_shown; i++)
                taken |= shown[i] == s;
            if (!taken && (best == UINT32_MAX || c->step_ns[s] > c->step_ns[best]))
                best = s;
        }
        shown[n_shown++] = best;
        print_step(c, best, total, runs);
    }
    const char *e = getenv("OMRT_PROFILE");
    if (e && strcmp(e, "all") == 0) {
        fprintf(stderr, "  every step:\n");
        for (uint32_t s = 0; s < a->n_steps; s++)
            print_step(c, s, total, runs);
    }
}
