/*
 * ocr_harness.cpp -- calls NvDsInferParseAlprOcr in a BUILT libnvdsinfer_alpr.so the way nvinfer
 * does (classifier ABI: std::vector<NvDsInferLayerInfo>, std::string&), behind a C API that
 * Python's ctypes can drive. The library is dlopen()ed, never linked, so the exported symbol is
 * what gets tested. Used by tests/ocr and bench/bench_ocr.py.
 */
#include "alpr_nvdsinfer_abi.h"

#include <dlfcn.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

NvDsInferClassiferParseCustomFunc g_parse = nullptr;
int (*g_load)(const char *) = nullptr;
const char *(*g_lastError)(void) = nullptr;
void (*g_setLogging)(int) = nullptr;

struct Result {
    int ok;
    int nattr;
    unsigned index, value;
    float confidence;
};

std::vector<NvDsInferLayerInfo> makeLayers(int n, const int *dtypes, const unsigned *numDims,
                                           const unsigned *dims, const unsigned *numElements,
                                           void *const *buffers, const char *const *names)
{
    std::vector<NvDsInferLayerInfo> layers(n);
    for (int i = 0; i < n; ++i) {
        NvDsInferLayerInfo &l = layers[i];
        std::memset(&l, 0, sizeof l);
        l.dataType = static_cast<NvDsInferDataType>(dtypes[i]);
        l.inferDims.numDims = numDims[i];
        for (int k = 0; k < NVDSINFER_MAX_DIMS; ++k) l.inferDims.d[k] = dims[i * 8 + k];
        l.inferDims.numElements = numElements[i];
        l.bindingIndex = i + 1;
        l.layerName = names[i];
        l.buffer = buffers[i];
        l.isInput = 0;
    }
    return layers;
}

}  // namespace

extern "C" {

/* 0 on success; else -1 (dlopen) or -2 (symbol missing). */
int ocr_harness_open(const char *libPath)
{
    void *h = dlopen(libPath, RTLD_NOW | RTLD_LOCAL);
    if (!h) return -1;
    g_parse = reinterpret_cast<NvDsInferClassiferParseCustomFunc>(
        dlsym(h, "NvDsInferParseAlprOcr"));
    g_load = reinterpret_cast<int (*)(const char *)>(dlsym(h, "AlprOcrLoadConfig"));
    g_lastError = reinterpret_cast<const char *(*)(void)>(dlsym(h, "AlprParserLastError"));
    g_setLogging = reinterpret_cast<void (*)(int)>(dlsym(h, "AlprParserSetStderrLogging"));
    return g_parse && g_load && g_lastError && g_setLogging ? 0 : -2;
}

int ocr_harness_load_config(const char *path) { return g_load(path); }
const char *ocr_harness_last_error(void) { return g_lastError(); }
void ocr_harness_set_logging(int on) { g_setLogging(on); }

/* One call, as nvinfer makes it for one object. The label is copied into `label` (cap bytes),
 * attrString into `desc`; the heap label is free()d here as nvinfer does. */
int ocr_harness_parse(int n, const int *dtypes, const unsigned *numDims, const unsigned *dims,
                      const unsigned *numElements, void *const *buffers, const char *const *names,
                      float threshold, Result *res, char *label, size_t labelCap, char *desc,
                      size_t descCap)
{
    std::vector<NvDsInferLayerInfo> layers =
        makeLayers(n, dtypes, numDims, dims, numElements, buffers, names);
    NvDsInferNetworkInfo net{0, 0, 3};
    std::vector<NvDsInferAttribute> attrs;
    std::string attrString;
    const bool ok = g_parse(layers, net, threshold, attrs, attrString);
    std::memset(res, 0, sizeof *res);
    res->ok = ok ? 1 : 0;
    res->nattr = static_cast<int>(attrs.size());
    label[0] = '\0';
    if (!attrs.empty()) {
        res->index = attrs[0].attributeIndex;
        res->value = attrs[0].attributeValue;
        res->confidence = attrs[0].attributeConfidence;
        if (attrs[0].attributeLabel) std::strncpy(label, attrs[0].attributeLabel, labelCap - 1);
        label[labelCap - 1] = '\0';
    }
    for (NvDsInferAttribute &a : attrs) std::free(a.attributeLabel);
    std::strncpy(desc, attrString.c_str(), descCap - 1);
    desc[descCap - 1] = '\0';
    return ok ? 1 : 0;
}

/* Mean ns per call over `iterations` calls on the same tensors (benchmark). */
double ocr_harness_time(int n, const int *dtypes, const unsigned *numDims, const unsigned *dims,
                        const unsigned *numElements, void *const *buffers,
                        const char *const *names, float threshold, int iterations)
{
    std::vector<NvDsInferLayerInfo> layers =
        makeLayers(n, dtypes, numDims, dims, numElements, buffers, names);
    NvDsInferNetworkInfo net{0, 0, 3};
    std::vector<NvDsInferAttribute> attrs;
    std::string attrString;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i) {
        attrs.clear();
        g_parse(layers, net, threshold, attrs, attrString);
        for (NvDsInferAttribute &a : attrs) std::free(a.attributeLabel);
    }
    const auto t1 = std::chrono::steady_clock::now();
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / iterations;
}

}  // extern "C"
