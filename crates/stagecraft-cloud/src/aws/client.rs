//! The AWS Query-API client: form-encoded POSTs signed with SigV4, XML answers, error codes
//! classified into [`ProviderErrorKind`]s, and pagination (`NextToken` for EC2, `Marker` for
//! ELBv2 and RDS). Retries, timeouts, cancellation and the call counter are the shared
//! [`Transport`]'s.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use reqwest::StatusCode;
use serde_json::Value;
use stagecraft_model::Provider;

use super::xml::{self, Element};
use super::{AwsCredentials, AWS_API};
use crate::secret::Secret;
use crate::transport::{
    without_url, ClientConfig, Dialect, ProviderError, ProviderErrorKind, Transport,
};

/// The services Stagecraft calls, each with its API version and signing name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    Ec2,
    Elbv2,
    Rds,
    Sts,
}

impl Service {
    /// The name SigV4 signs with (and the production host prefix).
    pub fn signing_name(self) -> &'static str {
        match self {
            Service::Ec2 => "ec2",
            Service::Elbv2 => "elasticloadbalancing",
            Service::Rds => "rds",
            Service::Sts => "sts",
        }
    }

    /// The Query API version sent with every action.
    pub fn version(self) -> &'static str {
        match self {
            Service::Ec2 => "2016-11-15",
            Service::Elbv2 => "2015-12-01",
            Service::Rds => "2014-10-31",
            Service::Sts => "2011-06-15",
        }
    }
}

/// The parameters of one action, in the order they are sent (`Filter.1.Name`, `Tag.1.Key`...).
#[derive(Debug, Clone, Default)]
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one parameter.
    pub fn set(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.0.push((name.into(), value.into()));
        self
    }

    /// Adds one parameter when there is a value.
    pub fn set_opt(self, name: &str, value: Option<impl Into<String>>) -> Self {
        match value {
            Some(value) => self.set(name, value),
            None => self,
        }
    }

    /// `Prefix.1`, `Prefix.2`... (EC2 lists) for each value.
    pub fn list<S: AsRef<str>>(mut self, prefix: &str, values: &[S]) -> Self {
        for (index, value) in values.iter().enumerate() {
            self.0
                .push((format!("{prefix}.{}", index + 1), value.as_ref().to_owned()));
        }
        self
    }

    /// EC2 filters: `Filter.N.Name` and `Filter.N.Value.M`.
    pub fn filters(mut self, filters: &[(&str, Vec<String>)]) -> Self {
        for (index, (name, values)) in filters.iter().enumerate() {
            let n = index + 1;
            self.0
                .push((format!("Filter.{n}.Name"), (*name).to_owned()));
            for (m, value) in values.iter().enumerate() {
                self.0
                    .push((format!("Filter.{n}.Value.{}", m + 1), value.clone()));
            }
        }
        self
    }

    /// EC2 `TagSpecification.N` for a resource type.
    pub fn tag_specification(
        mut self,
        index: usize,
        resource_type: &str,
        tags: &BTreeMap<String, String>,
    ) -> Self {
        self.0.push((
            format!("TagSpecification.{index}.ResourceType"),
            resource_type.to_owned(),
        ));
        for (m, (key, value)) in tags.iter().enumerate() {
            self.0.push((
                format!("TagSpecification.{index}.Tag.{}.Key", m + 1),
                key.clone(),
            ));
            self.0.push((
                format!("TagSpecification.{index}.Tag.{}.Value", m + 1),
                value.clone(),
            ));
        }
        self
    }

    /// ELBv2 `Tags.member.N.Key/Value`.
    pub fn member_tags(self, prefix: &str, tags: &BTreeMap<String, String>) -> Self {
        self.item_tags(prefix, "member", tags)
    }

    /// Tags as a list whose items the API names (`Tags.Tag.N.Key` for RDS).
    pub fn item_tags(mut self, prefix: &str, item: &str, tags: &BTreeMap<String, String>) -> Self {
        for (m, (key, value)) in tags.iter().enumerate() {
            self.0
                .push((format!("{prefix}.{item}.{}.Key", m + 1), key.clone()));
            self.0
                .push((format!("{prefix}.{item}.{}.Value", m + 1), value.clone()));
        }
        self
    }

    /// ELBv2 lists: `Prefix.member.N`.
    pub fn members<S: AsRef<str>>(self, prefix: &str, values: &[S]) -> Self {
        self.items(prefix, "member", values)
    }

    /// A list whose items the API names: RDS spells `SubnetIds.SubnetIdentifier.N` and
    /// `VpcSecurityGroupIds.VpcSecurityGroupId.N`.
    pub fn items<S: AsRef<str>>(mut self, prefix: &str, item: &str, values: &[S]) -> Self {
        for (index, value) in values.iter().enumerate() {
            self.0.push((
                format!("{prefix}.{item}.{}", index + 1),
                value.as_ref().to_owned(),
            ));
        }
        self
    }
}

/// Tags of an EC2 object (`tagSet/item`) or an ELBv2 / RDS one (`Tags/member`, `TagList/Tag`).
pub fn tags_of(element: &Element) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    for list in ["tagSet", "Tags", "TagList"] {
        for tag in element.items(list) {
            let key = tag.text_at("key").or_else(|| tag.text_at("Key"));
            let value = tag.text_at("value").or_else(|| tag.text_at("Value"));
            if let Some(key) = key {
                tags.insert(key.to_owned(), value.unwrap_or_default().to_owned());
            }
        }
    }
    tags
}

/// The form body of an action. The bytes signed are the bytes sent; every reserved character
/// is escaped (`/` in a CIDR, `+` and `=` in base64 user data), and `*` and `~` are spelled as
/// RFC 3986 does (`%2A`, `~`) rather than as the WHATWG form encoder does: AWS accepts both, and
/// peers that re-encode the parsed form before checking the signature (moto) produce these.
pub fn form_body(action: &str, version: &str, params: &Params) -> String {
    form_urlencoded::Serializer::new(String::new())
        .append_pair("Action", action)
        .append_pair("Version", version)
        .extend_pairs(params.0.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .finish()
        .replace('*', "%2A")
        .replace("%7E", "~")
}

/// AWS answers in XML; the transport's JSON error reader never sees them.
struct AwsDialect;

impl Dialect for AwsDialect {
    fn provider(&self) -> Provider {
        Provider::Aws
    }
    fn error_of(&self, _body: &Value) -> (Option<String>, Option<String>) {
        (None, None)
    }
    fn retryable_code(&self, code: &str) -> bool {
        throttling_code(code)
    }
}

/// Codes meaning "slow down: nothing was done".
fn throttling_code(code: &str) -> bool {
    matches!(
        code,
        "Throttling"
            | "ThrottlingException"
            | "ThrottledException"
            | "RequestLimitExceeded"
            | "RequestThrottled"
            | "RequestThrottledException"
            | "TooManyRequestsException"
            | "SlowDown"
            | "PriorRequestNotComplete"
            | "EC2ThrottledException"
    )
}

/// Codes meaning "AWS failed; the request may or may not have been carried out".
fn server_fault_code(code: &str) -> bool {
    matches!(
        code,
        "InternalError" | "InternalFailure" | "ServiceUnavailable" | "Unavailable"
    )
}

/// Codes meaning the credentials were refused.
fn auth_code(code: &str) -> bool {
    matches!(
        code,
        "AuthFailure"
            | "SignatureDoesNotMatch"
            | "InvalidClientTokenId"
            | "IncompleteSignature"
            | "MissingAuthenticationToken"
            | "UnrecognizedClientException"
            | "InvalidAccessKeyId"
            | "UnauthorizedOperation"
            | "AccessDenied"
            | "AccessDeniedException"
            | "ExpiredToken"
    )
}

/// Whether an error code says the object does not exist (`InvalidVpcID.NotFound`,
/// `LoadBalancerNotFound`, `DBInstanceNotFound`, `DBSubnetGroupNotFoundFault`).
pub fn not_found_code(code: &str) -> bool {
    code.contains("NotFound")
}

/// Kind, retryability and "may have been carried out" of an error answer.
fn classify(status: StatusCode, code: Option<&str>) -> (ProviderErrorKind, bool, bool) {
    let code = code.unwrap_or_default();
    if auth_code(code) || status == StatusCode::UNAUTHORIZED {
        (ProviderErrorKind::Unauthorized, false, false)
    } else if throttling_code(code) || status == StatusCode::TOO_MANY_REQUESTS {
        (ProviderErrorKind::RateLimited, true, false)
    } else if server_fault_code(code) || status.is_server_error() {
        (ProviderErrorKind::ServerError, true, true)
    } else if not_found_code(code) || status == StatusCode::NOT_FOUND {
        (ProviderErrorKind::NotFound, false, false)
    } else if code.contains("Duplicate") || code.contains("AlreadyExists") {
        (ProviderErrorKind::Conflict, false, false)
    } else if status == StatusCode::FORBIDDEN {
        (ProviderErrorKind::Unauthorized, false, false)
    } else {
        (ProviderErrorKind::InvalidRequest, false, false)
    }
}

/// An AWS API client for one set of credentials. Cheap to clone; clones share the connection
/// pool and the call counter. Every request is signed for its service and region.
#[derive(Clone)]
pub struct AwsClient {
    transport: Arc<Transport>,
    credentials: Arc<AwsCredentials>,
}

impl AwsClient {
    /// A client for `config.base_url` with a keyring secret `ACCESS_KEY_ID:SECRET_ACCESS_KEY`.
    ///
    /// # Errors
    /// [`ProviderErrorKind::Unauthorized`] when the secret is not in that form; TLS setup errors.
    pub fn new(config: ClientConfig, token: Secret) -> Result<Self, ProviderError> {
        let credentials = AwsCredentials::parse(&token).map_err(|message| {
            ProviderError::new(Provider::Aws, ProviderErrorKind::Unauthorized, message)
        })?;
        Ok(Self {
            transport: Transport::new(config, token, Box::new(AwsDialect))?,
            credentials: Arc::new(credentials),
        })
    }

    /// HTTP requests sent so far (retries and polls included).
    pub fn calls(&self) -> u64 {
        self.transport.calls()
    }

    pub(crate) fn config(&self) -> &ClientConfig {
        self.transport.config()
    }

    pub(crate) fn error(
        &self,
        kind: ProviderErrorKind,
        message: impl Into<String>,
    ) -> ProviderError {
        self.transport.error(kind, message)
    }

    pub(crate) async fn sleep(&self, duration: std::time::Duration) -> Result<(), ProviderError> {
        self.transport.sleep(duration).await
    }

    /// The URL a request for `service` in `region` goes to: the service's regional endpoint in
    /// production, else the configured base URL (a local peer serves every service on one port).
    pub fn endpoint(&self, service: Service, region: &str) -> String {
        let base = &self.transport.config().base_url;
        if base == AWS_API {
            format!("https://{}.{region}.amazonaws.com/", service.signing_name())
        } else {
            format!("{base}/")
        }
    }

    /// Calls `action` and returns the answer's root element.
    ///
    /// `idempotent` says whether sending it twice is harmless (every Describe, Delete and tag
    /// call; a create with a `ClientToken`): only those are retried after an answer that may
    /// hide a request carried out.
    ///
    /// # Errors
    /// A [`ProviderError`] with the action and AWS's error code in its message.
    pub async fn call(
        &self,
        service: Service,
        region: &str,
        action: &str,
        params: &Params,
        idempotent: bool,
    ) -> Result<Element, ProviderError> {
        let body = form_body(action, service.version(), params);
        let url = self.endpoint(service, region);
        self.transport
            .retrying(idempotent, || {
                self.exchange(service, region, action, &url, body.as_bytes())
            })
            .await
    }

    async fn exchange(
        &self,
        service: Service,
        region: &str,
        action: &str,
        url: &str,
        body: &[u8],
    ) -> Result<Element, (ProviderError, Option<std::time::Duration>)> {
        let what = format!("{action} ({} {region})", service.signing_name());
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let signed = self
            .credentials
            .sign(service, region, url, content_type, body)
            .map_err(|message| {
                (
                    self.error(
                        ProviderErrorKind::InvalidRequest,
                        format!("{what}: signing failed: {message}"),
                    ),
                    None,
                )
            })?;
        let mut request = self
            .transport
            .http()
            .post(url)
            .header("content-type", content_type)
            .body(body.to_vec());
        for (name, value) in signed {
            request = request.header(name, value);
        }
        self.transport.count_call();
        let cancel = &self.transport.config().cancel;
        let sent = tokio::select! {
            _ = cancel.cancelled() => {
                return Err((self.error(ProviderErrorKind::Cancelled, "cancelled"), None));
            }
            sent = request.send() => sent,
        };
        let response = match sent {
            Ok(response) => response,
            Err(e) => {
                let timeout = e.is_timeout();
                let mut error = self.error(
                    if timeout {
                        ProviderErrorKind::Timeout
                    } else {
                        ProviderErrorKind::Network
                    },
                    format!("{what}: {}", without_url(&e)),
                );
                error.retryable = true;
                // A connection refused never reached AWS; a timeout may have.
                error.maybe_processed = timeout || !e.is_connect();
                return Err((error, None));
            }
        };
        let status = response.status();
        let text = tokio::select! {
            _ = cancel.cancelled() => {
                return Err((self.error(ProviderErrorKind::Cancelled, "cancelled"), None));
            }
            text = response.text() => text,
        };
        let text = text.map_err(|e| {
            let mut error = self.error(
                ProviderErrorKind::Network,
                format!("{what}: {}", without_url(&e)),
            );
            error.retryable = true;
            error.maybe_processed = true;
            (error, None)
        })?;
        let parsed = xml::parse(&text);
        if status.is_success() {
            return parsed.map_err(|e| {
                (
                    self.error(
                        ProviderErrorKind::UnexpectedResponse,
                        format!("{what}: the answer is not XML: {e}"),
                    ),
                    None,
                )
            });
        }
        let root = parsed.ok();
        let code = root
            .as_ref()
            .and_then(|r| r.find("Code"))
            .map(|c| c.text.clone())
            .filter(|c| !c.is_empty());
        let message = root
            .as_ref()
            .and_then(|r| r.find("Message"))
            .map(|m| m.text.clone())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
        let (kind, retryable, maybe_processed) = classify(status, code.as_deref());
        let mut text = format!(
            "{what}: {}{message}",
            code.as_deref()
                .map(|c| format!("{c}: "))
                .unwrap_or_default()
        );
        if kind == ProviderErrorKind::Unauthorized {
            text.push_str(
                " (check the AWS credentials stored for this account: ACCESS_KEY_ID:SECRET_ACCESS_KEY)",
            );
        }
        Err((
            ProviderError {
                provider: Provider::Aws,
                kind,
                status: Some(status.as_u16()),
                code,
                message: text,
                retryable,
                maybe_processed,
            },
            None,
        ))
    }

    /// Calls a Describe action until its pages run out and returns every item of `list` (a path
    /// below the answer's root, e.g. `vpcSet` or `DescribeLoadBalancersResult/LoadBalancers`).
    ///
    /// # Errors
    /// As [`AwsClient::call`]; an answer that repeats its page token.
    pub async fn describe_all(
        &self,
        service: Service,
        region: &str,
        action: &str,
        params: &Params,
        list: &str,
    ) -> Result<Vec<Element>, ProviderError> {
        let (request_token, answer_token) = match service {
            Service::Ec2 => ("NextToken", "nextToken"),
            Service::Elbv2 => ("Marker", "NextMarker"),
            Service::Rds | Service::Sts => ("Marker", "Marker"),
        };
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut page = params.clone();
            if let Some(token) = &token {
                page = page.set(request_token, token.clone());
            }
            let answer = self.call(service, region, action, &page, true).await?;
            out.extend(answer.items(list).iter().cloned());
            let result = answer
                .children
                .iter()
                .find(|c| c.name.ends_with("Result"))
                .unwrap_or(&answer);
            let next = answer
                .text_at(answer_token)
                .or_else(|| result.text_at(answer_token))
                .map(str::to_owned);
            match next {
                Some(next) if token.as_deref() == Some(next.as_str()) => {
                    return Err(self.error(
                        ProviderErrorKind::UnexpectedResponse,
                        format!("{action}: the same page token came back twice"),
                    ))
                }
                Some(next) => token = Some(next),
                None => break,
            }
        }
        Ok(out)
    }

    /// A cheap authenticated call (STS GetCallerIdentity): proves the credentials are accepted.
    ///
    /// # Errors
    /// [`ProviderErrorKind::Unauthorized`] for refused credentials; transport errors.
    pub async fn verify(&self) -> Result<(), ProviderError> {
        self.call(
            Service::Sts,
            "us-east-1",
            "GetCallerIdentity",
            &Params::new(),
            true,
        )
        .await
        .map(|_| ())
    }
}

impl AwsCredentials {
    /// The SigV4 headers (`authorization`, `x-amz-date`) for one POST of `body` to `url`.
    fn sign(
        &self,
        service: Service,
        region: &str,
        url: &str,
        content_type: &str,
        body: &[u8],
    ) -> Result<Vec<(String, String)>, String> {
        // Built per request from the Secret so the key lives in one more place only briefly.
        let identity = aws_credential_types::Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key().expose().to_owned(),
            None,
            None,
            "stagecraft-keyring",
        )
        .into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(region)
            .name(service.signing_name())
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let request = SignableRequest::new(
            "POST",
            url,
            [("content-type", content_type)].into_iter(),
            SignableBody::Bytes(body),
        )
        .map_err(|e| e.to_string())?;
        let (instructions, _signature) = sign(request, &params)
            .map_err(|e| e.to_string())?
            .into_parts();
        Ok(instructions
            .headers()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A peer answering each request with the next canned `(status, body)`, recording bodies.
    async fn canned_peer(
        answers: Vec<(u16, &'static str)>,
    ) -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let record = seen.clone();
        tokio::spawn(async move {
            for (status, body) in answers {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut request = Vec::new();
                let mut buffer = [0u8; 4096];
                // Read the head, then as many body bytes as Content-Length says.
                loop {
                    let n = socket.read(&mut buffer).await.unwrap();
                    request.extend_from_slice(&buffer[..n]);
                    let text = String::from_utf8_lossy(&request).to_string();
                    if let Some((head, rest)) = text.split_once("\r\n\r\n") {
                        let length = head
                            .lines()
                            .find_map(|l| {
                                l.to_ascii_lowercase()
                                    .strip_prefix("content-length:")
                                    .map(|v| v.trim().parse::<usize>().unwrap())
                            })
                            .unwrap_or(0);
                        if rest.len() >= length {
                            record.lock().unwrap().push(rest.to_owned());
                            break;
                        }
                    }
                }
                let reply = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: text/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                socket.write_all(reply.as_bytes()).await.unwrap();
            }
        });
        (url, seen)
    }

    fn fast_client(url: &str) -> AwsClient {
        let mut config = ClientConfig::new(url);
        config.retry.base_delay = std::time::Duration::from_millis(5);
        config.retry.max_delay = std::time::Duration::from_millis(20);
        AwsClient::new(config, Secret::new("AKIDTEST:test-secret")).unwrap()
    }

    #[tokio::test]
    async fn describe_follows_next_tokens_and_markers_to_the_last_page() {
        let (url, seen) = canned_peer(vec![
            (200, "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-1</vpcId></item></vpcSet><nextToken>page2</nextToken></DescribeVpcsResponse>"),
            (200, "<DescribeVpcsResponse><vpcSet><item><vpcId>vpc-2</vpcId></item></vpcSet></DescribeVpcsResponse>"),
            (200, "<DescribeLoadBalancersResponse><DescribeLoadBalancersResult><LoadBalancers><member><LoadBalancerArn>a</LoadBalancerArn></member></LoadBalancers><NextMarker>m2</NextMarker></DescribeLoadBalancersResult></DescribeLoadBalancersResponse>"),
            (200, "<DescribeLoadBalancersResponse><DescribeLoadBalancersResult><LoadBalancers><member><LoadBalancerArn>b</LoadBalancerArn></member></LoadBalancers></DescribeLoadBalancersResult></DescribeLoadBalancersResponse>"),
        ])
        .await;
        let client = fast_client(&url);
        let vpcs = client
            .describe_all(
                Service::Ec2,
                "eu-west-1",
                "DescribeVpcs",
                &Params::new(),
                "vpcSet",
            )
            .await
            .unwrap();
        let ids: Vec<_> = vpcs.iter().filter_map(|v| v.text_at("vpcId")).collect();
        assert_eq!(ids, ["vpc-1", "vpc-2"]);
        let balancers = client
            .describe_all(
                Service::Elbv2,
                "eu-west-1",
                "DescribeLoadBalancers",
                &Params::new(),
                "DescribeLoadBalancersResult/LoadBalancers",
            )
            .await
            .unwrap();
        assert_eq!(balancers.len(), 2);
        let bodies = seen.lock().unwrap().clone();
        assert!(!bodies[0].contains("NextToken"), "{bodies:?}");
        assert!(bodies[1].contains("NextToken=page2"), "{bodies:?}");
        assert!(bodies[3].contains("Marker=m2"), "{bodies:?}");
        assert_eq!(client.calls(), 4);
    }

    #[tokio::test]
    async fn throttling_and_server_errors_are_retried_by_the_shared_transport() {
        let (url, seen) = canned_peer(vec![
            (400, "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>slow down</Message></Error></Errors></Response>"),
            (503, "<Response><Errors><Error><Code>Unavailable</Code><Message>try later</Message></Error></Errors></Response>"),
            (200, "<DescribeVpcsResponse><vpcSet/></DescribeVpcsResponse>"),
            // A create that AWS may have carried out is not sent again blindly.
            (500, "<Response><Errors><Error><Code>InternalError</Code><Message>oops</Message></Error></Errors></Response>"),
        ])
        .await;
        let client = fast_client(&url);
        client
            .call(
                Service::Ec2,
                "eu-west-1",
                "DescribeVpcs",
                &Params::new(),
                true,
            )
            .await
            .expect("retried until it succeeded");
        let error = client
            .call(
                Service::Ec2,
                "eu-west-1",
                "CreateVpc",
                &Params::new(),
                false,
            )
            .await
            .unwrap_err();
        assert_eq!(error.kind, ProviderErrorKind::ServerError);
        assert!(
            error.maybe_processed,
            "the caller looks before creating again"
        );
        assert_eq!(
            seen.lock().unwrap().len(),
            4,
            "three tries, then one create"
        );
    }

    #[test]
    fn error_codes_map_to_kinds() {
        let bad = StatusCode::BAD_REQUEST;
        assert_eq!(
            classify(StatusCode::UNAUTHORIZED, Some("AuthFailure")).0,
            ProviderErrorKind::Unauthorized
        );
        assert_eq!(
            classify(StatusCode::FORBIDDEN, Some("SignatureDoesNotMatch")).0,
            ProviderErrorKind::Unauthorized
        );
        assert_eq!(
            classify(bad, Some("RequestLimitExceeded")),
            (ProviderErrorKind::RateLimited, true, false),
            "throttling did nothing: retry anything"
        );
        assert_eq!(
            classify(StatusCode::SERVICE_UNAVAILABLE, None),
            (ProviderErrorKind::ServerError, true, true),
            "a 5xx may hide a request carried out"
        );
        assert_eq!(
            classify(bad, Some("InvalidVpcID.NotFound")).0,
            ProviderErrorKind::NotFound
        );
        assert_eq!(
            classify(bad, Some("DBInstanceNotFound")).0,
            ProviderErrorKind::NotFound
        );
        assert_eq!(
            classify(bad, Some("InvalidGroup.Duplicate")).0,
            ProviderErrorKind::Conflict
        );
        assert_eq!(
            classify(bad, Some("InvalidParameterValue")).0,
            ProviderErrorKind::InvalidRequest
        );
    }

    #[test]
    fn form_bodies_escape_what_the_signature_check_reencodes() {
        let body = form_body(
            "DescribeImages",
            "2016-11-15",
            &Params::new()
                .set("CidrBlock", "10.0.0.0/16")
                .set("Filter.1.Value.1", "ubuntu/images/*noble~ x")
                .set("UserData", "I2Nsb3Vk+/="),
        );
        assert_eq!(
            body,
            "Action=DescribeImages&Version=2016-11-15&CidrBlock=10.0.0.0%2F16\
             &Filter.1.Value.1=ubuntu%2Fimages%2F%2Anoble~+x&UserData=I2Nsb3Vk%2B%2F%3D"
        );
    }

    #[test]
    fn params_spell_lists_filters_and_tags_as_the_query_api_wants() {
        let tags = BTreeMap::from([("a".to_owned(), "1".to_owned())]);
        let params = Params::new()
            .filters(&[("tag:x", vec!["y".into(), "z".into()])])
            .tag_specification(1, "vpc", &tags)
            .members("Subnets", &["s-1", "s-2"])
            .list("SecurityGroupId", &["sg-1"]);
        let names: Vec<String> = params.0.iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(
            names,
            [
                "Filter.1.Name=tag:x",
                "Filter.1.Value.1=y",
                "Filter.1.Value.2=z",
                "TagSpecification.1.ResourceType=vpc",
                "TagSpecification.1.Tag.1.Key=a",
                "TagSpecification.1.Tag.1.Value=1",
                "Subnets.member.1=s-1",
                "Subnets.member.2=s-2",
                "SecurityGroupId.1=sg-1",
            ]
        );
    }
}
