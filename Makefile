# marcconv — every target sets up what it needs in .venv/ (python3 -m venv).
#   make demo   convert every file in samples/ to every format under build/demo/FORMAT/
#   make test   ruff, mypy and the whole pytest suite
#   make fuzz   the hostile-input and fault campaign, and the fuzz test with more examples
#   make bench  records per CPU and wall second, peak memory, for N = 1,000 to 100,000,
#               with --jobs 2 and on a two-worker Dask cluster,
#               beside Catmandu, bibutils and Citation.js on the same records (bench/RESULTS.md)
#   make agreement  citations against citeproc-js for eight styles (bench/AGREEMENT.md)
#   make docs   regenerate docs/mapping.md and docs/fidelity.md
#   make fidelity  the crosswalk against four other projects' expectations
#   make golden regenerate the golden files (review the diff before committing)

PYTHON    ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
DEMO      := build/demo
FORMATS   := csl-json jsonl bibtex biblatex ris citation textmarc alephseq line mrk marcxml \
	iso2709 marc-json
SAMPLES   := $(wildcard samples/*.txt)
CONFORMANCE := ../shared/conformance

FUZZ_EXAMPLES ?= 3000

.PHONY: demo test lint fuzz bench agreement docs fidelity fidelity-refs golden conformance-setup \
	tex-tools pandoc-tool bench-tools clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

demo: $(VENV)/.installed
	@for sample in $(SAMPLES); do \
	  name=$$(basename $$sample .txt); \
	  for format in $(FORMATS); do \
	    case $$format in csl-json|marc-json) ext=json;; jsonl) ext=jsonl;; bibtex|biblatex) ext=bib;; \
	      ris) ext=ris;; citation|textmarc) ext=txt;; alephseq) ext=seq;; line) ext=line;; \
	      mrk) ext=mrk;; marcxml) ext=xml;; iso2709) ext=mrc;; esac; \
	    mkdir -p $(DEMO)/$$format; \
	    $(BIN)/marcconv convert $$sample -t $$format -o $(DEMO)/$$format/$$name.$$ext || exit 1; \
	  done; \
	done
	@echo "Converted $(words $(SAMPLES)) samples to $(FORMATS) in $(DEMO)/FORMAT/. APA for samples/palmira.txt:"
	@$(BIN)/marcconv convert samples/palmira.txt -t citation --style apa

# The conformance checkers (real bibtex, biber, rispy, bibutils, citeproc-js) exist
# beside the project in CI; their setup installs from apt, pip and npm.
conformance-setup:
	@if [ -x $(CONFORMANCE)/setup.sh ]; then \
	  $(CONFORMANCE)/setup.sh >/dev/null 2>&1 || echo "conformance setup failed: those tests will skip"; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check marcconv tests bench
	$(BIN)/ruff format --check marcconv tests bench
	$(BIN)/mypy

# pandoc, for tests/test_pandoc.py (from apt where this user may install; else skipped)
pandoc-tool:
	@command -v pandoc >/dev/null || { \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); \
	  { $$sudo apt-get update -qq && $$sudo apt-get install -y -qq pandoc; } >/dev/null 2>&1 || \
	    echo "pandoc could not be installed: tests/test_pandoc.py will skip"; }

test: lint conformance-setup pandoc-tool
	$(BIN)/pytest -q

# latex, bibtex and biber, for the TeX runs of the campaign (Debian's packages)
TEX_PACKAGES := texlive-binaries texlive-latex-base texlive-latex-recommended \
	texlive-bibtex-extra biber
tex-tools:
	@command -v latex >/dev/null && command -v bibtex >/dev/null && command -v biber >/dev/null || { \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  echo "installing $(TEX_PACKAGES)"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    $$sudo apt-get install -y -qq --no-install-recommends $(TEX_PACKAGES) >/dev/null; }

fuzz: $(VENV)/.installed-test tex-tools
	$(BIN)/python -m tests.campaign
	MARCCONV_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -q tests/test_hostile.py -k fuzzed

# the peers bench/run.py measures beside marcconv: Catmandu and bibutils (apt), Citation.js (npm)
BENCH_PACKAGES := libcatmandu-marc-perl libcatmandu-bibtex-perl libcatmandu-ris-perl bibutils \
	nodejs npm
bench-tools:
	@command -v catmandu >/dev/null && command -v xml2bib >/dev/null && command -v npm >/dev/null || { \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  echo "installing $(BENCH_PACKAGES)"; \
	  $$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    $$sudo apt-get install -y -qq --no-install-recommends $(BENCH_PACKAGES) >/dev/null || \
	    echo "could not install the peers: bench/run.py will say which it leaves out"; }
	@[ -d bench/peers/node_modules/@citation-js/plugin-ris ] || \
	  npm ci --prefix bench/peers --no-audit --no-fund --loglevel=error || \
	  echo "could not install Citation.js: bench/run.py will leave it out"

bench: $(VENV)/.installed-test bench-tools
	$(BIN)/python bench/run.py

# citations against citeproc-js, style by style (needs ../shared/conformance)
agreement: $(VENV)/.installed conformance-setup
	$(BIN)/python bench/agreement.py

docs: $(VENV)/.installed-test
	@mkdir -p docs
	$(BIN)/marcconv mapping > docs/mapping.md
	$(BIN)/python -m tests.fidelity --markdown > docs/fidelity.md

# the crosswalk against Open Library's, Zotero's, INSPIRE's and CDS's expectations
fidelity: $(VENV)/.installed-test
	$(BIN)/python -m tests.fidelity

# remake the INSPIRE and CDS references with their own rules (inspire-dojson,
# cds-dojson, in a virtualenv of their own; needs ../shared/corpus)
REFS_VENV := build/refs-venv
fidelity-refs:
	@test -d ../shared/corpus || { echo "needs ../shared/corpus"; exit 1; }
	$(PYTHON) -m venv $(REFS_VENV)/inspire && $(REFS_VENV)/inspire/bin/pip install -q inspire-dojson lxml
	$(PYTHON) -m venv $(REFS_VENV)/cds && $(REFS_VENV)/cds/bin/pip install -q cds-dojson importlib_metadata lxml
	$(REFS_VENV)/inspire/bin/python tests/agreement_refs.py ../shared/corpus inspire
	$(REFS_VENV)/cds/bin/python tests/agreement_refs.py ../shared/corpus cds

golden: $(VENV)/.installed-test
	$(BIN)/pytest -q tests/test_golden.py --accept

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
