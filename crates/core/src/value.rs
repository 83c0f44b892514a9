//! Step parameters: a small TOML-like value model, so the core needs no TOML parser.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

/// A parameter value, as given in the project file or with `--set`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Value {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// An array.
    Array(Vec<Value>),
    /// A table.
    Table(BTreeMap<String, Value>),
}

impl Value {
    /// The value as a float (integers convert).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }
    /// The value as a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
    /// The value as a bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
    /// The value as a table.
    pub fn as_table(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Table(t) => Some(t),
            _ => None,
        }
    }
    /// The value as a pair of floats (`[a, b]`).
    pub fn as_pair(&self) -> Option<(f64, f64)> {
        match self {
            Value::Array(a) if a.len() == 2 => Some((a[0].as_f64()?, a[1].as_f64()?)),
            _ => None,
        }
    }
    /// A short name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "float",
            Value::Str(_) => "string",
            Value::Array(_) => "array",
            Value::Table(_) => "table",
        }
    }
}

impl fmt::Display for Value {
    /// TOML syntax.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => {
                if x.fract() == 0.0 && x.is_finite() && x.abs() < 1e15 {
                    write!(f, "{x:.1}")
                } else {
                    write!(f, "{x}")
                }
            }
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Array(a) => {
                write!(f, "[")?;
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{v}")?;
                }
                write!(f, "]")
            }
            Value::Table(t) => {
                write!(f, "{{ ")?;
                for (i, (k, v)) in t.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                write!(f, " }}")
            }
        }
    }
}

/// Parameters of one step: name → value.
pub type Params = BTreeMap<String, Value>;

/// One pipeline step as declared: its name and parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepSpec {
    /// Registered step name (`normalise`, `aggregate`, …).
    pub step: String,
    /// Parameters (everything but `step`).
    pub params: Params,
}

impl StepSpec {
    /// A step with no parameters (all defaults).
    pub fn new(step: &str) -> Self {
        StepSpec { step: step.to_string(), params: Params::new() }
    }
    /// Sets one parameter.
    pub fn with(mut self, key: &str, v: Value) -> Self {
        self.params.insert(key.to_string(), v);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_toml() {
        let v = Value::Array(vec![Value::Int(1), Value::Float(100.0)]);
        assert_eq!(v.to_string(), "[1, 100.0]");
        assert_eq!(v.as_pair(), Some((1.0, 100.0)));
        assert_eq!(Value::Str("rank".into()).to_string(), "\"rank\"");
    }
}
