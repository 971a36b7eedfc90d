/* The IR text lexer and positioned error messages (see lex.h).
 *
 * Tokens: identifiers, %value names (bare [A-Za-z0-9_.:/-]+ or quoted), strings with C
 * escapes (\" \\ \n \t \r \xHH; a NUL byte is refused), numbers
 * ([-+]?digits[.digits][e[-+]digits], plus -inf/-nan), and single-character punctuation.
 * `#` starts a comment to the end of the line. A string may not span lines, so a
 * missing quote is reported where the string starts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ir/lex.h"
#include "ir/text.h"

#define CONTEXT 60 /* chars of a long line shown on each side of the error column */

om_status om_ir_text_verror(const om_src *src, size_t pos, const char *fmt, va_list ap)
{
    if (pos > src->len)
        pos = src->len;
    size_t line_start = 0;
    int line = 1;
    for (size_t i = 0; i < pos; i++) {
        if (src->text[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    }
    size_t line_end = pos;
    while (line_end < src->len && src->text[line_end] != '\n')
        line_end++;
    size_t col = pos - line_start + 1;

    /* Window long lines around the column. */
    size_t from = line_start, to = line_end;
    bool cut_left = false, cut_right = false;
    if (pos - from > CONTEXT) {
        from = pos - CONTEXT;
        cut_left = true;
    }
    if (to - pos > CONTEXT) {
        to = pos + CONTEXT;
        cut_right = true;
    }
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    char shown[4 * CONTEXT], caret[4 * CONTEXT];
    size_t k = 0, c = 0;
    if (cut_left) {
        memcpy(shown, "...", 3);
        memcpy(caret, "   ", 3);
        k = c = 3;
    }
    for (size_t i = from; i < to; i++) {
        char ch = src->text[i];
        if (ch == '\r' || ch == '\0')
            ch = ' ';
        shown[k++] = ch;
        if (i < pos)
            caret[c++] = ch == '\t' ? '\t' : ' ';
    }
    if (cut_right) {
        memcpy(shown + k, "...", 3);
        k += 3;
    }
    shown[k] = '\0';
    caret[c++] = '^';
    caret[c] = '\0';
    return om_error(OM_ERR_PARSE, "%s:%d:%zu: %s\n%s\n%s", src->filename ? src->filename : "<input>",
                    line, col, msg, shown, caret);
}

om_status om_ir_text_error(const om_src *src, size_t pos, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    om_status st = om_ir_text_verror(src, pos, fmt, ap);
    va_end(ap);
    return st;
}

typedef struct lexer {
    const om_src *src;
    size_t i;
    om_toks *out;
    size_t cap_toks, pool_len, pool_cap;
} lexer;

static om_status oom(void)
{
    return om_error(OM_ERR_NO_MEMORY, "out of memory while reading IR text");
}

static om_status pool_put(lexer *L, const char *s, size_t n)
{
    if (L->pool_len + n + 1 > L->pool_cap) {
        size_t ncap = L->pool_cap ? L->pool_cap : 1024;
        while (ncap < L->pool_len + n + 1)
            ncap *= 2;
        char *np = realloc(L->out->pool, ncap);
        if (!np)
            return oom();
        L->out->pool = np;
        L->pool_cap = ncap;
    }
    memcpy(L->out->pool + L->pool_len, s, n);
    L->pool_len += n;
    L->out->pool[L->pool_len] = '\0';
    return OM_OK;
}

static om_status push(lexer *L, om_tok_kind kind, size_t pos, size_t text, size_t len, char punct)
{
    om_toks *t = L->out;
    if (t->n == L->cap_toks) {
        size_t ncap = L->cap_toks ? L->cap_toks * 2 : 256;
        om_tok *nv = realloc(t->v, ncap * sizeof *nv);
        if (!nv)
            return oom();
        t->v = nv;
        L->cap_toks = ncap;
    }
    t->v[t->n++] = (om_tok){kind, punct, pos, text, len};
    return OM_OK;
}

/* Pushes a token whose text is src[start, end). */
static om_status push_span(lexer *L, om_tok_kind kind, size_t start, size_t end)
{
    size_t off = L->pool_len;
    om_status st = pool_put(L, L->src->text + start, end - start);
    if (st != OM_OK)
        return st;
    L->pool_len++; /* keep the terminator */
    return push(L, kind, start, off, end - start, 0);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes a quoted string starting at the '"' at L->i; pushes a token of `kind` at `tokpos`. */
static om_status lex_string(lexer *L, om_tok_kind kind, size_t tokpos)
{
    const char *s = L->src->text;
    size_t n = L->src->len, open = L->i;
    size_t off = L->pool_len;
    size_t i = open + 1;
    om_status st = OM_OK;
    for (;;) {
        if (i >= n || s[i] == '\n')
            return om_ir_text_error(L->src, open, "unterminated string");
        char c = s[i];
        if (c == '"')
            break;
        if (c == '\0')
            return om_ir_text_error(L->src, i, "NUL byte in string");
        if (c != '\\') {
            /* copy a run of plain characters at once */
            size_t j = i;
            while (j < n && s[j] != '"' && s[j] != '\\' && s[j] != '\n' && s[j] != '\0')
                j++;
            if ((st = pool_put(L, s + i, j - i)) != OM_OK)
                return st;
            i = j;
            continue;
        }
        if (i + 1 >= n)
            return om_ir_text_error(L->src, open, "unterminated string");
        char e = s[i + 1], out;
        switch (e) {
        case '"': out = '"'; break;
        case '\\': out = '\\'; break;
        case 'n': out = '\n'; break;
        case 't': out = '\t'; break;
        case 'r': out = '\r'; break;
        case 'x': {
            int hi = i + 2 < n ? hexval((unsigned char)s[i + 2]) : -1;
            int lo = i + 3 < n ? hexval((unsigned char)s[i + 3]) : -1;
            if (hi < 0 || lo < 0)
                return om_ir_text_error(L->src, i, "\\x must be followed by two hex digits");
            if (hi == 0 && lo == 0)
                return om_ir_text_error(L->src, i, "NUL byte (\\x00) in string");
            out = (char)(hi * 16 + lo);
            i += 2;
            break;
        }
        default:
            return om_ir_text_error(L->src, i, "unknown escape sequence '\\%c'",
                                    (e >= 0x20 && e < 0x7f) ? e : '?');
        }
        if ((st = pool_put(L, &out, 1)) != OM_OK)
            return st;
        i += 2;
    }
    size_t len = L->pool_len - off;
    if ((st = pool_put(L, "", 0)) != OM_OK)
        return st;
    L->pool_len++;
    L->i = i + 1;
    return push(L, kind, tokpos, off, len, 0);
}

static bool is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static om_status lex_number(lexer *L)
{
    const char *s = L->src->text;
    size_t n = L->src->len, start = L->i, i = L->i;
    if (s[i] == '-' || s[i] == '+')
        i++;
    if (i + 3 <= n && (memcmp(s + i, "inf", 3) == 0 || memcmp(s + i, "nan", 3) == 0) &&
        (i + 3 == n || !om_ir_is_ident_char((unsigned char)s[i + 3]))) {
        L->i = i + 3;
        return push_span(L, OM_TK_NUMBER, start, L->i);
    }
    size_t digits = 0;
    while (i < n && is_digit(s[i]))
        i++, digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && is_digit(s[i]))
            i++, digits++;
    }
    if (digits == 0)
        return om_ir_text_error(L->src, start, "malformed number");
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        if (i >= n || !is_digit(s[i]))
            return om_ir_text_error(L->src, start, "malformed number: exponent has no digits");
        while (i < n && is_digit(s[i]))
            i++;
    }
    if (i < n && (om_ir_is_ident_char((unsigned char)s[i]) || s[i] == '.'))
        return om_ir_text_error(L->src, start, "malformed number");
    L->i = i;
    return push_span(L, OM_TK_NUMBER, start, i);
}

om_status om_ir_lex(const om_src *src, om_toks *out)
{
    memset(out, 0, sizeof *out);
    lexer L = {src, 0, out, 0, 0, 0};
    const char *s = src->text;
    size_t n = src->len;
    om_status st = OM_OK;
    while (st == OM_OK) {
        while (L.i < n && (s[L.i] == ' ' || s[L.i] == '\t' || s[L.i] == '\r' || s[L.i] == '\n'))
            L.i++;
        if (L.i >= n)
            break;
        char c = s[L.i];
        if (c == '#') {
            while (L.i < n && s[L.i] != '\n')
                L.i++;
            continue;
        }
        if (om_ir_is_ident_start((unsigned char)c)) {
            size_t start = L.i;
            while (L.i < n && om_ir_is_ident_char((unsigned char)s[L.i]))
                L.i++;
            st = push_span(&L, OM_TK_IDENT, start, L.i);
        } else if (c == '%') {
            size_t start = L.i++;
            if (L.i < n && s[L.i] == '"') {
                st = lex_string(&L, OM_TK_VALUE, start);
            } else {
                size_t b = L.i;
                while (L.i < n && om_ir_is_name_char((unsigned char)s[L.i]))
                    L.i++;
                if (L.i == b)
                    st = om_ir_text_error(src, start, "expected a value name after '%%'");
                else {
                    size_t off = L.pool_len;
                    st = pool_put(&L, s + b, L.i - b);
                    if (st == OM_OK) {
                        L.pool_len++;
                        st = push(&L, OM_TK_VALUE, start, off, L.i - b, 0);
                    }
                }
            }
        } else if (c == '"') {
            st = lex_string(&L, OM_TK_STRING, L.i);
        } else if (is_digit(c) || ((c == '-' || c == '+' || c == '.') && L.i + 1 < n &&
                                   (is_digit(s[L.i + 1]) || s[L.i + 1] == '.' || s[L.i + 1] == 'i' ||
                                    s[L.i + 1] == 'n'))) {
            st = lex_number(&L);
        } else if (c != '\0' && strchr("{}()[],:=<>*?", c)) {
            st = push(&L, OM_TK_PUNCT, L.i, 0, 1, c);
            L.i++;
        } else {
            unsigned char uc = (unsigned char)c;
            if (uc >= 0x20 && uc < 0x7f)
                st = om_ir_text_error(src, L.i, "unexpected character '%c'", c);
            else
                st = om_ir_text_error(src, L.i, "unexpected byte 0x%02x", uc);
        }
    }
    if (st == OM_OK)
        st = push(&L, OM_TK_EOF, n, 0, 0, 0);
    if (st == OM_OK && !out->pool)
        st = pool_put(&L, "", 0);
    if (st != OM_OK) {
        om_ir_toks_free(out);
        return st;
    }
    return OM_OK;
}

void om_ir_toks_free(om_toks *t)
{
    free(t->v);
    free(t->pool);
    memset(t, 0, sizeof *t);
}
