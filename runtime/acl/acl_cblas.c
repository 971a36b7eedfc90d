/* libacl_cblas.so: AscendCL applications commonly link acl_cblas even when they only run
 * models. omc offers no BLAS offload; the library exists so such programs link, and exports
 * one function naming itself. */
__attribute__((visibility("default"))) const char *omc_acl_cblas_library(void)
{
    return "omc libacl_cblas (no BLAS operations)";
}
