/* Parsing --input-shape / ATC's --input_shape: "x:1,3,224,224;y:1,128".
 *
 * Grammar: entries separated by ';' (empty entries, e.g. a trailing ';', are skipped);
 * entry = name ':' dims; the name is everything before the LAST ':' (TensorFlow-style names
 * such as "input:0" keep their colon), trimmed of blanks, and must not be empty; dims =
 * comma-separated integers >= -1 (-1 leaves the dim as the model has it), or nothing for a
 * scalar. At most OM_MAX_RANK dims. A name given twice is an error. Messages quote the
 * offending token.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compiler/compile.h"

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

static om_status add_pin(om_compile_pins *pins, const char *name, size_t name_len, const om_shape *shape)
{
    for (int i = 0; i < pins->n_pins; i++) {
        if (strlen(pins->pins[i].name) == name_len && memcmp(pins->pins[i].name, name, name_len) == 0)
            return om_error(OM_ERR_INVALID_ARGUMENT, "--input-shape: input '%.*s' given twice",
                            (int)name_len, name);
    }
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
            om_shape shape;
            om_status st = parse_dims(name, colon + 1, t, &shape);
            if (st != OM_OK)
                return st;
            st = add_pin(pins, ns, (size_t)(ne - ns), &shape);
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
}
