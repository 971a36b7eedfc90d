/* npy_compare: compares two .npy files (numpy format 1.0/2.0/3.0, little-endian, C order).
 *
 *   npy_compare [--rtol R] [--atol A] GOT.npy EXPECTED.npy
 *
 * dtype and shape must be equal. Floats (<f4, <f8) pass when |got-exp| <= atol + rtol*|exp|
 * or both are NaN; integers and bools (<i1..<i8, <u1..<u8, |b1) must be equal. Prints
 * "ok: N elements, max |diff| D" or the first mismatch (index, got, expected) and exits 1.
 * Exit 2 on a usage or file error. Standalone: libc and libm only.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct npy {
    char descr[16];
    int rank;
    long long dims[16];
    size_t numel, elem;
    unsigned char *data;
} npy;

/* Finds `'key':` in the header dict and returns a pointer just past the colon. */
static const char *find_key(const char *hdr, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "'%s':", key);
    const char *p = strstr(hdr, pat);
    return p ? p + strlen(pat) : NULL;
}

static int npy_read(const char *path, npy *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "npy_compare: cannot open %s\n", path);
        return -1;
    }
    unsigned char pre[12];
    char *hdr = NULL;
    int rc = -1;
    if (fread(pre, 1, 10, f) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0) {
        fprintf(stderr, "npy_compare: %s: not a .npy file\n", path);
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
        fprintf(stderr, "npy_compare: %s: header too large\n", path);
        goto done;
    }
    hdr = calloc(1, hlen + 1);
    if (!hdr || fread(hdr, 1, hlen, f) != hlen)
        goto trunc;
    const char *p = find_key(hdr, "descr");
    if (!p || sscanf(p, " '%15[^']'", out->descr) != 1) {
        fprintf(stderr, "npy_compare: %s: no descr\n", path);
        goto done;
    }
    p = find_key(hdr, "fortran_order");
    if (p && strncmp(p + strspn(p, " "), "True", 4) == 0) {
        fprintf(stderr, "npy_compare: %s: fortran order not supported\n", path);
        goto done;
    }
    p = find_key(hdr, "shape");
    if (!p || !(p = strchr(p, '('))) {
        fprintf(stderr, "npy_compare: %s: no shape\n", path);
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
            fprintf(stderr, "npy_compare: %s: bad shape\n", path);
            goto done;
        }
        out->dims[out->rank++] = d;
        out->numel *= (size_t)d;
        p = end;
    }
    const char *d = out->descr;
    if (d[0] != '<' && d[0] != '|') {
        fprintf(stderr, "npy_compare: %s: dtype %s not supported (little-endian only)\n", path, d);
        goto done;
    }
    out->elem = (size_t)atoi(d + 2);
    if (out->elem == 0 || !strchr("fiub", d[1])) {
        fprintf(stderr, "npy_compare: %s: dtype %s not supported\n", path, d);
        goto done;
    }
    out->data = malloc(out->numel * out->elem + 1);
    if (!out->data || fread(out->data, out->elem, out->numel, f) != out->numel)
        goto trunc;
    rc = 0;
    goto done;
trunc:
    fprintf(stderr, "npy_compare: %s: truncated\n", path);
done:
    free(hdr);
    fclose(f);
    return rc;
}

static double fval(const npy *a, size_t i)
{
    if (a->elem == 4) {
        float v;
        memcpy(&v, a->data + 4 * i, 4);
        return v;
    }
    double v;
    memcpy(&v, a->data + 8 * i, 8);
    return v;
}

static long long ival(const npy *a, size_t i)
{
    const unsigned char *p = a->data + a->elem * i;
    int is_signed = a->descr[1] == 'i';
    uint64_t u = 0;
    for (size_t b = 0; b < a->elem; b++)
        u |= (uint64_t)p[b] << (8 * b);
    if (is_signed && a->elem < 8 && (u >> (8 * a->elem - 1)) & 1)
        u |= ~0ull << (8 * a->elem);
    return (long long)u;
}

int main(int argc, char **argv)
{
    double rtol = 1e-3, atol = 1e-7;
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-' && argv[i][1] == '-'; i += 2) {
        if (strcmp(argv[i], "--rtol") == 0)
            rtol = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--atol") == 0)
            atol = atof(argv[i + 1]);
        else
            break;
    }
    if (argc - i != 2) {
        fprintf(stderr, "usage: npy_compare [--rtol R] [--atol A] GOT.npy EXPECTED.npy\n");
        return 2;
    }
    npy a, b;
    if (npy_read(argv[i], &a) != 0)
        return 2;
    if (npy_read(argv[i + 1], &b) != 0) {
        free(a.data);
        return 2;
    }
    int rc = 1;
    if (strcmp(a.descr, b.descr) != 0) {
        printf("dtype mismatch: got %s, expected %s\n", a.descr, b.descr);
        goto done;
    }
    if (a.rank != b.rank || memcmp(a.dims, b.dims, sizeof(long long) * (size_t)a.rank) != 0) {
        printf("shape mismatch: got (");
        for (int k = 0; k < a.rank; k++)
            printf("%s%lld", k ? "," : "", a.dims[k]);
        printf("), expected (");
        for (int k = 0; k < b.rank; k++)
            printf("%s%lld", k ? "," : "", b.dims[k]);
        printf(")\n");
        goto done;
    }
    double maxdiff = 0;
    for (size_t k = 0; k < a.numel; k++) {
        if (a.descr[1] == 'f') {
            double x = fval(&a, k), y = fval(&b, k);
            if (x == y || (isnan(x) && isnan(y)))
                continue;
            double dd = fabs(x - y);
            if (!(dd <= atol + rtol * fabs(y))) {
                printf("mismatch at index %zu: got %.9g, expected %.9g (|diff| %.3g)\n", k, x, y, dd);
                goto done;
            }
            if (dd > maxdiff)
                maxdiff = dd;
        } else if (ival(&a, k) != ival(&b, k)) {
            printf("mismatch at index %zu: got %lld, expected %lld\n", k, ival(&a, k), ival(&b, k));
            goto done;
        }
    }
    printf("ok: %zu elements, max |diff| %.3g\n", a.numel, maxdiff);
    rc = 0;
done:
    free(a.data);
    free(b.data);
    return rc;
}
