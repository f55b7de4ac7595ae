/*
 * ocr_parser.cpp -- NvDsInferParseAlprOcr: greedy CTC decode of a plate recogniser, for an
 * nvinfer classifier SGIE (network-type=1, parse-classifier-func-name=NvDsInferParseAlprOcr).
 *
 * Output forms accepted (batch dimension excluded, leading 1-sized dims ignored):
 *   - probabilities [T, C] (FLOAT or HALF), C = dictionary entries + 1 (the blank);
 *   - indices [T] (INT32, or INT64 on DeepStream 8.0) + scores [T] (FLOAT or HALF), as written
 *     by `alpr-gen export-ocr --argmax` (and NVIDIA's LPRNet ArgMax/Max heads).
 * Decode: per step take the best class, collapse repeats, drop the blank, map classes to the
 * dictionary, uppercase ASCII, apply substitutions, keep only characters of the plate charset.
 * Then, when plate formats are set, fit the text to the best format (below). A plate is emitted
 * when it has >= min-length characters and its confidence (min | product | mean of the kept
 * characters' scores) is >= classifier-threshold.
 *
 * Plate formats (syntax correction): formats=LLLDDDD;LLDDLLL, each a pattern of L (a letter
 * A-Z), D (a digit 0-9) or A (either). For each format as long as the text, count the positions
 * that must change, using only these visually ambiguous pairs (a change whose result is not in
 * the charset is not allowed; anything else, e.g. a letter in a digit position with no pair or a
 * non-ASCII character, means the format does not fit):
 *   digit position:  O Q D U -> 0   I L T -> 1   Z -> 2   S -> 5   G -> 6   B -> 8
 *   letter position: 0 -> O   1 -> I   2 -> Z   5 -> S   6 -> G   8 -> B   4 -> A   7 -> T
 * The fitting format with the fewest changes wins (ties: the first listed) and its changes are
 * applied; the confidence is unchanged. No fitting format: the text is kept as read, or, with
 * formats-strict=1, no plate is emitted. At most 16 formats of at most 32 characters.
 *
 * Settings: a keyfile found through $ALPR_OCR_CONFIG, else ./ocr_parser.cfg, read ONCE on the
 * first call (thread-safe). Group [ocr-parser]:
 *   dictionary=models/ocr_dict.txt   relative to the settings file's directory (required)
 *   blank-index=0                    class index of the CTC blank; -1 or "last" = C - 1
 *   min-length=3
 *   charset=ABC...0123456789         characters kept (UTF-8); "*" keeps everything
 *   uppercase=1                      map a-z to A-Z before the charset filter
 *   substitutions=O:0;I:1            then read these characters as others (default none)
 *   confidence=min                   min | product | mean
 *   formats=LLLDDDD;LLDDLLL          plate formats, see above (default none)
 *   formats-strict=0                 1: drop a plate that fits no format
 * Dictionary: UTF-8, one entry per line in class order with the blank left out (class k is line
 * k below the blank, line k - 1 above it); only the line break is stripped, so " " is a class.
 *
 * A missing or bad settings file or dictionary prints one stderr line and makes every call
 * return false (nvinfer reports the failure); a tensor the settings do not fit (wrong C, an index
 * out of range) is logged (rate-limited) and yields no plate. Nothing is read outside the
 * numElements the layer declares.
 */
#include "alpr_common.h"

#include <atomic>
#include <cmath>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace {

const char *const kParser = "NvDsInferParseAlprOcr";
const char *const kDefaultCharset = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
constexpr size_t kMaxDictEntries = 1u << 20;
constexpr size_t kMaxFileBytes = 64u << 20;
constexpr size_t kMaxFormats = 16;
constexpr size_t kMaxFormatLength = 32;

enum class ConfMode { Min, Product, Mean };

struct OcrConfig {
    bool ok = false;
    std::string error;          /* why !ok, logged on every call (the logger drops repeats) */
    long blankIndex = 0;        /* -1 = last class */
    unsigned minLength = 3;
    ConfMode confMode = ConfMode::Min;
    std::vector<std::string> mapped; /* per dictionary entry: normalised text, "" = dropped */
    std::vector<std::string> formats;  /* plate formats over L, D, A (<= 16 of <= 32 chars) */
    bool formatsStrict = false;        /* no format fits: drop the plate */
    bool allowedAscii[128] = {};       /* the charset's ASCII characters (targets of changes) */
};

/* The visually ambiguous pairs of the format correction: what a character read in a digit
 * (letter) position becomes, 0 = no pair. Kept small on purpose: each pair is a shape PP-OCR
 * and LPRNet-style models confuse on plates; anything else is a real misread. */
char asDigit(char c)
{
    switch (c) {
    case 'O': case 'Q': case 'D': case 'U': return '0';
    case 'I': case 'L': case 'T': return '1';
    case 'Z': return '2';
    case 'S': return '5';
    case 'G': return '6';
    case 'B': return '8';
    default: return 0;
    }
}

char asLetter(char c)
{
    switch (c) {
    case '0': return 'O';
    case '1': return 'I';
    case '2': return 'Z';
    case '5': return 'S';
    case '6': return 'G';
    case '8': return 'B';
    case '4': return 'A';
    case '7': return 'T';
    default: return 0;
    }
}

inline bool isUpper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool isDigit(char c) { return c >= '0' && c <= '9'; }

/* What a format position f (L, D or A) makes of character c: c itself, its pair, 0 = no fit. */
inline char fitChar(const OcrConfig &cfg, char f, char c)
{
    char to;
    if (f == 'A') return isUpper(c) || isDigit(c) ? c : 0;
    if (f == 'L') to = isUpper(c) ? c : asLetter(c);
    else to = isDigit(c) ? c : asDigit(c);
    return to != 0 && cfg.allowedAscii[static_cast<unsigned char>(to)] ? to : 0;
}

/* Fits `text` to the format needing the fewest changes (ties: the first). Returns false when no
 * format fits (text unchanged). At most 16 x 32 steps per pass. */
bool applyFormats(const OcrConfig &cfg, std::string &text)
{
    size_t best = cfg.formats.size(), bestChanges = kMaxFormatLength + 1;
    for (size_t k = 0; k < cfg.formats.size(); ++k) {
        const std::string &f = cfg.formats[k];
        if (f.size() != text.size()) continue;
        size_t changes = 0;
        bool fits = true;
        for (size_t i = 0; i < f.size() && fits; ++i) {
            const char to = fitChar(cfg, f[i], text[i]);
            fits = to != 0;
            changes += to != text[i];
        }
        if (fits && changes < bestChanges) best = k, bestChanges = changes;
    }
    if (best == cfg.formats.size()) return false;
    const std::string &f = cfg.formats[best];
    for (size_t i = 0; i < f.size(); ++i) text[i] = fitChar(cfg, f[i], text[i]);
    return true;
}

std::string trim(const std::string &s)
{
    size_t b = 0, e = s.size();
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
    while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
    return s.substr(b, e - b);
}

bool readFile(const std::string &path, std::string &out, std::string &err)
{
    FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) {
        err = path + ": " + std::strerror(errno);
        return false;
    }
    out.clear();
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
        out.append(buf, n);
        if (out.size() > kMaxFileBytes) {
            std::fclose(f);
            err = path + ": larger than 64 MiB";
            return false;
        }
    }
    const bool bad = std::ferror(f) != 0;
    std::fclose(f);
    if (bad) err = path + ": read error";
    return !bad;
}

std::vector<std::string> splitLines(const std::string &text)
{
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        std::string line = text.substr(start, nl - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        lines.push_back(line);
        start = nl + 1;
    }
    return lines;
}

/* UTF-8 code points of s (a lead byte and its continuation bytes; no validation needed here). */
std::vector<std::string> codePoints(const std::string &s)
{
    std::vector<std::string> cps;
    for (size_t i = 0; i < s.size();) {
        size_t j = i + 1;
        while (j < s.size() && (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) ++j;
        cps.push_back(s.substr(i, j - i));
        i = j;
    }
    return cps;
}

bool parseLong(const std::string &v, long lo, long hi, long &out)
{
    if (v.empty()) return false;
    char *end = nullptr;
    errno = 0;
    const long x = std::strtol(v.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || x < lo || x > hi) return false;
    out = x;
    return true;
}

std::string dirName(const std::string &path)
{
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

OcrConfig loadConfig(const std::string &cfgPath)
{
    OcrConfig cfg;
    std::string text, err;
    if (!readFile(cfgPath, text, err)) {
        cfg.error = "cannot read OCR settings " + err +
                    " (set ALPR_OCR_CONFIG or run deepstream-app from the bundle directory)";
        return cfg;
    }
    std::string group, dictionary, charset = kDefaultCharset;
    std::vector<std::pair<std::string, std::string>> substitutions;
    bool uppercase = true, sawGroup = false, formatsSet = false;
    const std::vector<std::string> lines = splitLines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
        const std::string line = trim(lines[i]);
        const std::string where = cfgPath + ":" + std::to_string(i + 1) + ": ";
        if (line.empty() || line[0] == '#') continue;
        if (line[0] == '[') {
            if (line.back() != ']') {
                cfg.error = where + "bad group header '" + line + "'";
                return cfg;
            }
            group = line.substr(1, line.size() - 2);
            sawGroup = sawGroup || group == "ocr-parser";
            continue;
        }
        if (group != "ocr-parser") continue;
        const size_t eq = line.find('=');
        if (eq == std::string::npos) {
            cfg.error = where + "expected key=value, got '" + line + "'";
            return cfg;
        }
        const std::string key = trim(line.substr(0, eq));
        std::string value = trim(line.substr(eq + 1));
        const size_t hash = value.find(" #");  // tolerate "value   # comment"
        if (hash != std::string::npos) value = trim(value.substr(0, hash));
        long n = 0;
        if (key == "dictionary") {
            dictionary = value;
        } else if (key == "blank-index") {
            if (value == "last") {
                cfg.blankIndex = -1;
            } else if (!parseLong(value, -1, static_cast<long>(kMaxDictEntries), n)) {
                cfg.error = where + "blank-index must be an integer >= -1 or 'last'";
                return cfg;
            } else {
                cfg.blankIndex = n;
            }
        } else if (key == "min-length") {
            if (!parseLong(value, 0, 1000, n)) {
                cfg.error = where + "min-length must be an integer in 0..1000";
                return cfg;
            }
            cfg.minLength = static_cast<unsigned>(n);
        } else if (key == "charset") {
            charset = value;
        } else if (key == "substitutions") {
            // "O:0;I:1": read O as 0 and I as 1 (plate systems without those letters).
            size_t start = 0;
            while (start <= value.size()) {
                size_t semi = value.find(';', start);
                if (semi == std::string::npos) semi = value.size();
                const std::string item = trim(value.substr(start, semi - start));
                start = semi + 1;
                if (item.empty()) continue;
                const std::vector<std::string> cps = codePoints(item);
                if (cps.size() != 3 || cps[1] != ":") {
                    cfg.error = where + "substitutions: '" + item +
                                "' is not <character>:<character>";
                    return cfg;
                }
                substitutions.emplace_back(cps[0], cps[2]);
            }
        } else if (key == "formats") {
            // "LLLDDDD;LLDDLLL": every item non-empty, only L/D/A, <= 32 long, <= 16 items.
            cfg.formats.clear();
            formatsSet = true;
            size_t start = 0;
            while (start <= value.size()) {
                size_t semi = value.find(';', start);
                if (semi == std::string::npos) semi = value.size();
                const std::string item = trim(value.substr(start, semi - start));
                start = semi + 1;
                const bool letters =
                    item.find_first_not_of("LDA") == std::string::npos && !item.empty();
                if (!letters || item.size() > kMaxFormatLength) {
                    cfg.error = where + "formats: '" + item + "' is not 1.." +
                                std::to_string(kMaxFormatLength) +
                                " of L (letter), D (digit), A (either); items are separated "
                                "by ';'";
                    return cfg;
                }
                if (cfg.formats.size() == kMaxFormats) {
                    cfg.error = where + "formats: more than " + std::to_string(kMaxFormats) +
                                " formats";
                    return cfg;
                }
                cfg.formats.push_back(item);
            }
        } else if (key == "formats-strict") {
            if (value != "0" && value != "1" && value != "true" && value != "false") {
                cfg.error = where + "formats-strict must be 0 or 1";
                return cfg;
            }
            cfg.formatsStrict = value == "1" || value == "true";
        } else if (key == "uppercase") {
            if (value != "0" && value != "1" && value != "true" && value != "false") {
                cfg.error = where + "uppercase must be 0 or 1";
                return cfg;
            }
            uppercase = value == "1" || value == "true";
        } else if (key == "confidence") {
            if (value == "min") cfg.confMode = ConfMode::Min;
            else if (value == "product") cfg.confMode = ConfMode::Product;
            else if (value == "mean") cfg.confMode = ConfMode::Mean;
            else {
                cfg.error = where + "confidence must be min, product or mean";
                return cfg;
            }
        } else {
            cfg.error = where + "unknown key '" + key + "' in [ocr-parser]";
            return cfg;
        }
    }
    if (!sawGroup || dictionary.empty()) {
        cfg.error = cfgPath + ": [ocr-parser] dictionary=... is required";
        return cfg;
    }
    if (cfg.formatsStrict && !formatsSet) {
        cfg.error = cfgPath + ": formats-strict=1 needs formats=...";
        return cfg;
    }
    const std::string dictPath =
        dictionary[0] == '/' ? dictionary : dirName(cfgPath) + "/" + dictionary;
    std::string dictText;
    if (!readFile(dictPath, dictText, err)) {
        cfg.error = "cannot read the OCR dictionary " + err + " (named by " + cfgPath + ")";
        return cfg;
    }
    const std::vector<std::string> entries = splitLines(dictText);
    if (entries.empty() || entries.size() > kMaxDictEntries) {
        cfg.error = dictPath + ": the dictionary must have 1.." +
                    std::to_string(kMaxDictEntries) + " entries";
        return cfg;
    }
    const bool keepAll = charset == "*";
    const std::vector<std::string> allowed = codePoints(charset);
    for (const std::string &cp : allowed)
        if (cp.size() == 1 && static_cast<unsigned char>(cp[0]) < 128)
            cfg.allowedAscii[static_cast<unsigned char>(cp[0])] = true;
    if (keepAll)
        for (bool &a : cfg.allowedAscii) a = true;
    cfg.mapped.reserve(entries.size());
    for (size_t i = 0; i < entries.size(); ++i) {
        std::string e = entries[i];
        if (e.empty()) {
            cfg.error = dictPath + ":" + std::to_string(i + 1) +
                        ": empty entry (each line is one class; the blank is not listed)";
            return cfg;
        }
        if (uppercase)
            for (char &c : e)
                if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        for (const auto &sub : substitutions)
            if (e == sub.first) {
                e = sub.second;
                break;
            }
        bool keep = keepAll;
        for (size_t k = 0; !keep && k < allowed.size(); ++k) keep = allowed[k] == e;
        cfg.mapped.push_back(keep ? e : std::string());
    }
    if (cfg.blankIndex > static_cast<long>(entries.size())) {
        cfg.error = cfgPath + ": blank-index " + std::to_string(cfg.blankIndex) +
                    " is beyond the " + std::to_string(entries.size() + 1) + " classes";
        return cfg;
    }
    cfg.ok = true;
    return cfg;
}

std::string configPath()
{
    const char *env = std::getenv("ALPR_OCR_CONFIG");
    return env && *env ? std::string(env) : std::string("ocr_parser.cfg");
}

/* Read once on first use (call_once: nvinfer may call from several threads). AlprOcrLoadConfig
 * (tests, fuzzer) swaps in another while no parser call is running. */
std::once_flag g_once;
std::atomic<const OcrConfig *> g_config{nullptr};

const OcrConfig &config()
{
    std::call_once(g_once, [] {
        if (!g_config.load(std::memory_order_acquire))
            g_config.store(new OcrConfig(loadConfig(configPath())), std::memory_order_release);
    });
    return *g_config.load(std::memory_order_acquire);
}

bool isIntType(const NvDsInferLayerInfo &l)
{
    const int t = static_cast<int>(l.dataType);
    return t == 3 || t == 4;  // INT32, INT64 (DeepStream 8.0; by value: older headers lack it)
}

/* Bounds-checked view of an INT32/INT64 indices layer, flattened. */
bool viewIndices(const NvDsInferLayerInfo &l, size_t &count)
{
    const NvDsInferDims &d = l.inferDims;
    const char *name = l.layerName ? l.layerName : "(unnamed)";
    if (d.numDims == 0 || d.numDims > NVDSINFER_MAX_DIMS) {
        alpr::logError(kParser, "indices layer '%s' has %u dims; not parsed", name, d.numDims);
        return false;
    }
    uint64_t product = 1;
    for (unsigned i = 0; i < d.numDims && product <= (1ull << 40); ++i) product *= d.d[i];
    if (product == 0 || product != d.numElements || l.buffer == nullptr) {
        alpr::logError(kParser, "indices layer '%s' is empty, has no buffer or numElements=%u "
                       "disagrees with its dims; not parsed", name, d.numElements);
        return false;
    }
    count = static_cast<size_t>(product);
    return true;
}

struct Decoded {
    std::string text;
    unsigned chars = 0;
    float minScore = 1.0f;
    double product = 1.0, sum = 0.0;

    void add(const std::string &s, float score)
    {
        if (s.empty()) return;
        text += s;
        ++chars;
        if (score < minScore || std::isnan(score)) minScore = score;  // NaN sticks: no plate
        product *= score;
        sum += score;
    }
};

/* Greedy CTC step: `cls` is the best class at this step (may be out of range for bad input). */
inline bool step(const OcrConfig &cfg, size_t classes, size_t blank, int64_t cls, float score,
                 int64_t &prev, Decoded &out)
{
    if (cls < 0 || static_cast<uint64_t>(cls) >= classes) return false;
    if (cls != prev && static_cast<size_t>(cls) != blank) {
        const size_t c = static_cast<size_t>(cls);
        out.add(cfg.mapped[c < blank ? c : c - 1], score);
    }
    prev = cls;
    return true;
}

}  // namespace

extern "C" bool NvDsInferParseAlprOcr(std::vector<NvDsInferLayerInfo> const &outputLayersInfo,
                                      NvDsInferNetworkInfo const & /*networkInfo*/,
                                      float classifierThreshold,
                                      std::vector<NvDsInferAttribute> &attrList,
                                      std::string &attrString)
{
    alpr::clearError();
    const OcrConfig &cfg = config();
    if (!cfg.ok) {
        alpr::logError(kParser, "%s", cfg.error.c_str());
        return false;
    }
    const size_t classes = cfg.mapped.size() + 1;
    const size_t blank = cfg.blankIndex < 0 ? classes - 1 : static_cast<size_t>(cfg.blankIndex);

    const NvDsInferLayerInfo *indices = nullptr, *scores = nullptr, *probs = nullptr;
    for (const NvDsInferLayerInfo &l : outputLayersInfo) {
        if (l.isInput) continue;
        if (isIntType(l)) {
            if (!indices) indices = &l;
        } else if (!scores) {
            scores = &l;  // first float layer: scores in the indices form, else probabilities
        }
    }
    Decoded out;
    int64_t prev = -1;
    if (indices) {
        size_t steps = 0;
        alpr::TensorView sv;
        if (!viewIndices(*indices, steps)) return true;
        if (!scores) {
            alpr::logError(kParser, "indices layer '%s' has no float scores layer beside it",
                           indices->layerName ? indices->layerName : "(unnamed)");
            return true;
        }
        if (!alpr::viewLayer(*scores, sv, kParser)) return true;
        if (sv.count != steps) {
            alpr::logError(kParser, "indices (%zu) and scores (%zu) differ in length", steps,
                           sv.count);
            return true;
        }
        const bool wide = static_cast<int>(indices->dataType) == 4;
        const unsigned char *base = static_cast<const unsigned char *>(indices->buffer);
        for (size_t t = 0; t < steps; ++t) {
            int64_t cls;
            if (wide) {
                std::memcpy(&cls, base + t * 8, 8);
            } else {
                int32_t c32;
                std::memcpy(&c32, base + t * 4, 4);
                cls = c32;
            }
            if (!step(cfg, classes, blank, cls, sv.at(t), prev, out)) {
                alpr::logError(kParser, "class index %lld at step %zu is outside the %zu classes "
                               "of the dictionary; no plate", static_cast<long long>(cls), t,
                               classes);
                return true;
            }
        }
    } else {
        probs = scores;
        alpr::TensorView pv;
        if (!probs) {
            alpr::logError(kParser, "no output layer to decode");
            return true;
        }
        if (!alpr::viewLayer(*probs, pv, kParser)) return true;
        // [T, C]; leading 1s are squeezed by viewLayer, so T == 1 arrives as [C].
        const bool shapeOk = (pv.numDims == 2 && pv.d[1] == classes) ||
                             (pv.numDims == 1 && pv.d[0] == classes);
        if (!shapeOk) {
            char shown[160];
            alpr::formatDims(probs->inferDims, shown, sizeof shown);
            alpr::logError(kParser, "probabilities layer '%s' is %s; expected [T, %zu] "
                           "(dictionary entries + blank)",
                           probs->layerName ? probs->layerName : "(unnamed)", shown, classes);
            return true;
        }
        const size_t steps = pv.count / classes;
        if (!pv.half) {
            const float *p = static_cast<const float *>(pv.data);
            for (size_t t = 0; t < steps; ++t, p += classes) {
                size_t best = 0;
                float bestScore = p[0];
                for (size_t c = 1; c < classes; ++c)
                    if (p[c] > bestScore) bestScore = p[c], best = c;
                step(cfg, classes, blank, static_cast<int64_t>(best), bestScore, prev, out);
            }
        } else {
            for (size_t t = 0; t < steps; ++t) {
                size_t best = 0;
                float bestScore = pv.at(t * classes);
                for (size_t c = 1; c < classes; ++c) {
                    const float v = pv.at(t * classes + c);
                    if (v > bestScore) bestScore = v, best = c;
                }
                step(cfg, classes, blank, static_cast<int64_t>(best), bestScore, prev, out);
            }
        }
    }

    if (out.chars == 0 || out.chars < cfg.minLength) return true;
    if (!cfg.formats.empty() && !applyFormats(cfg, out.text) && cfg.formatsStrict) return true;
    float confidence = out.minScore;
    if (cfg.confMode == ConfMode::Product) confidence = static_cast<float>(out.product);
    if (cfg.confMode == ConfMode::Mean) confidence = static_cast<float>(out.sum / out.chars);
    if (!(confidence >= classifierThreshold)) return true;  // NaN scores never pass

    NvDsInferAttribute attr;
    attr.attributeIndex = 0;
    attr.attributeValue = 1;
    attr.attributeConfidence = confidence;
    attr.attributeLabel = strdup(out.text.c_str());  // nvinfer free()s it
    if (!attr.attributeLabel) return true;
    attrList.push_back(attr);
    attrString = out.text;
    return true;
}

/* Tests and the fuzzer: replace the settings (path NULL = $ALPR_OCR_CONFIG / ./ocr_parser.cfg).
 * Returns 1 when the new settings are usable; AlprParserLastError() says why not. Frees the
 * previous settings: never call it while NvDsInferParseAlprOcr may be running. */
extern "C" int AlprOcrLoadConfig(const char *path)
{
    alpr::clearError();
    const OcrConfig *cfg = new OcrConfig(loadConfig(path ? std::string(path) : configPath()));
    std::call_once(g_once, [] {});
    delete g_config.exchange(cfg, std::memory_order_acq_rel);
    if (!cfg->ok) alpr::logError(kParser, "%s", cfg->error.c_str());
    return cfg->ok ? 1 : 0;
}

CHECK_CUSTOM_CLASSIFIER_PARSE_FUNC_PROTOTYPE(NvDsInferParseAlprOcr);
