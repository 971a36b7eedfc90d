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
#include <pthread.h>
#include <sys/stat.h>
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


/* Reads a FIFO to its end in a thread (a writer's open blocks until a reader exists). */
typedef struct fifo_reader {
    const char *path;
    char buf[1 << 16];
    size_t n;
    pthread_t t;
} fifo_reader;

static void *read_fifo(void *arg)
{
    fifo_reader *r = arg;
    FILE *f = fopen(r->path, "rb");
    if (f) {
        r->n = fread(r->buf, 1, sizeof r->buf, f);
        fclose(f);
    }
    return NULL;
}

/* An existing non-regular destination (here a FIFO; /dev/null is the everyday case) is
 * written in place, not replaced by a regular file. */
static void test_fifo_written_in_place(void **state)
{
    (void)state;
    static fifo_reader r;
    char path[600];
    snprintf(path, sizeof path, "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    r.path = path;
    r.n = 0;
    assert_int_equal(pthread_create(&r.t, NULL, read_fifo, &r), 0);
    om_compile_out_file o;
    assert_int_equal(om_compile_out_open(&o, path), OM_OK);
    fputs("graph g {}\n", o.f);
    assert_int_equal(om_compile_out_commit(&o), OM_OK);
    pthread_join(r.t, NULL);
    assert_int_equal(r.n, 11);
    assert_memory_equal(r.buf, "graph g {}\n", 11);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(S_ISFIFO(sb.st_mode));
    assert_int_equal(count_entries(), 1);   /* no temporary left */
    remove(path);
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
        cmocka_unit_test(test_fifo_written_in_place),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
