# newsmon: `make demo` and `make test` each set up .venv themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# the suite on one pytest-xdist worker more than there are cores (a crawl test spends about
# a quarter of its time waiting on a server, a held page or a sleep; the extra worker fills
# those waits), in the order tests/conftest.py gives (slow tests first; tests sharing a
# module fixture on one worker); PARALLEL= runs it in one process. WORKERS is expanded
# only where PARALLEL is used (`make test`), not on every make call
WORKERS   = $(shell $(PYTHON) -c "import os; print((os.cpu_count() or 1) + 1)")
PARALLEL ?= -n $(WORKERS) --dist loadgroup --no-loadscope-reorder
BENCH_ARGS ?=

.PHONY: venv demo test test-fast bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/newsmon demo

test: $(STAMP)
	$(BIN)/pytest $(PARALLEL) $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/pytest $(PARALLEL) -m "not slow" $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/nlp_speed.py
	$(BIN)/python bench/fines_score.py
	$(BIN)/python bench/extract_speed.py
	$(BIN)/python bench/run_all.py $(BENCH_ARGS)
	$(BIN)/python bench/scaling.py
	$(BIN)/python bench/storage_growth.py --json bench/storage_results.json
	$(BIN)/python bench/search_bench.py --json bench/search_results.json
	$(BIN)/python bench/version_storage.py --json bench/version_results.json
	$(BIN)/python bench/alerts_bench.py --keep bench/.work

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
