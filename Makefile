# The two commands of the README. Both are idempotent: a second run downloads nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KAFKA_LIBS := var/kafka/libs

.PHONY: run test bench demo clean

run: $(VENV)/.installed $(KAFKA_LIBS)/.fetched
	$(BIN)/ipmarket run

# Lint, then formatting (checked, never rewritten here), then the tests: on TEST_PROCESSES
# processes (pytest-xdist), each with its own PostgreSQL and Kafka; TEST_PROCESSES=0 runs them in
# this one. Two is what a two-core machine gains most from: the tests wait on processes and
# brokers more than they compute.
TEST_PROCESSES ?= 2

test: $(VENV)/.installed $(KAFKA_LIBS)/.fetched
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest --numprocesses $(TEST_PROCESSES) --dist loadgroup $(PYTEST_ARGS)

bench: $(VENV)/.installed $(KAFKA_LIBS)/.fetched
	$(BIN)/python -m bench

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[test]"
	touch $@

$(KAFKA_LIBS)/.fetched: kafka/pom.xml
	mvn --quiet --batch-mode -f kafka/pom.xml dependency:copy-dependencies \
	    -DincludeScope=runtime -DoutputDirectory=$(CURDIR)/$(KAFKA_LIBS)
	touch $@

clean:
	rm -rf var/*.db var/*.db-* var/kafka/data var/kafka/logs var/mail var/run
