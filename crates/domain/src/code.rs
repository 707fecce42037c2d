//! Serde for enums that forms and storage hold as short codes.

/// Implements `Serialize` as `code()` and `Deserialize` through `from_code()`.
macro_rules! serde_via_code {
    ($ty:ty, $what:literal) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let code = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Self::from_code(&code).ok_or_else(|| {
                    serde::de::Error::custom(format!("unknown {}: {:?}", $what, code))
                })
            }
        }
    };
}

pub(crate) use serde_via_code;
