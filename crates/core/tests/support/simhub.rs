//! An in-process stand-in for the hub's change log, for schedules too many to run over
//! HTTP (the real hub is exercised in tests/e2e). It follows the hub's contract
//! (crates/hub): a change is stored once, by hash, with the hub clock at first receipt
//! and the pushing device's previous successful sync; a re-push gets the original
//! receipt; a pull returns what came after the device's cursor, except its own pushes.
#![allow(dead_code)]

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use leadguard_core::replication::{Ack, RemoteChange};
use leadguard_core::Registry;

struct Stored {
    change: RemoteChange,
    from: usize,
}

pub struct SimHub {
    log: Vec<Stored>,
    by_hash: HashMap<[u8; 32], usize>,
    pub clock: DateTime<Utc>,
    last_sync: HashMap<usize, DateTime<Utc>>,
}

impl SimHub {
    pub fn new(clock: DateTime<Utc>) -> SimHub {
        SimHub { log: Vec::new(), by_hash: HashMap::new(), clock, last_sync: HashMap::new() }
    }

    pub fn tick(&mut self, minutes: i64) {
        self.clock += Duration::minutes(minutes);
    }

    /// Moves the hub clock on to `t` (if it is later): honest device clocks at `t`.
    pub fn advance_to(&mut self, t: DateTime<Utc>) {
        self.clock = self.clock.max(t);
    }

    pub fn len(&self) -> usize {
        self.log.len()
    }

    /// Receives `dev`'s pending changes; the acknowledgements are lost if `drop_ack`.
    pub fn push(&mut self, dev: usize, reg: &mut Registry, drop_ack: bool) {
        let pending = reg.pending_changes(1_000_000).unwrap();
        let mut acks = Vec::new();
        for p in pending {
            let i = match self.by_hash.get(&p.hash) {
                Some(&i) => i,
                None => {
                    let change = RemoteChange {
                        hub_seq: self.log.len() as i64 + 1,
                        doc_id: p.doc_id,
                        scope: p.scope,
                        hash: p.hash,
                        bytes: p.bytes,
                        received_at: self.clock,
                        device_prev_sync: self.last_sync.get(&dev).copied(),
                    };
                    self.log.push(Stored { change, from: dev });
                    self.by_hash.insert(p.hash, self.log.len() - 1);
                    self.log.len() - 1
                }
            };
            let c = &self.log[i].change;
            acks.push(Ack { hash: c.hash, hub_seq: c.hub_seq, received_at: c.received_at, device_prev_sync: c.device_prev_sync });
        }
        if !drop_ack {
            reg.mark_acknowledged(&acks).unwrap();
        }
    }

    /// Sends `dev` what it lacks; the batch is delivered twice if `duplicate`, lost if
    /// `drop` (the cursor then stays put, so the next pull resends it).
    pub fn pull(&mut self, dev: usize, reg: &mut Registry, duplicate: bool, drop: bool) {
        let since = reg.last_pulled_hub_seq().unwrap();
        let batch: Vec<RemoteChange> =
            self.log.iter().filter(|s| s.change.hub_seq > since && s.from != dev).map(|s| s.change.clone()).collect();
        if drop {
            return;
        }
        reg.apply_remote(&batch).unwrap();
        if duplicate {
            reg.apply_remote(&batch).unwrap();
        }
        reg.set_last_pulled_hub_seq(self.log.len() as i64).unwrap();
    }

    /// Records a successful sync of `dev` (hub clock), as `/v1/sync/complete` does.
    pub fn complete(&mut self, dev: usize, reg: &mut Registry) {
        self.last_sync.insert(dev, self.clock);
        reg.set_last_sync_at(self.clock).unwrap();
    }

    /// Everyone syncs twice in turn: afterwards every replica holds everything.
    pub fn sync_all(&mut self, regs: &mut [Registry]) {
        for _ in 0..2 {
            for (i, r) in regs.iter_mut().enumerate() {
                self.sync(i, r);
            }
        }
    }

    /// A full, clean sync.
    pub fn sync(&mut self, dev: usize, reg: &mut Registry) {
        self.push(dev, reg, false);
        self.pull(dev, reg, false, false);
        self.complete(dev, reg);
        self.tick(1);
    }
}

/// A manager (m1) and two reps (r1 李娜, r2 王强) enrolled through the simulated hub;
/// registries in that order.
pub fn team(dir: &std::path::Path) -> (SimHub, Vec<Registry>) {
    use leadguard_core::model::Role;
    use leadguard_core::registry::InitOptions;
    let t0 = super::t0();
    let mut hub = SimHub::new(t0);
    let mut m = Registry::init(&dir.join("m1"), InitOptions { rep: super::rep("m1", "张经理", Role::Manager), shard_size: 100 }, t0)
        .unwrap();
    m.put_rep(super::rep("r1", "李娜", Role::Rep), t0).unwrap();
    m.put_rep(super::rep("r2", "王强", Role::Rep), t0).unwrap();
    hub.sync(0, &mut m);
    let mut regs = vec![m];
    for (i, (id, name)) in [("r1", "李娜"), ("r2", "王强")].into_iter().enumerate() {
        let mut r =
            Registry::init(&dir.join(id), InitOptions { rep: super::rep(id, name, Role::Rep), shard_size: 100 }, t0).unwrap();
        hub.sync(i + 1, &mut r);
        regs.push(r);
    }
    (hub, regs)
}
