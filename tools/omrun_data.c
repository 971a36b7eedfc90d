/* omrun's data handling (see omrun_data.h). Every file check names the input by number and
 * name, and says what was expected and what was found. */
#include "tools/omrun_data.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tools/npy.h"
#include "tools/tensor_values.h"

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool is_npy(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return true; /* let the .npy reader report the open error */
    unsigned char m[6];
    size_t n = fread(m, 1, 6, f);
    fclose(f);
    return n == 6 && memcmp(m, "\x93NUMPY", 6) == 0;
}

static int load_raw(const omrt_tensor_info *info, size_t index, const char *path, void *buf,
                    char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(err, errlen, "input %zu '%s': %s: cannot open: %s", index, info->name, path,
                    strerror(errno));
    size_t n = info->nbytes ? fread(buf, 1, info->nbytes, f) : 0;
    int extra = fgetc(f);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad)
        return fail(err, errlen, "input %zu '%s': %s: read error", index, info->name, path);
    if (n != info->nbytes || extra != EOF)
        return fail(err, errlen, "input %zu '%s': %s: raw file has %s%zu bytes, the model expects %zu",
                    index, info->name, path, extra != EOF ? "more than " : "", n, info->nbytes);
    return 0;
}

int omrun_load_input(const omrt_tensor_info *info, size_t index, const char *path, void *buf,
                     char *err, size_t errlen)
{
    if (has_suffix(path, ".bin") && !is_npy(path))
        return load_raw(info, index, path, buf, err, errlen);
    om_npy_array a;
    char msg[512];
    if (om_npy_read_file(path, &a, msg, sizeof msg) != 0)
        return fail(err, errlen, "input %zu '%s': %s", index, info->name, msg);
    char have[160], want[160];
    om_tv_format_shape(have, sizeof have, a.rank, a.dims);
    om_tv_format_shape(want, sizeof want, info->rank, info->dims);
    int rc = 0;
    bool same_shape = a.rank == info->rank && memcmp(a.dims, info->dims, sizeof(int64_t) * (size_t)a.rank) == 0;
    bool widened = info->dtype == OM_TV_BF16 && a.dtype == OM_TV_F32; /* numpy has no bf16 */
    if (a.dtype != info->dtype && !widened) {
        rc = fail(err, errlen, "input %zu '%s': %s has dtype %s, the model expects %s%s", index,
                  info->name, path, om_tv_dtype_name(a.dtype), om_tv_dtype_name(info->dtype),
                  info->dtype == OM_TV_BF16 ? " (give float32: numpy has no bf16)" : "");
    } else if (!same_shape) {
        rc = fail(err, errlen, "input %zu '%s': %s has shape %s, the model expects %s", index,
                  info->name, path, have, want);
    } else if (widened) { /* same shape, so as many elements */
        for (size_t i = 0; i < info->nbytes / 2; i++)
            om_tv_set(buf, OM_TV_BF16, i, om_tv_get(a.data, OM_TV_F32, i));
    } else if (a.nbytes != info->nbytes) {
        rc = fail(err, errlen, "input %zu '%s': %s has %zu bytes, the model expects %zu", index,
                  info->name, path, a.nbytes, info->nbytes);
    } else if (a.nbytes) {
        memcpy(buf, a.data, a.nbytes);
    }
    om_npy_free(&a);
    return rc;
}

int omrun_write_output(const omrt_tensor_info *info, const void *data, const char *path, char *err,
                       size_t errlen)
{
    if (info->dtype != OM_TV_BF16)
        return om_npy_write_file(path, info->dtype, info->rank, info->dims, data, info->nbytes, err, errlen);
    size_t n = info->nbytes / 2;
    float *wide = malloc(n ? n * sizeof(float) : 1);
    if (!wide)
        return fail(err, errlen, "%s: out of memory widening a bfloat16 output", path);
    for (size_t i = 0; i < n; i++)
        wide[i] = (float)om_tv_get(data, OM_TV_BF16, i);
    int rc = om_npy_write_file(path, OM_TV_F32, info->rank, info->dims, wide, n * sizeof(float), err, errlen);
    free(wide);
    return rc;
}

/* splitmix64: small, good enough, identical on every platform */
static uint64_t next_u64(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void omrun_fill_random(const omrt_tensor_info *info, size_t index, uint64_t seed, void *buf)
{
    size_t size = om_tv_dtype_size(info->dtype);
    if (!size)
        return;
    size_t n = info->nbytes / size;
    uint64_t s = seed * 0x100000001b3ull + index;
    for (size_t i = 0; i < n; i++) {
        uint64_t r = next_u64(&s);
        double v;
        if (om_tv_dtype_is_float(info->dtype))
            v = (double)(r >> 11) * 0x1.0p-53 * 2.0 - 1.0;
        else if (info->dtype == 9)
            v = (double)(r >> 63);
        else if (info->dtype == 2 || info->dtype == 4 || info->dtype == 12 || info->dtype == 13)
            v = (double)(r % 9);
        else
            v = (double)(r % 9) - 4.0;
        om_tv_set(buf, info->dtype, i, v);
    }
}

void omrun_sanitize_name(const char *name, size_t index, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = name ? name : ""; *p && n + 1 < cap; p++) {
        char c = *p;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
        out[n++] = ok ? c : '_';
    }
    out[n] = '\0';
    if (n == 0 || strcmp(out, ".") == 0 || strcmp(out, "..") == 0 || out[0] == '.')
        snprintf(out, cap, "output_%zu", index);
}

int omrun_make_dirs(const char *dir, char *err, size_t errlen)
{
    size_t n = strlen(dir);
    char *buf = malloc(n + 1);
    if (!buf)
        return fail(err, errlen, "out of memory");
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
            int e = errno;
            fail(err, errlen, "%s: cannot create directory: %s", buf, strerror(e));
            free(buf);
            return -1;
        }
        buf[i] = saved;
    }
    free(buf);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return fail(err, errlen, "%s: not a directory", dir);
    return 0;
}

static void print_value(FILE *out, int32_t dtype, double v)
{
    if (om_tv_dtype_is_float(dtype))
        fprintf(out, "%.6g", v);
    else
        fprintf(out, "%.0f", v);
}

void omrun_print_summary(FILE *out, const char *what, size_t index, const omrt_tensor_info *info,
                         const void *data)
{
    char shape[160];
    om_tv_format_shape(shape, sizeof shape, info->rank, info->dims);
    fprintf(out, "%s %zu: '%s' %s %s (%zu bytes)\n", what, index, info->name,
            om_tv_dtype_name(info->dtype), shape, info->nbytes);
    size_t size = om_tv_dtype_size(info->dtype);
    if (!size) {
        fprintf(out, "  (values of this dtype are not shown)\n");
        return;
    }
    size_t n = info->nbytes / size;
    if (n == 0) {
        fprintf(out, "  (empty)\n");
        return;
    }
    const size_t first = 8;
    fprintf(out, "  values:");
    for (size_t i = 0; i < n && i < first; i++) {
        fputc(' ', out);
        print_value(out, info->dtype, om_tv_get(data, info->dtype, i));
    }
    fprintf(out, "%s\n", n > first ? " ..." : "");
    double lo = INFINITY, hi = -INFINITY, sum = 0;
    size_t nan = 0;
    for (size_t i = 0; i < n; i++) {
        double v = om_tv_get(data, info->dtype, i);
        if (isnan(v)) {
            nan++;
            continue;
        }
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
        sum += v;
    }
    if (nan == n) {
        fprintf(out, "  all %zu values are NaN\n", n);
        return;
    }
    fprintf(out, "  min ");
    print_value(out, info->dtype, lo);
    fprintf(out, "  max ");
    print_value(out, info->dtype, hi);
    fprintf(out, "  mean %.6g", sum / (double)(n - nan));
    if (nan)
        fprintf(out, "  (%zu NaN)", nan);
    fputc('\n', out);
}
