/*
 * alpr_nvdsinfer_abi.h -- the project's own declaration of nvinfer's custom-parser ABI.
 *
 * Same names, field order and types as DeepStream's nvdsinfer.h + nvdsinfer_custom_impl.h. It is
 * used ONLY when DeepStream's headers are absent, so that libnvdsinfer_alpr.so builds and is
 * tested anywhere. With DeepStream installed, the build (alpr-gen build-parser) uses the real
 * headers instead, and src/alpr_common.h checks with static_asserts that they declare the layout
 * chosen here.
 *
 * The layout depends on the DeepStream release, so the build must say which one it targets:
 *
 *   ALPR_DS_ABI=6   DeepStream 6.3 .. 8.0: NvDsInferObjectDetectionInfo is 24 bytes
 *   ALPR_DS_ABI=9   DeepStream 9.x: NvDsInferObjectDetectionInfo gained `float rotation_angle`
 *                   (oriented boxes, radians, 0 = axis-aligned) after detectionConfidence: 28 bytes
 *
 * A library built for one layout and loaded by the other nvinfer reads or writes the object
 * vector with the wrong stride (memory corruption), so there is no default: the build fails
 * unless ALPR_DS_ABI is 6 or 9. alpr_gen/deepstream/versions.py maps releases to layouts.
 *
 * Layout on LP64 (x86_64, aarch64), identical in both except where noted:
 *   NvDsInferDims                  40 bytes: numDims@0, d[8]@4, numElements@36
 *   NvDsInferLayerInfo             72 bytes: dataType@0, inferDims/dims@4, bindingIndex@44,
 *                                            layerName@48, buffer@56, isInput@64
 *   NvDsInferNetworkInfo           12 bytes: width, height, channels
 *   NvDsInferObjectDetectionInfo   24 bytes (6): classId@0, left@4, top@8, width@12, height@16,
 *                                            detectionConfidence@20
 *                                  28 bytes (9): the same, then rotation_angle@24
 *   NvDsInferAttribute             24 bytes: attributeIndex, attributeValue, confidence@8, label@16
 *   NvDsInferParseDetectionParams  64 bytes: numClassesConfigured@0, pre@8, post@32,
 *                                            deprecated reference perClassThreshold@56 (a pointer)
 * The data-type enum gained INT64/UINT8 in 8.0 (values only; the enum stays an int).
 */
#ifndef ALPR_NVDSINFER_ABI_H
#define ALPR_NVDSINFER_ABI_H

#ifndef __cplusplus
#error "alpr_nvdsinfer_abi.h declares C++ types (std::vector, std::string): compile as C++"
#endif

#if !defined(ALPR_DS_ABI)
#error "ALPR_DS_ABI is not defined: build with -DALPR_DS_ABI=6 (DeepStream 6.3-8.0) or -DALPR_DS_ABI=9 (DeepStream 9.x); alpr-gen build-parser picks it from the target DeepStream"
#elif ALPR_DS_ABI != 6 && ALPR_DS_ABI != 9
#error "ALPR_DS_ABI must be 6 (DeepStream 6.3-8.0) or 9 (DeepStream 9.x)"
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
#if ALPR_DS_ABI >= 9
    float rotation_angle; /* DeepStream 9.x: radians, 0 = axis-aligned box */
#endif
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
