/* npy_compare: compares two .npy files (numpy format 1.0/2.0/3.0, little-endian, C order).
 *
 *   npy_compare [--rtol R] [--atol A] GOT.npy EXPECTED.npy
 *
 * dtype and shape must be equal. Floats (<f2, <f4, <f8) pass when |got-exp| <= atol + rtol*|exp|
 * or both are NaN; integers and bools (<i1..<i8, <u1..<u8, |b1) must be equal. Prints
 * "ok: N elements, max |diff| D" or the first mismatch (index, got, expected) and exits 1.
 * Exit 2 on a usage or file error. Standalone: libc and libm only.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/e2e/npy_read.h"

static double half_to_double(unsigned h)
{
    int e = (h >> 10) & 31, m = h & 1023;
    double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(m + 1024, e - 25);
    return (h >> 15) ? -v : v;
}

static double fval(const npy *a, size_t i)
{
    if (a->elem == 2)
        return half_to_double((unsigned)a->data[2 * i] | (unsigned)a->data[2 * i + 1] << 8);
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
