/* Bounded file reading and path helpers for the frontend, and the readers of what test
 * runners need besides TensorProto files.
 *
 * om_fe_read_file refuses anything that is not a regular file or is larger than
 * OM_FE_MAX_FILE_BYTES before allocating, and reads in a loop (short reads, EINTR), so a
 * file that shrinks while being read is an I/O error, not a crash.
 *
 * om_fe_load_value_file reads SequenceProto and OptionalProto files (onnx-data.proto, not
 * part of the system's onnx.proto, so their few fields are walked here by hand: 1 name,
 * 2 elem_type, 3 tensor value(s), 5 sequence value; any other field -- sparse, map, nested
 * optional or sequence-of-sequence -- is OM_ERR_UNSUPPORTED). Every length is checked
 * against the bytes left before use; the embedded TensorProtos go through protobuf-c and
 * om_fe_tensor_decode like om_fe_load_tensor_file's. om_fe_onnx_io_kinds lists the
 * declared kinds of a model's graph inputs and outputs.
 */
#include "frontend/fe_control.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

om_status om_fe_read_file(const char *path, const char *what, uint8_t **out, size_t *out_size)
{
    *out = NULL;
    *out_size = 0;
    if (!path)
        return om_error(OM_ERR_INVALID_ARGUMENT, "%s: no path given", what);
    uint8_t *buf = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return om_error(OM_ERR_IO, "cannot open %s '%s': %s", what, path, strerror(errno));
    om_status st = OM_OK;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        st = om_error(OM_ERR_IO, "cannot stat %s '%s': %s", what, path, strerror(errno));
        goto fail;
    }
    if (!S_ISREG(sb.st_mode)) {
        st = om_error(OM_ERR_IO, "%s '%s' is not a regular file", what, path);
        goto fail;
    }
    if (sb.st_size < 0 || (uint64_t)sb.st_size > OM_FE_MAX_FILE_BYTES) {
        st = om_error(OM_ERR_INVALID_MODEL, "%s '%s' is too large (%lld bytes; the limit is 2 GiB)",
                      what, path, (long long)sb.st_size);
        goto fail;
    }
    size_t size = (size_t)sb.st_size;
    buf = malloc(size ? size : 1);
    if (!buf) {
        st = om_error(OM_ERR_NO_MEMORY, "out of memory reading %s '%s' (%zu bytes)", what, path, size);
        goto fail;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            st = om_error(OM_ERR_IO, "cannot read %s '%s': %s", what, path, strerror(errno));
            goto fail;
        }
        if (r == 0) {
            st = om_error(OM_ERR_IO, "cannot read %s '%s': file shrank while reading", what, path);
            goto fail;
        }
        got += (size_t)r;
    }
    close(fd);
    *out = buf;
    *out_size = size;
    return OM_OK;
fail:
    free(buf);
    close(fd);
    return st;
}

char *om_fe_dirname(const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    size_t len = (size_t)(slash - path);
    char *d = malloc(len + 1);
    if (!d)
        return NULL;
    memcpy(d, path, len);
    d[len] = '\0';
    return d;
}

/* ---- SequenceProto / OptionalProto files ------------------------------------------- */

typedef struct wire_field {
    uint32_t number;
    uint32_t type;          /* 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 */
    uint64_t varint;
    const uint8_t *data;    /* type 2 */
    size_t len;
} wire_field;

static bool wire_varint(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* The next field of [*p, end); false at the end (*bad set when malformed). */
static bool wire_next(const uint8_t **p, const uint8_t *end, wire_field *f, bool *bad)
{
    *bad = false;
    if (*p >= end)
        return false;
    uint64_t key;
    if (!wire_varint(p, end, &key) || (key >> 3) == 0 || (key >> 3) > UINT32_MAX) {
        *bad = true;
        return false;
    }
    memset(f, 0, sizeof *f);
    f->number = (uint32_t)(key >> 3);
    f->type = (uint32_t)(key & 7);
    size_t left = (size_t)(end - *p);
    switch (f->type) {
    case 0:
        *bad = !wire_varint(p, end, &f->varint);
        break;
    case 1:
    case 5: {
        size_t n = f->type == 1 ? 8 : 4;
        *bad = left < n;
        if (!*bad)
            *p += n;
        break;
    }
    case 2: {
        uint64_t len;
        *bad = !wire_varint(p, end, &len) || len > (uint64_t)(end - *p);
        if (!*bad) {
            f->data = *p;
            f->len = (size_t)len;
            *p += len;
        }
        break;
    }
    default:
        *bad = true;
    }
    return !*bad;
}

/* An embedded TensorProto -> out (name, dtype, shape, malloc'd data). */
static om_status tensor_from_wire(const uint8_t *data, size_t len, const char *dir, const char *what,
                                  om_fe_tensor *out)
{
    memset(out, 0, sizeof *out);
    Onnx__TensorProto *t = onnx__tensor_proto__unpack(NULL, len, data);
    if (!t)
        return om_error(OM_ERR_INVALID_MODEL, "%s: not a valid TensorProto", what);
    om_fe_tensor_data d = {0};
    om_status st = om_fe_tensor_decode(t, dir, what, &d);
    if (st == OM_OK) {
        out->name = strdup(om_fe_str(t->name));
        out->dtype = d.dtype;
        out->shape = d.shape;
        out->nbytes = d.nbytes;
        if (d.nbytes && d.owned) {
            out->data = d.owned;
            d.owned = NULL;
        } else if (d.nbytes && (out->data = malloc(d.nbytes)) != NULL) {
            memcpy(out->data, d.data, d.nbytes);
        }
        if (!out->name || (d.nbytes && !out->data)) {
            st = om_error(OM_ERR_NO_MEMORY, "%s: out of memory (%zu bytes)", what, d.nbytes);
            om_fe_tensor_free(out);
        }
    }
    om_fe_tensor_data_release(&d);
    onnx__tensor_proto__free_unpacked(t, NULL);
    return st;
}

static om_status set_name(om_fe_value *v, const wire_field *f, const char *what)
{
    free(v->name);
    v->name = malloc(f->len + 1);
    if (!v->name)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", what);
    memcpy(v->name, f->data, f->len);
    v->name[f->len] = '\0';
    return OM_OK;
}

static om_status add_item(om_fe_value *v, const wire_field *f, const char *dir, const char *what)
{
    if (v->n_items >= OM_FE_MAX_SEQ)
        return om_error(OM_ERR_UNSUPPORTED, "%s: more than %d sequence elements", what, OM_FE_MAX_SEQ);
    om_fe_tensor *grown = realloc(v->items, (v->n_items + 1) * sizeof *grown);
    if (!grown)
        return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", what);
    v->items = grown;
    char w[600];
    snprintf(w, sizeof w, "%s element %zu", what, v->n_items);
    om_status st = tensor_from_wire(f->data, f->len, dir, w, &v->items[v->n_items]);
    if (st == OM_OK)
        v->n_items++;
    return st;
}

/* A SequenceProto of tensors in [p, end) appended to v. */
static om_status sequence_from_wire(const uint8_t *p, const uint8_t *end, const char *dir, const char *what,
                                    om_fe_value *v, bool take_name)
{
    wire_field f;
    bool bad = false;
    om_status st = OM_OK;
    v->present = true;
    v->is_sequence = true;
    while (st == OM_OK && wire_next(&p, end, &f, &bad)) {
        if (f.number == 1 && f.type == 2 && take_name)
            st = set_name(v, &f, what);
        else if (f.number == 3 && f.type == 2)
            st = add_item(v, &f, dir, what);
        else if (f.number >= 4 && f.number <= 7)
            st = om_error(OM_ERR_UNSUPPORTED, "%s: a sequence of non-tensor values (field %u)", what, f.number);
    }
    if (st == OM_OK && bad)
        st = om_error(OM_ERR_INVALID_MODEL, "%s: not a valid SequenceProto", what);
    return st;
}

static om_status optional_from_wire(const uint8_t *p, const uint8_t *end, const char *dir, const char *what,
                                    om_fe_value *v)
{
    wire_field f;
    bool bad = false;
    om_status st = OM_OK;
    while (st == OM_OK && wire_next(&p, end, &f, &bad)) {
        if (f.number == 1 && f.type == 2) {
            st = set_name(v, &f, what);
        } else if (f.number == 3 && f.type == 2) {
            if (v->present)
                st = om_error(OM_ERR_INVALID_MODEL, "%s: an OptionalProto with two values", what);
            else if ((st = add_item(v, &f, dir, what)) == OM_OK)
                v->present = true;
        } else if (f.number == 5 && f.type == 2) {
            if (v->present)
                st = om_error(OM_ERR_INVALID_MODEL, "%s: an OptionalProto with two values", what);
            else
                st = sequence_from_wire(f.data, f.data + f.len, dir, what, v, false);
        } else if (f.number == 4 || f.number == 6 || f.number == 7) {
            st = om_error(OM_ERR_UNSUPPORTED, "%s: an optional of a sparse tensor, map or optional (field %u)", what,
                          f.number);
        }
    }
    if (st == OM_OK && bad)
        st = om_error(OM_ERR_INVALID_MODEL, "%s: not a valid OptionalProto", what);
    return st;
}

om_status om_fe_load_value_file(const char *path, om_fe_io_kind kind, om_fe_value *out)
{
    if (!out)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_fe_load_value_file: out is NULL");
    memset(out, 0, sizeof *out);
    if (kind == OM_FE_IO_TENSOR) {
        out->items = calloc(1, sizeof *out->items);
        if (!out->items)
            return om_error(OM_ERR_NO_MEMORY, "out of memory reading %s", path);
        om_status st = om_fe_load_tensor_file(path, &out->items[0]);
        if (st == OM_OK)
            out->name = strdup(out->items[0].name ? out->items[0].name : "");
        if (st == OM_OK && !out->name)
            st = om_error(OM_ERR_NO_MEMORY, "out of memory reading %s", path);
        if (st != OM_OK) {
            om_fe_value_free(out);
            return st;
        }
        out->n_items = 1;
        out->present = true;
        return OM_OK;
    }
    if (kind != OM_FE_IO_SEQUENCE && kind != OM_FE_IO_OPTIONAL && kind != OM_FE_IO_OPTIONAL_SEQUENCE)
        return om_error(OM_ERR_UNSUPPORTED, "%s: values of this type (map, sparse, ...) are unsupported", path);
    uint8_t *buf = NULL;
    size_t size = 0;
    om_status st = om_fe_read_file(path, "value file", &buf, &size);
    if (st != OM_OK)
        return st;
    char *dir = om_fe_dirname(path);
    if (!dir) {
        free(buf);
        return om_error(OM_ERR_NO_MEMORY, "out of memory reading %s", path);
    }
    if (kind == OM_FE_IO_SEQUENCE)
        st = sequence_from_wire(buf, buf + size, dir, path, out, true);
    else
        st = optional_from_wire(buf, buf + size, dir, path, out);
    if (st == OM_OK && !out->name && !(out->name = strdup("")))
        st = om_error(OM_ERR_NO_MEMORY, "out of memory reading %s", path);
    free(dir);
    free(buf);
    if (st != OM_OK)
        om_fe_value_free(out);
    return st;
}

void om_fe_value_free(om_fe_value *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_items; i++)
        om_fe_tensor_free(&v->items[i]);
    free(v->items);
    free(v->name);
    memset(v, 0, sizeof *v);
}

/* ---- declared kinds of graph inputs and outputs ------------------------------------ */

static om_fe_io_kind io_kind(const Onnx__TypeProto *tp)
{
    if (!tp || tp->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || tp->value_case == ONNX__TYPE_PROTO__VALUE__NOT_SET)
        return OM_FE_IO_TENSOR;
    bool opt = tp->value_case == ONNX__TYPE_PROTO__VALUE_OPTIONAL_TYPE;
    const Onnx__TypeProto *in = opt ? (tp->optional_type ? tp->optional_type->elem_type : NULL) : tp;
    if (!in)
        return OM_FE_IO_OTHER;
    if (in->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
        return opt ? OM_FE_IO_OPTIONAL : OM_FE_IO_OTHER;
    if (in->value_case != ONNX__TYPE_PROTO__VALUE_SEQUENCE_TYPE || !in->sequence_type ||
        !in->sequence_type->elem_type ||
        in->sequence_type->elem_type->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE)
        return OM_FE_IO_OTHER;
    return opt ? OM_FE_IO_OPTIONAL_SEQUENCE : OM_FE_IO_SEQUENCE;
}

static om_status add_io(om_fe_io_entry **list, size_t *n, const Onnx__ValueInfoProto *vi)
{
    om_fe_io_entry *grown = realloc(*list, (*n + 1) * sizeof *grown);
    if (!grown)
        return om_error(OM_ERR_NO_MEMORY, "out of memory listing graph inputs/outputs");
    *list = grown;
    grown[*n].name = strdup(om_fe_str(vi->name));
    grown[*n].kind = io_kind(vi->type);
    if (!grown[*n].name)
        return om_error(OM_ERR_NO_MEMORY, "out of memory listing graph inputs/outputs");
    (*n)++;
    return OM_OK;
}

om_status om_fe_onnx_io_kinds(const char *path, om_fe_io_list *out)
{
    if (!out)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_fe_onnx_io_kinds: out is NULL");
    memset(out, 0, sizeof *out);
    uint8_t *buf = NULL;
    size_t size = 0;
    om_status st = om_fe_read_file(path, "ONNX model", &buf, &size);
    if (st != OM_OK)
        return st;
    st = om_fe_proto_check(&onnx__model_proto__descriptor, buf, size, path);
    Onnx__ModelProto *m = st == OM_OK ? onnx__model_proto__unpack(NULL, size, buf) : NULL;
    free(buf);
    if (st != OM_OK)
        return st;
    if (!m || !m->graph) {
        if (m)
            onnx__model_proto__free_unpacked(m, NULL);
        return om_error(OM_ERR_INVALID_MODEL, "not a valid ONNX model: %s", path);
    }
    const Onnx__GraphProto *g = m->graph;
    for (size_t i = 0; i < g->n_input && st == OM_OK; i++) {
        const Onnx__ValueInfoProto *vi = g->input[i];
        bool init = false;
        for (size_t k = 0; vi && k < g->n_initializer && !init; k++)
            init = g->initializer[k] && strcmp(om_fe_str(g->initializer[k]->name), om_fe_str(vi->name)) == 0;
        if (vi && !init)
            st = add_io(&out->inputs, &out->n_inputs, vi);
    }
    for (size_t i = 0; i < g->n_output && st == OM_OK; i++)
        if (g->output[i])
            st = add_io(&out->outputs, &out->n_outputs, g->output[i]);
    onnx__model_proto__free_unpacked(m, NULL);
    if (st != OM_OK)
        om_fe_io_list_free(out);
    return st;
}

void om_fe_io_list_free(om_fe_io_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n_inputs; i++)
        free(l->inputs[i].name);
    for (size_t i = 0; i < l->n_outputs; i++)
        free(l->outputs[i].name);
    free(l->inputs);
    free(l->outputs);
    memset(l, 0, sizeof *l);
}
