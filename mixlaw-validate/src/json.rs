//! JSON values for reports and the program's output: [`serde_json::Value`] (objects keep
//! their insertion order), built with three helpers. Non-finite numbers become `null`
//! (`Value::from(f64)`), so no NaN or infinity ever reaches the text; counts are built
//! from integers and print as JSON integers.

use std::string::String;

pub use serde_json::Value as Json;

/// An object from `(key, value)` pairs, in that order.
pub fn obj<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Json)>) -> Json {
    Json::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
}

/// An array of numbers (non-finite ones as `null`).
pub fn nums(values: &[f64]) -> Json {
    Json::from(values)
}

/// Adds `key: value` to an object (no-op on other values).
pub fn push(object: &mut Json, key: impl Into<String>, value: Json) {
    if let Json::Object(map) = object {
        map.insert(key.into(), value);
    }
}

/// Parses JSON text (a saved params file, a data file) into a value.
pub fn parse(text: &str) -> Result<Json, crate::error::Error> {
    serde_json::from_str(text)
        .map_err(|e| crate::error::Error::input(std::format!("invalid JSON: {e}")))
}
