//! `Sensitive<T>`: a wrapper for tokens, secrets and keys so they cannot leak by accident.
//!
//! Orgfleet logs a lot (tracing spans, job records, error reports) and derives `Debug` almost
//! everywhere. A secret kept in a plain `String` ends up in one of those sooner or later. This
//! wrapper makes the safe thing the default: `Debug` and `Display` print `<redacted>`, and
//! serde *serialization refuses* the value (an error, not a silent `"<redacted>"`), so a
//! secret can never slip into an IPC payload, a JSON report or SQLite through serde. Code that
//! really must hand the secret on (an `Authorization` header, the keychain) calls
//! [`Sensitive::expose`], which is easy to grep for. Deserialization is allowed: tokens arrive
//! inside JSON responses.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret value. See the module docs for why serialization is refused.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The secret itself. Every call site is a place where the secret leaves the wrapper.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl Sensitive<String> {
    /// True when the wrapped string is empty (an empty secret is usually "none").
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl From<&str> for Sensitive<String> {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> Serialize for Sensitive<T> {
    fn serialize<S: Serializer>(&self, _serializer: S) -> Result<S::Ok, S::Error> {
        Err(serde::ser::Error::custom(
            "refusing to serialize a secret; call Sensitive::expose and store it in the keychain",
        ))
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sensitive<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_are_redacted() {
        let s = Sensitive::new("00Dxx!secret-token".to_owned());
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
        assert_eq!(s.expose(), "00Dxx!secret-token");
    }

    #[test]
    fn serialization_is_refused_but_deserialization_works() {
        let s = Sensitive::new("abc".to_owned());
        let err = serde_json::to_string(&s).unwrap_err();
        assert!(err.to_string().contains("refusing to serialize a secret"));
        let back: Sensitive<String> = serde_json::from_str("\"xyz\"").unwrap();
        assert_eq!(back.expose(), "xyz");
    }
}
