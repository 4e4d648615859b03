//! The table of open keys of a sequence or sample engine.
//!
//! Keys are looked up by a borrowed [`KeyRef`] through a hash table of entry
//! numbers, so a look-up never copies the key. Entries live in a slab and
//! are chained in the order they were last touched, oldest first, which is
//! what both bounds need: keys whose state is older than `maxspan` expire
//! from the front, and without `maxspan` the front entry is the one evicted
//! when the table is full. Freed entries are reused.

use std::hash::BuildHasher;

use hashbrown::HashTable;

use super::{Key, KeyRef};

/// The entry number that no entry has: the end of the chain.
pub(crate) const NIL: u32 = u32::MAX;

/// Open keys, each with a state `S`.
pub(crate) struct KeyTable<S> {
    /// Entry numbers, hashed by their key.
    index: HashTable<u32>,
    entries: Vec<Entry<S>>,
    /// Entries not in use.
    free: Vec<u32>,
    /// The least and most recently touched entries.
    oldest: u32,
    newest: u32,
    len: usize,
    /// Keys are attacker-controlled in a detection engine, so the hash is
    /// keyed per table.
    hasher: std::hash::RandomState,
}

struct Entry<S> {
    key: Key,
    hash: u64,
    /// The timestamp of the event that last changed the state.
    touched: i64,
    older: u32,
    newer: u32,
    state: Option<S>,
}

impl<S> KeyTable<S> {
    pub(crate) fn new() -> KeyTable<S> {
        KeyTable {
            index: HashTable::new(),
            entries: Vec::new(),
            free: Vec::new(),
            oldest: NIL,
            newest: NIL,
            len: 0,
            hasher: std::hash::RandomState::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The entry of `key`, if open.
    pub(crate) fn find(&self, key: KeyRef<'_>) -> Option<u32> {
        let hash = self.hasher.hash_one(key);
        let entries = &self.entries;
        self.index
            .find(hash, |&id| entries[id as usize].key.as_ref() == key)
            .copied()
    }

    /// Opens `key` with `state`, touched at `now`. The key must not be open.
    pub(crate) fn insert(&mut self, key: KeyRef<'_>, state: S, now: i64) -> u32 {
        let hash = self.hasher.hash_one(key);
        let entry = Entry {
            key: key.to_key(),
            hash,
            touched: now,
            older: NIL,
            newer: NIL,
            state: Some(state),
        };
        let id = match self.free.pop() {
            Some(id) => {
                self.entries[id as usize] = entry;
                id
            }
            None => {
                self.entries.push(entry);
                (self.entries.len() - 1) as u32
            }
        };
        let entries = &self.entries;
        self.index
            .insert_unique(hash, id, |&other| entries[other as usize].hash);
        self.link_newest(id);
        self.len += 1;
        id
    }

    pub(crate) fn state(&self, id: u32) -> Option<&S> {
        self.entries.get(id as usize)?.state.as_ref()
    }

    pub(crate) fn state_mut(&mut self, id: u32) -> Option<&mut S> {
        self.entries.get_mut(id as usize)?.state.as_mut()
    }

    pub(crate) fn key(&self, id: u32) -> KeyRef<'_> {
        self.entries[id as usize].key.as_ref()
    }

    /// Marks the entry changed at `now`: it becomes the newest.
    pub(crate) fn touch(&mut self, id: u32, now: i64) {
        self.unlink(id);
        self.entries[id as usize].touched = now;
        self.link_newest(id);
    }

    /// The least recently touched entry and when it was touched.
    pub(crate) fn oldest(&self) -> Option<(u32, i64)> {
        (self.oldest != NIL).then(|| (self.oldest, self.entries[self.oldest as usize].touched))
    }

    /// Closes an entry and returns its state.
    pub(crate) fn remove(&mut self, id: u32) -> Option<S> {
        let hash = self.entries.get(id as usize)?.hash;
        let state = self.entries[id as usize].state.take()?;
        if let Ok(found) = self.index.find_entry(hash, |&other| other == id) {
            found.remove();
        }
        self.unlink(id);
        // Drop the key's text now; the entry keeps only empty boxes.
        self.entries[id as usize].key = Key {
            atoms: Box::default(),
            text: Box::default(),
        };
        self.free.push(id);
        self.len -= 1;
        Some(state)
    }

    /// Open entries, oldest first.
    pub(crate) fn ids(&self) -> impl Iterator<Item = u32> + '_ {
        let mut next = self.oldest;
        std::iter::from_fn(move || {
            if next == NIL {
                return None;
            }
            let id = next;
            next = self.entries[id as usize].newer;
            Some(id)
        })
    }

    fn unlink(&mut self, id: u32) {
        let (older, newer) = {
            let entry = &self.entries[id as usize];
            (entry.older, entry.newer)
        };
        match older {
            NIL => self.oldest = newer,
            older => self.entries[older as usize].newer = newer,
        }
        match newer {
            NIL => self.newest = older,
            newer => self.entries[newer as usize].older = older,
        }
        let entry = &mut self.entries[id as usize];
        entry.older = NIL;
        entry.newer = NIL;
    }

    fn link_newest(&mut self, id: u32) {
        let previous = self.newest;
        {
            let entry = &mut self.entries[id as usize];
            entry.older = previous;
            entry.newer = NIL;
        }
        match previous {
            NIL => self.oldest = id,
            previous => self.entries[previous as usize].newer = id,
        }
        self.newest = id;
    }
}

impl<S> std::fmt::Debug for KeyTable<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyTable")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}
