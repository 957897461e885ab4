//! Spreading the per-component work of a comparison over the machine's cores.
//!
//! Comparing two 50k-component snapshots touches about a thousand changed components, and
//! each costs the same kind of work: reading its files from the store (decompressing and
//! verifying them), splitting parents into children, a semantic diff. That work is
//! independent per component, so it runs on a few threads, each reading through its own
//! store connection (the shared one is a single mutex-guarded connection). Results come
//! back in the order of the input, so reports do not depend on how the work was shared.

use std::sync::atomic::{AtomicUsize, Ordering};

use orgfleet_store::snapshots as rows;

use crate::Engine;
use crate::drift_side::ReadFiles;
use crate::error::Result;

/// Threads used at most (the work is short; more threads mostly add connections).
const MAX_THREADS: usize = 4;
/// Below this many items, one thread does it all (opening connections would cost more).
const MIN_PARALLEL_ITEMS: usize = 16;
/// Items a thread takes at a time: neighbours (children of one parent) tend to stay together.
const CHUNK: usize = 8;

/// Runs `work` on every item, on up to [`MAX_THREADS`] threads, each with its own state `S`
/// (a cache, say) and its own way to read files. Returns the results in the order of
/// `items`, or the first error in that order.
pub(crate) fn map_components<T, R, S>(
    engine: &Engine,
    items: &[T],
    work: impl Fn(&mut S, ReadFiles<'_>, &T) -> Result<R> + Sync,
) -> Result<Vec<R>>
where
    T: Sync,
    R: Send,
    S: Default,
{
    let shared =
        |id: i64, t: &str, n: &str| rows::component_files(&engine.store().conn(), id, t, n);
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_THREADS);
    if threads <= 1 || items.len() < MIN_PARALLEL_ITEMS {
        let mut state = S::default();
        return items
            .iter()
            .map(|it| work(&mut state, &shared, it))
            .collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Result<R>)> = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..threads)
            .map(|_| {
                scope.spawn(|| {
                    // A helper that cannot connect leaves its share to the others.
                    let Ok(conn) = engine.store().connect() else {
                        return Vec::new();
                    };
                    let own = |id: i64, t: &str, n: &str| rows::component_files(&conn, id, t, n);
                    take_turns(&next, items, &own, &work)
                })
            })
            .collect();
        let mut done = take_turns(&next, items, &shared, &work);
        for helper in helpers {
            done.extend(
                helper
                    .join()
                    .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            );
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Takes chunks of items until none are left; (index, result) of each item done.
fn take_turns<T, R, S: Default>(
    next: &AtomicUsize,
    items: &[T],
    read: ReadFiles<'_>,
    work: &(impl Fn(&mut S, ReadFiles<'_>, &T) -> Result<R> + Sync),
) -> Vec<(usize, Result<R>)> {
    let mut state = S::default();
    let mut done = Vec::new();
    loop {
        let start = next.fetch_add(CHUNK, Ordering::Relaxed);
        if start >= items.len() {
            return done;
        }
        for (i, item) in items.iter().enumerate().skip(start).take(CHUNK) {
            done.push((i, work(&mut state, read, item)));
        }
    }
}
