//! Syntax errors of HCL files, said where the mistake is: the parser stops where it notices a
//! problem, which for a missing `}` is the end of the file, far from the block left open.

use crate::diag::{Diagnostic, Location};

/// The diagnostic for a file the HCL parser refused. A file that ends inside a block is
/// reported at the `{` that is never closed, as Terraform does.
pub(crate) fn syntax_error(display: &str, text: &str, e: &hcl::edit::parser::Error) -> Diagnostic {
    let loc = e.location();
    if ends_inside_block(text, loc.line(), loc.column())
        && let Some(offset) = last_unclosed_brace(text)
    {
        let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
        let line = text[..offset].matches('\n').count() + 1;
        let column = text[line_start..offset].chars().count() + 1;
        return Diagnostic::error(
                "unclosed block: the file ends before the `}` that closes this block",
            )
            .at(Location {
                file: display.to_string(),
                line,
                column,
                line_text: text[line_start..line_end].to_string(),
                width: 1,
            })
            .with_hint("add the missing `}`; if this block looks closed, a brace is missing or extra in a block inside it");
    }
    Diagnostic::error(format!("syntax error: {}", e.message()))
        .at(Location {
            file: display.to_string(),
            line: loc.line(),
            column: loc.column(),
            line_text: e.line().to_string(),
            width: 1,
        })
        .with_hint("check for a missing quote, bracket or `=` near this position")
}

/// Whether an error at `line`:`column` (1-based) lies after the last character that is not
/// white space: the parser ran out of file.
fn ends_inside_block(text: &str, line: usize, column: usize) -> bool {
    let content = text.trim_end();
    let last_line = content.matches('\n').count() + 1;
    let last_column = content.rsplit('\n').next().map_or(0, |l| l.chars().count());
    line > last_line || (line == last_line && column > last_column)
}

/// The byte offset of the last `{` without its `}`, skipping strings, template interpolations
/// inside them, comments and heredocs.
fn last_unclosed_brace(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => i = skip_to_line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = skip_to_line_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |j| i + 2 + j + 2);
            }
            b'"' => i = skip_string(bytes, i + 1),
            b'<' if bytes.get(i + 1) == Some(&b'<') => i = skip_heredoc(text, i),
            b'{' => {
                open.push(i);
                i += 1;
            }
            b'}' => {
                open.pop();
                i += 1;
            }
            _ => i += 1,
        }
    }
    open.pop()
}

fn skip_to_line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |j| from + j)
}

/// Past the closing quote of a string starting at `from` (after its opening quote); a string
/// never spans lines, so an unterminated one ends at the line's end.
fn skip_string(bytes: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Past the end marker of a heredoc (`<<EOT` or `<<-EOT`) starting at `from`.
fn skip_heredoc(text: &str, from: usize) -> usize {
    let rest = &text[from + 2..];
    let rest = rest.strip_prefix('-').unwrap_or(rest);
    let marker: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if marker.is_empty() {
        return from + 2;
    }
    let Some(body_start) = text[from..].find('\n').map(|j| from + j + 1) else {
        return text.len();
    };
    let mut offset = body_start;
    for line in text[body_start..].split_inclusive('\n') {
        offset += line.len();
        if line.trim() == marker {
            return offset;
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error_for(text: &str) -> Diagnostic {
        let e = text.parse::<hcl::edit::structure::Body>().unwrap_err();
        syntax_error("main.zen.hcl", text, &e)
    }

    #[test]
    fn a_block_left_open_is_reported_at_its_brace() {
        let d = error_for(
            "provider \"zoom\" {}\n\nresource \"zoom_group\" \"pilot\" {\n  name = \"Pilot\"\n\nresource \"zoom_group\" \"b\" {\n  name = \"B\"\n}\n",
        );
        assert!(d.summary.starts_with("unclosed block"), "{}", d.summary);
        let at = d.location.expect("a location");
        assert_eq!((at.line, at.column), (3, 31));
        assert_eq!(at.line_text, "resource \"zoom_group\" \"pilot\" {");
    }

    #[test]
    fn braces_in_strings_comments_and_heredocs_do_not_count() {
        let d = error_for(
            "locals {\n  a = \"{ not a block\"\n  # } nor this\n  b = <<EOT\n}\nEOT\n  /* } */\n",
        );
        let at = d.location.expect("a location");
        assert_eq!((at.line, at.column), (1, 8), "{}", d.summary);
    }

    #[test]
    fn other_mistakes_keep_the_parsers_position() {
        let d = error_for("locals {\n  a = = 1\n}\n");
        assert!(d.summary.starts_with("syntax error"), "{}", d.summary);
        assert_eq!(d.location.expect("a location").line, 2);
    }
}
