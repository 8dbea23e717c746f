# Tollgate — make run (the embedded demo) and make test (every test) on a fresh machine.
SHELL := /bin/bash
GO ?= go
BIN := bin
WORKFLOWCHECK_VERSION := v0.6.0

.PHONY: all build run test test-deps  lint vet workflowcheck bench histories clean

all: build

build: ## the CLI, the worker and the demo service
	$(GO) build -o $(BIN)/tollgate ./starter
	$(GO) build -o $(BIN)/tollgate-worker ./worker
	$(GO) build -o $(BIN)/demosvc ./examples/demo/demosvc

run: build ## embedded Temporal + worker + API, then both example releases
	./scripts/run-demo.sh

test: lint test-deps ## lint, then every test (unit, workflow, replay, end-to-end)
	$(GO) test ./...

test-deps: ## servers some tests run for real: PostgreSQL and Prometheus (Debian packages)
	bash scripts/ensure-postgres.sh
	sh scripts/ensure-prometheus.sh

lint: vet workflowcheck

vet:
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

$(BIN)/workflowcheck:
	GOBIN=$(CURDIR)/$(BIN) $(GO) install go.temporal.io/sdk/contrib/tools/workflowcheck@$(WORKFLOWCHECK_VERSION)

workflowcheck: $(BIN)/workflowcheck ## Temporal's determinism check over workflows/
	$(BIN)/workflowcheck ./workflows/...

bench: build ## benchmarks; figures go to BENCHMARKS.md
	$(GO) test -run '^$$' -bench . -benchmem ./release/ ./analysis/ ./policy/ ./integrity/ ./rollout/
	$(GO) test -run '^$$' -bench . -benchmem ./audit/ ./calendar/ ./risk/ ./store/
	$(GO) test -run '^$$' -bench . -benchmem ./archive/ ./watch/ ./review/ ./docs/
	$(GO) test -run '^$$' -bench . -benchmem ./web/ ./activities/
	$(GO) run ./test/bench -worker $(BIN)/tollgate-worker

histories: ## re-record the replay histories in workflows/testdata (see workflows/replay_test.go)
	TOLLGATE_RECORD_HISTORIES=1 $(GO) test -count=1 -run TestRecordHistories ./test/

clean:
	rm -rf $(BIN)
