/* A minimal .npy reader for the end-to-end tests (numpy format 1.0/2.0/3.0, little-endian or
 * byte-sized dtypes, C order). libc only. */
#ifndef OM_TESTS_E2E_NPY_READ_H
#define OM_TESTS_E2E_NPY_READ_H

#include <stddef.h>

typedef struct npy {
    char descr[16];        /* numpy dtype string, e.g. "<f4", "|b1" */
    int rank;
    long long dims[16];
    size_t numel, elem;    /* element count, bytes per element */
    unsigned char *data;   /* malloc'd numel * elem bytes; free() it */
} npy;

/* Reads path into *out. Returns 0, or -1 after printing a message naming the file to
 * stderr (on failure out->data is NULL). */
int npy_read(const char *path, npy *out);

#endif
