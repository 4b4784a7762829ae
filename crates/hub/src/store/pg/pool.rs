//! A small blocking connection pool: at most `size` connections, opened on demand,
//! handed back on drop; a connection that broke is dropped, not reused.

use std::ops::{Deref, DerefMut};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use std::collections::HashMap;

use postgres::{Client, GenericClient, NoTls, Statement};

use crate::error::HubError;

/// How long a caller waits for a free connection before failing (the hub answers 500
/// and the device retries its sync).
const WAIT: Duration = Duration::from_secs(30);

pub(super) struct Pool {
    url: String,
    size: usize,
    state: Mutex<State>,
    freed: Condvar,
}

struct State {
    idle: Vec<Conn>,
    open: usize,
}

/// A connection and the statements prepared on it (one round trip per query after
/// the first, instead of a parse round trip each time).
pub(super) struct Conn {
    pub client: Client,
    pub statements: Statements,
}

#[derive(Default)]
pub(super) struct Statements(HashMap<&'static str, Statement>);

impl Statements {
    /// `sql` prepared on this connection (through `tx`, a transaction or the client
    /// itself), prepared once.
    pub(super) fn get(&mut self, tx: &mut impl GenericClient, sql: &'static str) -> Result<Statement, postgres::Error> {
        if let Some(s) = self.0.get(sql) {
            return Ok(s.clone());
        }
        let s = tx.prepare(sql)?;
        self.0.insert(sql, s.clone());
        Ok(s)
    }
}

impl Pool {
    pub(super) fn new(url: &str, size: usize) -> Self {
        Pool { url: url.to_owned(), size: size.max(1), state: Mutex::new(State { idle: Vec::new(), open: 0 }), freed: Condvar::new() }
    }

    /// An idle connection, a new one if fewer than `size` are open, or the next one freed.
    pub(super) fn get(&self) -> Result<Pooled<'_>, HubError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(client) = state.idle.pop() {
                return Ok(Pooled { pool: self, conn: Some(client) });
            }
            if state.open < self.size {
                state.open += 1;
                drop(state);
                return match Client::connect(&self.url, NoTls) {
                    Ok(client) => Ok(Pooled { pool: self, conn: Some(Conn { client, statements: Statements::default() }) }),
                    Err(e) => {
                        self.release(None);
                        Err(e.into())
                    }
                };
            }
            let (next, timeout) = self.freed.wait_timeout(state, WAIT).unwrap_or_else(|p| p.into_inner());
            if timeout.timed_out() && next.idle.is_empty() && next.open >= self.size {
                return Err(HubError::Busy("every PostgreSQL connection of this hub stayed busy".into()));
            }
            state = next;
        }
    }

    /// Opens connections until `size` are open (a serving hub's start).
    pub(super) fn fill(&self) -> Result<(), HubError> {
        let held = (0..self.size).map(|_| self.get()).collect::<Result<Vec<_>, _>>()?;
        drop(held);
        Ok(())
    }

    /// How many connections are open (idle or lent).
    #[cfg(test)]
    pub(super) fn open_count(&self) -> usize {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).open
    }

    fn release(&self, conn: Option<Conn>) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match conn.filter(|c| !c.client.is_closed()) {
            Some(c) => state.idle.push(c),
            None => state.open -= 1,
        }
        self.freed.notify_one();
    }
}

/// A connection borrowed from the pool.
pub(super) struct Pooled<'a> {
    pool: &'a Pool,
    conn: Option<Conn>,
}

impl Pooled<'_> {
    /// The client and its statement cache, borrowed apart (a transaction holds the client).
    pub(super) fn split(&mut self) -> (&mut Client, &mut Statements) {
        let conn = self.conn.as_mut().expect("a pooled connection");
        (&mut conn.client, &mut conn.statements)
    }
}

impl Deref for Pooled<'_> {
    type Target = Client;
    fn deref(&self) -> &Client {
        &self.conn.as_ref().expect("a pooled connection").client
    }
}

impl DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Client {
        &mut self.conn.as_mut().expect("a pooled connection").client
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        self.pool.release(self.conn.take());
    }
}
