/* Parsing --input-shape / ATC's --input_shape: "x:1,3,224,224;y:1,128".
 *
 * Grammar: entries separated by ';' (empty entries, e.g. a trailing ';', are skipped);
 * entry = name ':' dims; the name is everything before the LAST ':' (TensorFlow-style names
 * such as "input:0" keep their colon), trimmed of blanks, and must not be empty; dims =
 * comma-separated integers >= -1 (-1 leaves the dim as the model has it), or nothing for a
 * scalar. At most OM_MAX_RANK dims. A name given twice is an error. Messages quote the
 * offending token.
 *
 * Sequence and optional graph inputs (resolved at import, see onnx_import.h): dims may
 * instead be
 *   '[' [ '[' dims ']' { ',' '[' dims ']' } ] ']'   a sequence pinned to that many elements
 *                                                   of those shapes ("s:[[2,3],[4,3]]",
 *                                                   "s:[]" empty, "s:[[]]" one scalar)
 *   'none'                                          an optional input without a value
 * They go to pins->values (om_fe_input_pin); plain dims of an optional tensor input pin it
 * present with that shape. At most OM_FE_MAX_SEQ_PIN elements.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"

#define OM_FE_MAX_SEQ_PIN 4096

static char *dup_range(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static void trim(const char **s, const char **e)
{
    while (*s < *e && isspace((unsigned char)**s))
        (*s)++;
    while (*e > *s && isspace((unsigned char)(*e)[-1]))
        (*e)--;
}

/* Parses the dims in [s, e) into shape. */
static om_status parse_dims(const char *name, const char *s, const char *e, om_shape *shape)
{
    *shape = om_shape_scalar();
    trim(&s, &e);
    if (s == e)
        return OM_OK;
    int rank = 0;
    const char *p = s;
    for (;;) {
        const char *q = p;
        while (q < e && *q != ',')
            q++;
        const char *ts = p, *te = q;
        trim(&ts, &te);
        int len = (int)(te - ts);
        if (ts == te)
            return om_error(OM_ERR_INVALID_ARGUMENT,
                            "--input-shape: input '%s': empty dim in '%.*s'", name,
                            (int)(e - s), s);
        if (rank == OM_MAX_RANK)
            return om_error(OM_ERR_INVALID_ARGUMENT,
                            "--input-shape: input '%s': more than %d dims in '%.*s'", name,
                            OM_MAX_RANK, (int)(e - s), s);
        char buf[32];
        bool ok = len < (int)sizeof buf;
        long long v = 0;
        if (ok) {
            memcpy(buf, ts, (size_t)len);
            buf[len] = '\0';
            char *end;
            errno = 0;
            v = strtoll(buf, &end, 10);
            ok = *end == '\0' && errno == 0 && v >= -1 &&
                 (isdigit((unsigned char)buf[0]) || buf[0] == '-');
        }
        if (!ok)
            return om_error(OM_ERR_INVALID_ARGUMENT,
                            "--input-shape: input '%s': bad dim '%.*s' (expected an integer >= 0, "
                            "or -1 to keep the model's dim)", name, len, ts);
        shape->dims[rank++] = v;
        shape->rank = rank;
        if (q == e)
            break;
        p = q + 1;
    }
    return OM_OK;
}

static bool same_name(const char *a, const char *name, size_t name_len)
{
    return a && strlen(a) == name_len && memcmp(a, name, name_len) == 0;
}

static om_status check_twice(const om_compile_pins *pins, const char *name, size_t name_len)
{
    for (int i = 0; i < pins->n_pins; i++)
        if (same_name(pins->pins[i].name, name, name_len))
            return om_error(OM_ERR_INVALID_ARGUMENT, "--input-shape: input '%.*s' given twice", (int)name_len, name);
    for (int i = 0; i < pins->n_values; i++)
        if (same_name(pins->values[i].name, name, name_len))
            return om_error(OM_ERR_INVALID_ARGUMENT, "--input-shape: input '%.*s' given twice", (int)name_len, name);
    return OM_OK;
}

/* A sequence pin "[[d,..],[..]]" in [s, e) (trimmed, s[0] == '['), or "none" (seq NULL). */
static om_status add_value_pin(om_compile_pins *pins, const char *name, size_t name_len, const char *s,
                               const char *e, bool none)
{
    om_status st = check_twice(pins, name, name_len);
    if (st != OM_OK)
        return st;
    char nm[256];
    snprintf(nm, sizeof nm, "%.*s", (int)name_len, name);
    om_shape *elems = NULL;
    int n = 0;
    if (!none) {
        const char *p = s + 1;   /* after the outer '[' */
        if (e - s < 2 || e[-1] != ']')
            return om_error(OM_ERR_INVALID_ARGUMENT, "--input-shape: input '%s': bad sequence '%.*s' (expected "
                            "[[d0,d1,...],[...]])", nm, (int)(e - s), s);
        const char *close = e - 1;
        for (;;) {
            while (p < close && isspace((unsigned char)*p))
                p++;
            if (p == close && n == 0)
                break;   /* "[]": empty */
            const char *q = p < close && *p == '[' ? memchr(p, ']', (size_t)(close - p)) : NULL;
            if (!q) {
                free(elems);
                return om_error(OM_ERR_INVALID_ARGUMENT, "--input-shape: input '%s': bad sequence '%.*s' at '%.*s' "
                                "(expected [d0,d1,...] per element)", nm, (int)(e - s), s, (int)(close - p), p);
            }
            if (n == OM_FE_MAX_SEQ_PIN) {
                free(elems);
                return om_error(OM_ERR_INVALID_ARGUMENT, "--input-shape: input '%s': more than %d sequence "
                                "elements", nm, OM_FE_MAX_SEQ_PIN);
            }
            om_shape *grown = realloc(elems, sizeof *grown * (size_t)(n + 1));
            if (!grown) {
                free(elems);
                return om_error(OM_ERR_NO_MEMORY, "--input-shape: out of memory");
            }
            elems = grown;
            if ((st = parse_dims(nm, p + 1, q, &elems[n])) != OM_OK) {
                free(elems);
                return st;
            }
            n++;
            p = q + 1;
            while (p < close && isspace((unsigned char)*p))
                p++;
            if (p == close)
                break;
            if (*p != ',') {
                free(elems);
                return om_error(OM_ERR_INVALID_ARGUMENT, "--input-shape: input '%s': bad sequence '%.*s' at '%.*s' "
                                "(expected ',' between elements)", nm, (int)(e - s), s, (int)(close - p), p);
            }
            p++;
        }
    }
    om_fe_input_pin *grown = realloc(pins->values, sizeof *grown * (size_t)(pins->n_values + 1));
    char *dup = grown ? dup_range(name, name_len) : NULL;
    if (grown)
        pins->values = grown;
    if (!dup) {
        free(elems);
        return om_error(OM_ERR_NO_MEMORY, "--input-shape: out of memory");
    }
    om_fe_input_pin *v = &pins->values[pins->n_values++];
    memset(v, 0, sizeof *v);
    v->name = dup;
    v->kind = none ? OM_FE_PIN_NONE : OM_FE_PIN_SEQUENCE;
    v->n_elems = n;
    v->elems = elems;
    return OM_OK;
}

static om_status add_pin(om_compile_pins *pins, const char *name, size_t name_len, const om_shape *shape)
{
    om_status cst = check_twice(pins, name, name_len);
    if (cst != OM_OK)
        return cst;
    om_input_pin *grown = realloc(pins->pins, sizeof *grown * (size_t)(pins->n_pins + 1));
    if (!grown)
        return om_error(OM_ERR_NO_MEMORY, "--input-shape: out of memory");
    pins->pins = grown;
    char *n = dup_range(name, name_len);
    if (!n)
        return om_error(OM_ERR_NO_MEMORY, "--input-shape: out of memory");
    grown[pins->n_pins].name = n;
    grown[pins->n_pins].shape = *shape;
    pins->n_pins++;
    return OM_OK;
}

om_status om_compile_parse_input_shape(const char *spec, om_compile_pins *pins)
{
    if (!spec || !pins)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_compile_parse_input_shape: NULL argument");
    const char *p = spec;
    bool any = false;
    while (*p) {
        const char *e = strchr(p, ';');
        if (!e)
            e = p + strlen(p);
        const char *s = p, *t = e;
        trim(&s, &t);
        if (s < t) {
            const char *colon = NULL;
            for (const char *q = s; q < t; q++)
                if (*q == ':')
                    colon = q;
            if (!colon)
                return om_error(OM_ERR_INVALID_ARGUMENT,
                                "--input-shape: '%.*s' has no ':' (expected name:d0,d1,...)",
                                (int)(t - s), s);
            const char *ns = s, *ne = colon;
            trim(&ns, &ne);
            if (ns == ne)
                return om_error(OM_ERR_INVALID_ARGUMENT,
                                "--input-shape: '%.*s' has an empty input name", (int)(t - s), s);
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(ne - ns), ns);
            const char *vs = colon + 1, *ve = t;
            trim(&vs, &ve);
            om_status st;
            if (vs < ve && *vs == '[') {
                st = add_value_pin(pins, ns, (size_t)(ne - ns), vs, ve, false);
            } else if (ve - vs == 4 && memcmp(vs, "none", 4) == 0) {
                st = add_value_pin(pins, ns, (size_t)(ne - ns), vs, ve, true);
            } else {
                om_shape shape;
                st = parse_dims(name, colon + 1, t, &shape);
                if (st == OM_OK)
                    st = add_pin(pins, ns, (size_t)(ne - ns), &shape);
            }
            if (st != OM_OK)
                return st;
            any = true;
        }
        p = *e ? e + 1 : e;
    }
    if (!any)
        return om_error(OM_ERR_INVALID_ARGUMENT,
                        "--input-shape: '%s' names no input (expected name:d0,d1,...;name2:...)", spec);
    return OM_OK;
}

void om_compile_pins_free(om_compile_pins *pins)
{
    if (!pins)
        return;
    for (int i = 0; i < pins->n_pins; i++)
        free((void *)pins->pins[i].name);
    free(pins->pins);
    pins->pins = NULL;
    pins->n_pins = 0;
    for (int i = 0; i < pins->n_values; i++) {
        free((void *)pins->values[i].name);
        free((void *)pins->values[i].elems);
    }
    free(pins->values);
    pins->values = NULL;
    pins->n_values = 0;
}
