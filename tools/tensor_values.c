/* Tensor element helpers for the tools (see tensor_values.h). The half-precision
 * conversions handle subnormals, infinities and NaN and round to nearest even. */
#include "tools/tensor_values.h"

#include <math.h>
#include <string.h>

typedef struct tv_type {
    int32_t dtype;
    const char *name;
    size_t size;
} tv_type;

static const tv_type tv_types[] = {
    {1, "f32", 4},  {2, "u8", 1},   {3, "i8", 1},    {4, "u16", 2},  {5, "i16", 2},
    {6, "i32", 4},  {7, "i64", 8},  {9, "bool", 1},  {10, "f16", 2}, {11, "f64", 8},
    {12, "u32", 4}, {13, "u64", 8}, {16, "bf16", 2},
};

static const tv_type *find(int32_t dtype)
{
    for (size_t i = 0; i < sizeof tv_types / sizeof tv_types[0]; i++)
        if (tv_types[i].dtype == dtype)
            return &tv_types[i];
    return NULL;
}

const char *om_tv_dtype_name(int32_t dtype)
{
    const tv_type *t = find(dtype);
    return t ? t->name : "?";
}

size_t om_tv_dtype_size(int32_t dtype)
{
    const tv_type *t = find(dtype);
    return t ? t->size : 0;
}

int om_tv_dtype_is_float(int32_t dtype)
{
    return dtype == 1 || dtype == 10 || dtype == 11 || dtype == 16;
}

float om_tv_half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: normalize */
            int e = -1;
            do {
                e++;
                man <<= 1;
            } while (!(man & 0x400));
            bits = sign | (uint32_t)(127 - 15 - e) << 23 | (man & 0x3ff) << 13;
        }
    } else if (exp == 0x1f) {
        bits = sign | 0x7f800000u | man << 13;
    } else {
        bits = sign | (exp + 127 - 15) << 23 | man << 13;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t om_tv_float_to_half(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000);
    uint32_t exp = (x >> 23) & 0xff, man = x & 0x7fffff;
    if (exp == 0xff)
        return sign | 0x7c00 | (man ? 0x200 : 0);
    int e = (int)exp - 127 + 15;
    if (e >= 0x1f)
        return sign | 0x7c00;
    if (e <= 0) {
        if (e < -10)
            return sign;
        man |= 0x800000;
        int shift = 14 - e;
        uint32_t half = man >> shift, rem = man & ((1u << shift) - 1), mid = 1u << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1)))
            half++;
        return sign | (uint16_t)half;
    }
    uint32_t half = (uint32_t)e << 10 | man >> 13, rem = man & 0x1fff;
    if (rem > 0x1000 || (rem == 0x1000 && (half & 1)))
        half++; /* may carry into the exponent, up to infinity: correct */
    return sign | (uint16_t)half;
}

static float bf16_to_float(uint16_t b)
{
    uint32_t bits = (uint32_t)b << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static uint16_t float_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffff) > 0x7f800000)
        return (uint16_t)(x >> 16) | 0x40;
    x += 0x7fff + ((x >> 16) & 1);
    return (uint16_t)(x >> 16);
}

double om_tv_get(const void *data, int32_t dtype, size_t i)
{
    const unsigned char *p = (const unsigned char *)data + i * om_tv_dtype_size(dtype);
    switch (dtype) {
    case 1: { float v; memcpy(&v, p, 4); return v; }
    case 2: return *p;
    case 3: return (int8_t)*p;
    case 4: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 5: { int16_t v; memcpy(&v, p, 2); return v; }
    case 6: { int32_t v; memcpy(&v, p, 4); return v; }
    case 7: { int64_t v; memcpy(&v, p, 8); return (double)v; }
    case 9: return *p != 0;
    case 10: { uint16_t v; memcpy(&v, p, 2); return om_tv_half_to_float(v); }
    case 11: { double v; memcpy(&v, p, 8); return v; }
    case 12: { uint32_t v; memcpy(&v, p, 4); return v; }
    case 13: { uint64_t v; memcpy(&v, p, 8); return (double)v; }
    case 16: { uint16_t v; memcpy(&v, p, 2); return bf16_to_float(v); }
    default: return 0;
    }
}

static double clamp_round(double v, double lo, double hi)
{
    if (isnan(v))
        return 0;
    v = nearbyint(v);
    return v < lo ? lo : v > hi ? hi : v;
}

void om_tv_set(void *data, int32_t dtype, size_t i, double v)
{
    unsigned char *p = (unsigned char *)data + i * om_tv_dtype_size(dtype);
    switch (dtype) {
    case 1: { float x = (float)v; memcpy(p, &x, 4); break; }
    case 2: *p = (uint8_t)clamp_round(v, 0, 255); break;
    case 3: *p = (uint8_t)(int8_t)clamp_round(v, -128, 127); break;
    case 4: { uint16_t x = (uint16_t)clamp_round(v, 0, 65535); memcpy(p, &x, 2); break; }
    case 5: { int16_t x = (int16_t)clamp_round(v, -32768, 32767); memcpy(p, &x, 2); break; }
    case 6: { int32_t x = (int32_t)clamp_round(v, -2147483648.0, 2147483647.0); memcpy(p, &x, 4); break; }
    case 7: { int64_t x = (int64_t)clamp_round(v, -9.2e18, 9.2e18); memcpy(p, &x, 8); break; }
    case 9: *p = v != 0; break;
    case 10: { uint16_t x = om_tv_float_to_half((float)v); memcpy(p, &x, 2); break; }
    case 11: memcpy(p, &v, 8); break;
    case 12: { uint32_t x = (uint32_t)clamp_round(v, 0, 4294967295.0); memcpy(p, &x, 4); break; }
    case 13: { uint64_t x = (uint64_t)clamp_round(v, 0, 1.8e19); memcpy(p, &x, 8); break; }
    case 16: { uint16_t x = float_to_bf16((float)v); memcpy(p, &x, 2); break; }
    default: break;
    }
}

void om_tv_format_shape(char *buf, size_t cap, int32_t rank, const int64_t *dims)
{
    size_t n = 0;
    if (cap == 0)
        return;
    buf[0] = '\0';
    n += (size_t)snprintf(buf, cap, "[");
    for (int32_t i = 0; i < rank && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%s%lld", i ? ", " : "", (long long)dims[i]);
    if (n < cap)
        snprintf(buf + n, cap - n, "]");
}
