/* compiler/out_file.c: atomic text outputs. A committed file appears whole; an aborted
 * one leaves nothing (no destination, no temporary); an unwritable place is an error that
 * names the path and leaves nothing. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "compiler/compile.h"

static char dir[] = "/tmp/om_out_test_XXXXXX";

static int count_entries(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void test_commit_and_abort(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/out.ir", dir);
    om_compile_out_file o;
    assert_int_equal(om_compile_out_open(&o, path), OM_OK);
    fputs("graph g {}\n", o.f);
    assert_int_equal(access(path, F_OK), -1);   /* not there before commit */
    assert_int_equal(count_entries(), 1);       /* only the temporary */
    assert_int_equal(om_compile_out_commit(&o), OM_OK);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char buf[64] = "";
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "graph g {}\n");
    assert_int_equal(count_entries(), 1);

    /* abort: the old file stays as it was, the temporary goes */
    assert_int_equal(om_compile_out_open(&o, path), OM_OK);
    fputs("partial", o.f);
    om_compile_out_abort(&o);
    om_compile_out_abort(&o);                   /* twice is harmless */
    assert_int_equal(count_entries(), 1);
    f = fopen(path, "r");
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "graph g {}\n");
    remove(path);
}

static void test_unwritable(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/no/such/dir/out.ir", dir);
    om_compile_out_file o;
    assert_int_equal(om_compile_out_open(&o, path), OM_ERR_IO);
    assert_non_null(strstr(om_last_error(), "out.ir"));
    assert_null(o.f);
    assert_int_equal(count_entries(), 0);
}

static void test_stdout(void **state)
{
    (void)state;
    om_compile_out_file o;
    assert_int_equal(om_compile_out_open(&o, "-"), OM_OK);
    assert_ptr_equal(o.f, stdout);
    assert_int_equal(om_compile_out_commit(&o), OM_OK);
    assert_int_equal(om_compile_out_open(&o, NULL), OM_OK);
    assert_ptr_equal(o.f, stdout);
    om_compile_out_abort(&o);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_and_abort),
        cmocka_unit_test(test_unwritable),
        cmocka_unit_test(test_stdout),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
