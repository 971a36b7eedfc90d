/* See winograd.h. */
#include "ir/winograd.h"

#define WG_V_BYTES (768 * 1024) /* transformed input tiles of one item */
#define WG_C_BYTES (160 * 1024) /* GEMM results of one output-channel chunk */
#define WG_MIN_ITEMS 2          /* split the output channels below this many items */

static int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

void om_winograd_plan_make(int64_t N, int64_t C, int64_t M, int64_t OH, int64_t OW, int VL, om_winograd_plan *p)
{
    p->th = cdiv(OH, 4);
    p->tw = cdiv(OW, 4);
    /* at most two vectors of tiles: measured best (ResNet-50 shapes: 28 tiles 0.65 ms vs 56
     * tiles 0.80 ms at 56x56x64; 28 vs 14 tiles 0.76 vs 0.88 ms at 28x28x128) */
    p->R = 1;
    while (p->R < p->th && (p->R + 1) * p->tw <= 2 * VL && 36 * C * cdiv((p->R + 1) * p->tw, VL) * VL * 4 <= WG_V_BYTES)
        p->R++;
    p->nrb = cdiv(p->th, p->R);
    p->TB = p->R * p->tw;
    p->TBp = cdiv(p->TB, VL) * VL;
    /* few row blocks: split the output channels (each split repeats the input transform) */
    int64_t mtiles = M / OM_WINOGRAD_MR, nmb = 1;
    while (N * p->nrb * nmb < WG_MIN_ITEMS && nmb < mtiles)
        nmb++;
    while (mtiles % nmb)
        nmb++;
    p->nmb = nmb;
    p->MBk = M / nmb;
    int64_t per = p->MBk / OM_WINOGRAD_MR, c = per;
    while (c > 1 && (per % c || 36 * c * OM_WINOGRAD_MR * p->TBp * 4 > WG_C_BYTES))
        c--;
    p->MBc = c * OM_WINOGRAD_MR;
    p->items = N * p->nrb * p->nmb;
    p->slot = cdiv(36 * (C + p->MBc) * p->TBp, 16) * 16;
}

int64_t om_winograd_workspace_floats(int64_t N, int64_t C, int64_t M, int64_t OH, int64_t OW)
{
    int64_t most = 0;
    for (int VL = 4; VL <= 16; VL *= 2) {
        om_winograd_plan p;
        om_winograd_plan_make(N, C, M, OH, OW, VL, &p);
        if (p.items * p.slot > most)
            most = p.items * p.slot;
    }
    return most;
}
