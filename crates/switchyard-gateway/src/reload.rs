//! Hot reload of the configuration file (client keys, timeouts, limits on
//! body size and concurrency, attribution, prompt logging) and of the
//! catalog, without a restart. The files are read every half second and on SIGHUP; a file
//! whose bytes changed is parsed and, when valid, swapped in whole with
//! `arc-swap`, so a request sees the old settings or the new ones, never
//! a mix. An invalid file keeps the previous settings serving, is logged,
//! and is shown by `GET /readyz` until a valid one replaces it. (The
//! ruleset follows its own files through [`switchyard::LiveRuleset`].)

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use switchyard::openrouter::ApiKey;
use switchyard::Catalog;

use crate::config::Config;
use crate::gateway::Gateway;
use crate::routing::Routing;
use crate::settings::Settings;

/// How often the files are read.
const POLL: Duration = Duration::from_millis(500);

/// The files to follow and their last contents.
pub(crate) struct Watched {
    pub(crate) rules: PathBuf,
    pub(crate) config: Option<(PathBuf, Vec<u8>)>,
    pub(crate) catalog: Option<(PathBuf, Vec<u8>)>,
    pub(crate) api_key: ApiKey,
}

/// Follows the files until the runtime stops.
pub(crate) async fn follow(gateway: Arc<Gateway>, mut watched: Watched) {
    #[cfg(unix)]
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup()).ok();
    loop {
        #[cfg(unix)]
        {
            let signal = async {
                match hangup.as_mut() {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = signal => {
                    tracing::info!("SIGHUP: reading the configuration, catalog and ruleset");
                    let _ = gateway.routing.load().live.reload_now();
                }
            }
        }
        #[cfg(not(unix))]
        tokio::time::sleep(POLL).await;
        check(&gateway, &mut watched);
    }
}

/// Reloads what changed.
fn check(gateway: &Gateway, watched: &mut Watched) {
    let mut errors = Vec::new();
    let mut any = false;
    if let Some((path, last)) = &mut watched.config {
        if let Some(text) = changed(path, last) {
            any = true;
            match Config::from_toml(&text)
                .map_err(|e| e.to_string())
                .and_then(|c| Settings::new(c, &watched.api_key).map_err(|e| e.to_string()))
            {
                Ok(mut settings) => {
                    settings.carry_slots(&gateway.settings.load());
                    let keys = settings.config.keys.len();
                    gateway.settings.store(Arc::new(settings));
                    gateway.metrics.reload("config", true);
                    tracing::info!(keys, "configuration reloaded");
                }
                Err(e) => {
                    gateway.metrics.reload("config", false);
                    errors.push(format!("{}: {e}", path.display()));
                }
            }
        }
    }
    if let Some((path, last)) = &mut watched.catalog {
        if let Some(text) = changed(path, last) {
            any = true;
            let routing = Catalog::from_json_str(&text)
                .map_err(|e| e.to_string())
                .and_then(|c| {
                    let previous = gateway.routing.load();
                    Routing::watch(
                        &watched.rules,
                        Some(Arc::new(c)),
                        Arc::clone(&gateway.metrics),
                        Some(&previous),
                    )
                    .map_err(|e| format!("the ruleset with the new catalog: {e}"))
                });
            match routing {
                Ok(routing) => {
                    gateway.routing.store(Arc::new(routing));
                    tracing::info!("catalog reloaded");
                }
                Err(e) => errors.push(format!("{}: {e}", path.display())),
            }
        }
    }
    if !any {
        return;
    }
    let error = (!errors.is_empty()).then(|| errors.join("; "));
    if let Some(text) = &error {
        tracing::error!("reload failed, the previous settings keep serving: {text}");
    }
    if let Ok(mut slot) = gateway.reload_error.lock() {
        *slot = error;
    }
}

/// The file's text when its bytes differ from `last` (which is updated);
/// `None` when unchanged or unreadable (a file being replaced).
fn changed(path: &Path, last: &mut Vec<u8>) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    if bytes == *last {
        return None;
    }
    last.clone_from(&bytes);
    Some(String::from_utf8_lossy(&bytes).into_owned())
}
