/* Shared state of the ELF loader's two halves (internal):
 *   elf_parse.c  validates the object and copies its headers and symbols (om_rt_elf_parse);
 *   elf_link.c   lays out, relocates and protects the image (om_rt_elf_link).
 * After om_rt_elf_parse succeeds, every section header has a valid name, every non-NOBITS
 * section lies inside the object, the symbol table and its string table are in bounds, each
 * symbol has a valid name and a section index that is UNDEF, ABS, COMMON or a real section,
 * and a defined symbol's value lies inside its section.
 */
#ifndef OM_RUNTIME_ELF_INTERNAL_H
#define OM_RUNTIME_ELF_INTERNAL_H

#include <elf.h>
#include <stdint.h>

#include "runtime/elf_link.h"

typedef struct om_rt_elf_obj {
    const uint8_t *b;          /* the object bytes */
    size_t size;
    Elf64_Ehdr eh;
    Elf64_Shdr *sh;            /* [eh.e_shnum], copied */
    const char **sec_name;     /* [e_shnum], point into b */
    Elf64_Sym *syms;           /* [nsyms], copied */
    const char **sym_name;     /* [nsyms], point into b */
    size_t nsyms;
    uint32_t symtab;           /* section index of SHT_SYMTAB */
} om_rt_elf_obj;

omrt_status om_rt_elf_parse(const void *obj, size_t size, om_rt_elf_obj *o);
void om_rt_elf_obj_free(om_rt_elf_obj *o);

/* The section loaded into memory (SHF_ALLOC), as decided by elf_link.c. */
static inline int om_rt_elf_is_loaded(const Elf64_Shdr *s) { return (s->sh_flags & SHF_ALLOC) != 0; }

#endif
