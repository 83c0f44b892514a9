//! Units: the regions being scored.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::Text;

/// A region being scored (a city, a country).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unit {
    /// Unique code (e.g. `SZ`, `AUT`).
    pub code: String,
    /// Display name.
    pub name: Text,
    /// Group memberships: group variable → group value (e.g. `region` → `PRD9`).
    pub groups: BTreeMap<String, String>,
    /// Longitude in degrees (WGS 84), if known.
    pub lon: Option<f64>,
    /// Latitude in degrees (WGS 84), if known.
    pub lat: Option<f64>,
    /// Other attributes (e.g. `adcode`), kept as text.
    pub attributes: BTreeMap<String, String>,
}

impl Unit {
    /// A unit with only a code (the name is the code).
    pub fn new(code: &str) -> Self {
        Unit {
            code: code.to_string(),
            name: Text::new(code, code),
            groups: BTreeMap::new(),
            lon: None,
            lat: None,
            attributes: BTreeMap::new(),
        }
    }
}
