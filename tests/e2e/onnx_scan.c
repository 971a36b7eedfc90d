/* See onnx_scan.h. Protobuf wire format: each field is a varint key (number << 3 | wire
 * type) followed by a varint (0), 8 bytes (1), a length-delimited payload (2) or 4 bytes
 * (5). Only length-delimited messages of interest are descended into; depth is bounded. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/e2e/onnx_scan.h"

typedef struct buf {
    const uint8_t *p, *end;
} buf;

static bool varint(buf *b, uint64_t *v)
{
    *v = 0;
    for (int s = 0; s < 64 && b->p < b->end; s += 7) {
        uint8_t c = *b->p++;
        *v |= (uint64_t)(c & 0x7f) << s;
        if (!(c & 0x80))
            return true;
    }
    return false;
}

/* Next field: number, wire type, and for wire type 2 the payload; for 0 the value. */
static bool next_field(buf *b, int *num, int *wt, buf *payload, uint64_t *val)
{
    uint64_t key;
    if (b->p >= b->end || !varint(b, &key))
        return false;
    *num = (int)(key >> 3);
    *wt = (int)(key & 7);
    switch (*wt) {
    case 0:
        return varint(b, val);
    case 1:
        if (b->end - b->p < 8)
            return false;
        b->p += 8;
        return true;
    case 2: {
        uint64_t len;
        if (!varint(b, &len) || len > (uint64_t)(b->end - b->p))
            return false;
        payload->p = b->p;
        payload->end = b->p + len;
        b->p += len;
        return true;
    }
    case 5:
        if (b->end - b->p < 4)
            return false;
        b->p += 4;
        return true;
    default:
        return false;
    }
}

static void copy_str(char *dst, size_t cap, buf s)
{
    size_t n = (size_t)(s.end - s.p);
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s.p, n);
    dst[n] = '\0';
}

static void scan_graph(buf b, onnx_scan *s, int depth);

/* TypeProto: tensor_type 1 (elem_type 1), sequence_type 4, map_type 5, sparse 8, optional 9. */
static void scan_type(buf b, onnx_scan *s, int depth)
{
    int num, wt;
    buf pl;
    uint64_t v;
    if (depth > 16)
        return;
    while (next_field(&b, &num, &wt, &pl, &v)) {
        if (wt != 2)
            continue;
        if (num == 1) {
            buf t = pl;
            int n2, w2;
            buf p2;
            uint64_t v2;
            while (next_field(&t, &n2, &w2, &p2, &v2))
                if (n2 == 1 && w2 == 0 && v2 == 8)
                    s->has_string = true;
        } else if (num == 4) {
            s->has_sequence = true;
        } else if (num == 5) {
            s->has_map = true;
        } else if (num == 8) {
            s->has_sparse = true;
        } else if (num == 9) {
            s->has_optional = true;
        }
    }
}

/* ValueInfoProto: type 2. */
static void scan_value_info(buf b, onnx_scan *s, int depth)
{
    int num, wt;
    buf pl;
    uint64_t v;
    while (next_field(&b, &num, &wt, &pl, &v))
        if (num == 2 && wt == 2)
            scan_type(pl, s, depth + 1);
}

/* TensorProto: data_type 2. */
static void scan_tensor(buf b, onnx_scan *s)
{
    int num, wt;
    buf pl;
    uint64_t v;
    while (next_field(&b, &num, &wt, &pl, &v))
        if (num == 2 && wt == 0 && v == 8)
            s->has_string = true;
}

/* AttributeProto: t 5, g 6, tensors 10, graphs 11, tp 14, sparse_tensor 22. */
static void scan_attr(buf b, onnx_scan *s, int depth)
{
    int num, wt;
    buf pl;
    uint64_t v;
    while (next_field(&b, &num, &wt, &pl, &v)) {
        if (wt != 2)
            continue;
        if (num == 5 || num == 10)
            scan_tensor(pl, s);
        else if (num == 6 || num == 11)
            scan_graph(pl, s, depth + 1);
        else if (num == 14)
            scan_type(pl, s, depth + 1);
        else if (num == 22)
            s->has_sparse = true;
    }
}

/* NodeProto: input 1, op_type 4, attribute 5, domain 7. */
static void scan_node(buf b, onnx_scan *s, int depth)
{
    int num, wt;
    buf pl;
    uint64_t v;
    char op[64] = "", dom[64] = "";
    int n_inputs = 0;
    bool third_present = false;
    while (next_field(&b, &num, &wt, &pl, &v)) {
        if (wt != 2)
            continue;
        if (num == 1) {
            if (n_inputs == 2 && pl.end > pl.p)
                third_present = true;
            n_inputs++;
        } else if (num == 4) {
            copy_str(op, sizeof op, pl);
        } else if (num == 7) {
            copy_str(dom, sizeof dom, pl);
        } else if (num == 5) {
            scan_attr(pl, s, depth);
        }
    }
    if (strcmp(dom, "ai.onnx") == 0)
        dom[0] = '\0';
    for (int i = 0; i < s->n_ops; i++) {
        if (strcmp(s->ops[i].op_type, op) == 0 && strcmp(s->ops[i].domain, dom) == 0) {
            s->ops[i].training_mode |= third_present;
            return;
        }
    }
    if (s->n_ops < ONNX_SCAN_MAX_OPS) {
        onnx_scan_op *o = &s->ops[s->n_ops++];
        snprintf(o->op_type, sizeof o->op_type, "%s", op);
        snprintf(o->domain, sizeof o->domain, "%s", dom);
        o->training_mode = third_present;
    }
}

/* GraphProto: node 1, initializer 5, input 11, output 12, value_info 13, sparse_init 15. */
static void scan_graph(buf b, onnx_scan *s, int depth)
{
    int num, wt;
    buf pl;
    uint64_t v;
    if (depth > 16)
        return;
    while (next_field(&b, &num, &wt, &pl, &v)) {
        if (wt != 2)
            continue;
        if (num == 1)
            scan_node(pl, s, depth);
        else if (num == 5)
            scan_tensor(pl, s);
        else if (num == 11 || num == 12 || num == 13)
            scan_value_info(pl, s, depth);
        else if (num == 15)
            s->has_sparse = true;
    }
}

/* FunctionProto: node 7. */
static void scan_function(buf b, onnx_scan *s)
{
    int num, wt;
    buf pl;
    uint64_t v;
    while (next_field(&b, &num, &wt, &pl, &v))
        if (num == 7 && wt == 2)
            scan_node(pl, s, 1);
}

int onnx_scan_file(const char *path, onnx_scan *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    uint8_t *data = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 1 << 16;
            uint8_t *d = realloc(data, cap);
            if (!d) {
                free(data);
                fclose(f);
                return -1;
            }
            data = d;
        }
        size_t n = fread(data + len, 1, cap - len, f);
        if (n == 0)
            break;
        len += n;
    }
    fclose(f);
    buf b = {data, data + len};
    int num, wt;
    buf pl;
    uint64_t v;
    while (next_field(&b, &num, &wt, &pl, &v)) {
        if (wt != 2)
            continue;
        if (num == 7)
            scan_graph(pl, out, 0);
        else if (num == 25)
            scan_function(pl, out);
    }
    free(data);
    return 0;
}

const onnx_scan_op *onnx_scan_find(const onnx_scan *s, const char *op_type)
{
    for (int i = 0; i < s->n_ops; i++)
        if (strcmp(s->ops[i].op_type, op_type) == 0)
            return &s->ops[i];
    return NULL;
}
