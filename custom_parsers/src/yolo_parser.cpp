/*
 * yolo_parser.cpp -- NvDsInferParseAlprYolo: nvinfer bbox parser for YOLO11 detectors.
 *
 * One output layer; the layout is recognised from its dims (batch excluded, leading 1s ignored):
 *   [N, 6]      rows of x1, y1, x2, y2, score, class in network-input pixels. Covers both heads
 *               `alpr-gen export` writes: `deepstream` [A, 6] (one row per anchor, not NMSed) and
 *               `end2end` [K, 6] (NMSed in the graph, padded with score-0 rows, which are skipped).
 *   [4+nc, A]   Ultralytics' plain output: cx, cy, w, h rows, then nc rows of class scores
 *               (already sigmoid). The class is the arg-max over the nc scores. nc must not
 *               exceed num-detected-classes (a larger nc means the config and model disagree,
 *               or a [A, 4+nc]-style layout this parser does not read).
 * Elements may be FLOAT or HALF. A detection is emitted when its score is finite, > 0 and
 * >= perClassPreclusterThreshold[class], class < numClassesConfigured, the box is finite with
 * positive width and height, and it still has positive area once clamped to the network input.
 * Anything else about the layer (layer count, dims, numElements, dtype, null buffer) logs one
 * stderr line and returns false. The layer is read only within numElements.
 */
#include "alpr_common.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace {

const char kParser[] = "NvDsInferParseAlprYolo";

struct LoadF32 {
    const float *p;
    float operator()(size_t i) const { return p[i]; }
};

struct LoadF16 {
    const uint16_t *p;
    float operator()(size_t i) const { return alpr::halfToFloat(p[i]); }
};

struct Emitter {
    float netW, netH;
    std::vector<NvDsInferObjectDetectionInfo> &out;

    void operator()(float x1, float y1, float x2, float y2, float score, unsigned cls) const
    {
        // The negated comparisons also reject NaN; infinities fail the finiteness test.
        if (!(std::isfinite(x1) && std::isfinite(y1) && std::isfinite(x2) && std::isfinite(y2)))
            return;
        if (!(x2 > x1 && y2 > y1)) return;
        x1 = std::fmin(std::fmax(x1, 0.0f), netW);
        x2 = std::fmin(std::fmax(x2, 0.0f), netW);
        y1 = std::fmin(std::fmax(y1, 0.0f), netH);
        y2 = std::fmin(std::fmax(y2, 0.0f), netH);
        if (!(x2 > x1 && y2 > y1)) return;  // entirely outside the network input
        NvDsInferObjectDetectionInfo o{};  // zeroes every field, rotation_angle (9.x) included
        o.classId = cls;
        o.left = x1;
        o.top = y1;
        o.width = x2 - x1;
        o.height = y2 - y1;
        o.detectionConfidence = score;
#if ALPR_HAS_ROTATION
        o.rotation_angle = 0.0f;  // axis-aligned: nvinfer 9.x rotates the OSD box by this
#endif
        out.push_back(o);
    }
};

struct Classes {
    unsigned count;          // min(numClassesConfigured, thresholds given)
    const float *threshold;  // perClassPreclusterThreshold
    float lowest;            // smallest threshold, raised to the smallest float > 0: any score
                             // below it fails for every class (the one test most anchors see)

    // True when (score, cls) passes; score NaN / inf / <= 0 never passes.
    bool pass(float score, unsigned cls) const
    {
        return cls < count && score > 0.0f && std::isfinite(score) && score >= threshold[cls];
    }
};

template <typename Load>
void parseRows(Load load, size_t rows, const Classes &classes, const Emitter &emit)
{
    for (size_t r = 0; r < rows; ++r) {
        const size_t base = r * 6;
        const float score = load(base + 4);
        if (!(score >= classes.lowest)) continue;  // most anchors; end2end padding rows (0)
        const float c = load(base + 5);
        if (!(c >= 0.0f && c < static_cast<float>(classes.count))) continue;
        const unsigned cls = static_cast<unsigned>(c);
        if (static_cast<float>(cls) != c) continue;  // a class id must be an integer
        if (!classes.pass(score, cls)) continue;
        emit(load(base), load(base + 1), load(base + 2), load(base + 3), score, cls);
    }
}

// Elementwise best[a] = max(best[a], row[a]) over n floats; NaN in row never wins. GCC vector
// extensions of 16 bytes (SSE2 / NEON, no -O3 or -march needed), equally understood by clang.
typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));

inline v4f load4(const float *p)
{
    v4f v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

inline v4f max4(v4f r, v4f b)
{
    const v4i gt = r > b;  // all-ones where row wins (never for NaN)
    return (v4f)(((v4i)r & gt) | ((v4i)b & ~gt));
}

void maxInto(float *best, const float *row, size_t n)
{
    size_t a = 0;
    for (; a + 8 <= n; a += 8) {
        const v4f b0 = max4(load4(row + a), load4(best + a));
        const v4f b1 = max4(load4(row + a + 4), load4(best + a + 4));
        std::memcpy(best + a, &b0, sizeof b0);
        std::memcpy(best + a + 4, &b1, sizeof b1);
    }
    for (; a < n; ++a)
        if (row[a] > best[a]) best[a] = row[a];
}

// Ultralytics [4+nc, A]. The class maximum per anchor is built row by row (contiguous, SIMD);
// only anchors whose maximum can pass a threshold get the (strided) arg-max scan, which takes
// the first class holding that maximum and ignores NaN. An anchor-by-anchor scan of all nc rows
// strides 4*A bytes per read and is ~20x slower.
void parseRaw(const float *data, size_t nc, size_t anchors, const Classes &classes,
              const Emitter &emit)
{
    thread_local std::vector<float> scratch;  // per thread: nvinfer instances run in parallel
    scratch.assign(anchors, -std::numeric_limits<float>::infinity());
    float *const best = scratch.data();  // once: TLS lookups in a .so are calls
    const float *scores = data + 4 * anchors;
    for (size_t c = 0; c < nc; ++c) maxInto(best, scores + c * anchors, anchors);
    for (size_t a = 0; a < anchors; ++a) {
        const float s = best[a];
        if (!(s >= classes.lowest)) continue;
        unsigned cls = 0;
        while (cls < nc && !(scores[cls * anchors + a] == s)) ++cls;  // s is in the column
        if (cls == nc) continue;  // cannot happen: s was copied from this column
        if (!classes.pass(s, cls)) continue;
        const float cx = data[a], cy = data[anchors + a];
        const float w = data[2 * anchors + a], h = data[3 * anchors + a];
        emit(cx - w * 0.5f, cy - h * 0.5f, cx + w * 0.5f, cy + h * 0.5f, s, cls);
    }
}

}  // namespace

extern "C" bool NvDsInferParseAlprYolo(std::vector<NvDsInferLayerInfo> const &outputLayersInfo,
                                       NvDsInferNetworkInfo const &networkInfo,
                                       NvDsInferParseDetectionParams const &detectionParams,
                                       std::vector<NvDsInferObjectDetectionInfo> &objectList)
{
    alpr::clearError();
    objectList.clear();
    const NvDsInferLayerInfo *layer = nullptr;
    size_t outputs = 0;
    for (const NvDsInferLayerInfo &l : outputLayersInfo) {
        if (l.isInput) continue;
        layer = &l;
        ++outputs;
    }
    if (outputs != 1) {
        alpr::logError(kParser,
                       "expected exactly 1 output layer (YOLO11 [A,6], [K,6] or [4+nc,A]), got "
                       "%zu; check output-blob-names and the exported head",
                       outputs);
        return false;
    }
    if (networkInfo.width == 0 || networkInfo.height == 0) {
        alpr::logError(kParser, "network input is %ux%u; expected a non-empty input",
                       networkInfo.width, networkInfo.height);
        return false;
    }
    const size_t thresholds = detectionParams.perClassPreclusterThreshold.size();
    Classes classes;
    classes.count = detectionParams.numClassesConfigured < thresholds
                        ? detectionParams.numClassesConfigured
                        : static_cast<unsigned>(thresholds);
    classes.threshold = detectionParams.perClassPreclusterThreshold.data();
    classes.lowest = std::numeric_limits<float>::infinity();
    for (unsigned c = 0; c < classes.count; ++c)  // NaN thresholds never pass: skipped
        if (classes.threshold[c] < classes.lowest) classes.lowest = classes.threshold[c];
    classes.lowest = std::fmax(classes.lowest, std::numeric_limits<float>::denorm_min());
    if (classes.count == 0) {
        alpr::logError(kParser,
                       "num-detected-classes is %u with %zu pre-cluster thresholds; set "
                       "num-detected-classes in the nvinfer config",
                       detectionParams.numClassesConfigured, thresholds);
        return false;
    }

    alpr::TensorView v;
    if (!alpr::viewLayer(*layer, v, kParser)) return false;
    const Emitter emit{static_cast<float>(networkInfo.width),
                       static_cast<float>(networkInfo.height), objectList};
    if (v.numDims == 2 && v.d[1] == 6) {
        if (v.half)
            parseRows(LoadF16{static_cast<const uint16_t *>(v.data)}, v.d[0], classes, emit);
        else
            parseRows(LoadF32{static_cast<const float *>(v.data)}, v.d[0], classes, emit);
        return true;
    }
    if (v.numDims == 2 && v.d[0] >= 5 && v.d[0] - 4 <= detectionParams.numClassesConfigured) {
        const size_t nc = v.d[0] - 4, anchors = v.d[1];
        if (!v.half) {
            parseRaw(static_cast<const float *>(v.data), nc, anchors, classes, emit);
            return true;
        }
        thread_local std::vector<float> converted;  // fp16 raw output: widen once, then parse
        converted.resize(v.count);
        for (size_t i = 0; i < v.count; ++i) converted[i] = v.at(i);
        parseRaw(converted.data(), nc, anchors, classes, emit);
        return true;
    }
    char shown[160];
    alpr::formatDims(layer->inferDims, shown, sizeof shown);
    if (v.numDims == 2 && v.d[0] >= 5) {  // a raw head for more classes than configured
        alpr::logError(kParser,
                       "output layer '%s' has dims %s: read as Ultralytics' [4+nc, A] that is "
                       "nc=%u classes, but num-detected-classes=%u; make them agree",
                       layer->layerName ? layer->layerName : "(unnamed)", shown, v.d[0] - 4,
                       detectionParams.numClassesConfigured);
        return false;
    }
    alpr::logError(kParser,
                   "output layer '%s' has dims %s: expected [A, 6] / [K, 6] (x1,y1,x2,y2,score,"
                   "class) or Ultralytics' [4+nc, A]; re-export with alpr-gen export",
                   layer->layerName ? layer->layerName : "(unnamed)", shown);
    return false;
}

/* Compile-time check that the definition matches nvinfer's NvDsInferParseCustomFunc. The macro
 * (DeepStream's, or ours) defines an unused static helper: silence that, nothing else. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-parameter"
CHECK_CUSTOM_PARSE_FUNC_PROTOTYPE(NvDsInferParseAlprYolo)
#pragma GCC diagnostic pop
