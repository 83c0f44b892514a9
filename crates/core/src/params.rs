//! Reading and checking step parameters before anything runs.

use crate::value::{Params, Value};

/// Description of one parameter a step accepts (for errors, `--help` and docs).
#[derive(Debug, Clone, Copy)]
pub struct ParamInfo {
    /// Parameter name.
    pub name: &'static str,
    /// Default, in TOML syntax (`""` when there is none).
    pub default: &'static str,
    /// What it does (English).
    pub doc_en: &'static str,
    /// What it does (Chinese).
    pub doc_zh: &'static str,
}

/// An invalid step parameter.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ParamError {
    /// The parameter is not known to the step.
    #[error("unknown parameter '{name}'; valid parameters: {}", valid.join(", "))]
    Unknown {
        /// The name given.
        name: String,
        /// Valid names.
        valid: Vec<&'static str>,
    },
    /// The parameter has the wrong type.
    #[error("parameter '{name}' must be {expected}, got {got}")]
    WrongType {
        /// Parameter.
        name: String,
        /// Expected type.
        expected: &'static str,
        /// What was given (value in TOML syntax).
        got: String,
    },
    /// A method name is not registered.
    #[error("parameter '{name}' = \"{got}\" is not a known method; valid: {}", valid.join(", "))]
    UnknownMethod {
        /// Parameter.
        name: String,
        /// Given.
        got: String,
        /// Valid names.
        valid: Vec<&'static str>,
    },
    /// A range is flipped or empty.
    #[error("parameter '{name}' = [{lower}, {upper}] must have lower < upper")]
    FlippedRange {
        /// Parameter.
        name: String,
        /// Lower.
        lower: f64,
        /// Upper.
        upper: f64,
    },
    /// A value is out of its allowed domain.
    #[error("parameter '{name}' = {got}: {expected}")]
    OutOfDomain {
        /// Parameter.
        name: String,
        /// Given.
        got: String,
        /// What is allowed.
        expected: &'static str,
    },
    /// A node or level named in the parameters is not in the framework.
    #[error("parameter '{name}' names '{code}', which is not {expected} of the framework")]
    UnknownTarget {
        /// Parameter.
        name: String,
        /// The code or level given.
        code: String,
        /// What it should be ("a node", "an indicator", "a level").
        expected: &'static str,
    },
}

/// Typed access to a step's parameters; every getter checks the type and the name.
#[derive(Debug)]
pub struct ParamReader<'a> {
    params: &'a Params,
    prefix: String,
}

impl<'a> ParamReader<'a> {
    /// Checks that every given name is in `known`, then wraps the parameters.
    pub fn new(params: &'a Params, known: &[ParamInfo]) -> Result<Self, ParamError> {
        Self::with_prefix(params, known, "")
    }

    /// Like [`ParamReader::new`], naming parameters `prefix.name` in errors (for nested tables).
    pub fn with_prefix(params: &'a Params, known: &[ParamInfo], prefix: &str) -> Result<Self, ParamError> {
        for k in params.keys() {
            if !known.iter().any(|p| p.name == k) {
                return Err(ParamError::Unknown {
                    name: format!("{prefix}{k}"),
                    valid: known.iter().map(|p| p.name).collect(),
                });
            }
        }
        Ok(ParamReader { params, prefix: prefix.to_string() })
    }

    fn name(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    fn wrong(&self, key: &str, expected: &'static str, v: &Value) -> ParamError {
        ParamError::WrongType { name: self.name(key), expected, got: v.to_string() }
    }

    /// The raw value.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.params.get(key)
    }

    /// A float (integers accepted).
    pub fn f64(&self, key: &str, default: f64) -> Result<f64, ParamError> {
        match self.params.get(key) {
            None => Ok(default),
            Some(v) => match v.as_f64() {
                Some(x) if x.is_finite() => Ok(x),
                _ => Err(self.wrong(key, "a finite number", v)),
            },
        }
    }

    /// A non-negative integer.
    pub fn usize(&self, key: &str, default: usize) -> Result<usize, ParamError> {
        match self.params.get(key) {
            None => Ok(default),
            Some(Value::Int(i)) if *i >= 0 => Ok(*i as usize),
            Some(v) => Err(self.wrong(key, "a non-negative integer", v)),
        }
    }

    /// A boolean.
    pub fn bool(&self, key: &str, default: bool) -> Result<bool, ParamError> {
        match self.params.get(key) {
            None => Ok(default),
            Some(v) => v.as_bool().ok_or_else(|| self.wrong(key, "true or false", v)),
        }
    }

    /// A string.
    pub fn str(&self, key: &str, default: &'a str) -> Result<&'a str, ParamError> {
        match self.params.get(key) {
            None => Ok(default),
            Some(v) => v.as_str().ok_or_else(|| self.wrong(key, "a string", v)),
        }
    }

    /// One of a fixed set of names.
    pub fn choice(&self, key: &str, default: &'a str, valid: &[&'static str]) -> Result<&'a str, ParamError> {
        let s = self.str(key, default)?;
        if valid.contains(&s) {
            Ok(s)
        } else {
            Err(ParamError::UnknownMethod { name: self.name(key), got: s.to_string(), valid: valid.to_vec() })
        }
    }

    /// A pair `[a, b]` with `a < b`.
    pub fn range(&self, key: &str, default: (f64, f64)) -> Result<(f64, f64), ParamError> {
        let (a, b) = self.pair(key, default)?;
        if a < b { Ok((a, b)) } else { Err(ParamError::FlippedRange { name: self.name(key), lower: a, upper: b }) }
    }

    /// A pair `[a, b]` of finite numbers.
    pub fn pair(&self, key: &str, default: (f64, f64)) -> Result<(f64, f64), ParamError> {
        match self.params.get(key) {
            None => Ok(default),
            Some(v) => match v.as_pair() {
                Some((a, b)) if a.is_finite() && b.is_finite() => Ok((a, b)),
                _ => Err(self.wrong(key, "an array of two numbers, e.g. [0, 100]", v)),
            },
        }
    }

    /// A table of named entries (e.g. per-node overrides); empty when absent.
    pub fn table(&self, key: &str) -> Result<Vec<(&'a str, &'a Value)>, ParamError> {
        match self.params.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Table(t)) => Ok(t.iter().map(|(k, v)| (k.as_str(), v)).collect()),
            Some(v) => Err(self.wrong(key, "a table, e.g. { CODE = ... }", v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[ParamInfo] = &[
        ParamInfo { name: "range", default: "[0, 100]", doc_en: "", doc_zh: "" },
        ParamInfo { name: "method", default: "\"minmax\"", doc_en: "", doc_zh: "" },
    ];

    fn params(k: &str, v: Value) -> Params {
        let mut p = Params::new();
        p.insert(k.into(), v);
        p
    }

    #[test]
    fn unknown_parameter_lists_valid_ones() {
        let p = params("rnage", Value::Int(1));
        let e = ParamReader::new(&p, KNOWN).unwrap_err();
        assert!(matches!(&e, ParamError::Unknown { valid, .. } if valid == &["range", "method"]));
        assert!(e.to_string().contains("range, method"));
    }

    #[test]
    fn flipped_range() {
        let p = params("range", Value::Array(vec![Value::Int(100), Value::Int(0)]));
        let r = ParamReader::new(&p, KNOWN).unwrap();
        assert!(matches!(r.range("range", (0., 1.)), Err(ParamError::FlippedRange { .. })));
    }

    #[test]
    fn wrong_type_and_unknown_method() {
        let p = params("method", Value::Int(3));
        let r = ParamReader::new(&p, KNOWN).unwrap();
        assert!(matches!(r.str("method", "x"), Err(ParamError::WrongType { .. })));
        let p = params("method", Value::Str("nope".into()));
        let r = ParamReader::new(&p, KNOWN).unwrap();
        assert!(matches!(r.choice("method", "minmax", &["minmax"]), Err(ParamError::UnknownMethod { .. })));
        let p = params("range", Value::Str("x".into()));
        let r = ParamReader::new(&p, KNOWN).unwrap();
        assert!(matches!(r.pair("range", (0., 1.)), Err(ParamError::WrongType { .. })));
    }
}
