/* Mixed precision: the options of the `precision` pass (passes/precision.c) and the
 * readers of its list files (passes/precision_config.c, passes/precision_json.c).
 *
 * Modes (omc --precision, ATC --precision_mode):
 *   fp32        must_keep_origin_dtype     nothing changes (the pass is a no-op)
 *   fp16        force_fp16                 every op whose kernel takes f16 runs in f16,
 *                                          except the fp16 range refusals
 *   mixed       allow_mix_precision        allow/deny/infer lists with f16
 *   bf16        allow_fp32_to_bf16         every op whose kernel takes bf16 except the deny list
 *   mixed-bf16  allow_mix_precision_bf16   allow/deny/infer lists with bf16
 *
 * Ownership: an om_pass_precision_opts owns every string and array it points to (malloc'd);
 * release it with om_pass_precision_opts_free, also after a failed parse (it is left valid).
 * The readers append to the options, so options may be given in any order and repeated.
 * Every reader returns an om_status and leaves a message naming the file, line and
 * column or the bad token in om_last_error().
 */
#ifndef OM_PASSES_PRECISION_H
#define OM_PASSES_PRECISION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ir/ir.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum om_pass_precision_mode {
    OM_PRECISION_FP32 = 0,
    OM_PRECISION_FP16 = 1,
    OM_PRECISION_MIXED = 2,
    OM_PRECISION_BF16 = 3,
    OM_PRECISION_MIXED_BF16 = 4,
} om_pass_precision_mode;

/* The list an op type is on. NONE: on no list (its kernel is not known to take f16/bf16,
 * or nobody decided): it stays f32 in every mode. */
typedef enum om_pass_precision_class {
    OM_PREC_NONE = 0,
    OM_PREC_ALLOW = 1,   /* low precision in every low-precision mode */
    OM_PREC_INFER = 2,   /* follows its inputs in the mixed modes; low precision in fp16/bf16 */
    OM_PREC_DENY = 3,    /* f32 in the mixed modes and bf16; low precision in fp16 when its kernel allows */
} om_pass_precision_class;

typedef struct om_pass_precision_opts {
    om_pass_precision_mode mode;
    /* --modify-mixlist: per op, 0 = the built-in list, else (om_pass_precision_class + 1). */
    unsigned char override_class[OM_OP_COUNT];
    /* --keep-dtype: node names kept in their original dtype, and whole op types (OpType::X). */
    char **keep_names;
    int n_keep_names;
    bool keep_op[OM_OP_COUNT];
    /* --input-fp16-nodes: graph inputs whose declared f32 dtype becomes f16. */
    char **fp16_inputs;
    int n_fp16_inputs;
    /* --output-type: OM_DT_UNDEFINED keeps each output's declared dtype; FLOAT16 or FLOAT
     * makes every f32 graph output that dtype. */
    om_dtype output_dtype;
    /* --widen-f16-convs: the default pipeline also runs conv-f16-widen (f16 convs on the f32
     * kernels, their weights stored in f32). */
    bool widen_f16_convs;
    /* One line per decision (refusals, keep-dtype hits) is written here; NULL: silent. */
    FILE *report;
} om_pass_precision_opts;

/* "fp32"|"fp16"|"mixed"|"bf16"|"mixed-bf16" or ATC's names (must_keep_origin_dtype,
 * force_fp16, allow_mix_precision, allow_fp32_to_bf16, allow_mix_precision_bf16). */
om_status om_pass_precision_parse_mode(const char *name, om_pass_precision_mode *out);
const char *om_pass_precision_mode_name(om_pass_precision_mode m);
/* The low-precision dtype of a mode: FLOAT16, BFLOAT16, or UNDEFINED for fp32. */
om_dtype om_pass_precision_low_dtype(om_pass_precision_mode m);
bool om_pass_precision_is_mixed(om_pass_precision_mode m);

/* "fp32"|"fp16" (also ATC's FP32/FP16, any case) -> FLOAT / FLOAT16. */
om_status om_pass_precision_parse_output_type(const char *name, om_dtype *out);

/* --input-fp16-nodes "a;b" (empty entries are skipped). */
om_status om_pass_precision_add_fp16_inputs(om_pass_precision_opts *o, const char *spec);

/* --keep-dtype: text with one entry per line: a node name, or OpType::<ONNX op type>.
 * Blank lines and lines starting with '#' are skipped; surrounding spaces are trimmed.
 * An unknown op type is OM_ERR_PARSE naming file:line. */
om_status om_pass_precision_parse_keep_dtype(om_pass_precision_opts *o, const char *text, size_t len,
                                        const char *filename);
om_status om_pass_precision_load_keep_dtype(om_pass_precision_opts *o, const char *path);

/* --modify-mixlist: JSON of exactly this shape (every part optional):
 *   {"allow_list": {"to-add": ["Op", ...], "to-remove": [...]},
 *    "deny_list":  {...}, "infer_list": {...}}
 * ATC's older names black_list / white_list / gray_list are accepted too. "to-add" puts
 * the op on that list (off the others); "to-remove" takes it off (it joins no list).
 * Errors are OM_ERR_PARSE "file:line:col: message". */
om_status om_pass_precision_parse_mixlist(om_pass_precision_opts *o, const char *text, size_t len,
                                     const char *filename);
om_status om_pass_precision_load_mixlist(om_pass_precision_opts *o, const char *path);

void om_pass_precision_opts_free(om_pass_precision_opts *o);   /* accepts zeroed; leaves it zeroed */

/* The list op is on in the options' mode, after --modify-mixlist. */
om_pass_precision_class om_pass_precision_op_class(const om_pass_precision_opts *o, om_op op);
/* The built-in list of op (without overrides). */
om_pass_precision_class om_pass_precision_default_class(om_op op);
/* True when op's kernel takes f16/bf16 for all its floating-point ("T") tensors. */
bool om_pass_precision_kernel_takes_low(om_op op);

/* ---- the tiny JSON reader (passes/precision_json.c) ---------------------------------- */

typedef enum om_pass_json_kind { OM_JSON_NULL, OM_JSON_BOOL, OM_JSON_NUMBER, OM_JSON_STRING, OM_JSON_ARRAY,
                            OM_JSON_OBJECT } om_pass_json_kind;

typedef struct om_pass_json om_pass_json;
struct om_pass_json {
    om_pass_json_kind kind;
    int line, col;           /* where the value starts (1-based) */
    bool b;
    double num;
    char *str;               /* STRING; also the key of an object member */
    char *key;               /* the member name when this is an object member; else NULL */
    om_pass_json *items;          /* ARRAY elements / OBJECT members */
    int n_items;
};

/* Parses one JSON document (objects, arrays, strings with escapes, numbers, true/false/
 * null). On failure *out is NULL and the message is "filename:line:col: ...". */
om_status om_pass_json_parse(const char *text, size_t len, const char *filename, om_pass_json **out);
void om_pass_json_free(om_pass_json *j);   /* accepts NULL */

#ifdef __cplusplus
}
#endif
#endif
