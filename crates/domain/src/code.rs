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

/// An enum of short codes with labels, `ALL`, `code()`, `from_code()`,
/// and serde through the code.
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal {
        $($(#[$vmeta:meta])* $variant:ident => $code:literal, $label:literal;)+
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            pub fn from_code(code: &str) -> Option<$name> {
                Self::ALL.iter().copied().find(|value| value.code() == code)
            }

            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }

            /// Every value as a choice of a typed page's form.
            pub fn options() -> Vec<$crate::pages::Opt> {
                Self::ALL.iter().map(|v| $crate::pages::Opt::new(v.code(), v.label())).collect()
            }
        }

        $crate::code::serde_via_code!($name, $what);
    };
}

pub(crate) use code_enum;
