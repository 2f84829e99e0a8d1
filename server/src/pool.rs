//! The decision threads: a fixed pool that runs decisions (and archive
//! writes) off the async runtime's reactor threads, so a slow decision or an
//! `fsync` never stalls accepting and reading other requests, and so a
//! burst of requests never starts more decision threads than there are
//! cores. The queue in front of it is bounded by the service's concurrency
//! limit (`Config::max_concurrent`), not here.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send + 'static>;

/// A fixed set of threads taking jobs from one queue.
pub struct Pool {
    sender: Mutex<Option<mpsc::Sender<Job>>>,
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pool").finish_non_exhaustive()
    }
}

impl Pool {
    /// A pool of `size` threads (at least one), named `decide-N`.
    pub fn new(size: usize) -> std::io::Result<Pool> {
        let (sender, receiver) = mpsc::channel::<Job>();
        let receiver = Arc::new(Mutex::new(receiver));
        let mut threads = Vec::new();
        for i in 0..size.max(1) {
            let receiver = Arc::clone(&receiver);
            threads.push(
                std::thread::Builder::new()
                    .name(format!("decide-{i}"))
                    .spawn(move || {
                        loop {
                            // The lock is held only to take one job.
                            let job = match receiver.lock() {
                                Ok(r) => r.recv(),
                                Err(_) => return,
                            };
                            match job {
                                // A panic in a job is caught by the job itself
                                // (see `run`); the thread keeps serving.
                                Ok(job) => job(),
                                Err(_) => return,
                            }
                        }
                    })?,
            );
        }
        Ok(Pool {
            sender: Mutex::new(Some(sender)),
            threads: Mutex::new(threads),
        })
    }

    /// Run `work` on a pool thread and wait for its result. `None` when the
    /// pool is shut down, or when `work` panicked (the panic is contained:
    /// the caller answers 500, the thread lives on).
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            let _ = tx.send(result.ok());
        });
        {
            let guard = self.sender.lock().ok()?;
            guard.as_ref()?.send(job).ok()?;
        }
        rx.await.ok().flatten()
    }

    /// Stop taking jobs and wait for the threads to finish the queued ones.
    pub fn shutdown(&self) {
        if let Ok(mut s) = self.sender.lock() {
            s.take();
        }
        let threads = match self.threads.lock() {
            Ok(mut t) => std::mem::take(&mut *t),
            Err(_) => return,
        };
        for t in threads {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_work_and_contains_panics() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let pool = Pool::new(2).unwrap();
        rt.block_on(async {
            assert_eq!(pool.run(|| 6 * 7).await, Some(42));
            let name = pool
                .run(|| std::thread::current().name().map(str::to_string))
                .await;
            assert!(name.flatten().unwrap().starts_with("decide-"));
            assert_eq!(pool.run(|| -> i32 { panic!("boom") }).await, None);
            // The pool still serves after a panic.
            assert_eq!(pool.run(|| 1).await, Some(1));
        });
        pool.shutdown();
        rt.block_on(async { assert_eq!(pool.run(|| 1).await, None) });
    }
}
