// libFuzzer's driver, started from Swift: SwiftPM links an executable's own entry point as
// `main`, which takes the place of libFuzzer's, so each target's main.swift calls this instead.
// Defined in the compiler's libclang_rt.fuzzer, linked by `-sanitize=fuzzer`.
#include <stddef.h>
#include <stdint.h>
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
