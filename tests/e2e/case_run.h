/* The library path of one ONNX backend test case, shared by onnx_case (per-case runs) and
 * conformance (the whole suite): load model.onnx, optionally freeze inputs into constants,
 * pin dynamic inputs to the first data set's shapes, om_compile_optimize (folding on, as
 * omc), om_cg_compile + artifact bytes + omrt_model_load_memory, then run every
 * test_data_set_N and compare each output_K.pb with the suite's tolerance: dtype and shape
 * exactly; floats |got-exp| <= atol + rtol*|exp| (rtol 1e-3, atol 1e-7, ONNX's backend
 * defaults) or both NaN (or equal infinities); integers and bools equal.
 *
 * Sequence and optional inputs/outputs (models whose graph inputs or outputs are declared
 * so; their input_K.pb / output_K.pb are SequenceProto / OptionalProto files): the first
 * data set's values become import pins (a sequence's length and element shapes, "none"
 * for an absent optional), as `omc --input-shape "s:[[..],[..]]"` would; the element
 * tensors are fed to the compiled inputs "<name>.<i>", and an output sequence is compared
 * element by element with the compiled outputs "<name>.<i>" (the length must match).
 *
 * Failure messages start with the stage ("load:", "optimize:", "codegen:", "execute:",
 * "data set N output_K ...: mismatch at index I: got G, expected E ...").
 */
#ifndef OM_TESTS_E2E_CASE_RUN_H
#define OM_TESTS_E2E_CASE_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "frontend/onnx_import.h"
#include "ir/ir.h"
#include "runtime/include/omrt.h"

#define CASE_RTOL 1e-3
#define CASE_ATOL 1e-7
#define CASE_MAX_FILES 64

typedef struct case_result {
    char msg[1024];
} case_result;

typedef struct case_opts {
    bool const_input[CASE_MAX_FILES];  /* input_K.pb's model input becomes a constant */
    const char *const *const_names;    /* graph inputs frozen by name (fed by some input_K.pb) */
    int n_const_names;
} case_opts;

/* Runs one case directory; false with r->msg set on any failure. */
bool case_run(const char *case_dir, const case_opts *o, case_result *r);

/* Helpers (also used by onnx_case's --tools mode). */
bool case_failf(case_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int case_count_numbered(const char *dir, const char *prefix, const char *suffix);
int case_count_datasets(const char *case_dir);
void case_free_tensors(om_fe_tensor *t, int n);
bool case_load_tensors(const char *dir, const char *prefix, int n, om_fe_tensor *out, case_result *r);
bool case_compare_output(const char *what, const omrt_tensor_info *info, const void *got,
                         const om_fe_tensor *exp, case_result *r);
int64_t case_graph_input_for(const om_graph *g, const om_fe_tensor *t, int k);

/* What one input_K.pb / output_K.pb held, for value-typed models. */
typedef struct case_value_info {
    char name[256];          /* the model's input/output name */
    om_fe_io_kind kind;
    bool present;            /* optional with a value */
    bool is_sequence;
    int n_items;
} case_value_info;

/* Loads <dir>/<prefix>K.pb, K in [0, n_files), reading each as `decl` (the model's declared
 * inputs or outputs, matched by the file's value name, else by position) says, and
 * flattens them into out[] (at most CASE_MAX_FILES tensors): a tensor keeps its name (the
 * declared one when the file has none); the elements of a sequence `s` are named "s.0",
 * "s.1", ...; an absent optional gives nothing. info[K] (may be NULL) describes file K. */
bool case_load_values(const char *dir, const char *prefix, int n_files, const om_fe_io_entry *decl, size_t n_decl,
                      om_fe_tensor *out, int *n_out, case_value_info *info, case_result *r);
/* Pins for the import from the values of a data set (sequence lengths and element shapes,
 * absent optionals); elems[] provides the element shape storage (CASE_MAX_FILES). */
int case_value_pins(const case_value_info *info, int n_files, const om_fe_tensor *flat, int n_flat,
                    om_fe_input_pin *pins, om_shape *elems);

#endif
