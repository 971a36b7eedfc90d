/* ELF64 relocatable object validation (see elf_internal.h for what holds afterwards).
 * Headers and symbols are copied out with memcpy, so the object needs no alignment.
 * Extended section numbering (e_shnum == 0, SHN_XINDEX) is refused: LLVM only uses it past
 * 65279 sections, which a model's code never has.
 */
#include <stdlib.h>
#include <string.h>

#include "runtime/elf_internal.h"

#define ERR(...) om_rt_error(OMRT_ERR_INVALID_ARTIFACT, "CODE: " __VA_ARGS__)

/* NUL-terminated string at off inside [base, base+size), or NULL. */
static const char *str_at(const uint8_t *base, uint64_t size, uint64_t off)
{
    if (off >= size)
        return NULL;
    const char *s = (const char *)base + off;
    return memchr(s, 0, (size_t)(size - off)) ? s : NULL;
}

static int in_file(const om_rt_elf_obj *o, uint64_t off, uint64_t len)
{
    return off <= o->size && len <= o->size - off;
}

static omrt_status check_ehdr(om_rt_elf_obj *o)
{
    if (o->size < sizeof(Elf64_Ehdr) || memcmp(o->b, ELFMAG, SELFMAG) != 0)
        return ERR("not an ELF object (bad magic or %zu bytes)", o->size);
    memcpy(&o->eh, o->b, sizeof o->eh);
    const Elf64_Ehdr *e = &o->eh;
    if (e->e_ident[EI_CLASS] != ELFCLASS64 || e->e_ident[EI_DATA] != ELFDATA2LSB)
        return ERR("not a 64-bit little-endian ELF object");
    if (e->e_ident[EI_VERSION] != EV_CURRENT || e->e_version != EV_CURRENT)
        return ERR("unknown ELF version %u", (unsigned)e->e_version);
    if (e->e_type != ET_REL)
        return ERR("ELF type %u is not a relocatable object (ET_REL)", (unsigned)e->e_type);
    if (e->e_machine != EM_X86_64)
        return om_rt_error(OMRT_ERR_UNSUPPORTED, "CODE: ELF machine %u is not x86-64",
                           (unsigned)e->e_machine);
    if (e->e_shentsize != sizeof(Elf64_Shdr))
        return ERR("section header size %u (expected %zu)", (unsigned)e->e_shentsize,
                   sizeof(Elf64_Shdr));
    if (e->e_shnum == 0 || e->e_shstrndx == SHN_XINDEX)
        return ERR("extended section numbering is not supported");
    if (!in_file(o, e->e_shoff, (uint64_t)e->e_shnum * sizeof(Elf64_Shdr)))
        return ERR("section headers [%llu, +%u*%zu) lie outside the object (%zu bytes)",
                   (unsigned long long)e->e_shoff, (unsigned)e->e_shnum, sizeof(Elf64_Shdr),
                   o->size);
    if (e->e_shstrndx >= e->e_shnum)
        return ERR("section name table index %u out of range (%u sections)",
                   (unsigned)e->e_shstrndx, (unsigned)e->e_shnum);
    return OMRT_OK;
}

static omrt_status check_sections(om_rt_elf_obj *o)
{
    size_t n = o->eh.e_shnum;
    o->sh = calloc(n, sizeof(Elf64_Shdr));
    o->sec_name = calloc(n, sizeof(char *));
    if (!o->sh || !o->sec_name)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory reading the CODE object");
    memcpy(o->sh, o->b + o->eh.e_shoff, n * sizeof(Elf64_Shdr));
    for (size_t i = 0; i < n; i++) {
        const Elf64_Shdr *s = &o->sh[i];
        if (s->sh_type != SHT_NOBITS && s->sh_type != SHT_NULL &&
            !in_file(o, s->sh_offset, s->sh_size))
            return ERR("section %zu [%llu, +%llu) lies outside the object (%zu bytes)", i,
                       (unsigned long long)s->sh_offset, (unsigned long long)s->sh_size, o->size);
        if (s->sh_addralign > 1 && (s->sh_addralign & (s->sh_addralign - 1)))
            return ERR("section %zu alignment %llu is not a power of two", i,
                       (unsigned long long)s->sh_addralign);
    }
    const Elf64_Shdr *ss = &o->sh[o->eh.e_shstrndx];
    if (ss->sh_type != SHT_STRTAB)
        return ERR("section name table (section %u) is not a string table",
                   (unsigned)o->eh.e_shstrndx);
    for (size_t i = 0; i < n; i++) {
        o->sec_name[i] = str_at(o->b + ss->sh_offset, ss->sh_size, o->sh[i].sh_name);
        if (!o->sec_name[i])
            return ERR("section %zu has a bad name offset %u", i, (unsigned)o->sh[i].sh_name);
    }
    return OMRT_OK;
}

static omrt_status check_symbols(om_rt_elf_obj *o)
{
    size_t n = o->eh.e_shnum, found = 0;
    for (size_t i = 0; i < n; i++)
        if (o->sh[i].sh_type == SHT_SYMTAB) {
            o->symtab = (uint32_t)i;
            found++;
        }
    if (found != 1)
        return ERR("%zu symbol tables (expected exactly one)", found);
    const Elf64_Shdr *st = &o->sh[o->symtab];
    if (st->sh_entsize != sizeof(Elf64_Sym) || st->sh_size % sizeof(Elf64_Sym))
        return ERR("symbol table entry size %llu / size %llu invalid",
                   (unsigned long long)st->sh_entsize, (unsigned long long)st->sh_size);
    if (st->sh_link >= n || o->sh[st->sh_link].sh_type != SHT_STRTAB)
        return ERR("symbol table's string table index %u is invalid", (unsigned)st->sh_link);
    const Elf64_Shdr *str = &o->sh[st->sh_link];
    o->nsyms = (size_t)(st->sh_size / sizeof(Elf64_Sym));
    if (o->nsyms == 0)
        return ERR("empty symbol table");
    o->syms = calloc(o->nsyms, sizeof(Elf64_Sym));
    o->sym_name = calloc(o->nsyms, sizeof(char *));
    if (!o->syms || !o->sym_name)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory reading the CODE object");
    memcpy(o->syms, o->b + st->sh_offset, o->nsyms * sizeof(Elf64_Sym));
    for (size_t i = 0; i < o->nsyms; i++) {
        const Elf64_Sym *s = &o->syms[i];
        o->sym_name[i] = str_at(o->b + str->sh_offset, str->sh_size, s->st_name);
        if (!o->sym_name[i])
            return ERR("symbol %zu has a bad name offset %u", i, (unsigned)s->st_name);
        uint16_t sec = s->st_shndx;
        if (sec == SHN_UNDEF || sec == SHN_ABS || sec == SHN_COMMON)
            continue;
        if (sec >= n)
            return ERR("symbol '%s' refers to section %u (%zu sections)", o->sym_name[i],
                       (unsigned)sec, n);
        if (ELF64_ST_TYPE(s->st_info) != STT_SECTION &&
            (s->st_value > o->sh[sec].sh_size || s->st_size > o->sh[sec].sh_size - s->st_value))
            return ERR("symbol '%s' [%llu, +%llu) lies outside section %s", o->sym_name[i],
                       (unsigned long long)s->st_value, (unsigned long long)s->st_size,
                       o->sec_name[sec]);
    }
    return OMRT_OK;
}

omrt_status om_rt_elf_parse(const void *obj, size_t size, om_rt_elf_obj *o)
{
    memset(o, 0, sizeof *o);
    o->b = obj;
    o->size = obj ? size : 0;
    omrt_status st = check_ehdr(o);
    if (st == OMRT_OK)
        st = check_sections(o);
    if (st == OMRT_OK)
        st = check_symbols(o);
    if (st != OMRT_OK)
        om_rt_elf_obj_free(o);
    return st;
}

void om_rt_elf_obj_free(om_rt_elf_obj *o)
{
    free(o->sh);
    free(o->sec_name);
    free(o->syms);
    free(o->sym_name);
    memset(o, 0, sizeof *o);
}
