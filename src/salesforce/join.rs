//! Several futures driven together on the current task, for requests that go out at the same
//! time (the chunks of a composite read, the sandboxes `org wait` polls).

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

/// A future borrowed for as long as its owner lives.
pub type Boxed<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// Drives every future on this task until all have ended; results in the given order.
pub async fn join_all<'a, T>(mut futures: Vec<Boxed<'a, T>>) -> Vec<T> {
    let mut results: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, future) in futures.iter_mut().enumerate() {
            if results[i].is_some() {
                continue;
            }
            match future.as_mut().poll(cx) {
                Poll::Ready(value) => results[i] = Some(value),
                Poll::Pending => pending = true,
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    results
        .into_iter()
        .map(|r| r.expect("every future ended"))
        .collect()
}
