/* Tests for frontend/op_support.c: the import table lists every IR op plus Constant, Dropout
 * and the frontend-only op types of the rewrite fragments, each handled from opset 1 (legacy
 * forms rewritten), with no duplicates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fe_test_util.h"
bool om_fe_op_type_supported(const char *op_type);   /* frontend/op_support.c */

static int count_of(const om_fe_op_support *ops, size_t n, const char *name)
{
    int c = 0;
    for (size_t i = 0; i < n; i++)
        c += strcmp(ops[i].op_type, name) == 0;
    return c;
}

/* op types that a rewrite maps onto an IR op (Upsample, Scatter, ...) */
static const char *const k_frontend_ops[] = {
#define OM_FE_REWRITE(op, lo, hi, fn)
#define OM_FE_FRONTEND_OP(op) op,
#include "frontend/rewrites/rewrites.def"
#undef OM_FE_REWRITE
#undef OM_FE_FRONTEND_OP
    NULL};

/* op types resolved at import time (onnx_control.c, onnx_sequence.c) and their oldest opset */
static const struct { const char *op; int since; } k_import_ops[] = {
    {"If", 1}, {"Loop", 1}, {"Scan", 8}, {"SequenceConstruct", 11}, {"SequenceEmpty", 11},
    {"SequenceInsert", 11}, {"SequenceErase", 11}, {"SequenceAt", 11}, {"SequenceLength", 11},
    {"ConcatFromSequence", 11}, {"SplitToSequence", 11}, {"Optional", 15}, {"OptionalHasElement", 15},
    {"OptionalGetElement", 15}, {"SequenceMap", 17}};
/* ops of other domains */
static const char *const k_other_domain_ops[] = {"Adagrad", "Momentum", "Adam"};
#define N_OTHER (sizeof k_other_domain_ops / sizeof k_other_domain_ops[0])
#define N_IMPORT_OPS (sizeof k_import_ops / sizeof k_import_ops[0])

static int since_of(const char *op)
{
    for (size_t i = 0; i < N_IMPORT_OPS; i++)
        if (strcmp(k_import_ops[i].op, op) == 0)
            return k_import_ops[i].since;
    return 1;
}

static void test_table_covers_ir_ops(void **state)
{
    size_t n_front = sizeof k_frontend_ops / sizeof k_frontend_ops[0] - 1;
    const om_fe_op_support *ops = NULL;
    size_t n = om_fe_supported_ops(&ops);
    assert_non_null(ops);
    /* every IR op but the pass-made ones of ir/ops/internal.def */
    static const om_op internal[] = {OM_OP_FUSED_ELEMENTWISE, OM_OP_WINOGRAD_CONV};
    size_t n_internal = sizeof internal / sizeof internal[0];
    assert_int_equal(n, (size_t)OM_OP_COUNT - n_internal + 2 + N_IMPORT_OPS + n_front + N_OTHER);
    for (size_t i = 0; i < n_internal; i++) {
        assert_int_equal(count_of(ops, n, om_op_name(internal[i])), 0);
        assert_false(om_fe_op_type_supported(om_op_name(internal[i])));
    }
    for (size_t i = 0; i < N_OTHER; i++) {
        assert_int_equal(count_of(ops, n, k_other_domain_ops[i]), 1);
        assert_false(om_fe_op_type_supported(k_other_domain_ops[i]));   /* not as ai.onnx ops */
    }
    for (size_t i = 0; i < n; i++)
        if (ops[i].domain) {
            assert_string_equal(ops[i].domain, "ai.onnx.preview.training");
            assert_int_equal(ops[i].since_opset_min, 1);
        }
    for (size_t i = 0; i < N_IMPORT_OPS; i++)
        assert_int_equal(count_of(ops, n, k_import_ops[i].op), 1);
    for (size_t i = 0; i < n_front; i++)
        assert_int_equal(count_of(ops, n, k_frontend_ops[i]), 1);
    assert_int_equal(om_fe_supported_ops(NULL), n);
    for (int op = 0; op < OM_OP_COUNT; op++)
        if (op != OM_OP_FUSED_ELEMENTWISE && op != OM_OP_WINOGRAD_CONV)
            assert_int_equal(count_of(ops, n, om_op_name((om_op)op)), 1);
    assert_int_equal(count_of(ops, n, "Constant"), 1);
    assert_int_equal(count_of(ops, n, "Dropout"), 1);
    assert_int_equal(count_of(ops, n, "Foo"), 0);
    for (size_t i = 0; i < n; i++)
        if (!ops[i].domain)
            assert_int_equal(ops[i].since_opset_min, since_of(ops[i].op_type));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_covers_ir_ops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
