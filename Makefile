# machi — the two commands a newcomer needs are `make demo` and `make test`.
# Everything here installs what it needs first (scripts/install-deps.sh).

BUILD      ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc)
PORT       ?= 8080
DATA       ?= data/demo
FUZZ_TIME  ?= 60
FUZZ_SMOKE ?= 10

.PHONY: all deps build web test unit-test api-test web-test fuzz fuzz-smoke bench demo clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps $(BUILD)/CMakeCache.txt web
	cmake --build $(BUILD) -j $(JOBS)

# The web app (web/dist), built with npm; see web/README.md.
web: deps
	bash web/build.sh

# Every test: unit tests (ctest), API tests against a started server, the
# crash test, and a short run of each fuzz target.
test: build
	$(MAKE) unit-test api-test web-test fuzz-smoke

unit-test:
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

api-test:
	MACHI_BIN=$(abspath $(BUILD)/machi) node --test --test-concurrency=1 tests/api/

web-test:
	MACHI_BIN=$(abspath $(BUILD)/machi) bash tests/e2e/run.sh

fuzz-smoke:
	FUZZ_TIME=$(FUZZ_SMOKE) bash scripts/fuzz.sh

fuzz: deps
	FUZZ_TIME=$(FUZZ_TIME) bash scripts/fuzz.sh

bench: build
	bash bench/run.sh $(BUILD)

demo: build
	mkdir -p $(DATA)
	$(BUILD)/machi demo --port $(PORT) --data $(DATA) --web web/dist

clean:
	rm -rf $(BUILD) build-fuzz
