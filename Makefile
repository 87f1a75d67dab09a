# The two commands of the README's quick start, and the helpers they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

OPA_VERSION := v1.22.0
OPA := .tools/bin/opa
HELM_VERSION := v3.16.3
HELM := .tools/bin/helm
# GitHub's published REST and webhook specifications the GitHub fake is held to (pinned, and
# named again in tests/fakes/github_openapi.py, which a test keeps equal to these).
OCTOKIT_OPENAPI_VERSION := 23.0.2
OCTOKIT_WEBHOOKS_VERSION := 12.1.0
GITHUB_SPECS := .tools/github/openapi@$(OCTOKIT_OPENAPI_VERSION).json \
  .tools/github/openapi-webhooks@$(OCTOKIT_WEBHOOKS_VERSION).json
TOFU_VERSION := v1.12.6
TOFU := .tools/bin/tofu
CLOUDSTACK_PROVIDER_VERSION := v0.6.0
CLOUDSTACK_PROVIDER := .tools/bin/terraform-provider-cloudstack

.PHONY: demo test bench schemas postgres chromium github-specs

# One virtualenv for everything, rebuilt when the dependencies change.
$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: $(INSTALLED)
	$(BIN)/stackgate demo

# A real OPA server for the policy tests, built from the Go module proxy (pinned).
$(OPA):
	GOBIN=$(CURDIR)/.tools/bin go install github.com/open-policy-agent/opa@$(OPA_VERSION)

# A real helm to lint and render the chart in deploy/ (pinned; about two minutes to build).
$(HELM):
	GOBIN=$(CURDIR)/.tools/bin go install helm.sh/helm/v3/cmd/helm@$(HELM_VERSION)

# `go install` refuses OpenTofu (replace directives in its go.mod) and the CloudStack provider
# (it declares another module path), so fetch the exact version with the Go client and build
# a writable copy of it: $(call go-build,module,version,package,binary).
define go-build
	src=$$(go mod download -json $(1)@$(2) | $(PYTHON) -c 'import json,sys; print(json.load(sys.stdin)["Dir"])') && \
	tmp=$$(mktemp -d) && cp -r "$$src"/. "$$tmp" && chmod -R u+w "$$tmp" && \
	(cd "$$tmp" && go build -trimpath -ldflags='-s -w' -o $(CURDIR)/$(4) $(3)); \
	status=$$?; rm -rf "$$tmp"; exit $$status
endef

# OpenTofu and the official CloudStack provider, the client tests in tests/clients/ drive them
# against the sandbox (pinned; OpenTofu takes about 2.5 minutes to build on two cores).
$(TOFU):
	$(call go-build,github.com/opentofu/opentofu,$(TOFU_VERSION),./cmd/tofu,$(TOFU))

$(CLOUDSTACK_PROVIDER):
	$(call go-build,github.com/apache/cloudstack-terraform-provider,$(CLOUDSTACK_PROVIDER_VERSION),.,$(CLOUDSTACK_PROVIDER))

# GitHub's OpenAPI documents from npm, fetched as the recorded webhook examples were: the
# package's tarball (npm checks its integrity), of which only generated/api.github.com.json stays.
.tools/github/%.json:
	rm -rf $(@D)/$*.pack && mkdir -p $(@D)/$*.pack
	cd $(@D)/$*.pack && npm pack --silent @octokit/$* >/dev/null && tar -xzf *.tgz package/generated/api.github.com.json
	mv $(@D)/$*.pack/package/generated/api.github.com.json $@
	rm -rf $(@D)/$*.pack

github-specs: $(GITHUB_SPECS)

# PostgreSQL for the store tests and the webhook benchmark, from Debian packages if missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || \
	  ($(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q postgresql)

# Chromium for the dashboard's browser test, from Debian packages if missing: Playwright
# drives this one and never downloads its own.
chromium:
	@test -x /usr/bin/chromium || \
	  ($(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium)

test: $(INSTALLED) $(OPA) $(HELM) $(GITHUB_SPECS) $(TOFU) $(CLOUDSTACK_PROVIDER) postgres chromium
	$(OPA) fmt --fail --list policies
	$(OPA) check policies
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(INSTALLED) postgres $(TOFU) $(CLOUDSTACK_PROVIDER)
	$(BIN)/python -m bench

schemas: $(INSTALLED)
	$(BIN)/stackgate schema --kind project --write
	$(BIN)/stackgate schema --kind settings --write
	$(BIN)/stackgate schema --kind policy-input --write
