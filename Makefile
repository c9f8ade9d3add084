# Two commands for a newcomer: `make run` and `make test`. Everything installs from this repo.
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
export QT_QPA_PLATFORM ?=

.PHONY: setup system-deps run test lint format bench bench-city soak soak-full dist demo i18n screenshots cloud-dev clean

system-deps:
	@bash scripts/install-system-deps.sh

$(STAMP): pyproject.toml scripts/install-system-deps.sh
	@bash scripts/install-system-deps.sh
	@PY=$$(bash scripts/find-python.sh) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$PY"; $$PY -m venv $(VENV); fi
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev,cloud]'
	@touch $(STAMP)

setup: $(STAMP)
	@$(PY) -m babel.messages.frontend compile -d app/resources/locale -D xindang 2>/dev/null

# Opens the app on the demo vault (created on first run; passphrase in README).
run: setup
	@[ -f .demo/vault/keys.json ] || XINDANG_HOME=.demo/home $(PY) -m app demo --vault .demo/vault
	XINDANG_HOME=.demo/home $(PY) -m app gui --vault .demo/vault

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The everyday suite. The soaks and the frozen bundle have their own targets (below);
# .ci/run runs all three.
test: setup lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -m "not soak and not dist"

bench: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m bench

# The reference city server at city scale (600,000 students in 800 schools), beside one school
# and a partitioned layout; figures and query plans in bench/results/city-latest.json.
bench-city: setup
	$(PY) -m bench.city --compare

# The crash, corruption and fault soaks at CI size (200 kill -9 during writes, 220 damaged
# copies, 25 killed rotations, 200 faulty sync sessions).
soak: setup
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider -m soak

# The full counts, for a release: 1,000 kill -9, 1,000 damaged copies, 2,000 fuzz examples
# per property; figures in bench/results/soak-latest.json.
soak-full: setup
	XINDANG_FUZZ_EXAMPLES=2000 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider tests/keys/test_fuzz_inputs.py
	QT_QPA_PLATFORM=offscreen $(PY) -m bench.soak 1000

# The frozen onedir bundle in dist/xindang (xindang = GUI, xindang-cli = console, --self-test).
dist: setup
	$(PY) -m PyInstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller installer/xindang.spec
	dist/xindang/xindang-cli --self-test
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q -p no:cacheprovider -m dist

i18n: setup
	$(PY) scripts/update_catalog.py

screenshots: setup
	xvfb-run -a -s "-screen 0 1366x768x24" $(PY) scripts/screenshots.py

# The reference city server on https://127.0.0.1:8443 with a private PostgreSQL (README: 同步).
cloud-dev: setup
	$(PY) -m cloud dev --folder .cloud-dev

clean:
	rm -rf $(VENV) .demo .cloud-dev build dist .pytest_cache .ruff_cache
