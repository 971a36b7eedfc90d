/* Private: lexical rules shared by the IR text printer and parser, so both agree on
 * which names print bare and which need quotes.
 */
#ifndef OM_IR_TEXT_H
#define OM_IR_TEXT_H

#include <stdbool.h>

/* Constants with at most this many elements print as a decimal list, larger ones in hex. */
#define OM_IR_TEXT_LIST_MAX 64

/* Characters of a bare value name after '%': [A-Za-z0-9_.:/-]. */
static inline bool om_ir_is_name_char(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c == ':' || c == '/' || c == '-';
}

static inline bool om_ir_is_ident_start(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static inline bool om_ir_is_ident_char(int c)
{
    return om_ir_is_ident_start(c) || (c >= '0' && c <= '9');
}

/* An identifier: [A-Za-z_][A-Za-z0-9_]*. */
static inline bool om_ir_is_ident(const char *s)
{
    if (!s || !om_ir_is_ident_start((unsigned char)*s))
        return false;
    for (s++; *s; s++)
        if (!om_ir_is_ident_char((unsigned char)*s))
            return false;
    return true;
}

#endif /* OM_IR_TEXT_H */
