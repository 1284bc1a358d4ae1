//! Points on the map and distances between them.
//!
//! Terms: a [`GeoPoint`] is WGS-84 latitude/longitude in degrees, as
//! schema.org's `GeoCoordinates` carries it. Distances are great-circle
//! (haversine) metres on a spherical Earth; at kiosk scale (tens of
//! kilometres) the error against the ellipsoid is below 0.5 %, far under the
//! precision of a posting's address.

use serde::{Deserialize, Serialize};

/// Mean Earth radius (IUGG), metres.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A generous bounding box around the People's Republic of China, including
/// Hainan and the South China Sea islands' latitudes. Used to reject
/// coordinates that are swapped, zero or otherwise not in the country.
pub const CHINA_LAT: (f64, f64) = (3.0, 54.0);
pub const CHINA_LON: (f64, f64) = (73.0, 136.0);

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    pub const fn new(lat: f64, lon: f64) -> Self {
        Self { lat, lon }
    }

    /// True when the point lies inside [`CHINA_LAT`] × [`CHINA_LON`].
    pub fn in_china(&self) -> bool {
        (CHINA_LAT.0..=CHINA_LAT.1).contains(&self.lat) && (CHINA_LON.0..=CHINA_LON.1).contains(&self.lon)
    }

    /// Great-circle distance in metres.
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        haversine_m(self.lat, self.lon, other.lat, other.lon)
    }

    /// A latitude/longitude box that contains every point within `radius_m`
    /// of `self`. Longitude degrees shrink towards the poles, so the box is
    /// widened by 1/cos(lat) (evaluated at the edge nearer the pole).
    pub fn bounding_box(&self, radius_m: f64) -> BoundingBox {
        let dlat = (radius_m / EARTH_RADIUS_M).to_degrees();
        let far_lat = (self.lat.abs() + dlat).min(89.9);
        let dlon = dlat / far_lat.to_radians().cos();
        BoundingBox {
            min_lat: self.lat - dlat,
            max_lat: self.lat + dlat,
            min_lon: self.lon - dlon,
            max_lon: self.lon + dlon,
        }
    }
}

impl std::fmt::Display for GeoPoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:.5},{:.5}", self.lat, self.lon)
    }
}

impl std::str::FromStr for GeoPoint {
    type Err = String;

    /// Parses `LAT,LON` in decimal degrees, e.g. `24.50,118.13`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (lat, lon) = s
            .split_once(',')
            .ok_or_else(|| format!("expected LAT,LON (for example 24.50,118.13), got {s:?}"))?;
        let lat: f64 =
            lat.trim().parse().map_err(|_| format!("latitude {:?} is not a number", lat.trim()))?;
        let lon: f64 =
            lon.trim().parse().map_err(|_| format!("longitude {:?} is not a number", lon.trim()))?;
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(format!("{lat},{lon} is not a valid latitude,longitude"));
        }
        Ok(GeoPoint { lat, lon })
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    pub min_lat: f64,
    pub max_lat: f64,
    pub min_lon: f64,
    pub max_lon: f64,
}

/// Haversine distance in metres between two points given in degrees.
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_matches_known_values() {
        // For short distances the flat-earth (equirectangular) approximation
        // is accurate to well under a metre; compare against it.
        let (a, b) = (GeoPoint::new(24.50, 118.13), GeoPoint::new(24.5237, 118.1613));
        let x = (b.lon - a.lon).to_radians() * ((a.lat + b.lat) / 2.0).to_radians().cos();
        let y = (b.lat - a.lat).to_radians();
        let flat = EARTH_RADIUS_M * (x * x + y * y).sqrt();
        assert!((a.distance_m(&b) - flat).abs() < 1.0, "{} vs {flat}", a.distance_m(&b));
        assert_eq!(a.distance_m(&b), b.distance_m(&a));
        // One degree of latitude is ~111.2 km everywhere.
        let d = haversine_m(24.0, 118.0, 25.0, 118.0);
        assert!((d - 111_195.0).abs() < 10.0, "{d}");
        assert_eq!(haversine_m(24.5, 118.1, 24.5, 118.1), 0.0);
    }

    #[test]
    fn bounding_box_contains_the_circle() {
        let c = GeoPoint::new(24.5, 118.13);
        let b = c.bounding_box(5_000.0);
        // The four compass points at exactly 5 km lie inside the box.
        for bearing in 0..360 {
            let th = (bearing as f64).to_radians();
            let dlat = (5_000.0 * th.cos() / EARTH_RADIUS_M).to_degrees();
            let dlon = (5_000.0 * th.sin() / EARTH_RADIUS_M).to_degrees() / c.lat.to_radians().cos();
            let p = GeoPoint::new(c.lat + dlat, c.lon + dlon);
            assert!(p.lat >= b.min_lat && p.lat <= b.max_lat);
            assert!(p.lon >= b.min_lon && p.lon <= b.max_lon, "bearing {bearing}");
        }
    }

    #[test]
    fn parses_lat_lon() {
        let p: GeoPoint = "24.50, 118.13".parse().unwrap();
        assert_eq!(p, GeoPoint::new(24.50, 118.13));
        assert!("24.5".parse::<GeoPoint>().is_err());
        assert!("x,118".parse::<GeoPoint>().is_err());
        assert!("95,118".parse::<GeoPoint>().is_err());
    }

    #[test]
    fn china_box() {
        assert!(GeoPoint::new(24.5, 118.1).in_china());
        assert!(!GeoPoint::new(118.1, 24.5).in_china(), "swapped coordinates");
        assert!(!GeoPoint::new(0.0, 0.0).in_china());
        assert!(GeoPoint::new(22.78, 100.97).in_china(), "Pu'er, Yunnan");
        assert!(GeoPoint::new(45.75, 126.63).in_china(), "Harbin");
    }
}
