/* ONNX types -> IR dtypes and shapes.
 *
 * dtypes share ONNX's TensorProto.DataType numbers, so the mapping is an identity checked
 * against the IR's list: STRING and numbers the IR does not know (e.g. float8 of later
 * ONNX versions) are unsupported. Shapes: dim_value -> static dim (a negative value is
 * treated as unknown), dim_param -> unknown dim named by the symbol, neither -> unknown;
 * no shape at all -> rank unknown. Ranks above OM_MAX_RANK are unsupported.
 */
#include "frontend/fe_internal.h"

om_status om_fe_dtype(int32_t elem_type, const char *what, om_dtype *out)
{
    *out = OM_DT_UNDEFINED;
    if (elem_type == OM_DT_STRING)
        return om_error(OM_ERR_UNSUPPORTED, "%s: string tensors are unsupported", what);
    if (elem_type <= OM_DT_UNDEFINED || elem_type > OM_DT_BFLOAT16 ||
        om_dtype_size((om_dtype)elem_type) == 0)
        return om_error(OM_ERR_UNSUPPORTED, "%s: unsupported element type %d", what, (int)elem_type);
    *out = (om_dtype)elem_type;
    return OM_OK;
}

om_status om_fe_type(om_graph *g, const Onnx__TypeProto *tp, const char *what, om_dtype *dt,
                     om_shape *shape)
{
    *dt = OM_DT_UNDEFINED;
    *shape = om_shape_unknown();
    if (!tp)
        return OM_OK; /* no type recorded: leave it to inference */
    if (tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type)
        return om_error(OM_ERR_UNSUPPORTED, "%s: only tensor types are supported (type case %d)",
                        what, (int)tp->value_case);
    const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
    if (tt->has_elem_type && tt->elem_type != 0) {
        om_status st = om_fe_dtype(tt->elem_type, what, dt);
        if (st != OM_OK)
            return st;
    }
    if (!tt->shape)
        return OM_OK;
    if (tt->shape->n_dim > OM_MAX_RANK)
        return om_error(OM_ERR_UNSUPPORTED, "%s: rank %zu exceeds the maximum rank %d", what,
                        tt->shape->n_dim, OM_MAX_RANK);
    om_shape s = om_shape_unknown();
    s.rank = (int)tt->shape->n_dim;
    for (int i = 0; i < s.rank; i++) {
        const Onnx__TensorShapeProto__Dimension *d = tt->shape->dim[i];
        s.dims[i] = OM_DIM_UNKNOWN;
        s.syms[i] = NULL;
        if (!d)
            continue;
        if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE) {
            if (d->dim_value >= 0)
                s.dims[i] = d->dim_value;
        } else if (d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
                   d->dim_param && d->dim_param[0]) {
            s.syms[i] = om_graph_strdup(g, d->dim_param);
            if (!s.syms[i])
                return om_error(OM_ERR_NO_MEMORY, "%s: out of memory", what);
        }
    }
    *shape = s;
    return OM_OK;
}
