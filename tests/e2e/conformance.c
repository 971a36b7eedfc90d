/* conformance: the whole ONNX backend suite through omc's library path (issue 3's runner).
 *
 *   conformance [--jobs N] [--timeout SEC] [--expected FILE] [--write-expected FILE]
 *               [--verbose] [--inject-crash|--inject-hang SUITE/CASE] DATA_DIR
 *               [SUITE | SUITE/CASE]...
 *
 * DATA_DIR holds the suites node, pytorch-converted, pytorch-operator and simple (Debian's
 * libonnx-testdata: /usr/share/libonnx-testdata/data); without SUITE arguments all four run.
 * Every case runs in its own forked child (case_run.c: load, optimize with folding,
 * codegen, artifact, runtime, compare with rtol 1e-3 / atol 1e-7), N at a time (default 2),
 * so a crash or a hang (SIGALRM after --timeout, default 120 s) is a FAIL of that case and
 * never stops the run. One line per case, in case order:
 *
 *   PASS <suite>/<case>
 *   PASS* <suite>/<case> (input 'shape' frozen: it determines an output shape)
 *   FAIL <suite>/<case>: <stage>: <first mismatch or error>
 *   UNSUPPORTED <suite>/<case>: <reason>
 *
 * PASS*: the first attempt failed with "... must be a compile-time constant" (or Reshape's
 * "computed at run time", or a data-dependent output shape whose input "is not a
 * compile-time constant"); the graph inputs the named value depends on are then frozen into
 * constants from test_data_set_0 (as onnx_case --const-input) and the case retried.
 * UNSUPPORTED: a failing case that uses what issue 3 leaves out: random ops (Bernoulli,
 * Multinomial, RandomNormal(Like), RandomUniform(Like)), Dropout in training mode, training
 * ops (ai.onnx.preview.training), string tensors or ops, map types (found by scanning the
 * model, onnx_scan.c), and sequences or optionals of what the frontend cannot hold (maps,
 * sparse tensors, nested sequences: the frontend's message says so). Sequence and
 * optional inputs and outputs of tensors are run (case_run.h: pinned from the first data
 * set, fed and compared element by element), so they PASS or FAIL like any case. A
 * passing case is always PASS.
 *
 * Then a summary per suite and overall (pass, pass with frozen inputs, fail, unsupported),
 * the failure categories with counts, and the wall time.
 *
 * --inject-crash SUITE/CASE and --inject-hang SUITE/CASE make that case's child crash
 * (SIGSEGV) or hang before running it: the ctest conformance.isolation checks that both are
 * reported as FAILs of that case and the run goes on.
 *
 * --expected FILE: every case listed there ("<suite>/<case>" per line, '#' comments) must
 * pass (PASS or PASS*); otherwise it is reported as "REGRESSION" and the exit status is 1.
 * Cases that pass but are not listed are reported as "NEW PASS ... (add to
 * conformance_expected.txt)" without failing. --write-expected FILE writes the current
 * passes in that format. Exit status: 0, 1 (regression), 2 (usage or setup error).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "compiler/compile.h"
#include "tests/e2e/case_run.h"
#include "tests/e2e/onnx_scan.h"

static const char *const k_suites[] = {"node", "pytorch-converted", "pytorch-operator", "simple"};
#define N_SUITES 4
#define MAX_FROZEN 8

typedef enum verdict { V_NONE, V_PASS, V_PASS_FROZEN, V_FAIL, V_UNSUPPORTED } verdict;

typedef struct rcase {
    char name[256];       /* suite/case */
    int suite;
    verdict v;
    char *detail;         /* malloc'd: FAIL/UNSUPPORTED message, PASS* frozen names */
    bool expected;
    double secs;          /* wall time of its child */
} rcase;

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* ---- the child: one case ---------------------------------------------------------- */

/* The phrases of OPS_BRIEF's "input K ('name') must be a compile-time constant: it
 * determines the output shape", of Reshape's "computed at run time", and of ops with a
 * data-dependent output shape ("data-dependent output shape: input K ('name') is not a
 * compile-time constant"). Returns where the phrase starts, or NULL. */
static const char *const_phrase(const char *msg)
{
    static const char *const phrases[] = {"must be a compile-time constant", "computed at run time",
                                          "is not a compile-time constant"};
    for (size_t i = 0; i < sizeof phrases / sizeof *phrases; i++) {
        const char *at = strstr(msg, phrases[i]);
        if (at)
            return at;
    }
    return NULL;
}

static bool is_const_error(const char *msg)
{
    return const_phrase(msg) != NULL;
}

/* The quoted value name nearest before the "compile-time constant" phrase. */
static bool const_error_value(const char *msg, char *name, size_t cap)
{
    const char *at = const_phrase(msg);
    if (!at)
        return false;
    const char *close = NULL;
    for (const char *p = at; p > msg; p--)
        if (p[-1] == '\'') {
            close = p - 1;
            break;
        }
    if (!close)
        return false;
    const char *open = close;
    while (open > msg && open[-1] != '\'')
        open--;
    if (open == msg)
        return false;
    size_t n = (size_t)(close - open);
    if (n == 0 || n >= cap)
        return false;
    memcpy(name, open, n);
    name[n] = '\0';
    return true;
}

/* Whether an input_K.pb of the case's first data set (next to `model`) is named `name`. */
static bool model_has_input(const char *model, const char *name)
{
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s", model);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return false;
    snprintf(slash, sizeof dir - (size_t)(slash - dir), "/test_data_set_0");
    int n = case_count_numbered(dir, "input_", ".pb");
    bool found = false;
    for (int k = 0; k < n && !found; k++) {
        om_fe_tensor t = {0};
        snprintf(path, sizeof path, "%s/input_%d.pb", dir, k);
        if (om_fe_load_tensor_file(path, &t) == OM_OK)
            found = t.name && strcmp(t.name, name) == 0;
        om_fe_tensor_free(&t);
    }
    return found;
}

/* Graph inputs that `name` depends on (itself if it is one), appended to frozen[]. */
static void inputs_behind(const char *model, const char *name, char frozen[][256], int *n_frozen)
{
    om_graph *g = NULL;
    if (om_compile_load(model, &g) != OM_OK) {
        /* the frontend could not import the model without it (a Loop trip count, a
         * sequence position): freeze the named value itself if it is a graph input */
        bool dup = false;
        for (int i = 0; i < *n_frozen; i++)
            dup |= strcmp(frozen[i], name) == 0;
        if (!dup && *n_frozen < MAX_FROZEN && model_has_input(model, name))
            snprintf(frozen[(*n_frozen)++], 256, "%s", name);
        return;
    }
    om_value *start = om_graph_find_value(g, name);
    bool *seen = calloc(g->n_values + 1, 1);
    om_value **stack = calloc(g->n_values + 1, sizeof *stack);
    int sp = 0;
    if (start && seen && stack) {
        stack[sp++] = start;
        seen[start->id] = true;
    }
    while (sp > 0) {
        om_value *v = stack[--sp];
        if (v->kind == OM_VALUE_INPUT) {
            bool dup = false;
            for (int i = 0; i < *n_frozen; i++)
                dup |= strcmp(frozen[i], v->name) == 0;
            if (!dup && *n_frozen < MAX_FROZEN)
                snprintf(frozen[(*n_frozen)++], 256, "%s", v->name);
            continue;
        }
        const om_node *p = v->producer;
        for (int i = 0; p && i < p->n_inputs; i++) {
            om_value *u = p->inputs[i];
            if (u && u->id < g->n_values && !seen[u->id]) {
                seen[u->id] = true;
                stack[sp++] = u;
            }
        }
    }
    free(seen);
    free(stack);
    om_graph_destroy(g);
}

static const char *const k_random_ops[] = {"Bernoulli", "Multinomial", "RandomNormal", "RandomNormalLike",
                                           "RandomUniform", "RandomUniformLike"};
static const char *const k_string_ops[] = {"StringNormalizer", "RegexFullMatch", "StringConcat", "StringSplit"};

/* The UNSUPPORTED categories, from the model's contents; NULL if none applies. */
static const char *unsupported_reason(const char *model, char *buf, size_t cap)
{
    onnx_scan s;
    if (onnx_scan_file(model, &s) != 0)
        return NULL;
    for (int i = 0; i < s.n_ops; i++) {
        const onnx_scan_op *o = &s.ops[i];
        for (size_t k = 0; k < sizeof k_random_ops / sizeof *k_random_ops; k++)
            if (strcmp(o->op_type, k_random_ops[k]) == 0) {
                snprintf(buf, cap, "random op %s", o->op_type);
                return buf;
            }
        if (strcmp(o->domain, "ai.onnx.preview.training") == 0 && strcmp(o->op_type, "Gradient") == 0) {
            snprintf(buf, cap, "training op %s (ai.onnx.preview.training)", o->op_type);
            return buf;
        }
        if (strcmp(o->op_type, "Dropout") == 0 && o->training_mode) {
            snprintf(buf, cap, "Dropout in training mode (random)");
            return buf;
        }
        for (size_t k = 0; k < sizeof k_string_ops / sizeof *k_string_ops; k++)
            if (strcmp(o->op_type, k_string_ops[k]) == 0) {
                snprintf(buf, cap, "string op %s", o->op_type);
                return buf;
            }
    }
    if (s.has_string)
        return snprintf(buf, cap, "string tensors"), buf;
    if (s.has_map)
        return snprintf(buf, cap, "map type"), buf;
    return NULL;
}

/* Writes "<code>\t<detail>\n" to fd: code P (pass), F (pass, frozen), X (fail), U. */
static void child_report(int fd, char code, const char *detail)
{
    char line[2048];
    int n = snprintf(line, sizeof line, "%c\t%s", code, detail);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof line - 1)
        n = (int)sizeof line - 2;
    for (int i = 2; i < n; i++)
        if (line[i] == '\n' || line[i] == '\r' || line[i] == '\t')
            line[i] = ' ';
    line[n++] = '\n';
    for (int off = 0; off < n;) {
        ssize_t w = write(fd, line + off, (size_t)(n - off));
        if (w <= 0 && errno != EINTR)
            return;
        if (w > 0)
            off += (int)w;
    }
}

/* Drops the model path prefix ("<dir>/model.onnx: ") and the frontend's list of supported
 * ops ("; supported (domain ...): ...") from a message: the case line names the case. */
static void tidy_message(char *msg, const char *model)
{
    char pat[4200];
    snprintf(pat, sizeof pat, "%s: ", model);
    char *p;
    while ((p = strstr(msg, pat)))
        memmove(p, p + strlen(pat), strlen(p + strlen(pat)) + 1);
    if ((p = strstr(msg, "; supported (domain")))
        *p = '\0';
}

static void child_run(const char *case_dir, int fd)
{
    char model[4096];
    snprintf(model, sizeof model, "%s/model.onnx", case_dir);
    case_opts o = {0};
    case_result r = {{0}};
    char frozen[MAX_FROZEN][256];
    const char *names[MAX_FROZEN];
    int n_frozen = 0, n_frozen_in_r = 0;
    bool ok = case_run(case_dir, &o, &r);
    for (int attempt = 0; !ok && attempt < MAX_FROZEN && is_const_error(r.msg); attempt++) {
        char name[256];
        int before = n_frozen;
        if (const_error_value(r.msg, name, sizeof name))
            inputs_behind(model, name, frozen, &n_frozen);
        if (n_frozen == before)
            break;
        for (int i = 0; i < n_frozen; i++)
            names[i] = frozen[i];
        o.const_names = names;
        o.n_const_names = n_frozen;
        case_result r2 = {{0}};
        ok = case_run(case_dir, &o, &r2);
        if (!ok && !is_const_error(r2.msg) && strncmp(r2.msg, "setup:", 6) == 0)
            break;   /* keep the first attempt's message */
        r = r2;
        n_frozen_in_r = n_frozen;
    }
    if (ok && n_frozen == 0) {
        child_report(fd, 'P', "");
        return;
    }
    char d[1024];
    size_t k = 0;
    d[0] = '\0';
    for (int i = 0; i < n_frozen && k < sizeof d; i++)
        k += (size_t)snprintf(d + k, sizeof d - k, "%s'%s'", i ? ", " : "", frozen[i]);
    if (ok) {
        child_report(fd, 'F', d);
        return;
    }
    char why[512];
    if (unsupported_reason(model, why, sizeof why)) {
        child_report(fd, 'U', why);
        return;
    }
    if (strstr(r.msg, "of a non-tensor type") || strstr(r.msg, "a sequence of non-tensor values") ||
        strstr(r.msg, "an optional of a sparse tensor, map or optional")) {
        snprintf(why, sizeof why, "sequence or optional of non-tensors");
        child_report(fd, 'U', why);
        return;
    }
    tidy_message(r.msg, model);
    if (n_frozen_in_r > 0) {
        size_t len = strlen(r.msg);
        snprintf(r.msg + len, sizeof r.msg - len, " (with input%s %s frozen)", n_frozen_in_r > 1 ? "s" : "", d);
    }
    child_report(fd, 'X', r.msg);
}

/* ---- the parent: scheduling ------------------------------------------------------- */

typedef struct slot {
    pid_t pid;
    int fd;
    size_t index;
    char out[4096];
    size_t len;
    double start;
} slot;

static double now_sec(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int g_timeout = 120;
static bool g_verbose;
static const char *g_data;
static const char *g_inject_crash, *g_inject_hang;   /* self-test of the isolation */

static bool start_case(slot *s, rcase *c, size_t index)
{
    int p[2];
    if (pipe(p) != 0)
        return false;
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return false;
    }
    if (pid == 0) {
        close(p[0]);
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            if (!g_verbose)
                dup2(null, STDERR_FILENO);
            close(null);
        }
        alarm((unsigned)g_timeout);
        if (g_inject_crash && strcmp(g_inject_crash, c->name) == 0)
            raise(SIGSEGV);
        while (g_inject_hang && strcmp(g_inject_hang, c->name) == 0)
            pause();
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/%s", g_data, c->name);
        child_run(dir, p[1]);
        close(p[1]);
        _exit(0);
    }
    close(p[1]);
    s->start = now_sec();
    s->pid = pid;
    s->fd = p[0];
    s->index = index;
    s->len = 0;
    return true;
}

static void finish_case(slot *s, rcase *c)
{
    int status = 0;
    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
        ;
    close(s->fd);
    s->pid = 0;
    c->secs = now_sec() - s->start;
    s->out[s->len < sizeof s->out ? s->len : sizeof s->out - 1] = '\0';
    char *nl = strchr(s->out, '\n');
    if (nl)
        *nl = '\0';
    if (s->len >= 2 && s->out[1] == '\t' && nl) {
        const char *d = s->out + 2;
        switch (s->out[0]) {
        case 'P': c->v = V_PASS; break;
        case 'F': c->v = V_PASS_FROZEN; break;
        case 'U': c->v = V_UNSUPPORTED; break;
        default: c->v = V_FAIL; break;
        }
        c->detail = xstrdup(d);
        return;
    }
    char msg[256];
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        snprintf(msg, sizeof msg, "timeout: no result after %d s", g_timeout);
    else if (WIFSIGNALED(status))
        snprintf(msg, sizeof msg, "crash: killed by signal %d (%s)", WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(msg, sizeof msg, "crash: exited with status %d without a result", WEXITSTATUS(status));
    c->v = V_FAIL;
    c->detail = xstrdup(msg);
}

static void print_case(const rcase *c)
{
    switch (c->v) {
    case V_PASS: printf("PASS %s\n", c->name); break;
    case V_PASS_FROZEN:
        printf("PASS* %s (input%s %s frozen: %s)\n", c->name, strchr(c->detail, ',') ? "s" : "", c->detail,
               strchr(c->detail, ',') ? "they determine output shapes" : "it determines an output shape");
        break;
    case V_FAIL: printf("FAIL %s: %s\n", c->name, c->detail); break;
    case V_UNSUPPORTED: printf("UNSUPPORTED %s: %s\n", c->name, c->detail); break;
    default: break;
    }
    fflush(stdout);
}

static void run_all(rcase *cases, size_t n, int jobs)
{
    slot *slots = calloc((size_t)jobs, sizeof *slots);
    struct pollfd *pfd = calloc((size_t)jobs, sizeof *pfd);
    if (!slots || !pfd) {
        free(slots);
        free(pfd);
        return;
    }
    size_t next = 0, printed = 0;
    int running = 0;
    while (printed < n) {
        for (int j = 0; j < jobs && next < n; j++) {
            if (slots[j].pid)
                continue;
            if (!start_case(&slots[j], &cases[next], next)) {
                cases[next].v = V_FAIL;
                cases[next].detail = xstrdup("runner: fork failed");
            } else {
                running++;
            }
            next++;
        }
        if (running > 0) {
            int np = 0;
            int map[64];
            for (int j = 0; j < jobs; j++)
                if (slots[j].pid) {
                    pfd[np].fd = slots[j].fd;
                    pfd[np].events = POLLIN;
                    pfd[np].revents = 0;
                    map[np++] = j;
                }
            if (poll(pfd, (nfds_t)np, 1000) < 0 && errno != EINTR)
                break;
            for (int q = 0; q < np; q++) {
                if (!pfd[q].revents)
                    continue;
                slot *s = &slots[map[q]];
                char tmp[4096];
                ssize_t r = read(s->fd, tmp, sizeof tmp);
                if (r > 0) {
                    size_t room = sizeof s->out - 1 - s->len;
                    size_t k = (size_t)r < room ? (size_t)r : room;
                    memcpy(s->out + s->len, tmp, k);
                    s->len += k;
                    continue;
                }
                if (r < 0 && errno == EINTR)
                    continue;
                finish_case(s, &cases[s->index]);
                running--;
            }
        }
        while (printed < n && cases[printed].v != V_NONE)
            print_case(&cases[printed++]);
    }
    free(slots);
    free(pfd);
}

/* ---- case lists, summary ------------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Appends the cases of suite (sorted) to *cases. */
static bool add_suite(int suite, const char *only_case, rcase **cases, size_t *n, size_t *cap)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/%s", g_data, k_suites[suite]);
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "conformance: cannot open %s\n", dir);
        return false;
    }
    char **names = NULL;
    size_t nn = 0, nc = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        if (only_case && strcmp(only_case, e->d_name) != 0)
            continue;
        char model[8192];
        struct stat st;
        snprintf(model, sizeof model, "%s/%s/model.onnx", dir, e->d_name);
        if (stat(model, &st) != 0)
            continue;
        if (nn == nc) {
            nc = nc ? nc * 2 : 256;
            char **t = realloc(names, nc * sizeof *names);
            if (!t)
                break;
            names = t;
        }
        names[nn++] = xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, nn, sizeof *names, cmp_str);
    for (size_t i = 0; i < nn; i++) {
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 1024;
            rcase *t = realloc(*cases, *cap * sizeof **cases);
            if (!t)
                return false;
            *cases = t;
        }
        rcase *c = &(*cases)[(*n)++];
        memset(c, 0, sizeof *c);
        snprintf(c->name, sizeof c->name, "%s/%s", k_suites[suite], names[i]);
        c->suite = suite;
        free(names[i]);
    }
    free(names);
    return true;
}

/* The failure category: the stage, then a coarse reason. */
static void category(const rcase *c, char *buf, size_t cap)
{
    const char *m = c->detail ? c->detail : "";
    if (c->v == V_UNSUPPORTED) {
        const char *kinds[] = {"random op", "training op", "Dropout in training", "string", "sequence", "optional", "map"};
        for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
            if (strncmp(m, kinds[i], strlen(kinds[i])) == 0) {
                snprintf(buf, cap, "unsupported: %s", kinds[i]);
                return;
            }
        snprintf(buf, cap, "unsupported: %s", m);
        return;
    }
    if (strncmp(m, "data set ", 9) == 0) {   /* a comparison: "data set N output_K ..." */
        snprintf(buf, cap, "compare: %s", strstr(m, "mismatch at index") ? "wrong values" : "wrong output shape/dtype");
        return;
    }
    const char *colon = strchr(m, ':');
    int stage_len = colon ? (int)(colon - m) : (int)strlen(m);
    if (stage_len > 40)
        stage_len = 40;
    const char *why = "other";
    const char *op = strstr(m, "unsupported op");
    const char *opname = strstr(m, "(op ");
    if (strstr(m, "unsupported operator") && opname) {
        opname += 4;
        int len = (int)strcspn(opname, ",)");
        snprintf(buf, cap, "%.*s: unsupported operator %.*s", stage_len, m, len > 60 ? 60 : len, opname);
        return;
    }
    if (strstr(m, "mismatch at index"))
        why = "wrong values";
    else if (strstr(m, ": shape [") || strstr(m, ": dtype "))
        why = "wrong output shape/dtype";
    else if (op || strstr(m, "is not supported") || strstr(m, "no kernel"))
        why = "op not supported";
    else if (is_const_error(m))
        why = "needs a compile-time constant";
    else if (strstr(m, "data-dependent"))
        why = "data-dependent output shape";
    else if (strstr(m, "dtype") || strstr(m, "type "))
        why = "dtype not supported";
    else if (strncmp(m, "crash", 5) == 0 || strncmp(m, "timeout", 7) == 0)
        why = "";
    else if (strstr(m, "UNSUPPORTED") || strstr(m, "unsupported"))
        why = "unsupported feature";
    snprintf(buf, cap, "%.*s%s%s", stage_len, m, why[0] ? ": " : "", why);
}

typedef struct count_entry {
    char key[128];
    int n;
} count_entry;

static void print_summary(const rcase *cases, size_t n, double secs, int jobs)
{
    int t[N_SUITES + 1][5];
    memset(t, 0, sizeof t);
    for (size_t i = 0; i < n; i++) {
        t[cases[i].suite][cases[i].v]++;
        t[N_SUITES][cases[i].v]++;
    }
    printf("\nsummary                 cases   pass  pass*   fail  unsupported\n");
    for (int s = 0; s <= N_SUITES; s++) {
        int tot = t[s][V_PASS] + t[s][V_PASS_FROZEN] + t[s][V_FAIL] + t[s][V_UNSUPPORTED];
        if (tot == 0 && s < N_SUITES)
            continue;
        printf("%-22s %6d %6d %6d %6d %12d\n", s < N_SUITES ? k_suites[s] : "overall", tot, t[s][V_PASS],
               t[s][V_PASS_FROZEN], t[s][V_FAIL], t[s][V_UNSUPPORTED]);
    }
    count_entry *ce = calloc(n + 1, sizeof *ce);
    size_t nce = 0;
    for (size_t i = 0; ce && i < n; i++) {
        if (cases[i].v != V_FAIL && cases[i].v != V_UNSUPPORTED)
            continue;
        char key[128];
        category(&cases[i], key, sizeof key);
        size_t k = 0;
        while (k < nce && strcmp(ce[k].key, key) != 0)
            k++;
        if (k == nce)
            snprintf(ce[nce++].key, sizeof ce[0].key, "%s", key);
        ce[k].n++;
    }
    for (size_t a = 0; a < nce; a++)   /* by count, descending (stable) */
        for (size_t b = a + 1; b < nce; b++)
            if (ce[b].n > ce[a].n) {
                count_entry x = ce[a];
                ce[a] = ce[b];
                ce[b] = x;
            }
    if (nce)
        printf("\nfailure categories (fail and unsupported):\n");
    for (size_t k = 0; k < nce; k++)
        printf("%6d  %s\n", ce[k].n, ce[k].key);
    free(ce);
    const rcase *slow[5] = {0};
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 5; k++)
            if (!slow[k] || cases[i].secs > slow[k]->secs) {
                memmove(&slow[k + 1], &slow[k], sizeof *slow * (size_t)(4 - k));
                slow[k] = &cases[i];
                break;
            }
    printf("\nslowest:");
    for (int k = 0; k < 5 && slow[k]; k++)
        printf("%s %s %.1f s", k ? "," : "", slow[k]->name, slow[k]->secs);
    printf("\n%zu cases in %.1f s with %d worker%s\n", n, secs, jobs, jobs == 1 ? "" : "s");
}

static bool is_pass(verdict v)
{
    return v == V_PASS || v == V_PASS_FROZEN;
}

/* Marks the expected cases; returns the number of regressions (printed). -1 on I/O error. */
static int check_expected(const char *path, rcase *cases, size_t n, bool all_suites)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "conformance: cannot read %s\n", path);
        return -1;
    }
    char line[1024];
    int regressions = 0;
    while (fgets(line, sizeof line, f)) {
        char name[512];
        if (line[0] == '#' || sscanf(line, "%511s", name) != 1)
            continue;
        size_t i = 0;
        while (i < n && strcmp(cases[i].name, name) != 0)
            i++;
        if (i == n) {
            if (all_suites) {
                printf("REGRESSION %s: listed in %s but not found in the suite\n", name, path);
                regressions++;
            }
            continue;
        }
        cases[i].expected = true;
        if (!is_pass(cases[i].v)) {
            printf("REGRESSION %s: %s\n", name, cases[i].detail ? cases[i].detail : "");
            regressions++;
        }
    }
    fclose(f);
    int fresh = 0;
    for (size_t i = 0; i < n; i++)
        if (is_pass(cases[i].v) && !cases[i].expected) {
            printf("NEW PASS %s (add to conformance_expected.txt)\n", cases[i].name);
            fresh++;
        }
    printf("%d expected case%s stopped passing; %d newly passing\n", regressions, regressions == 1 ? "" : "s", fresh);
    return regressions;
}

static int write_expected(const char *path, const rcase *cases, size_t n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "# ONNX backend cases (libonnx-testdata) that must pass through omc's library path;\n"
               "# checked by the ctest `conformance` (tests/e2e/conformance.c). Regenerate with\n"
               "#   cmake --build <build> --target conformance_expected\n"
               "# A trailing \"frozen\" marks a PASS* case (inputs frozen into constants).\n");
    for (size_t i = 0; i < n; i++)
        if (is_pass(cases[i].v))
            fprintf(f, "%s%s\n", cases[i].name, cases[i].v == V_PASS_FROZEN ? " frozen" : "");
    return fclose(f) == 0 ? 0 : -1;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: conformance [--jobs N] [--timeout SEC] [--expected FILE] [--write-expected FILE]\n"
               "                   [--verbose] [--inject-crash|--inject-hang SUITE/CASE] DATA_DIR\n"
               "                   [SUITE | SUITE/CASE]...\n"
               "Runs the ONNX backend suites (node, pytorch-converted, pytorch-operator, simple) case by\n"
               "case in forked children and prints PASS / PASS* / FAIL / UNSUPPORTED lines and a summary.\n");
}

int main(int argc, char **argv)
{
    int jobs = 2;
    const char *expected = NULL, *write_path = NULL;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc) {
            jobs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
            g_timeout = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--expected") == 0 && i + 1 < argc) {
            expected = argv[++i];
        } else if (strcmp(argv[i], "--write-expected") == 0 && i + 1 < argc) {
            write_path = argv[++i];
        } else if (strcmp(argv[i], "--inject-crash") == 0 && i + 1 < argc) {
            g_inject_crash = argv[++i];
        } else if (strcmp(argv[i], "--inject-hang") == 0 && i + 1 < argc) {
            g_inject_hang = argv[++i];
        } else if (strcmp(argv[i], "--verbose") == 0) {
            g_verbose = true;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (i >= argc || jobs < 1 || jobs > 64 || g_timeout < 1) {
        usage(stderr);
        return 2;
    }
    g_data = argv[i++];
    rcase *cases = NULL;
    size_t n = 0, cap = 0;
    bool all_suites = i == argc;
    if (all_suites) {
        for (int s = 0; s < N_SUITES; s++)
            if (!add_suite(s, NULL, &cases, &n, &cap))
                return 2;
    }
    for (; i < argc; i++) {
        char arg[512];
        snprintf(arg, sizeof arg, "%s", argv[i]);
        char *slash = strchr(arg, '/');
        if (slash)
            *slash = '\0';
        int s = 0;
        while (s < N_SUITES && strcmp(k_suites[s], arg) != 0)
            s++;
        if (s == N_SUITES) {
            fprintf(stderr, "conformance: unknown suite '%s' (node, pytorch-converted, pytorch-operator, simple)\n", arg);
            return 2;
        }
        if (!add_suite(s, slash ? slash + 1 : NULL, &cases, &n, &cap))
            return 2;
    }
    if (n == 0) {
        fprintf(stderr, "conformance: no cases found in %s\n", g_data);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    double t0 = now_sec();
    run_all(cases, n, jobs);
    print_summary(cases, n, now_sec() - t0, jobs);
    int status = 0;
    if (expected) {
        int reg = check_expected(expected, cases, n, all_suites);
        status = reg != 0 ? (reg < 0 ? 2 : 1) : 0;
    }
    if (write_path && write_expected(write_path, cases, n) != 0) {
        fprintf(stderr, "conformance: cannot write %s\n", write_path);
        status = 2;
    }
    for (size_t k = 0; k < n; k++)
        free(cases[k].detail);
    free(cases);
    return status;
}
