/*
 * alpr_nvdsinfer_abi.h -- the project's own declaration of nvinfer's custom-parser ABI.
 *
 * Same names, field order and types as DeepStream's nvdsinfer.h + nvdsinfer_custom_impl.h
 * (6.3 .. 8.0; the data-type enum gained INT64/UINT8 in 8.0). It is used ONLY when DeepStream's
 * headers are absent, so that libnvdsinfer_alpr.so builds and is tested anywhere. With DeepStream
 * installed, the build (alpr-gen build-parser) uses the real headers instead, and
 * src/alpr_common.h checks with static_asserts that both agree on the layout assumed here.
 *
 * Layout on LP64 (x86_64, aarch64):
 *   NvDsInferDims                  40 bytes: numDims@0, d[8]@4, numElements@36
 *   NvDsInferLayerInfo             72 bytes: dataType@0, inferDims/dims@4, bindingIndex@44,
 *                                            layerName@48, buffer@56, isInput@64
 *   NvDsInferNetworkInfo           12 bytes: width, height, channels
 *   NvDsInferObjectDetectionInfo   24 bytes: classId, left, top, width, height, confidence
 *   NvDsInferAttribute             24 bytes: attributeIndex, attributeValue, confidence@8, label@16
 *   NvDsInferParseDetectionParams  64 bytes: numClassesConfigured@0, pre@8, post@32,
 *                                            deprecated reference perClassThreshold@56 (a pointer)
 */
#ifndef ALPR_NVDSINFER_ABI_H
#define ALPR_NVDSINFER_ABI_H

#ifndef __cplusplus
#error "alpr_nvdsinfer_abi.h declares C++ types (std::vector, std::string): compile as C++"
#endif

#include <string>
#include <vector>

#define NVDSINFER_MAX_DIMS 8

/* Dimensions of one layer, WITHOUT the batch dimension (nvinfer calls the parser per frame). */
typedef struct {
    unsigned int numDims;
    unsigned int d[NVDSINFER_MAX_DIMS];
    unsigned int numElements;
} NvDsInferDims;

/* Unscoped like DeepStream's: these global enumerator names are part of the ABI's source API. */
typedef enum {
    FLOAT = 0,
    HALF = 1,
    INT8 = 2,
    INT32 = 3,
    INT64 = 4, /* DeepStream 8.0 */
    UINT8 = 5, /* DeepStream 8.0 */
} NvDsInferDataType;

typedef struct {
    NvDsInferDataType dataType;
    union {
        NvDsInferDims inferDims;
        NvDsInferDims dims; /* deprecated alias of inferDims */
    };
    int bindingIndex;
    const char *layerName;
    void *buffer;
    int isInput;
} NvDsInferLayerInfo;

typedef struct {
    unsigned int width;
    unsigned int height;
    unsigned int channels;
} NvDsInferNetworkInfo;

typedef struct {
    unsigned int classId;
    float left;
    float top;
    float width;
    float height;
    float detectionConfidence;
} NvDsInferObjectDetectionInfo;

typedef NvDsInferObjectDetectionInfo NvDsInferParseObjectInfo;

typedef struct {
    unsigned int attributeIndex;
    unsigned int attributeValue;
    float attributeConfidence;
    char *attributeLabel; /* heap string (malloc/strdup): nvinfer releases it with free() */
} NvDsInferAttribute;

typedef struct NvDsInferParseDetectionParams {
    unsigned int numClassesConfigured;
    std::vector<float> perClassPreclusterThreshold;
    std::vector<float> perClassPostclusterThreshold;
    /* Deprecated; bound to perClassPreclusterThreshold. Occupies a pointer in the layout. */
    std::vector<float> &perClassThreshold = perClassPreclusterThreshold;
} NvDsInferParseDetectionParams;

/* The CHECK_* macros check like DeepStream's (a static helper whose default argument must convert
 * to the function-pointer type) without its self-call and unused-* warnings. */
typedef bool (*NvDsInferParseCustomFunc)(
    std::vector<NvDsInferLayerInfo> const &outputLayersInfo,
    NvDsInferNetworkInfo const &networkInfo,
    NvDsInferParseDetectionParams const &detectionParams,
    std::vector<NvDsInferObjectDetectionInfo> &objectList);

#define CHECK_CUSTOM_PARSE_FUNC_PROTOTYPE(customParseFunc)                                   \
    __attribute__((unused)) static void checkFunc_##customParseFunc(NvDsInferParseCustomFunc = customParseFunc) \
    {                                                                                        \
    };                                                                                       \
    extern "C" bool customParseFunc(std::vector<NvDsInferLayerInfo> const &outputLayersInfo, \
                                    NvDsInferNetworkInfo const &networkInfo,                 \
                                    NvDsInferParseDetectionParams const &detectionParams,    \
                                    std::vector<NvDsInferObjectDetectionInfo> &objectList);

typedef bool (*NvDsInferClassiferParseCustomFunc)(
    std::vector<NvDsInferLayerInfo> const &outputLayersInfo,
    NvDsInferNetworkInfo const &networkInfo,
    float classifierThreshold,
    std::vector<NvDsInferAttribute> &attrList,
    std::string &descString);

#define CHECK_CUSTOM_CLASSIFIER_PARSE_FUNC_PROTOTYPE(customParseFunc)                                 \
    __attribute__((unused)) static void checkFunc_##customParseFunc(NvDsInferClassiferParseCustomFunc = customParseFunc) \
    {                                                                                                 \
    };                                                                                                \
    extern "C" bool customParseFunc(std::vector<NvDsInferLayerInfo> const &outputLayersInfo,          \
                                    NvDsInferNetworkInfo const &networkInfo,                          \
                                    float classifierThreshold,                                        \
                                    std::vector<NvDsInferAttribute> &attrList,                        \
                                    std::string &descString);

#endif /* ALPR_NVDSINFER_ABI_H */
