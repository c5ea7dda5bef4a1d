# Ganymede: these targets wrap meson and ninja.
#
#   make run     install what is missing, build, initialise ./data on first
#                run, serve https://127.0.0.1:8443
#   make check   install what is missing, build (with ASan and UBSan), run
#                every test suite, end with "N passed, M failed"
#   make bench   the benchmarks (bench/*/run), printing ratios
#   make fuzz    the fuzz targets for FUZZ_SECONDS each (default 600)

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
DATA       ?= ./data
LISTEN     ?= 127.0.0.1:8443
FUZZ_SECONDS ?= 600

.PHONY: all deps build asan fuzz-build run check bench fuzz format clean

all: build

deps:
	@scripts/install-deps && scripts/install-npm

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) --buildtype=debug \
	    -Db_sanitize=address,undefined -Db_lundef=false

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) --buildtype=debug -Dfuzz=true \
	    -Db_lundef=false

build: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD)

asan: deps $(ASAN_BUILD)/build.ninja
	@ninja -C $(ASAN_BUILD)

fuzz-build: deps $(FUZZ_BUILD)/build.ninja
	@ninja -C $(FUZZ_BUILD)

run: build
	@scripts/run $(BUILD)/ganymede $(DATA) $(LISTEN)

check: asan fuzz-build
	@tests/run-all $(ASAN_BUILD) $(FUZZ_BUILD)

bench: build
	@GANYMEDE=$(BUILD)/ganymede bench/http/run
	@BUILD=$(BUILD) bench/ingest/run

fuzz: fuzz-build
	@FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run $(FUZZ_BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
