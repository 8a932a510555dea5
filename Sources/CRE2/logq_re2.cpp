// Why a shim: RE2 is C++; Swift reaches it through this C surface. RE2 guarantees matching in
// time linear in the input (no backtracking), which Kusto's docs promise and Swift's Regex does not.
#include "logq_re2.h"
#include <re2/re2.h>
#include <cstring>
#include <vector>

struct logq_re2 {
    re2::RE2 re;
    explicit logq_re2(re2::StringPiece p, const re2::RE2::Options &o) : re(p, o) {}
};

extern "C" logq_re2 *logq_re2_compile(const char *pattern, size_t length, char *error, size_t error_size) {
    re2::RE2::Options options;
    options.set_log_errors(false);
    options.set_encoding(re2::RE2::Options::EncodingUTF8);
    auto *re = new logq_re2(re2::StringPiece(pattern, length), options);
    if (!re->re.ok()) {
        if (error && error_size > 0) {
            const std::string &m = re->re.error();
            size_t n = m.size() < error_size - 1 ? m.size() : error_size - 1;
            std::memcpy(error, m.data(), n);
            error[n] = 0;
        }
        delete re;
        return nullptr;
    }
    return re;
}

extern "C" void logq_re2_free(logq_re2 *re) { delete re; }

extern "C" int logq_re2_groups(const logq_re2 *re) { return re->re.NumberOfCapturingGroups(); }

extern "C" int logq_re2_match(const logq_re2 *re, const char *text, size_t length, size_t start, int *spans, int nspans) {
    int groups = nspans / 2;
    if (groups < 1) groups = 1;
    std::vector<re2::StringPiece> sub(groups);
    re2::StringPiece input(text ? text : "", length);
    if (!re->re.Match(input, start, length, re2::RE2::UNANCHORED, sub.data(), groups)) return 0;
    for (int g = 0; g < groups && 2 * g + 1 < nspans; g++) {
        if (sub[g].data() == nullptr) { spans[2 * g] = -1; spans[2 * g + 1] = -1; continue; }
        spans[2 * g] = (int)(sub[g].data() - input.data());
        spans[2 * g + 1] = (int)(sub[g].data() - input.data() + sub[g].size());
    }
    return 1;
}
