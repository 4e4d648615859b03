//! What a compiled rule pack needs per event: which atoms hold, which
//! fields have been computed, and the shared look-ups that compute them.
//!
//! A pack computes the key atoms of a field ("some value of this field
//! satisfies this predicate", for the predicates that select rules) in one
//! pass over its values, at most once per event; the rules those atoms
//! select then test their other conditions, and a test that several rules
//! share is evaluated at most once per event, its result kept; see the
//! compiler's `plan` module. The state lives on the stack and is cleared per
//! event, so matching allocates nothing.

use std::sync::OnceLock;

/// The atoms and fields of one event, as bit sets of `A` and `F` words, and
/// the results of the tests that several rules share, `M` words of each.
#[derive(Clone, Debug)]
pub struct PackState<const A: usize, const F: usize, const M: usize> {
    atoms: [u64; A],
    fields: [u64; F],
    /// Which shared tests have been evaluated for this event.
    known: [u64; M],
    /// Their results, where known.
    results: [u64; M],
}

impl<const A: usize, const F: usize, const M: usize> Default for PackState<A, F, M> {
    fn default() -> Self {
        PackState::new()
    }
}

impl<const A: usize, const F: usize, const M: usize> PackState<A, F, M> {
    #[inline]
    pub const fn new() -> Self {
        PackState {
            atoms: [0; A],
            fields: [0; F],
            known: [0; M],
            results: [0; M],
        }
    }

    /// Whether atom `atom` holds (once its field is computed).
    #[inline(always)]
    pub fn atom(&self, atom: u32) -> bool {
        self.atoms[(atom / 64) as usize] & (1 << (atom % 64)) != 0
    }

    #[inline(always)]
    pub fn set_atom(&mut self, atom: u32) {
        self.atoms[(atom / 64) as usize] |= 1 << (atom % 64);
    }

    /// Whether field `field` has been computed for this event.
    #[inline(always)]
    pub fn field_done(&self, field: u32) -> bool {
        self.fields[(field / 64) as usize] & (1 << (field % 64)) != 0
    }

    #[inline(always)]
    pub fn mark_field(&mut self, field: u32) {
        self.fields[(field / 64) as usize] |= 1 << (field % 64);
    }

    /// The result of shared test `test`: `evaluate` is called the first
    /// time it is asked for in an event, and its result kept.
    #[inline(always)]
    pub fn shared(&mut self, test: u32, evaluate: impl FnOnce() -> bool) -> bool {
        let (word, bit) = ((test / 64) as usize, 1u64 << (test % 64));
        if self.known[word] & bit != 0 {
            return self.results[word] & bit != 0;
        }
        let result = evaluate();
        self.known[word] |= bit;
        if result {
            self.results[word] |= bit;
        }
        result
    }

    /// Calls `each` with every atom that holds among those set in `mask`.
    #[inline]
    pub fn for_each_atom_in(&self, mask: &[u64; A], mut each: impl FnMut(u32)) {
        for (index, (&atoms, &mask)) in self.atoms.iter().zip(mask).enumerate() {
            let mut word = atoms & mask;
            while word != 0 {
                let bit = word.trailing_zeros();
                each(index as u32 * 64 + bit);
                word &= word - 1;
            }
        }
    }
}

/// Calls `each` with the index of every bit set in `bits`, in order.
#[inline]
pub fn for_each_bit(bits: &[u64], mut each: impl FnMut(usize)) {
    for (index, &word) in bits.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            let bit = word.trailing_zeros() as usize;
            each(index * 64 + bit);
            word &= word - 1;
        }
    }
}

/// A field's exact strings, case-sensitive and case-folding, as one open
/// addressing hash table built by the compiler: a value is hashed once,
/// with its ASCII letters folded, and probes a slot or two, where a binary
/// search over hundreds of strings compared a dozen.
#[derive(Clone, Copy, Debug)]
pub struct ExactTable {
    /// A power of two of slots, each `0` (empty) or an index into `entries`
    /// plus one, placed by [`ExactTable::slot`] with linear probing.
    pub slots: &'static [u32],
    pub entries: &'static [ExactEntry],
}

/// The strings of an [`ExactTable`] that fold to one lower-case key.
#[derive(Clone, Copy, Debug)]
pub struct ExactEntry {
    /// The key, ASCII letters in lower case.
    pub folded: &'static str,
    /// The atoms of the case-folding strings equal to `folded`.
    pub any_case: &'static [u32],
    /// The case-sensitive strings that fold to `folded`, with their atoms.
    pub exact: &'static [(&'static str, &'static [u32])],
}

impl ExactTable {
    /// The slot where the search for a key with hash `hash` starts, in a
    /// table of `slots` slots (a power of two).
    #[inline]
    pub const fn slot(hash: u64, slots: usize) -> usize {
        (hash as usize) & (slots - 1)
    }

    /// The slots of a table whose entry `i` has key `keys[i]` (lower case,
    /// distinct): a power of two of them, at least twice the keys, each key
    /// placed at its [`ExactTable::slot`] or the next free one. The compiler
    /// lays tables out with it.
    pub fn layout(keys: &[&str]) -> Vec<u32> {
        let n_slots = (keys.len() * 2).next_power_of_two();
        let mut slots = vec![0u32; n_slots];
        for (index, key) in keys.iter().enumerate() {
            let mut slot = ExactTable::slot(fold_hash(key.as_bytes()), n_slots);
            while slots[slot] != 0 {
                slot = (slot + 1) & (n_slots - 1);
            }
            slots[slot] = index as u32 + 1;
        }
        slots
    }

    /// Calls `hit` with every atom that `text` makes true.
    #[inline]
    pub fn lookup(&self, text: &str, mut hit: impl FnMut(u32)) {
        if self.slots.is_empty() {
            return;
        }
        let mut slot = ExactTable::slot(fold_hash(text.as_bytes()), self.slots.len());
        // The table is at most half full, so the probe ends at an empty slot.
        for _ in 0..self.slots.len() {
            let Some(entry) = self
                .slots
                .get(slot)
                .and_then(|&index| index.checked_sub(1))
                .and_then(|index| self.entries.get(index as usize))
            else {
                return;
            };
            if entry.folded.len() == text.len() && entry.folded.eq_ignore_ascii_case(text) {
                entry.any_case.iter().for_each(|&atom| hit(atom));
                for (key, atoms) in entry.exact {
                    if *key == text {
                        atoms.iter().for_each(|&atom| hit(atom));
                    }
                }
                return;
            }
            slot = (slot + 1) & (self.slots.len() - 1);
        }
    }
}

/// A hash of `bytes` with ASCII letters folded to lower case, eight bytes at
/// a time; the compiler places keys with it and the runtime finds them.
#[inline]
pub fn fold_hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut hash = (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        hash = (hash.rotate_left(5) ^ fold_word(u64::from_le_bytes(word))).wrapping_mul(K);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        // Byte by byte: a copy of up to seven bytes would call `memcpy`.
        let word = rest
            .iter()
            .rev()
            .fold(0u64, |word, &byte| (word << 8) | u64::from(byte));
        hash = (hash.rotate_left(5) ^ fold_word(word)).wrapping_mul(K);
    }
    hash ^ (hash >> 32)
}

/// `word` with every byte from `A` to `Z` turned into its lower-case letter
/// and the other bytes kept, all eight at once.
#[inline]
fn fold_word(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // The high bit of each byte below 0x80, then of each byte whose low
    // seven bits are at least `A`, then at least one past `Z`. The sums
    // cannot carry into the next byte: 0x7f + 0x3f < 0x100.
    let ascii = !word & (ONES * 0x80);
    let low = word & (ONES * 0x7f);
    let from_a = low + ONES * (0x80 - u64::from(b'A'));
    let past_z = low + ONES * (0x80 - u64::from(b'Z') - 1);
    let upper = from_a & !past_z & ascii & (ONES * 0x80);
    word | (upper >> 2)
}

/// How a hit of a needle confirms a wildcard pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    Prefix,
    Suffix,
    Contains,
    /// Run the whole pattern through the wildcard matcher.
    Whole,
}

/// A wildcard pattern reached through the automaton's needle `needle`.
#[derive(Clone, Copy, Debug)]
pub struct PatternEntry {
    pub needle: u32,
    pub check: Check,
    pub pattern: &'static str,
    pub atom: u32,
    /// Whether the pattern folds ASCII case. A case-sensitive pattern in an
    /// automaton that folds case (one automaton serves both kinds of a
    /// field's patterns) also needs its needle's exact bytes at the hit.
    pub insensitive: bool,
}

/// An Aho-Corasick automaton over the needles of one field's patterns,
/// built on first use.
#[derive(Debug)]
pub struct Needles {
    needles: &'static [&'static str],
    insensitive: bool,
    /// The length of the shortest needle: a shorter value holds none, and is
    /// not scanned.
    shortest: usize,
    automaton: OnceLock<Option<Engine>>,
}

/// A built automaton: a DFA, searched through its own type so that each
/// search skips the dynamic dispatch and checks of `AhoCorasick`, or, when
/// the DFA would be too large, whatever `AhoCorasick` picks.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "one per field, in a static: a box would cost an indirection per search"
)]
enum Engine {
    Dfa(aho_corasick::dfa::DFA),
    Other(aho_corasick::AhoCorasick),
}

impl Needles {
    pub const fn new(needles: &'static [&'static str], insensitive: bool) -> Needles {
        let mut shortest = usize::MAX;
        let mut index = 0;
        while index < needles.len() {
            if needles[index].len() < shortest {
                shortest = needles[index].len();
            }
            index += 1;
        }
        Needles {
            needles,
            insensitive,
            shortest,
            automaton: OnceLock::new(),
        }
    }

    /// The automaton: a DFA when one can be built. For large needle sets
    /// `build` picks a contiguous NFA, whose overlapping search took a
    /// quarter more instructions on the bench stream (callgrind); the DFA
    /// costs memory and build time, paid once, on first use.
    fn build(&self) -> Option<Engine> {
        let dfa = aho_corasick::dfa::Builder::new()
            .ascii_case_insensitive(self.insensitive)
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(self.needles);
        if let Ok(dfa) = dfa {
            return Some(Engine::Dfa(dfa));
        }
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(self.insensitive)
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(self.needles)
            .ok()
            .map(Engine::Other)
    }

    /// Calls `hit` with every atom whose pattern matches `text`. `entries`
    /// is sorted by needle; `ranges[needle]` is the range of its entries.
    #[inline]
    pub fn scan(
        &self,
        text: &str,
        entries: &[PatternEntry],
        ranges: &[(u32, u32)],
        mut hit: impl FnMut(u32),
    ) {
        if text.len() < self.shortest {
            return;
        }
        let automaton = self.automaton.get_or_init(|| self.build());
        match automaton {
            Some(Engine::Dfa(dfa)) => {
                use aho_corasick::automaton::{Automaton, OverlappingState};
                let input = aho_corasick::Input::new(text);
                let mut state = OverlappingState::start();
                // A DFA built for unanchored search reports no error.
                while dfa.try_find_overlapping(&input, &mut state).is_ok() {
                    let Some(found) = state.get_match() else {
                        break;
                    };
                    self.confirm(text, found, entries, ranges, &mut hit);
                }
            }
            Some(Engine::Other(automaton)) => {
                for found in automaton.find_overlapping_iter(text) {
                    self.confirm(text, found, entries, ranges, &mut hit);
                }
            }
            None => {}
        }
    }

    /// Calls `hit` with the atom of each pattern of needle hit `found` that
    /// holds for `text`.
    #[inline]
    fn confirm(
        &self,
        text: &str,
        found: aho_corasick::Match,
        entries: &[PatternEntry],
        ranges: &[(u32, u32)],
        hit: &mut impl FnMut(u32),
    ) {
        let needle = found.pattern().as_usize();
        let Some(&(start, end)) = ranges.get(needle) else {
            return;
        };
        // Whether the hit has the needle's own case, asked once.
        let mut exact_case = None;
        for entry in entries.get(start as usize..end as usize).unwrap_or(&[]) {
            if self.insensitive && !entry.insensitive {
                let exact = *exact_case.get_or_insert_with(|| {
                    text.as_bytes().get(found.start()..found.end())
                        == self.needles.get(needle).map(|n| n.as_bytes())
                });
                if !exact {
                    continue;
                }
            }
            let confirmed = match entry.check {
                Check::Prefix => found.start() == 0,
                Check::Suffix => found.end() == text.len(),
                Check::Contains => true,
                Check::Whole => crate::text::wildcard_match(entry.pattern, text, entry.insensitive),
            };
            if confirmed {
                hit(entry.atom);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A table as the compiler lays one out: `ssh` and `chisel` fold case,
    /// `SSH` and `ssh-agent` do not.
    fn table(entries: &'static [ExactEntry]) -> ExactTable {
        let keys: Vec<&str> = entries.iter().map(|entry| entry.folded).collect();
        ExactTable {
            slots: ExactTable::layout(&keys).leak(),
            entries,
        }
    }

    static ENTRIES_EXACT: [ExactEntry; 3] = [
        ExactEntry {
            folded: "ssh",
            any_case: &[2, 5],
            exact: &[("SSH", &[9])],
        },
        ExactEntry {
            folded: "chisel",
            any_case: &[1],
            exact: &[],
        },
        ExactEntry {
            folded: "ssh-agent",
            any_case: &[],
            exact: &[("ssh-agent", &[7])],
        },
    ];

    fn atoms(table: &ExactTable, text: &str) -> Vec<u32> {
        let mut found = Vec::new();
        table.lookup(text, |atom| found.push(atom));
        found
    }

    #[test]
    fn exact_tables() {
        let table = table(&ENTRIES_EXACT);
        assert_eq!(atoms(&table, "ssh"), [2, 5]);
        assert_eq!(atoms(&table, "SSH"), [2, 5, 9]);
        assert_eq!(atoms(&table, "sSh"), [2, 5]);
        assert_eq!(atoms(&table, "ssh-agent"), [7]);
        assert_eq!(atoms(&table, "SSH-AGENT"), Vec::<u32>::new());
        assert_eq!(atoms(&table, "CHISEL"), [1]);
        assert_eq!(atoms(&table, "ss"), Vec::<u32>::new());
        assert_eq!(atoms(&table, ""), Vec::<u32>::new());
        let empty = ExactTable {
            slots: &[],
            entries: &[],
        };
        assert_eq!(atoms(&empty, "ssh"), Vec::<u32>::new());
    }

    #[test]
    fn the_hash_folds_ascii_letters_only() {
        let samples = [
            "",
            "a",
            "Z",
            "@[`{",
            "sshd",
            "SSHD",
            "Ssh-Agent-Longer-Than-Eight",
            "ÄÖÜ-äöü",
            "ﬀ\u{0}\t",
        ];
        for text in samples {
            let lower = text.to_ascii_lowercase();
            assert_eq!(
                fold_hash(text.as_bytes()),
                fold_hash(lower.as_bytes()),
                "{text}"
            );
        }
        // Every byte: letters fold, nothing else moves.
        for byte in 0..=255u8 {
            let word = u64::from_le_bytes([byte; 8]);
            let folded = fold_word(word).to_le_bytes();
            assert_eq!(folded, [byte.to_ascii_lowercase(); 8], "{byte:#x}");
        }
        // Bytes next to each other fold alone.
        let word = u64::from_le_bytes(*b"@AZ[`az{");
        assert_eq!(&fold_word(word).to_le_bytes(), b"@az[`az{");
        assert_ne!(fold_hash(b"ssh"), fold_hash(b"ssh\0"));
    }

    static NEEDLES: Needles = Needles::new(&["tunnel", "ssh", "-l"], true);
    static ENTRIES: [PatternEntry; 4] = [
        PatternEntry {
            needle: 0,
            check: Check::Contains,
            pattern: "*tunnel*",
            atom: 3,
            insensitive: true,
        },
        PatternEntry {
            needle: 1,
            check: Check::Prefix,
            pattern: "ssh*",
            atom: 4,
            insensitive: true,
        },
        PatternEntry {
            needle: 1,
            check: Check::Suffix,
            pattern: "*ssh",
            atom: 6,
            insensitive: true,
        },
        PatternEntry {
            needle: 2,
            check: Check::Whole,
            pattern: "?:\\*-l*",
            atom: 8,
            insensitive: true,
        },
    ];
    static RANGES: [(u32, u32); 3] = [(0, 1), (1, 3), (3, 4)];

    fn hits(text: &str) -> Vec<u32> {
        let mut found = Vec::new();
        NEEDLES.scan(text, &ENTRIES, &RANGES, |atom| found.push(atom));
        found.sort_unstable();
        found.dedup();
        found
    }

    #[test]
    fn automaton_hits_are_confirmed() {
        assert_eq!(hits("SSH -o Tunnel=yes"), [3, 4]);
        assert_eq!(hits("autossh"), [6]);
        assert_eq!(hits("ssh"), [4, 6]);
        assert_eq!(hits("c:\\x-L5"), [8]);
        assert_eq!(hits("x:\\-l"), [8]);
        assert_eq!(hits("nothing"), Vec::<u32>::new());
        // Values shorter than the shortest needle are not scanned.
        assert_eq!(NEEDLES.shortest, 2);
        assert_eq!(hits("-L"), Vec::<u32>::new());
        assert_eq!(hits("-"), Vec::<u32>::new());
        assert_eq!(Needles::new(&[], false).shortest, usize::MAX);
    }

    /// One automaton for a field's case-sensitive and case-folding patterns:
    /// `*Tunnel*` and `Tunnel*` keep their case, `*tunnel*` (folded) and
    /// `*ssh` do not.
    static MIXED: Needles = Needles::new(&["Tunnel", "ssh", "tunnel"], true);
    static MIXED_ENTRIES: [PatternEntry; 4] = [
        PatternEntry {
            needle: 0,
            check: Check::Contains,
            pattern: "*Tunnel*",
            atom: 1,
            insensitive: false,
        },
        PatternEntry {
            needle: 0,
            check: Check::Prefix,
            pattern: "Tunnel*",
            atom: 2,
            insensitive: false,
        },
        PatternEntry {
            needle: 1,
            check: Check::Suffix,
            pattern: "*ssh",
            atom: 3,
            insensitive: true,
        },
        PatternEntry {
            needle: 2,
            check: Check::Contains,
            pattern: "*tunnel*",
            atom: 4,
            insensitive: true,
        },
    ];
    static MIXED_RANGES: [(u32, u32); 3] = [(0, 2), (2, 3), (3, 4)];

    fn mixed_hits(text: &str) -> Vec<u32> {
        let mut found = Vec::new();
        MIXED.scan(text, &MIXED_ENTRIES, &MIXED_RANGES, |atom| found.push(atom));
        found.sort_unstable();
        found.dedup();
        found
    }

    #[test]
    fn one_automaton_serves_both_cases() {
        assert_eq!(mixed_hits("TUNNEL over SSH"), [3, 4]);
        assert_eq!(mixed_hits("Tunnel over ssh"), [1, 2, 3, 4]);
        // The sensitive prefix needs its case at the start; a later
        // occurrence with it still holds for the substring pattern.
        assert_eq!(mixed_hits("tunnel, Tunnel"), [1, 4]);
        assert_eq!(mixed_hits("nothing"), Vec::<u32>::new());
    }

    #[test]
    fn state_bits() {
        let mut state = PackState::<2, 1, 1>::new();
        state.set_atom(3);
        state.set_atom(70);
        assert!(state.atom(3) && state.atom(70) && !state.atom(4));
        let mut seen = Vec::new();
        state.for_each_atom_in(&[u64::MAX, 0], |atom| seen.push(atom));
        assert_eq!(seen, [3]);
        state.mark_field(9);
        assert!(state.field_done(9) && !state.field_done(8));
        let mut calls = 0;
        let mut shared = |state: &mut PackState<2, 1, 1>, result| {
            state.shared(5, || {
                calls += 1;
                result
            })
        };
        assert!(shared(&mut state, true));
        // Known now: the second evaluation is not called.
        assert!(shared(&mut state, false));
        assert!(!shared(&mut PackState::new(), false));
        assert_eq!(calls, 2);
        let mut bits = Vec::new();
        for_each_bit(&[0b101, 1 << 63], |bit| bits.push(bit));
        assert_eq!(bits, [0, 2, 127]);
    }
}
