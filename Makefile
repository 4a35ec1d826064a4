# Kubernetes AI Conformance plugin. `make demo` needs nothing but the .NET SDK.
SHELL := /bin/bash
DOTNET ?= dotnet
CONFIG ?= Release
SLN := AiConformancePlugin.sln
PLUGIN := plugin/AiConformance.Plugin
AICONFORMANCE := $(DOTNET) run --project $(PLUGIN) -c $(CONFIG) --no-build --
ARGS ?=

.PHONY: build test verification-table verify-under-load demo run list bench clean

build:
	$(DOTNET) build $(SLN) -c $(CONFIG) -nologo

## The test command: unit tests, then the suite against the simulated clusters.
test: build
	$(DOTNET) test tests/AiConformance.Plugin.Tests -c $(CONFIG) --no-build -nologo
	$(DOTNET) test tests/AiConformance.Verification -c $(CONFIG) --no-build -nologo

## Rewrites docs/verification.md (which tests catch which broken scenario) from a run of the scenario verification;
## the same run's test fails while the committed file differs from what it produced.
verification-table: build
	AICONFORMANCE_VERIFICATION_TABLE=$(CURDIR)/docs/verification.md $(DOTNET) test tests/AiConformance.Verification -c $(CONFIG) --no-build -nologo \
	  --filter "FullyQualifiedName~AiConformance.Verification.Scenarios.SuiteAgainstScenariosTests"

## The verification project under CPU pressure (a busy worker per CPU), RUNS times in a row; stops at the first
## failing run. LOAD_WORKERS sets the number of busy workers, FILTER a `dotnet test --filter`.
RUNS ?= 3
LOAD_WORKERS ?= $(shell nproc)
FILTER ?=
verify-under-load: build
	RUNS=$(RUNS) LOAD_WORKERS=$(LOAD_WORKERS) FILTER='$(FILTER)' DOTNET=$(DOTNET) CONFIG=$(CONFIG) tests/verify-under-load.sh

## Runs the suite against the embedded simulated cluster.
demo: build
	$(AICONFORMANCE) demo $(ARGS)

## The demo on the reference cluster with a real cluster's latencies, then on one with many nodes: wall time, the
## longest test, API requests, watches, peak memory.
bench: build
	$(AICONFORMANCE) demo --scenario reference-realistic --stats --output results/bench $(ARGS)
	$(AICONFORMANCE) demo --scenario tests/bench/many-nodes.yaml --stats --output results/bench-many-nodes $(ARGS)

## Runs the suite against the cluster of $$KUBECONFIG.
run: build
	$(AICONFORMANCE) run $(ARGS)

## Lists the requirements of a checklist version and their tests, e.g. ARGS="--checklist v1.37 --format json".
list: build
	$(AICONFORMANCE) list $(ARGS)

clean:
	$(DOTNET) clean $(SLN) -nologo
	rm -rf results dist

## ---- Image, image test, air-gap bundle -------------------------------------------------------------------
## `make image` builds the plugin image with docker, podman or buildah (whichever is present) into an OCI archive
## under dist/. Offline (no registry reachable): `make image IMAGE_BASE=debian-local` makes the base from Debian
## packages instead of pulling the official runtime-deps image.
VERSION := $(shell sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
IMAGE_REPO ?= ghcr.io/ai-conformance/aiconformance
IMAGE ?= $(IMAGE_REPO):$(VERSION)
IMAGE_ARCHIVE ?= dist/aiconformance-$(VERSION).oci.tar
PUBLISH_DIR := .build/publish/linux-x64
BASE_IMAGE ?=
IMAGE_BASE ?=
BUILDER ?=

.PHONY: publish-image image image-test airgap-bundle

## Self-contained, trimmed, ReadyToRun publish for the image; its own obj/bin (.build/artifacts) so it never disturbs `make build`.
publish-image:
	rm -rf $(PUBLISH_DIR)
	$(DOTNET) publish $(PLUGIN) -c Release -p:PublishProfile=image-linux-x64 --artifacts-path .build/artifacts -o $(PUBLISH_DIR) -nologo

image: publish-image
	PUBLISH_DIR=$(PUBLISH_DIR) IMAGE=$(IMAGE) ARCHIVE=$(IMAGE_ARCHIVE) VERSION=$(VERSION) \
	  BASE_IMAGE=$(BASE_IMAGE) IMAGE_BASE=$(IMAGE_BASE) BUILDER=$(BUILDER) images/plugin/build-image.sh

## Runs the image from $(IMAGE_ARCHIVE) with runc: its roles, the whole demo, and Sonobuoy mode against
## `aiconformance sim serve`; fails past the 60 MB size budget (needs umoci, runc, jq).
image-test:
	IMAGE=$(IMAGE) ARCHIVE=$(IMAGE_ARCHIVE) PUBLISH_DIR=$(PUBLISH_DIR) images/plugin/test-image.sh

## The plugin image as an OCI archive plus the list of every image a run may pull, for mirroring.
airgap-bundle: image
	$(PUBLISH_DIR)/aiconformance images $(if $(AIRGAP_CONFIG),--config $(AIRGAP_CONFIG)) > dist/images.txt
	tar -C dist -cf dist/aiconformance-airgap-$(VERSION).tar $(notdir $(IMAGE_ARCHIVE)) images.txt
	@echo "airgap-bundle: dist/aiconformance-airgap-$(VERSION).tar ($(IMAGE_ARCHIVE) + dist/images.txt)"
