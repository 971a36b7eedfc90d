/* Pass counters (LLVM's STATISTIC, made explicit): an ordered list of
 * (pass, counter) -> int64 entries.
 *
 * Invariants: entries keep the order in which each (pass, counter) pair was first
 * touched, so om_stats_print is deterministic for a deterministic pipeline. Names are
 * copied, so callers may pass temporary strings. om_stats_add has no status: on out of
 * memory the update is dropped (counters are diagnostics, never control flow).
 */
#include "passes/passes.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct om_stat_entry {
    char *pass;
    char *counter;
    int64_t value;
} om_stat_entry;

struct om_stats {
    om_stat_entry *entries;
    size_t count, cap;
};

om_stats *om_stats_create(void) { return calloc(1, sizeof(om_stats)); }

void om_stats_destroy(om_stats *s) {
    if (!s) return;
    for (size_t i = 0; i < s->count; i++) {
        free(s->entries[i].pass);
        free(s->entries[i].counter);
    }
    free(s->entries);
    free(s);
}

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

void om_stats_add(om_stats *s, const char *pass, const char *counter, int64_t delta) {
    if (!s || !counter) return;
    if (!pass) pass = "unknown";
    for (size_t i = 0; i < s->count; i++) {
        if (strcmp(s->entries[i].pass, pass) == 0 && strcmp(s->entries[i].counter, counter) == 0) {
            s->entries[i].value += delta;
            return;
        }
    }
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        om_stat_entry *e = realloc(s->entries, cap * sizeof(*e));
        if (!e) return;
        s->entries = e;
        s->cap = cap;
    }
    char *p = dup_str(pass), *c = dup_str(counter);
    if (!p || !c) {
        free(p);
        free(c);
        return;
    }
    s->entries[s->count++] = (om_stat_entry){p, c, delta};
}

void om_stats_print(const om_stats *s, FILE *out) {
    if (!s || !out) return;
    for (size_t i = 0; i < s->count; i++)
        fprintf(out, "%s.%s = %" PRId64 "\n", s->entries[i].pass, s->entries[i].counter,
                s->entries[i].value);
}

void om_pass_count(const om_pass_opts *opts, const char *counter, int64_t delta) {
    if (!opts || !opts->stats) return;
    om_stats_add(opts->stats, opts->pass_name, counter, delta);
}
