/*
 * alpr_common.h -- shared by every parser in libnvdsinfer_alpr.so (internal, not installed).
 *
 * - Picks the ABI declaration: DeepStream's nvdsinfer_custom_impl.h when the build defines
 *   ALPR_DEEPSTREAM_HEADERS=1 (alpr-gen build-parser does so when it finds them), else the
 *   project's own include/alpr_nvdsinfer_abi.h. Static asserts pin the layout both must have.
 * - alpr::viewLayer(): the one place that turns an NvDsInferLayerInfo into a bounds-checked view
 *   (non-null buffer, 1..8 dims, numElements == product of dims, FLOAT or HALF).
 * - alpr::logError(): one stderr line per problem, repeated only when the text changes, so a
 *   mis-configured model does not flood the log at 30 fps x N streams.
 */
#ifndef ALPR_COMMON_H
#define ALPR_COMMON_H

#if defined(ALPR_DEEPSTREAM_HEADERS) && ALPR_DEEPSTREAM_HEADERS
#include "nvdsinfer_custom_impl.h"
#else
#include "alpr_nvdsinfer_abi.h"
#endif

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__LP64__)
static_assert(sizeof(NvDsInferDims) == 40, "NvDsInferDims layout");
static_assert(sizeof(NvDsInferLayerInfo) == 72, "NvDsInferLayerInfo layout");
static_assert(offsetof(NvDsInferLayerInfo, buffer) == 56, "NvDsInferLayerInfo::buffer offset");
static_assert(offsetof(NvDsInferLayerInfo, isInput) == 64, "NvDsInferLayerInfo::isInput offset");
static_assert(sizeof(NvDsInferNetworkInfo) == 12, "NvDsInferNetworkInfo layout");
static_assert(sizeof(NvDsInferObjectDetectionInfo) == 24, "NvDsInferObjectDetectionInfo layout");
static_assert(sizeof(NvDsInferAttribute) == 24, "NvDsInferAttribute layout");
static_assert(sizeof(NvDsInferParseDetectionParams) == 64, "NvDsInferParseDetectionParams layout");
#endif

namespace alpr {

/* A validated, read-only view of one output layer (batch dimension already excluded). */
struct TensorView {
    const void *data = nullptr;
    bool half = false;       /* element type: float32, or IEEE fp16 when true */
    unsigned numDims = 0;    /* after squeezing leading 1-sized dims (keeps >= 1 dim) */
    unsigned d[NVDSINFER_MAX_DIMS] = {};
    size_t count = 0;        /* == product of d[], == layer.inferDims.numElements */

    float at(size_t i) const;  /* caller guarantees i < count */
};

float halfToFloat(uint16_t h);

inline float TensorView::at(size_t i) const
{
    if (half) {
        uint16_t h;
        std::memcpy(&h, static_cast<const unsigned char *>(data) + i * 2, 2);
        return halfToFloat(h);
    }
    float f;
    std::memcpy(&f, static_cast<const unsigned char *>(data) + i * 4, 4);
    return f;
}

/* Checks the layer and fills `out`. On failure logs one line naming `parser` and returns false. */
bool viewLayer(const NvDsInferLayerInfo &layer, TensorView &out, const char *parser);

/* printf-style; prints "<parser>: <message>" on stderr unless it repeats the previous line. */
void logError(const char *parser, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Each exported parser calls this first, so AlprParserLastError() describes the latest call. */
void clearError();

/* Dims as "[a, b, c]" for messages. */
void formatDims(const NvDsInferDims &dims, char *buf, size_t size);

}  // namespace alpr

/* Exported for tests and the fuzzer: the last error text on this thread ("" if none), and a
 * switch for the stderr line (the fuzzer turns it off; errors are still recorded). */
extern "C" const char *AlprParserLastError(void);
extern "C" void AlprParserSetStderrLogging(int enabled);

#endif /* ALPR_COMMON_H */
