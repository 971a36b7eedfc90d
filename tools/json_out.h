/* Minimal JSON writing for omdump --format json: strings escaped per RFC 8259 (quotes,
 * backslash, control characters as \uXXXX; invalid UTF-8 bytes become U+FFFD so the
 * output is always valid JSON). */
#ifndef OM_TOOLS_JSON_OUT_H
#define OM_TOOLS_JSON_OUT_H

#include <stddef.h>
#include <stdio.h>

/* Writes s[0..len) as a quoted JSON string. */
void om_json_string(FILE *out, const char *s, size_t len);
/* Same for a NUL-terminated string (NULL prints ""). */
void om_json_cstr(FILE *out, const char *s);

#endif
