//! A noise level written as `lambda = log(alpha / sigma)` (half the log-SNR).
//!
//! In files a finite level is a number and the clean end (`lambda = +inf`, sigma = 0) is the
//! string `"clean"`, so RON and JSON (which has no infinity) both round-trip.

use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A noise level in lambda; larger is cleaner.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Lambda(pub f64);

impl Lambda {
    /// The clean end: sigma = 0.
    pub const CLEAN: Lambda = Lambda(f64::INFINITY);

    /// Whether this is the clean end.
    pub fn is_clean(self) -> bool {
        self.0 == f64::INFINITY
    }

    /// `sigma` of a VP process at this level.
    pub fn sigma(self) -> f64 {
        crate::vp::sigma(self.0)
    }
}

impl fmt::Display for Lambda {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_clean() {
            write!(f, "clean")
        } else {
            write!(f, "{}", self.0)
        }
    }
}

impl Serialize for Lambda {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.is_clean() {
            s.serialize_str("clean")
        } else {
            s.serialize_f64(self.0)
        }
    }
}

struct LambdaVisitor;

impl Visitor<'_> for LambdaVisitor {
    type Value = Lambda;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "a finite lambda (number) or \"clean\"")
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Lambda, E> {
        Ok(Lambda(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Lambda, E> {
        Ok(Lambda(v as f64))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Lambda, E> {
        Ok(Lambda(v as f64))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Lambda, E> {
        match v {
            "clean" => Ok(Lambda::CLEAN),
            _ => Err(E::custom(format!(
                "unknown noise level \"{v}\": write a number or \"clean\""
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for Lambda {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Lambda, D::Error> {
        d.deserialize_any(LambdaVisitor)
    }
}
