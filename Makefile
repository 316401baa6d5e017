# QuyHoach — `make demo` and `make test` (CONTRACT.md); both install what is missing.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian 12 packages the project needs at run time and in tests.
APT_PACKAGES := postgresql-15 postgresql-15-postgis-3 postgresql-contrib gdal-bin libgdal32 \
	libgeos-c1v5 libproj25 chromium fonts-noto-core fonts-dejavu-core gettext \
	libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 redis-server
# Only when the machine has no Python venv support or no npm of its own.
APT_IF_NO_VENV := python3-venv python3-dev
APT_IF_NO_NPM := nodejs npm
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
SYSDEPS_STAMP := var/.sysdeps-$(shell echo $(APT_PACKAGES) | md5sum | cut -c1-8)
VENV_STAMP := $(VENV)/.installed
VENDOR_STAMP := webmap/static/vendor/.installed

.PHONY: help install sysdeps venv vendor bytecode db migrate demo test lint fmt messages bench clean-db

help:
	@echo "make demo   install, start PostGIS, migrate, load the demo and serve on http://$(HOST):$(PORT)"
	@echo "make test   install, then run the whole test suite"
	@echo "make lint | fmt | messages | bench"

install: sysdeps venv vendor bytecode

sysdeps: $(SYSDEPS_STAMP)
$(SYSDEPS_STAMP):
	@missing=$$(dpkg-query -W -f='$${Package} $${Status}\n' $(APT_PACKAGES) 2>/dev/null \
		| awk '$$NF != "installed" {print $$1}'; \
		for p in $(APT_PACKAGES); do dpkg-query -W $$p >/dev/null 2>&1 || echo $$p; done); \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing $(APT_IF_NO_VENV)"; \
	command -v npm >/dev/null || missing="$$missing $(APT_IF_NO_NPM)"; \
	missing=$$(echo $$missing | tr ' ' '\n' | sort -u | tr '\n' ' '); \
	if [ -n "$${missing// /}" ]; then \
		echo "Installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@mkdir -p var && rm -f var/.sysdeps-* && touch $@

venv: $(VENV_STAMP)
$(VENV_STAMP): pyproject.toml | $(SYSDEPS_STAMP)
	@echo "Installing Python packages into $(VENV)"
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

# The project's own bytecode, as pip compiles the packages it installs: Python then need not
# compile our modules at every start (60 ms of each command and web worker) where it may not
# write its cache itself (PYTHONDONTWRITEBYTECODE, a read-only checkout). Up-to-date files
# are skipped; a module edited later is compiled in memory as before.
bytecode: venv
	@$(PY) -m compileall -q gis layers planning tiles importers webmap manage.py

vendor: $(VENDOR_STAMP)
$(VENDOR_STAMP): package.json package-lock.json | $(SYSDEPS_STAMP)
	@echo "Vendoring front-end libraries from the npm registry"
	@npm ci --no-audit --no-fund --silent --loglevel=error
	@mkdir -p webmap/static/vendor/ol webmap/static/vendor/leaflet webmap/static/vendor/proj4
	@cp node_modules/proj4/dist/proj4.js webmap/static/vendor/proj4/
	@cp node_modules/ol/dist/ol.js node_modules/ol/ol.css webmap/static/vendor/ol/
	@cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css \
		node_modules/leaflet/dist/images webmap/static/vendor/leaflet/
	@mkdir -p webmap/static/vendor/geoman webmap/static/vendor/locate webmap/static/vendor/fullscreen
	@cp node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.min.js \
		node_modules/@geoman-io/leaflet-geoman-free/dist/leaflet-geoman.css webmap/static/vendor/geoman/
	@cp node_modules/leaflet.locatecontrol/dist/L.Control.Locate.min.js \
		node_modules/leaflet.locatecontrol/dist/L.Control.Locate.min.css webmap/static/vendor/locate/
	@cp node_modules/leaflet.fullscreen/dist/Control.FullScreen.umd.js \
		node_modules/leaflet.fullscreen/dist/Control.FullScreen.css webmap/static/vendor/fullscreen/
	@touch $@

db: install
	@$(PY) -m gis.pgcluster start

migrate: db
	@$(PY) manage.py migrate --no-input -v 0

demo: migrate
	@if [ ! -f var/.demo-loaded ]; then \
		$(PY) manage.py load_demo -v 0 && \
		$(PY) manage.py seed_tiles --layer basemap --layer parcels --layer zoning --levels 12-16 >/dev/null && \
		touch var/.demo-loaded; \
	fi
	@DEBUG=$${DEBUG:-1} $(PY) manage.py create_demo_users
	@echo "Serving on http://$(HOST):$(PORT)/"
	@DEBUG=$${DEBUG:-1} $(PY) manage.py runserver --noreload $(HOST):$(PORT)

test: install
	@$(PY) -m pytest -q

lint: venv
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/lint-imports

fmt: venv
	@$(VENV)/bin/ruff format .
	@$(VENV)/bin/ruff check --fix .

messages: venv
	@$(PY) manage.py makemessages -l vi -l en --ignore=.venv --ignore=node_modules
	@$(PY) manage.py compilemessages --ignore=.venv

bench: migrate
	@command -v wrk >/dev/null && command -v nginx >/dev/null || \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk nginx >/dev/null
	@$(PY) bench/import/run.py
	@$(PY) bench/tiles/run.py
	@$(PY) bench/webmap/run.py
	@$(PY) bench/load/run.py

clean-db:
	@$(PY) -m gis.pgcluster stop || true
	rm -rf var/pgdata var/run var/tiles var/.demo-loaded
