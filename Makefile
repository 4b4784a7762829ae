# Leadguard — the two commands a user needs: `make run` and `make test`.
# Each target delegates to a script in scripts/ so the logic stays readable and testable.
SHELL := /bin/bash
# Cargo's build cache lives outside the clone so fresh clones (and CI) reuse compiled
# dependencies. Workspace crates are keyed by their path relative to the workspace, so two
# checkouts share artifacts too: a fresh clone (newer files) always rebuilds them, but an
# older checkout can then run the clone's binaries. After building another clone, `touch`
# this checkout's sources (or set CARGO_TARGET_DIR per checkout).
export CARGO_TARGET_DIR ?= $(HOME)/.cache/leadguard/target
export CARGO_TERM_COLOR ?= never

.PHONY: setup run run-web test test-rust test-ui test-web test-tauri ui-build bundle \
        bindings screenshots bench-core bench-dedup bench-sync bench-ui bench-collisions bench-seal bench-hub

## Install what is missing (Debian packages, npm packages, tauri-driver). Safe to run twice.
setup:
	bash scripts/setup.sh

## Open the desktop app on a demo registry with a local hub.
run: setup ui-build
	bash scripts/run.sh

## The same UI in a browser, served on loopback with the real core behind it.
run-web: setup ui-build
	bash scripts/run-web.sh

## Every test: Rust, UI unit, Chromium end-to-end, the real Tauri window.
## -k: every suite runs and reports even when an earlier one failed.
test: setup ui-build
	$(MAKE) -k test-rust test-ui test-web test-tauri

# The end-to-end tests run the workspace binaries (leadguard, leadguard-hub): nextest
# builds test targets only, so build the binaries first or a stale one from the shared
# cache would be tested.
test-rust:
	cargo build --workspace --bins
	cargo nextest run --workspace --no-fail-fast

test-ui:
	bash scripts/test-ui.sh

test-web:
	bash scripts/test-web.sh

test-tauri:
	bash scripts/test-tauri.sh

## Refresh the screenshots in docs/screenshots/ (tests write theirs under bench-out/).
screenshots: setup ui-build
	SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(MAKE) -k test-web test-tauri

ui-build:
	bash scripts/ui-build.sh

## An installable .deb (and .rpm) of the desktop app.
bundle: setup ui-build
	bash scripts/bundle.sh

## Regenerate the UI's TypeScript types from the Rust command set.
bindings:
	UPDATE_BINDINGS=1 cargo test -q -p leadguard-core --test bindings

bench-core:
	bash scripts/bench-core.sh

bench-dedup:
	bash scripts/bench-dedup.sh

bench-collisions:
	bash scripts/bench-collisions.sh

bench-sync:
	bash scripts/bench-sync.sh

## Hundreds of simulated laptops syncing at once against one and two hub processes.
bench-hub:
	bash scripts/bench-hub.sh

## Registry search in the browser: keystroke → results p50/p99 on 100k leads.
bench-ui: setup ui-build
	bash scripts/bench-ui.sh

## Digest and sealing costs beside a plain SHA-256 (what an attacker pays per guess).
bench-seal:
	cargo run --release -p leadguard-seal --example bench_seal
