/* The logic group's kernels against plain C references: Pow (mixed dtypes, negative bases,
 * constant exponents), Mod (both fmod modes, zero divisors), BitShift, Max/Min/Sum/Mean
 * (1..5 inputs, NaN), comparisons, And/Or/Xor/Not and Where, with broadcasting over
 * ranks 0-4 and empty tensors. Integer and bool results must match exactly; float results
 * match the reference within a stated relative error (exactly for the operations that
 * round once: compare, select, min/max, sum). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

#define MAX_IN 5

typedef struct shp { int rank; int64_t d[4]; } shp;

/* reference: element values (as double, read from the inputs) -> result */
typedef double (*ref_fn)(om_op op, const om_node *n, const double *v, int n_in);

typedef struct kcase {
    om_op op;
    int n_in;
    om_dtype in_dt[MAX_IN];
    shp in_shp[MAX_IN];
    om_dtype out_dt;
    double lo[MAX_IN], hi[MAX_IN]; /* random fill ranges */
    double rtol;                   /* float outputs: allowed relative error */
    const char *attr_s;            /* string attribute name/value (BitShift direction) */
    const char *attr_s_val;
    const char *attr_i;            /* int attribute (Mod fmod) */
    int64_t attr_i_val;
    int const_in;                  /* input index made a constant, or -1 */
} kcase;

static int64_t off_of(const shp *s, const int64_t *idx, int r)
{
    int64_t off = 0;
    for (int i = 0; i < s->rank; i++) {
        int oi = i + (r - s->rank);
        off = off * s->d[i] + (s->d[i] == 1 ? 0 : idx[oi]);
    }
    return off;
}

static int64_t numel(const shp *s)
{
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++)
        n *= s->d[i];
    return n;
}

/* Fills inputs (or uses `preset` values when given), runs, compares with ref. */
static void run_case(const kcase *k, ref_fn ref, const double *const *preset)
{
    shp Y = {0, {0}};
    for (int i = 0; i < k->n_in; i++)
        if (k->in_shp[i].rank > Y.rank)
            Y.rank = k->in_shp[i].rank;
    for (int i = 0; i < Y.rank; i++) {
        int64_t d = 1;
        for (int t = 0; t < k->n_in; t++) {
            int j = i - (Y.rank - k->in_shp[t].rank);
            int64_t dt = j >= 0 ? k->in_shp[t].d[j] : 1;
            if (dt != 1)
                d = dt;
        }
        Y.d[i] = d;
    }
    om_graph *g = om_graph_create("t");
    om_value *ins[MAX_IN];
    void *cdata[MAX_IN] = {0};
    for (int i = 0; i < k->n_in; i++) {
        char name[8] = {'x', (char)('0' + i), 0};
        int64_t ne = numel(&k->in_shp[i]);
        if (i == k->const_in) {
            size_t bytes = (size_t)ne * om_dtype_size(k->in_dt[i]);
            cdata[i] = calloc(1, bytes + 8);
            for (int64_t e = 0; e < ne; e++)
                cg_set(k->in_dt[i], cdata[i], e, preset && preset[i] ? preset[i][e] : k->lo[i]);
            om_shape s = om_shape_make(k->in_shp[i].rank, k->in_shp[i].d);
            ins[i] = om_graph_add_constant(g, name, k->in_dt[i], &s, cdata[i], bytes);
        } else {
            ins[i] = cg_input(g, name, k->in_dt[i], k->in_shp[i].rank, k->in_shp[i].d);
        }
        assert_non_null(ins[i]);
    }
    om_value *y = cg_value(g, "y", k->out_dt, Y.rank, Y.d);
    om_node *n = om_graph_add_node(g, k->op, "n", ins, k->n_in, &y, 1);
    assert_non_null(n);
    if (k->attr_s)
        assert_int_equal(om_node_set_string(g, n, k->attr_s, k->attr_s_val), OM_OK);
    if (k->attr_i)
        assert_int_equal(om_node_set_int(g, n, k->attr_i, k->attr_i_val), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("%s: %s", om_op_name(k->op), om_last_error());
    for (int i = 0; i < k->n_in; i++) {
        if (i == k->const_in)
            continue;
        int64_t ne = numel(&k->in_shp[i]);
        if (preset && preset[i])
            for (int64_t e = 0; e < ne; e++)
                cg_set(k->in_dt[i], cg_jit_buf(j, ins[i]), e, preset[i][e]);
        else
            cg_fill_random(k->in_dt[i], cg_jit_buf(j, ins[i]), ne, k->lo[i], k->hi[i]);
    }
    cg_jit_run_checked(j);
    int64_t idx[4] = {0}, ny = numel(&Y);
    for (int64_t e = 0; e < ny; e++) {
        int64_t rem = e;
        for (int i = Y.rank - 1; i >= 0; i--) {
            idx[i] = rem % Y.d[i];
            rem /= Y.d[i];
        }
        double v[MAX_IN];
        for (int i = 0; i < k->n_in; i++)
            v[i] = cg_get(k->in_dt[i], cg_jit_buf(j, ins[i]), off_of(&k->in_shp[i], idx, Y.rank));
        unsigned char tmp[8];
        double r = ref(k->op, n, v, k->n_in);
        double want = r, got = cg_get(k->out_dt, cg_jit_buf(j, y), e);
        if (!om_dtype_is_float(k->out_dt)) {
            want = r; /* integer refs are already wrapped */
        } else {
            cg_set(k->out_dt, tmp, 0, r);
            want = cg_get(k->out_dt, tmp, 0);
        }
        bool ok = want == got || (want != want && got != got);
        if (!ok && om_dtype_is_float(k->out_dt) && isfinite(want))
            ok = fabs(got - want) <= k->rtol * fabs(want) + 1e-30;
        if (!ok)
            fail_msg("%s %s elem %lld: inputs %g, %g, %g -> %.9g, want %.9g", om_op_name(k->op),
                     om_dtype_name(k->in_dt[0]), (long long)e, v[0], k->n_in > 1 ? v[1] : 0,
                     k->n_in > 2 ? v[2] : 0, got, want);
    }
    cg_jit_destroy(j);
    om_graph_destroy(g);
    for (int i = 0; i < k->n_in; i++)
        free(cdata[i]);
}

static const shp k_pairs[][2] = {
    {{0, {0}}, {0, {0}}},
    {{1, {7}}, {1, {7}}},
    {{3, {2, 3, 4}}, {0, {0}}},
    {{3, {2, 3, 4}}, {1, {4}}},
    {{3, {2, 1, 4}}, {3, {1, 3, 1}}},
    {{4, {4, 1, 3, 5}}, {4, {4, 2, 1, 5}}},
    {{2, {0, 3}}, {1, {3}}},
    {{2, {33, 17}}, {2, {33, 1}}},
};
#define N_PAIRS (sizeof k_pairs / sizeof k_pairs[0])
/* every shape pair for the first dtype of a sweep, these three for the others */
static const int k_few[] = {1, 4, 6};
#define PAIRS_FOR(first) ((first) ? (int)N_PAIRS : 3)
#define PAIR(first, s) ((first) ? (int)(s) : k_few[s])

/* wraps an int64 result into dtype dt and reads it back */
static double wrap(om_dtype dt, int64_t v)
{
    unsigned char tmp[8];
    cg_set(dt, tmp, 0, (double)v);
    if (dt == OM_DT_UINT64) {
        uint64_t u = (uint64_t)v;
        return (double)u;
    }
    return cg_get(dt, tmp, 0);
}

/* ---- comparisons, logic, where -------------------------------------------------------- */

static double ref_cmp(om_op op, const om_node *n, const double *v, int n_in)
{
    (void)n, (void)n_in;
    switch (op) {
    case OM_OP_EQUAL: return v[0] == v[1];
    case OM_OP_GREATER: return v[0] > v[1];
    case OM_OP_LESS: return v[0] < v[1];
    case OM_OP_GREATER_OR_EQUAL: return v[0] >= v[1];
    case OM_OP_LESS_OR_EQUAL: return v[0] <= v[1];
    case OM_OP_AND: return (v[0] != 0) && (v[1] != 0);
    case OM_OP_OR: return (v[0] != 0) || (v[1] != 0);
    case OM_OP_XOR: return (v[0] != 0) != (v[1] != 0);
    case OM_OP_NOT: return v[0] == 0;
    default: return v[0] != 0 ? v[1] : v[2]; /* WHERE */
    }
}

static void test_compare(void **state)
{
    (void)state;
    static const om_op ops[] = {OM_OP_EQUAL, OM_OP_GREATER, OM_OP_LESS, OM_OP_GREATER_OR_EQUAL,
                                OM_OP_LESS_OR_EQUAL};
    static const om_dtype dts[] = {OM_DT_FLOAT, OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16, OM_DT_INT8,
                                   OM_DT_INT32, OM_DT_INT64, OM_DT_UINT8, OM_DT_UINT64, OM_DT_BOOL};
    for (size_t o = 0; o < 5; o++)
        for (size_t d = 0; d < sizeof dts / sizeof dts[0]; d++)
            for (int s = 0; s < PAIRS_FOR(d == 0); s++) {
                bool uns = om_dtype_is_unsigned_int(dts[d]) || dts[d] == OM_DT_BOOL;
                double hi = dts[d] == OM_DT_BOOL ? 1 : 4;
                int p = PAIR(d == 0, s);
                /* small ranges so that equal values occur */
                kcase k = {ops[o], 2, {dts[d], dts[d]}, {k_pairs[p][0], k_pairs[p][1]}, OM_DT_BOOL,
                           {uns ? 0 : -4, uns ? 0 : -4}, {hi, hi}, 0, NULL, NULL, NULL, 0, -1};
                run_case(&k, ref_cmp, NULL);
            }
}

static void test_compare_nan(void **state)
{
    (void)state;
    static const om_op ops[] = {OM_OP_EQUAL, OM_OP_GREATER, OM_OP_LESS, OM_OP_GREATER_OR_EQUAL,
                                OM_OP_LESS_OR_EQUAL};
    const double a[4] = {NAN, 1, NAN, INFINITY}, b[4] = {1, NAN, NAN, INFINITY};
    const double *pre[2] = {a, b};
    for (size_t o = 0; o < 5; o++) {
        kcase k = {ops[o], 2, {OM_DT_FLOAT, OM_DT_FLOAT}, {{1, {4}}, {1, {4}}}, OM_DT_BOOL,
                   {0}, {0}, 0, NULL, NULL, NULL, 0, -1};
        run_case(&k, ref_cmp, pre);
    }
}

static void test_logic_ops(void **state)
{
    (void)state;
    static const om_op ops[] = {OM_OP_AND, OM_OP_OR, OM_OP_XOR};
    for (size_t o = 0; o < 3; o++)
        for (size_t s = 0; s < N_PAIRS; s++) {
            kcase k = {ops[o], 2, {OM_DT_BOOL, OM_DT_BOOL}, {k_pairs[s][0], k_pairs[s][1]}, OM_DT_BOOL,
                       {0, 0}, {1, 1}, 0, NULL, NULL, NULL, 0, -1};
            run_case(&k, ref_cmp, NULL);
        }
    /* bytes other than 0/1 still mean true; output is 0/1 */
    const double a[4] = {2, 0, 255, 1}, b[4] = {1, 0, 2, 0};
    const double *pre[2] = {a, b};
    for (size_t o = 0; o < 3; o++) {
        kcase k = {ops[o], 2, {OM_DT_BOOL, OM_DT_BOOL}, {{1, {4}}, {1, {4}}}, OM_DT_BOOL,
                   {0}, {0}, 0, NULL, NULL, NULL, 0, -1};
        run_case(&k, ref_cmp, pre);
    }
    shp shapes[] = {{0, {0}}, {1, {9}}, {4, {3, 4, 5, 6}}, {2, {0, 2}}};
    for (size_t s = 0; s < 4; s++) {
        kcase k = {OM_OP_NOT, 1, {OM_DT_BOOL}, {shapes[s]}, OM_DT_BOOL, {0}, {1}, 0, NULL, NULL, NULL, 0, -1};
        run_case(&k, ref_cmp, NULL);
    }
}

static void test_where(void **state)
{
    (void)state;
    static const om_dtype dts[] = {OM_DT_FLOAT, OM_DT_FLOAT16, OM_DT_INT64, OM_DT_BOOL, OM_DT_UINT8,
                                   OM_DT_DOUBLE, OM_DT_INT32};
    static const shp tri[][3] = {
        {{2, {2, 2}}, {2, {2, 2}}, {2, {2, 2}}},
        {{3, {2, 1, 4}}, {2, {3, 1}}, {1, {4}}},
        {{0, {0}}, {3, {2, 3, 4}}, {0, {0}}},
        {{1, {5}}, {0, {0}}, {2, {3, 1}}},
        {{2, {0, 3}}, {1, {3}}, {1, {1}}},
        {{2, {40, 1}}, {2, {1, 40}}, {2, {40, 40}}},
    };
    for (size_t d = 0; d < sizeof dts / sizeof dts[0]; d++)
        for (size_t s = 0; s < sizeof tri / sizeof tri[0]; s++) {
            double hi = dts[d] == OM_DT_BOOL ? 1 : 100;
            kcase k = {OM_OP_WHERE, 3, {OM_DT_BOOL, dts[d], dts[d]}, {tri[s][0], tri[s][1], tri[s][2]}, dts[d],
                       {0, 0, 0}, {1, hi, hi}, 0, NULL, NULL, NULL, 0, -1};
            run_case(&k, ref_cmp, NULL);
        }
}

/* ---- variadic ------------------------------------------------------------------------ */

static double ref_var(om_op op, const om_node *n, const double *v, int n_in)
{
    om_dtype dt = n->outputs[0]->dtype;
    double acc = v[0];
    bool nan = v[0] != v[0];
    for (int i = 1; i < n_in; i++) {
        nan |= v[i] != v[i];
        if (op == OM_OP_MAX)
            acc = v[i] > acc ? v[i] : acc;
        else if (op == OM_OP_MIN)
            acc = v[i] < acc ? v[i] : acc;
        else if (dt == OM_DT_DOUBLE || !om_dtype_is_float(dt))
            acc += v[i];
        else
            acc = (float)acc + (float)v[i]; /* f32 accumulation, in the kernel's order */
    }
    if ((op == OM_OP_MAX || op == OM_OP_MIN) && nan)
        return NAN;
    if (!om_dtype_is_float(dt)) {
        int64_t s = (int64_t)acc;
        if (op == OM_OP_MEAN)
            s /= n_in;
        return wrap(dt, s);
    }
    return op == OM_OP_MEAN ? acc / n_in : acc;
}

static void test_variadic(void **state)
{
    (void)state;
    static const om_op ops[] = {OM_OP_MAX, OM_OP_MIN, OM_OP_SUM, OM_OP_MEAN};
    static const om_dtype dts[] = {OM_DT_FLOAT, OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16, OM_DT_INT32,
                                   OM_DT_UINT8, OM_DT_INT64, OM_DT_UINT64, OM_DT_INT8};
    static const shp sh[][MAX_IN] = {
        {{1, {3}}, {1, {3}}, {1, {3}}, {1, {3}}, {1, {3}}},
        {{3, {2, 3, 4}}, {1, {4}}, {0, {0}}, {2, {3, 1}}, {3, {2, 1, 1}}},
        {{2, {0, 4}}, {1, {4}}, {1, {1}}, {2, {1, 4}}, {0, {0}}},
        {{2, {31, 9}}, {2, {31, 9}}, {2, {31, 1}}, {1, {9}}, {2, {31, 9}}},
    };
    static const int counts[] = {1, 2, 3, 5};
    for (size_t o = 0; o < 4; o++)
        for (size_t d = 0; d < sizeof dts / sizeof dts[0]; d++)
            for (size_t s = 0; s < sizeof sh / sizeof sh[0]; s++)
                for (size_t c = 0; c < 4; c++) {
                    /* every shape and count for f32; the other dtypes on 3 inputs */
                    if (d > 0 && (s != 1 || counts[c] != 3))
                        continue;
                    bool uns = om_dtype_is_unsigned_int(dts[d]);
                    kcase k = {ops[o], counts[c], {0}, {{0}}, dts[d], {0}, {0}, 0, NULL, NULL, NULL, 0, -1};
                    for (int i = 0; i < counts[c]; i++) {
                        k.in_dt[i] = dts[d];
                        k.in_shp[i] = sh[s][i];
                        k.lo[i] = uns ? 0 : -20;
                        k.hi[i] = 20;
                    }
                    /* f16 sums round each step in f32 and once at the end */
                    k.rtol = dts[d] == OM_DT_FLOAT16 ? 1e-3 : dts[d] == OM_DT_BFLOAT16 ? 8e-3 : 1e-6;
                    run_case(&k, ref_var, NULL);
                }
}

static void test_max_min_nan(void **state)
{
    (void)state;
    const double a[4] = {NAN, 1, 2, -INFINITY}, b[4] = {1, NAN, 3, -1}, c[4] = {0, 0, NAN, -5};
    const double *pre[3] = {a, b, c};
    static const om_op ops[] = {OM_OP_MAX, OM_OP_MIN};
    for (size_t o = 0; o < 2; o++) {
        kcase k = {ops[o], 3, {OM_DT_FLOAT, OM_DT_FLOAT, OM_DT_FLOAT}, {{1, {4}}, {1, {4}}, {1, {4}}}, OM_DT_FLOAT,
                   {0}, {0}, 0, NULL, NULL, NULL, 0, -1};
        run_case(&k, ref_var, pre);
    }
}

/* ---- Mod, BitShift --------------------------------------------------------------------- */

static double ref_mod(om_op op, const om_node *n, const double *v, int n_in)
{
    (void)op, (void)n_in;
    om_dtype dt = n->outputs[0]->dtype;
    if (om_dtype_is_float(dt))
        return fmod(v[0], v[1]);
    bool c_fmod = om_node_int(n, "fmod", 0) != 0;
    if (om_dtype_is_unsigned_int(dt)) {
        uint64_t a = (uint64_t)v[0], b = (uint64_t)v[1];
        return b == 0 ? 0 : (double)(a % b);
    }
    int64_t a = (int64_t)v[0], b = (int64_t)v[1];
    if (b == 0 || b == -1)
        return 0;
    int64_t r = a % b;
    if (!c_fmod && r != 0 && ((r < 0) != (b < 0)))
        r += b;
    return (double)r;
}

static void test_mod(void **state)
{
    (void)state;
    static const om_dtype ints[] = {OM_DT_INT8, OM_DT_INT16, OM_DT_INT32, OM_DT_INT64,
                                    OM_DT_UINT8, OM_DT_UINT16, OM_DT_UINT32, OM_DT_UINT64};
    for (int f = 0; f < 2; f++)
        for (size_t d = 0; d < 8; d++)
            for (int s = 0; s < PAIRS_FOR(d == 0); s++) {
                bool uns = om_dtype_is_unsigned_int(ints[d]);
                int p = PAIR(d == 0, s);
                kcase k = {OM_OP_MOD, 2, {ints[d], ints[d]}, {k_pairs[p][0], k_pairs[p][1]}, ints[d],
                           {uns ? 0 : -100, uns ? 0 : -9}, {100, 9}, 0, NULL, NULL, "fmod", f, -1};
                run_case(&k, ref_mod, NULL);
            }
    /* the suite's mixed-sign values, INT_MIN % -1, zero divisors */
    const double a[8] = {-4, 7, 5, 4, -7, 8, -128, 3}, b[8] = {2, -3, 8, -2, 3, 5, -1, 0};
    const double *pre[2] = {a, b};
    for (int f = 0; f < 2; f++) {
        kcase k = {OM_OP_MOD, 2, {OM_DT_INT8, OM_DT_INT8}, {{1, {8}}, {1, {8}}}, OM_DT_INT8,
                   {0}, {0}, 0, NULL, NULL, "fmod", f, -1};
        run_case(&k, ref_mod, pre);
    }
    static const om_dtype fl[] = {OM_DT_FLOAT, OM_DT_DOUBLE, OM_DT_FLOAT16};
    for (size_t d = 0; d < 3; d++)
        for (int s = 0; s < PAIRS_FOR(d == 0); s++) {
            int p = PAIR(d == 0, s);
            kcase k = {OM_OP_MOD, 2, {fl[d], fl[d]}, {k_pairs[p][0], k_pairs[p][1]}, fl[d],
                       {-50, -7}, {50, 7}, 1e-6, NULL, NULL, "fmod", 1, -1};
            run_case(&k, ref_mod, NULL);
        }
    const double fa[6] = {-4.3, 7.2, 5.0, 4.3, -7.2, 8.0}, fb[6] = {2.1, -3.4, 8.0, -2.1, 3.4, 5.0};
    const double *fpre[2] = {fa, fb};
    kcase k = {OM_OP_MOD, 2, {OM_DT_FLOAT, OM_DT_FLOAT}, {{1, {6}}, {1, {6}}}, OM_DT_FLOAT,
               {0}, {0}, 1e-6, NULL, NULL, "fmod", 1, -1};
    run_case(&k, ref_mod, fpre);
    /* fmod special values: x % 0 and inf % y are NaN, x % inf is x */
    const double sa[4] = {3, INFINITY, 2.5, -2.5}, sb[4] = {0, 2, INFINITY, -INFINITY};
    const double *spre[2] = {sa, sb};
    k.in_shp[0].d[0] = k.in_shp[1].d[0] = 4;
    run_case(&k, ref_mod, spre);
}

static double ref_shift(om_op op, const om_node *n, const double *v, int n_in)
{
    (void)op, (void)n_in;
    om_dtype dt = n->outputs[0]->dtype;
    unsigned bits = (unsigned)om_dtype_size(dt) * 8;
    uint64_t a = (uint64_t)v[0], s = (uint64_t)v[1];
    if (s >= bits)
        return 0;
    bool left = strcmp(om_node_string(n, "direction", ""), "LEFT") == 0;
    uint64_t r = left ? a << s : a >> s;
    if (bits < 64)
        r &= (1ull << bits) - 1;
    return (double)r;
}

static void test_bitshift(void **state)
{
    (void)state;
    static const om_dtype dts[] = {OM_DT_UINT8, OM_DT_UINT16, OM_DT_UINT32, OM_DT_UINT64};
    for (int l = 0; l < 2; l++)
        for (size_t d = 0; d < 4; d++)
            for (int s = 0; s < PAIRS_FOR(d == 0); s++) {
                double bits = (double)om_dtype_size(dts[d]) * 8;
                int p = PAIR(d == 0, s);
                kcase k = {OM_OP_BIT_SHIFT, 2, {dts[d], dts[d]}, {k_pairs[p][0], k_pairs[p][1]}, dts[d],
                           {0, 0}, {200, bits + 3}, 0, "direction", l ? "LEFT" : "RIGHT", NULL, 0, -1};
                run_case(&k, ref_shift, NULL);
            }
}

/* ---- Pow ----------------------------------------------------------------------------- */

static double ref_pow(om_op op, const om_node *n, const double *v, int n_in)
{
    (void)op, (void)n_in;
    om_dtype dt = n->outputs[0]->dtype;
    double r = pow(v[0], v[1]);
    if (om_dtype_is_float(dt))
        return r;
    if (v[1] == floor(v[1]) && fabs(v[1]) < 2147483648.0) {
        /* exact integer power with wrap-around */
        if (v[1] < 0) {
            int64_t x = (int64_t)v[0];
            return x == 1 ? 1 : x == -1 ? (((int64_t)v[1]) % 2 ? -1 : 1) : 0;
        }
        uint64_t acc = 1, base = (uint64_t)(int64_t)v[0];
        for (int64_t e = (int64_t)v[1]; e; e >>= 1) {
            if (e & 1)
                acc *= base;
            base *= base;
        }
        return wrap(dt, (int64_t)acc);
    }
    return wrap(dt, (int64_t)r);
}

static void test_pow_types(void **state)
{
    (void)state;
    static const om_dtype xs[] = {OM_DT_FLOAT, OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_INT32, OM_DT_INT64, OM_DT_UINT8};
    static const om_dtype ys[] = {OM_DT_FLOAT, OM_DT_INT32, OM_DT_INT64, OM_DT_UINT32, OM_DT_UINT64, OM_DT_DOUBLE};
    for (size_t a = 0; a < 6; a++)
        for (size_t b = 0; b < 6; b++)
            for (int s = 0; s < PAIRS_FOR(a == 0 && b == 0); s++) {
                int p = PAIR(a == 0 && b == 0, s);
                bool xi = !om_dtype_is_float(xs[a]), yi = !om_dtype_is_float(ys[b]);
                bool yu = om_dtype_is_unsigned_int(ys[b]), xu = om_dtype_is_unsigned_int(xs[a]);
                /* integer exponents are exact: random signs; float exponents in a
                 * range where f32 exp/log is accurate */
                kcase k = {OM_OP_POW, 2, {xs[a], ys[b]}, {k_pairs[p][0], k_pairs[p][1]}, xs[a],
                           {xu ? 0 : -6, yu ? 0 : (yi ? -4 : -3)}, {6, yi ? 5 : 3},
                           xs[a] == OM_DT_FLOAT16 ? 2e-3 : 2e-5, NULL, NULL, NULL, 0, -1};
                if (xi && !yi)
                    k.lo[0] = 1; /* int base with fractional exponent: finite results */
                run_case(&k, ref_pow, NULL);
            }
}

static void test_pow_special(void **state)
{
    (void)state;
    /* negative bases with integer-valued float exponents keep their sign; non-integer
     * exponents of negative bases are NaN; C pow's special cases */
    const double x[12] = {-2, -2, -3, -0.5, -2, 0, 0, 1, -1, 2, NAN, 1e-30};
    const double y[12] = {3, 2, -3, 5, 0.5, 2, -1, NAN, INFINITY, 0, 0, 0.5};
    const double *pre[2] = {x, y};
    kcase k = {OM_OP_POW, 2, {OM_DT_FLOAT, OM_DT_FLOAT}, {{1, {12}}, {1, {12}}}, OM_DT_FLOAT,
               {0}, {0}, 2e-6, NULL, NULL, NULL, 0, -1};
    run_case(&k, ref_pow, pre);
    /* constant exponents are specialized (square, sqrt, reciprocal chains) */
    static const double cs[] = {2, 0.5, 3, -2, 1, 0, 1.7, 11, -0.5};
    for (size_t c = 0; c < sizeof cs / sizeof cs[0]; c++) {
        double cv[3] = {cs[c], cs[c], cs[c]};
        const double *cpre[2] = {NULL, cv};
        kcase kc = {OM_OP_POW, 2, {OM_DT_FLOAT, OM_DT_FLOAT}, {{2, {5, 3}}, {1, {3}}}, OM_DT_FLOAT,
                    {0.1, 0}, {4, 0}, 2e-6, NULL, NULL, NULL, 0, 1};
        run_case(&kc, ref_pow, cpre);
        kc.in_dt[0] = kc.out_dt = OM_DT_DOUBLE;
        kc.lo[0] = -4; /* integer constants on negative bases */
        if (cs[c] == floor(cs[c]))
            run_case(&kc, ref_pow, cpre);
    }
}

/* ---- no libcalls on any target ------------------------------------------------------- */

static om_value *node1(om_graph *g, om_op op, om_value *const *ins, int n_in, om_dtype dt, int64_t *d)
{
    static int id;
    char name[32];
    snprintf(name, sizeof name, "v%d", id++);
    om_value *y = cg_value(g, name, dt, 2, d);
    om_node *n = om_graph_add_node(g, op, name, ins, n_in, &y, 1);
    assert_non_null(n);
    if (op == OM_OP_MOD)
        assert_int_equal(om_node_set_int(g, n, "fmod", om_dtype_is_float(dt)), OM_OK);
    if (op == OM_OP_BIT_SHIFT)
        assert_int_equal(om_node_set_string(g, n, "direction", "LEFT"), OM_OK);
    if (op == OM_OP_CAST)
        assert_int_equal(om_node_set_int(g, n, "to", dt), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    return y;
}

/* every kernel of this group (and Add/Div of the binary family) in every dtype family, incl.
 * Pow's constant-exponent forms */
static om_graph *all_logic_graph(void)
{
    static const om_dtype dts[] = {OM_DT_FLOAT, OM_DT_DOUBLE, OM_DT_FLOAT16, OM_DT_BFLOAT16, OM_DT_INT8,
                                   OM_DT_INT32, OM_DT_INT64, OM_DT_UINT8, OM_DT_UINT64, OM_DT_BOOL};
    om_graph *g = om_graph_create("logic");
    int64_t d[2] = {4, 37}, d1[1] = {37};
    om_value *b = cg_input(g, "b", OM_DT_BOOL, 2, d), *fy = cg_input(g, "fy", OM_DT_FLOAT, 1, d1);
    om_value *iy = cg_input(g, "iy", OM_DT_INT64, 1, d1);
    float half[37], p25[37];
    for (int i = 0; i < 37; i++)
        half[i] = 0.5f, p25[i] = 2.5f;
    om_shape s1 = om_shape_make(1, d1);
    om_value *c05 = om_graph_add_constant(g, "c05", OM_DT_FLOAT, &s1, half, sizeof half);
    om_value *c25 = om_graph_add_constant(g, "c25", OM_DT_FLOAT, &s1, p25, sizeof p25);
    for (size_t t = 0; t < sizeof dts / sizeof dts[0]; t++) {
        om_dtype dt = dts[t];
        char name[16];
        snprintf(name, sizeof name, "x%zu", t);
        om_value *x = cg_input(g, name, dt, 2, d);
        om_value *xx[3] = {x, x, x};
        for (size_t c = 0; c < sizeof dts / sizeof dts[0]; c++)
            node1(g, OM_OP_CAST, &x, 1, dts[c], d);
        node1(g, OM_OP_EQUAL, xx, 2, OM_DT_BOOL, d);
        node1(g, OM_OP_LESS_OR_EQUAL, xx, 2, OM_DT_BOOL, d);
        om_value *w[3] = {b, x, x};
        node1(g, OM_OP_WHERE, w, 3, dt, d);
        if (dt == OM_DT_BOOL)
            continue;
        node1(g, OM_OP_MAX, xx, 3, dt, d);
        node1(g, OM_OP_MEAN, xx, 3, dt, d);
        node1(g, OM_OP_ADD, xx, 2, dt, d); /* the binary family shares the broadcast loop */
        node1(g, OM_OP_DIV, xx, 2, dt, d);
        node1(g, OM_OP_MOD, xx, 2, dt, d);
        om_value *pf[2] = {x, fy}, *pi[2] = {x, iy}, *pc[2] = {x, c05}, *pd[2] = {x, c25};
        node1(g, OM_OP_POW, pf, 2, dt, d);
        node1(g, OM_OP_POW, pi, 2, dt, d);
        node1(g, OM_OP_POW, pc, 2, dt, d);
        node1(g, OM_OP_POW, pd, 2, dt, d);
        if (om_dtype_is_unsigned_int(dt))
            node1(g, OM_OP_BIT_SHIFT, xx, 2, dt, d);
    }
    om_value *bb[2] = {b, b};
    node1(g, OM_OP_XOR, bb, 2, OM_DT_BOOL, d);
    node1(g, OM_OP_NOT, bb, 1, OM_DT_BOOL, d);
    return g;
}

static void test_no_libcalls(void **state)
{
    (void)state;
    for (size_t t = 0; t < 3; t++) {
        om_graph *g = all_logic_graph();
        cg_jit_assert_no_libcalls(g, &cg_no_libcall_targets[t], "logic");
        om_graph_destroy(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compare),    cmocka_unit_test(test_compare_nan), cmocka_unit_test(test_logic_ops),
        cmocka_unit_test(test_where),      cmocka_unit_test(test_variadic),    cmocka_unit_test(test_max_min_nan),
        cmocka_unit_test(test_mod),        cmocka_unit_test(test_bitshift),    cmocka_unit_test(test_pow_types),
        cmocka_unit_test(test_pow_special),  cmocka_unit_test(test_no_libcalls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
