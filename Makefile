# The two commands of the README's quick start, and the helpers they share.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

OPA_VERSION := v1.22.0
OPA := .tools/bin/opa

.PHONY: demo test bench schemas

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

test: $(INSTALLED) $(OPA)
	$(OPA) fmt --fail --list policies
	$(OPA) check policies
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

bench: $(INSTALLED)
	$(BIN)/python -m bench

schemas: $(INSTALLED)
	$(BIN)/stackgate schema --kind project --write
	$(BIN)/stackgate schema --kind settings --write
	$(BIN)/stackgate schema --kind policy-input --write
