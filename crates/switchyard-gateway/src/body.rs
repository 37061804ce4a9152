//! Response bodies: a whole body, or an upstream stream relayed frame by
//! frame, byte for byte, under the idle and total timeouts. When the
//! client goes away, hyper drops the body, which drops the upstream
//! response and so closes (cancels) the upstream request.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use serde_json::json;
use tokio::time::{Instant, Sleep};

use crate::gateway::{Gateway, Slot};
use crate::log::AccessRecord;

/// How much of the end of a stream is kept to read its usage chunk.
const STREAM_TAIL_BYTES: usize = 64 * 1024;

/// A response body.
pub enum ReplyBody {
    /// A whole body (taken when sent).
    Full(Option<Bytes>),
    /// An upstream stream being relayed.
    Stream(Box<Relay>),
}

impl ReplyBody {
    /// A whole body.
    pub fn full(bytes: impl Into<Bytes>) -> ReplyBody {
        ReplyBody::Full(Some(bytes.into()))
    }
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            ReplyBody::Full(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
            ReplyBody::Stream(relay) => relay.poll_next(cx).map(|b| b.map(|b| Ok(Frame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        matches!(self, ReplyBody::Full(None))
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            ReplyBody::Full(Some(b)) => SizeHint::with_exact(b.len() as u64),
            ReplyBody::Full(None) => SizeHint::with_exact(0),
            ReplyBody::Stream(_) => SizeHint::default(),
        }
    }
}

/// What the end of a stream is reported with.
pub(crate) struct StreamEnd {
    pub(crate) gateway: Arc<Gateway>,
    pub(crate) record: AccessRecord,
    pub(crate) chain: Vec<String>,
    pub(crate) attempt: usize,
    pub(crate) rule: String,
    pub(crate) status: u16,
    /// When the attempt was sent.
    pub(crate) sent: Instant,
    /// The request's hold on the spend ledger, settled at the end.
    pub(crate) hold: Option<crate::budget::Hold>,
}

/// An upstream stream being relayed.
pub struct Relay {
    upstream: Incoming,
    idle_timeout: Duration,
    idle: Pin<Box<Sleep>>,
    deadline: Pin<Box<Sleep>>,
    tail: Vec<u8>,
    end: Option<StreamEnd>,
    /// The concurrency slot, released with the relay.
    slot: Option<Slot>,
}

impl Relay {
    pub(crate) fn new(
        upstream: Incoming,
        idle_timeout: Duration,
        deadline: Instant,
        end: StreamEnd,
    ) -> Relay {
        Relay {
            upstream,
            idle_timeout,
            idle: Box::pin(tokio::time::sleep(idle_timeout)),
            deadline: Box::pin(tokio::time::sleep_until(deadline)),
            tail: Vec::new(),
            end: Some(end),
            slot: None,
        }
    }

    /// Keeps the request's concurrency slot until the stream ends.
    pub(crate) fn hold(&mut self, slot: Slot) {
        self.slot = Some(slot);
    }

    fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Bytes>> {
        if self.end.is_none() {
            return Poll::Ready(None);
        }
        loop {
            match Pin::new(&mut self.upstream).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    let Ok(data) = frame.into_data() else {
                        continue; // trailers: not relayed
                    };
                    let next = Instant::now() + self.idle_timeout;
                    self.idle.as_mut().reset(next);
                    self.keep_tail(&data);
                    return Poll::Ready(Some(data));
                }
                Poll::Ready(None) => {
                    self.finish("complete");
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Err(e))) => {
                    return Poll::Ready(Some(
                        self.fail("broken", &format!("the upstream stream broke: {e}")),
                    ));
                }
                Poll::Pending => break,
            }
        }
        if self.deadline.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(self.fail(
                "total_timeout",
                "the upstream stream took longer than timeouts.total",
            )));
        }
        if self.idle.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(self.fail(
                "idle_timeout",
                "the upstream stream was idle longer than timeouts.idle_stream",
            )));
        }
        Poll::Pending
    }

    fn keep_tail(&mut self, data: &[u8]) {
        self.tail.extend_from_slice(data);
        if self.tail.len() > STREAM_TAIL_BYTES {
            let cut = self.tail.len() - STREAM_TAIL_BYTES;
            self.tail.drain(..cut);
        }
    }

    /// Ends the stream with an in-band error event (the way OpenRouter
    /// reports errors once the stream has begun: no fallback is possible
    /// after the first byte).
    fn fail(&mut self, how: &'static str, message: &str) -> Bytes {
        self.finish(how);
        let event = json!({ "error": { "code": 502, "message": message } });
        Bytes::from(format!("data: {event}\n\n"))
    }

    /// Reports the end once: health, metrics, access log.
    fn finish(&mut self, how: &'static str) {
        if let Some(end) = self.end.take() {
            let tail = std::mem::take(&mut self.tail);
            let gateway = Arc::clone(&end.gateway);
            gateway.stream_ended(end, &tail, how);
        }
        self.slot = None;
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        // Dropped before its end: the client went away.
        self.finish(crate::gateway::CLIENT_DISCONNECTED);
    }
}
