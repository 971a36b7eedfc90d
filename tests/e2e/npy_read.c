/* The .npy reader of npy_read.h: parses the header dict ('descr', 'fortran_order',
 * 'shape') and reads numel * elem bytes of data. Big-endian and object dtypes are refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/e2e/npy_read.h"

/* Finds `'key':` in the header dict and returns a pointer just past the colon. */
static const char *find_key(const char *hdr, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "'%s':", key);
    const char *p = strstr(hdr, pat);
    return p ? p + strlen(pat) : NULL;
}

int npy_read(const char *path, npy *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "npy_read: cannot open %s\n", path);
        return -1;
    }
    unsigned char pre[12];
    char *hdr = NULL;
    int rc = -1;
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        fprintf(stderr, "npy_read: %s: not a .npy file\n", path);
        goto done;
    }
    size_t hlen;
    if (pre[6] == 1) {
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    } else {
        if (fread(pre + 10, 1, 2, f) != 2)
            goto trunc;
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    }
    if (hlen > (1u << 20)) {
        fprintf(stderr, "npy_read: %s: header too large\n", path);
        goto done;
    }
    hdr = calloc(1, hlen + 1);
    if (!hdr || fread(hdr, 1, hlen, f) != hlen)
        goto trunc;
    const char *p = find_key(hdr, "descr");
    if (!p || sscanf(p, " '%15[^']'", out->descr) != 1) {
        fprintf(stderr, "npy_read: %s: no descr\n", path);
        goto done;
    }
    p = find_key(hdr, "fortran_order");
    if (p && strncmp(p + strspn(p, " "), "True", 4) == 0) {
        fprintf(stderr, "npy_read: %s: fortran order not supported\n", path);
        goto done;
    }
    p = find_key(hdr, "shape");
    if (!p || !(p = strchr(p, '('))) {
        fprintf(stderr, "npy_read: %s: no shape\n", path);
        goto done;
    }
    p++;
    out->numel = 1;
    while (*p && *p != ')') {
        char *end;
        long long d = strtoll(p, &end, 10);
        if (end == p) {
            p++;
            continue;
        }
        if (out->rank >= 16 || d < 0) {
            fprintf(stderr, "npy_read: %s: bad shape\n", path);
            goto done;
        }
        out->dims[out->rank++] = d;
        out->numel *= (size_t)d;
        p = end;
    }
    const char *d = out->descr;
    if (d[0] != '<' && d[0] != '|') {
        fprintf(stderr, "npy_read: %s: dtype %s not supported (little-endian only)\n", path, d);
        goto done;
    }
    out->elem = (size_t)atoi(d + 2);
    if (out->elem == 0 || !strchr("fiub", d[1])) {
        fprintf(stderr, "npy_read: %s: dtype %s not supported\n", path, d);
        goto done;
    }
    out->data = malloc(out->numel * out->elem + 1);
    if (!out->data || fread(out->data, out->elem, out->numel, f) != out->numel)
        goto trunc;
    rc = 0;
    goto done;
trunc:
    fprintf(stderr, "npy_read: %s: truncated\n", path);
done:
    if (rc != 0) {
        free(out->data);
        out->data = NULL;
    }
    free(hdr);
    fclose(f);
    return rc;
}
