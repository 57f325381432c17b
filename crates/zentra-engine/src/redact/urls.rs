//! How a URL may be shown: in a message, a URL never shows credentials. User information
//! (`user:password@`) and query values (`?sig=…`, `$skiptoken=…`) are replaced, whether the URL
//! is an API's, a paging link or a state backend's.

use url::Url;

/// What replaces a credential or query value in a message.
pub const REDACTED: &str = "***";

/// `raw` with its user information and query values replaced, for messages. Text that is not a
/// URL is shown with anything after `?` or `@` hidden, since it may still hold a credential.
pub fn redact_url(raw: &str) -> String {
    match Url::parse(raw.trim()) {
        Ok(mut url) if url.has_host() => {
            if !url.username().is_empty() || url.password().is_some() {
                let _ = url.set_username(REDACTED);
                let _ = url.set_password(None);
            }
            let query: Option<String> = url.query().map(|q| {
                q.split('&')
                    .map(|pair| match pair.split_once('=') {
                        Some((name, _)) => format!("{name}={REDACTED}"),
                        None if pair.is_empty() => String::new(),
                        None => REDACTED.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join("&")
            });
            url.set_query(None);
            url.set_fragment(None);
            let mut shown = url.to_string();
            if let Some(query) = query {
                shown.push('?');
                shown.push_str(&query);
            }
            shown
        }
        _ => {
            let mut shown = raw.to_string();
            if let Some(cut) = shown.find(['?', '#']) {
                shown.truncate(cut);
                shown.push('?');
                shown.push_str(REDACTED);
            }
            if let Some(at) = shown.rfind('@') {
                let start = shown.find("://").map_or(0, |i| i + 3);
                if start <= at {
                    shown.replace_range(start..at, REDACTED);
                }
            }
            shown
        }
    }
}

/// `message` with every `http://` or `https://` URL in it shown through [`redact_url`].
pub fn redact_urls_in(message: &str) -> String {
    let lower = message.to_ascii_lowercase();
    let mut out = String::with_capacity(message.len());
    let mut rest = 0;
    while let Some(found) = ["http://", "https://"]
        .iter()
        .filter_map(|scheme| lower[rest..].find(scheme).map(|i| rest + i))
        .min()
    {
        let end = message[found..]
            .find(|c: char| c.is_whitespace() || matches!(c, '`' | '"' | '\'' | '<' | '>'))
            .map_or(message.len(), |i| found + i);
        // Punctuation that ends a sentence is not part of the URL.
        let end = found
            + message[found..end]
                .trim_end_matches(['.', ',', ';', ')', ']'])
                .len();
        out.push_str(&message[rest..found]);
        out.push_str(&redact_url(&message[found..end]));
        rest = end;
    }
    out.push_str(&message[rest..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_and_query_values_are_never_shown() {
        assert_eq!(
            redact_url("https://user:hunter2@example.com/v2?sig=abc&se=2030&flag"),
            "https://***@example.com/v2?sig=***&se=***&***"
        );
        assert_eq!(
            redact_url("https://graph.example/v1.0/x?$skiptoken=Zm9v"),
            "https://graph.example/v1.0/x?$skiptoken=***"
        );
        assert_eq!(
            redact_url("https://example.com/plain"),
            "https://example.com/plain"
        );
        // Not a URL, but it may still hold one's secret parts.
        assert_eq!(
            redact_url("https://u:p@exa mple.com?x=1"),
            "https://***@exa mple.com?***"
        );
        assert_eq!(redact_url("not a url"), "not a url");
        assert_eq!(
            redact_urls_in(
                "GET https://a.example/x?code=s3cret failed; see (https://u:pw@b.example/y)."
            ),
            "GET https://a.example/x?code=*** failed; see (https://***@b.example/y)."
        );
        assert_eq!(redact_urls_in("no links here"), "no links here");
    }
}
