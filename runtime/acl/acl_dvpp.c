/* libacl_dvpp.so: AscendCL applications commonly link acl_dvpp even when they only run
 * models. omc offers no media preprocessing; the library exists so such programs link, and
 * exports one function naming itself. */
__attribute__((visibility("default"))) const char *omc_acl_dvpp_library(void)
{
    return "omc libacl_dvpp (no media operations)";
}
