// An AscendCL inference program, written the way AscendCL samples are: init, set device,
// create a context and a stream, load the model from a file, describe it, build input and
// output datasets over device buffers, copy the input in, execute, copy the output back,
// print the top-5 classes, and tear everything down in reverse order.
// Builds unchanged against Ascend's toolkit or omc's install prefix (see CMakeLists.txt).
//
// Usage: acl_sample <model.om> <input.bin> [config.json]
//   input.bin: the raw bytes of input 0 (its size must equal the model's input size)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <vector>

#include "acl/acl.h"

#define INFO_LOG(fmt, ...) fprintf(stdout, "[INFO]  " fmt "\n", ##__VA_ARGS__)
#define ERROR_LOG(fmt, ...) fprintf(stderr, "[ERROR] " fmt "\n", ##__VA_ARGS__)

#define CHECK_ACL(call)                                                                      \
    do {                                                                                     \
        aclError ret_ = (call);                                                              \
        if (ret_ != ACL_SUCCESS) {                                                           \
            ERROR_LOG("%s failed, errorCode = %d: %s", #call, static_cast<int>(ret_),         \
                      aclGetRecentErrMsg());                                                 \
            return false;                                                                    \
        }                                                                                    \
    } while (0)

class SampleProcess {
public:
    SampleProcess(const char *modelPath, const char *inputPath, const char *configPath)
        : modelPath_(modelPath), inputPath_(inputPath), configPath_(configPath)
    {
    }

    ~SampleProcess() { DestroyResource(); }

    bool InitResource()
    {
        CHECK_ACL(aclInit(configPath_));
        aclInited_ = true;
        CHECK_ACL(aclrtSetDevice(deviceId_));
        deviceSet_ = true;
        INFO_LOG("open device %d success", deviceId_);
        CHECK_ACL(aclrtCreateContext(&context_, deviceId_));
        CHECK_ACL(aclrtCreateStream(&stream_));
        CHECK_ACL(aclrtGetRunMode(&runMode_));
        INFO_LOG("get run mode success: %s", runMode_ == ACL_HOST ? "ACL_HOST" : "ACL_DEVICE");
        return true;
    }

    bool LoadModel()
    {
        CHECK_ACL(aclmdlLoadFromFile(modelPath_, &modelId_));
        modelLoaded_ = true;
        modelDesc_ = aclmdlCreateDesc();
        if (modelDesc_ == nullptr) {
            ERROR_LOG("create model description failed");
            return false;
        }
        CHECK_ACL(aclmdlGetDesc(modelDesc_, modelId_));
        INFO_LOG("load model %s success, modelId = %u, %zu input(s), %zu output(s)", modelPath_,
                 modelId_, aclmdlGetNumInputs(modelDesc_), aclmdlGetNumOutputs(modelDesc_));
        return true;
    }

    bool CreateDatasets()
    {
        input_ = aclmdlCreateDataset();
        output_ = aclmdlCreateDataset();
        if (input_ == nullptr || output_ == nullptr) {
            ERROR_LOG("create dataset failed");
            return false;
        }
        for (size_t i = 0; i < aclmdlGetNumInputs(modelDesc_); ++i) {
            size_t size = aclmdlGetInputSizeByIndex(modelDesc_, i);
            void *buf = nullptr;
            CHECK_ACL(aclrtMalloc(&buf, size, ACL_MEM_MALLOC_HUGE_FIRST));
            inputBufs_.push_back(buf);
            aclDataBuffer *db = aclCreateDataBuffer(buf, size);
            if (db == nullptr) {
                ERROR_LOG("create input data buffer failed");
                return false;
            }
            CHECK_ACL(aclmdlAddDatasetBuffer(input_, db));
        }
        for (size_t i = 0; i < aclmdlGetNumOutputs(modelDesc_); ++i) {
            size_t size = aclmdlGetOutputSizeByIndex(modelDesc_, i);
            void *buf = nullptr;
            CHECK_ACL(aclrtMalloc(&buf, size, ACL_MEM_MALLOC_HUGE_FIRST));
            outputBufs_.push_back(buf);
            aclDataBuffer *db = aclCreateDataBuffer(buf, size);
            if (db == nullptr) {
                ERROR_LOG("create output data buffer failed");
                return false;
            }
            CHECK_ACL(aclmdlAddDatasetBuffer(output_, db));
        }
        return true;
    }

    bool ReadInput()
    {
        std::ifstream f(inputPath_, std::ios::binary);
        if (!f) {
            ERROR_LOG("cannot open input file %s", inputPath_);
            return false;
        }
        std::vector<char> data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        size_t need = aclmdlGetInputSizeByIndex(modelDesc_, 0);
        if (data.size() != need) {
            ERROR_LOG("input file %s has %zu bytes, the model's input 0 (%s) needs %zu",
                      inputPath_, data.size(), aclmdlGetInputNameByIndex(modelDesc_, 0), need);
            return false;
        }
        aclrtMemcpyKind kind = runMode_ == ACL_HOST ? ACL_MEMCPY_HOST_TO_DEVICE
                                                    : ACL_MEMCPY_DEVICE_TO_DEVICE;
        CHECK_ACL(aclrtMemcpy(inputBufs_[0], need, data.data(), need, kind));
        return true;
    }

    bool Execute()
    {
        CHECK_ACL(aclmdlExecute(modelId_, input_, output_));
        INFO_LOG("model execute success");
        return true;
    }

    bool PrintTop5()
    {
        aclDataType type = aclmdlGetOutputDataType(modelDesc_, 0);
        if (type != ACL_FLOAT) {
            ERROR_LOG("output 0 has data type %d, this sample prints float outputs",
                      static_cast<int>(type));
            return false;
        }
        size_t size = aclmdlGetOutputSizeByIndex(modelDesc_, 0);
        std::vector<float> host(size / sizeof(float));
        aclrtMemcpyKind kind = runMode_ == ACL_HOST ? ACL_MEMCPY_DEVICE_TO_HOST
                                                    : ACL_MEMCPY_DEVICE_TO_DEVICE;
        CHECK_ACL(aclrtMemcpy(host.data(), size, outputBufs_[0], size, kind));
        std::vector<size_t> order(host.size());
        for (size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::stable_sort(order.begin(), order.end(),
                         [&](size_t a, size_t b) { return host[a] > host[b]; });
        aclmdlIODims dims;
        CHECK_ACL(aclmdlGetOutputDims(modelDesc_, 0, &dims));
        INFO_LOG("output %s: %zu values", dims.name, host.size());
        for (size_t k = 0; k < 5 && k < order.size(); ++k)
            printf("top %zu: index[%zu] value[%.6f]\n", k + 1, order[k], host[order[k]]);
        return true;
    }

    void DestroyResource()
    {
        for (aclmdlDataset *ds : {input_, output_}) {
            if (ds == nullptr)
                continue;
            for (size_t i = 0; i < aclmdlGetDatasetNumBuffers(ds); ++i)
                (void)aclDestroyDataBuffer(aclmdlGetDatasetBuffer(ds, i));
            (void)aclmdlDestroyDataset(ds);
        }
        input_ = output_ = nullptr;
        for (void *b : inputBufs_)
            (void)aclrtFree(b);
        for (void *b : outputBufs_)
            (void)aclrtFree(b);
        inputBufs_.clear();
        outputBufs_.clear();
        if (modelDesc_ != nullptr) {
            (void)aclmdlDestroyDesc(modelDesc_);
            modelDesc_ = nullptr;
        }
        if (modelLoaded_) {
            (void)aclmdlUnload(modelId_);
            modelLoaded_ = false;
        }
        if (stream_ != nullptr) {
            (void)aclrtDestroyStream(stream_);
            stream_ = nullptr;
        }
        if (context_ != nullptr) {
            (void)aclrtDestroyContext(context_);
            context_ = nullptr;
        }
        if (deviceSet_) {
            (void)aclrtResetDevice(deviceId_);
            deviceSet_ = false;
        }
        if (aclInited_) {
            (void)aclFinalize();
            aclInited_ = false;
            INFO_LOG("end to finalize acl");
        }
    }

private:
    const char *modelPath_;
    const char *inputPath_;
    const char *configPath_;
    int32_t deviceId_ = 0;
    bool aclInited_ = false, deviceSet_ = false, modelLoaded_ = false;
    aclrtContext context_ = nullptr;
    aclrtStream stream_ = nullptr;
    aclrtRunMode runMode_ = ACL_DEVICE;
    uint32_t modelId_ = 0;
    aclmdlDesc *modelDesc_ = nullptr;
    aclmdlDataset *input_ = nullptr, *output_ = nullptr;
    std::vector<void *> inputBufs_, outputBufs_;
};

int main(int argc, char **argv)
{
    if (argc < 3) {
        ERROR_LOG("usage: %s <model.om> <input.bin> [config.json]", argv[0]);
        return 2;
    }
    SampleProcess sample(argv[1], argv[2], argc > 3 ? argv[3] : nullptr);
    bool ok = sample.InitResource() && sample.LoadModel() && sample.CreateDatasets() &&
              sample.ReadInput() && sample.Execute() && sample.PrintTop5();
    sample.DestroyResource();
    return ok ? 0 : 1;
}
