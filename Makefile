# Leadguard — the two commands a user needs are `make run` and `make test`.
SHELL := /bin/bash
# Cargo's build cache lives outside the clone so fresh clones (and CI) reuse
# compiled dependencies; cargo's fingerprints keep this safe across checkouts.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/leadguard/target
export CARGO_TERM_COLOR ?= never

.PHONY: test test-rust bindings

test: test-rust

test-rust:
	cargo nextest run --workspace --no-fail-fast

bindings:
	UPDATE_BINDINGS=1 cargo test -q -p leadguard-core --test bindings
