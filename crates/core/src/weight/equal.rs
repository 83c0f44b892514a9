//! Equal weights: every child of an aggregate gets weight 1 (so `1/k` after re-scaling).

use super::{WeightError, WeightInput, Weighter};

/// Equal weights.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Equal;

impl Weighter for Equal {
    fn name(&self) -> &'static str {
        "equal"
    }

    fn weights(&self, input: &WeightInput<'_>) -> Result<Vec<f64>, WeightError> {
        Ok(vec![1.0; input.children.len()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ones() {
        let c = [1.0, 2.0];
        let kids: [&[f64]; 2] = [&c, &c];
        let i = WeightInput { node: "n", child_codes: &["a", "b"], children: &kids, panel: &[], prior: &[3.0, 1.0] };
        assert_eq!(Equal.weights(&i).unwrap(), vec![1.0, 1.0]);
    }
}
