/* Code generation: IR graph -> LLVM module -> relocatable object code, through the LLVM C
 * API only. Nothing LLVM-specific leaves this folder: callers see plain C types.
 *
 * One kernel function per node, specialized to the node's static shapes and attributes:
 *     void om_k<node-id>_<Op>(void *const *args, int64_t first, int64_t last)
 * args[] holds, in order, the addresses of the node's non-omitted inputs then its outputs;
 * [first, last) is the part of [0, work_items) to compute (see runtime/artifact/artifact.h).
 * The runtime holds no kernels: everything that runs is in the object code.
 *
 * Ownership: om_cg_compile returns a result the caller frees with om_cg_result_destroy.
 * The graph is only read and must outlive the result (steps point to its values).
 */
#ifndef OM_CODEGEN_CODEGEN_H
#define OM_CODEGEN_CODEGEN_H

#include "ir/ir.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct om_cg_target_opts {
    const char *triple;    /* NULL: the host's (LLVMGetDefaultTargetTriple) */
    const char *cpu;       /* NULL: the host CPU name, or "generic" for a non-host triple */
    const char *features;  /* NULL: the host's features, or "" for a non-host triple */
    int opt_level;         /* 0..3; the default pipeline is "default<O3>" for 3 */
    bool split_small_steps; /* false (default): a step estimated to take under ~20 us on one
                              thread is one work item, run on the calling thread (splitting it
                              over threads costs more than it saves); true: every step splits
                              its work loop (the unit tests use it to exercise the splits) */
} om_cg_target_opts;

typedef struct om_cg_step {
    const char *symbol;          /* kernel function name (owned by the result) */
    const om_node *node;         /* the node it computes */
    int64_t work_items;          /* >= 1 */
    int n_args;
    const om_value **args;       /* non-omitted inputs, then outputs (owned by the result) */
} om_cg_step;

typedef struct om_cg_result {
    void *object;                /* ELF relocatable object bytes */
    size_t object_size;
    char *triple, *cpu, *features;
    /* Space-separated CPU features the code needs, as the runtime's cpuid check names
     * them (e.g. "avx2 fma avx512f"); derived from `features`. */
    char *required_cpu;
    size_t n_steps;
    om_cg_step *steps;           /* in execution order (g->nodes order) */
} om_cg_result;

/* Requires every value to have a static shape and a dtype (run infer-shapes first).
 * An op or dtype without a kernel is OM_ERR_UNSUPPORTED naming the node, op and dtype. */
om_status om_cg_compile(const om_graph *g, const om_cg_target_opts *t, om_cg_result **out);
void om_cg_result_destroy(om_cg_result *r);     /* accepts NULL */

/* Writes the optimized (after LLVMRunPasses) LLVM IR of the model's kernels as text. */
om_status om_cg_emit_llvm_ir(const om_graph *g, const om_cg_target_opts *t, FILE *out);

/* Writes "host triple, cpu, features" to out (for omc --version / omdump). */
void om_cg_print_host(FILE *out);

/* The code of one node of g (dead or not) as om_cg_compile would produce it: one step. */
om_status om_cg_compile_node(const om_graph *g, const om_node *n, const om_cg_target_opts *t, om_cg_result **out);

/* ---- compile-time evaluation (eval.c) ---------------------------------------------------
 * Runs node n's kernel on the host: n's non-omitted inputs must all be constants (their data
 * is passed as the input arguments), outputs[i] is a caller-allocated buffer of n's output i
 * (numel * dtype size bytes, static shape, 64-byte aligned). The kernel is compiled for the
 * host (-O0 up to 256 KiB of inputs and outputs, else -O1), loaded with LLVM ORC (LLJIT)
 * and run over [0, work_items); its code is removed again after the call. An evaluator
 * keeps one LLJIT instance across calls (one per compile); not thread-safe. */
typedef struct om_cg_evaluator om_cg_evaluator;
om_status om_cg_evaluator_create(om_cg_evaluator **out);
void om_cg_evaluator_destroy(om_cg_evaluator *e);             /* accepts NULL */
om_status om_cg_evaluator_run(om_cg_evaluator *e, const om_graph *g, const om_node *n, void *const *outputs);
/* One-shot: creates an evaluator, runs n, destroys it. */
om_status om_cg_eval_node(const om_graph *g, const om_node *n, void *const *outputs);
/* Adapter for om_pass_opts.eval_node: user is an om_cg_evaluator (NULL: one-shot). */
om_status om_cg_eval_callback(void *user, om_graph *g, const om_node *n, void *const *outputs);

#ifdef __cplusplus
}
#endif
#endif
