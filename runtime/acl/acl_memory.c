/* AscendCL memory: aclrtMalloc/aclrtFree (device allocator), aclrtMallocHost/aclrtFreeHost
 * (host allocator), copies and memset with the native checks (wrong side, past the end). */
#include "runtime/acl/acl_internal.h"

ACL_FUNC_VISIBILITY aclError aclrtMalloc(void **devPtr, size_t size, aclrtMemMallocPolicy policy)
{
    if ((unsigned)policy > ACL_MEM_MALLOC_NORMAL_ONLY_P2P)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtMalloc: unknown policy %d", (int)policy);
    return om_acl_status(omrt_malloc_device(size, devPtr));
}

ACL_FUNC_VISIBILITY aclError aclrtFree(void *devPtr)
{
    return om_acl_status(omrt_free_device(devPtr));
}

ACL_FUNC_VISIBILITY aclError aclrtMallocHost(void **hostPtr, size_t size)
{
    return om_acl_status(omrt_malloc_host(size, hostPtr));
}

ACL_FUNC_VISIBILITY aclError aclrtFreeHost(void *hostPtr)
{
    return om_acl_status(omrt_free_host(hostPtr));
}

ACL_FUNC_VISIBILITY aclError aclrtMemset(void *devPtr, size_t maxCount, int32_t value,
                                         size_t count)
{
    return om_acl_status(omrt_memset(devPtr, maxCount, value, count));
}

ACL_FUNC_VISIBILITY aclError aclrtMemsetAsync(void *devPtr, size_t maxCount, int32_t value,
                                              size_t count, aclrtStream stream)
{
    return om_acl_status(omrt_memset_async(devPtr, maxCount, value, count, (omrt_stream *)stream));
}

ACL_FUNC_VISIBILITY aclError aclrtMemcpy(void *dst, size_t destMax, const void *src, size_t count,
                                         aclrtMemcpyKind kind)
{
    return om_acl_status(omrt_memcpy(dst, destMax, src, count, (omrt_copy_kind)kind));
}

ACL_FUNC_VISIBILITY aclError aclrtMemcpyAsync(void *dst, size_t destMax, const void *src,
                                              size_t count, aclrtMemcpyKind kind,
                                              aclrtStream stream)
{
    return om_acl_status(omrt_memcpy_async(dst, destMax, src, count, (omrt_copy_kind)kind,
                                           (omrt_stream *)stream));
}
