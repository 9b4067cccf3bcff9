# skiff: see README.md. `make test` installs what the tests need by itself.
PREFIX ?= /usr/local
CARGO ?= cargo

.PHONY: all build install docs test test-deps unit integration lint structure bench soak fuzz clean

all: build

build:
	$(CARGO) build --release

# The man pages and completions are checked in (make docs), so installing
# them needs nothing but install(1).
install: build
	install -D -m 0755 target/release/skiff $(DESTDIR)$(PREFIX)/bin/skiff
	install -d $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -D -m 0644 completions/skiff.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/skiff
	install -D -m 0644 completions/_skiff $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_skiff
	install -D -m 0644 completions/skiff.fish $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/skiff.fish

# Regenerate man/ and completions/ from the clap tree and src/cli/examples.rs
# (a unit test, cli::docs, fails while they are stale).
docs:
	SKIFF_UPDATE_DOCS=1 $(CARGO) test --lib cli::docs::tests::man_pages_and_completions_are_fresh

# Debian packages the tests use (idempotent, quiet).
test-deps:
	@bash scripts/test-deps.sh

lint: structure
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

# No function over 80 lines, no file over 800, no import circle
# (scripts/check-structure.py lists the exceptions and their reasons).
structure:
	python3 scripts/check-structure.py

unit:
	$(CARGO) test --lib --bins

integration:
	$(CARGO) test --test '*'

# The lifecycle suite runs twice: as root, and as the unprivileged test user
# skiff-rootless (made by test-deps) in cron's environment.
test: test-deps lint
	$(CARGO) test && SKIFF_TEST_ROOTLESS=1 $(CARGO) test --test lifecycle; \
		rc=$$?; sh scripts/test-cleanup.sh; exit $$rc

# Long runs, not part of make test: 1,000 SIGKILLs across the store's
# operations (make test injects 100), then load: 1,000 detached containers,
# 200 at a time, then all removed; nothing may be left (SKIFF_LOAD_N,
# SKIFF_LOAD_WIDTH, SKIFF_LOAD_NETWORK=bridge).
soak: test-deps
	SKIFF_CRASH_KILLS=1000 $(CARGO) test --test crash sigkill -- --nocapture
	SKIFF_LOAD_N=$${SKIFF_LOAD_N:-1000} SKIFF_LOAD_WIDTH=$${SKIFF_LOAD_WIDTH:-200} \
		$(CARGO) test --release --test robustness -- --ignored --nocapture

# The property tests (every test with `fuzz_` in its path: src/fuzz_tests.rs,
# src/template/fuzz_tests.rs) at FUZZ_CASES cases each instead of the 256
# `make test` runs. Debug build on purpose: it keeps overflow checks (the
# release profile drops them and aborts on panic, which proptest cannot
# catch). A failure prints the minimal input; keep it as a unit test.
FUZZ_CASES ?= 200000
fuzz:
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test --lib fuzz_

bench: test-deps
	@bash scripts/bench.sh

clean:
	$(CARGO) clean
