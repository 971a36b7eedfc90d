/* Loading a model for omc/omdump: decides between ONNX protobuf and IR text by looking at
 * the first bytes of the file (the extension is only a hint), then calls the frontend or
 * the IR parser.
 *
 * Sniffing rule: skip whitespace and comments (`#` to end of line, as the IR lexer); if the next
 * word is `graph`, it is IR text. A file named *.ir / *.omir whose head is printable text
 * is also given to the IR parser, so a malformed IR file gets the parser's
 * file:line:col message instead of a protobuf error. A file starting with the .om magic is
 * an artifact. Everything else goes to the ONNX frontend, which validates it.
 *
 * om_compile_load_pinned passes the sequence / optional pins of --input-shape to the ONNX
 * import (they must be known there: sequences are resolved at import); IR text has no
 * sequence inputs, so such pins are refused for it.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "compiler/compile.h"
#include "frontend/onnx_import.h"

#define SNIFF_BYTES 4096

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* True when buf[0..n) starts with "graph" after whitespace and comments. */
static bool looks_like_ir(const unsigned char *buf, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if (isspace(buf[i])) {
            i++;
        } else if (buf[i] == '#') {
            while (i < n && buf[i] != '\n')
                i++;
        } else {
            break;
        }
    }
    if (n - i < 5 || memcmp(buf + i, "graph", 5) != 0)
        return false;
    return n - i == 5 || !(isalnum(buf[i + 5]) || buf[i + 5] == '_');
}

static bool looks_like_text(const unsigned char *buf, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == 0 || (buf[i] < 0x20 && !isspace(buf[i])))
            return false;
    }
    return true;
}

om_status om_compile_sniff(const char *path, om_compile_format *out)
{
    if (!path || !out)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_compile_sniff: NULL argument");
    FILE *f = fopen(path, "rb");
    if (!f)
        return om_error(OM_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    unsigned char buf[SNIFF_BYTES];
    size_t n = fread(buf, 1, sizeof buf, f);
    bool err = ferror(f) != 0;
    fclose(f);
    if (err)
        return om_error(OM_ERR_IO, "%s: read error", path);
    if (n == 0)
        return om_error(OM_ERR_INVALID_MODEL, "%s: empty file", path);

    if (n >= 8 && memcmp(buf, OM_ART_MAGIC, 8) == 0)
        *out = OM_COMPILE_FORMAT_OM;
    else if (looks_like_ir(buf, n))
        *out = OM_COMPILE_FORMAT_IR_TEXT;
    else if ((has_suffix(path, ".ir") || has_suffix(path, ".omir")) && looks_like_text(buf, n))
        *out = OM_COMPILE_FORMAT_IR_TEXT;
    else
        *out = OM_COMPILE_FORMAT_ONNX;
    return OM_OK;
}

om_status om_compile_load(const char *path, om_graph **out)
{
    if (!out)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_compile_load: NULL argument");
    *out = NULL;
    om_compile_format fmt;
    om_status st = om_compile_sniff(path, &fmt);
    if (st != OM_OK)
        return st;
    switch (fmt) {
    case OM_COMPILE_FORMAT_OM:
        return om_error(OM_ERR_INVALID_ARGUMENT,
                        "%s: is a compiled .om artifact, not a model (inspect it with omdump)",
                        path);
    case OM_COMPILE_FORMAT_IR_TEXT:
        st = om_ir_parse_file(path, out);
        break;
    case OM_COMPILE_FORMAT_ONNX:
    default:
        st = om_fe_import_onnx_file(path, out);
        break;
    }
    if (st != OM_OK) {
        *out = NULL;   /* the callees promise it; make sure */
        /* name the file once, whichever layer failed */
        if (!strstr(om_last_error(), path))
            om_error_prefix(st, "%s", path);
    }
    return st;
}

om_status om_compile_load_pinned(const char *path, const om_compile_pins *pins, om_graph **out)
{
    if (!pins || pins->n_values == 0)
        return om_compile_load(path, out);
    if (!out || !pins->values)
        return om_error(OM_ERR_INVALID_ARGUMENT, "om_compile_load_pinned: NULL argument");
    *out = NULL;
    om_compile_format fmt;
    om_status st = om_compile_sniff(path, &fmt);
    if (st != OM_OK)
        return st;
    if (fmt != OM_COMPILE_FORMAT_ONNX)
        return om_error(OM_ERR_INVALID_ARGUMENT, "%s: --input-shape '%s:...': sequence and 'none' pins apply to "
                        "ONNX models only", path, pins->values[0].name);
    om_fe_import_opts o = {0};
    o.pins = pins->values;
    o.n_pins = (size_t)pins->n_values;
    st = om_fe_import_onnx_file_opts(path, &o, out);
    if (st != OM_OK) {
        *out = NULL;
        if (!strstr(om_last_error(), path))
            om_error_prefix(st, "%s", path);
    }
    return st;
}
