//! Source files of a ruleset: one `.route` (or `.json`) file, or every
//! `.route` and `.route.json` file of a folder taken in file-name order.

use std::path::{Path, PathBuf};

use crate::span::{FileId, LineCol, LineIndex, Span};

/// Whether a folder's file belongs to its ruleset: `NAME.route`, or
/// `NAME.route.json` for a ruleset in JSON (a folder's other `.json` files,
/// a model catalog say, are not rules).
pub fn is_ruleset_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.ends_with(".route") || name.ends_with(".route.json")
}

/// One source file's name and text.
#[derive(Clone, Debug)]
pub struct SourceFile {
    name: String,
    text: String,
    /// Offset of the first byte that is not valid UTF-8, if any (the text
    /// then holds a lossy copy, for rendering only).
    invalid_utf8_at: Option<usize>,
    byte_len: usize,
    lines: LineIndex,
}

impl SourceFile {
    /// The name shown in diagnostics (the path as given).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The text. For a file that is not valid UTF-8 this is a lossy copy.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The byte offset of the first invalid UTF-8 byte, if any.
    pub fn invalid_utf8_at(&self) -> Option<usize> {
        self.invalid_utf8_at
    }

    /// Size of the file as read, in bytes.
    pub fn byte_len(&self) -> usize {
        self.byte_len
    }

    /// Line and column of a byte offset.
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines.line_col(&self.text, offset)
    }

    /// The line index of the text.
    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }
}

/// The files of one ruleset, addressed by [`FileId`].
///
/// ```
/// use switchyard_syntax::SourceMap;
/// let mut sources = SourceMap::new();
/// let id = sources.add("inline.route", "rule a: otherwise -> m");
/// assert_eq!(sources.file(id).unwrap().name(), "inline.route");
/// ```
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

/// Reading a ruleset from disk failed before any text could be parsed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The path could not be read.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A folder held no `.route` (or `.route.json`) file.
    #[error("no `.route` or `.route.json` files in `{path}`")]
    EmptyFolder {
        /// The folder.
        path: PathBuf,
    },
}

impl SourceMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file from text and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<String>) -> FileId {
        let text = text.into();
        let byte_len = text.len();
        self.push(name.into(), text, None, byte_len)
    }

    /// Adds a file from raw bytes. Bytes that are not UTF-8 are kept as a
    /// lossy copy for rendering, and the parser reports them (E001).
    pub fn add_bytes(&mut self, name: impl Into<String>, bytes: Vec<u8>) -> FileId {
        let byte_len = bytes.len();
        match String::from_utf8(bytes) {
            Ok(text) => self.push(name.into(), text, None, byte_len),
            Err(err) => {
                let at = err.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
                self.push(name.into(), text, Some(at), byte_len)
            }
        }
    }

    fn push(
        &mut self,
        name: String,
        text: String,
        invalid_utf8_at: Option<usize>,
        byte_len: usize,
    ) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        let lines = LineIndex::new(&text);
        self.files.push(SourceFile {
            name,
            text,
            invalid_utf8_at,
            byte_len,
            lines,
        });
        id
    }

    /// Reads a ruleset: `path` is one file, or a folder whose `.route` files
    /// (not recursing) are read in file-name order. Files larger than
    /// `max_file_bytes` are not read whole: the parser reports E013 for them.
    pub fn load(path: &Path, max_file_bytes: usize) -> Result<SourceMap, LoadError> {
        let mut map = SourceMap::new();
        map.load_into(path, max_file_bytes)?;
        Ok(map)
    }

    /// Like [`SourceMap::load`], adding to this map.
    pub fn load_into(&mut self, path: &Path, max_file_bytes: usize) -> Result<(), LoadError> {
        let io = |source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if meta.is_dir() {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(path).map_err(io)? {
                let entry = entry.map_err(io)?;
                let p = entry.path();
                if is_ruleset_file(&p) && p.is_file() {
                    files.push(p);
                }
            }
            if files.is_empty() {
                return Err(LoadError::EmptyFolder {
                    path: path.to_path_buf(),
                });
            }
            files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
            for file in files {
                self.load_file(&file, max_file_bytes)?;
            }
            Ok(())
        } else {
            self.load_file(path, max_file_bytes).map(|_| ())
        }
    }

    fn load_file(&mut self, path: &Path, max_file_bytes: usize) -> Result<FileId, LoadError> {
        use std::io::Read;
        let io = |source| LoadError::Io {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::File::open(path).map_err(io)?;
        // Read one byte past the limit, so an oversized file is recognised
        // without reading all of it.
        let cap = u64::try_from(max_file_bytes)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let mut bytes = Vec::new();
        file.take(cap).read_to_end(&mut bytes).map_err(io)?;
        let name = path.display().to_string();
        if bytes.len() > max_file_bytes {
            let id = self.add(name, String::new());
            if let Some(f) = self.files.last_mut() {
                f.byte_len = bytes.len();
            }
            return Ok(id);
        }
        Ok(self.add_bytes(name, bytes))
    }

    /// The file with this id.
    pub fn file(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    /// All files with their ids, in order.
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(u32::try_from(i).unwrap_or(u32::MAX)), f))
    }

    /// The text a span covers ("" if out of range).
    pub fn snippet(&self, span: Span) -> &str {
        self.file(span.file)
            .and_then(|f| f.text.get(span.range()))
            .unwrap_or("")
    }

    /// The file name and start/end line and column of a span.
    pub fn locate(&self, span: Span) -> Option<(&str, LineCol, LineCol)> {
        let f = self.file(span.file)?;
        Some((
            f.name(),
            f.line_col(span.start as usize),
            f.line_col(span.end as usize),
        ))
    }
}
