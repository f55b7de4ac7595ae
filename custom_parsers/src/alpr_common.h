/*
 * alpr_common.h -- shared by every parser in libnvdsinfer_alpr.so (internal, not installed).
 *
 * - Picks the ABI declaration: DeepStream's nvdsinfer_custom_impl.h when the build defines
 *   ALPR_DEEPSTREAM_HEADERS=1 (alpr-gen build-parser does so when it finds them), else the
 *   project's own include/alpr_nvdsinfer_abi.h. ALPR_DS_ABI (6: DeepStream 6.3-8.0, 9: 9.x) says
 *   which NvDsInferObjectDetectionInfo layout the build targets; static asserts pin that layout
 *   whichever header declared it, so DeepStream headers of another release fail the build.
 * - alpr::viewLayer(): the one place that turns an NvDsInferLayerInfo into a bounds-checked view
 *   (non-null buffer, 1..8 dims, numElements == product of dims, FLOAT or HALF).
 * - alpr::logError(): one stderr line per problem, repeated only when the text changes, so a
 *   mis-configured model does not flood the log at 30 fps x N streams.
 */
#ifndef ALPR_COMMON_H
#define ALPR_COMMON_H

#if !defined(ALPR_DS_ABI)
#error "ALPR_DS_ABI is not defined: build with -DALPR_DS_ABI=6 (DeepStream 6.3-8.0) or -DALPR_DS_ABI=9 (DeepStream 9.x); alpr-gen build-parser picks it from the target DeepStream"
#elif ALPR_DS_ABI != 6 && ALPR_DS_ABI != 9
#error "ALPR_DS_ABI must be 6 (DeepStream 6.3-8.0) or 9 (DeepStream 9.x)"
#endif

/* Captured before any header is included: a header that redefines ALPR_DS_ABI cannot move the
 * layout check below. */
#if ALPR_DS_ABI == 9
#define ALPR_HAS_ROTATION 1
#else
#define ALPR_HAS_ROTATION 0
#endif
enum { kAlprRequestedAbi = ALPR_DS_ABI };

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
static_assert(offsetof(NvDsInferObjectDetectionInfo, classId) == 0, "classId offset");
static_assert(offsetof(NvDsInferObjectDetectionInfo, left) == 4, "left offset");
static_assert(offsetof(NvDsInferObjectDetectionInfo, top) == 8, "top offset");
static_assert(offsetof(NvDsInferObjectDetectionInfo, width) == 12, "width offset");
static_assert(offsetof(NvDsInferObjectDetectionInfo, height) == 16, "height offset");
static_assert(offsetof(NvDsInferObjectDetectionInfo, detectionConfidence) == 20,
              "detectionConfidence offset");
#endif
/* The one check that matters between releases: the stride of nvinfer's object vector. */
#if ALPR_HAS_ROTATION
static_assert(sizeof(NvDsInferObjectDetectionInfo) == 28 && kAlprRequestedAbi == 9,
              "ALPR_DS_ABI=9 (DeepStream 9.x) needs the 28-byte NvDsInferObjectDetectionInfo "
              "with rotation_angle, but the nvdsinfer.h in use declares another layout: these "
              "headers are not DeepStream 9's. Build for the DeepStream release the headers come "
              "from (alpr-gen build-parser --deepstream X.Y) or point --deepstream-root at 9.x");
static_assert(offsetof(NvDsInferObjectDetectionInfo, rotation_angle) == 24,
              "rotation_angle offset");
#else
static_assert(sizeof(NvDsInferObjectDetectionInfo) == 24 && kAlprRequestedAbi == 6,
              "ALPR_DS_ABI=6 (DeepStream 6.3-8.0) needs the 24-byte NvDsInferObjectDetectionInfo, "
              "but the nvdsinfer.h in use declares another layout (DeepStream 9's adds "
              "rotation_angle): build for the DeepStream release the headers come from "
              "(alpr-gen build-parser --deepstream X.Y)");
#endif
#if defined(__LP64__)
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
/* The layout this library was built for (ALPR_DS_ABI) and sizeof(NvDsInferObjectDetectionInfo):
 * loaders (alpr-gen build-parser, the test harness) refuse a library of the other layout. */
extern "C" int AlprParserAbi(void);
extern "C" unsigned AlprParserObjectSize(void);

#endif /* ALPR_COMMON_H */
