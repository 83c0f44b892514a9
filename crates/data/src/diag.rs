//! Diagnostics: errors and warnings about user input, located at a file, line, column and key,
//! with a message and a help text in both Chinese and English.

use std::fmt;
use std::ops::Range;

use baydex_core::{Lang, Text};

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The project cannot be used until this is fixed.
    Error,
    /// Worth knowing; the project is still used.
    Warning,
}

/// One problem found in the user's input, located as precisely as possible.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, as shown to the user.
    pub file: String,
    /// 1-based line (for spreadsheets: the row number).
    pub line: Option<usize>,
    /// 1-based column, counted in characters (for spreadsheets: the column number).
    pub column: Option<usize>,
    /// The key or cell the problem is about: `indicator[3].weight` (arrays of tables are
    /// numbered from 1 in file order), a spreadsheet cell such as `C7`, or a CSV column name.
    pub key: Option<String>,
    /// What is wrong.
    pub message: Text,
    /// How to fix it (may be empty).
    pub help: Text,
}

impl Diagnostic {
    /// An error about `file`, not yet located within it.
    pub fn error(file: impl Into<String>, message: Text, help: Text) -> Self {
        Diagnostic { severity: Severity::Error, file: file.into(), line: None, column: None, key: None, message, help }
    }

    /// A warning about `file`, not yet located within it.
    pub fn warning(file: impl Into<String>, message: Text, help: Text) -> Self {
        Diagnostic { severity: Severity::Warning, ..Diagnostic::error(file, message, help) }
    }

    /// Sets the 1-based line and column.
    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line);
        self.column = Some(column);
        self
    }

    /// Sets the key or cell.
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column [key]` (the parts that are known).
    pub fn location(&self) -> String {
        let mut s = self.file.clone();
        if let Some(l) = self.line {
            s.push_str(&format!(":{l}"));
            if let Some(c) = self.column {
                s.push_str(&format!(":{c}"));
            }
        }
        if let Some(k) = &self.key {
            s.push_str(&format!(" [{k}]"));
        }
        s
    }

    /// Renders the diagnostic in `lang`: `error: file:line:column [key]: message` and, when
    /// there is one, an indented `help:` line.
    pub fn render(&self, lang: Lang) -> String {
        let (label, sep, help_label) = match (lang, self.severity) {
            (Lang::En, Severity::Error) => ("error: ", ": ", "help: "),
            (Lang::En, Severity::Warning) => ("warning: ", ": ", "help: "),
            (Lang::Zh, Severity::Error) => ("错误：", "：", "提示："),
            (Lang::Zh, Severity::Warning) => ("警告：", "：", "提示："),
        };
        let mut s = format!("{label}{}{sep}{}", self.location(), self.message.get(lang));
        let help = self.help.get(lang);
        if !help.is_empty() {
            s.push_str("\n  ");
            s.push_str(help_label);
            s.push_str(help);
        }
        s
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl std::error::Error for Diagnostic {}

/// Every problem found while loading a project (errors and warnings), in file and line order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Number of errors (warnings not counted).
    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    /// Renders every diagnostic in `lang`, each ending with a newline (ready for `eprint!`).
    /// Callers add their own summary line if they want one (see [`Diagnostics::error_count`]).
    pub fn render(&self, lang: Lang) -> String {
        let mut s = String::new();
        for d in &self.0 {
            s.push_str(&d.render(lang));
            s.push('\n');
        }
        s
    }

    /// Sorts the diagnostics by file (in the order of `files`, then by first appearance) and
    /// then by line and column, keeping the order of diagnostics at the same place.
    pub(crate) fn sort(&mut self, files: &[String]) {
        let mut order: Vec<String> = files.to_vec();
        for d in &self.0 {
            if !order.contains(&d.file) {
                order.push(d.file.clone());
            }
        }
        self.0.sort_by_key(|d| {
            (order.iter().position(|f| *f == d.file).unwrap_or(usize::MAX), d.line.unwrap_or(0), d.column.unwrap_or(0))
        });
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d])
    }
}

/// Maps byte offsets of a text to 1-based line and character column.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex<'s> {
    text: &'s str,
    starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    pub(crate) fn new(text: &'s str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.bytes().enumerate().filter(|(_, b)| *b == b'\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// 1-based (line, column) of a byte offset; the column counts characters.
    pub(crate) fn locate(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let col = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        (line, col)
    }

    /// The source text of a span (empty when out of range).
    pub(crate) fn slice(&self, span: Range<usize>) -> &'s str {
        self.text.get(span).unwrap_or("")
    }
}

/// Where a diagnostic points to; turned into a [`Diagnostic`] once the message is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Location {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub key: Option<String>,
}

impl Location {
    pub(crate) fn file(file: &str) -> Self {
        Location { file: file.to_string(), line: None, column: None, key: None }
    }

    pub(crate) fn error(&self, message: Text, help: Text) -> Diagnostic {
        self.make(Severity::Error, message, help)
    }

    pub(crate) fn warning(&self, message: Text, help: Text) -> Diagnostic {
        self.make(Severity::Warning, message, help)
    }

    fn make(&self, severity: Severity, message: Text, help: Text) -> Diagnostic {
        Diagnostic {
            severity,
            file: self.file.clone(),
            line: self.line,
            column: self.column,
            key: self.key.clone(),
            message,
            help,
        }
    }

    /// `file:line:column [key]`, for messages that point to a second place.
    pub(crate) fn describe(&self) -> String {
        self.error(Text::default(), Text::default()).location()
    }
}

/// A bilingual text from an English and a Chinese string.
pub(crate) fn text(en: impl Into<String>, zh: impl Into<String>) -> Text {
    Text::new(en, zh)
}

/// Splits a core error's English message at its first `"; "` into (message, help): the core
/// writes the fix after a semicolon.
pub(crate) fn split_help(s: &str) -> (String, String) {
    match s.split_once("; ") {
        Some((m, h)) => (m.to_string(), h.to_string()),
        None => (s.to_string(), String::new()),
    }
}

/// Up to `max` items joined by ", ", with "…" when there are more.
pub(crate) fn list<S: AsRef<str>>(items: &[S], max: usize) -> String {
    let mut s = items.iter().take(max).map(|x| x.as_ref()).collect::<Vec<_>>().join(", ");
    if items.len() > max {
        s.push_str(&format!(", … ({} in total)", items.len()));
    }
    s
}

/// The candidate closest to `word` by edit distance, if close enough to be a likely typo.
pub(crate) fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    closest_within(word, candidates, (word.chars().count() / 3).max(1))
}

/// The candidate closest to `word`, at most `limit` edits away.
pub(crate) fn closest_within<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and transpositions
/// of adjacent characters (`CMO` → `COM` is one edit) each cost 1.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let idx = LineIndex::new("a = 1\n名字 = \"x\"\n");
        assert_eq!(idx.locate(0), (1, 1));
        assert_eq!(idx.locate(4), (1, 5));
        assert_eq!(idx.locate(6), (2, 1));
        // "名字 = " is 3 + 3 + 3 bytes before the quote: column 6 in characters.
        assert_eq!(idx.locate(6 + 9), (2, 6));
        assert_eq!(idx.locate(1000).0, 3);
    }

    #[test]
    fn render_both_languages() {
        let d = Diagnostic::error("p.toml", text("bad weight", "权重无效"), text("use a number", "请填写数字"))
            .at(14, 10)
            .with_key("indicator[3].weight");
        assert_eq!(d.render(Lang::En), "error: p.toml:14:10 [indicator[3].weight]: bad weight\n  help: use a number");
        assert_eq!(d.render(Lang::Zh), "错误：p.toml:14:10 [indicator[3].weight]：权重无效\n  提示：请填写数字");
        let w = Diagnostic::warning("d.csv", text("w", "警"), Text::default());
        assert_eq!(w.render(Lang::En), "warning: d.csv: w");
    }

    #[test]
    fn typo_suggestions() {
        assert_eq!(closest("wieght", ["weight", "code", "name"]), Some("weight"));
        assert_eq!(closest("zzzzzz", ["weight", "code"]), None);
        assert_eq!(closest("CMO", ["DEI", "COM"]), Some("COM"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
