//! Great-circle distances.
//!
//! Haversine formula on a sphere of radius 6371 km (the IUGG mean Earth radius, as used by
//! scikit-mobility and most gravity-model studies):
//! `d = 2 R asin( sqrt( sin²(Δφ/2) + cos φ1 cos φ2 sin²(Δλ/2) ) )`.

use crate::error::{Error, Result};
use crate::input::Units;

/// Mean Earth radius in km.
pub const EARTH_RADIUS_KM: f64 = 6371.0;

/// Great-circle distance in km between two points given in decimal degrees.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// The `n × n` row-major great-circle distance matrix of the units (km).
pub fn great_circle_matrix(units: &Units) -> Result<Vec<f64>> {
    let n = units.len();
    if let Some(u) = (0..n).find(|&u| !units.lat[u].is_finite() || !units.lon[u].is_finite()) {
        return Err(Error::NoCoordinates { unit: units.codes[u].clone() });
    }
    let mut d = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            if i != j {
                d[i * n + j] = haversine_km(units.lat[i], units.lon[i], units.lat[j], units.lon[j]);
            }
        }
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hand-computed: one degree of longitude on the equator is 2πR/360 km; a quarter meridian
    /// (equator to pole) is πR/2.
    #[test]
    fn haversine_hand_computed() {
        let one_degree = 2.0 * std::f64::consts::PI * EARTH_RADIUS_KM / 360.0;
        assert!((haversine_km(0.0, 0.0, 0.0, 1.0) - one_degree).abs() < 1e-9);
        assert!((haversine_km(0.0, 10.0, 90.0, 10.0) - std::f64::consts::PI * EARTH_RADIUS_KM / 2.0).abs() < 1e-9);
        assert_eq!(haversine_km(22.5, 114.0, 22.5, 114.0), 0.0);
        // Antipodes: half the circumference (asin argument clamped at 1).
        assert!((haversine_km(0.0, 0.0, 0.0, 180.0) - std::f64::consts::PI * EARTH_RADIUS_KM).abs() < 1e-9);
        // Symmetric.
        let (a, b) = (haversine_km(23.13, 113.26, 22.55, 114.08), haversine_km(22.55, 114.08, 23.13, 113.26));
        assert!((a - b).abs() < 1e-12);
    }
}
