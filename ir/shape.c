/* Tensor shapes: constructors and queries. A shape with rank < 0 has unknown rank; a dim
 * of OM_DIM_UNKNOWN (-1) is dynamic, optionally named by syms[i]. Constructors clamp
 * nothing silently: a rank outside [0, OM_MAX_RANK] yields an unknown-rank shape.
 */
#include <string.h>

#include "ir/ir.h"

om_shape om_shape_make(int rank, const int64_t *dims)
{
    om_shape s;
    memset(&s, 0, sizeof s);
    if (rank < 0 || rank > OM_MAX_RANK || (rank > 0 && !dims)) {
        s.rank = -1;
        return s;
    }
    s.rank = rank;
    for (int i = 0; i < rank; i++)
        s.dims[i] = dims[i] < 0 ? OM_DIM_UNKNOWN : dims[i];
    return s;
}

om_shape om_shape_scalar(void)
{
    return om_shape_make(0, NULL);
}

om_shape om_shape_unknown(void)
{
    return om_shape_make(-1, NULL);
}

bool om_shape_is_static(const om_shape *s)
{
    if (!s || s->rank < 0 || s->rank > OM_MAX_RANK)
        return false;
    for (int i = 0; i < s->rank; i++)
        if (s->dims[i] < 0)
            return false;
    return true;
}

int64_t om_shape_numel(const om_shape *s)
{
    if (!om_shape_is_static(s))
        return -1;
    int64_t n = 1;
    for (int i = 0; i < s->rank; i++) {
        if (s->dims[i] != 0 && n > INT64_MAX / s->dims[i])
            return -1; /* overflow: not a usable static size */
        n *= s->dims[i];
    }
    return n;
}

bool om_shape_equal(const om_shape *a, const om_shape *b)
{
    if (!a || !b || a->rank != b->rank)
        return false;
    if (a->rank < 0 || a->rank > OM_MAX_RANK)
        return a->rank == b->rank;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i])
            return false;
    return true;
}
