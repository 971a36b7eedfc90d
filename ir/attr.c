/* Node attributes: setters (replace by name, copy arrays and strings into the arena),
 * removal, and typed getters with defaults.
 *
 * n->attrs is reallocated in the arena on every addition (nodes carry few attributes),
 * so attribute pointers obtained earlier stay valid but may be stale after a set.
 * A tensor attribute holds a constant value that is not listed in g->values: setting one
 * makes a detached copy; when the constant passed in is the last value of the graph and
 * otherwise unused (the usual add_constant-then-set_tensor sequence), it is also taken
 * out of g->values so it does not linger as a graph constant.
 */
#include <string.h>

#include "ir/graph_impl.h"

static int find_attr(const om_node *n, const char *name)
{
    if (!n || !name)
        return -1;
    for (int i = 0; i < n->n_attrs; i++)
        if (n->attrs[i].name && strcmp(n->attrs[i].name, name) == 0)
            return i;
    return -1;
}

/* Finds the slot for `name` (existing one cleared, or a new one) and stores it in *out. */
static om_status slot(om_graph *g, om_node *n, const char *name, om_attr_kind kind, om_attr **out)
{
    *out = NULL;
    if (!g || !n || !name)
        return om_error(OM_ERR_INVALID_ARGUMENT, "setting attribute '%s': NULL argument", name ? name : "");
    char desc[256];
    int i = find_attr(n, name);
    om_attr *a;
    if (i >= 0) {
        a = &n->attrs[i];
    } else {
        if (n->n_attrs < 0 || n->n_attrs >= INT32_MAX - 1)
            return om_error(OM_ERR_INVALID_ARGUMENT, "%s: bad attribute count",
                            om_ir_node_desc(n, desc, sizeof desc));
        om_attr *na = om_graph_alloc(g, (size_t)(n->n_attrs + 1) * sizeof *na);
        const char *nm = om_graph_strdup(g, name);
        if (!na || !nm)
            return om_error(OM_ERR_NO_MEMORY, "%s: out of memory for attribute '%s'",
                            om_ir_node_desc(n, desc, sizeof desc), name);
        if (n->n_attrs)
            memcpy(na, n->attrs, (size_t)n->n_attrs * sizeof *na);
        n->attrs = na;
        a = &na[n->n_attrs++];
        a->name = nm;
    }
    const char *keep = a->name;
    memset(a, 0, sizeof *a);
    a->name = keep;
    a->kind = kind;
    *out = a;
    return OM_OK;
}

static om_status oom(om_node *n, const char *name)
{
    char desc[256];
    return om_error(OM_ERR_NO_MEMORY, "%s: out of memory for attribute '%s'",
                    om_ir_node_desc(n, desc, sizeof desc), name);
}

static om_status bad_count(om_node *n, const char *name, int count, bool null_array)
{
    char desc[256];
    return om_error(OM_ERR_INVALID_ARGUMENT, "%s: attribute '%s': %s",
                    n ? om_ir_node_desc(n, desc, sizeof desc) : "node (null)", name ? name : "",
                    null_array ? "array is NULL" : (count < 0 ? "negative count" : "bad value"));
}

om_status om_node_set_int(om_graph *g, om_node *n, const char *name, int64_t v)
{
    om_attr *a;
    om_status st = slot(g, n, name, OM_ATTR_INT, &a);
    if (st != OM_OK)
        return st;
    a->i = v;
    return OM_OK;
}

om_status om_node_set_float(om_graph *g, om_node *n, const char *name, float v)
{
    om_attr *a;
    om_status st = slot(g, n, name, OM_ATTR_FLOAT, &a);
    if (st != OM_OK)
        return st;
    a->f = v;
    return OM_OK;
}

om_status om_node_set_string(om_graph *g, om_node *n, const char *name, const char *v)
{
    if (!v)
        return bad_count(n, name, 0, true);
    const char *copy = om_graph_strdup(g, v);
    if (!copy)
        return g ? oom(n, name) : bad_count(n, name, 0, true);
    om_attr *a;
    om_status st = slot(g, n, name, OM_ATTR_STRING, &a);
    if (st != OM_OK)
        return st;
    a->s = copy;
    return OM_OK;
}

om_status om_node_set_ints(om_graph *g, om_node *n, const char *name, const int64_t *v, int count)
{
    if (count < 0 || (count > 0 && !v))
        return bad_count(n, name, count, count > 0);
    int64_t *copy = om_graph_alloc(g, (size_t)count * sizeof *copy);
    if (!copy)
        return g ? oom(n, name) : bad_count(n, name, 0, true);
    if (count)
        memcpy(copy, v, (size_t)count * sizeof *copy);
    om_attr *a;
    om_status st = slot(g, n, name, OM_ATTR_INTS, &a);
    if (st != OM_OK)
        return st;
    a->ints = copy;
    a->count = count;
    return OM_OK;
}

om_status om_node_set_floats(om_graph *g, om_node *n, const char *name, const float *v, int count)
{
    if (count < 0 || (count > 0 && !v))
        return bad_count(n, name, count, count > 0);
    float *copy = om_graph_alloc(g, (size_t)count * sizeof *copy);
    if (!copy)
        return g ? oom(n, name) : bad_count(n, name, 0, true);
    if (count)
        memcpy(copy, v, (size_t)count * sizeof *copy);
    om_attr *a;
    om_status st = slot(g, n, name, OM_ATTR_FLOATS, &a);
    if (st != OM_OK)
        return st;
    a->floats = copy;
    a->count = count;
    return OM_OK;
}

om_status om_node_set_strings(om_graph *g, om_node *n, const char *name, const char *const *v,
                              int count)
{
    if (count < 0 || (count > 0 && !v))
        return bad_count(n, name, count, count > 0);
    const char **copy = om_graph_alloc(g, (size_t)count * sizeof *copy);
    if (!copy)
        return g ? oom(n, name) : bad_count(n, name, 0, true);
    for (int i = 0; i < count; i++) {
        if (!v[i])
            return bad_count(n, name, 0, true);
        copy[i] = om_graph_strdup(g, v[i]);
        if (!copy[i])
            return oom(n, name);
    }
    om_attr *a;
    om_status st = slot(g, n, name, OM_ATTR_STRINGS, &a);
    if (st != OM_OK)
        return st;
    a->strings = copy;
    a->count = count;
    return OM_OK;
}

om_status om_node_set_tensor(om_graph *g, om_node *n, const char *name, om_value *constant)
{
    char desc[256];
    if (!g || !n || !name || !constant)
        return om_error(OM_ERR_INVALID_ARGUMENT, "setting tensor attribute '%s': NULL argument",
                        name ? name : "");
    if (constant->kind != OM_VALUE_CONSTANT)
        return om_error(OM_ERR_INVALID_ARGUMENT, "%s: tensor attribute '%s': value '%s' is not a constant",
                        om_ir_node_desc(n, desc, sizeof desc), name, constant->name);
    om_status st;
    om_value *copy = om_ir_new_detached_constant(g, constant->name, constant->dtype, &constant->shape,
                                                 constant->data, constant->nbytes, &st);
    if (!copy)
        return om_error_prefix(st, "%s: tensor attribute '%s'", om_ir_node_desc(n, desc, sizeof desc),
                               name);
    om_attr *a;
    st = slot(g, n, name, OM_ATTR_TENSOR, &a);
    if (st != OM_OK)
        return st;
    a->tensor = copy;
    /* Drop a just-added, unused graph constant (see the file comment). */
    if (g->n_values > 0 && g->values[g->n_values - 1] == constant && !constant->is_output &&
        om_graph_count_uses(g, constant) == 0) {
        om_ir_names_remove(&om_graph_impl_of(g)->names, constant);
        g->n_values--;
        constant->id = UINT32_MAX;
    }
    return OM_OK;
}

om_status om_node_remove_attr(om_node *n, const char *name)
{
    int i = find_attr(n, name);
    if (i < 0) {
        char desc[256];
        return om_error(OM_ERR_INVALID_ARGUMENT, "%s: no attribute '%s'",
                        n ? om_ir_node_desc(n, desc, sizeof desc) : "node (null)", name ? name : "");
    }
    memmove(&n->attrs[i], &n->attrs[i + 1], (size_t)(n->n_attrs - i - 1) * sizeof *n->attrs);
    n->n_attrs--;
    return OM_OK;
}

const om_attr *om_node_attr(const om_node *n, const char *name)
{
    int i = find_attr(n, name);
    return i < 0 ? NULL : &n->attrs[i];
}

int64_t om_node_int(const om_node *n, const char *name, int64_t dflt)
{
    const om_attr *a = om_node_attr(n, name);
    return a && a->kind == OM_ATTR_INT ? a->i : dflt;
}

float om_node_float(const om_node *n, const char *name, float dflt)
{
    const om_attr *a = om_node_attr(n, name);
    return a && a->kind == OM_ATTR_FLOAT ? a->f : dflt;
}

const char *om_node_string(const om_node *n, const char *name, const char *dflt)
{
    const om_attr *a = om_node_attr(n, name);
    return a && a->kind == OM_ATTR_STRING ? a->s : dflt;
}

int om_node_ints(const om_node *n, const char *name, const int64_t **out)
{
    const om_attr *a = om_node_attr(n, name);
    if (!a || a->kind != OM_ATTR_INTS) {
        if (out)
            *out = NULL;
        return -1;
    }
    if (out)
        *out = a->ints;
    return a->count;
}
