/*
 * nvinfer_nms.h -- what nvinfer does with the parser's objects for cluster-mode=2 (NMS), written
 * after DeepStream's DetectPostprocessor::clusterAndFillDetectionOutputNMS / nonMaximumSuppression
 * (nvdsinfer_context_impl_output_parsing.cpp): objects bucketed per class (classId <
 * numClasses, confidence >= pre-cluster threshold), stable-sorted by confidence descending,
 * greedy suppression (kept if IoU <= nms-iou-threshold against every kept box, IoU computed on
 * left/top/width/height with "touching = 0 overlap"), then confidence > post-cluster-threshold
 * and topk per class. Used by the tests (parser -> NMS chain) and the bench; not shipped.
 */
#ifndef ALPR_NVINFER_NMS_H
#define ALPR_NVINFER_NMS_H

#include <algorithm>
#include <utility>
#include <vector>

namespace nvinfer_nms {

struct ClassParams {
    float preClusterThreshold = 0.2f;
    float postClusterThreshold = 0.0f;
    float nmsIouThreshold = 0.3f;
    int topK = -1;  // -1: keep all
};

template <typename Obj>
inline float iou(const Obj &a, const Obj &b)
{
    auto overlap1D = [](float x1min, float x1max, float x2min, float x2max) -> float {
        if (x1min > x2min) {
            std::swap(x1min, x2min);
            std::swap(x1max, x2max);
        }
        return x1max < x2min ? 0 : std::min(x1max, x2max) - x2min;
    };
    const float ox = overlap1D(a.left, a.left + a.width, b.left, b.left + b.width);
    const float oy = overlap1D(a.top, a.top + a.height, b.top, b.top + b.height);
    const float area1 = a.width * a.height;
    const float area2 = b.width * b.height;
    const float overlap2D = ox * oy;
    const float u = area1 + area2 - overlap2D;
    return u == 0 ? 0 : overlap2D / u;
}

/* Returns the clustered objects, class by class (as nvinfer appends them). */
template <typename Obj>
std::vector<Obj> clusterNms(const std::vector<Obj> &objects,
                            const std::vector<ClassParams> &params)
{
    const unsigned numClasses = static_cast<unsigned>(params.size());
    std::vector<std::vector<Obj>> perClass(numClasses);
    for (const Obj &o : objects) {
        if (o.classId >= numClasses) continue;
        if (o.detectionConfidence < params[o.classId].preClusterThreshold) continue;
        perClass[o.classId].push_back(o);
    }
    std::vector<Obj> clustered;
    std::vector<std::pair<float, int>> scoreIndex;
    std::vector<int> indices;
    for (unsigned c = 0; c < numClasses; ++c) {
        const std::vector<Obj> &list = perClass[c];
        if (list.empty()) continue;
        scoreIndex.clear();
        for (size_t r = 0; r < list.size(); ++r)
            scoreIndex.emplace_back(list[r].detectionConfidence, static_cast<int>(r));
        std::stable_sort(scoreIndex.begin(), scoreIndex.end(),
                         [](const std::pair<float, int> &p1, const std::pair<float, int> &p2) {
                             return p1.first > p2.first;
                         });
        indices.clear();
        for (const auto &si : scoreIndex) {
            const int idx = si.second;
            bool keep = true;
            for (size_t k = 0; k < indices.size() && keep; ++k)
                keep = iou(list[idx], list[indices[k]]) <= params[c].nmsIouThreshold;
            if (keep) indices.push_back(idx);
        }
        size_t kept = 0;
        for (int idx : indices) {
            if (params[c].topK >= 0 && kept >= static_cast<size_t>(params[c].topK)) break;
            if (list[idx].detectionConfidence > params[c].postClusterThreshold) {
                clustered.push_back(list[idx]);
                ++kept;
            }
        }
    }
    return clustered;
}

}  // namespace nvinfer_nms

#endif /* ALPR_NVINFER_NMS_H */
