/* The optional JSON config of omrt_init: a strict JSON syntax check of the whole file (one
 * top-level object; nesting depth <= 64; at most 1 MiB) and the integer values of the
 * top-level keys "devices" (1..OM_RT_MAX_DEVICES) and "intra_op_threads" (1..256). Other
 * keys (AscendCL configs carry "dump", "profiler", ...) are accepted and ignored. Messages
 * name the file and the byte offset. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_internal.h"

typedef struct jp {
    const char *s;
    size_t n, at;
    int depth;
} jp;

static void ws(jp *p)
{
    while (p->at < p->n && strchr(" \t\r\n", p->s[p->at]) && p->s[p->at])
        p->at++;
}

static int lit(jp *p, const char *w)
{
    size_t l = strlen(w);
    if (p->n - p->at < l || memcmp(p->s + p->at, w, l) != 0)
        return -1;
    p->at += l;
    return 0;
}

static int str(jp *p, char *out, size_t out_len)
{
    size_t k = 0;
    if (p->at >= p->n || p->s[p->at] != '"')
        return -1;
    p->at++;
    while (p->at < p->n) {
        unsigned char c = (unsigned char)p->s[p->at++];
        if (c == '"') {
            if (out)
                out[k < out_len ? k : out_len - 1] = 0;
            return 0;
        }
        if (c < 0x20)
            return -1;
        if (c == '\\') {
            if (p->at >= p->n || !strchr("\"\\/bfnrtu", p->s[p->at]))
                return -1;
            if (p->s[p->at++] == 'u') {
                for (int i = 0; i < 4; i++, p->at++)
                    if (p->at >= p->n || !strchr("0123456789abcdefABCDEF", p->s[p->at]))
                        return -1;
            }
            c = '?';
        }
        if (out && k + 1 < out_len)
            out[k++] = (char)c;
    }
    return -1;
}

/* A number; *is_int and *iv when it is an integer that fits. */
static int num(jp *p, int *is_int, long long *iv)
{
    size_t b = p->at;
    if (p->at < p->n && p->s[p->at] == '-')
        p->at++;
    size_t d = p->at;
    while (p->at < p->n && p->s[p->at] >= '0' && p->s[p->at] <= '9')
        p->at++;
    if (p->at == d || (p->s[d] == '0' && p->at - d > 1))
        return -1;
    *is_int = 1;
    if (p->at < p->n && p->s[p->at] == '.') {
        *is_int = 0;
        size_t f = ++p->at;
        while (p->at < p->n && p->s[p->at] >= '0' && p->s[p->at] <= '9')
            p->at++;
        if (p->at == f)
            return -1;
    }
    if (p->at < p->n && (p->s[p->at] == 'e' || p->s[p->at] == 'E')) {
        *is_int = 0;
        p->at++;
        if (p->at < p->n && (p->s[p->at] == '+' || p->s[p->at] == '-'))
            p->at++;
        size_t e = p->at;
        while (p->at < p->n && p->s[p->at] >= '0' && p->s[p->at] <= '9')
            p->at++;
        if (p->at == e)
            return -1;
    }
    if (*is_int) {
        char buf[32];
        size_t l = p->at - b;
        if (l >= sizeof buf) {
            *is_int = 0;
            return 0;
        }
        memcpy(buf, p->s + b, l);
        buf[l] = 0;
        errno = 0;
        *iv = strtoll(buf, NULL, 10);
        if (errno)
            *is_int = 0;
    }
    return 0;
}

static int value(jp *p, int *is_int, long long *iv);

static int container(jp *p, char open, int top, int *devices, int *threads, const char **bad)
{
    char close = open == '{' ? '}' : ']';
    if (++p->depth > 64)
        return -1;
    p->at++;
    ws(p);
    if (p->at < p->n && p->s[p->at] == close) {
        p->at++;
        p->depth--;
        return 0;
    }
    for (;;) {
        char key[64] = "";
        ws(p);
        if (open == '{') {
            if (str(p, key, sizeof key) != 0)
                return -1;
            ws(p);
            if (p->at >= p->n || p->s[p->at++] != ':')
                return -1;
            ws(p);
        }
        int is_int = 0;
        long long iv = 0;
        if (value(p, &is_int, &iv) != 0)
            return -1;
        if (top && strcmp(key, "devices") == 0) {
            if (!is_int || iv < 1 || iv > OM_RT_MAX_DEVICES) {
                *bad = "devices";
                return -2;
            }
            *devices = (int)iv;
        } else if (top && strcmp(key, "intra_op_threads") == 0) {
            if (!is_int || iv < 1 || iv > 256) {
                *bad = "intra_op_threads";
                return -2;
            }
            *threads = (int)iv;
        }
        ws(p);
        if (p->at >= p->n)
            return -1;
        char c = p->s[p->at++];
        if (c == close)
            break;
        if (c != ',')
            return -1;
    }
    p->depth--;
    return 0;
}

static int value(jp *p, int *is_int, long long *iv)
{
    if (p->at >= p->n)
        return -1;
    char c = p->s[p->at];
    const char *bad = NULL;
    int d = 0, t = 0;
    if (c == '{' || c == '[')
        return container(p, c, 0, &d, &t, &bad) == 0 ? 0 : -1;
    if (c == '"')
        return str(p, NULL, 0);
    if (c == 't')
        return lit(p, "true");
    if (c == 'f')
        return lit(p, "false");
    if (c == 'n')
        return lit(p, "null");
    return num(p, is_int, iv);
}

omrt_status om_rt_config_read(const char *path, int *devices, int *intra_op_threads)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return om_rt_error(OMRT_ERR_IO, "%s: cannot open the config: %s", path, strerror(errno));
    char *buf = malloc(1u << 20);
    if (!buf) {
        fclose(f);
        return om_rt_error(OMRT_ERR_NO_MEMORY, "%s: out of memory reading the config", path);
    }
    size_t n = fread(buf, 1, 1u << 20, f);
    int too_big = n == (1u << 20) && fgetc(f) != EOF;
    int err = ferror(f);
    fclose(f);
    if (err || too_big) {
        free(buf);
        return om_rt_error(err ? OMRT_ERR_IO : OMRT_ERR_INVALID_ARGUMENT, "%s: %s", path,
                           err ? "read error" : "config larger than 1 MiB");
    }
    jp p = {buf, n, 0, 0};
    const char *bad = NULL;
    int d = *devices, t = *intra_op_threads, rc = -1;
    ws(&p);
    if (p.at < p.n && p.s[p.at] == '{')
        rc = container(&p, '{', 1, &d, &t, &bad);
    if (rc == 0) {
        ws(&p);
        if (p.at != p.n)
            rc = -1;
    }
    free(buf);
    if (rc == -2)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s: \"%s\" must be an integer in range",
                           path, bad);
    if (rc != 0)
        return om_rt_error(OMRT_ERR_INVALID_ARTIFACT, "%s: JSON syntax error at byte %zu "
                           "(expected one object)", path, p.at);
    *devices = d;
    *intra_op_threads = t;
    return OMRT_OK;
}
