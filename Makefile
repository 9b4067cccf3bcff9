# skiff: see README.md. `make test` installs what the tests need by itself.
PREFIX ?= /usr/local
CARGO ?= cargo

.PHONY: all build install test test-deps unit integration lint bench clean

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

bench: test-deps
	@bash scripts/bench.sh

clean:
	$(CARGO) clean
