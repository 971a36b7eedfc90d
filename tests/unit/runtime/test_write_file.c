/* om_art_write_file: writes exactly om_art_serialize's bytes, replaces an existing file, and
 * on failure leaves neither the target nor a temporary behind.
 * A full disk is simulated with RLIMIT_FSIZE (write(2) fails with EFBIG part-way through
 * the file, as it would with ENOSPC; a real ENOSPC needs a tiny tmpfs, which the tests
 * cannot mount). Permission-denied folders are only tested when not root (root may write
 * anywhere). */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/unit/runtime/rt_test_util.h"

static char dir[256]; /* a fresh folder per test */

static int setup(void **state)
{
    snprintf(dir, sizeof dir, "/tmp/om_rt_write_XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static int teardown(void **state)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_writes_serialized_bytes(void **state)
{
    rt_test_model t;
    rt_test_model_init(&t, 33);
    char path[300], err[256] = "";
    snprintf(path, sizeof path, "%s/model.om", dir);
    assert_int_equal(om_art_write_file(&t.m, path, err, sizeof err), 0);
    size_t want_size, got_size;
    uint8_t *want = rt_serialize(&t.m, &want_size);
    uint8_t *got = rt_read_file(path, &got_size);
    assert_int_equal(got_size, want_size);
    assert_memory_equal(got, want, want_size);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_mode & S_IRUSR);
    assert_false(sb.st_mode & S_IXUSR);
    assert_int_equal(count_entries(dir), 1); /* no temporary left */
    /* overwriting an existing file works and stays atomic */
    t.m.graph_text = "graph other { }\n";
    t.m.graph_size = strlen(t.m.graph_text);
    assert_int_equal(om_art_write_file(&t.m, path, err, sizeof err), 0);
    free(got);
    got = rt_read_file(path, &got_size);
    assert_true(got_size != want_size || memcmp(got, want, want_size) != 0);
    om_art_model r;
    assert_int_equal(om_art_parse(got, got_size, &r, err, sizeof err), 0);
    assert_memory_equal(r.graph_text, "graph other { }\n", r.graph_size);
    om_art_model_free(&r);
    assert_int_equal(count_entries(dir), 1);
    free(got);
    free(want);
    rt_test_model_free(&t);
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

/* An existing non-regular path (a FIFO here; /dev/null is the everyday case) is written in
 * place: a rename over it would replace the device by a regular file. */
static void test_fifo_written_in_place(void **state)
{
    static fifo_reader r;
    rt_test_model t;
    rt_test_model_init(&t, 5);
    char path[300], err[256] = "";
    snprintf(path, sizeof path, "%s/fifo", dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    r.path = path;
    r.n = 0;
    assert_int_equal(pthread_create(&r.t, NULL, read_fifo, &r), 0);
    assert_int_equal(om_art_write_file(&t.m, path, err, sizeof err), 0);
    pthread_join(r.t, NULL);
    size_t want_size;
    uint8_t *want = rt_serialize(&t.m, &want_size);
    assert_int_equal(r.n, want_size);
    assert_memory_equal(r.buf, want, want_size);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(S_ISFIFO(sb.st_mode));
    assert_int_equal(count_entries(dir), 1);
    free(want);
    rt_test_model_free(&t);
}

static void test_missing_folder(void **state)
{
    rt_test_model t;
    rt_test_model_init(&t, 4);
    char path[300], err[256] = "";
    snprintf(path, sizeof path, "%s/no/such/folder/model.om", dir);
    assert_int_equal(om_art_write_file(&t.m, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot create a temporary file beside"));
    assert_non_null(strstr(err, "model.om"));
    assert_int_equal(count_entries(dir), 0);
    rt_test_model_free(&t);
}

static void test_rename_failure_removes_temporary(void **state)
{
    rt_test_model t;
    rt_test_model_init(&t, 4);
    char path[300], inner[320], err[256] = "";
    snprintf(path, sizeof path, "%s/taken", dir);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(inner, sizeof inner, "%s/keep", path);
    FILE *f = fopen(inner, "w");
    fclose(f);
    /* path is a non-empty folder: rename(2) fails after the data was written */
    assert_int_equal(om_art_write_file(&t.m, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "cannot rename"));
    assert_int_equal(count_entries(dir), 1);   /* only the folder; no temporary */
    assert_int_equal(count_entries(path), 1);  /* its content untouched */
    rt_test_model_free(&t);
}

static void test_read_only_folder(void **state)
{
    if (geteuid() == 0)
        skip(); /* root ignores folder permissions */
    rt_test_model t;
    rt_test_model_init(&t, 4);
    char sub[300], path[320], err[256] = "";
    snprintf(sub, sizeof sub, "%s/ro", dir);
    assert_int_equal(mkdir(sub, 0555), 0);
    snprintf(path, sizeof path, "%s/model.om", sub);
    assert_int_equal(om_art_write_file(&t.m, path, err, sizeof err), -1);
    assert_int_equal(count_entries(sub), 0);
    chmod(sub, 0755);
    rt_test_model_free(&t);
}

static void test_write_fails_part_way(void **state)
{
    rt_test_model t;
    rt_test_model_init(&t, 4000); /* ~16 KB of weights */
    char path[300], err[256] = "";
    snprintf(path, sizeof path, "%s/big.om", dir);
    struct rlimit old, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = 4096;
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    int rc = om_art_write_file(&t.m, path, err, sizeof err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    assert_int_equal(rc, -1);
    assert_non_null(strstr(err, "cannot write"));
    assert_non_null(strstr(err, "big.om.tmp."));
    assert_int_equal(count_entries(dir), 0); /* neither big.om nor the temporary */
    rt_test_model_free(&t);
}

static void test_invalid_model_writes_nothing(void **state)
{
    rt_test_model t;
    rt_test_model_init(&t, 4);
    t.steps[0].kernel = 17;
    char path[300], err[256] = "";
    snprintf(path, sizeof path, "%s/bad.om", dir);
    assert_int_equal(om_art_write_file(&t.m, path, err, sizeof err), -1);
    assert_non_null(strstr(err, "step 0 uses kernel 17"));
    assert_int_equal(count_entries(dir), 0);
    assert_int_equal(om_art_write_file(&t.m, NULL, err, sizeof err), -1);
    assert_int_equal(om_art_write_file(&t.m, "", err, sizeof err), -1);
    rt_test_model_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_writes_serialized_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fifo_written_in_place, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rename_failure_removes_temporary, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_only_folder, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_fails_part_way, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_model_writes_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
