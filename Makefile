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

# Load: 1,000 detached containers, 200 at a time, then all removed; nothing
# may be left (SKIFF_LOAD_N, SKIFF_LOAD_WIDTH, SKIFF_LOAD_NETWORK=bridge).
soak: test-deps
	SKIFF_LOAD_N=$${SKIFF_LOAD_N:-1000} SKIFF_LOAD_WIDTH=$${SKIFF_LOAD_WIDTH:-200} \
		$(CARGO) test --release --test robustness -- --ignored --nocapture

bench: test-deps
	@bash scripts/bench.sh

clean:
	$(CARGO) clean
