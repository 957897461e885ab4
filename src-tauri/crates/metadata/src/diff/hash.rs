//! The diff's hash: one fast, stable 64-bit function for element content hashes, name
//! symbols and the hash maps of the matcher.
//!
//! Equal hashes are always confirmed (see [`super::dom::Doc::same`]), so the function needs to
//! spread well, not to resist attacks; SipHash, the standard maps' default, showed up in
//! profiles of large files.

/// A multiply-rotate hash taking 8 bytes at a time.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(pub u64);

impl Fnv {
    pub fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    pub fn mix(&mut self, word: u64) {
        self.0 = (self.0 ^ word)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }

    pub fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.mix(u64::from_le_bytes(word));
        }
        // The tail (0-7 bytes) shares its word with the length, so "ab" and "ab\0" differ.
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.mix(u64::from_le_bytes(word) ^ (bytes.len() as u64).rotate_right(8));
    }

    /// The hash of one byte string.
    pub fn of(bytes: &[u8]) -> u64 {
        let mut h = Self::new();
        h.write(bytes);
        h.0
    }
}

impl Default for Fnv {
    fn default() -> Self {
        Self::new()
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        // One more round so the low bits (used for buckets) depend on every input bit.
        let mut h = *self;
        h.mix(0x51_7cc1_b727_220a);
        h.0 ^ (h.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        Fnv::write(self, bytes);
    }

    fn write_u64(&mut self, word: u64) {
        self.mix(word);
    }
}

/// Hash maps and sets of the diff, keyed by borrowed names and keys.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;
pub(crate) type FastSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<Fnv>>;
