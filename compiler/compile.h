/* The compiler glue: ONNX or IR text -> passes -> codegen -> .om artifact, as a handful of
 * library calls, so that tools/omc.c shows the whole pipeline in one screen:
 *
 *     om_compile_load(path, &g);                      // .onnx or IR text, by content
 *     om_compile_optimize(g, &opts);                  // the pass pipeline
 *     om_compile_write_om(g, &opts.target, out_path); // codegen + artifact, atomically
 *
 * Every function returns an om_status and leaves a one-line message in om_last_error()
 * naming the file, input, pass or value concerned. Nothing here prints or exits.
 *
 * Ownership: om_compile_load returns a graph the caller destroys (om_graph_destroy).
 * om_compile_parse_input_shape fills an om_compile_pins the caller releases with
 * om_compile_pins_free (also after a failure). Output files are written atomically: on any
 * failure nothing is left at the output path.
 */
#ifndef OM_COMPILER_COMPILE_H
#define OM_COMPILER_COMPILE_H

#include <stdbool.h>
#include <stdio.h>

#include "codegen/codegen.h"
#include "frontend/onnx_import.h"
#include "ir/ir.h"
#include "passes/passes.h"
#include "passes/precision.h"
#include "runtime/artifact/artifact.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- loading (compiler/load.c) ----------------------------------------------------- */

typedef enum om_compile_format {
    OM_COMPILE_FORMAT_ONNX = 1,
    OM_COMPILE_FORMAT_IR_TEXT = 2,
    OM_COMPILE_FORMAT_OM = 3,      /* an artifact: not loadable as a graph */
} om_compile_format;

/* Guesses the format of `path` from its first bytes, with the extension as a hint: IR text
 * when the content starts with `graph` after whitespace and comments (or the name ends in
 * .ir/.omir and the content is text), an artifact when it starts with the .om magic,
 * ONNX otherwise. OM_ERR_IO if the file cannot be read. */
om_status om_compile_sniff(const char *path, om_compile_format *out);

/* Loads an ONNX model or an IR text file into a new graph. An .om artifact is refused with
 * a message pointing at omdump. On failure *out is NULL. */
om_status om_compile_load(const char *path, om_graph **out);

struct om_compile_pins;
/* om_compile_load with the sequence / optional pins of `pins` (pins->values) applied at
 * import (ONNX only; they are refused for IR text). pins may be NULL. Tensor pins are not
 * used here: om_compile_optimize applies them. */
om_status om_compile_load_pinned(const char *path, const struct om_compile_pins *pins, om_graph **out);

/* ---- input shape pins (compiler/input_shape.c) -------------------------------------- */

typedef struct om_compile_pins {
    om_input_pin *pins;   /* malloc'd; names malloc'd */
    int n_pins;
    /* Sequence and optional inputs ("s:[[2,3],[4,3]]", "o:none"; onnx_import.h has the
     * naming contract): malloc'd, names and element shape arrays malloc'd. */
    om_fe_input_pin *values;
    int n_values;
} om_compile_pins;

/* Parses "x:1,3,224,224;y:1,128" (ATC's --input_shape spelling is the same). The name is
 * everything before the last ':' of an entry, so "input:0:1,3" names "input:0". A dim
 * of -1 leaves that dim as the model has it; an empty dim list pins a scalar. Appends to
 * *pins (so the option may be repeated); errors name the bad token.
 * Sequence inputs: "s:[[2,3],[4,3]]" (length 2, element shapes [2,3] and [4,3]; "s:[]" is
 * empty, "s:[[]]" one scalar); optional inputs: "o:none" (absent), or a shape / sequence
 * pin (present). These go to pins->values. */
om_status om_compile_parse_input_shape(const char *spec, om_compile_pins *pins);
void om_compile_pins_free(om_compile_pins *pins);   /* accepts zeroed */

/* ---- optimizing (compiler/optimize.c) ----------------------------------------------- */

typedef struct om_compile_opts {
    const char *passes;              /* a pass list or pipeline name; NULL: "default" */
    const om_input_pin *pins;
    int n_pins;
    om_stats *stats;                 /* may be NULL */
    const char *dump_dir;            /* NULL: no dumps */
    const char *print_after;         /* NULL: off */
    bool print_after_all;
    const char *const *disabled;     /* pass names to skip */
    int n_disabled;
    bool verify_each;                /* forced on in debug builds */
    om_cg_target_opts target;        /* codegen target; zeroed fields mean the host */
    /* Mixed precision (--precision, --keep-dtype, --modify-mixlist, --input-fp16-nodes,
     * --output-type). NULL or fp32 without boundary options: unchanged. When active and
     * `passes` is NULL or "default", the 'precision' pass runs after the fusion passes
     * (before pack-gemm-weights, dce, finalize-io and plan-memory). */
    const om_pass_precision_opts *precision;
} om_compile_opts;

/* Runs the pass list (or "default") on g with require_static set. */
om_status om_compile_optimize(om_graph *g, const om_compile_opts *opts);

/* Live Conv nodes that compute in f16. No vectorized conv kernel takes f16 yet (codegen
 * widens element by element in the generic loop nest), so each runs several times slower
 * than in f32 or bf16: omc tells the user when this is non-zero. */
size_t om_compile_count_f16_convs(const om_graph *g);

/* ---- outputs (compiler/emit.c, compiler/artifact_build.c) ------------------------------ */

/* Checks that g is ready for codegen and the artifact: every value has a dtype and a
 * static shape (infer-shapes ran) and the memory plan exists (plan-memory ran). The
 * message names the missing pass and a value that shows it. */
om_status om_compile_check_ready(const om_graph *g);
/* The first half of that: dtypes and static shapes only (what codegen needs). */
om_status om_compile_check_shapes(const om_graph *g);

/* Builds the artifact description from a planned graph and its compiled code. The arrays,
 * the graph text and the weights blob in *m are malloc'd (release them with
 * om_compile_artifact_free); strings and the code point into g and r, which must stay
 * alive while *m is used. */
om_status om_compile_build_artifact(const om_graph *g, const om_cg_result *r, om_art_model *m);
void om_compile_artifact_free(om_art_model *m);   /* accepts zeroed or half-built */

/* Codegen + artifact, written atomically to path (no partial file on failure). */
om_status om_compile_write_om(const om_graph *g, const om_cg_target_opts *target,
                              const char *path);

/* IR text after the pipeline (with the memory plan shown, nothing elided). path NULL or
 * "-": stdout; otherwise written atomically. */
om_status om_compile_emit_ir(const om_graph *g, const char *path);
/* The kernels' optimized LLVM IR. path as for om_compile_emit_ir. */
om_status om_compile_emit_llvm(const om_graph *g, const om_cg_target_opts *target,
                               const char *path);

/* ---- atomic output files (compiler/out_file.c) --------------------------------------- */

/* A file written through a temporary beside `path`, renamed into place on commit. */
typedef struct om_compile_out_file {
    FILE *f;
    char *path, *tmp_path;   /* malloc'd; NULL when writing to stdout */
    bool direct;             /* path is an existing non-regular file (/dev/null, a FIFO):
                                written in place, never replaced */
} om_compile_out_file;

/* path NULL or "-" means stdout (commit flushes; abort does nothing). An existing path that
 * is not a regular file (a device such as /dev/null, a FIFO) is written directly: replacing
 * it by rename would destroy it. */
om_status om_compile_out_open(om_compile_out_file *o, const char *path);
/* Flushes, fsyncs and renames; on failure removes the temporary. Releases o. */
om_status om_compile_out_commit(om_compile_out_file *o);
/* Removes the temporary. Releases o. Accepts a zeroed or already released o. */
void om_compile_out_abort(om_compile_out_file *o);

#ifdef __cplusplus
}
#endif
#endif
