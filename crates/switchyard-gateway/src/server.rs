//! Accepting connections, and stopping: on SIGTERM or SIGINT the listener
//! closes, idle connections close, in-flight requests (streams included)
//! get up to `timeouts.shutdown` to finish, and the process exits 0.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::gateway::Gateway;

/// How long a client may take to send a request's head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Serves connections until a shutdown signal, then drains them within
/// `drain`.
pub(crate) async fn accept(
    gateway: Arc<Gateway>,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(e) => {
                        // Out of file descriptors, say: wait rather than spin.
                        tracing::warn!("accepting a connection failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                serve_connection(&gateway, &graceful, stream, peer);
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    let drain = gateway.settings.load().config.timeouts.shutdown();
    tracing::info!(
        seconds = drain.as_secs_f64(),
        "shutting down: no new connections; finishing the requests in flight"
    );
    tokio::select! {
        () = graceful.shutdown() => tracing::info!("every connection closed"),
        () = tokio::time::sleep(drain) => {
            tracing::warn!("timeouts.shutdown passed with requests still in flight: stopping them");
        }
    }
}

fn serve_connection(
    gateway: &Arc<Gateway>,
    graceful: &GracefulShutdown,
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
) {
    let _ = stream.set_nodelay(true);
    let gateway = Arc::clone(gateway);
    let service = service_fn(move |request| Arc::clone(&gateway).handle(request));
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        // A client that closes its writing half after the request still
        // gets the answer (and a truncated body gets a 400).
        .half_close(true)
        .serve_connection(TokioIo::new(stream), service);
    let connection = graceful.watch(connection);
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(%peer, "connection ended: {e}");
        }
    });
}

/// Resolves on SIGTERM or SIGINT.
pub(crate) async fn signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM"),
                    _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT"),
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
