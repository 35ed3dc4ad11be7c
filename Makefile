# Two commands for a fresh machine (Python 3.11+):
#   make run    starts the bot (the local demo when no BOT_TOKEN is set)
#   make test   runs the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# With a Telegram bot token (in the environment or in .env): the bot. Without: the browser demo.
run: $(STAMP)
	@if [ -n "$$BOT_TOKEN" ] || grep -Eqs '^[[:space:]]*(export[[:space:]]+)?BOT_TOKEN[[:space:]]*=[[:space:]]*["'\'']?[0-9]' .env; then \
		exec $(BIN)/promeneur run; \
	else \
		exec $(BIN)/promeneur demo; \
	fi

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/triage_eval.py

clean:
	rm -rf $(VENV) data .pytest_cache
