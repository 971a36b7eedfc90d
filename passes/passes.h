/* Graph passes: IR -> IR rewrites, one per file, listed once in passes.def.
 *
 * A pass has the signature
 *     om_status om_pass_<ident>(om_graph *g, const om_pass_opts *opts, bool *changed);
 * sets *changed when it rewrote anything, and counts what it did with om_pass_count
 * (LLVM's STATISTIC). On failure the graph may be partially rewritten but stays
 * structurally valid (om_ir_verify passes); the caller normally destroys it.
 *
 * Pipelines are named comma-separated lists of pass names (see om_pass_pipeline_get);
 * om_pass_run_list runs any such list with the manager's dump/print/disable options.
 */
#ifndef OM_PASSES_PASSES_H
#define OM_PASSES_PASSES_H

#include "ir/ir.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Counters: (pass, counter-name) -> value, in first-touched order. */
typedef struct om_stats om_stats;
om_stats *om_stats_create(void);
void om_stats_destroy(om_stats *s);                    /* accepts NULL */
void om_stats_add(om_stats *s, const char *pass, const char *counter, int64_t delta); /* s may be NULL */
void om_stats_print(const om_stats *s, FILE *out);      /* "pass.counter = N" lines */

/* Per-input shape pins from --input-shape "x:1,3,224,224;y:1,128" (a dim of -1 leaves it). */
typedef struct om_input_pin {
    const char *name;
    om_shape shape;
} om_input_pin;

typedef struct om_pass_opts {
    om_stats *stats;                /* may be NULL */
    const om_input_pin *pins;       /* used by infer-shapes; may be NULL */
    int n_pins;
    bool require_static;            /* infer-shapes fails (naming input and dim) on any unknown dim */
    int64_t fold_limit_bytes;       /* max bytes a folded constant may have (0: default 1 MiB) */
    /* Constant folding (infer-shapes, fold-constants; see passes/fold.h): computes the
     * outputs of node n, whose non-omitted inputs are all constants, into caller-allocated
     * zeroed buffers of the inferred sizes (outputs[i]: numel * dtype size bytes, 64-byte
     * aligned). NULL disables folding (Shape and Size still fold: they need no data). */
    om_status (*eval_node)(void *user, om_graph *g, const om_node *n, void *const *outputs);
    void *eval_user;                /* passed to eval_node */
    const char *pass_name;          /* set by the manager: the pass being run */
    /* The precision pass's mode, lists and boundary options (passes/precision.h); NULL or
     * mode fp32 without boundary options: the pass does nothing. */
    const struct om_pass_precision_opts *precision;
} om_pass_opts;

/* Records `delta` under the running pass's name (opts->pass_name). */
void om_pass_count(const om_pass_opts *opts, const char *counter, int64_t delta);

typedef om_status (*om_pass_fn)(om_graph *g, const om_pass_opts *opts, bool *changed);

#define OM_PASS(ident, cli, desc) om_status om_pass_##ident(om_graph *g, const om_pass_opts *opts, bool *changed);
#include "passes.def"
#undef OM_PASS

typedef struct om_pass_info {
    const char *name;          /* cli name */
    const char *description;
    om_pass_fn run;
} om_pass_info;

size_t om_pass_count_registered(void);
const om_pass_info *om_pass_at(size_t i);
const om_pass_info *om_pass_find(const char *name);   /* NULL if unknown */

/* Named pipelines: "default" (what omc runs before codegen), "none". Returns the
 * comma-separated list or NULL if unknown. */
const char *om_pass_pipeline_get(const char *name);

typedef struct om_pass_manager_opts {
    om_pass_opts pass;              /* forwarded to each pass (pass_name is overwritten) */
    const char *dump_dir;           /* write "NN-<pass>.ir" after each pass; NULL: off */
    const char *print_after;        /* print IR to stderr after this pass; NULL: off */
    bool print_after_all;
    const char *const *disabled;    /* pass names to skip */
    int n_disabled;
    bool verify_each;               /* run om_ir_verify after every pass */
} om_pass_manager_opts;

/* Runs `list` ("a,b,c" of pass names, or a pipeline name) in order. An unknown name is
 * OM_ERR_INVALID_ARGUMENT naming it and listing the known passes. */
om_status om_pass_run_list(om_graph *g, const char *list, const om_pass_manager_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
