/* The driver shared by the passes that re-lay the constant B operand of MatMul/Gemm offline
 * into a kernel's layout (pack-gemm-weights: f32/f16/bf16 panels; pack-bf16-weights:
 * K-pair panels). For every node the kind's `candidate` accepts, input 1 is replaced by a
 * new constant "<B><suffix>" of the same shape, dtype and byte size holding `pack`'s layout
 * (one packed copy per original constant and transpose flag, however many nodes share it;
 * dce drops the original) and the node gets the kind's attributes. Counters:
 * weights-packed (nodes rewritten), constants-packed, bytes-packed. */
#ifndef OM_PASSES_PACK_B_OPERAND_H
#define OM_PASSES_PACK_B_OPERAND_H

#include "passes/passes.h"

typedef struct om_pass_pack_b_kind {
    const char *pass;     /* pass name, for messages */
    const char *suffix;   /* of the packed constant's name */
    /* Whether n qualifies; B' = (trans ? B^T : B) is [K, N]. */
    bool (*candidate)(const om_node *n, int64_t *K, int64_t *N, bool *trans);
    /* dst (b->nbytes) = b's data in the kernel's layout. */
    void (*pack)(const om_value *b, void *dst, int64_t K, int64_t N, bool trans);
    int n_attrs;
    const char *attrs[2];
    int64_t values[2];
} om_pass_pack_b_kind;

om_status om_pass_pack_b_operands(om_graph *g, const om_pass_opts *opts, bool *changed,
                                  const om_pass_pack_b_kind *kind);

#endif
