# skiff: see README.md. `make test` installs what the tests need by itself.
PREFIX ?= /usr/local
CARGO ?= cargo

.PHONY: all build install test test-deps unit integration lint bench soak clean

all: build

build:
	$(CARGO) build --release

install: build
	install -D -m 0755 target/release/skiff $(DESTDIR)$(PREFIX)/bin/skiff

# Debian packages the tests use (idempotent, quiet).
test-deps:
	@bash scripts/test-deps.sh

lint:
	$(CARGO) fmt --check
	$(CARGO) clippy --all-targets -- -D warnings

unit:
	$(CARGO) test --lib --bins

integration:
	$(CARGO) test --test '*'

test: test-deps lint
	$(CARGO) test

# Long runs, not part of make test: 1,000 SIGKILLs across the store's
# operations (make test injects 100).
soak: test-deps
	SKIFF_CRASH_KILLS=1000 $(CARGO) test --test crash sigkill -- --nocapture

bench: test-deps
	@bash scripts/bench.sh

clean:
	$(CARGO) clean
