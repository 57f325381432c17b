//! Diagnostics: problems found in configuration (or reported by an API), each with a location
//! (file:line:column), what is wrong and what to do. Collected, not thrown, so one run reports
//! every configuration error at once.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

/// One loaded configuration file.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as shown to the user (relative to the working directory where possible).
    pub display_path: String,
    pub path: PathBuf,
    pub text: String,
}

/// Every loaded file, indexed by [`FileId`].
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<Arc<SourceFile>>,
}

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub usize);

/// A byte range in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    pub file: FileId,
    pub range: Range<usize>,
}

impl Span {
    pub fn new(file: FileId, range: Option<Range<usize>>) -> Option<Span> {
        range.map(|range| Span { file, range })
    }
}

/// A resolved position: what the user sees.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    /// The source line, for a snippet.
    #[serde(skip)]
    pub line_text: String,
    /// How many characters of the line the span covers (at least 1).
    #[serde(skip)]
    pub width: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(Arc::new(file));
        FileId(self.files.len() - 1)
    }

    pub fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id.0]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i), f.as_ref()))
    }

    /// Line and column (1-based, columns in characters) of a span's start.
    pub fn locate(&self, span: &Span) -> Location {
        let file = self.file(span.file);
        locate_in(&file.display_path, &file.text, span.range.clone())
    }
}

/// Resolves a byte range in `text` to a [`Location`].
pub fn locate_in(display_path: &str, text: &str, range: Range<usize>) -> Location {
    let start = range.start.min(text.len());
    let before = &text[..floor_char_boundary(text, start)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line_text = text[line_start..line_end]
        .trim_end_matches('\r')
        .to_string();
    let end = floor_char_boundary(text, range.end.min(line_end).max(start));
    let width = text[floor_char_boundary(text, start)..end]
        .chars()
        .count()
        .max(1);
    Location {
        file: display_path.to_string(),
        line,
        column,
        line_text,
        width,
    }
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem, with where it is and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// What is wrong, in one line.
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Box<Location>>,
    /// More explanation, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// What the user can do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            location: None,
            detail: None,
            hint: None,
        }
    }

    pub fn warning(summary: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary)
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(Box::new(location));
        self
    }

    /// Places the diagnostic at `span`, if known.
    pub fn at_span(mut self, sources: &SourceMap, span: Option<&Span>) -> Self {
        if let Some(span) = span.filter(|s| s.file.0 < sources.files.len()) {
            self.location = Some(Box::new(sources.locate(span)));
        }
        self
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(loc) = &self.location {
            write!(f, "{loc}: ")?;
        }
        write!(f, "{}", self.summary)
    }
}

/// A collection of diagnostics; an `Err` carrying these means "stop, show them".
#[derive(Clone, Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds `d`, unless the very same problem is already there (an expression shared by
    /// several blocks fails once per block).
    pub fn push(&mut self, d: Diagnostic) {
        if !self.0.contains(&d) {
            self.0.push(d);
        }
    }

    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.0 {
            self.push(d);
        }
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.severity == Severity::Error)
    }

    /// `Err(self)` when any error was collected.
    pub fn into_result(self) -> Result<Diagnostics, Diagnostics> {
        if self.has_errors() {
            Err(self)
        } else {
            Ok(self)
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// The closest candidate to `name` (edit distance), for "did you mean" hints.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_one_based_and_count_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        let loc = locate_in("f.zen.hcl", text, 11..14);
        assert_eq!((loc.line, loc.column), (2, 5));
        assert_eq!(loc.line_text, "bé = \"x\"");
        assert_eq!(loc.to_string(), "f.zen.hcl:2:5");
    }

    #[test]
    fn suggestions_pick_close_names() {
        assert_eq!(
            did_you_mean("enabel", ["enable", "domains"]),
            Some("enable")
        );
        assert_eq!(did_you_mean("zzz", ["enable", "domains"]), None);
    }
}
