# The two commands of the README: `make run` and `make test`. Both install what is
# missing, build a release with Ninja, and then serve or test.
PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= 2

.PHONY: all deps configure build run test clean

all: build

deps:
	@scripts/install-dependencies.sh

configure: deps
	@test -f $(BUILD_DIR)/build.ninja || cmake --preset $(PRESET)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	SETTLED_BINARY=$(BUILD_DIR)/settled/settled scripts/run-node.sh

test: build
	scripts/with-postgres.sh ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

clean:
	rm -rf build
