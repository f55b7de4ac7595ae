/*
 * fuzz_ocr.cpp -- libFuzzer target for NvDsInferParseAlprOcr (+ its settings reader).
 *
 *   clang++-14 -std=c++17 -fPIC -Isrc -Iinclude -g -O1 \
 *       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
 *       -o build/fuzz_ocr fuzz/fuzz_ocr.cpp src/*.cpp
 *   build/fuzz_ocr -runs=1000000 -max_len=4096 -print_final_stats=1
 *
 * Input bytes describe up to 3 output layers (data type, 0..9 dims of 0..63, a numElements that
 * may disagree with the dims, a null buffer, isInput) and their contents (raw bytes, or small
 * class indices / scores in [0, 1] so that plates get decoded too); each buffer is a
 * separate heap block of exactly numElements elements, so ASan sees any read past it. Half of
 * the tensor inputs are parsed with plate formats set (formats-strict=1; charset and formats
 * chosen so that corrections happen). One input in 16 is instead written out (after one of a
 * few valid prefixes, formats/formats-strict among them) as the settings file and loaded, then
 * parsed against a tensor of up to 8 steps whose classes come from the input: the keyfile
 * reader and every value parser, and the format correction under arbitrary formats.
 * Checked on every call: a plate comes with a heap label whose text equals attrString, a
 * confidence >= the threshold, and at most one attribute; with the strict formats settings,
 * every plate fits one of its formats exactly.
 */
#include "alpr_common.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" int AlprOcrLoadConfig(const char *path);
extern "C" bool NvDsInferParseAlprOcr(std::vector<NvDsInferLayerInfo> const &, NvDsInferNetworkInfo const &,
                                      float, std::vector<NvDsInferAttribute> &, std::string &);

namespace {

std::string g_dir;
std::string g_goodCfg, g_formatsCfg;
bool g_formatsLoaded = false;  // which of the two is loaded now
// The formats of g_formatsCfg (formats-strict=1): every plate must fit one exactly.
const char *const kFormats[] = {"LLDD", "DDLL", "LDLDLDL", "A", "AAAAAAAAAAAA", "DDDDD",
                                "LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL"};

// Printed at exit, so a run shows that inputs reach the decode loops, not only the checks.
struct Stats {
    unsigned long calls = 0, accepted = 0, withPlate = 0, configs = 0, configsOk = 0;
    unsigned long formatCalls = 0, formatPlates = 0;
    ~Stats()
    {
        std::fprintf(stderr,
                     "fuzz_ocr: %lu calls, %lu accepted, %lu with a plate; %lu settings files, "
                     "%lu usable; %lu calls with strict formats, %lu plates fitted\n",
                     calls, accepted, withPlate, configs, configsOk, formatCalls, formatPlates);
    }
} g_stats;

bool fitsExactly(const std::string &text, const char *format)
{
    if (text.size() != std::strlen(format)) return false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        const bool letter = c >= 'A' && c <= 'Z', digit = c >= '0' && c <= '9';
        if (!(format[i] == 'L' ? letter : format[i] == 'D' ? digit : letter || digit))
            return false;
    }
    return true;
}

void useSettings(bool formats)
{
    if (formats == g_formatsLoaded) return;
    if (!AlprOcrLoadConfig((formats ? g_formatsCfg : g_goodCfg).c_str())) std::abort();
    g_formatsLoaded = formats;
}

// Reads the input, then cycles through it again: short inputs still fill whole tensors with
// varied values (zeros would make every step the blank).
struct Reader {
    const uint8_t *data;
    size_t size, pos = 0;
    uint8_t byte() { return size ? data[pos++ % size] : 0; }
    std::string rest() const
    {
        return pos < size ? std::string(reinterpret_cast<const char *>(data + pos), size - pos)
                          : std::string();
    }
};

void writeFile(const std::string &path, const std::string &text)
{
    FILE *f = std::fopen(path.c_str(), "wb");
    if (!f) std::abort();
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
}

size_t elemSize(int t)
{
    switch (t) {
    case 0: case 3: return 4;
    case 1: return 2;
    case 4: return 8;
    default: return 1;
    }
}

void check(bool ok, float threshold, const std::vector<NvDsInferAttribute> &attrs,
           const std::string &desc)
{
    ++g_stats.calls;
    g_stats.accepted += ok;
    g_stats.withPlate += !attrs.empty();
    if (attrs.size() > 1) std::abort();
    if (!ok && !attrs.empty()) std::abort();
    for (const NvDsInferAttribute &a : attrs) {
        if (!a.attributeLabel || desc != a.attributeLabel) std::abort();
        if (!(a.attributeConfidence >= threshold)) std::abort();
    }
}

void fuzzConfig(Reader &r)
{
    // Most inputs complete a valid prefix, so the fuzzer reaches each value parser quickly.
    static const char *const kPrefixes[] = {
        "",
        "[ocr-parser]\ndictionary=dict.txt\nsubstitutions=",
        "[ocr-parser]\ndictionary=dict.txt\ncharset=",
        "[ocr-parser]\ndictionary=dict.txt\nblank-index=",
        "[ocr-parser]\ndictionary=dict.txt\nmin-length=0\nuppercase=",
        "[ocr-parser]\ndictionary=dict.txt\nconfidence=",
        "[ocr-parser]\n",
        "[ocr-parser]\ndictionary=dict.txt\nmin-length=1\ncharset=*\nformats=",
        "[ocr-parser]\ndictionary=dict.txt\ncharset=ABZ017KOIT28\nformats=LDA;AAAA;LLDD;D\n"
        "formats-strict=",
        "[ocr-parser]\ndictionary=dict.txt\nmin-length=1\nformats-strict=1\nformats=",
    };
    const std::string prefix = kPrefixes[r.byte() % (sizeof kPrefixes / sizeof *kPrefixes)];
    // The tensor: 1..8 steps, each step's best class from the input (so texts of many lengths
    // and characters meet the formats), scores in (0.5, 1].
    const unsigned steps = 1 + r.byte() % 8;
    float probs[8 * 11];
    for (unsigned t = 0; t < steps; ++t) {
        const uint8_t b = r.byte();
        for (unsigned c = 0; c < 11; ++c) probs[t * 11 + c] = 0.04f;
        probs[t * 11 + b % 11] = 0.5f + (b >> 4) / 30.0f;
    }
    const std::string cfg = g_dir + "/fuzz.cfg";
    writeFile(cfg, prefix + r.rest());
    ++g_stats.configs;
    g_stats.configsOk += AlprOcrLoadConfig(cfg.c_str());
    g_formatsLoaded = false;
    std::vector<NvDsInferLayerInfo> layers(1);
    NvDsInferLayerInfo &l = layers[0];
    std::memset(&l, 0, sizeof l);
    l.dataType = FLOAT;
    l.inferDims.numDims = 2;
    l.inferDims.d[0] = steps;
    l.inferDims.d[1] = 11;
    l.inferDims.numElements = steps * 11;
    l.layerName = "probs";
    l.buffer = probs;
    std::vector<NvDsInferAttribute> attrs;
    std::string desc;
    const bool ok = NvDsInferParseAlprOcr(layers, NvDsInferNetworkInfo{320, 48, 3}, 0.0f, attrs,
                                          desc);
    check(ok, 0.0f, attrs, desc);
    for (NvDsInferAttribute &a : attrs) std::free(a.attributeLabel);
    AlprOcrLoadConfig(g_goodCfg.c_str());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    char tmpl[] = "/tmp/fuzz_ocr.XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    g_dir = tmpl;
    // 10 entries -> 11 classes; a lowercase letter, a multi-byte character, a space.
    writeFile(g_dir + "/dict.txt", "A\nb\n7\n\xc3\x84\n \nZ\n0\n1\nK\nx\n");
    g_goodCfg = g_dir + "/ocr_parser.cfg";
    writeFile(g_goodCfg, "[ocr-parser]\ndictionary=dict.txt\nblank-index=0\nmin-length=1\n"
                         "charset=AB7Z01K\xc3\x84\nconfidence=product\n");
    // The same, plus strict formats; O, I, T, 2 and 8 are in the charset so 0->O, 1->I, 7->T,
    // Z->2 and B->8 are allowed corrections (the dictionary has no O, I, T, 2, 8 of its own).
    std::string formats;
    for (const char *f : kFormats) formats += (formats.empty() ? "" : ";") + std::string(f);
    g_formatsCfg = g_dir + "/ocr_parser_formats.cfg";
    writeFile(g_formatsCfg, "[ocr-parser]\ndictionary=dict.txt\nblank-index=0\nmin-length=1\n"
                            "charset=AB7Z01K\xc3\x84OIT28\nconfidence=product\nformats=" +
                                formats + "\nformats-strict=1\n");
    if (!AlprOcrLoadConfig(g_formatsCfg.c_str())) std::abort();
    AlprParserSetStderrLogging(0);
    if (!AlprOcrLoadConfig(g_goodCfg.c_str())) std::abort();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    Reader r{data, size};
    const uint8_t mode = r.byte();
    if ((mode & 15) == 15) {
        fuzzConfig(r);
        return 0;
    }
    const bool formats = (mode & 16) != 0;
    useSettings(formats);
    const int nLayers = mode % 4;
    std::vector<NvDsInferLayerInfo> layers(nLayers);
    std::vector<std::vector<uint8_t>> heap(nLayers);  // owns the buffers below
    std::vector<uint8_t *> bufs(nLayers, nullptr);
    for (int i = 0; i < nLayers; ++i) {
        NvDsInferLayerInfo &l = layers[i];
        std::memset(&l, 0, sizeof l);
        const uint8_t t = r.byte();
        l.dataType = static_cast<NvDsInferDataType>(t % 6);
        l.isInput = (t & 0x40) ? 1 : 0;
        l.inferDims.numDims = r.byte() % 10;
        uint64_t product = 1;
        for (unsigned k = 0; k < l.inferDims.numDims && k < NVDSINFER_MAX_DIMS; ++k) {
            // Mostly sizes that matter (T and the 11 classes of the dictionary), else anything.
            static const unsigned kDims[8] = {1, 2, 3, 4, 10, 11, 12, 40};
            const uint8_t b = r.byte();
            l.inferDims.d[k] = (b & 0x80) ? b % 64 : kDims[b % 8];
            product *= l.inferDims.d[k];
        }
        const uint8_t lie = r.byte();
        uint64_t count = (lie & 0x80) ? lie % 64 : product;
        if (count > 4096) count = 4096;  // what we allocate (and declare) stays small
        l.inferDims.numElements = static_cast<unsigned>(count);
        l.layerName = (lie & 1) ? "ocr_indices" : "ocr_scores";
        const size_t bytes = count * elemSize(l.dataType);
        if (!(t & 0x20)) {
            heap[i].resize(bytes);
            if (t & 0x80) {  // small values: class indices around 0..11, scores in [0, 1]
                for (size_t e = 0; e < count; ++e) {
                    const uint8_t v = r.byte();
                    uint8_t *dst = heap[i].data() + e * elemSize(l.dataType);
                    if (l.dataType == INT32) {
                        const int32_t x = static_cast<int32_t>(v % 13) - 1;
                        std::memcpy(dst, &x, 4);
                    } else if (static_cast<int>(l.dataType) == 4) {
                        const int64_t x = static_cast<int64_t>(v % 13) - 1;
                        std::memcpy(dst, &x, 8);
                    } else if (l.dataType == FLOAT) {
                        const float x = v / 255.0f;
                        std::memcpy(dst, &x, 4);
                    } else {
                        std::memset(dst, v, elemSize(l.dataType));
                    }
                }
            } else {
                for (size_t b = 0; b < bytes; ++b) heap[i][b] = r.byte();
            }
            // A separate exact-size malloc block so ASan flags a read past numElements.
            bufs[i] = static_cast<uint8_t *>(std::malloc(bytes ? bytes : 1));
            if (bytes) std::memcpy(bufs[i], heap[i].data(), bytes);
            l.buffer = bufs[i];
        }
    }
    float threshold = static_cast<float>(r.byte()) / 200.0f;
    std::vector<NvDsInferAttribute> attrs;
    std::string desc;
    const bool ok = NvDsInferParseAlprOcr(layers, NvDsInferNetworkInfo{320, 48, 3}, threshold,
                                          attrs, desc);
    check(ok, threshold, attrs, desc);
    if (formats) {
        ++g_stats.formatCalls;
        g_stats.formatPlates += !attrs.empty();
        bool fits = attrs.empty();
        for (const char *f : kFormats) fits = fits || fitsExactly(desc, f);
        if (!fits) std::abort();
    }
    for (NvDsInferAttribute &a : attrs) std::free(a.attributeLabel);
    for (uint8_t *b : bufs) std::free(b);
    return 0;
}
