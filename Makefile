# The two commands: `make demo` and `make test`. Both install missing
# Debian packages first (scripts/install-deps.sh, idempotent), once per
# version of that script.
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc)
# Tests at once: as many as CPUs. One more (-j3 here) cut the normal
# pass from 531 s to 374 s, but two load-sensitive scenarios (t0700's
# heap trough, t0810's etcd start) failed with it (docs/testing.md).
TEST_JOBS  ?= $(JOBS)
FUZZ_SECONDS ?= 60
# make install [PREFIX=/usr/local] [DESTDIR=/tmp/stage]
PREFIX     ?= /usr/local
DESTDIR    ?=

# Warnings are errors in every build made here (CI runs `make test`); the
# CMake default is off for packagers.
CMAKE_FLAGS = -DPREFLIGHT_WERROR=ON

.PHONY: all deps deps-once build build-asan demo test test-normal test-asan check install deb bench fuzz clean

all: build

# .deps-stamp holds the checksum of the install-deps.sh that last
# succeeded: the script runs on a fresh clone and after it changes, not on
# every make (`make deps` runs it regardless).
DEPS_STAMP := .deps-stamp
DEPS_SUM = $(shell sha256sum scripts/install-deps.sh | cut -d' ' -f1)

deps:
	@scripts/install-deps.sh
	@echo $(DEPS_SUM) >$(DEPS_STAMP)

deps-once:
	@[ "$$(cat $(DEPS_STAMP) 2>/dev/null)" = "$(DEPS_SUM)" ] || $(MAKE) --no-print-directory deps

build: deps-once
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j$(JOBS)

build-asan: deps-once
	CC=clang cmake -S . -B $(BUILD_ASAN) -DCMAKE_BUILD_TYPE=Debug -DPREFLIGHT_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD_ASAN) -j$(JOBS)

demo: build
	scripts/demo.sh $(BUILD)/preflight

# The suite runs twice: a normal build, then an ASan+UBSan(+LSan) build.
test: test-normal test-asan

test-normal: build
	cd $(BUILD) && ctest --output-on-failure -j$(TEST_JOBS)

test-asan: build-asan
	cd $(BUILD_ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j$(TEST_JOBS)

# The inner loop: unit tests and the integration scenarios not labelled
# slow, in the normal build only (docs/testing.md).
check: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -LE slow

install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

# preflight_VERSION_ARCH.deb in $(BUILD) (docs/packaging.md).
deb: build
	cd $(BUILD) && cpack -G DEB

bench: build
	bench/run.sh $(BUILD)/preflight

fuzz: deps-once
	CC=clang cmake -S . -B $(BUILD_FUZZ) -DCMAKE_BUILD_TYPE=Debug -DPREFLIGHT_FUZZ=ON -DPREFLIGHT_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD_FUZZ) -j$(JOBS)
	scripts/run-fuzzers.sh $(BUILD_FUZZ) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
