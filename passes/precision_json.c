/* A tiny JSON reader for --modify-mixlist files (see precision.h).
 *
 * Recursive descent over the text with a line/column cursor; every error is OM_ERR_PARSE
 * "file:line:col: what was expected, what was found". Nesting is limited to 64 levels and
 * strings keep \uXXXX escapes below 0x80 only (others become '?'): list files hold op
 * names. The tree is malloc'd; om_pass_json_free releases it (also a half-built one).
 */
#include <stdlib.h>
#include <string.h>

#include "passes/precision.h"

#define MAX_DEPTH 64

typedef struct cursor {
    const char *p, *end, *file;
    int line, col;
} cursor;

static om_status perr(const cursor *c, const char *what)
{
    char found[24];
    if (c->p >= c->end)
        snprintf(found, sizeof found, "end of file");
    else if ((unsigned char)*c->p < 0x20)
        snprintf(found, sizeof found, "byte 0x%02x", (unsigned char)*c->p);
    else
        snprintf(found, sizeof found, "'%c'", *c->p);
    return om_error(OM_ERR_PARSE, "%s:%d:%d: expected %s, found %s", c->file, c->line, c->col, what, found);
}

static void advance(cursor *c)
{
    if (c->p >= c->end)
        return;
    if (*c->p == '\n') {
        c->line++;
        c->col = 1;
    } else {
        c->col++;
    }
    c->p++;
}

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        advance(c);
}

static om_status parse_value(cursor *c, om_pass_json *out, int depth);

static om_status parse_string(cursor *c, char **out)
{
    if (c->p >= c->end || *c->p != '"')
        return perr(c, "a string");
    advance(c);
    size_t cap = 16, n = 0;
    char *s = malloc(cap);
    if (!s)
        return om_error(OM_ERR_NO_MEMORY, "out of memory reading %s", c->file);
    for (;;) {
        if (c->p >= c->end || (unsigned char)*c->p < 0x20) {
            free(s);
            return perr(c, "'\"' closing the string");
        }
        char ch = *c->p;
        if (ch == '"') {
            advance(c);
            break;
        }
        if (ch == '\\') {
            advance(c);
            if (c->p >= c->end) {
                free(s);
                return perr(c, "an escape character");
            }
            char e = *c->p;
            switch (e) {
            case '"': case '\\': case '/': ch = e; break;
            case 'b': ch = '\b'; break;
            case 'f': ch = '\f'; break;
            case 'n': ch = '\n'; break;
            case 'r': ch = '\r'; break;
            case 't': ch = '\t'; break;
            case 'u': {
                unsigned v = 0;
                for (int k = 0; k < 4; k++) {
                    advance(c);
                    char h = c->p < c->end ? *c->p : '\0';
                    int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
                            : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                    if (d < 0) {
                        free(s);
                        return perr(c, "4 hex digits after \\u");
                    }
                    v = v * 16 + (unsigned)d;
                }
                ch = v > 0 && v < 0x80 ? (char)v : '?';
                break;
            }
            default:
                free(s);
                return perr(c, "one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u");
            }
        }
        advance(c);
        if (n + 2 > cap) {
            char *t = realloc(s, cap * 2);
            if (!t) {
                free(s);
                return om_error(OM_ERR_NO_MEMORY, "out of memory reading %s", c->file);
            }
            s = t;
            cap *= 2;
        }
        s[n++] = ch;
    }
    s[n] = '\0';
    *out = s;
    return OM_OK;
}

static om_status push_item(cursor *c, om_pass_json *parent, om_pass_json **slot)
{
    om_pass_json *items = realloc(parent->items, (size_t)(parent->n_items + 1) * sizeof *items);
    if (!items)
        return om_error(OM_ERR_NO_MEMORY, "out of memory reading %s", c->file);
    parent->items = items;
    *slot = &items[parent->n_items++];
    memset(*slot, 0, sizeof **slot);
    return OM_OK;
}

static om_status parse_container(cursor *c, om_pass_json *out, int depth, bool object)
{
    char close = object ? '}' : ']';
    out->kind = object ? OM_JSON_OBJECT : OM_JSON_ARRAY;
    advance(c);
    skip_ws(c);
    if (c->p < c->end && *c->p == close) {
        advance(c);
        return OM_OK;
    }
    for (;;) {
        skip_ws(c);
        char *key = NULL;
        if (object) {
            if (c->p >= c->end || *c->p != '"')
                return perr(c, "a member name (a string) or '}'");
            om_status st = parse_string(c, &key);
            if (st != OM_OK)
                return st;
            skip_ws(c);
            if (c->p >= c->end || *c->p != ':') {
                free(key);
                return perr(c, "':' after the member name");
            }
            advance(c);
        }
        om_pass_json *item;
        om_status st = push_item(c, out, &item);
        if (st != OM_OK) {
            free(key);
            return st;
        }
        item->key = key;
        if ((st = parse_value(c, item, depth + 1)) != OM_OK)
            return st;
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') {
            advance(c);
            continue;
        }
        if (c->p < c->end && *c->p == close) {
            advance(c);
            return OM_OK;
        }
        return perr(c, object ? "',' or '}'" : "',' or ']'");
    }
}

static bool match_word(cursor *c, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0)
        return false;
    for (size_t i = 0; i < n; i++)
        advance(c);
    return true;
}

static om_status parse_number(cursor *c, om_pass_json *out)
{
    char buf[64];
    size_t n = 0;
    while (c->p < c->end && n + 1 < sizeof buf && strchr("+-0123456789.eE", *c->p)) {
        buf[n++] = *c->p;
        advance(c);
    }
    buf[n] = '\0';
    char *endp;
    out->kind = OM_JSON_NUMBER;
    out->num = strtod(buf, &endp);
    if (n == 0 || *endp != '\0')
        return perr(c, "a number");
    return OM_OK;
}

static om_status parse_value(cursor *c, om_pass_json *out, int depth)
{
    skip_ws(c);
    out->line = c->line;
    out->col = c->col;
    if (depth > MAX_DEPTH)
        return om_error(OM_ERR_PARSE, "%s:%d:%d: nesting deeper than %d levels", c->file, c->line, c->col,
                        MAX_DEPTH);
    if (c->p >= c->end)
        return perr(c, "a value");
    char ch = *c->p;
    if (ch == '{' || ch == '[')
        return parse_container(c, out, depth, ch == '{');
    if (ch == '"') {
        out->kind = OM_JSON_STRING;
        return parse_string(c, &out->str);
    }
    if (ch == '-' || (ch >= '0' && ch <= '9'))
        return parse_number(c, out);
    if (match_word(c, "true") || match_word(c, "false")) {
        out->kind = OM_JSON_BOOL;
        out->b = ch == 't';
        return OM_OK;
    }
    if (match_word(c, "null")) {
        out->kind = OM_JSON_NULL;
        return OM_OK;
    }
    return perr(c, "a value (object, array, string, number, true, false or null)");
}

static void free_tree(om_pass_json *j)
{
    for (int i = 0; i < j->n_items; i++)
        free_tree(&j->items[i]);
    free(j->items);
    free(j->str);
    free(j->key);
}

void om_pass_json_free(om_pass_json *j)
{
    if (!j)
        return;
    free_tree(j);
    free(j);
}

om_status om_pass_json_parse(const char *text, size_t len, const char *filename, om_pass_json **out)
{
    *out = NULL;
    if (!text)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_pass_json_parse: NULL text");
    cursor c = {text, text + len, filename ? filename : "<json>", 1, 1};
    om_pass_json *root = calloc(1, sizeof *root);
    if (!root)
        return om_error(OM_ERR_NO_MEMORY, "out of memory reading %s", c.file);
    om_status st = parse_value(&c, root, 0);
    if (st == OM_OK) {
        skip_ws(&c);
        if (c.p < c.end)
            st = perr(&c, "end of file after the JSON value");
    }
    if (st != OM_OK) {
        om_pass_json_free(root);
        return st;
    }
    *out = root;
    return OM_OK;
}
