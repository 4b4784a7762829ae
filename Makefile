# Leadguard — the two commands a user needs: `make run` and `make test`.
# Each target delegates to a script in scripts/ so the logic stays readable and testable.
SHELL := /bin/bash
# Each clone builds into its own target/ (ignored by git), so no checkout ever runs
# another clone's binaries. Compiled dependencies are shared through a cache instead:
# `target-cache` seeds a missing target/ from ~/.cache/leadguard/deps-target, and
# test-rust saves the dependencies back after a build (scripts/target-cache.sh).
export CARGO_TARGET_DIR := $(CURDIR)/target
export CARGO_TERM_COLOR ?= never

.PHONY: setup target-cache run run-web test test-rust test-ui test-web test-tauri ui-build bundle \
        bindings screenshots bench-core bench-dedup bench-sync bench-ui bench-collisions bench-seal bench-enrol bench-hub bench-import

## Install what is missing (Debian packages, npm packages, tauri-driver). Safe to run twice.
setup:
	bash scripts/setup.sh

# A fresh clone's target/ starts from the shared dependency cache (no-op otherwise).
target-cache:
	bash scripts/target-cache.sh restore

## Open the desktop app on a demo registry with a local hub.
run: setup ui-build target-cache
	bash scripts/run.sh

## The same UI in a browser, served on loopback with the real core behind it.
run-web: setup ui-build target-cache
	bash scripts/run-web.sh

## Every test: Rust, UI unit, Chromium end-to-end, the real Tauri window.
## -k: every suite runs and reports even when an earlier one failed.
test: setup ui-build
	$(MAKE) -k test-rust test-ui test-web test-tauri

# Build first, save the compiled dependencies for other clones (a failed save does not
# fail the tests: the cache only saves time), then run. The end-to-end
# tests build the binaries they run through cargo (tests/support/lib.rs). The desktop
# shell compiles ui/dist in, hence ui-build. scripts/test-rust.sh starts a throwaway
# PostgreSQL for the run and runs the hub's suite a second time on it.
test-rust: ui-build target-cache
	cargo nextest run --workspace --no-run
	-bash scripts/target-cache.sh save
	bash scripts/test-rust.sh

test-ui:
	bash scripts/test-ui.sh

test-web: target-cache
	bash scripts/test-web.sh

test-tauri: target-cache
	bash scripts/test-tauri.sh

## Refresh the screenshots in docs/screenshots/ (tests write theirs under bench-out/).
screenshots: setup ui-build
	SCREENSHOT_DIR=$(CURDIR)/docs/screenshots $(MAKE) -k test-web test-tauri

ui-build:
	bash scripts/ui-build.sh

## An installable .deb (and .rpm) of the desktop app.
bundle: setup ui-build target-cache
	bash scripts/bundle.sh

## Regenerate the UI's TypeScript types from the Rust command set.
bindings: target-cache
	UPDATE_BINDINGS=1 cargo test -q -p leadguard-core --test bindings

bench-core: target-cache
	bash scripts/bench-core.sh

bench-dedup: target-cache
	bash scripts/bench-dedup.sh

bench-collisions: target-cache
	bash scripts/bench-collisions.sh

## A generated 100,000-row .xlsx imported into a registry of 100,000 leads, with the
## dedup report, beside pandas + openpyxl reading the same file.
bench-import: target-cache
	bash scripts/bench-import.sh

bench-sync: target-cache
	bash scripts/bench-sync.sh

## Hundreds of simulated laptops syncing at once against one and two hub processes.
bench-hub: target-cache
	bash scripts/bench-hub.sh

## Registry search in the browser: keystroke → results p50/p99 on 100k leads.
bench-ui: setup ui-build target-cache
	bash scripts/bench-ui.sh

## Digest and sealing costs beside a plain SHA-256 (what an attacker pays per guess).
bench-seal: target-cache
	cargo run --release -p leadguard-seal --example bench_seal

bench-enrol: target-cache
	cargo run --release -p leadguard-core --example bench_enrol
