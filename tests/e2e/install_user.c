/* A user's program against an installed omc runtime: includes only <omrt.h>, links only
 * -lomrt. Loads MODEL.om, runs it once on zeros and prints each output's name and first
 * value. Built and run by tools_test.sh's `install` case, against the installed prefix.
 */
#include <omrt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: install_user MODEL.om\n");
        return 2;
    }
    omrt_model *m = NULL;
    omrt_context *c = NULL;
    void *in[16] = {0}, *out[16] = {0};
    int rc = 1;
    if (omrt_model_load_file(argv[1], &m) != OMRT_OK) {
        fprintf(stderr, "load: %s\n", omrt_last_error());
        return 1;
    }
    size_t ni = omrt_model_num_inputs(m), no = omrt_model_num_outputs(m);
    if (ni > 16 || no > 16)
        goto done;
    for (size_t i = 0; i < ni; i++)
        in[i] = calloc(1, omrt_model_input(m, i)->nbytes + 1);
    for (size_t i = 0; i < no; i++)
        out[i] = calloc(1, omrt_model_output(m, i)->nbytes + 1);
    omrt_context_opts opts = {.threads = 1};
    if (omrt_context_create(m, &opts, &c) != OMRT_OK ||
        omrt_execute(c, (const void *const *)in, out) != OMRT_OK) {
        fprintf(stderr, "run: %s\n", omrt_last_error());
        goto done;
    }
    for (size_t i = 0; i < no; i++) {
        const omrt_tensor_info *t = omrt_model_output(m, i);
        float v = 0;
        if (t->dtype == 1 && t->nbytes >= 4)
            memcpy(&v, out[i], 4);
        printf("output %zu '%s' rank %d, first value %g\n", i, t->name, (int)t->rank, v);
    }
    rc = 0;
done:
    for (size_t i = 0; i < 16; i++) {
        free(in[i]);
        free(out[i]);
    }
    omrt_context_destroy(c);
    omrt_model_destroy(m);
    return rc;
}
