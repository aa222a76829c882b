# The two commands of the README: `make run` and `make test`. Both install what is
# missing, build a release with Ninja, and then serve or test: `make run` only what
# settled needs, `make test` everything the tests need too.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= 2

.PHONY: all deps configure build run test test-sanitizers fuzz clean

all: build

deps:
	@scripts/install-dependencies.sh

# Configured again when the tests are missing (a tree that `make run` configured
# before Catch2 was installed has none).
configure: deps
	@test -f $(BUILD_DIR)/tests/CTestTestfile.cmake || cmake --preset $(PRESET)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run:
	@scripts/install-dependencies.sh --run
	@test -f $(BUILD_DIR)/build.ninja || cmake --preset $(PRESET)
	cmake --build $(BUILD_DIR) -j $(JOBS) --target settled
	SETTLED_BINARY=$(BUILD_DIR)/settled/settled scripts/run-node.sh

# The tests, the Debian package installed and started in a clean root, then the
# sanitizers.
test: build
	scripts/with-postgres.sh ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory test-package
	@$(MAKE) --no-print-directory test-sanitizers

# The C++ tests again under ASan and UBSan, then TSan; any sanitizer report fails (see the script).
test-sanitizers: deps
	scripts/test-sanitizers.sh $(JOBS)

# libFuzzer (clang, ASan, UBSan) on each fuzz target (or those FUZZ_TARGETS names) for
# FUZZ_SECONDS (default 60); inputs that reach new code join tests/fuzz/corpus/, which
# make test replays.
FUZZ_SECONDS ?= 60
fuzz:
	@scripts/install-dependencies.sh clang libclang-rt-14-dev
	@test -f build/fuzz/build.ninja || cmake --preset fuzz
	cmake --build build/fuzz -j $(JOBS) --target fuzz_targets
	scripts/run-fuzzers.sh build/fuzz/tests/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The Debian package, settle_<version>_amd64.deb, in $(BUILD_DIR)/packages (CPack, see
# cmake/SettlePackage.cmake). Only settled is built; dpkg-shlibdeps (dpkg-dev, file)
# computes the package's dependencies from the libraries it links.
.PHONY: package test-package
package:
	@scripts/install-dependencies.sh --run dpkg-dev file
	@test -f $(BUILD_DIR)/build.ninja || cmake --preset $(PRESET)
	cmake --build $(BUILD_DIR) -j $(JOBS) --target settled
	cd $(BUILD_DIR) && cpack -G DEB

# Installs that package into a clean Debian 12 root and starts it there as its systemd
# unit would (as root, through sudo otherwise, as the packages are installed: the script
# debootstraps, chroots and mounts).
AS_ROOT := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
test-package: package
	@scripts/install-dependencies.sh --run debootstrap curl
	$(AS_ROOT) tests/package/install-in-clean-root.sh "$$(ls -t $(BUILD_DIR)/packages/settle_*_amd64.deb | head -n 1)"

clean:
	rm -rf build
