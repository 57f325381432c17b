//! Cutting HCL text into the tokens the formatter lays out: only the white space between tokens
//! is ever rewritten, so strings, heredocs and comments are single tokens kept byte for byte.

/// What a token is, as far as laying it out needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Newline,
    /// `# ...` or `// ...`, without the line break that ends it.
    LineComment,
    /// `/* ... */`.
    BlockComment,
    Ident,
    Number,
    /// A quoted string, template sequences and all.
    Quoted,
    /// `<<EOT` or `<<-EOT` through its closing marker.
    Heredoc,
    OpenBrace,
    CloseBrace,
    OpenBracket,
    CloseBracket,
    OpenParen,
    CloseParen,
    Comma,
    Dot,
    /// The `:` of an object element written `key: value`.
    Colon,
    /// The `:` of a conditional (`a ? b : c`) or a `for` expression, spaced on both sides.
    SpacedColon,
    Question,
    /// The `=` of an attribute or an object element.
    Equal,
    Minus,
    Bang,
    Ellipsis,
    FatArrow,
    /// Any other operator: `+ * / % == != < <= > >= && ||`.
    Operator,
    /// A character HCL does not know; the parser refused the text before this is reached.
    Other,
}

impl Kind {
    /// +1 for an opening bracket, -1 for a closing one.
    pub fn bracket_change(self) -> i32 {
        match self {
            Kind::OpenBrace | Kind::OpenBracket | Kind::OpenParen => 1,
            Kind::CloseBrace | Kind::CloseBracket | Kind::CloseParen => -1,
            _ => 0,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token<'a> {
    pub kind: Kind,
    pub text: &'a str,
}

impl Token<'_> {
    /// Whether the token runs over more than one line (a heredoc, a block comment, a template
    /// sequence broken over lines).
    pub fn is_multiline(&self) -> bool {
        self.kind != Kind::Newline && self.text.contains('\n')
    }
}

/// The tokens of `text`, white space other than line breaks left out.
pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let kind = match bytes[i] {
            b' ' | b'\t' => {
                i += 1;
                continue;
            }
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                i += 2;
                Kind::Newline
            }
            b'\n' => {
                i += 1;
                Kind::Newline
            }
            b'#' => {
                i = line_end(bytes, i);
                Kind::LineComment
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = line_end(bytes, i);
                Kind::LineComment
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |p| i + 2 + p + 2);
                Kind::BlockComment
            }
            b'"' => {
                i = quoted_end(bytes, i + 1);
                Kind::Quoted
            }
            b'<' if bytes.get(i + 1) == Some(&b'<') => match heredoc_end(text, i) {
                Some(end) => {
                    i = end;
                    Kind::Heredoc
                }
                None => {
                    i += 2;
                    Kind::Other
                }
            },
            b'0'..=b'9' => {
                i = number_end(bytes, i);
                Kind::Number
            }
            b'{' => one(&mut i, Kind::OpenBrace),
            b'}' => one(&mut i, Kind::CloseBrace),
            b'[' => one(&mut i, Kind::OpenBracket),
            b']' => one(&mut i, Kind::CloseBracket),
            b'(' => one(&mut i, Kind::OpenParen),
            b')' => one(&mut i, Kind::CloseParen),
            b',' => one(&mut i, Kind::Comma),
            b':' => one(&mut i, Kind::Colon),
            b'?' => one(&mut i, Kind::Question),
            b'.' if text[i..].starts_with("...") => {
                i += 3;
                Kind::Ellipsis
            }
            b'.' => one(&mut i, Kind::Dot),
            b'-' => one(&mut i, Kind::Minus),
            b'=' if bytes.get(i + 1) == Some(&b'>') => {
                i += 2;
                Kind::FatArrow
            }
            b'=' | b'!' | b'<' | b'>' if bytes.get(i + 1) == Some(&b'=') => {
                i += 2;
                Kind::Operator
            }
            b'=' => one(&mut i, Kind::Equal),
            b'!' => one(&mut i, Kind::Bang),
            b'&' if bytes.get(i + 1) == Some(&b'&') => {
                i += 2;
                Kind::Operator
            }
            b'|' if bytes.get(i + 1) == Some(&b'|') => {
                i += 2;
                Kind::Operator
            }
            b'+' | b'*' | b'/' | b'%' | b'<' | b'>' => one(&mut i, Kind::Operator),
            _ => {
                let c = text[i..].chars().next().map_or(1, char::len_utf8);
                let ident_start = text[i..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_');
                if ident_start {
                    i = ident_end(text, i);
                    Kind::Ident
                } else {
                    i += c;
                    Kind::Other
                }
            }
        };
        tokens.push(Token {
            kind,
            text: &text[start..i],
        });
    }
    tokens
}

fn one(i: &mut usize, kind: Kind) -> Kind {
    *i += 1;
    kind
}

/// The offset of the line break (or end of text) from `i`.
fn line_end(bytes: &[u8], i: usize) -> usize {
    let end = bytes[i..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| i + p);
    if end > i && bytes[end - 1] == b'\r' && end < bytes.len() {
        end - 1
    } else {
        end
    }
}

fn ident_end(text: &str, i: usize) -> usize {
    text[i..]
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .map_or(text.len(), |(p, _)| i + p)
}

fn number_end(bytes: &[u8], mut i: usize) -> usize {
    let digits = |bytes: &[u8], mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    i = digits(bytes, i);
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = digits(bytes, i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(i + 1), Some(b'+' | b'-')));
        if bytes.get(i + 1 + sign).is_some_and(u8::is_ascii_digit) {
            i = digits(bytes, i + 1 + sign);
        }
    }
    i
}

/// The offset just after the `"` closing a quoted string whose content starts at `i`; template
/// sequences (`${ ... }`, `%{ ... }`) may hold strings of their own.
fn quoted_end(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'$' | b'%'
                if bytes.get(i + 1) == Some(&bytes[i]) && bytes.get(i + 2) == Some(&b'{') =>
            {
                i += 3;
            }
            b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => i = sequence_end(bytes, i + 2),
            b'\n' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The offset just after the `}` closing a template sequence whose content starts at `i`.
fn sequence_end(bytes: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => i = quoted_end(bytes, i + 1),
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return i + 1,
            b'}' => {
                depth -= 1;
                i += 1;
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The offset just after the closing marker of a heredoc starting at `start` (`<<`), or `None`
/// when `<<` does not start one.
fn heredoc_end(text: &str, start: usize) -> Option<usize> {
    let rest = &text[start + 2..];
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let marker_len = rest
        .char_indices()
        .find(|&(_, c)| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .map_or(rest.len(), |(p, _)| p);
    if marker_len == 0 {
        return None;
    }
    let marker = &rest[..marker_len];
    let header_end = text[start..].find('\n').map(|p| start + p + 1)?;
    let mut line_start = header_end;
    while line_start < text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |p| line_start + p);
        let line = &text[line_start..line_end];
        let trimmed = line.trim_start_matches([' ', '\t']);
        if trimmed.trim_end_matches([' ', '\t', '\r']) == marker {
            return Some(line_start + (line.len() - trimmed.len()) + marker.len());
        }
        line_start = line_end + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{Kind, tokenize};

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        tokenize(text)
            .into_iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    #[test]
    fn strings_with_templates_are_one_token() {
        let tokens = kinds(r#"a = "x ${join(",", ["}"])} %%{ $${y}" # c"#);
        assert_eq!(
            tokens,
            vec![
                (Kind::Ident, "a"),
                (Kind::Equal, "="),
                (Kind::Quoted, r#""x ${join(",", ["}"])} %%{ $${y}""#),
                (Kind::LineComment, "# c"),
            ]
        );
    }

    #[test]
    fn heredocs_run_through_their_closing_marker() {
        let text = "a = <<-EOT\n  one\n    EOT\nb = 1\n";
        let tokens = kinds(text);
        assert_eq!(tokens[2], (Kind::Heredoc, "<<-EOT\n  one\n    EOT"));
        assert_eq!(tokens[3], (Kind::Newline, "\n"));
        assert_eq!(tokens[4], (Kind::Ident, "b"));
    }

    #[test]
    fn operators_numbers_and_comments() {
        let tokens = kinds("x=>-1.5e3...a.0/*c*/!=b//d\r\n");
        assert_eq!(
            tokens,
            vec![
                (Kind::Ident, "x"),
                (Kind::FatArrow, "=>"),
                (Kind::Minus, "-"),
                (Kind::Number, "1.5e3"),
                (Kind::Ellipsis, "..."),
                (Kind::Ident, "a"),
                (Kind::Dot, "."),
                (Kind::Number, "0"),
                (Kind::BlockComment, "/*c*/"),
                (Kind::Operator, "!="),
                (Kind::Ident, "b"),
                (Kind::LineComment, "//d"),
                (Kind::Newline, "\r\n"),
            ]
        );
    }
}
