/* The IR text printer (grammar in ir/README.md).
 *
 * Output is a pure function of the graph and the options: inputs in g->inputs order,
 * then constants in g->values order, then live nodes in g->nodes order, then one
 * `output` line. Floats print with enough digits to read back bit-exactly (%.9g for f32,
 * %.17g for f64; f16/bf16 through their exact f32 value) and always look like floats
 * (".0" added, or nan/-nan/inf/-inf), so print -> parse -> print is byte-identical.
 * NaN payloads are not preserved (a NaN reads back as the default quiet NaN of its sign).
 * The printer never fails on a structurally odd graph: missing or mis-sized constant data
 * prints in a form the parser rejects (`<no data>`, or hex of the wrong length).
 */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ir/half.h"
#include "ir/ir.h"
#include "ir/strbuf.h"
#include "ir/text.h"

typedef struct printer {
    om_strbuf sb;
    om_print_opts opts;
} printer;

static void put_escaped(om_strbuf *sb, const char *s)
{
    om_sb_putc(sb, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': om_sb_puts(sb, "\\\""); break;
        case '\\': om_sb_puts(sb, "\\\\"); break;
        case '\n': om_sb_puts(sb, "\\n"); break;
        case '\t': om_sb_puts(sb, "\\t"); break;
        case '\r': om_sb_puts(sb, "\\r"); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                om_sb_printf(sb, "\\x%02x", *p);
            else
                om_sb_putc(sb, (char)*p);
        }
    }
    om_sb_putc(sb, '"');
}

static void put_ident_or_string(om_strbuf *sb, const char *s)
{
    if (om_ir_is_ident(s))
        om_sb_puts(sb, s);
    else
        put_escaped(sb, s);
}

static void put_value_name(om_strbuf *sb, const om_value *v)
{
    const char *s = v->name ? v->name : "";
    bool bare = *s != '\0';
    for (const char *p = s; *p && bare; p++)
        bare = om_ir_is_name_char((unsigned char)*p);
    om_sb_putc(sb, '%');
    if (bare)
        om_sb_puts(sb, s);
    else
        put_escaped(sb, s);
}

/* Formats x with `digits` significant digits so that it reads as a float literal. */
static void put_float(om_strbuf *sb, double x, int digits)
{
    if (isnan(x)) {
        om_sb_puts(sb, signbit(x) ? "-nan" : "nan");
        return;
    }
    if (isinf(x)) {
        om_sb_puts(sb, x < 0 ? "-inf" : "inf");
        return;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "%.*g", digits, x);
    om_sb_puts(sb, buf);
    if (!strpbrk(buf, ".eE"))
        om_sb_puts(sb, ".0");
}

static void put_shape(om_strbuf *sb, const om_shape *s)
{
    om_sb_putc(sb, '[');
    if (s->rank < 0 || s->rank > OM_MAX_RANK) {
        om_sb_puts(sb, "*]");
        return;
    }
    for (int i = 0; i < s->rank; i++) {
        if (i)
            om_sb_putc(sb, ',');
        if (s->dims[i] >= 0)
            om_sb_printf(sb, "%" PRId64, s->dims[i]);
        else if (s->syms[i] && s->syms[i][0])
            put_ident_or_string(sb, s->syms[i]);
        else
            om_sb_putc(sb, '?');
    }
    om_sb_putc(sb, ']');
}

static void put_type(om_strbuf *sb, om_dtype dt, const om_shape *s)
{
    om_sb_puts(sb, om_dtype_name(dt));
    put_shape(sb, s);
}

/* ` : f32[2,3]` unless both dtype and rank are unknown, then ` mem(N)` if asked. */
static void put_value_decl(printer *p, const om_value *v)
{
    put_value_name(&p->sb, v);
    if (v->dtype != OM_DT_UNDEFINED || v->shape.rank >= 0) {
        om_sb_puts(&p->sb, " : ");
        put_type(&p->sb, v->dtype, &v->shape);
    }
    if (p->opts.show_mem && v->mem_offset >= 0)
        om_sb_printf(&p->sb, " mem(%" PRId64 ")", v->mem_offset);
}

static uint64_t load_le(const unsigned char *b, size_t n)
{
    uint64_t x = 0;
    for (size_t i = 0; i < n; i++)
        x |= (uint64_t)b[i] << (8 * i);
    return x;
}

static void put_element(om_strbuf *sb, om_dtype dt, const unsigned char *b)
{
    switch (dt) {
    case OM_DT_FLOAT: {
        uint32_t u = (uint32_t)load_le(b, 4);
        float f;
        memcpy(&f, &u, 4);
        put_float(sb, f, 9);
        break;
    }
    case OM_DT_DOUBLE: {
        uint64_t u = load_le(b, 8);
        double d;
        memcpy(&d, &u, 8);
        put_float(sb, d, 17);
        break;
    }
    case OM_DT_FLOAT16: put_float(sb, om_ir_f16_to_f32((uint16_t)load_le(b, 2)), 9); break;
    case OM_DT_BFLOAT16: put_float(sb, om_ir_bf16_to_f32((uint16_t)load_le(b, 2)), 9); break;
    case OM_DT_INT8: om_sb_printf(sb, "%d", (int)(int8_t)b[0]); break;
    case OM_DT_INT16: om_sb_printf(sb, "%d", (int)(int16_t)load_le(b, 2)); break;
    case OM_DT_INT32: om_sb_printf(sb, "%" PRId32, (int32_t)load_le(b, 4)); break;
    case OM_DT_INT64: om_sb_printf(sb, "%" PRId64, (int64_t)load_le(b, 8)); break;
    case OM_DT_UINT8: om_sb_printf(sb, "%u", (unsigned)b[0]); break;
    case OM_DT_UINT16: om_sb_printf(sb, "%u", (unsigned)load_le(b, 2)); break;
    case OM_DT_UINT32: om_sb_printf(sb, "%" PRIu32, (uint32_t)load_le(b, 4)); break;
    case OM_DT_UINT64: om_sb_printf(sb, "%" PRIu64, load_le(b, 8)); break;
    case OM_DT_BOOL: om_sb_putc(sb, b[0] ? '1' : '0'); break;
    default: om_sb_putc(sb, '?'); break;
    }
}

static void put_hex(om_strbuf *sb, const unsigned char *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char chunk[256];
    size_t k = 0;
    om_sb_puts(sb, "hex\"");
    for (size_t i = 0; i < n; i++) {
        chunk[k++] = digits[b[i] >> 4];
        chunk[k++] = digits[b[i] & 15];
        if (k == sizeof chunk) {
            om_sb_put(sb, chunk, k);
            k = 0;
        }
    }
    om_sb_put(sb, chunk, k);
    om_sb_putc(sb, '"');
}

/* The data of a constant: decimal list, hex, or an elision marker. */
static void put_data(printer *p, const om_value *v)
{
    om_strbuf *sb = &p->sb;
    int64_t numel = om_shape_numel(&v->shape);
    size_t esize = om_dtype_size(v->dtype);
    if (!v->data && v->nbytes > 0) {
        om_sb_puts(sb, "<no data>");
        return;
    }
    if (p->opts.elide_above > 0 && numel > p->opts.elide_above) {
        om_sb_printf(sb, "<elided %zu bytes>", v->nbytes);
        return;
    }
    bool exact = numel >= 0 && esize > 0 && (uint64_t)numel * esize == v->nbytes;
    bool complex = v->dtype == OM_DT_COMPLEX64 || v->dtype == OM_DT_COMPLEX128;
    if (!exact || complex || numel > OM_IR_TEXT_LIST_MAX) {
        put_hex(sb, v->data, v->nbytes);
        return;
    }
    const unsigned char *b = v->data;
    om_sb_putc(sb, '[');
    for (int64_t i = 0; i < numel; i++) {
        if (i)
            om_sb_puts(sb, ", ");
        put_element(sb, v->dtype, b + (size_t)i * esize);
    }
    om_sb_putc(sb, ']');
}

static void put_attr_value(printer *p, const om_attr *a)
{
    om_strbuf *sb = &p->sb;
    switch (a->kind) {
    case OM_ATTR_INT: om_sb_printf(sb, "%" PRId64, a->i); break;
    case OM_ATTR_FLOAT: put_float(sb, a->f, 9); break;
    case OM_ATTR_STRING: put_escaped(sb, a->s ? a->s : ""); break;
    case OM_ATTR_INTS:
    case OM_ATTR_FLOATS:
    case OM_ATTR_STRINGS: {
        int count = a->count > 0 ? a->count : 0;
        if (count == 0) {
            om_sb_puts(sb, a->kind == OM_ATTR_INTS ? "ints[]" : a->kind == OM_ATTR_FLOATS ? "floats[]" : "strings[]");
            break;
        }
        om_sb_putc(sb, '[');
        for (int i = 0; i < count; i++) {
            if (i)
                om_sb_puts(sb, ", ");
            if (a->kind == OM_ATTR_INTS)
                om_sb_printf(sb, "%" PRId64, a->ints ? a->ints[i] : 0);
            else if (a->kind == OM_ATTR_FLOATS)
                put_float(sb, a->floats ? a->floats[i] : 0.0f, 9);
            else
                put_escaped(sb, a->strings && a->strings[i] ? a->strings[i] : "");
        }
        om_sb_putc(sb, ']');
        break;
    }
    case OM_ATTR_TENSOR:
        if (!a->tensor) {
            om_sb_puts(sb, "<no tensor>");
            break;
        }
        om_sb_puts(sb, "tensor<");
        put_type(sb, a->tensor->dtype, &a->tensor->shape);
        om_sb_puts(sb, "> ");
        put_data(p, a->tensor);
        break;
    default: om_sb_printf(sb, "<bad attribute kind %d>", (int)a->kind); break;
    }
}

static void put_node(printer *p, const om_node *n)
{
    om_strbuf *sb = &p->sb;
    om_sb_puts(sb, "  ");
    for (int i = 0; i < n->n_outputs; i++) {
        if (i)
            om_sb_puts(sb, ", ");
        if (n->outputs[i])
            put_value_decl(p, n->outputs[i]);
        else
            om_sb_puts(sb, "%\"<null>\"");
    }
    if (n->n_outputs > 0)
        om_sb_puts(sb, " = ");
    om_sb_puts(sb, om_op_name(n->op));
    om_sb_putc(sb, '(');
    for (int i = 0; i < n->n_inputs; i++) {
        if (i)
            om_sb_puts(sb, ", ");
        if (n->inputs[i])
            put_value_name(sb, n->inputs[i]);
        else
            om_sb_putc(sb, '_');
    }
    om_sb_putc(sb, ')');
    if (n->n_attrs > 0) {
        om_sb_puts(sb, " {");
        for (int i = 0; i < n->n_attrs; i++) {
            const om_attr *a = &n->attrs[i];
            if (i)
                om_sb_puts(sb, ", ");
            put_ident_or_string(sb, a->name ? a->name : "");
            om_sb_puts(sb, " = ");
            put_attr_value(p, a);
        }
        om_sb_putc(sb, '}');
    }
    if (n->name && n->name[0]) {
        om_sb_puts(sb, " name ");
        put_escaped(sb, n->name);
    }
    om_sb_putc(sb, '\n');
}

static om_status print_graph(const om_graph *g, printer *p)
{
    om_strbuf *sb = &p->sb;
    om_sb_puts(sb, "graph ");
    put_escaped(sb, g->name ? g->name : "");
    om_sb_printf(sb, " opset %" PRId64, g->opset);
    if (p->opts.show_mem && g->arena_size >= 0)
        om_sb_printf(sb, " arena %" PRId64, g->arena_size);
    om_sb_puts(sb, " {\n");
    for (size_t i = 0; i < g->n_inputs; i++) {
        om_sb_puts(sb, "  input ");
        put_value_decl(p, g->inputs[i]);
        om_sb_putc(sb, '\n');
    }
    for (size_t i = 0; i < g->n_values; i++) {
        const om_value *v = g->values[i];
        if (v->kind != OM_VALUE_CONSTANT)
            continue;
        om_sb_puts(sb, "  const ");
        put_value_decl(p, v);
        om_sb_puts(sb, " = ");
        put_data(p, v);
        om_sb_putc(sb, '\n');
    }
    for (size_t i = 0; i < g->n_nodes; i++)
        if (!g->nodes[i]->dead)
            put_node(p, g->nodes[i]);
    if (g->n_outputs > 0) {
        om_sb_puts(sb, "  output ");
        for (size_t i = 0; i < g->n_outputs; i++) {
            if (i)
                om_sb_puts(sb, ", ");
            put_value_name(sb, g->outputs[i]);
        }
        om_sb_putc(sb, '\n');
    }
    om_sb_puts(sb, "}\n");
    return sb->status;
}

static void init_printer(printer *p, const om_print_opts *opts, FILE *sink)
{
    memset(p, 0, sizeof *p);
    if (opts)
        p->opts = *opts;
    p->sb.sink = sink;
}

om_status om_ir_print(const om_graph *g, FILE *out, const om_print_opts *opts)
{
    if (!g || !out)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_ir_print: NULL argument");
    printer p;
    init_printer(&p, opts, out);
    om_status st = print_graph(g, &p);
    if (st == OM_OK)
        st = om_sb_flush(&p.sb);
    if (st == OM_OK && fflush(out) != 0)
        st = om_error(OM_ERR_IO, "printing graph '%s': write failed", g->name);
    om_sb_free(&p.sb);
    return st;
}

om_status om_ir_print_to_string(const om_graph *g, const om_print_opts *opts, char **out)
{
    if (!out)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_ir_print_to_string: out is NULL");
    *out = NULL;
    if (!g)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_ir_print_to_string: graph is NULL");
    printer p;
    init_printer(&p, opts, NULL);
    om_status st = print_graph(g, &p);
    if (st != OM_OK) {
        om_sb_free(&p.sb);
        return st;
    }
    *out = p.sb.data; /* non-NULL: print_graph always writes */
    return OM_OK;
}
