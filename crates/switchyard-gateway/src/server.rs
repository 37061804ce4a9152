//! Accepting connections: one serving thread per core, each with its own
//! single-threaded tokio runtime, its own listening socket on the shared
//! address (`SO_REUSEPORT`: the kernel spreads connections over them) and
//! its own upstream connection pool, so a request never hops between
//! threads. The state (ruleset, settings, health, metrics) is shared.
//! Each thread also keeps a timer armed a second ahead ([`pacemaker`]), so
//! that arming a request's timeouts does not wake its own I/O driver.
//!
//! Stopping: on SIGTERM or SIGINT every listener closes, idle connections
//! close, in-flight requests (streams included) get up to
//! `timeouts.shutdown` to finish, and the process exits 0.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::watch;

use crate::client::UpstreamClient;
use crate::gateway::Gateway;

/// How long a client may take to send a request's head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Listening sockets bound to one address, not yet listening.
pub(crate) struct Sockets {
    sockets: Vec<TcpSocket>,
    /// The address bound (with the port picked for port 0).
    pub(crate) addr: SocketAddr,
}

/// Binds `count` sockets (one where `SO_REUSEPORT` is not available) to
/// `listen`.
pub(crate) fn bind(listen: &str, count: usize) -> io::Result<Sockets> {
    let mut addr = listen.to_socket_addrs()?.next().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            "the name resolves to no address",
        )
    })?;
    let count = if cfg!(unix) { count.max(1) } else { 1 };
    let mut sockets = Vec::with_capacity(count);
    for _ in 0..count {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        #[cfg(unix)]
        socket.set_reuseport(true)?;
        socket.bind(addr)?;
        addr = socket.local_addr()?;
        sockets.push(socket);
    }
    Ok(Sockets { sockets, addr })
}

/// The serving threads, running until told to stop.
pub(crate) struct Serving {
    threads: Vec<JoinHandle<()>>,
    stop: watch::Sender<bool>,
}

/// Starts a serving thread per socket, each with one of `clients`, and
/// waits until every one listens.
pub(crate) fn start(
    gateway: &Arc<Gateway>,
    sockets: Sockets,
    clients: Vec<UpstreamClient>,
) -> io::Result<Serving> {
    let (stop, stopped) = watch::channel(false);
    let (ready_tx, ready) = mpsc::channel::<io::Result<()>>();
    let mut threads = Vec::new();
    for (n, (socket, client)) in sockets.sockets.into_iter().zip(clients).enumerate() {
        let (gateway, mut stopped, ready) =
            (Arc::clone(gateway), stopped.clone(), ready_tx.clone());
        let thread = std::thread::Builder::new()
            .name(format!("serve-{n}"))
            .spawn(move || {
                crate::log::defer_on_this_thread();
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    // Access lines are written when there is nothing to
                    // answer (see `log/mod.rs`).
                    .on_thread_park(crate::log::flush_when_due)
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let listener = match socket.listen(1024) {
                        Ok(l) => l,
                        Err(e) => {
                            let _ = ready.send(Err(e));
                            return;
                        }
                    };
                    let _ = ready.send(Ok(()));
                    let client = Arc::new(client);
                    tokio::spawn(pacemaker(Arc::clone(&client)));
                    let stop = async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    };
                    accept(gateway, client, listener, stop).await;
                });
                // Streams cut at the shutdown bound may leave tasks behind.
                runtime.shutdown_background();
                crate::log::flush();
            })?;
        threads.push(thread);
    }
    drop(ready_tx);
    let count = threads.len();
    let serving = Serving { threads, stop };
    for _ in 0..count {
        // A thread that ended without a word failed to start.
        let started = ready
            .recv()
            .unwrap_or_else(|_| Err(io::Error::other("a serving thread ended before listening")));
        if let Err(e) = started {
            serving.stop();
            return Err(e);
        }
    }
    Ok(serving)
}

impl Serving {
    /// Stops accepting, and returns once every thread has drained.
    pub(crate) fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.threads {
            let _ = t.join();
        }
    }
}

/// How often a serving thread's [`pacemaker`] timer fires: sooner than
/// any request's timeout (the shortest by default is the 10 s connect
/// timeout). It also bounds how long an access line waits (`log/mod.rs`).
const PACE: Duration = Duration::from_secs(1);

/// Keeps a timer armed at most [`PACE`] ahead on the serving thread.
///
/// Tokio's time driver wakes its own I/O driver (a write to its eventfd,
/// then one more `epoll_wait`) whenever a timer is registered with a
/// deadline sooner than the one it last computed, even from the runtime's
/// own thread while it is polling tasks (tokio-rs/tokio#5207). Between two
/// requests no timer is left, so the first timeout of every request (the
/// header read timeout, the upstream's first byte) paid those two system
/// calls. With this timer always sooner, registering a request's timeouts
/// wakes nothing; it costs one wake-up a second when idle, which also
/// writes the access lines waiting and closes the upstream connections
/// idle too long.
async fn pacemaker(client: Arc<UpstreamClient>) {
    loop {
        tokio::time::sleep(PACE).await;
        client.close_idle();
    }
}

/// Serves connections until `shutdown`, then drains them within
/// `timeouts.shutdown`.
async fn accept(
    gateway: Arc<Gateway>,
    client: Arc<UpstreamClient>,
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
                serve_connection(&gateway, &client, &graceful, stream, peer);
            }
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    let drain = gateway.settings.load().config.timeouts.shutdown();
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(drain) => {
            tracing::warn!("timeouts.shutdown passed with requests still in flight: stopping them");
        }
    }
}

fn serve_connection(
    gateway: &Arc<Gateway>,
    client: &Arc<UpstreamClient>,
    graceful: &GracefulShutdown,
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
) {
    let _ = stream.set_nodelay(true);
    let (gateway, client) = (Arc::clone(gateway), Arc::clone(client));
    let service =
        service_fn(move |request| Arc::clone(&gateway).handle(Arc::clone(&client), request));
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        // No `half_close`: a client that closes the connection while its
        // request is answered (end of file, as nginx takes it) has the
        // request dropped, and with it the upstream call. (A body cut
        // short by the end of file is still answered: 400.)
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
