/* aclInit/aclFinalize, aclGetRecentErrMsg, version, and the native-status to ACL_ERROR_*
 * mapping. aclFinalize also unloads the models still loaded (after the runtime has drained
 * every stream). A second aclFinalize is ACL_ERROR_REPEAT_FINALIZE. */
#include <stdarg.h>
#include <stdio.h>

#include "runtime/acl/acl_internal.h"

static int finalized;   /* guarded by om_rt_g.lock */

aclError om_acl_status(omrt_status st)
{
    switch (st) {
    case OMRT_OK: return ACL_SUCCESS;
    case OMRT_ERR_INVALID_ARGUMENT: return ACL_ERROR_INVALID_PARAM;
    case OMRT_ERR_INVALID_ARTIFACT: return ACL_ERROR_PARSE_MODEL;
    case OMRT_ERR_UNSUPPORTED: return ACL_ERROR_FEATURE_UNSUPPORTED;
    case OMRT_ERR_NO_MEMORY: return ACL_ERROR_BAD_ALLOC;
    case OMRT_ERR_IO: return ACL_ERROR_INVALID_FILE;
    case OMRT_ERR_INTERNAL: return ACL_ERROR_INTERNAL_ERROR;
    case OMRT_ERR_NOT_INITIALIZED: return ACL_ERROR_UNINITIALIZE;
    case OMRT_ERR_ALREADY: return ACL_ERROR_REPEAT_INITIALIZE;
    case OMRT_ERR_TIMEOUT: return ACL_ERROR_WAIT_CALLBACK_TIMEOUT;
    case OMRT_ERR_INVALID_DEVICE: return ACL_ERROR_INVALID_DEVICE;
    case OMRT_ERR_INVALID_HANDLE: return ACL_ERROR_INVALID_RESOURCE_HANDLE;
    case OMRT_ERR_NOT_SUBSCRIBED: return ACL_ERROR_STREAM_NOT_SUBSCRIBE;
    case OMRT_ERR_THREAD_NOT_SUBSCRIBED: return ACL_ERROR_THREAD_NOT_SUBSCRIBE;
    case OMRT_ERR_TASK_FAILED: return ACL_ERROR_RT_FAILURE;
    case OMRT_ERR_EXECUTION: return ACL_ERROR_GE_FAILURE;
    }
    return ACL_ERROR_INTERNAL_ERROR;
}

aclError om_acl_status_file(omrt_status st, aclError io, aclError artifact)
{
    return st == OMRT_ERR_IO ? io : st == OMRT_ERR_INVALID_ARTIFACT ? artifact : om_acl_status(st);
}

aclError om_acl_fail(aclError code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    om_rt_error(OMRT_ERR_INVALID_ARGUMENT, "%s", msg);
    return code;
}

ACL_FUNC_VISIBILITY aclError aclInit(const char *configPath)
{
    omrt_status st = omrt_init(configPath);
    if (st == OMRT_OK) {
        pthread_mutex_lock(&om_rt_g.lock);
        finalized = 0;
        pthread_mutex_unlock(&om_rt_g.lock);
    }
    return om_acl_status_file(st, ACL_ERROR_INVALID_FILE, ACL_ERROR_PARSE_FILE);
}

ACL_FUNC_VISIBILITY aclError aclFinalize(void)
{
    pthread_mutex_lock(&om_rt_g.lock);
    int again = finalized && !om_rt_g.initialized;
    pthread_mutex_unlock(&om_rt_g.lock);
    if (again)
        return om_acl_fail(ACL_ERROR_REPEAT_FINALIZE, "aclFinalize: already finalized");
    omrt_status st = omrt_finalize();
    if (st != OMRT_OK)
        return om_acl_status(st);
    om_acl_models_unload_all();
    pthread_mutex_lock(&om_rt_g.lock);
    finalized = 1;
    pthread_mutex_unlock(&om_rt_g.lock);
    return ACL_SUCCESS;
}

ACL_FUNC_VISIBILITY const char *aclGetRecentErrMsg(void)
{
    return omrt_last_error();
}

ACL_FUNC_VISIBILITY aclError aclrtGetVersion(int32_t *majorVersion, int32_t *minorVersion,
                                             int32_t *patchVersion)
{
    if (!majorVersion || !minorVersion || !patchVersion)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtGetVersion: NULL argument");
    *majorVersion = ACL_MAJOR_VERSION;
    *minorVersion = ACL_MINOR_VERSION;
    *patchVersion = ACL_PATCH_VERSION;
    return ACL_SUCCESS;
}
