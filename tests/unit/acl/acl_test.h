/* Shared by the AscendCL facade tests: a status check that prints aclGetRecentErrMsg. */
#ifndef OM_ACL_TEST_H
#define OM_ACL_TEST_H

#include <string.h>

#include "runtime/include/acl/acl.h"

#define ACL_EXPECT(call, want, needle)                                                        \
    do {                                                                                      \
        aclError got_ = (call);                                                               \
        if (got_ != (want))                                                                   \
            fail_msg("%s: %d, expected %d (%s)", #call, got_, (int)(want),                    \
                     aclGetRecentErrMsg());                                                   \
        const char *needle_ = (needle);                                                       \
        if (needle_ && !strstr(aclGetRecentErrMsg(), needle_))                                \
            fail_msg("%s: message '%s' lacks '%s'", #call, aclGetRecentErrMsg(), needle_);   \
    } while (0)

#define ACL_OK(call) ACL_EXPECT(call, ACL_SUCCESS, NULL)

#endif
