# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= demo_round

.PHONY: demo test venv clean

venv: $(VENV)/.installed

# Re-install when the project metadata changes; the stamp keeps repeated runs fast.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: venv
	$(BIN)/consolidator demo $(DEMO_DIR)

# On every core; tests/conftest.py runs reading in-process unless a test is about isolation.
test: venv
	$(BIN)/python -m pytest -q -n auto --dist worksteal

clean:
	rm -rf $(VENV) $(DEMO_DIR) build *.egg-info

# Timings at scale (benchmarks/README.md); SIZES=100,1000 for a shorter run.
.PHONY: bench
bench: venv
	$(BIN)/python benchmarks/run.py $(if $(SIZES),--sizes $(SIZES))
