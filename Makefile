# Kubernetes AI Conformance plugin. `make demo` needs nothing but the .NET SDK.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
SLN := AiConformancePlugin.sln
PLUGIN := plugin/AiConformance.Plugin
AICONFORMANCE := $(DOTNET) run --project $(PLUGIN) -c $(CONFIG) --no-build --
ARGS ?=

.PHONY: build test demo run list bench clean

build:
	$(DOTNET) build $(SLN) -c $(CONFIG) -nologo

## The test command: unit tests, then the suite against the simulated clusters.
test: build
	$(DOTNET) test tests/AiConformance.Plugin.Tests -c $(CONFIG) --no-build -nologo
	$(DOTNET) test tests/AiConformance.Verification -c $(CONFIG) --no-build -nologo

## Runs the suite against the embedded simulated cluster.
demo: build
	$(AICONFORMANCE) demo $(ARGS)

## Runs the suite against the cluster of $$KUBECONFIG.
run: build
	$(AICONFORMANCE) run $(ARGS)

list: build
	$(AICONFORMANCE) list $(ARGS)

clean:
	$(DOTNET) clean $(SLN) -nologo
	rm -rf results dist
