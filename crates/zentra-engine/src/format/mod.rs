//! `zentra fmt`: rewriting HCL files in Terraform's canonical style, so configuration reads the
//! same whoever wrote it and reviews show changes of meaning, not of spacing.
//!
//! As `terraform fmt` does, only the white space between tokens changes: each line is indented
//! two spaces per bracket left open, tokens are spaced by fixed rules, the `=` of consecutive
//! one-line attributes line up, and so do trailing comments. Comments, strings and heredocs are
//! kept byte for byte, and nothing moves from one line to another (blank lines aside: at most
//! one in a row). The result is parsed again and must read as the same configuration, or
//! nothing is returned.

mod tokens;

#[cfg(test)]
mod tests;

use crate::config::nesting;
use crate::diag::{Diagnostic, Location};

use tokens::{Kind, Token};

/// The configuration text `text` of the file `display` in canonical style. A file that does not
/// parse is refused with its syntax error, at its `file:line:column`.
pub fn format_source(display: &str, text: &str) -> Result<String, Diagnostic> {
    let before = parse(display, text)?;
    let formatted = with_line_endings_of(text, layout(text));
    let same = formatted
        .parse::<hcl::edit::structure::Body>()
        .ok()
        .is_some_and(|after| hcl::Body::from(after) == before);
    if !same {
        return Err(Diagnostic::error(format!(
            "refusing to format `{display}`: the formatted text would not read as the same configuration"
        ))
        .with_hint("the file is left as it is; format it by hand, and report the file that caused this"));
    }
    Ok(formatted)
}

/// `formatted` with the line endings `original` uses: a file written with CRLF stays CRLF
/// throughout (heredoc lines included), one written with LF stays LF.
fn with_line_endings_of(original: &str, formatted: String) -> String {
    let crlf = original
        .find('\n')
        .is_some_and(|i| original[..i].ends_with('\r'));
    let unified = formatted.replace("\r\n", "\n");
    if crlf {
        unified.replace('\n', "\r\n")
    } else {
        unified
    }
}

/// The configuration `text` holds, its layout and comments left out.
fn parse(display: &str, text: &str) -> Result<hcl::Body, Diagnostic> {
    if let Err(deep) = nesting::check(text) {
        return Err(Diagnostic::error(deep.message())
            .at(Location {
                file: display.to_string(),
                line: deep.line,
                column: deep.column,
                line_text: deep.line_text.clone(),
                width: 1,
            })
            .with_hint(nesting::TooDeep::HINT));
    }
    text.parse::<hcl::edit::structure::Body>()
        .map(hcl::Body::from)
        .map_err(|e| crate::config::syntax::syntax_error(display, text, &e))
}

/// One line of output: its tokens, the indent of its first one, and the spaces before each of
/// the others.
struct Line<'a> {
    tokens: Vec<Token<'a>>,
    indent: usize,
    spaces: Vec<usize>,
    /// Where the `=` of a one-line attribute (or object element) is, when the line has one.
    assign: Option<usize>,
    /// Where a trailing comment is, when the line has code before one.
    comment: Option<usize>,
}

impl Line<'_> {
    fn is_blank(&self) -> bool {
        self.tokens.is_empty()
    }

    fn has_multiline_token(&self) -> bool {
        self.tokens.iter().any(Token::is_multiline)
    }

    /// The width in characters of the tokens before `end`, indent included.
    fn columns(&self, end: usize) -> usize {
        self.indent
            + (0..end)
                .map(|i| self.spaces[i] + token_text(&self.tokens[i]).chars().count())
                .sum::<usize>()
    }
}

/// `text` laid out in canonical style (without checking that it parses).
fn layout(text: &str) -> String {
    let mut all = tokens::tokenize(text);
    mark_spaced_colons(&mut all);
    let mut lines = split_lines(all);
    indent(&mut lines);
    for line in &mut lines {
        find_cells(line);
        space(line);
    }
    align(&mut lines);
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for line in &lines {
        if !line.is_blank() {
            out.push_str(&" ".repeat(line.indent));
            for (i, token) in line.tokens.iter().enumerate() {
                if i > 0 {
                    out.push_str(&" ".repeat(line.spaces[i]));
                }
                out.push_str(&token_text(token));
            }
        }
        out.push('\n');
    }
    out
}

/// What a token is written as: comments, and the first line of a heredoc, lose the white space
/// at the end of their lines.
fn token_text<'a>(token: &Token<'a>) -> std::borrow::Cow<'a, str> {
    match token.kind {
        Kind::LineComment => token.text.trim_end().into(),
        Kind::BlockComment if token.text.lines().any(|l| l != l.trim_end()) => token
            .text
            .split('\n')
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
            .into(),
        Kind::Heredoc => match token.text.split_once('\n') {
            Some((header, rest)) if header != header.trim_end() => {
                format!("{}\n{rest}", header.trim_end()).into()
            }
            _ => token.text.into(),
        },
        _ => token.text.into(),
    }
}

/// Marks the `:` of conditionals and `for` expressions, which are spaced on both sides, apart
/// from the `:` of `key: value` object elements.
fn mark_spaced_colons(tokens: &mut [Token<'_>]) {
    let mut depth = 0usize;
    // The depths at which a `?` or a `for` waits for its `:`.
    let mut waiting: Vec<usize> = Vec::new();
    let mut previous: Option<Kind> = None;
    for token in tokens.iter_mut() {
        match token.kind {
            Kind::Newline | Kind::LineComment | Kind::BlockComment => continue,
            Kind::OpenBrace | Kind::OpenBracket | Kind::OpenParen => depth += 1,
            Kind::CloseBrace | Kind::CloseBracket | Kind::CloseParen => {
                depth = depth.saturating_sub(1);
                while waiting.last().is_some_and(|&d| d > depth) {
                    waiting.pop();
                }
            }
            Kind::Question => waiting.push(depth),
            Kind::Ident
                if token.text == "for"
                    && matches!(previous, Some(Kind::OpenBracket | Kind::OpenBrace)) =>
            {
                waiting.push(depth);
            }
            Kind::Colon if waiting.last() == Some(&depth) => {
                waiting.pop();
                token.kind = Kind::SpacedColon;
            }
            _ => {}
        }
        previous = Some(token.kind);
    }
}

/// The lines of `tokens`, without their line breaks; leading and trailing blank lines are
/// dropped, and blank lines in a row become one.
fn split_lines(tokens: Vec<Token<'_>>) -> Vec<Line<'_>> {
    let mut lines: Vec<Line<'_>> = Vec::new();
    let mut current = Vec::new();
    for token in tokens {
        if token.kind == Kind::Newline {
            push_line(&mut lines, std::mem::take(&mut current));
        } else {
            current.push(token);
        }
    }
    push_line(&mut lines, current);
    while lines.last().is_some_and(Line::is_blank) {
        lines.pop();
    }
    lines
}

/// Adds a line of `tokens`, unless it is blank after a blank line or at the start.
fn push_line<'a>(lines: &mut Vec<Line<'a>>, tokens: Vec<Token<'a>>) {
    let blank = tokens.is_empty();
    let after_blank = lines.last().is_none_or(Line::is_blank);
    if !(blank && after_blank) {
        lines.push(Line {
            spaces: vec![0; tokens.len()],
            tokens,
            indent: 0,
            assign: None,
            comment: None,
        });
    }
}

/// Indents each line two spaces per bracket left open before it, counting a line that opens
/// several brackets as one level (as `terraform fmt` does).
fn indent(lines: &mut [Line<'_>]) {
    let mut levels: Vec<i32> = Vec::new();
    for line in lines.iter_mut() {
        if line.is_blank() {
            continue;
        }
        let net: i32 = line.tokens.iter().map(|t| t.kind.bracket_change()).sum();
        if net > 0 {
            line.indent = 2 * levels.len();
            levels.push(net);
            continue;
        }
        let mut closed = -net;
        while closed > 0 {
            let Some(last) = levels.last_mut() else { break };
            if closed < *last {
                *last -= closed;
                closed = 0;
            } else {
                closed -= *last;
                levels.pop();
            }
        }
        line.indent = 2 * levels.len();
    }
}

/// Finds the cells whose first token is aligned with the lines around: the `=` of a one-line
/// attribute, and a comment after code.
fn find_cells(line: &mut Line<'_>) {
    let n = line.tokens.len();
    let multiline = line.has_multiline_token();
    let last_is_comment = n > 1
        && matches!(
            line.tokens[n - 1].kind,
            Kind::LineComment | Kind::BlockComment
        );
    if last_is_comment && !multiline {
        line.comment = Some(n - 1);
    }
    let code_end = line.comment.unwrap_or(n);
    if let Some(eq) = (1..code_end).find(|&i| line.tokens[i].kind == Kind::Equal) {
        let net: i32 = line.tokens[eq..code_end]
            .iter()
            .map(|t| t.kind.bracket_change())
            .sum();
        let lead_multiline = line.tokens[..eq].iter().any(Token::is_multiline);
        if net == 0 && !lead_multiline {
            line.assign = Some(eq);
        }
    }
}

/// Sets the spaces between the tokens of a line by the rules of `terraform fmt`; the first
/// token of each cell gets one space (aligned later).
fn space(line: &mut Line<'_>) {
    for i in 1..line.tokens.len() {
        let cell_start = Some(i) == line.assign || Some(i) == line.comment;
        line.spaces[i] = if cell_start {
            1
        } else {
            let before = i.checked_sub(2).map(|b| line.tokens[b].kind);
            usize::from(space_between(before, &line.tokens[i - 1], &line.tokens[i]))
        };
    }
}

/// Whether a space goes between `subject` and `after` (`before` is the token before `subject`).
fn space_between(before: Option<Kind>, subject: &Token<'_>, after: &Token<'_>) -> bool {
    let keyword = subject.kind == Kind::Ident
        && matches!(subject.text, "in" | "if")
        && before.is_some_and(|b| b != Kind::Dot);
    match (subject.kind, after.kind) {
        (Kind::Ident, Kind::OpenParen) if !keyword => false,
        (Kind::Dot, _) | (_, Kind::Dot) => false,
        (_, Kind::Comma | Kind::Ellipsis) => false,
        (Kind::Comma, _) => true,
        _ if keyword => true,
        (Kind::Ident | Kind::Number | Kind::Quoted, Kind::OpenBracket) => false,
        (s, Kind::OpenBracket) if s.bracket_change() < 0 => false,
        (Kind::Minus, _) => !is_negation(before),
        (Kind::Bang, _) => false,
        (Kind::OpenBrace, Kind::CloseBrace) => false,
        (Kind::OpenBrace, _) | (_, Kind::CloseBrace) => true,
        (_, Kind::Colon) => false,
        (s, _) if s.bracket_change() > 0 => false,
        (_, a) if a.bracket_change() < 0 => false,
        _ => true,
    }
}

/// Whether a `-` after `before` negates what follows rather than subtracts: it does when
/// nothing that ends an operand comes before it.
fn is_negation(before: Option<Kind>) -> bool {
    match before {
        None => true,
        Some(kind) => matches!(
            kind,
            Kind::OpenParen
                | Kind::OpenBrace
                | Kind::OpenBracket
                | Kind::Equal
                | Kind::Colon
                | Kind::SpacedColon
                | Kind::Comma
                | Kind::Question
                | Kind::Operator
                | Kind::Minus
                | Kind::Bang
                | Kind::FatArrow
        ),
    }
}

/// Lines up the `=` of consecutive one-line attributes, then the trailing comments of
/// consecutive lines. A blank line, a comment line, a block or a multi-line value ends a run.
fn align(lines: &mut [Line<'_>]) {
    let mut start = 0;
    while start < lines.len() {
        if lines[start].assign.is_none() {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < lines.len() && lines[end].assign.is_some() {
            end += 1;
            if lines[end - 1].has_multiline_token() {
                break;
            }
        }
        let column = |line: &Line<'_>| line.assign.map_or(0, |eq| line.columns(eq));
        let widest = lines[start..end].iter().map(column).max().unwrap_or(0);
        for line in &mut lines[start..end] {
            if let Some(eq) = line.assign {
                line.spaces[eq] = widest - line.columns(eq) + 1;
            }
        }
        start = end;
    }
    let mut start = 0;
    while start < lines.len() {
        if lines[start].comment.is_none() {
            start += 1;
            continue;
        }
        let end = lines[start..]
            .iter()
            .position(|l| l.comment.is_none())
            .map_or(lines.len(), |p| start + p);
        let column = |line: &Line<'_>| line.comment.map_or(0, |c| line.columns(c));
        let widest = lines[start..end].iter().map(column).max().unwrap_or(0);
        for line in &mut lines[start..end] {
            if let Some(c) = line.comment {
                line.spaces[c] = widest - line.columns(c) + 1;
            }
        }
        start = end;
    }
}
