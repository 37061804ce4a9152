//! The `notify` watches of a target and their upkeep.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, RecursiveMode, Watcher};

use super::worker::Msg;

/// The folders watched for one target (see the module documentation).
pub(super) struct Watches {
    watcher: Option<notify::RecommendedWatcher>,
    /// Set when the watcher could not be created.
    setup_error: Option<String>,
    target: PathBuf,
    is_dir: bool,
    /// Watched folders and the identity (device, inode) they had.
    watched: HashMap<PathBuf, Option<(u64, u64)>>,
    /// Folders where every event counts; in the parent, only events about
    /// one of these count.
    primary: Vec<PathBuf>,
}

impl Watches {
    pub(super) fn new(tx: Option<Sender<Msg>>, target: &Path, is_dir: bool) -> Self {
        let (watcher, setup_error) = match tx {
            None => (None, None),
            Some(tx) => match notify::recommended_watcher(move |res| {
                let _ = tx.send(Msg::Fs(res));
            }) {
                Ok(w) => (Some(w), None),
                Err(e) => (None, Some(format!("cannot watch file events: {e}"))),
            },
        };
        Watches {
            watcher,
            setup_error,
            target: target.to_path_buf(),
            is_dir,
            watched: HashMap::new(),
            primary: Vec::new(),
        }
    }

    /// Places, replaces and removes watches to match the file system now.
    /// Returns why some folder could not be watched, if one could not.
    pub(super) fn ensure(&mut self) -> Option<String> {
        let Some(watcher) = &mut self.watcher else {
            return self.setup_error.clone();
        };
        let main = if self.is_dir {
            Some(self.target.clone())
        } else {
            self.target.parent().map(Path::to_path_buf)
        };
        let main = main?;
        let mut primary = vec![main.clone()];
        if let Ok(real) = fs::canonicalize(&self.target) {
            let real = if self.is_dir {
                Some(real)
            } else {
                real.parent().map(Path::to_path_buf)
            };
            if let Some(real) = real.filter(|r| *r != main) {
                primary.push(real);
            }
        }
        let mut wanted = primary.clone();
        if let Some(parent) = main.parent().filter(|p| !p.as_os_str().is_empty()) {
            wanted.push(parent.to_path_buf());
        }

        let mut error = None;
        for dir in &wanted {
            let meta = fs::metadata(dir).ok().filter(fs::Metadata::is_dir);
            let Some(meta) = meta else {
                if self.watched.remove(dir).is_some() {
                    let _ = watcher.unwatch(dir);
                }
                continue;
            };
            let id = identity(&meta);
            if self.watched.get(dir) == Some(&id) {
                continue;
            }
            if self.watched.remove(dir).is_some() {
                let _ = watcher.unwatch(dir);
            }
            match watcher.watch(dir, RecursiveMode::NonRecursive) {
                Ok(()) => {
                    self.watched.insert(dir.clone(), id);
                }
                Err(e) => {
                    error.get_or_insert_with(|| format!("cannot watch `{}`: {e}", dir.display()));
                }
            }
        }
        let stale: Vec<PathBuf> = self
            .watched
            .keys()
            .filter(|d| !wanted.contains(d))
            .cloned()
            .collect();
        for dir in stale {
            self.watched.remove(&dir);
            let _ = watcher.unwatch(&dir);
        }
        self.primary = primary;
        error
    }

    /// Whether an event may change the ruleset. Reads are not (the
    /// reloader's own reads show up as open and close events).
    pub(super) fn relevant(&self, event: &Event) -> bool {
        if event.need_rescan() {
            return true;
        }
        match event.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {}
            EventKind::Access(_) => return false,
            _ => {}
        }
        event
            .paths
            .iter()
            .any(|p| self.primary.iter().any(|d| p.starts_with(d)))
    }
}

#[cfg(unix)]
fn identity(meta: &fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn identity(_: &fs::Metadata) -> Option<(u64, u64)> {
    None
}
