/* Options of the precision pass: mode names, the built-in allow/infer/deny lists, which
 * kernels take f16/bf16, and the readers of --keep-dtype, --modify-mixlist and
 * --input-fp16-nodes (see precision.h).
 *
 * The built-in lists follow PyTorch AMP's autocast lists and ATC's mixed-precision lists:
 *   allow  Conv, ConvTranspose, Gemm, MatMul (also with fused epilogues): low precision
 *   infer  data movement and cheap elementwise ops: follow their inputs
 *   deny   softmax, normalization, reductions, exp/log/pow, erf, sqrt, accumulation: f32
 * An op on no list stays f32 in every mode. "Takes low" lists the ops whose kernels
 * (codegen/kernels) accept f16 and bf16 for all their floating-point tensors and compute
 * in f32 inside (om_cg_convert on load and store); only those ever run in low precision.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "passes/precision.h"

static const struct {
    const char *name, *atc;
    om_pass_precision_mode mode;
} modes[] = {
    {"fp32", "must_keep_origin_dtype", OM_PRECISION_FP32},
    {"fp16", "force_fp16", OM_PRECISION_FP16},
    {"mixed", "allow_mix_precision", OM_PRECISION_MIXED},
    {"bf16", "allow_fp32_to_bf16", OM_PRECISION_BF16},
    {"mixed-bf16", "allow_mix_precision_bf16", OM_PRECISION_MIXED_BF16},
};

om_status om_pass_precision_parse_mode(const char *name, om_pass_precision_mode *out)
{
    for (size_t i = 0; name && i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(name, modes[i].name) == 0 || strcmp(name, modes[i].atc) == 0) {
            *out = modes[i].mode;
            return OM_OK;
        }
    return om_error(OM_ERR_INVALID_ARGUMENT,
                    "unknown precision mode '%s': expected fp32, fp16, mixed, bf16 or mixed-bf16 (ATC: "
                    "must_keep_origin_dtype, force_fp16, allow_mix_precision, allow_fp32_to_bf16, "
                    "allow_mix_precision_bf16)",
                    name ? name : "(null)");
}

const char *om_pass_precision_mode_name(om_pass_precision_mode m)
{
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (modes[i].mode == m)
            return modes[i].name;
    return "?";
}

om_dtype om_pass_precision_low_dtype(om_pass_precision_mode m)
{
    switch (m) {
    case OM_PRECISION_FP16: case OM_PRECISION_MIXED: return OM_DT_FLOAT16;
    case OM_PRECISION_BF16: case OM_PRECISION_MIXED_BF16: return OM_DT_BFLOAT16;
    default: return OM_DT_UNDEFINED;
    }
}

bool om_pass_precision_is_mixed(om_pass_precision_mode m) { return m == OM_PRECISION_MIXED || m == OM_PRECISION_MIXED_BF16; }

om_status om_pass_precision_parse_output_type(const char *name, om_dtype *out)
{
    char low[8];
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n >= sizeof low)
        goto bad;
    for (size_t i = 0; i <= n; i++)
        low[i] = (char)tolower((unsigned char)name[i]);
    if (strcmp(low, "fp32") == 0 || strcmp(low, "f32") == 0) {
        *out = OM_DT_FLOAT;
        return OM_OK;
    }
    if (strcmp(low, "fp16") == 0 || strcmp(low, "f16") == 0) {
        *out = OM_DT_FLOAT16;
        return OM_OK;
    }
bad:
    return om_error(OM_ERR_INVALID_ARGUMENT, "unknown output type '%s': expected fp32 or fp16 (ATC: FP32, FP16)",
                    name ? name : "(null)");
}

om_pass_precision_class om_pass_precision_default_class(om_op op)
{
    switch (op) {
    case OM_OP_CONV: case OM_OP_CONV_TRANSPOSE: case OM_OP_GEMM: case OM_OP_MATMUL:
        return OM_PREC_ALLOW;
    case OM_OP_RELU: case OM_OP_LEAKY_RELU: case OM_OP_CLIP: case OM_OP_ADD: case OM_OP_SUB: case OM_OP_MUL:
    case OM_OP_DIV: case OM_OP_MAX: case OM_OP_MIN: case OM_OP_NEG: case OM_OP_ABS: case OM_OP_CONCAT:
    case OM_OP_RESHAPE: case OM_OP_FLATTEN: case OM_OP_TRANSPOSE: case OM_OP_SQUEEZE: case OM_OP_UNSQUEEZE:
    case OM_OP_IDENTITY: case OM_OP_SLICE: case OM_OP_SPLIT: case OM_OP_GATHER: case OM_OP_EXPAND:
    case OM_OP_TILE: case OM_OP_PAD: case OM_OP_MAX_POOL: case OM_OP_AVERAGE_POOL:
    case OM_OP_GLOBAL_AVERAGE_POOL: case OM_OP_GLOBAL_MAX_POOL: case OM_OP_DEPTH_TO_SPACE:
    case OM_OP_SPACE_TO_DEPTH: case OM_OP_RESIZE: case OM_OP_WHERE: case OM_OP_HARD_SIGMOID:
    case OM_OP_HARD_SWISH: case OM_OP_SIGMOID: case OM_OP_TANH: case OM_OP_GELU:
        return OM_PREC_INFER;
    case OM_OP_SOFTMAX: case OM_OP_LOG_SOFTMAX: case OM_OP_LAYER_NORMALIZATION:
    case OM_OP_INSTANCE_NORMALIZATION: case OM_OP_BATCH_NORMALIZATION: case OM_OP_MEAN_VARIANCE_NORMALIZATION:
    case OM_OP_LRN: case OM_OP_REDUCE_SUM: case OM_OP_REDUCE_MEAN: case OM_OP_REDUCE_MAX: case OM_OP_REDUCE_MIN:
    case OM_OP_REDUCE_PROD: case OM_OP_REDUCE_L1: case OM_OP_REDUCE_L2: case OM_OP_REDUCE_LOG_SUM:
    case OM_OP_REDUCE_LOG_SUM_EXP: case OM_OP_REDUCE_SUM_SQUARE: case OM_OP_EXP: case OM_OP_LOG: case OM_OP_POW:
    case OM_OP_ERF: case OM_OP_SQRT: case OM_OP_RECIPROCAL: case OM_OP_CUM_SUM: case OM_OP_SOFTPLUS:
    case OM_OP_SUM: case OM_OP_MEAN: case OM_OP_EINSUM:
        return OM_PREC_DENY;
    default:
        return OM_PREC_NONE;
    }
}

bool om_pass_precision_kernel_takes_low(om_op op)
{
    switch (op) {
    /* Exp, Log, Pow, the product/square reductions, CumSum, Einsum, Sum and Mean are left
     * out on purpose: their results leave fp16's range first, so they stay f32. */
    case OM_OP_SOFTMAX: case OM_OP_LOG_SOFTMAX: case OM_OP_LAYER_NORMALIZATION:
    case OM_OP_INSTANCE_NORMALIZATION: case OM_OP_BATCH_NORMALIZATION: case OM_OP_REDUCE_SUM:
    case OM_OP_REDUCE_MEAN: case OM_OP_REDUCE_MAX: case OM_OP_REDUCE_MIN: case OM_OP_ERF: case OM_OP_SQRT:
        return true;
    default:
        return om_pass_precision_default_class(op) == OM_PREC_ALLOW || om_pass_precision_default_class(op) == OM_PREC_INFER;
    }
}

om_pass_precision_class om_pass_precision_op_class(const om_pass_precision_opts *o, om_op op)
{
    if ((unsigned)op >= OM_OP_COUNT)
        return OM_PREC_NONE;
    if (o && o->override_class[op])
        return (om_pass_precision_class)(o->override_class[op] - 1);
    return om_pass_precision_default_class(op);
}

/* ---- string lists ------------------------------------------------------------------- */

static om_status push_name(char ***list, int *n, const char *s, size_t len)
{
    char **l = realloc(*list, (size_t)(*n + 1) * sizeof *l);
    if (!l)
        return om_error(OM_ERR_NO_MEMORY, "out of memory reading precision options");
    *list = l;
    char *d = malloc(len + 1);
    if (!d)
        return om_error(OM_ERR_NO_MEMORY, "out of memory reading precision options");
    memcpy(d, s, len);
    d[len] = '\0';
    l[(*n)++] = d;
    return OM_OK;
}

om_status om_pass_precision_add_fp16_inputs(om_pass_precision_opts *o, const char *spec)
{
    if (!o || !spec)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_pass_precision_add_fp16_inputs: NULL argument");
    const char *p = spec;
    while (*p) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && isspace((unsigned char)*p)) {
            p++;
            len--;
        }
        while (len && isspace((unsigned char)p[len - 1]))
            len--;
        if (len) {
            om_status st = push_name(&o->fp16_inputs, &o->n_fp16_inputs, p, len);
            if (st != OM_OK)
                return st;
        }
        if (!e)
            break;
        p = e + 1;
    }
    return OM_OK;
}

static om_status read_file(const char *path, char **text, size_t *len)
{
    *text = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return om_error(OM_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    om_status st = OM_OK;
    while (buf) {
        if (n == cap) {
            char *t = realloc(buf, cap * 2);
            if (!t) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = t;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (!buf)
        st = om_error(OM_ERR_NO_MEMORY, "out of memory reading '%s'", path);
    else if (ferror(f))
        st = om_error(OM_ERR_IO, "cannot read '%s'", path);
    fclose(f);
    if (st != OM_OK) {
        free(buf);
        return st;
    }
    *text = buf;
    *len = n;
    return OM_OK;
}

/* ---- --keep-dtype --------------------------------------------------------------------- */

om_status om_pass_precision_parse_keep_dtype(om_pass_precision_opts *o, const char *text, size_t len, const char *filename)
{
    const char *file = filename ? filename : "<keep-dtype>";
    const char *p = text, *end = text + len;
    int line = 0;
    while (p < end) {
        line++;
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *next = eol ? eol + 1 : end;
        const char *b = p, *e = eol ? eol : end;
        while (b < e && isspace((unsigned char)*b))
            b++;
        while (e > b && isspace((unsigned char)e[-1]))
            e--;
        p = next;
        if (b == e || *b == '#')
            continue;
        size_t n = (size_t)(e - b);
        if (n > 8 && memcmp(b, "OpType::", 8) == 0) {
            char name[64];
            if (n - 8 >= sizeof name)
                return om_error(OM_ERR_PARSE, "%s:%d:9: op type '%.*s' is too long", file, line, (int)(n - 8), b + 8);
            memcpy(name, b + 8, n - 8);
            name[n - 8] = '\0';
            om_op op = om_op_lookup(name);
            if (op == OM_OP_COUNT)
                return om_error(OM_ERR_PARSE, "%s:%d:9: unknown op type '%s' (ONNX spelling, e.g. OpType::Softmax)",
                                file, line, name);
            o->keep_op[op] = true;
            continue;
        }
        om_status st = push_name(&o->keep_names, &o->n_keep_names, b, n);
        if (st != OM_OK)
            return st;
    }
    return OM_OK;
}

om_status om_pass_precision_load_keep_dtype(om_pass_precision_opts *o, const char *path)
{
    char *text;
    size_t len;
    om_status st = read_file(path, &text, &len);
    if (st != OM_OK)
        return st;
    st = om_pass_precision_parse_keep_dtype(o, text, len, path);
    free(text);
    return st;
}

/* ---- --modify-mixlist ------------------------------------------------------------------ */

static om_status json_err(const char *file, const om_pass_json *j, const char *msg, const char *what)
{
    return om_error(OM_ERR_PARSE, "%s:%d:%d: %s%s%s", file, j->line, j->col, msg, what ? what : "",
                    what ? "'" : "");
}

static om_status apply_ops(om_pass_precision_opts *o, const char *file, const om_pass_json *arr, om_pass_precision_class cls,
                           bool add, unsigned char *seen)
{
    if (arr->kind != OM_JSON_ARRAY)
        return json_err(file, arr, "expected an array of op type names", NULL);
    for (int i = 0; i < arr->n_items; i++) {
        const om_pass_json *it = &arr->items[i];
        if (it->kind != OM_JSON_STRING)
            return json_err(file, it, "expected an op type name (a string)", NULL);
        om_op op = om_op_lookup(it->str);
        if (op == OM_OP_COUNT)
            return json_err(file, it, "unknown op type '", it->str);
        if (add) {
            o->override_class[op] = (unsigned char)(cls + 1);
            seen[op] = 1;
        } else if (om_pass_precision_op_class(o, op) == cls) {
            if (seen[op])
                return json_err(file, it, "op type is both added to and removed from one list: '", it->str);
            o->override_class[op] = OM_PREC_NONE + 1;
        }
    }
    return OM_OK;
}

om_status om_pass_precision_parse_mixlist(om_pass_precision_opts *o, const char *text, size_t len, const char *filename)
{
    const char *file = filename ? filename : "<mixlist>";
    om_pass_json *root = NULL;
    om_status st = om_pass_json_parse(text, len, file, &root);
    if (st != OM_OK)
        return st;
    unsigned char seen[OM_OP_COUNT];
    memset(seen, 0, sizeof seen);
    if (root->kind != OM_JSON_OBJECT) {
        st = json_err(file, root, "expected an object {\"allow_list\": ..., \"deny_list\": ...}", NULL);
        goto fail;
    }
    /* additions first, so that a removal never undoes an addition to another list */
    for (int pass = 0; pass < 2 && st == OM_OK; pass++) {
        for (int i = 0; i < root->n_items && st == OM_OK; i++) {
            const om_pass_json *lst = &root->items[i];
            const char *k = lst->key;
            om_pass_precision_class cls;
            if (strcmp(k, "allow_list") == 0 || strcmp(k, "white_list") == 0)
                cls = OM_PREC_ALLOW;
            else if (strcmp(k, "deny_list") == 0 || strcmp(k, "black_list") == 0)
                cls = OM_PREC_DENY;
            else if (strcmp(k, "infer_list") == 0 || strcmp(k, "gray_list") == 0)
                cls = OM_PREC_INFER;
            else {
                st = json_err(file, lst, "unknown list (expected allow_list, deny_list or infer_list): '", k);
                break;
            }
            if (lst->kind != OM_JSON_OBJECT) {
                st = json_err(file, lst, "expected an object {\"to-add\": [...], \"to-remove\": [...]} for '", k);
                break;
            }
            for (int j = 0; j < lst->n_items && st == OM_OK; j++) {
                const om_pass_json *a = &lst->items[j];
                bool add = strcmp(a->key, "to-add") == 0;
                if (!add && strcmp(a->key, "to-remove") != 0) {
                    st = json_err(file, a, "unknown key (expected to-add or to-remove): '", a->key);
                    break;
                }
                if (add == (pass == 0))
                    st = apply_ops(o, file, a, cls, add, seen);
            }
        }
    }
fail:
    om_pass_json_free(root);
    return st;
}

om_status om_pass_precision_load_mixlist(om_pass_precision_opts *o, const char *path)
{
    char *text;
    size_t len;
    om_status st = read_file(path, &text, &len);
    if (st != OM_OK)
        return st;
    st = om_pass_precision_parse_mixlist(o, text, len, path);
    free(text);
    return st;
}

void om_pass_precision_opts_free(om_pass_precision_opts *o)
{
    if (!o)
        return;
    for (int i = 0; i < o->n_keep_names; i++)
        free(o->keep_names[i]);
    free(o->keep_names);
    for (int i = 0; i < o->n_fp16_inputs; i++)
        free(o->fp16_inputs[i]);
    free(o->fp16_inputs);
    memset(o, 0, sizeof *o);
}
