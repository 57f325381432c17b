//! Turns the vendors' Markdown-and-HTML description text into the short plain sentences
//! kept in generated schemas.

/// Longest description kept; longer first paragraphs are cut at a sentence or word boundary.
const MAX_DESCRIPTION_CHARS: usize = 300;

/// Cleans one description: HTML tags removed (`<br>` counts as a line break), Markdown links
/// reduced to their text, bold markers dropped, only the first paragraph kept, whitespace
/// collapsed, and the result shortened to about [`MAX_DESCRIPTION_CHARS`] characters.
pub fn clean_description(raw: &str) -> String {
    let without_tags = decode_entities(&strip_html_tags(raw));
    let first = first_paragraph(&without_tags);
    let plain = strip_markdown(first);
    let collapsed = collapse_whitespace(&plain);
    shorten(&collapsed, MAX_DESCRIPTION_CHARS)
}

/// Collapses runs of whitespace (including line breaks) into single spaces and trims the ends.
pub fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Removes HTML tags; `<br>` variants become line breaks so that `<br><br>` still ends a
/// paragraph, while the common `<br>` at the end of a source line adds nothing.
pub fn strip_html_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        match after.find('>') {
            Some(end) if looks_like_tag(&after[1..end]) => {
                let tag = after[1..end].trim().trim_end_matches('/').trim();
                rest = &after[end + 1..];
                // `<br>` breaks a line, unless the text already does right after it.
                let line_follows = rest.trim_start_matches([' ', '\t']).starts_with('\n');
                if tag.eq_ignore_ascii_case("br") && !line_follows {
                    out.push('\n');
                }
            }
            _ => {
                out.push('<');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Replaces the HTML character references seen in vendor descriptions with their characters;
/// unknown references are left as they are.
pub fn decode_entities(text: &str) -> String {
    const ENTITIES: &[(&str, &str)] = &[
        ("&nbsp;", " "),
        ("&mdash;", "—"),
        ("&ndash;", "–"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&apos;", "'"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&amp;", "&"),
    ];
    let mut out = text.to_string();
    for (entity, replacement) in ENTITIES {
        if out.contains(entity) {
            out = out.replace(entity, replacement);
        }
    }
    out
}

/// Whether the text between `<` and `>` is an HTML tag (`br`, `/p`, `a href=...`) rather than
/// a comparison or a placeholder such as `<n>` in prose.
fn looks_like_tag(inner: &str) -> bool {
    if inner.contains('<') {
        return false;
    }
    let name = inner.strip_prefix('/').unwrap_or(inner);
    if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return false;
    }
    let name = name.split_whitespace().next().unwrap_or("");
    let name = name.trim_end_matches('/');
    const TAGS: &[&str] = &[
        "br", "p", "b", "i", "em", "strong", "a", "ul", "ol", "li", "code", "pre", "span", "div",
        "table", "tr", "td", "th", "tbody", "thead", "sup", "sub", "u", "h1", "h2", "h3", "h4",
    ];
    TAGS.iter().any(|tag| tag.eq_ignore_ascii_case(name))
}

/// The text up to the first blank line, skipping leading blank lines.
fn first_paragraph(text: &str) -> &str {
    let trimmed = text.trim_start();
    let mut offset = 0;
    let mut saw_text = false;
    for line in trimmed.split_inclusive('\n') {
        if line.trim().is_empty() {
            if saw_text {
                return &trimmed[..offset];
            }
        } else {
            saw_text = true;
        }
        offset += line.len();
    }
    trimmed
}

/// Reduces `[text](url)` to `text` and drops `**` emphasis; inline code backticks are kept.
fn strip_markdown(text: &str) -> String {
    let without_bold = text.replace("**", "");
    let mut out = String::with_capacity(without_bold.len());
    let mut rest = without_bold.as_str();
    while let Some(open) = rest.find('[') {
        let after_open = &rest[open + 1..];
        let link = after_open.find("](").and_then(|close| {
            let target = &after_open[close + 2..];
            target.find(')').map(|end| (close, close + 2 + end + 1))
        });
        match link {
            Some((close, consumed)) if !after_open[..close].contains('[') => {
                out.push_str(&rest[..open]);
                out.push_str(&after_open[..close]);
                rest = &after_open[consumed..];
            }
            _ => {
                out.push_str(&rest[..=open]);
                rest = after_open;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Cuts text longer than `limit` characters at the last sentence end before the limit, or
/// else at the last word boundary followed by an ellipsis.
fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let cut = text
        .char_indices()
        .nth(limit)
        .map_or(text.len(), |(index, _)| index);
    let head = &text[..cut];
    if let Some(end) = head.rfind(". ")
        && end > limit / 3
    {
        return head[..=end].to_string();
    }
    match head.rfind(' ') {
        Some(space) => format!("{}…", head[..space].trim_end()),
        None => format!("{head}…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_html_and_keeps_the_first_paragraph() {
        let raw = "**HTTP Status** <br>\n Not Found  \n\n **Error Code:** `2001`";
        assert_eq!(clean_description(raw), "HTTP Status Not Found");
    }

    #[test]
    fn double_br_ends_a_paragraph() {
        assert_eq!(
            clean_description("First part.<br><br>Second part."),
            "First part."
        );
    }

    #[test]
    fn markdown_links_become_their_text() {
        let raw =
            "Settings for 2FA( [two factor authentication](https://example.com/x) ).\n`all` - on.";
        assert_eq!(
            clean_description(raw),
            "Settings for 2FA( two factor authentication ). `all` - on."
        );
    }

    #[test]
    fn html_entities_are_decoded() {
        assert_eq!(
            clean_description("`e2ee` &mdash; end to end &amp; more&nbsp;text"),
            "`e2ee` — end to end & more text"
        );
    }

    #[test]
    fn angle_brackets_that_are_not_tags_survive() {
        assert_eq!(
            clean_description("Use a < b and <n> items"),
            "Use a < b and <n> items"
        );
    }

    #[test]
    fn long_text_is_cut_at_a_sentence_end() {
        let sentence = "This sentence is exactly fifty characters long ok. ";
        let raw = sentence.repeat(10);
        let cleaned = clean_description(&raw);
        assert!(cleaned.len() <= MAX_DESCRIPTION_CHARS);
        assert!(cleaned.ends_with("ok."), "{cleaned}");
    }

    #[test]
    fn long_text_without_sentences_is_cut_at_a_word() {
        let raw = "word ".repeat(100);
        let cleaned = clean_description(&raw);
        assert!(cleaned.ends_with("word…"), "{cleaned}");
        assert!(cleaned.chars().count() <= MAX_DESCRIPTION_CHARS + 1);
    }
}
