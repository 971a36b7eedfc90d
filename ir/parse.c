/* The IR text parser (grammar in ir/README.md): tokens from lex.c -> a new om_graph.
 *
 * Values must be defined before they are used (inputs, constants and node outputs in
 * text order), which the printer guarantees for a topologically ordered graph. The
 * parser checks syntax, names (undefined use, duplicate definition), op names, dtypes,
 * shapes and constant data sizes; arity and graph structure are om_ir_verify's job.
 * Every error carries `file:line:col`, the line and a caret. On any failure the partly
 * built graph is destroyed and *out stays NULL.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ir/graph_impl.h"
#include "ir/half.h"
#include "ir/lex.h"
#include "ir/text.h"

typedef struct parser {
    om_src src;
    om_toks toks;
    size_t at;         /* current token index */
    om_graph *g;
    size_t *def_pos;   /* source position of each value's definition, by id */
    size_t cap_def;
} parser;

/* ---- token helpers ------------------------------------------------------------------ */

static const om_tok *peek(parser *p)
{
    return &p->toks.v[p->at];
}

static const om_tok *peek_at(parser *p, size_t k)
{
    size_t i = p->at + k;
    return &p->toks.v[i < p->toks.n ? i : p->toks.n - 1];
}

static const om_tok *next(parser *p)
{
    const om_tok *t = &p->toks.v[p->at];
    if (t->kind != OM_TK_EOF)
        p->at++;
    return t;
}

static const char *text(parser *p, const om_tok *t)
{
    return p->toks.pool + t->text;
}

static om_status err(parser *p, const om_tok *t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static om_status err(parser *p, const om_tok *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    om_status st = om_ir_text_verror(&p->src, t->pos, fmt, ap);
    va_end(ap);
    return st;
}

/* A short description of a token for "expected X, found Y" messages. */
static const char *describe(parser *p, const om_tok *t, char *buf, size_t size)
{
    switch (t->kind) {
    case OM_TK_EOF: return "end of input";
    case OM_TK_IDENT: snprintf(buf, size, "'%.40s'", text(p, t)); return buf;
    case OM_TK_VALUE: snprintf(buf, size, "value %%%.40s", text(p, t)); return buf;
    case OM_TK_STRING: return "a string";
    case OM_TK_NUMBER: snprintf(buf, size, "number %.40s", text(p, t)); return buf;
    case OM_TK_PUNCT: snprintf(buf, size, "'%c'", t->punct); return buf;
    }
    return "?";
}

static om_status expected(parser *p, const char *what)
{
    char buf[64];
    const om_tok *t = peek(p);
    return err(p, t, "expected %s, found %s", what, describe(p, t, buf, sizeof buf));
}

static bool is_punct(const om_tok *t, char c)
{
    return t->kind == OM_TK_PUNCT && t->punct == c;
}

static bool is_ident(parser *p, const om_tok *t, const char *word)
{
    return t->kind == OM_TK_IDENT && strcmp(text(p, t), word) == 0;
}

static om_status expect_punct(parser *p, char c)
{
    if (!is_punct(peek(p), c)) {
        char what[8] = {'\'', c, '\'', 0};
        return expected(p, what);
    }
    next(p);
    return OM_OK;
}

/* Parses a non-negative integer token into *out. */
static om_status parse_count(parser *p, const char *what, int64_t *out)
{
    const om_tok *t = peek(p);
    if (t->kind != OM_TK_NUMBER)
        return expected(p, what);
    const char *s = text(p, t);
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end != '\0' || s[0] == '-' || s[0] == '+')
        return err(p, t, "%s must be a non-negative integer, found '%s'", what, s);
    if (errno == ERANGE)
        return err(p, t, "%s '%s' is out of range", what, s);
    *out = v;
    next(p);
    return OM_OK;
}

/* ---- values ------------------------------------------------------------------------- */

static om_status remember_def(parser *p, const om_value *v, size_t pos)
{
    if (v->id >= p->cap_def) {
        size_t ncap = p->cap_def ? p->cap_def * 2 : 64;
        while (ncap <= v->id)
            ncap *= 2;
        size_t *nd = realloc(p->def_pos, ncap * sizeof *nd);
        if (!nd)
            return om_error(OM_ERR_NO_MEMORY, "out of memory while parsing");
        p->def_pos = nd;
        p->cap_def = ncap;
    }
    p->def_pos[v->id] = pos;
    return OM_OK;
}

static void line_col(parser *p, size_t pos, int *line, size_t *col)
{
    size_t start = 0;
    *line = 1;
    for (size_t i = 0; i < pos && i < p->src.len; i++)
        if (p->src.text[i] == '\n') {
            (*line)++;
            start = i + 1;
        }
    *col = pos - start + 1;
}

static om_status check_new_name(parser *p, const om_tok *t)
{
    om_value *old = om_graph_find_value(p->g, text(p, t));
    if (!old)
        return OM_OK;
    int line = 0;
    size_t col = 0;
    if (old->id < p->cap_def)
        line_col(p, p->def_pos[old->id], &line, &col);
    return err(p, t, "duplicate definition of value %%%s (first defined at %d:%zu)", text(p, t),
               line, col);
}

/* A use of a defined value. */
static om_status parse_value_ref(parser *p, om_value **out)
{
    const om_tok *t = peek(p);
    if (t->kind != OM_TK_VALUE)
        return expected(p, "a value (%name)");
    om_value *v = om_graph_find_value(p->g, text(p, t));
    if (!v)
        return err(p, t, "use of undefined value %%%s", text(p, t));
    next(p);
    *out = v;
    return OM_OK;
}

/* ---- types ---------------------------------------------------------------------------- */

typedef struct parsed_type {
    bool present;
    om_dtype dtype;
    om_shape shape;
    bool has_mem;
    int64_t mem;
} parsed_type;

/* dtype: a dtype name or `?`. */
static om_status parse_dtype(parser *p, om_dtype *dt, bool allow_unknown)
{
    const om_tok *t = peek(p);
    if (is_punct(t, '?') && allow_unknown) {
        next(p);
        *dt = OM_DT_UNDEFINED;
        return OM_OK;
    }
    if (t->kind != OM_TK_IDENT)
        return expected(p, "a dtype (f32, i64, ...)");
    *dt = om_dtype_from_name(text(p, t));
    if (*dt == OM_DT_UNDEFINED)
        return err(p, t, "unknown dtype '%s' (expected one of f32 f64 f16 bf16 i8 i16 i32 i64 u8 "
                         "u16 u32 u64 bool str c64 c128)", text(p, t));
    next(p);
    return OM_OK;
}

/* Shape strings (symbolic dims) are stored in the graph arena. */
static om_status parse_shape(parser *p, om_shape *s)
{
    om_status st;
    memset(s, 0, sizeof *s);
    if ((st = expect_punct(p, '[')) != OM_OK)
        return st;
    if (is_punct(peek(p), '*')) {
        next(p);
        s->rank = -1;
        return expect_punct(p, ']');
    }
    s->rank = 0;
    if (is_punct(peek(p), ']')) {
        next(p);
        return OM_OK;
    }
    for (;;) {
        const om_tok *t = peek(p);
        if (s->rank == OM_MAX_RANK)
            return err(p, t, "shape has more than %d dims", OM_MAX_RANK);
        int r = s->rank;
        if (t->kind == OM_TK_NUMBER) {
            if ((st = parse_count(p, "a dim", &s->dims[r])) != OM_OK)
                return st;
        } else if (t->kind == OM_TK_IDENT || t->kind == OM_TK_STRING) {
            s->dims[r] = OM_DIM_UNKNOWN;
            s->syms[r] = om_graph_strdup(p->g, text(p, t));
            if (!s->syms[r])
                return om_error(OM_ERR_NO_MEMORY, "out of memory while parsing");
            next(p);
        } else if (is_punct(t, '?')) {
            s->dims[r] = OM_DIM_UNKNOWN;
            next(p);
        } else {
            return expected(p, "a dim (number, symbol or '?')");
        }
        s->rank++;
        if (is_punct(peek(p), ']')) {
            next(p);
            return OM_OK;
        }
        if ((st = expect_punct(p, ',')) != OM_OK)
            return st;
    }
}

static om_status parse_mem(parser *p, parsed_type *ty)
{
    om_status st;
    if (!is_ident(p, peek(p), "mem"))
        return OM_OK;
    next(p);
    if ((st = expect_punct(p, '(')) != OM_OK || (st = parse_count(p, "a memory offset", &ty->mem)) != OM_OK)
        return st;
    ty->has_mem = true;
    return expect_punct(p, ')');
}

/* [':' dtype shape] ['mem' '(' int ')'] */
static om_status parse_opt_type(parser *p, parsed_type *ty)
{
    om_status st;
    memset(ty, 0, sizeof *ty);
    ty->shape.rank = -1;
    if (is_punct(peek(p), ':')) {
        next(p);
        ty->present = true;
        if ((st = parse_dtype(p, &ty->dtype, true)) != OM_OK || (st = parse_shape(p, &ty->shape)) != OM_OK)
            return st;
    }
    return parse_mem(p, ty);
}

/* Defines a new value from a VALUE token and its parsed type. */
static om_status define_value(parser *p, const om_tok *t, const parsed_type *ty, om_value **out)
{
    om_status st = check_new_name(p, t);
    if (st != OM_OK)
        return st;
    om_value *v = om_graph_add_value(p->g, text(p, t), ty->dtype, &ty->shape);
    if (!v)
        return OM_ERR_NO_MEMORY;
    if (ty->has_mem)
        v->mem_offset = ty->mem;
    *out = v;
    return remember_def(p, v, t->pos);
}

/* ---- constant data -------------------------------------------------------------------- */

static void store_le(unsigned char *b, uint64_t x, size_t n)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (unsigned char)(x >> (8 * i));
}

static bool is_float_text(const char *s)
{
    return strpbrk(s, ".eEin") != NULL; /* decimal point, exponent, inf, nan */
}

/* Parses one list element of dtype dt into b. */
static om_status parse_element(parser *p, om_dtype dt, unsigned char *b)
{
    const om_tok *t = peek(p);
    const char *s = text(p, t);
    bool word = t->kind == OM_TK_IDENT && (strcmp(s, "inf") == 0 || strcmp(s, "nan") == 0);
    if (t->kind != OM_TK_NUMBER && !word)
        return expected(p, "a number");
    char *end;
    errno = 0;
    if (om_dtype_is_float(dt)) {
        if (dt == OM_DT_DOUBLE) {
            double d = strtod(s, &end);
            if (errno == ERANGE && isinf(d))
                return err(p, t, "value %s is out of range for f64", s);
            uint64_t u;
            memcpy(&u, &d, 8);
            store_le(b, u, 8);
        } else {
            float f = strtof(s, &end);
            if (errno == ERANGE && isinf(f))
                return err(p, t, "value %s is out of range for %s", s, om_dtype_name(dt));
            uint32_t u;
            if (dt == OM_DT_FLOAT) {
                memcpy(&u, &f, 4);
                store_le(b, u, 4);
            } else {
                uint16_t h = dt == OM_DT_FLOAT16 ? om_ir_f32_to_f16(f) : om_ir_f32_to_bf16(f);
                if (!isinf(f) && ((h & 0x7fffu) == (dt == OM_DT_FLOAT16 ? 0x7c00u : 0x7f80u)))
                    return err(p, t, "value %s is out of range for %s", s, om_dtype_name(dt));
                store_le(b, h, 2);
            }
        }
        next(p);
        return OM_OK;
    }
    if (is_float_text(s))
        return err(p, t, "expected an integer for %s data, found %s", om_dtype_name(dt), s);
    size_t size = om_dtype_size(dt);
    if (dt == OM_DT_BOOL) {
        if (strcmp(s, "0") != 0 && strcmp(s, "1") != 0)
            return err(p, t, "bool data must be 0 or 1, found %s", s);
        b[0] = s[0] == '1';
    } else if (om_dtype_is_unsigned_int(dt)) {
        if (s[0] == '-')
            return err(p, t, "value %s is out of range for %s", s, om_dtype_name(dt));
        unsigned long long v = strtoull(s, &end, 10);
        uint64_t max = size == 8 ? UINT64_MAX : (((uint64_t)1 << (8 * size)) - 1);
        if (errno == ERANGE || v > max)
            return err(p, t, "value %s is out of range for %s", s, om_dtype_name(dt));
        store_le(b, v, size);
    } else {
        long long v = strtoll(s, &end, 10);
        int64_t max = size == 8 ? INT64_MAX : (((int64_t)1 << (8 * size - 1)) - 1);
        if (errno == ERANGE || v > max || v < -max - 1)
            return err(p, t, "value %s is out of range for %s", s, om_dtype_name(dt));
        store_le(b, (uint64_t)v, size);
    }
    next(p);
    return OM_OK;
}

/* Data for a constant of type (dt, shape): `[...]`, `hex"..."`. *data is malloc'd. */
static om_status parse_data(parser *p, const om_tok *what, om_dtype dt, const om_shape *shape,
                            void **data, size_t *nbytes)
{
    *data = NULL;
    *nbytes = 0;
    const om_tok *t = peek(p);
    const char *name = what->kind == OM_TK_VALUE ? text(p, what) : "";
    const char *pct = what->kind == OM_TK_VALUE ? "%" : "";
    size_t esize = om_dtype_size(dt);
    int64_t numel = om_shape_numel(shape);
    if (esize == 0)
        return err(p, what, "constant %s%s: dtype %s cannot hold constant data", pct, name, om_dtype_name(dt));
    if (numel < 0)
        return err(p, what, "constant %s%s: shape must be static (known rank, numeric dims)", pct, name);
    if ((uint64_t)numel > SIZE_MAX / esize)
        return err(p, what, "constant %s%s: too many elements", pct, name);
    size_t need = (size_t)numel * esize;

    if (is_punct(t, '<') && is_ident(p, peek_at(p, 1), "elided"))
        return err(p, t, "constant %s%s: data was elided when the graph was printed; print it "
                         "without elide_above to get text that parses", pct, name);
    if (is_ident(p, t, "hex") && peek_at(p, 1)->kind == OM_TK_STRING) {
        const om_tok *h = peek_at(p, 1);
        const char *hx = text(p, h);
        if (h->len % 2 != 0 || h->len / 2 != need)
            return err(p, h, "constant %s%s: hex data has %zu bytes%s, %s%s needs %zu", pct, name,
                       h->len / 2, h->len % 2 ? " and an odd digit" : "", om_dtype_name(dt),
                       "", need);
        unsigned char *buf = malloc(need ? need : 1);
        if (!buf)
            return om_error(OM_ERR_NO_MEMORY, "out of memory for constant %s%s", pct, name);
        for (size_t i = 0; i < need; i++) {
            int hi = -1, lo = -1;
            char c0 = hx[2 * i], c1 = hx[2 * i + 1];
            hi = (c0 >= '0' && c0 <= '9') ? c0 - '0' : (c0 >= 'a' && c0 <= 'f') ? c0 - 'a' + 10 : (c0 >= 'A' && c0 <= 'F') ? c0 - 'A' + 10 : -1;
            lo = (c1 >= '0' && c1 <= '9') ? c1 - '0' : (c1 >= 'a' && c1 <= 'f') ? c1 - 'a' + 10 : (c1 >= 'A' && c1 <= 'F') ? c1 - 'A' + 10 : -1;
            if (hi < 0 || lo < 0) {
                free(buf);
                return err(p, h, "constant %s%s: bad hex digit at byte %zu", pct, name, i);
            }
            buf[i] = (unsigned char)(hi * 16 + lo);
        }
        next(p);
        next(p);
        *data = buf;
        *nbytes = need;
        return OM_OK;
    }
    if (!is_punct(t, '['))
        return expected(p, "constant data ('[' list ']' or hex\"...\")");
    if (dt == OM_DT_COMPLEX64 || dt == OM_DT_COMPLEX128)
        return err(p, t, "constant %s%s: %s data must be written in hex", pct, name, om_dtype_name(dt));
    /* Count the elements before allocating, so a huge declared shape cannot allocate. */
    int64_t count = 0;
    size_t k = 1;
    if (!is_punct(peek_at(p, 1), ']')) {
        for (;; k += 2) {
            count++;
            const om_tok *sep = peek_at(p, k + 1);
            if (!is_punct(sep, ','))
                break;
        }
    }
    if (count != numel) {
        char type[128];
        int off = snprintf(type, sizeof type, "%s[", om_dtype_name(dt));
        for (int i = 0; i < shape->rank && off < (int)sizeof type - 24; i++)
            off += snprintf(type + off, sizeof type - (size_t)off, "%s%lld", i ? "," : "", (long long)shape->dims[i]);
        snprintf(type + off, sizeof type - (size_t)off, "]");
        return err(p, t, "constant %s%s: %lld values given, %s needs %lld", pct, name,
                   (long long)count, type, (long long)numel);
    }
    next(p); /* '[' */
    unsigned char *buf = malloc(need ? need : 1);
    if (!buf)
        return om_error(OM_ERR_NO_MEMORY, "out of memory for constant %s%s", pct, name);
    om_status st = OM_OK;
    for (int64_t i = 0; i < numel && st == OM_OK; i++) {
        if (i && (st = expect_punct(p, ',')) != OM_OK)
            break;
        st = parse_element(p, dt, buf + (size_t)i * esize);
    }
    if (st == OM_OK)
        st = expect_punct(p, ']');
    if (st != OM_OK) {
        free(buf);
        return st;
    }
    *data = buf;
    *nbytes = need;
    return OM_OK;
}

/* ---- attributes ----------------------------------------------------------------------- */

static om_status parse_float_tok(parser *p, const om_tok *t, float *out)
{
    char *end;
    errno = 0;
    float f = strtof(text(p, t), &end);
    if (errno == ERANGE && isinf(f))
        return err(p, t, "float %s is out of range", text(p, t));
    *out = f;
    return OM_OK;
}

static om_status parse_int_tok(parser *p, const om_tok *t, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text(p, t), &end, 10);
    if (errno == ERANGE)
        return err(p, t, "integer %s is out of range for int64", text(p, t));
    *out = v;
    return OM_OK;
}

static bool is_float_tok(parser *p, const om_tok *t)
{
    if (t->kind == OM_TK_NUMBER)
        return is_float_text(text(p, t));
    return t->kind == OM_TK_IDENT && (strcmp(text(p, t), "inf") == 0 || strcmp(text(p, t), "nan") == 0);
}

static om_status parse_list_attr(parser *p, om_node *n, const char *aname)
{
    const om_tok *open = next(p); /* '[' */
    /* First pass: classify and count. */
    bool any_string = false, any_number = false, any_float = false;
    size_t k = 0;
    int64_t count = 0;
    if (is_punct(peek_at(p, 0), ']'))
        return err(p, open, "empty list attribute '%s' must be typed: ints[], floats[] or strings[]", aname);
    for (;; k += 2) {
        const om_tok *e = peek_at(p, k);
        if (e->kind == OM_TK_STRING)
            any_string = true;
        else if (e->kind == OM_TK_NUMBER || is_float_tok(p, e)) {
            any_number = true;
            any_float |= is_float_tok(p, e);
        } else {
            p->at += k;
            return expected(p, "a number or string in the list");
        }
        count++;
        if (count > INT32_MAX - 1)
            return err(p, open, "list attribute '%s' is too long", aname);
        const om_tok *sep = peek_at(p, k + 1);
        if (is_punct(sep, ']'))
            break;
        if (!is_punct(sep, ',')) {
            p->at += k + 1;
            return expected(p, "',' or ']'");
        }
    }
    if (any_string && any_number)
        return err(p, open, "list attribute '%s' mixes strings and numbers", aname);
    om_status st = OM_OK;
    void *arr = malloc((size_t)count * (any_string ? sizeof(char *) : 8));
    if (!arr)
        return om_error(OM_ERR_NO_MEMORY, "out of memory for attribute '%s'", aname);
    for (int64_t i = 0; i < count && st == OM_OK; i++) {
        const om_tok *e = peek_at(p, (size_t)(2 * i));
        if (any_string)
            ((const char **)arr)[i] = text(p, e);
        else if (any_float)
            st = parse_float_tok(p, e, &((float *)arr)[i]);
        else
            st = parse_int_tok(p, e, &((int64_t *)arr)[i]);
    }
    if (st == OM_OK) {
        if (any_string)
            st = om_node_set_strings(p->g, n, aname, arr, (int)count);
        else if (any_float)
            st = om_node_set_floats(p->g, n, aname, arr, (int)count);
        else
            st = om_node_set_ints(p->g, n, aname, arr, (int)count);
    }
    free(arr);
    if (st == OM_OK)
        p->at += k + 2; /* elements, separators and the ']' */
    return st;
}

static om_status parse_tensor_attr(parser *p, om_node *n, const char *aname)
{
    om_status st;
    const om_tok *kw = next(p); /* 'tensor' */
    om_dtype dt;
    om_shape shape;
    if ((st = expect_punct(p, '<')) != OM_OK || (st = parse_dtype(p, &dt, false)) != OM_OK ||
        (st = parse_shape(p, &shape)) != OM_OK || (st = expect_punct(p, '>')) != OM_OK)
        return st;
    void *data;
    size_t nbytes;
    if ((st = parse_data(p, kw, dt, &shape, &data, &nbytes)) != OM_OK)
        return st;
    om_value *v = om_ir_new_detached_constant(p->g, aname, dt, &shape, data, nbytes, &st);
    free(data);
    if (!v) /* sizes were checked by parse_data: only out of memory is left */
        return st == OM_ERR_NO_MEMORY ? st : err(p, kw, "tensor attribute '%s': %s", aname, om_last_error());
    return om_node_set_tensor(p->g, n, aname, v);
}

static om_status parse_attr(parser *p, om_node *n)
{
    om_status st;
    const om_tok *nt = peek(p);
    if (nt->kind != OM_TK_IDENT && nt->kind != OM_TK_STRING)
        return expected(p, "an attribute name");
    const char *aname = text(p, nt);
    if (om_node_attr(n, aname))
        return err(p, nt, "duplicate attribute '%s'", aname);
    next(p);
    if ((st = expect_punct(p, '=')) != OM_OK)
        return st;
    const om_tok *t = peek(p);
    if (t->kind == OM_TK_NUMBER || is_float_tok(p, t)) {
        next(p);
        if (is_float_tok(p, t)) {
            float f;
            if ((st = parse_float_tok(p, t, &f)) != OM_OK)
                return st;
            return om_node_set_float(p->g, n, aname, f);
        }
        int64_t v;
        if ((st = parse_int_tok(p, t, &v)) != OM_OK)
            return st;
        return om_node_set_int(p->g, n, aname, v);
    }
    if (t->kind == OM_TK_STRING) {
        next(p);
        return om_node_set_string(p->g, n, aname, text(p, t));
    }
    if (is_punct(t, '['))
        return parse_list_attr(p, n, aname);
    if (t->kind == OM_TK_IDENT && is_punct(peek_at(p, 1), '[') && is_punct(peek_at(p, 2), ']')) {
        const char *w = text(p, t);
        om_status r;
        if (strcmp(w, "ints") == 0)
            r = om_node_set_ints(p->g, n, aname, NULL, 0);
        else if (strcmp(w, "floats") == 0)
            r = om_node_set_floats(p->g, n, aname, NULL, 0);
        else if (strcmp(w, "strings") == 0)
            r = om_node_set_strings(p->g, n, aname, NULL, 0);
        else
            return err(p, t, "unknown empty list type '%s' (expected ints, floats or strings)", w);
        p->at += 3;
        return r;
    }
    if (is_ident(p, t, "tensor") && is_punct(peek_at(p, 1), '<'))
        return parse_tensor_attr(p, n, aname);
    return expected(p, "an attribute value");
}

/* ---- statements ----------------------------------------------------------------------- */

static om_status parse_input(parser *p)
{
    next(p); /* 'input' */
    const om_tok *t = peek(p);
    if (t->kind != OM_TK_VALUE)
        return expected(p, "a value (%name)");
    next(p);
    parsed_type ty;
    om_status st = parse_opt_type(p, &ty);
    if (st != OM_OK)
        return st;
    om_value *v;
    if ((st = define_value(p, t, &ty, &v)) != OM_OK)
        return st;
    return om_graph_add_input(p->g, v);
}

static om_status parse_const(parser *p)
{
    next(p); /* 'const' */
    const om_tok *t = peek(p);
    if (t->kind != OM_TK_VALUE)
        return expected(p, "a value (%name)");
    next(p);
    if (!is_punct(peek(p), ':'))
        return expected(p, "':' and the constant's type");
    parsed_type ty;
    om_status st = parse_opt_type(p, &ty);
    if (st != OM_OK)
        return st;
    if (ty.dtype == OM_DT_UNDEFINED)
        return err(p, t, "constant %%%s needs a dtype", text(p, t));
    if ((st = check_new_name(p, t)) != OM_OK || (st = expect_punct(p, '=')) != OM_OK)
        return st;
    void *data;
    size_t nbytes;
    if ((st = parse_data(p, t, ty.dtype, &ty.shape, &data, &nbytes)) != OM_OK)
        return st;
    om_value *v = om_graph_add_constant(p->g, text(p, t), ty.dtype, &ty.shape, data, nbytes);
    free(data);
    if (!v) /* name, sizes and dtype were checked above: only out of memory is left */
        return OM_ERR_NO_MEMORY;
    if (ty.has_mem)
        v->mem_offset = ty.mem;
    return remember_def(p, v, t->pos);
}

static om_status parse_output(parser *p)
{
    next(p); /* 'output' */
    for (;;) {
        om_value *v;
        om_status st = parse_value_ref(p, &v);
        if (st != OM_OK)
            return st;
        if ((st = om_graph_add_output(p->g, v)) != OM_OK)
            return st;
        if (!is_punct(peek(p), ','))
            return OM_OK;
        next(p);
    }
}

#define MAX_NODE_ARITY 4096

/* [outs '='] Op '(' ins ')' ['{' attrs '}'] ['name' STRING] */
static om_status parse_node(parser *p)
{
    om_status st = OM_OK;
    const om_tok **out_toks = NULL;
    parsed_type *out_types = NULL;
    om_value **ins = NULL, **outs = NULL;
    int n_out = 0, n_in = 0;
    size_t cap_out = 0, cap_in = 0;

    while (peek(p)->kind == OM_TK_VALUE) {
        if ((size_t)n_out == cap_out) {
            cap_out = cap_out ? cap_out * 2 : 4;
            const om_tok **nt = realloc(out_toks, cap_out * sizeof *nt);
            if (nt)
                out_toks = nt;
            parsed_type *ny = realloc(out_types, cap_out * sizeof *ny);
            if (ny)
                out_types = ny;
            if (!nt || !ny || cap_out > MAX_NODE_ARITY) {
                st = nt && ny ? err(p, peek(p), "too many outputs") : om_error(OM_ERR_NO_MEMORY, "out of memory while parsing");
                goto fail;
            }
        }
        out_toks[n_out] = next(p);
        if ((st = parse_opt_type(p, &out_types[n_out])) != OM_OK)
            goto fail;
        n_out++;
        if (is_punct(peek(p), '=')) {
            next(p);
            break;
        }
        if ((st = expect_punct(p, ',')) != OM_OK)
            goto fail;
        if (peek(p)->kind != OM_TK_VALUE) {
            st = expected(p, "a value (%name)");
            goto fail;
        }
    }
    const om_tok *opt = peek(p);
    if (opt->kind != OM_TK_IDENT) {
        st = expected(p, n_out ? "an op name" : "a statement (input, const, output, or a node)");
        goto fail;
    }
    om_op op = om_op_lookup(text(p, opt));
    if (op == OM_OP_COUNT) {
        st = err(p, opt, "unknown op '%s'", text(p, opt));
        goto fail;
    }
    next(p);
    if ((st = expect_punct(p, '(')) != OM_OK)
        goto fail;
    while (!is_punct(peek(p), ')')) {
        if (n_in && (st = expect_punct(p, ',')) != OM_OK)
            goto fail;
        if ((size_t)n_in == cap_in) {
            cap_in = cap_in ? cap_in * 2 : 4;
            om_value **ni = realloc(ins, cap_in * sizeof *ni);
            if (!ni) {
                st = om_error(OM_ERR_NO_MEMORY, "out of memory while parsing");
                goto fail;
            }
            ins = ni;
            if (cap_in > MAX_NODE_ARITY) {
                st = err(p, peek(p), "too many inputs");
                goto fail;
            }
        }
        if (is_ident(p, peek(p), "_")) {
            next(p);
            ins[n_in++] = NULL;
        } else {
            if ((st = parse_value_ref(p, &ins[n_in])) != OM_OK)
                goto fail;
            n_in++;
        }
    }
    next(p); /* ')' */

    outs = malloc((n_out ? (size_t)n_out : 1) * sizeof *outs);
    if (!outs) {
        st = om_error(OM_ERR_NO_MEMORY, "out of memory while parsing");
        goto fail;
    }
    for (int i = 0; i < n_out; i++) {
        for (int j = 0; j < i; j++)
            if (strcmp(text(p, out_toks[i]), text(p, out_toks[j])) == 0) {
                st = err(p, out_toks[i], "value %%%s is defined twice by the same node", text(p, out_toks[i]));
                goto fail;
            }
        if ((st = define_value(p, out_toks[i], &out_types[i], &outs[i])) != OM_OK)
            goto fail;
    }
    om_node *n = om_graph_add_node(p->g, op, NULL, ins, n_in, outs, n_out);
    if (!n) {
        st = OM_ERR_NO_MEMORY;
        goto fail;
    }
    if (is_punct(peek(p), '{')) {
        next(p);
        for (;;) {
            if ((st = parse_attr(p, n)) != OM_OK)
                goto fail;
            if (is_punct(peek(p), '}')) {
                next(p);
                break;
            }
            if ((st = expect_punct(p, ',')) != OM_OK)
                goto fail;
        }
    }
    if (is_ident(p, peek(p), "name") && peek_at(p, 1)->kind == OM_TK_STRING) {
        next(p);
        n->name = om_graph_strdup(p->g, text(p, next(p)));
        if (!n->name) {
            st = om_error(OM_ERR_NO_MEMORY, "out of memory while parsing");
            goto fail;
        }
    }
fail:
    free(out_toks);
    free(out_types);
    free(ins);
    free(outs);
    return st;
}

static om_status parse_graph(parser *p)
{
    om_status st;
    if (!is_ident(p, peek(p), "graph"))
        return expected(p, "'graph'");
    next(p);
    const om_tok *name = peek(p);
    if (name->kind != OM_TK_STRING)
        return expected(p, "the graph name (a string)");
    next(p);
    p->g = om_graph_create(text(p, name));
    if (!p->g)
        return om_error(OM_ERR_NO_MEMORY, "out of memory creating the graph");
    if (is_ident(p, peek(p), "opset")) {
        next(p);
        if ((st = parse_count(p, "the opset", &p->g->opset)) != OM_OK)
            return st;
    }
    if (is_ident(p, peek(p), "arena")) {
        next(p);
        if ((st = parse_count(p, "the arena size", &p->g->arena_size)) != OM_OK)
            return st;
    }
    if ((st = expect_punct(p, '{')) != OM_OK)
        return st;
    for (;;) {
        const om_tok *t = peek(p);
        if (is_punct(t, '}'))
            break;
        if (t->kind == OM_TK_EOF)
            return err(p, t, "unexpected end of input: missing '}' at the end of graph \"%s\"", p->g->name);
        if (is_ident(p, t, "input"))
            st = parse_input(p);
        else if (is_ident(p, t, "const"))
            st = parse_const(p);
        else if (is_ident(p, t, "output"))
            st = parse_output(p);
        else
            st = parse_node(p);
        if (st != OM_OK)
            return st;
    }
    next(p); /* '}' */
    if (peek(p)->kind != OM_TK_EOF)
        return expected(p, "end of input after the graph");
    return OM_OK;
}

om_status om_ir_parse(const char *text, size_t len, const char *filename, om_graph **out)
{
    if (!out)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_ir_parse: out is NULL");
    *out = NULL;
    if (!text && len > 0)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_ir_parse: text is NULL");
    parser p;
    memset(&p, 0, sizeof p);
    p.src = (om_src){text ? text : "", len, filename ? filename : "<input>"};
    om_status st = om_ir_lex(&p.src, &p.toks);
    if (st == OM_OK)
        st = parse_graph(&p);
    if (st != OM_OK && st != OM_ERR_PARSE && st != OM_ERR_NO_MEMORY)
        st = OM_ERR_PARSE; /* graph API refusals while parsing are input errors */
    om_ir_toks_free(&p.toks);
    free(p.def_pos);
    if (st != OM_OK) {
        om_graph_destroy(p.g);
        return st;
    }
    *out = p.g;
    return OM_OK;
}

om_status om_ir_parse_file(const char *path, om_graph **out)
{
    if (!out)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_ir_parse_file: out is NULL");
    *out = NULL;
    if (!path)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_ir_parse_file: path is NULL");
    FILE *f = fopen(path, "rb");
    if (!f)
        return om_error(OM_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    om_status st = OM_OK;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                st = om_error(OM_ERR_NO_MEMORY, "out of memory reading '%s'", path);
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0) {
            if (ferror(f))
                st = om_error(OM_ERR_IO, "cannot read '%s': %s", path, strerror(errno));
            break;
        }
    }
    fclose(f);
    if (st == OM_OK)
        st = om_ir_parse(buf, len, path, out);
    free(buf);
    return st;
}
