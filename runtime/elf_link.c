/* Loading, relocating and protecting a validated ELF object (om_rt_elf_link).
 *
 * Layout of the one mmap'd region (each part starts on a page boundary):
 *   [ text: SHF_EXECINSTR sections | call stubs ]  -> PROT_READ|PROT_EXEC
 *   [ rodata: other read-only SHF_ALLOC sections | GOT ] -> PROT_READ
 *   [ data: SHF_WRITE sections, .bss, COMMON symbols ] -> PROT_READ|PROT_WRITE
 * Each section sits at a multiple of its alignment (<= page size). The GOT has one 8-byte
 * slot per symbol that a GOTPCREL* relocation or an external call uses; a stub is
 * `jmp *slot(%rip)` so that calls to external functions, which may be far away, stay within
 * a PC32 displacement (PC32 and PLT32 references to externals both use the stub). The region is limited to 1 GiB so PC32 displacements inside it
 * always fit; every 32-bit field is still overflow-checked.
 * Relocations: R_X86_64_{NONE, 64, PC32, PLT32, 32, 32S, PC64, GOTPCREL, GOTPCRELX,
 * REX_GOTPCRELX}, in SHT_RELA sections whose target is loaded; anything else is an error
 * naming the type and section. External symbols: only memcpy, memmove and memset (see
 * ext_addr), plus _GLOBAL_OFFSET_TABLE_ (the GOT's address).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "runtime/elf_internal.h"

#define ERR(...) om_rt_error(OMRT_ERR_INVALID_ARTIFACT, "CODE: " __VA_ARGS__)
#define MAX_IMAGE (1ull << 30)
#define STUB_SIZE 8u
#define NO_SLOT UINT32_MAX

typedef struct ext_sym {
    const char *name;
    void *addr;
} ext_sym;

typedef struct func_sym {
    const char *name;   /* points into img->names */
    void *addr;
} func_sym;

struct om_rt_elf_image {
    uint8_t *base;
    size_t size;
    func_sym *funcs;    /* sorted by name */
    size_t n_funcs;
    char *names;
};

enum { PART_TEXT, PART_RO, PART_RW, N_PARTS };

typedef struct link_state {
    om_rt_elf_obj o;
    uint64_t *sec_off;      /* [e_shnum] offset in the region, UINT64_MAX if not loaded */
    uint64_t *sym_addr;     /* [nsyms] resolved absolute addresses */
    uint32_t *got_slot;     /* [nsyms] GOT slot or NO_SLOT */
    uint32_t *stub_slot;    /* [nsyms] stub index or NO_SLOT */
    uint64_t *common_off;   /* [nsyms] region offset of a COMMON symbol */
    uint32_t n_got, n_stub;
    uint64_t got_off, stub_off;
    uint64_t part_start[N_PARTS + 1];
    size_t page;
    om_rt_elf_image *img;
} link_state;

static const char *ext_names[] = {"memcpy", "memmove", "memset"};

static void *ext_addr(const char *name)
{
    /* taking the address here, not in a static table, keeps the table relocation-free */
    if (strcmp(name, "memcpy") == 0)
        return (void *)memcpy;
    if (strcmp(name, "memmove") == 0)
        return (void *)memmove;
    if (strcmp(name, "memset") == 0)
        return (void *)memset;
    return NULL;
}

static uint64_t align_up(uint64_t v, uint64_t a) { return a > 1 ? (v + a - 1) & ~(a - 1) : v; }

static int part_of(const Elf64_Shdr *s)
{
    if (s->sh_flags & SHF_EXECINSTR)
        return PART_TEXT;
    return (s->sh_flags & SHF_WRITE) ? PART_RW : PART_RO;
}

static int is_external(const link_state *ls, uint32_t sym)
{
    return sym != 0 && ls->o.syms[sym].st_shndx == SHN_UNDEF &&
           strcmp(ls->o.sym_name[sym], "_GLOBAL_OFFSET_TABLE_") != 0;
}

static int is_got_type(uint32_t t)
{
    return t == R_X86_64_GOTPCREL || t == R_X86_64_GOTPCRELX || t == R_X86_64_REX_GOTPCRELX;
}

/* A PC-relative 32-bit reference to an external function goes through its stub. */
static int is_call(uint32_t t) { return t == R_X86_64_PLT32 || t == R_X86_64_PC32; }

/* Validates the relocation sections and counts GOT slots and stubs. */
static omrt_status scan_relocations(link_state *ls)
{
    om_rt_elf_obj *o = &ls->o;
    for (size_t i = 0; i < o->eh.e_shnum; i++) {
        const Elf64_Shdr *r = &o->sh[i];
        if (r->sh_type != SHT_RELA && r->sh_type != SHT_REL)
            continue;
        if (r->sh_info >= o->eh.e_shnum)
            return ERR("relocation section %s targets section %u (%u sections)", o->sec_name[i],
                       (unsigned)r->sh_info, (unsigned)o->eh.e_shnum);
        if (!om_rt_elf_is_loaded(&o->sh[r->sh_info]))
            continue;   /* e.g. .rela.debug_info */
        if (r->sh_type == SHT_REL)
            return ERR("REL relocations (%s) are not supported on x86-64", o->sec_name[i]);
        if (r->sh_entsize != sizeof(Elf64_Rela) || r->sh_size % sizeof(Elf64_Rela))
            return ERR("relocation section %s has entry size %llu", o->sec_name[i],
                       (unsigned long long)r->sh_entsize);
        if (r->sh_link != ls->o.symtab)
            return ERR("relocation section %s does not use the symbol table", o->sec_name[i]);
        size_t n = (size_t)(r->sh_size / sizeof(Elf64_Rela));
        for (size_t k = 0; k < n; k++) {
            Elf64_Rela rel;
            memcpy(&rel, o->b + r->sh_offset + k * sizeof rel, sizeof rel);
            uint64_t sym = ELF64_R_SYM(rel.r_info);
            uint32_t type = (uint32_t)ELF64_R_TYPE(rel.r_info);
            if (sym >= o->nsyms)
                return ERR("relocation %zu of %s uses symbol %llu (%zu symbols)", k,
                           o->sec_name[i], (unsigned long long)sym, o->nsyms);
            int call = is_call(type) && is_external(ls, (uint32_t)sym);
            if ((is_got_type(type) || call) && ls->got_slot[sym] == NO_SLOT)
                ls->got_slot[sym] = ls->n_got++;
            if (call && ls->stub_slot[sym] == NO_SLOT)
                ls->stub_slot[sym] = ls->n_stub++;
        }
    }
    return OMRT_OK;
}

static omrt_status layout(link_state *ls)
{
    om_rt_elf_obj *o = &ls->o;
    uint64_t off = 0;
    for (int part = 0; part < N_PARTS; part++) {
        off = align_up(off, ls->page);
        ls->part_start[part] = off;
        for (size_t i = 0; i < o->eh.e_shnum; i++) {
            const Elf64_Shdr *s = &o->sh[i];
            if (!om_rt_elf_is_loaded(s) || part_of(s) != part)
                continue;
            if (s->sh_size > MAX_IMAGE)
                return ERR("section %s is larger than %llu bytes", o->sec_name[i], MAX_IMAGE);
            off = align_up(off, s->sh_addralign ? s->sh_addralign : 1);
            ls->sec_off[i] = off;
            off += s->sh_size;
            if (off > MAX_IMAGE)
                return ERR("the code is larger than %llu bytes", MAX_IMAGE);
        }
        if (part == PART_TEXT) {
            off = align_up(off, STUB_SIZE);
            ls->stub_off = off;
            off += (uint64_t)ls->n_stub * STUB_SIZE;
        } else if (part == PART_RO) {
            off = align_up(off, 8);
            ls->got_off = off;
            off += (uint64_t)ls->n_got * 8;
        } else {
            for (size_t k = 0; k < o->nsyms; k++) {
                const Elf64_Sym *s = &o->syms[k];
                if (s->st_shndx != SHN_COMMON)
                    continue;
                uint64_t a = s->st_value ? s->st_value : 1;
                if ((a & (a - 1)) || a > ls->page || s->st_size > MAX_IMAGE)
                    return ERR("common symbol '%s' has alignment %llu / size %llu",
                               o->sym_name[k], (unsigned long long)a,
                               (unsigned long long)s->st_size);
                off = align_up(off, a);
                ls->common_off[k] = off;
                off += s->st_size;
            }
        }
        if (off > MAX_IMAGE)
            return ERR("the code is larger than %llu bytes", MAX_IMAGE);
    }
    ls->part_start[N_PARTS] = align_up(off, ls->page);
    return OMRT_OK;
}

static omrt_status check_loaded_sections(link_state *ls)
{
    om_rt_elf_obj *o = &ls->o;
    for (size_t i = 0; i < o->eh.e_shnum; i++) {
        const Elf64_Shdr *s = &o->sh[i];
        if (!om_rt_elf_is_loaded(s))
            continue;
        if (s->sh_flags & SHF_TLS)
            return ERR("thread-local section %s is not supported", o->sec_name[i]);
        if ((s->sh_flags & SHF_EXECINSTR) && (s->sh_flags & SHF_WRITE))
            return ERR("section %s is both writable and executable", o->sec_name[i]);
        if (s->sh_type != SHT_PROGBITS && s->sh_type != SHT_NOBITS &&
            s->sh_type != SHT_X86_64_UNWIND && s->sh_type != SHT_NOTE)
            return ERR("section %s has unsupported type 0x%x (constructors and the like are "
                       "not run)", o->sec_name[i], (unsigned)s->sh_type);
        if (s->sh_addralign > ls->page)
            return ERR("section %s alignment %llu exceeds the page size", o->sec_name[i],
                       (unsigned long long)s->sh_addralign);
    }
    return OMRT_OK;
}

static omrt_status resolve_symbols(link_state *ls)
{
    om_rt_elf_obj *o = &ls->o;
    uint64_t base = (uint64_t)(uintptr_t)ls->img->base;
    for (size_t k = 1; k < o->nsyms; k++) {
        const Elf64_Sym *s = &o->syms[k];
        if (s->st_shndx == SHN_UNDEF && strcmp(o->sym_name[k], "_GLOBAL_OFFSET_TABLE_") == 0) {
            ls->sym_addr[k] = base + ls->got_off; /* GNU as declares it when GOT relocs exist */
        } else if (s->st_shndx == SHN_UNDEF) {
            void *a = ext_addr(o->sym_name[k]);
            if (!a)
                return ERR("undefined symbol '%s' (kernels may only call %s, %s, %s)",
                           o->sym_name[k][0] ? o->sym_name[k] : "<unnamed>", ext_names[0],
                           ext_names[1], ext_names[2]);
            ls->sym_addr[k] = (uint64_t)(uintptr_t)a;
        } else if (s->st_shndx == SHN_ABS) {
            ls->sym_addr[k] = s->st_value;
        } else if (s->st_shndx == SHN_COMMON) {
            ls->sym_addr[k] = base + ls->common_off[k];
        } else if (ls->sec_off[s->st_shndx] != UINT64_MAX) {
            ls->sym_addr[k] = base + ls->sec_off[s->st_shndx] + s->st_value;
        } else {
            ls->sym_addr[k] = UINT64_MAX; /* in a section that is not loaded */
        }
    }
    return OMRT_OK;
}

static void fill_got_and_stubs(link_state *ls)
{
    uint8_t *b = ls->img->base;
    for (size_t k = 0; k < ls->o.nsyms; k++) {
        if (ls->got_slot[k] != NO_SLOT)
            memcpy(b + ls->got_off + (uint64_t)ls->got_slot[k] * 8, &ls->sym_addr[k], 8);
        if (ls->stub_slot[k] != NO_SLOT) {
            uint64_t at = ls->stub_off + (uint64_t)ls->stub_slot[k] * STUB_SIZE;
            uint64_t slot = ls->got_off + (uint64_t)ls->got_slot[k] * 8;
            int32_t disp = (int32_t)((int64_t)slot - (int64_t)(at + 6)); /* < 1 GiB apart */
            uint8_t stub[STUB_SIZE] = {0xFF, 0x25, 0, 0, 0, 0, 0xCC, 0xCC};
            memcpy(stub + 2, &disp, 4);
            memcpy(b + at, stub, STUB_SIZE);
        }
    }
}

static omrt_status apply_one(link_state *ls, size_t rsec, size_t k, const Elf64_Rela *rel)
{
    om_rt_elf_obj *o = &ls->o;
    uint32_t tsec = o->sh[rsec].sh_info;
    const Elf64_Shdr *t = &o->sh[tsec];
    uint32_t sym = (uint32_t)ELF64_R_SYM(rel->r_info);
    uint32_t type = (uint32_t)ELF64_R_TYPE(rel->r_info);
    if (type == R_X86_64_NONE)
        return OMRT_OK;
    size_t width;
    switch (type) {
    case R_X86_64_64: case R_X86_64_PC64: width = 8; break;
    case R_X86_64_PC32: case R_X86_64_PLT32: case R_X86_64_32: case R_X86_64_32S:
    case R_X86_64_GOTPCREL: case R_X86_64_GOTPCRELX: case R_X86_64_REX_GOTPCRELX: width = 4; break;
    default:
        return ERR("unsupported relocation type %u (relocation %zu of %s)", type, k,
                   o->sec_name[rsec]);
    }
    if (t->sh_type == SHT_NOBITS || rel->r_offset > t->sh_size || width > t->sh_size - rel->r_offset)
        return ERR("relocation %zu of %s at offset %llu lies outside %s (%llu bytes)", k,
                   o->sec_name[rsec], (unsigned long long)rel->r_offset, o->sec_name[tsec],
                   (unsigned long long)t->sh_size);
    if (sym != 0 && ls->sym_addr[sym] == UINT64_MAX)
        return ERR("relocation %zu of %s refers to '%s' in a section that is not loaded", k,
                   o->sec_name[rsec], o->sym_name[sym]);
    uint64_t base = (uint64_t)(uintptr_t)ls->img->base;
    uint64_t S = sym ? ls->sym_addr[sym] : 0;
    uint64_t P = base + ls->sec_off[tsec] + rel->r_offset;
    uint64_t A = (uint64_t)rel->r_addend;
    uint64_t v;
    switch (type) {
    case R_X86_64_64: v = S + A; break;
    case R_X86_64_PC64: v = S + A - P; break;
    case R_X86_64_PC32: case R_X86_64_PLT32:
        if (ls->stub_slot[sym] != NO_SLOT)
            S = base + ls->stub_off + (uint64_t)ls->stub_slot[sym] * STUB_SIZE;
        v = S + A - P;
        break;
    case R_X86_64_32: case R_X86_64_32S: v = S + A; break;
    default: /* GOTPCREL family */
        v = base + ls->got_off + (uint64_t)ls->got_slot[sym] * 8 + A - P;
        break;
    }
    if (width == 4) {
        int64_t sv = (int64_t)v;
        int ok = type == R_X86_64_32 ? v <= UINT32_MAX : (sv >= INT32_MIN && sv <= INT32_MAX);
        if (!ok)
            return ERR("relocation %zu of %s (type %u, symbol '%s') overflows its 32-bit field",
                       k, o->sec_name[rsec], type, o->sym_name[sym]);
    }
    uint8_t *where = ls->img->base + ls->sec_off[tsec] + rel->r_offset;
    memcpy(where, &v, width); /* little-endian: the low bytes */
    return OMRT_OK;
}

static omrt_status apply_relocations(link_state *ls)
{
    om_rt_elf_obj *o = &ls->o;
    for (size_t i = 0; i < o->eh.e_shnum; i++) {
        const Elf64_Shdr *r = &o->sh[i];
        if (r->sh_type != SHT_RELA || !om_rt_elf_is_loaded(&o->sh[r->sh_info]))
            continue;
        size_t n = (size_t)(r->sh_size / sizeof(Elf64_Rela));
        for (size_t k = 0; k < n; k++) {
            Elf64_Rela rel;
            memcpy(&rel, o->b + r->sh_offset + k * sizeof rel, sizeof rel);
            omrt_status st = apply_one(ls, i, k, &rel);
            if (st != OMRT_OK)
                return st;
        }
    }
    return OMRT_OK;
}

static omrt_status protect(link_state *ls)
{
    static const int prot[N_PARTS] = {PROT_READ | PROT_EXEC, PROT_READ, PROT_READ | PROT_WRITE};
    for (int p = 0; p < N_PARTS; p++) {
        uint64_t a = ls->part_start[p], e = ls->part_start[p + 1]; /* both page-aligned */
        if (e > a && mprotect(ls->img->base + a, (size_t)(e - a), prot[p]) != 0)
            return om_rt_error(OMRT_ERR_INTERNAL, "CODE: mprotect failed");
    }
    return OMRT_OK;
}

static int cmp_func(const void *a, const void *b)
{
    return strcmp(((const func_sym *)a)->name, ((const func_sym *)b)->name);
}

static omrt_status collect_functions(link_state *ls)
{
    om_rt_elf_obj *o = &ls->o;
    size_t n = 0, bytes = 0;
    for (size_t k = 1; k < o->nsyms; k++) {
        const Elf64_Sym *s = &o->syms[k];
        int bind = ELF64_ST_BIND(s->st_info);
        if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || (bind != STB_GLOBAL && bind != STB_WEAK) ||
            s->st_shndx == SHN_UNDEF || s->st_shndx >= o->eh.e_shnum ||
            ls->sec_off[s->st_shndx] == UINT64_MAX ||
            !(o->sh[s->st_shndx].sh_flags & SHF_EXECINSTR))
            continue;
        n++;
        bytes += strlen(o->sym_name[k]) + 1;
    }
    om_rt_elf_image *img = ls->img;
    img->funcs = calloc(n ? n : 1, sizeof(func_sym));
    img->names = malloc(bytes ? bytes : 1);
    if (!img->funcs || !img->names)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory linking the CODE object");
    char *np = img->names;
    for (size_t k = 1; k < o->nsyms; k++) {
        const Elf64_Sym *s = &o->syms[k];
        int bind = ELF64_ST_BIND(s->st_info);
        if (ELF64_ST_TYPE(s->st_info) != STT_FUNC || (bind != STB_GLOBAL && bind != STB_WEAK) ||
            s->st_shndx == SHN_UNDEF || s->st_shndx >= o->eh.e_shnum ||
            ls->sec_off[s->st_shndx] == UINT64_MAX ||
            !(o->sh[s->st_shndx].sh_flags & SHF_EXECINSTR))
            continue;
        size_t len = strlen(o->sym_name[k]) + 1;
        memcpy(np, o->sym_name[k], len);
        img->funcs[img->n_funcs].name = np;
        img->funcs[img->n_funcs].addr = (void *)(uintptr_t)ls->sym_addr[k];
        img->n_funcs++;
        np += len;
    }
    qsort(img->funcs, img->n_funcs, sizeof(func_sym), cmp_func);
    return OMRT_OK;
}

static omrt_status link_all(link_state *ls, const void *obj, size_t size)
{
    omrt_status st = om_rt_elf_parse(obj, size, &ls->o);
    if (st != OMRT_OK)
        return st;
    om_rt_elf_obj *o = &ls->o;
    ls->sec_off = malloc(o->eh.e_shnum * sizeof(uint64_t));
    ls->sym_addr = calloc(o->nsyms, sizeof(uint64_t));
    ls->got_slot = malloc(o->nsyms * sizeof(uint32_t));
    ls->stub_slot = malloc(o->nsyms * sizeof(uint32_t));
    ls->common_off = calloc(o->nsyms, sizeof(uint64_t));
    ls->img = calloc(1, sizeof(om_rt_elf_image));
    if (!ls->sec_off || !ls->sym_addr || !ls->got_slot || !ls->stub_slot || !ls->common_off ||
        !ls->img)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "out of memory linking the CODE object");
    for (size_t i = 0; i < o->eh.e_shnum; i++)
        ls->sec_off[i] = UINT64_MAX;
    memset(ls->got_slot, 0xFF, o->nsyms * sizeof(uint32_t));
    memset(ls->stub_slot, 0xFF, o->nsyms * sizeof(uint32_t));
    long page = sysconf(_SC_PAGESIZE);
    ls->page = page > 0 ? (size_t)page : 4096;

    if ((st = check_loaded_sections(ls)) || (st = scan_relocations(ls)) || (st = layout(ls)))
        return st;
    size_t total = (size_t)ls->part_start[N_PARTS];
    if (total == 0)
        total = ls->page;
    void *base = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return om_rt_error(OMRT_ERR_NO_MEMORY, "CODE: cannot map %zu bytes", total);
    ls->img->base = base;
    ls->img->size = total;
    for (size_t i = 0; i < o->eh.e_shnum; i++)
        if (ls->sec_off[i] != UINT64_MAX && o->sh[i].sh_type != SHT_NOBITS)
            memcpy(ls->img->base + ls->sec_off[i], o->b + o->sh[i].sh_offset,
                   (size_t)o->sh[i].sh_size);
    if ((st = resolve_symbols(ls)))
        return st;
    fill_got_and_stubs(ls);
    if ((st = apply_relocations(ls)) || (st = protect(ls)) || (st = collect_functions(ls)))
        return st;
    return OMRT_OK;
}

omrt_status om_rt_elf_link(const void *obj, size_t size, om_rt_elf_image **out)
{
    link_state ls = {0};
    if (!out)
        return om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "om_rt_elf_link: NULL out");
    *out = NULL;
    omrt_status st = link_all(&ls, obj, size);
    if (st == OMRT_OK) {
        *out = ls.img;
        ls.img = NULL;
    }
    om_rt_elf_destroy(ls.img);
    om_rt_elf_obj_free(&ls.o);
    free(ls.sec_off);
    free(ls.sym_addr);
    free(ls.got_slot);
    free(ls.stub_slot);
    free(ls.common_off);
    return st;
}

void om_rt_elf_destroy(om_rt_elf_image *img)
{
    if (!img)
        return;
    if (img->base)
        munmap(img->base, img->size);
    free(img->funcs);
    free(img->names);
    free(img);
}

void *om_rt_elf_find_function(const om_rt_elf_image *img, const char *name)
{
    if (!img || !name)
        return NULL;
    func_sym key = {name, NULL};
    const func_sym *f = bsearch(&key, img->funcs, img->n_funcs, sizeof(func_sym), cmp_func);
    return f ? f->addr : NULL;
}
