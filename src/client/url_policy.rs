//! Where a bearer token may go, and how a URL may be shown. Every URL a client sends a request
//! to is resolved against the API root it was configured with, its dot segments normalised
//! (`/v1.0/../_sim` is `/_sim`), and must keep the root's origin and stay under its path: a
//! paging link or an id from an answer cannot send the token anywhere else. URLs in messages
//! never show credentials: user information (`user:password@`) and query values (`?sig=…`,
//! `$skiptoken=…`) are replaced.

use url::Url;

/// What replaces a credential or query value in a message.
pub const REDACTED: &str = "***";

/// An API root (`https://graph.microsoft.com/v1.0`, `https://api.zoom.us/v2`) and the requests
/// allowed under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiRoot {
    root: Url,
}

impl ApiRoot {
    /// The root of an endpoint already checked by [`super::validate_endpoint`].
    pub fn new(root: &str) -> Result<ApiRoot, String> {
        let mut root =
            Url::parse(root).map_err(|e| format!("`{}` is not a URL: {e}", redact_url(root)))?;
        if !root.path().ends_with('/') {
            let path = format!("{}/", root.path());
            root.set_path(&path);
        }
        Ok(ApiRoot { root })
    }

    /// `link` (a path under the root such as `/groups?page_size=300`, or an absolute URL such as
    /// an `@odata.nextLink`) as the URL to send the request to, if it stays under the root:
    /// same scheme, host and port, and a path under the root's once dot segments are resolved.
    pub fn resolve(&self, link: &str) -> Result<Url, String> {
        let url = match link.strip_prefix('/') {
            // A path relative to the root, not to the host: `/groups` is `{root}groups`.
            Some(path) => self.root.join(path),
            None => Url::parse(link),
        }
        .map_err(|e| format!("`{}` is not a URL: {e}", redact_url(link)))?;
        let outside = || {
            format!(
                "`{}` is not under {}",
                redact_url(url.as_str()),
                self.root.as_str().trim_end_matches('/')
            )
        };
        if url.origin() != self.root.origin()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(outside());
        }
        if !url.path().starts_with(self.root.path()) {
            return Err(outside());
        }
        Ok(url)
    }
}

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
    fn links_stay_under_the_api_root() {
        let graph = ApiRoot::new("http://127.0.0.1:8080/v1.0").unwrap();
        assert_eq!(
            graph
                .resolve("/servicePrincipals?$top=999")
                .unwrap()
                .as_str(),
            "http://127.0.0.1:8080/v1.0/servicePrincipals?$top=999"
        );
        assert!(
            graph
                .resolve("http://127.0.0.1:8080/v1.0/servicePrincipals?$skiptoken=2")
                .is_ok()
        );
        for escape in [
            "http://127.0.0.1:8080/v1.0/../_sim/state",
            "http://127.0.0.1:8080/v1.0/%2e%2e/_sim/state",
            "http://127.0.0.1:8080/v1.0/./../v2/users",
            "http://127.0.0.1:8080/v1.0x/servicePrincipals",
            "http://127.0.0.1:8081/v1.0/servicePrincipals",
            "https://127.0.0.1:8080/v1.0/servicePrincipals",
            "http://evil.example.com/v1.0/servicePrincipals",
            "http://user:pw@127.0.0.1:8080/v1.0/servicePrincipals",
            "/../_sim/state",
            "/%2E%2E/v2/users",
        ] {
            let err = graph.resolve(escape).unwrap_err();
            assert!(
                err.contains("is not under http://127.0.0.1:8080/v1.0"),
                "{escape}: {err}"
            );
            assert!(!err.contains("pw"), "{err}");
        }
        let zoom = ApiRoot::new("https://api.zoom.us/v2/").unwrap();
        assert_eq!(
            zoom.resolve("/groups/abc/members").unwrap().as_str(),
            "https://api.zoom.us/v2/groups/abc/members"
        );
        assert!(zoom.resolve("/groups/../../oauth/token").is_err());
    }

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
