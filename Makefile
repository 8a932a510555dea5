# logq — two commands: `make demo` and `make test`.
SHELL := /bin/bash
DEV_PACKAGES := libsqlite3-dev zlib1g-dev liblz4-dev libre2-dev pkg-config
# Headless Chromium renders the report in the end-to-end tests (skipped, with a note, without it).
TEST_PACKAGES := chromium
DEMO_DIR ?= $(shell mktemp -d -t logq-demo.XXXXXX 2>/dev/null || echo /tmp/logq-demo)
DEMO_DIR := $(DEMO_DIR)
DEMO_ROWS ?= 200000
LOGQ := .build/release/logq

.PHONY: demo test test-long deps test-deps build release conformance bench clean \
        fuzz fuzz-short fuzz-build fuzz-merge docs-examples test-asan test-ubsan test-tsan test-asan-short test-ubsan-short test-tsan-short test-sanitizers-short

# Installs the missing -dev packages with apt-get when root; otherwise prints the command and stops.
deps:
	@missing=""; for p in $(DEV_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "missing system packages:$$missing"; echo "run: sudo apt-get install -y$$missing"; exit 1; fi; \
	fi

build: deps
	swift build

# The release binary links the Swift runtime and Foundation statically: every query is its own
# process, and resolving the shared libraries' symbols cost ~10 ms of each one's start-up.
# It is linked as a fixed-address (non-PIE) executable: a position-independent one applies ~79,000
# relocations to the runtime's metadata at each start, touching (and copying) hundreds of pages.
RELEASE_FLAGS := -c release -Xswiftc -static-stdlib -Xswiftc -Xclang-linker -Xswiftc -no-pie
release: deps
	swift build $(RELEASE_FLAGS)

test-deps: deps
	@missing=""; for p in $(TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else echo "note: without$$missing the report screenshot test is skipped (sudo apt-get install -y$$missing)"; fi; \
	fi

test: test-deps
	.ci/lint-arith && .ci/lint-arith --self-test
	swift test 2>&1 | tee .test-output.log; exit $${PIPESTATUS[0]}
	python3 scripts/docs_examples.py check
	$(MAKE) --no-print-directory fuzz-short test-sanitizers-short

# The long mode: the kill -9 ingest test runs 200 kills instead of 24 (several minutes).
test-long: test-deps
	swift build --build-tests
	LOGQ_LONG_TESTS=1 swift test --skip-build --filter CrashTests.testKilledIngestNeverLosesOrDuplicates

# Builds, generates a week of telemetry, ingests it, and runs every saved query.
demo: release
	@echo "== generating telemetry into $(DEMO_DIR)"
	$(LOGQ) generate --out $(DEMO_DIR)/data --rows $(DEMO_ROWS)
	@echo "== ingesting"
	$(LOGQ) ingest --store $(DEMO_DIR)/store $(DEMO_DIR)/data
	$(LOGQ) tables --store $(DEMO_DIR)/store
	@inc_from=$$(python3 -c "import json;print(json.load(open('$(DEMO_DIR)/data/manifest.json'))['incident_start'])"); \
	inc_to=$$(python3 -c "import json;print(json.load(open('$(DEMO_DIR)/data/manifest.json'))['incident_end'])"); \
	for q in queries/*.kql; do \
	  title=$$(sed -n 's|^// *title: *||p' $$q | head -1); \
	  echo; echo "== $$title ($$q)"; \
	  $(LOGQ) run --store $(DEMO_DIR)/store --format table --param window_start=$$inc_from --param window_end=$$inc_to $$q | head -25 || true; \
	done
	@echo; echo "== post-incident report (window found from the data)"
	$(LOGQ) report --store $(DEMO_DIR)/store --incident --title "Demo incident" -o $(DEMO_DIR)/report.html
	@echo "open $(DEMO_DIR)/report.html"

# The examples of Kusto's documentation (Tests/DocsExamples/README.md): extracts them from a mirror of
# MicrosoftDocs/dataexplorer-docs (DOCS_MIRROR, a git dir) and runs every runnable one through the binary.
DOCS_MIRROR ?= /work/.mirror/MicrosoftDocs+dataexplorer-docs/repo
docs-examples:
	@if [ ! -d "$(DOCS_MIRROR)" ]; then echo "no docs mirror at $(DOCS_MIRROR): git clone --bare https://github.com/MicrosoftDocs/dataexplorer-docs.git DIR, then make docs-examples DOCS_MIRROR=DIR"; exit 1; fi
	swift build
	python3 scripts/docs_examples.py extract --git-dir "$(DOCS_MIRROR)"
	python3 scripts/docs_examples.py run

conformance: release
	python3 ../shared/conformance/run.py --logq $(LOGQ)

# In-process (warm) timings of the runbook queries with ordo-one/benchmark, in its own package so
# that the test and release builds never compile it. On bench.py's store:
#   make bench BENCH_STORE=/tmp/bench-work/logq BENCH_MANIFEST=/tmp/bench-data/manifest.json
# Without them, a store of 200,000 generated requests is built once in $$TMPDIR.
bench: deps
	cd Benchmarks && LOGQ_BENCH_STORE=$(BENCH_STORE) LOGQ_BENCH_MANIFEST=$(BENCH_MANIFEST) \
	  swift package benchmark --target QueryBenchmarks --metric wallClock --metric peakMemoryResident --format markdown

# Fuzzing (Fuzz/, its own package: the fuzzer's instrumentation never reaches the normal build).
# `make fuzz` runs each target FUZZ_SECONDS from its committed corpus (Fuzz/Corpus/), after replaying
# the fixed crashes in Fuzz/Crashes/; it fails on any crash, hang or out-of-memory and names the input
# (under .build-fuzz/artifacts/). `make fuzz-merge` minimises what a run found back into Fuzz/Corpus/.
FUZZ_SECONDS ?= 600
FUZZ_SHORT_SECONDS ?= 20
FUZZ_TARGETS ?= query json ingest segment
FUZZ_CONFIGURATION ?= release
# The short run (in `make test`) builds debug: ~4x quicker to build, and 20 s is a smoke run and the
# replay of Fuzz/Crashes either way. Its seed is fixed, so that a failure reproduces.
FUZZ_SHORT_CONFIGURATION ?= debug
fuzz-build: deps
	FUZZ_CONFIGURATION=$(FUZZ_CONFIGURATION) Fuzz/run.sh build
fuzz: fuzz-build
	FUZZ_CONFIGURATION=$(FUZZ_CONFIGURATION) Fuzz/run.sh run $(FUZZ_SECONDS) $(FUZZ_TARGETS)
fuzz-short: deps
	FUZZ_CONFIGURATION=$(FUZZ_SHORT_CONFIGURATION) Fuzz/run.sh build
	FUZZ_CONFIGURATION=$(FUZZ_SHORT_CONFIGURATION) FUZZ_SEED=1 \
	  Fuzz/run.sh run $(FUZZ_SHORT_SECONDS) $(FUZZ_TARGETS)
fuzz-merge:
	FUZZ_CONFIGURATION=$(FUZZ_CONFIGURATION) Fuzz/run.sh merge $(FUZZ_TARGETS)

# The test suite under the sanitizers, each in its own build path. The short versions (run by
# `make test`) leave out the end-to-end tests (each spawns the CLI many times) and the suites that
# ASan slows most (measured on this machine under load: charts 324 s, subquery budgets 232 s,
# differential 155 s); the full targets run everything. TSAN_TESTS is a regular expression of the
# test classes that run threads (add a new concurrency test's class here).
# LeakSanitizer is off: what it reports are the Swift runtime's and the tests' static caches
# (e.g. KernelTests' `static let batch`), reachable at exit, not leaks.
SANITIZER_SHORT_SKIP ?= EndToEndTests|ChartTests|SubqueryBudgetTests|DifferentialTests
TSAN_TESTS ?= MaintenanceTests|DifferentialTests|IngestTests|SubqueryBudgetTests|SnapshotTests
# The short run keeps the tests that run threads against each other (appender and readers, compaction
# under a query, parallel ingest, parallel scans and summarize); TSan made the rest of DifferentialTests
# 177 s and SubqueryBudgetTests 74 s here.
TSAN_SHORT_TESTS ?= MaintenanceTests|IngestTests|SnapshotTests|DifferentialTests/testRewritesEncodedPredicatesAndParallelismChangeNoResult
ASAN_ENV := ASAN_OPTIONS=detect_leaks=0
# The memory-budget tests assert which budget stops a query, measured as resident memory: ASan's
# shadow memory and quarantine add hundreds of MB to it, so under ASan those tests would measure ASan.
ASAN_SKIP ?= BudgetBindingTests
# swiftc has no -sanitize=undefined on Linux (Swift code traps on overflow and out-of-bounds by
# itself): UBSan instruments the C and C++ targets (the RE2 shim), and any undefined behaviour there
# stops the test run.
UBSAN_FLAGS := -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined -Xcxx -fsanitize=undefined \
  -Xcxx -fno-sanitize-recover=undefined -Xswiftc -Xclang-linker -Xswiftc -fsanitize=undefined
test-asan: deps
	$(ASAN_ENV) swift test --sanitize=address --scratch-path .build-asan --skip '$(ASAN_SKIP)'
test-ubsan: deps
	swift test $(UBSAN_FLAGS) --scratch-path .build-ubsan
TSAN_ENV := TSAN_OPTIONS="suppressions=$(CURDIR)/Fuzz/tsan.supp halt_on_error=0"
test-tsan: deps
	$(TSAN_ENV) swift test --sanitize=thread --scratch-path .build-tsan --filter '$(TSAN_TESTS)'
test-asan-short: deps
	$(ASAN_ENV) swift test --sanitize=address --scratch-path .build-asan --skip '$(SANITIZER_SHORT_SKIP)|$(ASAN_SKIP)'
test-ubsan-short: deps
	swift test $(UBSAN_FLAGS) --scratch-path .build-ubsan --skip '$(SANITIZER_SHORT_SKIP)'
test-tsan-short: deps
	$(TSAN_ENV) swift test --sanitize=thread --scratch-path .build-tsan --filter '$(TSAN_SHORT_TESTS)'
test-sanitizers-short: test-asan-short test-ubsan-short test-tsan-short

clean:
	rm -rf .build .build-asan .build-ubsan .build-tsan .build-fuzz Benchmarks/.build Fuzz/.build
