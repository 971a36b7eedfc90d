/* Private: the IR text lexer. It turns the whole input into an array of tokens up front
 * (the parser looks ahead freely and reports errors at token positions). String and
 * quoted-name contents are decoded (escapes resolved) into one shared pool.
 */
#ifndef OM_IR_LEX_H
#define OM_IR_LEX_H

#include <stdarg.h>
#include <stddef.h>

#include "ir/ir.h"

typedef enum om_tok_kind {
    OM_TK_EOF,
    OM_TK_IDENT,  /* [A-Za-z_][A-Za-z0-9_]*: keywords, op names, dtypes, `_` */
    OM_TK_VALUE,  /* %name or %"quoted": text is the decoded name */
    OM_TK_STRING, /* "...": text is the decoded contents */
    OM_TK_NUMBER, /* integer or float literal, including -inf / -nan: text is the spelling */
    OM_TK_PUNCT,  /* one of { } ( ) [ ] , : = < > * ? */
} om_tok_kind;

typedef struct om_tok {
    om_tok_kind kind;
    char punct;    /* OM_TK_PUNCT */
    size_t pos;    /* byte offset of the token in the source */
    size_t text;   /* offset of the NUL-terminated text in the pool */
    size_t len;    /* length of the text (strings may not contain NUL) */
} om_tok;

typedef struct om_src {
    const char *text;
    size_t len;
    const char *filename;
} om_src;

typedef struct om_toks {
    om_tok *v;
    size_t n;
    char *pool;
} om_toks;

/* Tokenizes src. On failure returns OM_ERR_PARSE (or NO_MEMORY) with a positioned
 * message; *out is then empty. Free with om_ir_toks_free in either case. */
om_status om_ir_lex(const om_src *src, om_toks *out);
void om_ir_toks_free(om_toks *t);

/* Sets the error `file:line:col: message`, then the source line and a caret under the
 * column, and returns OM_ERR_PARSE. */
om_status om_ir_text_error(const om_src *src, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
om_status om_ir_text_verror(const om_src *src, size_t pos, const char *fmt, va_list ap);

#endif /* OM_IR_LEX_H */
