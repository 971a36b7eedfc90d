/* AscendCL devices, contexts, streams, events, callbacks and exception info over the native
 * execution model (handles are the native objects). aclrtLaunchCallback needs a report
 * thread subscribed to the stream (AscendCL's rule); the callback then runs in that thread's
 * aclrtProcessReport. The exception callback receives a struct rtExceptionInfo built from the
 * failed task (device, stream, task and thread ids, status). */
#define _GNU_SOURCE
#include <unistd.h>

#include "runtime/acl/acl_internal.h"

struct rtExceptionInfo {
    uint32_t taskid;
    uint32_t streamid;
    uint32_t tid;
    uint32_t deviceid;
    uint32_t retcode;
};

static aclrtExceptionInfoCallback user_exception_fn;   /* under om_rt_g.lock */

ACL_FUNC_VISIBILITY aclError aclrtSetDevice(int32_t deviceId)
{
    return om_acl_status(omrt_device_set(deviceId));
}

ACL_FUNC_VISIBILITY aclError aclrtResetDevice(int32_t deviceId)
{
    return om_acl_status(omrt_device_reset(deviceId));
}

ACL_FUNC_VISIBILITY aclError aclrtGetDevice(int32_t *deviceId)
{
    if (!deviceId)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtGetDevice: NULL deviceId");
    omrt_devctx *c;
    omrt_status st = omrt_devctx_get_current(&c);
    if (st == OMRT_OK)
        *deviceId = omrt_devctx_device(c);
    return om_acl_status(st);
}

ACL_FUNC_VISIBILITY aclError aclrtGetDeviceCount(uint32_t *count)
{
    if (!count)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtGetDeviceCount: NULL count");
    omrt_status st = om_rt_check_init("aclrtGetDeviceCount");
    if (st == OMRT_OK)
        *count = (uint32_t)omrt_device_count();
    return om_acl_status(st);
}

ACL_FUNC_VISIBILITY aclError aclrtGetRunMode(aclrtRunMode *runMode)
{
    if (!runMode)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtGetRunMode: NULL runMode");
    omrt_status st = om_rt_check_init("aclrtGetRunMode");
    if (st == OMRT_OK)
        *runMode = ACL_HOST;
    return om_acl_status(st);
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeDevice(void)
{
    return om_acl_status(omrt_device_synchronize());
}

ACL_FUNC_VISIBILITY aclError aclrtCreateContext(aclrtContext *context, int32_t deviceId)
{
    if (!context)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtCreateContext: NULL context");
    return om_acl_status(omrt_devctx_create(deviceId, (omrt_devctx **)context));
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyContext(aclrtContext context)
{
    return om_acl_status(omrt_devctx_destroy((omrt_devctx *)context));
}

ACL_FUNC_VISIBILITY aclError aclrtSetCurrentContext(aclrtContext context)
{
    if (!context)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtSetCurrentContext: NULL context");
    return om_acl_status(omrt_devctx_set_current((omrt_devctx *)context));
}

ACL_FUNC_VISIBILITY aclError aclrtGetCurrentContext(aclrtContext *context)
{
    if (!context)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtGetCurrentContext: NULL context");
    return om_acl_status(omrt_devctx_get_current((omrt_devctx **)context));
}

ACL_FUNC_VISIBILITY aclError aclrtCreateStream(aclrtStream *stream)
{
    if (!stream)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtCreateStream: NULL stream");
    return om_acl_status(omrt_stream_create((omrt_stream **)stream));
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyStream(aclrtStream stream)
{
    if (!stream)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtDestroyStream: NULL stream");
    return om_acl_status(omrt_stream_destroy((omrt_stream *)stream));
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeStream(aclrtStream stream)
{
    return om_acl_status(omrt_stream_synchronize((omrt_stream *)stream));
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeStreamWithTimeout(aclrtStream stream, int32_t timeout)
{
    if (timeout < -1)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtSynchronizeStreamWithTimeout: timeout "
                           "%d (expected -1 or >= 0 ms)", (int)timeout);
    return om_acl_status(omrt_stream_synchronize_timeout((omrt_stream *)stream, timeout));
}

ACL_FUNC_VISIBILITY aclError aclrtCreateEvent(aclrtEvent *event)
{
    if (!event)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtCreateEvent: NULL event");
    return om_acl_status(omrt_event_create((omrt_event **)event));
}

ACL_FUNC_VISIBILITY aclError aclrtDestroyEvent(aclrtEvent event)
{
    return om_acl_status(omrt_event_destroy((omrt_event *)event));
}

ACL_FUNC_VISIBILITY aclError aclrtRecordEvent(aclrtEvent event, aclrtStream stream)
{
    return om_acl_status(omrt_event_record((omrt_event *)event, (omrt_stream *)stream));
}

ACL_FUNC_VISIBILITY aclError aclrtResetEvent(aclrtEvent event, aclrtStream stream)
{
    return om_acl_status(omrt_event_reset((omrt_event *)event, (omrt_stream *)stream));
}

ACL_FUNC_VISIBILITY aclError aclrtQueryEventStatus(aclrtEvent event,
                                                   aclrtEventRecordedStatus *status)
{
    if (!status)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtQueryEventStatus: NULL status");
    int done = 0;
    omrt_status st = omrt_event_query((omrt_event *)event, &done);
    if (st == OMRT_OK)
        *status = done ? ACL_EVENT_RECORDED_STATUS_COMPLETE : ACL_EVENT_RECORDED_STATUS_NOT_READY;
    return om_acl_status(st);
}

ACL_FUNC_VISIBILITY aclError aclrtStreamWaitEvent(aclrtStream stream, aclrtEvent event)
{
    return om_acl_status(omrt_stream_wait_event((omrt_stream *)stream, (omrt_event *)event));
}

ACL_FUNC_VISIBILITY aclError aclrtSynchronizeEvent(aclrtEvent event)
{
    return om_acl_status(omrt_event_synchronize((omrt_event *)event));
}

ACL_FUNC_VISIBILITY aclError aclrtEventElapsedTime(float *ms, aclrtEvent startEvent,
                                                   aclrtEvent endEvent)
{
    return om_acl_status(omrt_event_elapsed((omrt_event *)startEvent, (omrt_event *)endEvent, ms));
}

ACL_FUNC_VISIBILITY aclError aclrtLaunchCallback(aclrtCallback fn, void *userData,
                                                 aclrtCallbackBlockType blockType,
                                                 aclrtStream stream)
{
    if (!fn)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtLaunchCallback: NULL fn");
    if (blockType != ACL_CALLBACK_NO_BLOCK && blockType != ACL_CALLBACK_BLOCK)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtLaunchCallback: blockType %d (expected "
                           "ACL_CALLBACK_NO_BLOCK or ACL_CALLBACK_BLOCK)", (int)blockType);
    omrt_stream *s;
    omrt_status st = om_rt_stream_resolve((omrt_stream *)stream, "aclrtLaunchCallback", &s);
    if (st != OMRT_OK)
        return om_acl_status(st);
    pthread_mutex_lock(&s->lock);
    int subscribed = s->report != NULL;
    pthread_mutex_unlock(&s->lock);
    if (!subscribed)
        return om_acl_fail(ACL_ERROR_STREAM_NOT_SUBSCRIBE, "aclrtLaunchCallback: stream %u has no "
                           "report thread (call aclrtSubscribeReport first)", s->id);
    return om_acl_status(omrt_launch_callback(s, fn, userData, blockType == ACL_CALLBACK_BLOCK));
}

ACL_FUNC_VISIBILITY aclError aclrtSubscribeReport(uint64_t threadId, aclrtStream stream)
{
    omrt_status st = omrt_subscribe(threadId, (omrt_stream *)stream);
    return st == OMRT_ERR_ALREADY ? ACL_ERROR_REPEAT_SUBSCRIBE : om_acl_status(st);
}

ACL_FUNC_VISIBILITY aclError aclrtUnSubscribeReport(uint64_t threadId, aclrtStream stream)
{
    return om_acl_status(omrt_unsubscribe(threadId, (omrt_stream *)stream));
}

ACL_FUNC_VISIBILITY aclError aclrtProcessReport(int32_t timeout)
{
    if (timeout < -1)
        return om_acl_fail(ACL_ERROR_INVALID_PARAM, "aclrtProcessReport: timeout %d (expected "
                           "-1 or >= 0 ms)", (int)timeout);
    return om_acl_status(omrt_process_report(timeout));
}

static void exception_adapter(const omrt_exception *e)
{
    pthread_mutex_lock(&om_rt_g.lock);
    aclrtExceptionInfoCallback fn = user_exception_fn;
    pthread_mutex_unlock(&om_rt_g.lock);
    if (!fn)
        return;
    struct rtExceptionInfo info = {e->task_id, e->stream_id, (uint32_t)gettid(), e->device_id,
                                   (uint32_t)om_acl_status(e->status)};
    fn(&info);
}

ACL_FUNC_VISIBILITY aclError aclrtSetExceptionInfoCallback(aclrtExceptionInfoCallback callback)
{
    omrt_status st = omrt_set_exception_callback(callback ? exception_adapter : NULL);
    if (st == OMRT_OK) {
        pthread_mutex_lock(&om_rt_g.lock);
        user_exception_fn = callback;
        pthread_mutex_unlock(&om_rt_g.lock);
    }
    return om_acl_status(st);
}

ACL_FUNC_VISIBILITY uint32_t aclrtGetTaskIdFromExceptionInfo(const aclrtExceptionInfo *info)
{
    return info ? info->taskid : 0xFFFFFFFFu;
}

ACL_FUNC_VISIBILITY uint32_t aclrtGetStreamIdFromExceptionInfo(const aclrtExceptionInfo *info)
{
    return info ? info->streamid : 0xFFFFFFFFu;
}

ACL_FUNC_VISIBILITY uint32_t aclrtGetThreadIdFromExceptionInfo(const aclrtExceptionInfo *info)
{
    return info ? info->tid : 0xFFFFFFFFu;
}

ACL_FUNC_VISIBILITY uint32_t aclrtGetDeviceIdFromExceptionInfo(const aclrtExceptionInfo *info)
{
    return info ? info->deviceid : 0xFFFFFFFFu;
}
