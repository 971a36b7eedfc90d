/* Einsum kernel against a plain C reference, on equations in the canonical explicit form
 * the shape rule produces (passes/infer/reduce_ops.c): matmul and batched matmul,
 * transpose, diagonal and batched diagonal (a letter repeated inside a term), trace, full
 * sum, inner and outer products, three operands, size-1 broadcasting, float and int dtypes. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tests/unit/codegen/cg_jit.h"

#define MAXT 4

/* ranks/dims of each operand given by the caller; letter sizes come from the dims */
static void check(om_dtype dt, const char *eq, int n_ops, const int *ranks, const int64_t dims[][OM_MAX_RANK])
{
    om_graph *g = om_graph_create("t");
    om_value *in[MAXT];
    const char *terms[MAXT + 1];
    int tl[MAXT + 1];
    const char *p = eq, *arrow = strstr(eq, "->");
    for (int t = 0; t < n_ops; t++) {
        const char *e = p;
        while (*e != ',' && e != arrow)
            e++;
        terms[t] = p;
        tl[t] = (int)(e - p);
        p = e + 1;
    }
    terms[n_ops] = arrow + 2;
    tl[n_ops] = (int)strlen(arrow + 2);
    int64_t size[128];
    for (int c = 0; c < 128; c++)
        size[c] = 0;
    char name[16];
    for (int t = 0; t < n_ops; t++) {
        snprintf(name, sizeof name, "x%d", t);
        in[t] = cg_input(g, name, dt, ranks[t], dims[t]);
        for (int k = 0; k < tl[t]; k++)
            if (dims[t][k] > size[(int)terms[t][k]])
                size[(int)terms[t][k]] = dims[t][k];
    }
    int64_t od[OM_MAX_RANK];
    for (int k = 0; k < tl[n_ops]; k++)
        od[k] = size[(int)terms[n_ops][k]];
    om_value *y = cg_value(g, "y", dt, tl[n_ops], od);
    om_node *n = om_graph_add_node(g, OM_OP_EINSUM, "ein", in, n_ops, &y, 1);
    assert_int_equal(om_node_set_string(g, n, "equation", eq), OM_OK);
    assert_int_equal(om_graph_add_output(g, y), OM_OK);
    cg_jit *j;
    if (cg_jit_create(g, NULL, &j) != OM_OK)
        fail_msg("Einsum '%s': %s", eq, om_last_error());
    for (int t = 0; t < n_ops; t++)
        cg_fill_random(dt, cg_jit_buf(j, in[t]), om_shape_numel(&in[t]->shape), om_dtype_is_float(dt) ? -2 : -5, 5);
    cg_jit_run_checked(j);
    /* reference: iterate over every assignment of all letters */
    char letters[64];
    int nl = 0;
    for (int c = 0; c < 128; c++)
        if (size[c] > 0)
            letters[nl++] = (char)c;
    int64_t total = 1;
    for (int l = 0; l < nl; l++)
        total *= size[(int)letters[l]];
    int64_t outs = om_shape_numel(&y->shape);
    double *ref = calloc((size_t)(outs > 0 ? outs : 1), sizeof(double));
    assert_non_null(ref);
    int64_t idx[128];
    for (int64_t e = 0; e < total; e++) {
        int64_t rest = e;
        for (int l = nl - 1; l >= 0; l--) {
            idx[(int)letters[l]] = rest % size[(int)letters[l]];
            rest /= size[(int)letters[l]];
        }
        bool diag_ok = true;
        double prod = 1;
        for (int t = 0; t < n_ops && diag_ok; t++) {
            int64_t off = 0;
            for (int k = 0; k < tl[t]; k++) {
                int64_t d = dims[t][k], i = idx[(int)terms[t][k]];
                off = off * d + (d == 1 ? 0 : i);
            }
            prod *= cg_get(dt, cg_jit_buf(j, in[t]), off);
        }
        int64_t o = 0;
        for (int k = 0; k < tl[n_ops]; k++)
            o = o * od[k] + idx[(int)terms[n_ops][k]];
        ref[o] += prod;
    }
    double tol = dt == OM_DT_FLOAT16 ? 1e-2 : 1e-5;
    for (int64_t o = 0; o < outs; o++) {
        double got = cg_get(dt, cg_jit_buf(j, y), o), want = ref[o];
        if (dt == OM_DT_FLOAT16)
            want = cg_f16_to_f32(cg_f32_to_f16((float)want));
        if (!(fabs(got - want) <= tol * fmax(1.0, fabs(want))))
            fail_msg("Einsum '%s' %s: out[%lld] = %g, want %g", eq, om_dtype_name(dt), (long long)o, got, want);
    }
    free(ref);
    cg_jit_destroy(j);
    om_graph_destroy(g);
}

static void test_equations(void **state)
{
    {
        int r[2] = {2, 2};
        int64_t d[2][OM_MAX_RANK] = {{3, 4}, {4, 5}};
        check(OM_DT_FLOAT, "ij,jk->ik", 2, r, d);
    }
    {
        int r[2] = {3, 3};
        int64_t d[2][OM_MAX_RANK] = {{5, 2, 3}, {5, 3, 4}};
        check(OM_DT_DOUBLE, "bij,bjk->bik", 2, r, d);
    }
    {
        int r[1] = {2};
        int64_t d[1][OM_MAX_RANK] = {{3, 4}};
        check(OM_DT_FLOAT, "ij->ji", 1, r, d);
        check(OM_DT_FLOAT, "ij->i", 1, r, d);
        check(OM_DT_FLOAT, "ij->", 1, r, d);
    }
    {
        int r[1] = {3};
        int64_t d[1][OM_MAX_RANK] = {{3, 5, 5}};
        check(OM_DT_DOUBLE, "Aii->Ai", 1, r, d);   /* '...ii->...i' after canonicalization */
        check(OM_DT_FLOAT, "Aii->A", 1, r, d);     /* batched trace */
    }
    {
        int r[2] = {1, 1};
        int64_t d[2][OM_MAX_RANK] = {{5}, {5}};
        check(OM_DT_DOUBLE, "i,i->", 2, r, d);
        int64_t e[2][OM_MAX_RANK] = {{3}, {4}};
        check(OM_DT_FLOAT, "i,j->ij", 2, r, e);
    }
    {
        int r[3] = {2, 2, 2};
        int64_t d[3][OM_MAX_RANK] = {{2, 3}, {3, 4}, {4, 5}};
        check(OM_DT_FLOAT, "ab,bc,cd->ad", 3, r, d);
    }
    {
        int r[2] = {3, 3};
        int64_t d[2][OM_MAX_RANK] = {{2, 1, 3}, {1, 4, 3}};   /* broadcast dims of 1 */
        check(OM_DT_FLOAT, "ABk,ABk->AB", 2, r, d);
    }
}

/* the row path: the output's last letter >= 8 and contiguous in an operand */
static void test_rows(void **state)
{
    int r[2] = {2, 2};
    int64_t d[2][OM_MAX_RANK] = {{5, 7}, {7, 20}}, e[2][OM_MAX_RANK] = {{3, 6}, {6, 300}};
    check(OM_DT_FLOAT, "ij,jk->ik", 2, r, d);
    check(OM_DT_FLOAT, "ij,jk->ik", 2, r, e);   /* blocks of 256 along k, the last partial */
    check(OM_DT_FLOAT16, "ij,jk->ik", 2, r, d);
    check(OM_DT_INT32, "ij,jk->ik", 2, r, d);
    int64_t t[2][OM_MAX_RANK] = {{7, 20}, {5, 7}};
    check(OM_DT_FLOAT, "ji,kj->ki", 2, r, t);    /* i: unit stride in operand 0, absent (0) in 1 */
    int r3[2] = {3, 3};
    int64_t b[2][OM_MAX_RANK] = {{4, 3, 5}, {4, 5, 9}};
    check(OM_DT_DOUBLE, "bij,bjk->bik", 2, r3, b);
    int64_t bb[2][OM_MAX_RANK] = {{1, 3, 5}, {4, 5, 9}};  /* batch broadcast */
    check(OM_DT_FLOAT, "bij,bjk->bik", 2, r3, bb);
}

static void test_dtypes(void **state)
{
    int r[2] = {2, 2};
    int64_t d[2][OM_MAX_RANK] = {{3, 4}, {4, 2}};
    check(OM_DT_FLOAT16, "ij,jk->ik", 2, r, d);
    check(OM_DT_INT32, "ij,jk->ik", 2, r, d);
    check(OM_DT_INT64, "ij,jk->ki", 2, r, d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equations),
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_dtypes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
