# `make test` is what CI runs; it builds its own virtualenv so a fresh clone needs only Python.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: test lint typecheck unit browsers node tls-proxy kubectl dev clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# $(call apt_need,CHECK,PACKAGES,WHAT): when the shell test CHECK fails, install the Debian
# PACKAGES (as root, or with sudo); without either, say what is missing and how to get it.
define apt_need
	@if $(1); then \
		exit 0; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $(2); \
	elif command -v sudo >/dev/null 2>&1; then \
		sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y $(2); \
	else \
		echo "$(3), which this machine lacks (Debian packages: $(2))." >&2; \
		echo "Install as root:  apt-get update && apt-get install -y $(2)" >&2; \
		echo "then run 'make test' again." >&2; \
		exit 1; \
	fi
endef

# The browser tests drive Debian's Chromium; Playwright cannot download browsers here.
CHROMIUM := /usr/bin/chromium

browsers:
	$(call apt_need,[ -x $(CHROMIUM) ],chromium,The browser tests need Debian's Chromium at $(CHROMIUM))

# The single sign-on tests run a real OpenID provider (npm's oidc-provider) on Node.js 20+;
# its packages are installed from tests/fixtures/oidc/package-lock.json by the test fixture.
node:
	$(call apt_need,command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1,nodejs npm,The single sign-on tests need Node.js 20+ and npm)

# The TLS test puts Debian's HAProxy (TLS with client certificates, ALPN h2 for gRPC) in front
# of the Temporal dev server, which has no TLS of its own. Installing it starts no listener.
HAPROXY := /usr/sbin/haproxy

tls-proxy:
	$(call apt_need,[ -x $(HAPROXY) ],haproxy,The Temporal TLS test needs Debian's haproxy at $(HAPROXY))

# tests/deploy renders deploy/k8s with `kubectl kustomize`; any kubectl on PATH will do, else
# Debian's (package kubernetes-client; its kustomize renders these manifests the same).
kubectl:
	$(call apt_need,command -v kubectl >/dev/null 2>&1,kubernetes-client,The deployment tests need kubectl)

test: lint typecheck browsers node tls-proxy kubectl
	$(BIN)/pytest -q

unit: $(STAMP)
	$(BIN)/pytest -q tests/domain

# The whole product on this machine with a demo board; Ctrl-C stops it. Data in .regie/.
dev: $(STAMP)
	$(BIN)/regie dev

# Measurements on servers the bench starts itself; `make bench SIZE=full` for the issue's sizes.
SIZE ?= quick
bench: $(STAMP)
	$(BIN)/python -m bench --size $(SIZE)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
