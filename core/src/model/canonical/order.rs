//! Putting the entries of a map (or struct) in the order of their encoded
//! keys when they were written in another: a small map by moving its
//! entries, a large one by reordering the runs of the output that are read
//! (`Encoder::pieces`), so that no large value is copied once per map
//! around it.

use super::{END, Encoder, Entry, MOVE_AT_MOST};

/// The bytewise order of two encoded keys, compared in place (keys are
/// short: a loop beats a call to `memcmp`).
fn key_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return x.cmp(y);
        }
    }
    a.len().cmp(&b.len())
}

/// The first eight bytes of an encoded key, big-endian, padded with
/// zeros: two keys whose heads differ are in the order of their heads
/// (the first byte that differs decides, and a key that ends first pads
/// with the smallest byte), so most comparisons are one of two integers.
pub(super) fn head(key: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    let n = key.len().min(8);
    if let (Some(to), Some(from)) = (b.get_mut(..n), key.get(..n)) {
        to.copy_from_slice(from);
    }
    u64::from_be_bytes(b)
}

/// The order of two entries of `out` by their encoded keys.
pub(super) fn entry_order(out: &[u8], a: &Entry, b: &Entry) -> std::cmp::Ordering {
    a.head.cmp(&b.head).then_with(|| {
        key_order(
            out.get(a.key..a.key_end).unwrap_or_default(),
            out.get(b.key..b.key_end).unwrap_or_default(),
        )
    })
}

impl Encoder {
    /// Close the map whose content starts at `start`, whose entries are
    /// `entries[base..]` (in the order written) and whose pieces, if any
    /// inner map was put in order, start at `pieces[first_piece]`: put its
    /// entries in the order of their encoded keys when they did not come
    /// sorted, and end it.
    pub(super) fn close_map(
        &mut self,
        start: usize,
        base: usize,
        first_piece: usize,
        sorted: bool,
    ) {
        if !sorted {
            let small = self.out.len().saturating_sub(start) <= MOVE_AT_MOST;
            if small && self.pieces.len() == first_piece {
                self.move_entries(start, base);
            } else {
                self.order_entries(start, base, first_piece);
            }
        }
        self.entries.truncate(base);
        self.out.push(END);
    }

    /// Put the entries of an open map in order by moving them: the map is
    /// small and nothing inside it is in the pieces, so its content
    /// (`start..`) lies in the output as it is read.
    fn move_entries(&mut self, start: usize, base: usize) {
        let Self {
            out,
            entries,
            bytes,
            ..
        } = self;
        let open = entries.get_mut(base..).unwrap_or_default();
        open.sort_by(|a, b| entry_order(out, a, b));
        bytes.clear();
        for e in open.iter() {
            bytes.extend_from_slice(out.get(e.key..e.end).unwrap_or_default());
        }
        if let Some(region) = out.get_mut(start..start + bytes.len()) {
            region.copy_from_slice(bytes);
        }
    }

    /// Put the entries of an open map in order without moving a byte.
    ///
    /// Its content (`start..`, written so far) is read as the pieces from
    /// `first_piece` on, then the tail: the first piece may begin before
    /// `start`, and an inner map put in order left pieces that each lie
    /// inside one entry. Cut those runs at every entry boundary, note the
    /// entry each lies in, and write them back in the order of those
    /// entries' keys, each entry's runs in the order they were.
    fn order_entries(&mut self, start: usize, base: usize, first_piece: usize) {
        let end = self.out.len();
        if self.tail < end {
            self.pieces.push((self.tail, end));
        }
        self.tail = end;
        let Self {
            out,
            entries,
            pieces,
            runs,
            ..
        } = self;
        let open = entries.get(base..).unwrap_or_default();
        // Each run with the entry it lies in (entries are contiguous from
        // `start`, in the order written); what came before the map's
        // content is marked `BEFORE` and stays first.
        const BEFORE: usize = usize::MAX;
        runs.clear();
        for (mut from, to) in pieces.drain(first_piece.min(pieces.len())..) {
            while from < to {
                let (entry, cut) = if from < start {
                    (BEFORE, start.min(to))
                } else {
                    let i = open.partition_point(|e| e.end <= from);
                    let cut = open.get(i).map_or(to, |e| e.end.min(to));
                    (i, if cut > from { cut } else { to })
                };
                runs.push((entry, (from, cut)));
                from = cut;
            }
        }
        // By the entries' keys; stable, so an entry's runs keep their
        // order (and entries with equal keys the order written).
        runs.sort_by(|(a, _), (b, _)| match (*a == BEFORE, *b == BEFORE) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Less,
            (false, true) => std::cmp::Ordering::Greater,
            (false, false) => match (open.get(*a), open.get(*b)) {
                (Some(x), Some(y)) => entry_order(out, x, y),
                _ => a.cmp(b),
            },
        });
        pieces.extend(runs.iter().map(|(_, p)| *p));
    }
}
