/* om_fuzz: seeded structure-aware fuzzing of the artifact loader (a test, not a benchmark).
 *
 *   om_fuzz IN.om ITERATIONS SEED [OUTDIR]
 *
 * Each iteration takes IN.om's decoded sections, damages the payload of one of them (TARGET,
 * DESC, PLAN, GRAPH or the ELF structure of CODE) with a few random edits (byte values,
 * little-endian u32/u64 fields set to edge values, cuts and duplicated runs), writes every
 * section STORED with correct CRCs -- so the damage reaches the payload parsers and the ELF
 * linker instead of stopping at a checksum -- and loads the result with
 * omrt_model_load_memory, then creates a context. A load either succeeds (the edit was
 * harmless) or fails with a message; what must never happen is a crash, a hang or a
 * sanitizer report (run it under ASan/UBSan to see those). Loaded models are not executed:
 * a tampered artifact that passes validation may still hold code whose compiled shapes
 * disagree with its tables, and running it is as unsafe as running any native plugin.
 *
 * The mutated .text bytes of CODE are never edited (only its ELF header, section headers,
 * symbol and relocation tables), for the same reason. Prints the outcome counts and a few
 * distinct error messages; exit 0 when every iteration ended in success or a clean error,
 * 1 when an error message was empty, 2 on a usage or I/O error. With OUTDIR, every damaged
 * artifact is also written there as case_<iteration>.om (for omdump and omrun).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/include/omrt.h"
#include "runtime/artifact/artifact.h"

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next(rng *r) /* splitmix64 */
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t below(rng *r, size_t n) { return n ? (size_t)(next(r) % n) : 0; }

static void put_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint64_t get_u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static uint32_t get_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint16_t get_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }

typedef struct section {
    uint32_t kind, alignment;
    uint8_t *data;
    size_t size;
} section;

/* Byte ranges of an ELF64 relocatable that are structure, not instructions: the ELF header,
 * the section header table and the contents of SYMTAB (2), STRTAB (3) and RELA (4) sections.
 * Returns how many ranges were written into lo/hi (at most max). */
static int elf_structure(const uint8_t *d, size_t n, size_t *lo, size_t *hi, int max)
{
    int k = 0;
    if (n < 64 || max < 1)
        return 0;
    lo[k] = 0, hi[k] = 64, k++;
    uint64_t shoff = get_u64(d + 40);
    uint16_t shentsize = get_u16(d + 58), shnum = get_u16(d + 60);
    if (shentsize != 64 || shoff > n || (uint64_t)shnum * 64 > n - shoff)
        return k;
    if (k < max)
        lo[k] = (size_t)shoff, hi[k] = (size_t)shoff + (size_t)shnum * 64, k++;
    for (uint16_t i = 0; i < shnum && k < max; i++) {
        const uint8_t *sh = d + shoff + (size_t)i * 64;
        uint32_t type = get_u32(sh + 4);
        uint64_t off = get_u64(sh + 24), size = get_u64(sh + 32);
        if ((type == 2 || type == 3 || type == 4) && off <= n && size <= n - off && size > 0)
            lo[k] = (size_t)off, hi[k] = (size_t)(off + size), k++;
    }
    return k;
}

static const uint64_t edge[] = {0, 1, 2, 7, 63, 64, 255, 4096, 0x7fffffffu, 0x80000000u, 0xffffffffu,
                                0x100000000ull, 0x7fffffffffffffffull, 0x8000000000000000ull,
                                0xfffffffffff00000ull, 0xfffffffffffff000ull, ~0ull - 64, ~0ull};

/* One random edit inside [lo, hi) of s (which may grow or shrink). */
static void edit(rng *r, section *s, size_t lo, size_t hi)
{
    if (hi > s->size)
        hi = s->size;
    if (lo >= hi)
        return;
    size_t at = lo + below(r, hi - lo);
    switch (below(r, 6)) {
    case 0: /* one byte */
        s->data[at] = (uint8_t)next(r);
        break;
    case 1: /* a bit */
        s->data[at] ^= (uint8_t)(1u << below(r, 8));
        break;
    case 2: /* a u32 field, aligned as the tables lay them out */
        at &= ~(size_t)3;
        if (at >= lo && at + 4 <= s->size)
            put_u32(s->data + at, (uint32_t)edge[below(r, sizeof edge / sizeof *edge)]);
        break;
    case 3: /* a u64 field */
        at &= ~(size_t)7;
        if (at >= lo && at + 8 <= s->size)
            put_u64(s->data + at, edge[below(r, sizeof edge / sizeof *edge)]);
        break;
    case 4: /* cut the payload short */
        s->size = at;
        break;
    default: { /* duplicate a run over a later place (a repeated table entry) */
        size_t len = 1 + below(r, 32), to = lo + below(r, hi - lo);
        if (at + len <= s->size && to + len <= s->size)
            memmove(s->data + to, s->data + at, len);
        break;
    }
    }
}

/* The artifact container with every section STORED and every CRC correct. */
static uint8_t *assemble(const section *secs, int n, size_t *out_size)
{
    size_t off = OM_ART_HEADER_SIZE + (size_t)n * OM_ART_SECTION_ENTRY_SIZE, offs[16];
    for (int i = 0; i < n; i++) {
        size_t a = secs[i].alignment ? secs[i].alignment : 1;
        off = (off + a - 1) / a * a;
        offs[i] = off;
        off += secs[i].size;
    }
    uint8_t *f = calloc(1, off ? off : 1);
    if (!f)
        return NULL;
    memcpy(f, OM_ART_MAGIC, 8);
    put_u16(f + 8, OM_ART_MAJOR);
    put_u16(f + 10, OM_ART_MINOR);
    put_u32(f + 12, OM_ART_HEADER_SIZE);
    memcpy(f + 16, "om_fuzz", 7);
    put_u32(f + 48, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        uint8_t *e = f + OM_ART_HEADER_SIZE + (size_t)i * OM_ART_SECTION_ENTRY_SIZE;
        put_u32(e, secs[i].kind);
        put_u32(e + 4, secs[i].alignment);
        put_u64(e + 8, offs[i]);
        put_u64(e + 16, secs[i].size);
        if (secs[i].size)
            memcpy(f + offs[i], secs[i].data, secs[i].size);
        put_u32(e + 24, om_art_crc32(f + offs[i], secs[i].size));
    }
    put_u32(f + 56, om_art_crc32(f + OM_ART_HEADER_SIZE, (size_t)n * OM_ART_SECTION_ENTRY_SIZE));
    put_u32(f + 60, om_art_crc32(f, 60));
    *out_size = off;
    return f;
}

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n > 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n)) &&
            fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *size = (size_t)(n > 0 ? n : 0);
    }
    fclose(f);
    return buf;
}

#define MAX_MESSAGES 8

int main(int argc, char **argv)
{
    if (argc != 4 && argc != 5) {
        fprintf(stderr, "usage: om_fuzz IN.om ITERATIONS SEED [OUTDIR]\n");
        return 2;
    }
    long iterations = atol(argv[2]);
    rng r = {strtoull(argv[3], NULL, 0)};
    size_t size = 0;
    uint8_t *file = read_file(argv[1], &size);
    om_art_model m;
    char err[256];
    memset(&m, 0, sizeof m);
    if (!file || om_art_parse(file, size, &m, err, sizeof err) != 0) {
        fprintf(stderr, "om_fuzz: %s: %s\n", argv[1], file ? err : "cannot read");
        free(file);
        return 2;
    }
    /* the unmodified container must load: otherwise every iteration tests nothing */
    section orig[16];
    int n = (int)m.n_sections;
    for (int i = 0; i < n; i++)
        orig[i] = (section){m.sections[i].kind, m.sections[i].alignment, (uint8_t *)m.sections[i].data,
                            (size_t)m.sections[i].raw_size};
    size_t base_size;
    uint8_t *base = assemble(orig, n, &base_size);
    omrt_model *model = NULL;
    if (!base || omrt_model_load_memory(base, base_size, &model) != OMRT_OK) {
        fprintf(stderr, "om_fuzz: the re-assembled %s does not load: %s\n", argv[1], omrt_last_error());
        free(base);
        om_art_model_free(&m);
        free(file);
        return 2;
    }
    omrt_model_destroy(model);
    free(base);

    long loaded = 0, refused = 0, empty = 0, by_kind[8] = {0};
    char messages[MAX_MESSAGES][160];
    int n_messages = 0;
    for (long it = 0; it < iterations; it++) {
        section secs[16];
        for (int i = 0; i < n; i++) {
            secs[i] = orig[i];
            secs[i].data = malloc(orig[i].size ? orig[i].size : 1);
            if (secs[i].data && orig[i].size)
                memcpy(secs[i].data, orig[i].data, orig[i].size);
        }
        /* a section to damage: never WEIGHTS (any bytes are valid weights) */
        int victim;
        do
            victim = (int)below(&r, (size_t)n);
        while (secs[victim].kind == OM_ART_SEC_WEIGHTS);
        section *s = &secs[victim];
        size_t lo[40], hi[40];
        int ranges = 1;
        lo[0] = 0, hi[0] = s->size;
        if (s->kind == OM_ART_SEC_CODE)
            ranges = elf_structure(s->data, s->size, lo, hi, 40);
        int edits = 1 + (int)below(&r, 4);
        for (int e = 0; e < edits && ranges > 0; e++) {
            int k = (int)below(&r, (size_t)ranges);
            edit(&r, s, lo[k], hi[k]);
        }
        by_kind[s->kind < 8 ? s->kind : 0]++;
        size_t fsize;
        uint8_t *f = assemble(secs, n, &fsize);
        for (int i = 0; i < n; i++)
            free(secs[i].data);
        if (!f)
            continue;
        if (argc == 5) {
            char path[4096];
            snprintf(path, sizeof path, "%s/case_%ld.om", argv[4], it);
            FILE *out = fopen(path, "wb");
            if (!out || fwrite(f, 1, fsize, out) != fsize) {
                fprintf(stderr, "om_fuzz: cannot write %s\n", path);
                return 2;
            }
            fclose(out);
        }
        omrt_status st = omrt_model_load_memory(f, fsize, &model);
        free(f);
        if (st == OMRT_OK) {
            omrt_context *c = NULL;
            omrt_context_opts o = {1};
            if (omrt_context_create(model, &o, &c) == OMRT_OK)
                loaded++;
            else
                refused++;
            omrt_context_destroy(c);
            omrt_model_destroy(model);
            continue;
        }
        refused++;
        const char *msg = omrt_last_error();
        if (!msg || !*msg) {
            empty++;
            continue;
        }
        bool seen = false;
        for (int i = 0; i < n_messages && !seen; i++)
            seen = strncmp(messages[i], msg, 40) == 0;
        if (!seen && n_messages < MAX_MESSAGES)
            snprintf(messages[n_messages++], sizeof messages[0], "%s", msg);
    }
    printf("om_fuzz: %ld iterations of %s (seed %s): %ld loaded, %ld refused with a message, %ld refused "
           "without one; damaged TARGET %ld, DESC %ld, PLAN %ld, GRAPH %ld, CODE %ld\n",
           iterations, argv[1], argv[3], loaded, refused - empty, empty, by_kind[OM_ART_SEC_TARGET],
           by_kind[OM_ART_SEC_DESC], by_kind[OM_ART_SEC_PLAN], by_kind[OM_ART_SEC_GRAPH], by_kind[OM_ART_SEC_CODE]);
    for (int i = 0; i < n_messages; i++)
        printf("  e.g. %s\n", messages[i]);
    om_art_model_free(&m);
    free(file);
    return empty ? 1 : 0;
}
