/* alpr_common.cpp -- layer checks, fp16 conversion and rate-limited logging shared by parsers. */
#include "alpr_common.h"

#include <atomic>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <mutex>

namespace {

thread_local char t_lastError[512] = "";
std::atomic<bool> g_stderrLogging{true};
std::mutex g_logMutex;
char g_lastPrinted[512] = "";

}  // namespace

namespace alpr {

float halfToFloat(uint16_t h)
{
    const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
    const uint32_t exp = (h >> 10) & 0x1fu;
    const uint32_t man = h & 0x3ffu;
    uint32_t bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else {  // subnormal: value = man * 2^-24, exact in float
            float f = std::ldexp(static_cast<float>(man), -24);
            return sign ? -f : f;
        }
    } else if (exp == 0x1f) {
        bits = sign | 0x7f800000u | (man << 13);  // inf / NaN
    } else {
        bits = sign | ((exp + 112u) << 23) | (man << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

void clearError() { t_lastError[0] = '\0'; }

void logError(const char *parser, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    std::snprintf(t_lastError, sizeof t_lastError, "%s: %s", parser, msg);
    if (!g_stderrLogging.load(std::memory_order_relaxed)) return;
    std::lock_guard<std::mutex> lock(g_logMutex);
    if (std::strcmp(g_lastPrinted, t_lastError) == 0) return;
    std::memcpy(g_lastPrinted, t_lastError, sizeof g_lastPrinted);
    std::fprintf(stderr, "%s\n", t_lastError);
}

void formatDims(const NvDsInferDims &dims, char *buf, size_t size)
{
    size_t used = 0;
    used += std::snprintf(buf, size, "[");
    const unsigned n = dims.numDims <= NVDSINFER_MAX_DIMS ? dims.numDims : NVDSINFER_MAX_DIMS;
    for (unsigned i = 0; i < n && used < size; ++i)
        used += std::snprintf(buf + used, size - used, i ? ", %u" : "%u", dims.d[i]);
    if (dims.numDims > NVDSINFER_MAX_DIMS && used < size)
        used += std::snprintf(buf + used, size - used, ", ... (numDims=%u)", dims.numDims);
    if (used < size) std::snprintf(buf + used, size - used, "]");
}

bool viewLayer(const NvDsInferLayerInfo &layer, TensorView &out, const char *parser)
{
    const NvDsInferDims &dims = layer.inferDims;
    const char *name = layer.layerName ? layer.layerName : "(unnamed)";
    if (dims.numDims == 0 || dims.numDims > NVDSINFER_MAX_DIMS) {
        logError(parser, "output layer '%s' has %u dims (expected 1..%d); not parsed", name,
                 dims.numDims, NVDSINFER_MAX_DIMS);
        return false;
    }
    uint64_t product = 1;
    for (unsigned i = 0; i < dims.numDims; ++i) {
        product *= dims.d[i];
        if (product > (1ull << 40)) break;  // far beyond any real layer; stops overflow
    }
    if (product == 0 || product != dims.numElements) {
        char shown[160];
        formatDims(dims, shown, sizeof shown);
        logError(parser,
                 "output layer '%s' dims %s do not match numElements=%u (or are empty); not parsed",
                 name, shown, dims.numElements);
        return false;
    }
    if (layer.dataType != FLOAT && layer.dataType != HALF) {
        logError(parser,
                 "output layer '%s' has data type %d; only FLOAT (0) and HALF (1) are supported",
                 name, static_cast<int>(layer.dataType));
        return false;
    }
    if (layer.buffer == nullptr) {
        logError(parser, "output layer '%s' has no host buffer (is the layer copied to host?)",
                 name);
        return false;
    }
    out.data = layer.buffer;
    out.half = layer.dataType == HALF;
    out.count = static_cast<size_t>(product);
    unsigned first = 0;  // squeeze leading 1s: [1, 8400, 6] reads like [8400, 6]
    while (first + 1 < dims.numDims && dims.d[first] == 1) ++first;
    out.numDims = dims.numDims - first;
    for (unsigned i = 0; i < out.numDims; ++i) out.d[i] = dims.d[first + i];
    return true;
}

}  // namespace alpr

extern "C" const char *AlprParserLastError(void) { return t_lastError; }

extern "C" int AlprParserAbi(void) { return kAlprRequestedAbi; }

extern "C" unsigned AlprParserObjectSize(void)
{
    return static_cast<unsigned>(sizeof(NvDsInferObjectDetectionInfo));
}

extern "C" void AlprParserSetStderrLogging(int enabled)
{
    g_stderrLogging.store(enabled != 0, std::memory_order_relaxed);
}
