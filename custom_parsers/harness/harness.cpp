/*
 * harness.cpp -- calls parsers in libnvdsinfer_alpr.so through nvinfer's own C++ ABI, for ctypes.
 *
 * nvinfer dlopen()s custom-lib-path, dlsym()s the function named by parse-bbox-func-name /
 * parse-classifier-func-name and calls it with std::vector<NvDsInferLayerInfo>,
 * NvDsInferNetworkInfo and NvDsInferParseDetectionParams (or a float threshold). This harness
 * does the same, taking plain C structs from Python and returning plain C structs, so the tests
 * exercise exactly the symbol and layout nvinfer would. Python side: alpr_gen/nvinfer/bridge.py.
 *
 * Built once per layout (-DALPR_DS_ABI=6 or 9, like the library): detections come back in
 * AlprHDet, which always has the 7 fields of the 9.x layout (rotation_angle 0 on the 6.x one).
 * alpr_h_open refuses a library built for the other layout (AlprParserAbi / AlprParserObjectSize).
 */
#include <dlfcn.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "alpr_nvdsinfer_abi.h"
#include "nvinfer_nms.h"

extern "C" {

typedef struct {
    int dataType;
    unsigned numDims;
    unsigned d[NVDSINFER_MAX_DIMS];
    unsigned numElements;
    const void *buffer;
    int isInput;
    const char *name;
} AlprHLayer;

typedef struct {
    unsigned classId;
    float left, top, width, height, confidence;
    float rotation_angle; /* 0 on the 6.x layout, which has no such field */
} AlprHDet;

typedef struct {
    unsigned index;
    unsigned value;
    float confidence;
    int hasLabel;
    char label[256];
} AlprHAttr;

}  // extern "C"

namespace {

thread_local std::string t_error;

std::vector<NvDsInferLayerInfo> toLayers(const AlprHLayer *in, int n)
{
    std::vector<NvDsInferLayerInfo> layers;
    for (int i = 0; i < n; ++i) {
        NvDsInferLayerInfo l;
        std::memset(&l, 0, sizeof l);
        l.dataType = static_cast<NvDsInferDataType>(in[i].dataType);
        l.inferDims.numDims = in[i].numDims;
        for (int k = 0; k < NVDSINFER_MAX_DIMS; ++k) l.inferDims.d[k] = in[i].d[k];
        l.inferDims.numElements = in[i].numElements;
        l.bindingIndex = i + 1;
        l.layerName = in[i].name;
        l.buffer = const_cast<void *>(in[i].buffer);
        l.isInput = in[i].isInput;
        layers.push_back(l);
    }
    return layers;
}

void fillParams(NvDsInferParseDetectionParams &p, unsigned numClasses, const float *pre, int nPre,
                const float *post, int nPost)
{
    p.numClassesConfigured = numClasses;
    p.perClassPreclusterThreshold.assign(pre, pre + (nPre > 0 ? nPre : 0));
    p.perClassPostclusterThreshold.assign(post, post + (nPost > 0 ? nPost : 0));
}

int copyDets(const std::vector<NvDsInferObjectDetectionInfo> &objs, AlprHDet *out, int cap)
{
    const int n = static_cast<int>(objs.size());
    for (int i = 0; i < n && i < cap; ++i) {
        out[i].classId = objs[i].classId;
        out[i].left = objs[i].left;
        out[i].top = objs[i].top;
        out[i].width = objs[i].width;
        out[i].height = objs[i].height;
        out[i].confidence = objs[i].detectionConfidence;
#if ALPR_DS_ABI >= 9
        out[i].rotation_angle = objs[i].rotation_angle;
#else
        out[i].rotation_angle = 0.0f;
#endif
    }
    return n;
}

/* post and topK may be null: 0.0 and -1 (keep all), nvinfer's defaults. */
std::vector<nvinfer_nms::ClassParams> nmsParams(unsigned numClasses, const float *pre,
                                                const float *iou, const float *post = nullptr,
                                                const int *topK = nullptr)
{
    std::vector<nvinfer_nms::ClassParams> params(numClasses);
    for (unsigned c = 0; c < numClasses; ++c) {
        params[c].preClusterThreshold = pre[c];
        params[c].nmsIouThreshold = iou[c];
        params[c].postClusterThreshold = post ? post[c] : 0.0f;
        params[c].topK = topK ? topK[c] : -1;
    }
    return params;
}

}  // namespace

extern "C" {

const char *alpr_h_error(void) { return t_error.c_str(); }

/* The layout this harness was built for, and its NvDsInferObjectDetectionInfo size. */
int alpr_h_abi(void) { return ALPR_DS_ABI; }
unsigned alpr_h_object_size(void) { return static_cast<unsigned>(sizeof(NvDsInferObjectDetectionInfo)); }

/* dlopen like nvinfer (RTLD_LAZY is what it uses; RTLD_NOW surfaces missing symbols at once),
 * then refuse a library built for the other layout: its object vector has another stride. */
void *alpr_h_open(const char *path)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        t_error = dlerror();
        return nullptr;
    }
    auto abi = reinterpret_cast<int (*)(void)>(dlsym(h, "AlprParserAbi"));
    auto size = reinterpret_cast<unsigned (*)(void)>(dlsym(h, "AlprParserObjectSize"));
    if (!abi || !size) {
        t_error = "the library does not say which parser ABI it was built for (no AlprParserAbi)";
        dlclose(h);
        return nullptr;
    }
    if (abi() != ALPR_DS_ABI || size() != sizeof(NvDsInferObjectDetectionInfo)) {
        t_error = "the library was built for parser ABI " + std::to_string(abi()) + " (" +
                  std::to_string(size()) + "-byte objects), this harness for ABI " +
                  std::to_string(ALPR_DS_ABI) + " (" +
                  std::to_string(sizeof(NvDsInferObjectDetectionInfo)) + "-byte objects)";
        dlclose(h);
        return nullptr;
    }
    return h;
}

void *alpr_h_symbol(void *handle, const char *name)
{
    dlerror();
    void *f = dlsym(handle, name);
    if (!f) {
        const char *e = dlerror();
        t_error = e ? e : "symbol is null";
    }
    return f;
}

int alpr_h_close(void *handle) { return dlclose(handle); }

/* Calls a bbox parser. Returns 1 (parser returned true) or 0 (false); *count = objects
 * produced (only the first `cap` are copied to `out`). */
int alpr_h_parse_bbox(void *fn, const AlprHLayer *layers, int nLayers, unsigned netW,
                      unsigned netH, unsigned netC, unsigned numClasses, const float *pre,
                      int nPre, const float *post, int nPost, AlprHDet *out, int cap, int *count)
{
    auto parse = reinterpret_cast<NvDsInferParseCustomFunc>(fn);
    const std::vector<NvDsInferLayerInfo> layerInfo = toLayers(layers, nLayers);
    const NvDsInferNetworkInfo net{netW, netH, netC};
    NvDsInferParseDetectionParams params;
    fillParams(params, numClasses, pre, nPre, post, nPost);
    std::vector<NvDsInferObjectDetectionInfo> objects;
    const bool ok = parse(layerInfo, net, params, objects);
    *count = copyDets(objects, out, cap);
    return ok ? 1 : 0;
}

/* nvinfer's cluster-mode=2 over detections: per-class pre-cluster, IoU and post-cluster
 * thresholds and topk (post and topK may be null). */
int alpr_h_nms(const AlprHDet *in, int n, unsigned numClasses, const float *pre, const float *iou,
               const float *post, const int *topK, AlprHDet *out, int cap)
{
    std::vector<NvDsInferObjectDetectionInfo> objs(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
        NvDsInferObjectDetectionInfo &o = objs[i];
        o.classId = in[i].classId;
        o.left = in[i].left;
        o.top = in[i].top;
        o.width = in[i].width;
        o.height = in[i].height;
        o.detectionConfidence = in[i].confidence;
#if ALPR_DS_ABI >= 9
        o.rotation_angle = in[i].rotation_angle;
#endif
    }
    return copyDets(nvinfer_nms::clusterNms(objs, nmsParams(numClasses, pre, iou, post, topK)),
                    out, cap);
}

/* Calls a classifier parser; frees each attributeLabel with free() after copying it, as nvinfer
 * does. Returns 1/0 like the parser; *count = attributes produced. attrString is copied
 * (truncated to strCap - 1 bytes). */
int alpr_h_parse_classifier(void *fn, const AlprHLayer *layers, int nLayers, unsigned netW,
                            unsigned netH, unsigned netC, float threshold, AlprHAttr *out,
                            int cap, int *count, char *attrString, int strCap)
{
    auto parse = reinterpret_cast<NvDsInferClassiferParseCustomFunc>(fn);
    const std::vector<NvDsInferLayerInfo> layerInfo = toLayers(layers, nLayers);
    const NvDsInferNetworkInfo net{netW, netH, netC};
    std::vector<NvDsInferAttribute> attrs;
    std::string desc;
    const bool ok = parse(layerInfo, net, threshold, attrs, desc);
    *count = static_cast<int>(attrs.size());
    for (size_t i = 0; i < attrs.size(); ++i) {
        if (static_cast<int>(i) < cap) {
            out[i].index = attrs[i].attributeIndex;
            out[i].value = attrs[i].attributeValue;
            out[i].confidence = attrs[i].attributeConfidence;
            out[i].hasLabel = attrs[i].attributeLabel != nullptr;
            out[i].label[0] = '\0';
            if (attrs[i].attributeLabel) {
                std::strncpy(out[i].label, attrs[i].attributeLabel, sizeof out[i].label - 1);
                out[i].label[sizeof out[i].label - 1] = '\0';
            }
        }
        std::free(attrs[i].attributeLabel);
    }
    if (strCap > 0) {
        std::strncpy(attrString, desc.c_str(), static_cast<size_t>(strCap) - 1);
        attrString[strCap - 1] = '\0';
    }
    return ok ? 1 : 0;
}

/* Times `iters` calls of a bbox parser (optionally followed by nvinfer's NMS with one IoU
 * threshold for all classes). `layers` holds `frames` single-layer frames used in turn: 1 frame
 * keeps the tensor in cache, enough frames to exceed the last-level cache read it from memory.
 * Writes microseconds per call (the best of `repeats` means), objects after parsing and after
 * NMS for the last frame. Returns 1/0 like the parser. */
int alpr_h_bench_bbox(void *fn, const AlprHLayer *layers, int frames, unsigned netW,
                      unsigned netH, unsigned numClasses, const float *pre, int withNms,
                      float iouThreshold, int iters, int repeats, double *usPerCall,
                      int *nParsed, int *nKept)
{
    auto parse = reinterpret_cast<NvDsInferParseCustomFunc>(fn);
    std::vector<std::vector<NvDsInferLayerInfo>> perFrame;
    for (int f = 0; f < frames; ++f) perFrame.push_back(toLayers(layers + f, 1));
    const NvDsInferNetworkInfo net{netW, netH, 3};
    NvDsInferParseDetectionParams params;
    fillParams(params, numClasses, pre, static_cast<int>(numClasses), pre, 0);
    std::vector<float> ious(numClasses, iouThreshold);
    const auto nms = nmsParams(numClasses, pre, ious.data());
    std::vector<NvDsInferObjectDetectionInfo> objects;
    bool ok = true;
    double best = 1e300;
    size_t kept = 0;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < iters; ++i) {
            ok = parse(perFrame[i % frames], net, params, objects) && ok;
            if (withNms) kept = nvinfer_nms::clusterNms(objects, nms).size();
        }
        const auto t1 = std::chrono::steady_clock::now();
        const double us = std::chrono::duration<double, std::micro>(t1 - t0).count() / iters;
        if (us < best) best = us;
    }
    *usPerCall = best;
    *nParsed = static_cast<int>(objects.size());
    *nKept = withNms ? static_cast<int>(kept) : static_cast<int>(objects.size());
    return ok ? 1 : 0;
}

/* The floor: microseconds to read one frame of n floats once (a sum the compiler cannot drop),
 * frames used in turn as above; best of `repeats` means over `iters` passes. */
double alpr_h_bench_read(const float *buf, size_t n, int frames, int iters, int repeats,
                         float *sink)
{
    double best = 1e300;
    float total = 0;
    for (int r = 0; r < repeats; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < iters; ++i) {
            const float *p = buf + static_cast<size_t>(i % frames) * n;
            typedef float v4f __attribute__((vector_size(16)));
            // SIMD sum over 8 independent accumulators: bound by memory, not by add latency.
            v4f acc[8] = {};
            size_t k = 0;
            for (; k + 32 <= n; k += 32)
                for (int j = 0; j < 8; ++j) {
                    v4f v;
                    std::memcpy(&v, p + k + 4 * j, sizeof v);
                    acc[j] += v;
                }
            for (int j = 1; j < 8; ++j) acc[0] += acc[j];
            float lanes[4];
            std::memcpy(lanes, &acc[0], sizeof lanes);
            for (; k < n; ++k) lanes[0] += p[k];
            total += lanes[0] + lanes[1] + lanes[2] + lanes[3];
            asm volatile("" : : "g"(&total) : "memory");
        }
        const auto t1 = std::chrono::steady_clock::now();
        const double us = std::chrono::duration<double, std::micro>(t1 - t0).count() / iters;
        if (us < best) best = us;
    }
    *sink = total;
    return best;
}

}  // extern "C"
