//! AWS: a Query-API client signed with SigV4 (the official `aws-sigv4` crate, without the SDK)
//! and the driver that realises the neutral [`crate::resources::ResourceSpec`]s with EC2, ELBv2
//! and RDS.
//!
//! Credentials: the keyring secret for AWS holds `ACCESS_KEY_ID:SECRET_ACCESS_KEY` (an IAM
//! user's access key; temporary session credentials are not supported). It is parsed into
//! [`AwsCredentials`], which keeps the secret part a [`Secret`].
//!
//! One neutral resource may be several AWS objects (a network is a VPC, two subnets in two
//! availability zones, an internet gateway and a route table; a load balancer is a security
//! group, a target group, the ALB and its listeners; a database is a security group, a DB subnet
//! group and the DB instance). Every object carries the design's tags plus `stagecraft-part`,
//! and the primary object gets the settings fingerprint tag only once every part exists: a
//! resource without it is incomplete, and the next apply completes it instead of starting over.
//!
//! Limits respected: API throttling (`Throttling`, `RequestLimitExceeded`) is retried by the
//! shared transport with backoff; Describe calls follow `NextToken` / `Marker`; objects are found
//! by tags before anything is created, so a resumed apply adopts instead of duplicating.

pub mod client;
pub mod driver;
pub(crate) mod mapping;
pub mod xml;

use std::fmt;

pub use client::{AwsClient, Params, Service};
pub use driver::AwsDriver;

use crate::secret::Secret;

/// The production base URL: requests then go to each service's regional endpoint
/// (`https://ec2.eu-central-1.amazonaws.com/`). Any other base URL (a local peer) serves every
/// service on one port.
pub const AWS_API: &str = "https://ec2.amazonaws.com";

/// Tag naming which AWS object of a neutral resource this is (`vpc`, `subnet-a`, `tg`...).
pub const TAG_PART: &str = "stagecraft-part";

/// Canonical's AWS account: the only owner whose Ubuntu images are used.
pub const CANONICAL_OWNER: &str = "099720109477";

/// An AWS access key read from the keyring secret `ACCESS_KEY_ID:SECRET_ACCESS_KEY`.
pub struct AwsCredentials {
    pub access_key_id: String,
    secret_access_key: Secret,
}

impl AwsCredentials {
    /// Splits the keyring secret at its first `:`.
    ///
    /// # Errors
    /// A message (never containing the secret) when a part is missing or malformed.
    pub fn parse(secret: &Secret) -> Result<Self, String> {
        let form = "the AWS credential must be ACCESS_KEY_ID:SECRET_ACCESS_KEY (the access key \
                    id, a colon, then the secret access key)";
        let (id, key) = secret
            .expose()
            .split_once(':')
            .ok_or_else(|| format!("{form}; no colon found"))?;
        let id = id.trim();
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(format!(
                "{form}; the access key id must be letters and digits"
            ));
        }
        if key.trim().is_empty() {
            return Err(format!("{form}; the secret access key is empty"));
        }
        Ok(Self {
            access_key_id: id.to_owned(),
            secret_access_key: Secret::new(key),
        })
    }

    pub(crate) fn secret_access_key(&self) -> &Secret {
        &self.secret_access_key
    }
}

impl fmt::Debug for AwsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AwsCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .finish()
    }
}

/// The AWS regions of the catalogue: where the driver looks for a design's resources.
pub fn catalogue_regions() -> Vec<String> {
    stagecraft_model::catalog()
        .provider(stagecraft_model::Provider::Aws)
        .map(|p| p.regions.iter().map(|r| r.id.clone()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_split_at_the_first_colon_and_hide_the_secret() {
        let parsed =
            AwsCredentials::parse(&Secret::new("AKIDEXAMPLE:wJalr/K7MDENG+bPxRfiCY")).unwrap();
        assert_eq!(parsed.access_key_id, "AKIDEXAMPLE");
        assert_eq!(
            parsed.secret_access_key().expose(),
            "wJalr/K7MDENG+bPxRfiCY"
        );
        let shown = format!("{parsed:?}");
        assert!(!shown.contains("wJalr"), "Debug must redact: {shown}");
    }

    #[test]
    fn malformed_credentials_say_the_expected_form_without_echoing_it() {
        for bad in ["no-colon-secret", ":secret", "AKID:", "AK ID:secret"] {
            let error = AwsCredentials::parse(&Secret::new(bad)).unwrap_err();
            assert!(error.contains("ACCESS_KEY_ID:SECRET_ACCESS_KEY"), "{error}");
            assert!(!error.contains("secret\""), "{error}");
        }
    }
}
