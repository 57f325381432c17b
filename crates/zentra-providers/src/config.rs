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
