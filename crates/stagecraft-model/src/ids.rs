//! Stable, prefixed identifiers. The prefix tells a reader what an id points at (`cmp_` a
//! component, `con_` a connection, `grp_` a group, `dsg_` a design) and lets the loader reject an
//! id used in the wrong place.

use std::borrow::Cow;
use std::fmt;

use rand::Rng;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Characters allowed after the prefix. Lower case only, so ids survive case-insensitive file
/// systems and provider label rules (Hetzner labels, AWS tags, DigitalOcean tags).
const ID_ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
/// Length of the random part of a generated id: 36^10 ≈ 3.7e15, ample for one design.
const GENERATED_LEN: usize = 10;
/// Longest accepted suffix, so an id always fits in a provider label value (63 characters).
pub const MAX_SUFFIX_LEN: usize = 48;

/// Checks the part after the prefix: 1 to 48 characters of `[a-z0-9_-]`.
fn valid_suffix(suffix: &str) -> bool {
    !suffix.is_empty()
        && suffix.len() <= MAX_SUFFIX_LEN
        && suffix
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn random_suffix() -> String {
    let mut rng = rand::rng();
    (0..GENERATED_LEN)
        .map(|_| ID_ALPHABET[rng.random_range(0..ID_ALPHABET.len())] as char)
        .collect()
}

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, specta::Type)]
        pub struct $name(String);

        impl $name {
            /// The prefix every id of this type starts with.
            pub const PREFIX: &'static str = $prefix;

            /// A new random id, unique for all practical purposes.
            pub fn generate() -> Self {
                Self(format!("{}{}", $prefix, random_suffix()))
            }

            /// Parses an id, checking its prefix and characters.
            ///
            /// # Errors
            /// A message naming the expected form when `text` is not a valid id of this type.
            pub fn parse(text: &str) -> Result<Self, String> {
                match text.strip_prefix($prefix) {
                    Some(suffix) if valid_suffix(suffix) => Ok(Self(text.to_owned())),
                    _ => Err(format!(
                        "`{text}` is not a valid {} id: expected `{}` followed by 1 to {} characters of a-z, 0-9, `_` or `-`",
                        stringify!($name), $prefix, MAX_SUFFIX_LEN
                    )),
                }
            }

            /// The id as text, prefix included.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                Self::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = Cow::<'de, str>::deserialize(deserializer)?;
                Self::parse(&text).map_err(serde::de::Error::custom)
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "pattern": concat!("^", $prefix, "[a-z0-9_-]{1,48}$")
                })
            }
        }
    };
}

prefixed_id!(
    /// Identifies a component (`cmp_…`).
    ComponentId,
    "cmp_"
);
prefixed_id!(
    /// Identifies a connection (`con_…`).
    ConnectionId,
    "con_"
);
prefixed_id!(
    /// Identifies a group (`grp_…`).
    GroupId,
    "grp_"
);
prefixed_id!(
    /// Identifies a design across copies of its file; provisioning labels resources with it.
    DesignId,
    "dsg_"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_parse_back() {
        for _ in 0..100 {
            let id = ComponentId::generate();
            assert_eq!(ComponentId::parse(id.as_str()).unwrap(), id);
        }
    }

    #[test]
    fn wrong_prefix_and_characters_are_refused() {
        assert!(ComponentId::parse("con_abc").is_err());
        assert!(ComponentId::parse("cmp_").is_err());
        assert!(ComponentId::parse("cmp_ABC").is_err());
        assert!(ComponentId::parse("cmp_a b").is_err());
        assert!(ComponentId::parse(&format!("cmp_{}", "a".repeat(49))).is_err());
        assert!(GroupId::parse("grp_eu-central_1").is_ok());
    }
}
