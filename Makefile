# The two commands of the README. Both are idempotent: a second run downloads nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
KAFKA_LIBS := var/kafka/libs
# Python's bytecode cache on, whatever the shell says: without it every process of the suite and
# of `make run` compiles the project again (and pytest rewrites every test module's asserts
# again), half the unit tier's CPU. The caches are in .gitignore.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test bench demo clean browser portal-translations

run: $(VENV)/.installed $(KAFKA_LIBS)/.fetched
	$(BIN)/ipmarket run

# Lint, then formatting (checked, never rewritten here), then the tests: on TEST_PROCESSES
# processes (pytest-xdist), each with its own PostgreSQL and Kafka; TEST_PROCESSES=0 runs them in
# this one. Two is what a two-core machine gains most from: the tests wait on processes and
# brokers more than they compute.
TEST_PROCESSES ?= 2

test: $(VENV)/.installed $(KAFKA_LIBS)/.fetched browser
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

# The portal's browser tests (tests/e2e/portal/) drive Debian's Chromium through Playwright (no
# browser download); without a CJK font Chinese renders as boxes. Installs only what is missing.
browser:
	dpkg -s chromium fonts-noto-cjk >/dev/null 2>&1 || { apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    chromium fonts-noto-cjk; }

# After changing a page's or a message's wording: extract the strings, merge them into zh_Hans and zh_Hant
# (translate the new entries), compile. The .mo files are committed (see services/portal/i18n.py).
portal-translations: $(VENV)/.installed
	$(BIN)/pybabel extract --no-location -k _l -F services/portal/babel.cfg \
	    --project "ipmarket portal" --msgid-bugs-address "" \
	    -o services/portal/translations/messages.pot services/portal
	$(BIN)/pybabel update --no-fuzzy-matching -i services/portal/translations/messages.pot \
	    -d services/portal/translations
	$(BIN)/pybabel compile --statistics -d services/portal/translations
	# The shared catalogs: notify's wording and the vocabulary pages and messages both name.
	$(BIN)/pybabel extract --no-location -F shared/translations/babel.cfg \
	    --project "ipmarket messages" --msgid-bugs-address "" \
	    -o shared/translations/messages.pot services/notify shared/vocabulary.py
	$(BIN)/pybabel update --no-fuzzy-matching -i shared/translations/messages.pot \
	    -d shared/translations
	$(BIN)/pybabel compile --statistics -d shared/translations

clean:
	rm -rf var/*.db var/*.db-* var/kafka/data var/kafka/logs var/mail var/run
