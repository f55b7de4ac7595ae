/*
 * fuzz_yolo.cpp -- libFuzzer target for NvDsInferParseAlprYolo (ASan + UBSan via the Makefile):
 *
 *   make -C custom_parsers fuzz FUZZ_TARGETS=fuzz_yolo RUNS=1000000
 *
 * The input describes 0..3 layers (data type 0..7, isInput, 0..9 dims, numElements equal to the
 * dims' product or arbitrary, null buffer), the network size, num-detected-classes and the
 * per-class thresholds; the rest of the bytes fill the buffers. Every buffer is its own heap
 * block of exactly numElements elements (the size nvinfer guarantees), so ASan reports any read
 * past it. Dims are biased towards the shapes the parser accepts ([N, 6], [4+nc, A], leading
 * 1s) so that the parse loops, not just the checks, are exercised.
 * Checked on every call: false => no objects; true => every object has classId <
 * num-detected-classes, a finite confidence > 0 and >= its class threshold, and a box of
 * positive size inside the network input; built for DeepStream 9's layout (ALPR_DS_ABI=9), a
 * rotation_angle of exactly 0.
 */
#include "alpr_common.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

extern "C" bool NvDsInferParseAlprYolo(std::vector<NvDsInferLayerInfo> const &,
                                       NvDsInferNetworkInfo const &,
                                       NvDsInferParseDetectionParams const &,
                                       std::vector<NvDsInferObjectDetectionInfo> &);

namespace {

struct Reader {
    const uint8_t *p;
    size_t n;
    uint8_t byte() { return n ? (--n, *p++) : 0; }
    uint16_t u16() { return static_cast<uint16_t>(byte() | (byte() << 8)); }
    uint32_t u32() { return u16() | (static_cast<uint32_t>(u16()) << 16); }
    float f32()
    {
        uint32_t b = u32();
        float f;
        std::memcpy(&f, &b, 4);
        return f;
    }
};

constexpr size_t kMaxElements = 1u << 18;

unsigned pickDim(Reader &r, unsigned nc)
{
    switch (r.byte() % 8) {
    case 0: return 6;
    case 1: return 4 + nc;
    case 2: return 1;
    case 3: return 0;
    case 4: return r.u32();  // anything, incl. huge (numElements then disagrees)
    default: return r.byte() % 64;
    }
}

[[noreturn]] void fail() { __builtin_trap(); }

// Printed at exit, so a run shows that inputs reach the parse loops, not only the checks.
struct Stats {
    unsigned long calls = 0, accepted = 0, withObjects = 0, objects = 0;
    ~Stats()
    {
        std::fprintf(stderr, "fuzz_yolo: %lu calls, %lu accepted, %lu with objects (%lu objects)\n",
                     calls, accepted, withObjects, objects);
    }
} g_stats;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    AlprParserSetStderrLogging(0);  // errors are still recorded; the log would drown the fuzzer
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Reader r{data, size};
    const unsigned nLayers = r.byte() % 4;
    NvDsInferNetworkInfo net{static_cast<unsigned>(r.u16() % 2048), static_cast<unsigned>(r.u16() % 2048), 3};
    NvDsInferParseDetectionParams params;
    params.numClassesConfigured = r.byte() % 100;
    const unsigned nThr = r.byte() % 100;
    for (unsigned i = 0; i < nThr; ++i) params.perClassPreclusterThreshold.push_back(r.byte() & 1 ? r.f32() : (r.byte() / 255.0f));

    std::vector<std::vector<unsigned char>> buffers(nLayers);
    std::vector<NvDsInferLayerInfo> layers(nLayers);
    for (unsigned k = 0; k < nLayers; ++k) {
        NvDsInferLayerInfo &l = layers[k];
        std::memset(&l, 0, sizeof l);
        const uint8_t flags = r.byte();
        l.dataType = static_cast<NvDsInferDataType>(flags & 1 ? (flags >> 1) % 8 : (flags >> 1) % 2);
        l.isInput = (flags & 0x30) == 0x30;
        l.layerName = "fuzz";
        NvDsInferDims &d = l.inferDims;
        d.numDims = r.byte() % 10;
        const unsigned nc = r.byte() % 90;
        uint64_t product = 1;
        for (unsigned i = 0; i < d.numDims && i < NVDSINFER_MAX_DIMS; ++i) {
            d.d[i] = pickDim(r, nc);
            product = product * d.d[i] > (1ull << 40) ? (1ull << 40) : product * d.d[i];
        }
        const bool honest = (r.byte() % 8) != 0;
        d.numElements = honest ? static_cast<unsigned>(product) : r.u32();
        if (d.numElements > kMaxElements) return 0;  // nvinfer's buffers match numElements
        const size_t elemSize = l.dataType == HALF ? 2 : l.dataType == INT8 || l.dataType == UINT8 ? 1 : l.dataType == INT64 ? 8 : 4;
        if ((flags & 0xc0) == 0xc0) continue;  // null buffer
        std::vector<unsigned char> &buf = buffers[k];
        buf.resize(static_cast<size_t>(d.numElements) * elemSize);
        const size_t take = buf.size() < r.n ? buf.size() : r.n;
        if (take) std::memcpy(buf.data(), r.p, take);
        r.p += take;
        r.n -= take;
        // An empty std::vector has no heap block: give zero-size layers a non-null pointer.
        l.buffer = buf.empty() ? static_cast<void *>(&buf) : buf.data();
    }
    // Rebuild each block at exactly its size so ASan's redzone sits right after the last element.
    std::vector<unsigned char *> exact(nLayers, nullptr);
    for (unsigned k = 0; k < nLayers; ++k) {
        if (!layers[k].buffer || buffers[k].empty()) continue;
        exact[k] = new unsigned char[buffers[k].size()];
        std::memcpy(exact[k], buffers[k].data(), buffers[k].size());
        layers[k].buffer = exact[k];
    }

    std::vector<NvDsInferObjectDetectionInfo> objects(r.byte() % 3);  // stale entries must go
#if ALPR_HAS_ROTATION
    for (NvDsInferObjectDetectionInfo &o : objects) o.rotation_angle = 1.0f;  // must not survive
#endif
    const bool ok = NvDsInferParseAlprYolo(layers, net, params, objects);
    for (unsigned char *b : exact) delete[] b;
    ++g_stats.calls;
    g_stats.accepted += ok;
    g_stats.withObjects += ok && !objects.empty();
    g_stats.objects += ok ? objects.size() : 0;

    if (!ok) {
        if (!objects.empty()) fail();
        return 0;
    }
    const size_t nCls = params.numClassesConfigured < params.perClassPreclusterThreshold.size() ? params.numClassesConfigured : params.perClassPreclusterThreshold.size();
    for (const NvDsInferObjectDetectionInfo &o : objects) {
        if (o.classId >= nCls) fail();
        const float s = o.detectionConfidence;
        if (!std::isfinite(s) || !(s > 0) || !(s >= params.perClassPreclusterThreshold[o.classId])) fail();
        if (!(o.width > 0 && o.height > 0 && o.left >= 0 && o.top >= 0)) fail();
        if (!(o.left + o.width <= net.width * 1.0001f && o.top + o.height <= net.height * 1.0001f)) fail();
#if ALPR_HAS_ROTATION
        if (o.rotation_angle != 0.0f) fail();
#endif
    }
    return 0;
}
