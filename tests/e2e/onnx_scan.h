/* A small reader of ONNX ModelProto wire format (no protobuf library, no decoding of data)
 * for the conformance runner: which op types (and domains) a model uses, in the main graph,
 * its subgraphs (If/Loop/Scan bodies) and model-local functions, and whether any value or
 * initializer has a string, sequence, map, optional or sparse type. Used to classify a
 * failing case as UNSUPPORTED (random ops, training ops, strings, sequences, optionals).
 * Malformed input never crashes: the scan stops at the first bad field.
 */
#ifndef OM_TESTS_E2E_ONNX_SCAN_H
#define OM_TESTS_E2E_ONNX_SCAN_H

#include <stdbool.h>

#define ONNX_SCAN_MAX_OPS 128

typedef struct onnx_scan_op {
    char op_type[64];
    char domain[64];       /* "" for ai.onnx */
    bool training_mode;    /* Dropout with a third input (training_mode) present */
} onnx_scan_op;

typedef struct onnx_scan {
    onnx_scan_op ops[ONNX_SCAN_MAX_OPS];   /* distinct (domain, op_type), first-seen order */
    int n_ops;
    bool has_string;       /* a tensor of elem_type STRING (value, initializer, attribute) */
    bool has_sequence, has_map, has_optional, has_sparse;
} onnx_scan;

/* Returns 0 on success, -1 if the file cannot be read. */
int onnx_scan_file(const char *path, onnx_scan *out);
/* The op entry of `op_type` (any domain), or NULL. */
const onnx_scan_op *onnx_scan_find(const onnx_scan *s, const char *op_type);

#endif
