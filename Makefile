# logq — two commands: `make demo` and `make test`.
SHELL := /bin/bash
DEV_PACKAGES := libsqlite3-dev zlib1g-dev liblz4-dev libre2-dev pkg-config
# Headless Chromium renders the report in the end-to-end tests (skipped, with a note, without it).
TEST_PACKAGES := chromium
DEMO_DIR ?= $(shell mktemp -d -t logq-demo.XXXXXX 2>/dev/null || echo /tmp/logq-demo)
DEMO_DIR := $(DEMO_DIR)
DEMO_ROWS ?= 200000
LOGQ := .build/release/logq

.PHONY: demo test test-long deps test-deps build release conformance bench clean

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

conformance: release
	python3 ../shared/conformance/run.py --logq $(LOGQ)

# In-process (warm) timings of the runbook queries with ordo-one/benchmark, in its own package so
# that the test and release builds never compile it. On bench.py's store:
#   make bench BENCH_STORE=/tmp/bench-work/logq BENCH_MANIFEST=/tmp/bench-data/manifest.json
# Without them, a store of 200,000 generated requests is built once in $$TMPDIR.
bench: deps
	cd Benchmarks && LOGQ_BENCH_STORE=$(BENCH_STORE) LOGQ_BENCH_MANIFEST=$(BENCH_MANIFEST) \
	  swift package benchmark --target QueryBenchmarks --metric wallClock --metric peakMemoryResident --format markdown

clean:
	rm -rf .build Benchmarks/.build
