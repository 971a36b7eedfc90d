/* The ELF loader on the fixture object (real gcc output with PC32, PLT32, REX_GOTPCRELX and
 * R_X86_64_64 relocations, .rodata, .data.rel.ro, .bss, .eh_frame) and on damaged copies. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/elf_link.h"
#include "tests/unit/runtime/rt_test_util.h"

typedef struct obj {
    uint8_t *b;
    size_t size;
} obj;

static int setup(void **state)
{
    obj *o = calloc(1, sizeof *o);
    o->b = rt_read_file(OM_RT_TEST_KERNELS_O, &o->size);
    *state = o;
    return 0;
}

static int teardown(void **state)
{
    obj *o = *state;
    free(o->b);
    free(o);
    return 0;
}

static void expect_link_error(const uint8_t *b, size_t size, const char *needle)
{
    uint8_t *c = malloc(size ? size : 1);
    memcpy(c, b, size);
    om_rt_elf_image *img = (om_rt_elf_image *)1;
    omrt_status st = om_rt_elf_link(c, size, &img);
    free(c);
    assert_int_not_equal(st, OMRT_OK);
    assert_null(img);
    if (needle && !strstr(omrt_last_error(), needle))
        fail_msg("message '%s' lacks '%s'", omrt_last_error(), needle);
}

static const char *perms_of(const void *addr, char out[8])
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    out[0] = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && (uintptr_t)addr >= lo &&
            (uintptr_t)addr < hi) {
            strcpy(out, perms);
            break;
        }
    }
    if (f)
        fclose(f);
    return out;
}

typedef int32_t (*kfn)(void *const *, int64_t, int64_t);

static void test_links_and_runs(void **state)
{
    obj *o = *state;
    om_rt_elf_image *img = NULL;
    assert_int_equal(om_rt_elf_link(o->b, o->size, &img), OMRT_OK);
    kfn add = (kfn)om_rt_elf_find_function(img, "add_f32");
    kfn scale = (kfn)om_rt_elf_find_function(img, "scale_table_f32");
    kfn ops = (kfn)om_rt_elf_find_function(img, "ops_f32");
    kfn bss = (kfn)om_rt_elf_find_function(img, "bss_f32");
    kfn copy = (kfn)om_rt_elf_find_function(img, "copy_f32");
    int64_t (*calls)(void) = (int64_t (*)(void))om_rt_elf_find_function(img, "om_test_bss_calls");
    assert_non_null(add);
    assert_non_null(scale);
    assert_non_null(ops);
    assert_non_null(bss);
    assert_non_null(copy);
    assert_non_null(calls);
    assert_null(om_rt_elf_find_function(img, "negate"));           /* local */
    assert_null(om_rt_elf_find_function(img, "om_test_scratch"));  /* an object, not code */
    assert_null(om_rt_elf_find_function(img, "memcpy"));           /* external */
    assert_null(om_rt_elf_find_function(img, "nope"));
    assert_null(om_rt_elf_find_function(img, NULL));

    float x[37], y[37], out[37];
    for (int i = 0; i < 37; i++) {
        x[i] = (float)i;
        y[i] = 0.5f * (float)i;
    }
    void *a3[3] = {x, y, out};
    add(a3, 0, 37);
    for (int i = 0; i < 37; i++)
        assert_true(out[i] == 1.5f * (float)i);
    void *a2[2] = {x, out};
    static const float table[8] = {1.0f, -2.0f, 0.5f, 3.0f, -0.25f, 4.0f, 8.0f, -1.5f};
    scale(a2, 3, 30);  /* PC32 into .rodata */
    for (int i = 3; i < 30; i++)
        assert_true(out[i] == x[i] * table[i & 7]);
    ops(a2, 0, 37);    /* R_X86_64_64 in .data.rel.ro, GOT */
    for (int i = 0; i < 37; i++)
        assert_true(out[i] == ((i & 1) ? x[i] + x[i] : -x[i]));
    assert_int_equal(calls(), 0); /* .bss starts zeroed */
    bss(a2, 0, 37);
    bss(a2, 10, 20);
    assert_int_equal(calls(), 2);
    for (int i = 0; i < 37; i++)
        assert_true(out[i] == x[i] * 2.0f + 1.0f);
    memset(out, 0, sizeof out);
    copy(a2, 5, 33);   /* memcpy through a stub */
    for (int i = 0; i < 37; i++)
        assert_true(out[i] == (i >= 5 && i < 33 ? x[i] : 0.0f));

    char perms[8];
    perms_of((void *)add, perms);
    assert_string_equal(perms, "r-xp"); /* W^X: text is not writable */
    om_rt_elf_destroy(img);
    om_rt_elf_destroy(NULL);
}

static void test_undefined_external(void **state)
{
    size_t size;
    uint8_t *b = rt_read_file(OM_RT_TEST_SINF_O, &size);
    expect_link_error(b, size, "undefined symbol 'sinf'");
    free(b);
}

/* Locates the first RELA section whose target is `target` (by name). */
static Elf64_Shdr *find_rela(uint8_t *b, const char *target, Elf64_Shdr **tsec)
{
    Elf64_Ehdr *eh = (Elf64_Ehdr *)b;
    Elf64_Shdr *sh = (Elf64_Shdr *)(b + eh->e_shoff);
    const char *names = (const char *)b + sh[eh->e_shstrndx].sh_offset;
    for (int i = 0; i < eh->e_shnum; i++)
        if (sh[i].sh_type == SHT_RELA && strcmp(names + sh[sh[i].sh_info].sh_name, target) == 0) {
            *tsec = &sh[sh[i].sh_info];
            return &sh[i];
        }
    fail_msg("no relocations for %s", target);
    return NULL;
}

static void test_bad_relocations(void **state)
{
    obj *o = *state;
    uint8_t *c = malloc(o->size);
    Elf64_Shdr *t, *r;
    Elf64_Rela *rel;

    memcpy(c, o->b, o->size);
    r = find_rela(c, ".text", &t);
    rel = (Elf64_Rela *)(c + r->sh_offset);
    rel[0].r_offset = t->sh_size + 100;
    expect_link_error(c, o->size, "relocation 0 of .rela.text at offset");
    expect_link_error(c, o->size, "lies outside .text");

    memcpy(c, o->b, o->size);
    r = find_rela(c, ".text", &t);
    rel = (Elf64_Rela *)(c + r->sh_offset);
    rel[1].r_offset = t->sh_size - 2; /* a 4-byte field straddling the end */
    expect_link_error(c, o->size, "relocation 1 of .rela.text");

    memcpy(c, o->b, o->size);
    r = find_rela(c, ".text", &t);
    rel = (Elf64_Rela *)(c + r->sh_offset);
    rel[0].r_info = ELF64_R_INFO(100000, ELF64_R_TYPE(rel[0].r_info));
    expect_link_error(c, o->size, "uses symbol 100000");

    memcpy(c, o->b, o->size);
    r = find_rela(c, ".text", &t);
    rel = (Elf64_Rela *)(c + r->sh_offset);
    rel[0].r_info = ELF64_R_INFO(ELF64_R_SYM(rel[0].r_info), R_X86_64_TPOFF32);
    expect_link_error(c, o->size, "unsupported relocation type 23");

    memcpy(c, o->b, o->size);
    r = find_rela(c, ".text", &t);
    rel = (Elf64_Rela *)(c + r->sh_offset);
    rel[0].r_addend = (int64_t)1 << 40; /* PC32 can no longer reach */
    expect_link_error(c, o->size, "overflows its 32-bit field");

    memcpy(c, o->b, o->size);
    r = find_rela(c, ".text", &t);
    r->sh_size = o->size * 2;
    expect_link_error(c, o->size, "lies outside the object");

    memcpy(c, o->b, o->size);
    r = find_rela(c, ".text", &t);
    r->sh_entsize = 16;
    expect_link_error(c, o->size, "entry size 16");
    free(c);
}

static void test_bad_headers(void **state)
{
    obj *o = *state;
    uint8_t *c = malloc(o->size);
    Elf64_Ehdr *eh = (Elf64_Ehdr *)c;

    memcpy(c, o->b, o->size);
    c[0] = 0;
    expect_link_error(c, o->size, "not an ELF object");
    memcpy(c, o->b, o->size);
    eh->e_machine = EM_AARCH64;
    expect_link_error(c, o->size, "ELF machine 183 is not x86-64");
    memcpy(c, o->b, o->size);
    eh->e_type = ET_DYN;
    expect_link_error(c, o->size, "not a relocatable object");
    memcpy(c, o->b, o->size);
    eh->e_shoff = o->size - 10;
    expect_link_error(c, o->size, "section headers");
    memcpy(c, o->b, o->size);
    eh->e_shstrndx = eh->e_shnum;
    expect_link_error(c, o->size, "section name table index");
    memcpy(c, o->b, o->size);
    eh->e_shnum = 0;
    expect_link_error(c, o->size, "extended section numbering");

    /* a symbol name offset past the string table */
    memcpy(c, o->b, o->size);
    Elf64_Shdr *sh = (Elf64_Shdr *)(c + eh->e_shoff);
    for (int i = 0; i < eh->e_shnum; i++)
        if (sh[i].sh_type == SHT_SYMTAB) {
            Elf64_Sym *syms = (Elf64_Sym *)(c + sh[i].sh_offset);
            syms[2].st_name = 0x7fffffff;
            syms[3].st_shndx = 0xfe00; /* reserved range */
        }
    expect_link_error(c, o->size, "symbol 2 has a bad name offset");

    memcpy(c, o->b, o->size);
    for (int i = 0; i < eh->e_shnum; i++)
        if (sh[i].sh_type == SHT_SYMTAB) {
            Elf64_Sym *syms = (Elf64_Sym *)(c + sh[i].sh_offset);
            size_t n = sh[i].sh_size / sizeof(Elf64_Sym);
            for (size_t k = 0; k < n; k++)
                if (ELF64_ST_TYPE(syms[k].st_info) == STT_FUNC) {
                    syms[k].st_value = 1u << 30; /* outside its section */
                    break;
                }
        }
    expect_link_error(c, o->size, "lies outside section .text");

    memcpy(c, o->b, o->size);
    for (int i = 0; i < eh->e_shnum; i++)
        if (sh[i].sh_type == SHT_NOBITS)
            sh[i].sh_flags |= SHF_TLS;
    expect_link_error(c, o->size, "thread-local section .bss");

    memcpy(c, o->b, o->size);
    for (int i = 0; i < eh->e_shnum; i++)
        if (sh[i].sh_flags & SHF_EXECINSTR)
            sh[i].sh_flags |= SHF_WRITE;
    expect_link_error(c, o->size, "both writable and executable");
    free(c);
}

static void test_truncated_at_every_length(void **state)
{
    obj *o = *state;
    for (size_t n = 0; n < o->size; n++)
        expect_link_error(o->b, n, NULL);
}

static void test_random_damage(void **state)
{
    obj *o = *state;
    uint8_t *c = malloc(o->size);
    uint32_t x = 777;
    Elf64_Ehdr *eh = (Elf64_Ehdr *)o->b;
    for (int it = 0; it < 300; it++) {
        memcpy(c, o->b, o->size);
        for (int k = 0; k < 2; k++) {
            x = x * 1664525u + 1013904223u;
            /* damage headers, section headers, symbols and relocations, not code bytes */
            size_t at = (x >> 7) % o->size;
            if (at >= 64 && at < eh->e_shoff && (x & 1))
                at = eh->e_shoff + (at % (eh->e_shnum * sizeof(Elf64_Shdr)));
            c[at] ^= (uint8_t)(1u << ((x >> 3) & 7));
        }
        om_rt_elf_image *img = NULL;
        if (om_rt_elf_link(c, o->size, &img) == OMRT_OK)
            om_rt_elf_destroy(img); /* linked: fine, we never call it */
    }
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_links_and_runs),
        cmocka_unit_test(test_undefined_external),
        cmocka_unit_test(test_bad_relocations),
        cmocka_unit_test(test_bad_headers),
        cmocka_unit_test(test_truncated_at_every_length),
        cmocka_unit_test(test_random_damage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
