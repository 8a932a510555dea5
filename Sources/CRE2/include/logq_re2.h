#ifndef LOGQ_RE2_H
#define LOGQ_RE2_H
// A small C surface over RE2 (linear-time matching, the regex syntax Kusto documents) for Swift.
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct logq_re2 logq_re2;

/// Compiles `pattern` (UTF-8). On failure returns NULL and writes RE2's message into `error`
/// (truncated to `error_size` bytes, NUL-terminated).
logq_re2 *logq_re2_compile(const char *pattern, size_t length, char *error, size_t error_size);
void logq_re2_free(logq_re2 *re);
/// Number of capturing groups.
int logq_re2_groups(const logq_re2 *re);
/// Searches text[start..<length] (unanchored). On a match fills `spans` with (begin, end) byte
/// offsets for group 0 … nspans/2-1 (-1, -1 for a group that did not take part) and returns 1.
int logq_re2_match(const logq_re2 *re, const char *text, size_t length, size_t start, int *spans, int nspans);

#ifdef __cplusplus
}
#endif
#endif
