//! Reading a `provider` block: each setting comes from the block or, failing that, from its
//! environment variable, and a missing credential is reported by both names.

use zentra_engine::env::Environment;
use zentra_engine::provider::{ErrorKind, ProviderError, ProviderResult};
use zentra_engine::value::Value;

/// One setting of a provider block and the environment variable standing in for it.
pub(crate) struct Setting<'a> {
    pub provider: &'a str,
    pub attribute: &'a str,
    pub env_var: &'a str,
}

impl Setting<'_> {
    /// The value from the block, else from the environment, else `None`.
    pub fn optional(&self, config: &Value, env: &Environment) -> ProviderResult<Option<String>> {
        match config.get(self.attribute).map(|v| v.unmark().0) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if !s.trim().is_empty() => {
                return Ok(Some(s.trim().to_string()));
            }
            Some(Value::String(_)) => {}
            Some(Value::Unknown) => {
                return Err(ProviderError::new(
                    ErrorKind::Configuration,
                    format!(
                        "provider \"{}\": `{}` is known only after apply; provider settings must be known when planning",
                        self.provider, self.attribute
                    ),
                ));
            }
            Some(other) => {
                return Err(ProviderError::new(
                    ErrorKind::Configuration,
                    format!(
                        "provider \"{}\": `{}` must be a string, not a {}",
                        self.provider,
                        self.attribute,
                        other.type_name()
                    ),
                ));
            }
        }
        Ok(env.get(self.env_var).map(|v| v.trim().to_string()))
    }

    /// Like [`Setting::optional`], but missing is an error naming the attribute and variable.
    pub fn required(&self, config: &Value, env: &Environment) -> ProviderResult<String> {
        self.optional(config, env)?.ok_or_else(|| {
            ProviderError::new(
                ErrorKind::Configuration,
                format!(
                    "provider \"{}\": `{}` is not set; set it in the provider block or in the {} environment variable",
                    self.provider, self.attribute, self.env_var
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indexmap::IndexMap;

    fn setting() -> Setting<'static> {
        Setting {
            provider: "zoom",
            attribute: "client_id",
            env_var: "ZOOM_CLIENT_ID",
        }
    }

    fn block(value: Value) -> Value {
        let mut m = IndexMap::new();
        m.insert("client_id".to_string(), value);
        Value::Object(m)
    }

    #[test]
    fn the_block_wins_over_the_environment() {
        let env = Environment::from_pairs([("ZOOM_CLIENT_ID", "from-env")]);
        assert_eq!(
            setting()
                .required(&block(Value::str("from-block")), &env)
                .unwrap(),
            "from-block"
        );
        assert_eq!(
            setting().required(&Value::object(), &env).unwrap(),
            "from-env"
        );
        assert_eq!(
            setting().required(&block(Value::Null), &env).unwrap(),
            "from-env"
        );
    }

    #[test]
    fn missing_values_name_attribute_and_variable() {
        let err = setting()
            .required(&Value::object(), &Environment::default())
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Configuration);
        assert!(err.message.contains("`client_id`"), "{}", err.message);
        assert!(err.message.contains("ZOOM_CLIENT_ID"), "{}", err.message);
    }

    #[test]
    fn unknown_and_mistyped_values_are_configuration_errors() {
        let env = Environment::default();
        let unknown = setting()
            .required(&block(Value::Unknown), &env)
            .unwrap_err();
        assert!(unknown.message.contains("known only after apply"));
        let mistyped = setting()
            .required(&block(Value::Bool(true)), &env)
            .unwrap_err();
        assert!(mistyped.message.contains("must be a string"));
        // A sensitive string is still a string.
        let secret = block(Value::str("s").mark_sensitive());
        assert_eq!(setting().required(&secret, &env).unwrap(), "s");
    }
}

/// The provider-block settings that bound how long a request may take, the same for every
/// provider: `request_timeout` (one attempt) and `retry_max_elapsed` (an operation, every
/// retry and wait included), written as `30s`, `2m` or `500ms`.
pub(crate) fn timing_attributes() -> [(&'static str, zentra_engine::schema::Attr); 2] {
    use zentra_engine::schema::Attr;
    [
        (
            "request_timeout",
            Attr::string().describe(
                "How long one attempt of a request may take, body included, before it counts as \
                 unanswered: `30s` (default), `2m`, `500ms`.",
            ),
        ),
        (
            "retry_max_elapsed",
            Attr::string().describe(
                "How long one operation may take with all its retries and waits before it \
                 fails, naming the request: `90s` (default), so that a service that never \
                 answers ends in an error in under two minutes.",
            ),
        ),
    ]
}

/// Applies `request_timeout` and `retry_max_elapsed` from a provider block.
pub(crate) fn apply_timing(
    provider: &str,
    config: &Value,
    retry: &mut crate::client::RetryPolicy,
    timeouts: &mut crate::client::Timeouts,
) -> ProviderResult<()> {
    let read = |attribute: &str| -> ProviderResult<Option<std::time::Duration>> {
        let setting = Setting {
            provider,
            attribute,
            env_var: "",
        };
        let Some(text) = setting.optional(config, &Environment::default())? else {
            return Ok(None);
        };
        parse_duration(&text).map(Some).ok_or_else(|| {
            ProviderError::new(
                ErrorKind::Configuration,
                format!(
                    "provider \"{provider}\": `{attribute}` = \"{text}\" is not a duration; \
                     write it as `30s`, `2m` or `500ms` (more than zero, at most an hour)"
                ),
            )
        })
    };
    if let Some(timeout) = read("request_timeout")? {
        timeouts.request = timeout;
    }
    if let Some(elapsed) = read("retry_max_elapsed")? {
        retry.max_elapsed = elapsed;
        retry.max_retry_after = retry.max_retry_after.min(elapsed);
    }
    Ok(())
}

/// `500ms`, `30s`, `2m`, `1h`: more than zero and at most an hour.
fn parse_duration(text: &str) -> Option<std::time::Duration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let number: u64 = number.parse().ok()?;
    let duration = match unit {
        "ms" => std::time::Duration::from_millis(number),
        "s" => std::time::Duration::from_secs(number),
        "m" => std::time::Duration::from_secs(number.checked_mul(60)?),
        "h" => std::time::Duration::from_secs(number.checked_mul(3600)?),
        _ => return None,
    };
    (!duration.is_zero() && duration <= std::time::Duration::from_secs(3600)).then_some(duration)
}

#[cfg(test)]
mod timing_tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn durations_are_read_as_written() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration(" 30s "), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        for bad in ["", "30", "0s", "2h", "-1s", "1.5s", "s", "10 s"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn provider_blocks_set_timeouts_and_refuse_what_is_not_a_duration() {
        let mut retry = crate::client::RetryPolicy::default();
        let mut timeouts = crate::client::Timeouts::default();
        let config = Value::from_json(
            &serde_json::json!({"request_timeout": "5s", "retry_max_elapsed": "20s"}),
        );
        apply_timing("zoom", &config, &mut retry, &mut timeouts).unwrap();
        assert_eq!(timeouts.request, Duration::from_secs(5));
        assert_eq!(retry.max_elapsed, Duration::from_secs(20));
        assert!(retry.max_retry_after <= Duration::from_secs(20));
        let bad = Value::from_json(&serde_json::json!({"request_timeout": "soon"}));
        let err = apply_timing("zoom", &bad, &mut retry, &mut timeouts).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Configuration);
        assert!(
            err.message.contains("`request_timeout` = \"soon\""),
            "{err}"
        );
    }
}

/// The provider-block setting `rate_limit_share`, the same for both vendors: the share of the
/// vendor's rate limits zentra paces to, from 0.1 to 1.
pub(crate) fn share_attribute(default_note: &str) -> (&'static str, zentra_engine::schema::Attr) {
    use zentra_engine::schema::{Attr, AttrType};
    let mut attr = Attr::new(AttrType::Number).describe(&format!(
        "The share of the vendor's rate limits zentra paces its requests to, from 0.1 to 1 \
         (default 1: all of it, slowing down by itself when the service throttles anyway). \
         {default_note}"
    ));
    attr.minimum = Some(crate::client::pacing::MIN_SHARE);
    attr.maximum = Some(1.0);
    ("rate_limit_share", attr)
}

/// Reads `rate_limit_share` from a provider block: `None` when it is not set.
pub(crate) fn read_share(provider: &str, config: &Value) -> ProviderResult<Option<f64>> {
    let Some(value) = config.get("rate_limit_share").map(|v| v.unmark().0) else {
        return Ok(None);
    };
    let refused = |shown: String| {
        ProviderError::new(
            ErrorKind::Configuration,
            format!(
                "provider \"{provider}\": `rate_limit_share` = {shown} is not a share from {} \
                 to 1",
                crate::client::pacing::MIN_SHARE
            ),
        )
    };
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => match n.as_f64() {
            Some(share) if (crate::client::pacing::MIN_SHARE..=1.0).contains(&share) => {
                Ok(Some(share))
            }
            _ => Err(refused(n.to_string())),
        },
        Value::Unknown => Err(ProviderError::new(
            ErrorKind::Configuration,
            format!("provider \"{provider}\": `rate_limit_share` is known only after apply"),
        )),
        other => Err(refused(format!("{other:?}"))),
    }
}
