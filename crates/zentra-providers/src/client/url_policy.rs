//! Where a bearer token may go. Every URL a client sends a request to is resolved against the
//! API root it was configured with, its dot segments normalised (`/v1.0/../_sim` is `/_sim`),
//! and must keep the root's origin and stay under its path: a paging link or an id from an
//! answer cannot send the token anywhere else. How a URL may be shown in a message is the
//! engine's ([`zentra_engine::redact::urls`]), re-exported here for the clients.

use url::Url;

pub use zentra_engine::redact::urls::{REDACTED, redact_url};

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

    /// The root, ending in `/`.
    pub fn as_str(&self) -> &str {
        self.root.as_str()
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
}
