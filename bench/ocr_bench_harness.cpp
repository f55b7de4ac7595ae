/*
 * ocr_bench_harness.cpp -- the timing loop of bench/bench_ocr.py: calls NvDsInferParseAlprOcr in
 * a built libnvdsinfer_alpr.so (dlopen()ed) the way nvinfer does, many times, in C++, so the
 * figure is the parser's and not ctypes'. Correctness is tested through
 * alpr_gen.nvinfer.bridge in tests/ocr. Built with -DALPR_DS_ABI=9 (the classifier ABI is the same
 * in every layout).
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
    return g_parse && g_load ? 0 : -2;
}

int ocr_harness_load_config(const char *path) { return g_load(path); }

/* Reference for the same run: one pass summing `n` floats (reading a [T, C] buffer once). */
double ocr_harness_time_read(const float *buf, size_t n, int iterations, float *sink)
{
    float acc = 0.0f;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i) {
        for (size_t k = 0; k < n; ++k) acc += buf[k];
        __asm__ volatile("" : "+r"(acc));
    }
    const auto t1 = std::chrono::steady_clock::now();
    *sink = acc;
    return std::chrono::duration<double, std::nano>(t1 - t0).count() / iterations;
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
