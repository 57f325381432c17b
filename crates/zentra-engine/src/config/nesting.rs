//! How deeply HCL may nest, checked before parsing: the parser and the evaluator recurse once
//! per level of brackets, blocks and string templates, so text nested thousands of levels deep
//! would overflow the stack. Such text is refused where it first goes too deep, with a clear
//! error, instead; real configurations nest a handful of levels.

/// The deepest nesting accepted: blocks, `[ ]`, `{ }`, `( )`, strings and `${ }` / `%{ }`
/// template sequences each count one level.
pub const MAX_NESTING: usize = 64;

/// Where text first nests deeper than [`MAX_NESTING`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TooDeep {
    /// 1-based line and column (in characters).
    pub line: usize,
    pub column: usize,
    /// The line's text, for the diagnostic.
    pub line_text: String,
}

impl TooDeep {
    pub fn message(&self) -> String {
        format!("nested more than {MAX_NESTING} levels deep")
    }

    pub const HINT: &'static str = "flatten the expression (a `local` can hold a part of it); \
                                    zentra refuses deeper nesting rather than risk running out \
                                    of stack";
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level<'a> {
    /// Inside `{`, `[` or `(` (or at a template sequence `${`/`%{`, closed by `}`).
    Code,
    /// Inside a quoted string.
    Quoted,
    /// Inside a heredoc ending at a line holding only this marker.
    Heredoc(&'a str),
}

/// Checks that `text` nests at most [`MAX_NESTING`] levels deep. Comments are skipped, and
/// brackets inside strings do not count (template sequences in them do). Unbalanced brackets
/// are left for the parser to report.
pub fn check(text: &str) -> Result<(), TooDeep> {
    let bytes = text.as_bytes();
    let mut stack: Vec<Level> = Vec::new();
    let mut i = 0;
    let at_line_start = |i: usize| i == 0 || bytes[i - 1] == b'\n';
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        match stack.last().copied() {
            None | Some(Level::Code) => match b {
                b'#' => i = skip_line(bytes, i),
                b'/' if next == Some(b'/') => i = skip_line(bytes, i),
                b'/' if next == Some(b'*') => {
                    i = text[i + 2..]
                        .find("*/")
                        .map_or(bytes.len(), |n| i + 2 + n + 2);
                }
                b'"' => {
                    push(text, &mut stack, Level::Quoted, i)?;
                    i += 1;
                }
                b'{' | b'[' | b'(' => {
                    push(text, &mut stack, Level::Code, i)?;
                    i += 1;
                }
                b'}' | b']' | b')' => {
                    stack.pop();
                    i += 1;
                }
                b'<' if next == Some(b'<') => match heredoc_marker(text, i + 2) {
                    Some((marker, body_start)) => {
                        push(text, &mut stack, Level::Heredoc(marker), i)?;
                        i = body_start;
                    }
                    None => i += 2,
                },
                _ => i += 1,
            },
            Some(Level::Quoted) => match b {
                b'\\' => i += 2,
                b'"' => {
                    stack.pop();
                    i += 1;
                }
                b'\n' => {
                    // An unterminated string: the parser says so.
                    stack.pop();
                    i += 1;
                }
                _ => i = template_step(text, i, &mut stack)?,
            },
            Some(Level::Heredoc(marker)) => {
                if at_line_start(i) {
                    let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                    if text[i..end].trim() == marker {
                        stack.pop();
                        i = end;
                        continue;
                    }
                }
                i = template_step(text, i, &mut stack)?;
            }
        }
    }
    Ok(())
}

/// Enters one more level at `at`, unless that is too deep.
fn push<'a>(
    text: &str,
    stack: &mut Vec<Level<'a>>,
    level: Level<'a>,
    at: usize,
) -> Result<(), TooDeep> {
    if stack.len() >= MAX_NESTING {
        return Err(too_deep(text, at));
    }
    stack.push(level);
    Ok(())
}

fn too_deep(text: &str, at: usize) -> TooDeep {
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let line_end = text[at..].find('\n').map_or(text.len(), |n| at + n);
    TooDeep {
        line: text[..at].matches('\n').count() + 1,
        column: text[line_start..at].chars().count() + 1,
        line_text: text[line_start..line_end].to_string(),
    }
}

/// One step inside a string or heredoc: `$${` and `%%{` are escapes, `${` and `%{` open a
/// template sequence. Returns where to go on.
fn template_step<'a>(
    text: &'a str,
    i: usize,
    stack: &mut Vec<Level<'a>>,
) -> Result<usize, TooDeep> {
    let rest = &text.as_bytes()[i..];
    if rest.starts_with(b"$${") || rest.starts_with(b"%%{") {
        return Ok(i + 3);
    }
    if rest.starts_with(b"${") || rest.starts_with(b"%{") {
        push(text, stack, Level::Code, i)?;
        return Ok(i + 2);
    }
    Ok(i + 1)
}

fn skip_line(bytes: &[u8], i: usize) -> usize {
    bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |n| i + n)
}

/// After `<<`: an optional `-`, an identifier and the end of the line. Returns the marker and
/// where the heredoc's body starts.
fn heredoc_marker(text: &str, start: usize) -> Option<(&str, usize)> {
    let rest = &text[start..];
    let rest_start = start + usize::from(rest.starts_with('-'));
    let line_end = text[rest_start..].find('\n').map(|n| rest_start + n)?;
    let marker = text[rest_start..line_end].trim_end_matches('\r');
    let mut chars = marker.chars();
    let first = chars.next()?;
    if !(first.is_ascii_alphabetic() || first == '_')
        || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    Some((marker, line_end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("a = {}1{}\n", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn nesting_up_to_the_limit_is_accepted_and_one_more_level_is_refused_where_it_is() {
        assert_eq!(check(&nested(MAX_NESTING)), Ok(()));
        let err = check(&format!("x = 1\n{}", nested(MAX_NESTING + 1))).unwrap_err();
        assert_eq!((err.line, err.column), (2, 4 + MAX_NESTING + 1));
        assert!(err.line_text.starts_with("a = [[["));
        assert_eq!(err.message(), "nested more than 64 levels deep");
    }

    #[test]
    fn brackets_in_strings_and_comments_do_not_count_but_template_sequences_do() {
        let closers = format!("a = \"{}\"\n", "}]".repeat(500));
        assert_eq!(check(&closers), Ok(()));
        assert_eq!(check(&format!("# {}\n", "[".repeat(500))), Ok(()));
        assert_eq!(check(&format!("/* {} */\n", "{".repeat(500))), Ok(()));
        assert_eq!(check(&format!("a = \"$${{{}\"\n", "[".repeat(500))), Ok(()));
        // A closer inside a string does not let deeper nesting through.
        let sneaky = format!(
            "a = {}\"{}\"{}1\n",
            "[".repeat(40),
            "]".repeat(40),
            "[".repeat(40)
        );
        assert!(check(&sneaky).is_err());
        // `"${"${"${...}"}"}"`: each string and each sequence is a level.
        let templates = format!("a = {}x{}\n", "\"${".repeat(40), "}\"".repeat(40));
        assert!(check(&templates).is_err());
        let heredoc = format!("a = <<EOT\n{}\nEOT\n", "${[".repeat(40));
        assert!(check(&heredoc).is_err());
        let plain_heredoc = format!("a = <<-EOT\n  {}\n  EOT\nb = [1]\n", "[".repeat(500));
        assert_eq!(check(&plain_heredoc), Ok(()));
    }

    #[test]
    fn the_parser_handles_the_deepest_nesting_allowed() {
        // On a thread with the test harness's default stack.
        let text = nested(MAX_NESTING);
        let parsed = std::thread::spawn(move || text.parse::<hcl::edit::structure::Body>().is_ok())
            .join()
            .unwrap();
        assert!(parsed);
        let blocks = format!(
            "{}{}",
            "b {\n".repeat(MAX_NESTING),
            "}\n".repeat(MAX_NESTING)
        );
        assert_eq!(check(&blocks), Ok(()));
        let parsed =
            std::thread::spawn(move || blocks.parse::<hcl::edit::structure::Body>().is_ok())
                .join()
                .unwrap();
        assert!(parsed);
    }
}
