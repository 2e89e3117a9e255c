//! Flow tests on AWS: the engine and the AWS driver against moto, a local AWS peer, with every
//! request's SigV4 signature verified (moto checks signatures once its first three unsigned
//! calls, which create the test's IAM access key, are spent).
//!
//! What exists is read back independently with boto3 (`tests/aws/inventory.py`), not through
//! the code under test. moto comes from `scripts/setup-moto.sh`; without it these tests fail and
//! say so. moto ignores RunInstances' ClientToken, so a resumed apply must find what it created
//! by tags: the crash tests check exactly that.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use stagecraft_cloud::aws::{AwsClient, AwsDriver, Params, Service};
use stagecraft_cloud::engine::CrashPoint;
use stagecraft_cloud::resources::{
    map_design, MappingOptions, ResourceKey, ResourceSpec, LABEL_COMPONENT, LABEL_DESIGN,
    LABEL_RESOURCE, LABEL_SPEC,
};
use stagecraft_cloud::state::{state_path, EntryStatus, StateFile};
use stagecraft_cloud::{
    verify_token, ApplyProgress, ChangeAction, ClientConfig, Engine, EngineError, EngineOptions,
    ProviderErrorKind, RetryPolicy, Secret,
};
use stagecraft_model::{catalog, save_file, template_by_slug, Design, DesignId, Provider};

/// A public key for the key pair tests (no private half is kept anywhere).
const PUBLIC_KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICl48dAXhDbI+HeWZZVOlIwBqpKJ2YeriiSDuo621LQg stagecraft-test";

/// Canonical's Ubuntu 24.04 images as moto serves them (moto ships none of Noble): the driver
/// must find them the way it does at AWS, by Canonical's owner id and the image name.
const IMAGES: &str = r#"[
  {"ami_id": "ami-0c0ffee0000024040", "state": "available", "public": true, "owner_id": "099720109477",
   "image_location": "amazon/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20260101",
   "sriov": "simple", "root_device_type": "ebs", "root_device_name": "/dev/sda1",
   "description": "Canonical, Ubuntu, 24.04, amd64 noble image", "image_type": "machine",
   "architecture": "x86_64", "name": "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20260101",
   "virtualization_type": "hvm", "hypervisor": "xen", "creation_date": "2026-01-01T00:00:00.000Z"},
  {"ami_id": "ami-0c0ffee0000024039", "state": "available", "public": true, "owner_id": "099720109477",
   "image_location": "amazon/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250601",
   "sriov": "simple", "root_device_type": "ebs", "root_device_name": "/dev/sda1",
   "description": "an older build: the newest must win", "image_type": "machine",
   "architecture": "x86_64", "name": "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250601",
   "virtualization_type": "hvm", "hypervisor": "xen", "creation_date": "2025-06-01T00:00:00.000Z"},
  {"ami_id": "ami-0bad0000000000001", "state": "available", "public": true, "owner_id": "123456789012",
   "image_location": "someone/ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-29990101",
   "sriov": "simple", "root_device_type": "ebs", "root_device_name": "/dev/sda1",
   "description": "same name, not Canonical's: must never be used", "image_type": "machine",
   "architecture": "x86_64", "name": "ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-29990101",
   "virtualization_type": "hvm", "hypervisor": "xen", "creation_date": "2099-01-01T00:00:00.000Z"}
]"#;
const UBUNTU_IMAGE: &str = "ami-0c0ffee0000024040";

fn moto_server() -> PathBuf {
    let path = std::env::var("STAGECRAFT_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|_| common::workspace_root().join(".tools/venv/bin/moto_server"));
    assert!(
        path.exists(),
        "moto is missing at {}: run scripts/setup-moto.sh (or set STAGECRAFT_MOTO_SERVER); \
         the AWS flow tests need this local AWS peer",
        path.display()
    );
    path
}

/// A moto server on a free port, with an IAM access key; killed when dropped.
struct Moto {
    child: Child,
    port: u16,
    python: PathBuf,
    /// `ACCESS_KEY_ID:SECRET_ACCESS_KEY`, as the keyring would hold it.
    credentials: String,
    _dir: tempfile::TempDir,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Moto {
    fn start() -> Self {
        let server = moto_server();
        let python = server.with_file_name("python");
        let dir = tempfile::tempdir().unwrap();
        let images = dir.path().join("images.json");
        std::fs::write(&images, IMAGES).unwrap();
        let port = common::free_port();
        let log = std::fs::File::create(dir.path().join("moto.log")).unwrap();
        let mut child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("INITIAL_NO_AUTH_ACTION_COUNT", "3")
            .env("MOTO_AMIS_PATH", &images)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", server.display()));
        common::wait_for_port(port, Duration::from_secs(60), "moto_server", &mut child);
        let mut moto = Self {
            child,
            port,
            python,
            credentials: String::new(),
            _dir: dir,
        };
        let out = moto.python_script("access_key.py", &[]);
        moto.credentials = out.trim().to_owned();
        assert!(moto.credentials.contains(':'), "{out}");
        moto
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn python_script(&self, script: &str, env: &[(&str, String)]) -> String {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/aws")
            .join(script);
        let (key_id, secret) = self
            .credentials
            .split_once(':')
            .unwrap_or(("unset", "unset"));
        let output = Command::new(&self.python)
            .arg(&path)
            .env("MOTO_ENDPOINT", self.url())
            .env("MOTO_KEY_ID", key_id)
            .env("MOTO_SECRET", secret)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.python.display()));
        assert!(
            output.status.success(),
            "{script} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// Every object at moto in the catalogue's AWS regions, read with boto3.
    fn inventory(&self) -> Vec<Value> {
        let regions = stagecraft_cloud::aws::catalogue_regions().join(",");
        let out = self.python_script("inventory.py", &[("MOTO_REGIONS", regions)]);
        serde_json::from_str(&out).unwrap()
    }
}

fn tag<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object["tags"][key].as_str()
}

fn of_design<'a>(inventory: &'a [Value], design: &str) -> Vec<&'a Value> {
    inventory
        .iter()
        .filter(|o| tag(o, LABEL_DESIGN) == Some(design))
        .collect()
}

fn aws_region(region: &str) -> String {
    match region {
        "fsn1" | "nbg1" => "eu-central-1",
        "hel1" => "eu-west-1",
        "ash" => "us-east-1",
        "hil" => "us-west-2",
        "sin" => "ap-southeast-1",
        other => other,
    }
    .to_owned()
}

/// A template moved to AWS: regions and sizes from the catalogue's AWS offerings.
fn aws_design(slug: &str, id: Option<&str>) -> Design {
    let mut design = template_by_slug(slug).unwrap().design().unwrap();
    if let Some(id) = id {
        design.id = DesignId::parse(id).unwrap();
    }
    for component in &mut design.components {
        if component.provider == Provider::Unassigned || component.provider == Provider::Aws {
            continue;
        }
        component.provider = Provider::Aws;
        component.region = component.region.as_deref().map(aws_region);
        if component.size.is_some() {
            component.size = catalog()
                .offering(component.kind, Provider::Aws)
                .and_then(|o| o.default_size.clone());
        }
    }
    for group in &mut design.groups {
        if group.provider != Provider::Unassigned {
            group.provider = Provider::Aws;
        }
        group.region = group.region.as_deref().map(aws_region);
    }
    design
}

fn design_file(dir: &Path, design: &Design) -> PathBuf {
    let path = dir.join(format!("{}.stagecraft.json", design.id.as_str()));
    save_file(&path, design).unwrap();
    path
}

fn mapping_options() -> MappingOptions {
    MappingOptions {
        ssh_public_key: Some(PUBLIC_KEY.into()),
        ..MappingOptions::default()
    }
}

fn config(url: &str) -> ClientConfig {
    let mut config = ClientConfig::new(url);
    config.retry = RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_secs(1),
        request_timeout: Duration::from_secs(20),
    };
    config.poll_interval = Duration::from_millis(25);
    config.action_timeout = Duration::from_secs(60);
    config
}

type Events = Arc<Mutex<Vec<ApplyProgress>>>;

fn engine(moto: &Moto, credentials: &str, events: &Events, crash_at: Option<CrashPoint>) -> Engine {
    let sink = events.clone();
    let options = EngineOptions {
        parallelism: 6,
        mapping: mapping_options(),
        progress: Some(Arc::new(move |e| sink.lock().unwrap().push(e))),
        crash_at,
    };
    let client = AwsClient::new(config(&moto.url()), Secret::new(credentials)).unwrap();
    // Plans are costed with the embedded prices, not the developer's stored refreshes.
    Engine::new(options)
        .with_driver(Arc::new(AwsDriver::new(client)))
        .with_prices(stagecraft_pricing::StoredPrices::embedded_only())
}

/// The AWS objects each neutral resource must have become, by `stagecraft-part`.
fn expected_parts(spec: &ResourceSpec) -> Vec<String> {
    let parts: Vec<String> = match spec {
        ResourceSpec::Network { .. } => vec!["vpc", "subnet-a", "subnet-b", "igw", "rtb"]
            .into_iter()
            .map(String::from)
            .collect(),
        ResourceSpec::Firewall { .. } => vec!["sg".into()],
        ResourceSpec::SshKey { .. } => vec!["key-pair".into()],
        ResourceSpec::Server { .. } => vec!["instance".into()],
        ResourceSpec::PrimaryIp { .. } => vec!["eip".into()],
        ResourceSpec::Volume { .. } => vec!["volume".into()],
        ResourceSpec::LoadBalancer { services, .. } => {
            let mut parts = vec!["lb-sg".to_owned(), "lb".to_owned()];
            let mut ports: Vec<u16> = services.iter().map(|s| s.destination_port).collect();
            ports.sort();
            ports.dedup();
            parts.extend(ports.iter().map(|p| format!("tg-{p}")));
            parts
        }
        ResourceSpec::Database { .. } => {
            vec!["db-sg".into(), "db-subnet-group".into(), "db".into()]
        }
        ResourceSpec::PlacementGroup => Vec::new(),
    };
    let mut parts = parts;
    parts.sort();
    parts
}

/// Every resource of the design exists at moto as exactly its parts, tagged with the design,
/// its key and (on the part that commits it) its fingerprint; nothing else carries the design's
/// tag; and the journal records each resource as created.
fn assert_provisioned(moto: &Moto, file: &Path, design: &Design) -> Vec<Value> {
    let inventory = moto.inventory();
    let ours = of_design(&inventory, design.id.as_str());
    let mapping = map_design(design, &mapping_options());
    let mut seen = 0;
    for resource in &mapping.resources {
        let objects: Vec<&&Value> = ours
            .iter()
            .filter(|o| {
                tag(o, LABEL_COMPONENT) == Some(resource.key.owner())
                    && tag(o, LABEL_RESOURCE) == Some(resource.key.local())
            })
            .collect();
        let mut parts: Vec<String> = objects
            .iter()
            .map(|o| tag(o, "stagecraft-part").unwrap_or("?").to_owned())
            .collect();
        parts.sort();
        assert_eq!(
            parts,
            expected_parts(&resource.spec),
            "{} must exist exactly once as its parts",
            resource.key
        );
        assert!(
            objects
                .iter()
                .any(|o| tag(o, LABEL_SPEC) == Some(resource.spec.fingerprint().as_str())),
            "{} carries its fingerprint",
            resource.key
        );
        assert!(
            objects
                .iter()
                .all(|o| tag(o, "managed-by") == Some("stagecraft")),
            "{} is marked as Stagecraft's",
            resource.key
        );
        seen += objects.len();
    }
    assert_eq!(
        seen,
        ours.len(),
        "nothing of the design exists beyond what the mapping asks for: {ours:#?}"
    );
    let state = StateFile::load(&state_path(file), design.id.as_str()).unwrap();
    for resource in &mapping.resources {
        let entry = state
            .resources
            .get(&resource.key)
            .unwrap_or_else(|| panic!("{} exists but is not recorded", resource.key));
        assert_eq!(entry.status, EntryStatus::Created, "{}", resource.key);
    }
    assert_eq!(state.resources.len(), mapping.resources.len());
    inventory
}

/// Applies a small design of another owner (the MVP template under another id, in a region the
/// templates share), so destroy can show it leaves that alone.
async fn neighbour(moto: &Moto, dir: &Path) -> Vec<String> {
    let design = aws_design("mvp", Some("dsg_neighbour"));
    let file = design_file(dir, &design);
    let report = engine(moto, &moto.credentials, &Events::default(), None)
        .apply(&file)
        .await
        .expect("apply the neighbour");
    assert!(report.succeeded(), "{report:#?}");
    let mut ids: Vec<String> = of_design(&moto.inventory(), "dsg_neighbour")
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    assert!(!ids.is_empty());
    ids
}

async fn template_flow(slug: &str, expect_not_provisioned: &[&str]) {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let neighbour_ids = neighbour(&moto, dir.path()).await;
    let design = aws_design(slug, None);
    let file = design_file(dir.path(), &design);
    let events: Events = Arc::default();
    let engine = engine(&moto, &moto.credentials, &events, None);

    let plan = engine.plan(&file).await.expect("plan");
    assert!(plan.count(ChangeAction::Create) > 0, "{plan:#?}");
    assert_eq!(
        plan.count(ChangeAction::Delete),
        0,
        "the neighbour's resources are not ours to delete"
    );
    for what in expect_not_provisioned {
        assert!(
            plan.not_provisioned.iter().any(|n| n.reason.contains(what)),
            "{what} is reported as not provisioned: {:#?}",
            plan.not_provisioned
        );
    }

    let report = engine.apply(&file).await.expect("apply");
    assert!(report.succeeded(), "{report:#?}");
    assert_eq!(report.created.len(), plan.count(ChangeAction::Create));
    let inventory = assert_provisioned(&moto, &file, &design);
    // Each instance runs Canonical's newest Ubuntu image, never a look-alike of another owner.
    for instance in of_design(&inventory, design.id.as_str())
        .iter()
        .filter(|o| o["type"] == "instance")
    {
        assert_eq!(instance["image"], UBUNTU_IMAGE, "{instance}");
        assert_eq!(instance["state"], "running");
    }

    // Each created resource went pending -> creating -> ready, visibly.
    let seen = events.lock().unwrap().clone();
    for key in &report.created {
        let statuses: Vec<_> = seen
            .iter()
            .filter(|e| &e.resource == key)
            .map(|e| format!("{:?}", e.status))
            .collect();
        assert_eq!(statuses, ["Pending", "Creating", "Ready"], "{key}");
    }

    // A second plan and apply have nothing to do; refresh finds no drift.
    let again = engine.plan(&file).await.unwrap();
    assert!(again.is_empty(), "{:#?}", again.changes);
    let second = engine.apply(&file).await.unwrap();
    assert!(
        second.created.is_empty() && second.updated.is_empty() && second.replaced.is_empty(),
        "a second apply is a no-op: {second:#?}"
    );
    let drift = engine.refresh(&file).await.unwrap();
    assert!(drift.drift.is_empty(), "{drift:#?}");

    let destroyed = engine.destroy(&file).await.expect("destroy");
    assert!(destroyed.succeeded(), "{destroyed:#?}");
    let after = moto.inventory();
    assert!(
        of_design(&after, design.id.as_str()).is_empty(),
        "destroy leaves nothing of the design: {:#?}",
        of_design(&after, design.id.as_str())
    );
    let mut still: Vec<String> = of_design(&after, "dsg_neighbour")
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect();
    still.sort();
    assert_eq!(still, neighbour_ids, "the neighbour design is untouched");
    assert!(StateFile::load(&state_path(&file), design.id.as_str())
        .unwrap()
        .resources
        .is_empty());

    // The secret never reaches the design, the journal or what the app is shown.
    let secret = moto.credentials.split_once(':').unwrap().1;
    for path in [file.clone(), state_path(&file)] {
        assert!(!std::fs::read_to_string(&path).unwrap().contains(secret));
    }
    let shown = serde_json::to_string(&*events.lock().unwrap()).unwrap()
        + &serde_json::to_string(&destroyed).unwrap()
        + &serde_json::to_string(&report).unwrap();
    assert!(!shown.contains(secret));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mvp_on_aws_plan_apply_refresh_destroy() {
    template_flow("mvp", &["aws_s3_bucket", "aws_route53_zone"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn growth_on_aws_plan_apply_refresh_destroy() {
    template_flow("growth", &["aws_s3_bucket", "aws_cloudwatch_metric_alarm"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scale_on_aws_plan_apply_refresh_destroy() {
    template_flow(
        "scale",
        &["aws_elasticache_cluster", "aws_cloudfront_distribution"],
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_secret_is_unauthorized_and_says_so() {
    let moto = Moto::start();
    let (key_id, _) = moto.credentials.split_once(':').unwrap();
    let wrong = format!("{key_id}:not-the-secret-access-key");

    verify_token(
        Provider::Aws,
        config(&moto.url()),
        Secret::new(moto.credentials.clone()),
    )
    .await
    .expect("the right secret is accepted");
    let refused = verify_token(
        Provider::Aws,
        config(&moto.url()),
        Secret::new(wrong.clone()),
    )
    .await
    .unwrap_err();
    assert_eq!(refused.kind, ProviderErrorKind::Unauthorized, "{refused:?}");
    assert!(
        refused.message.contains("ACCESS_KEY_ID:SECRET_ACCESS_KEY"),
        "the message says what to check: {refused}"
    );
    assert!(!refused.message.contains("not-the-secret"), "{refused}");

    let malformed = verify_token(
        Provider::Aws,
        config(&moto.url()),
        Secret::new("just-a-token"),
    )
    .await
    .unwrap_err();
    assert_eq!(malformed.kind, ProviderErrorKind::Unauthorized);
    assert!(malformed.message.contains("no colon"), "{malformed}");

    // The engine stops before changing anything, with the same kind of error.
    let dir = tempfile::tempdir().unwrap();
    let file = design_file(dir.path(), &aws_design("mvp", None));
    let failed = engine(&moto, &wrong, &Events::default(), None)
        .apply(&file)
        .await
        .unwrap_err();
    match failed {
        EngineError::Provider(e) => assert_eq!(e.kind, ProviderErrorKind::Unauthorized),
        other => panic!("expected an Unauthorized provider error, got {other:?}"),
    }
    assert!(
        moto.inventory()
            .iter()
            .all(|o| tag(o, LABEL_DESIGN).is_none()),
        "nothing was created with a refused secret"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_between_journal_and_answer_resumes_without_duplicates() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let design = aws_design("growth", None);
    let file = design_file(dir.path(), &design);
    let id = design.id.as_str();
    let events: Events = Arc::default();

    // Killed after AWS started the database server, before the journal heard of it.
    let server = ResourceKey("cmp_db/server-0".into());
    let crashed = engine(
        &moto,
        &moto.credentials,
        &events,
        Some(CrashPoint::AfterSend(server.clone())),
    )
    .apply(&file)
    .await;
    assert!(
        matches!(crashed, Err(EngineError::Aborted(ref k)) if *k == server),
        "{crashed:?}"
    );
    let state = StateFile::load(&state_path(&file), id).unwrap();
    assert_eq!(state.resources[&server].status, EntryStatus::Creating);

    // Killed right after journaling the volume (attached to that server), before sending.
    let volume = ResourceKey("cmp_volume/volume".into());
    let crashed = engine(
        &moto,
        &moto.credentials,
        &events,
        Some(CrashPoint::BeforeSend(volume.clone())),
    )
    .apply(&file)
    .await;
    assert!(
        matches!(crashed, Err(EngineError::Aborted(ref k)) if *k == volume),
        "{crashed:?}"
    );
    let state = StateFile::load(&state_path(&file), id).unwrap();
    assert_eq!(
        state.resources[&server].status,
        EntryStatus::Created,
        "the unrecorded instance was adopted from its tags"
    );

    let resumed = engine(&moto, &moto.credentials, &events, None)
        .apply(&file)
        .await
        .expect("resume");
    assert!(resumed.succeeded(), "{resumed:#?}");
    assert!(resumed.created.contains(&volume));
    assert!(!resumed.created.contains(&server));
    assert_provisioned(&moto, &file, &design);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_created_network_is_completed_not_duplicated() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let design = aws_design("growth", None);
    let file = design_file(dir.path(), &design);
    // A run died after creating the VPC of `grp_net/network` and before its subnets: the VPC has
    // the identity tags but not the fingerprint that marks a finished resource.
    let client =
        AwsClient::new(config(&moto.url()), Secret::new(moto.credentials.clone())).unwrap();
    let tags = BTreeMap::from([
        ("managed-by".to_owned(), "stagecraft".to_owned()),
        (LABEL_DESIGN.to_owned(), design.id.as_str().to_owned()),
        (LABEL_COMPONENT.to_owned(), "grp_net".to_owned()),
        (LABEL_RESOURCE.to_owned(), "network".to_owned()),
        ("stagecraft-part".to_owned(), "vpc".to_owned()),
    ]);
    let answer = client
        .call(
            Service::Ec2,
            "eu-central-1",
            "CreateVpc",
            &Params::new()
                .set("CidrBlock", "10.0.0.0/16")
                .tag_specification(1, "vpc", &tags),
            false,
        )
        .await
        .unwrap();
    let half = answer.text_at("vpc/vpcId").unwrap().to_owned();

    let engine = engine(&moto, &moto.credentials, &Events::default(), None);
    let plan = engine.plan(&file).await.unwrap();
    let network = plan
        .changes
        .iter()
        .find(|c| c.key.0 == "grp_net/network")
        .expect("the half network is planned");
    assert_eq!(network.action, ChangeAction::Update, "{network:#?}");
    let report = engine.apply(&file).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");
    let inventory = assert_provisioned(&moto, &file, &design);
    let vpc = of_design(&inventory, design.id.as_str())
        .into_iter()
        .find(|o| tag(o, LABEL_COMPONENT) == Some("grp_net") && o["type"] == "vpc")
        .unwrap();
    assert_eq!(
        vpc["id"],
        half.as_str(),
        "the half-made VPC was kept and completed"
    );
}

/// `web` in Frankfurt talks privately to `db` in Virginia: no VPC spans two regions, so a
/// WireGuard tunnel carries it and `link` reaches both instances at their public addresses.
const TWO_AWS_REGIONS: &str = r#"{
  "schema_version": 2,
  "id": "dsg_aws_two_regions",
  "name": "AWS two regions",
  "assumptions": { "target_stage": "growth", "currency": "USD" },
  "practices": { "config_in_git": true, "migration_in_progress": false },
  "groups": [],
  "components": [
    { "id": "cmp_users", "kind": "users", "name": "Users", "provider": "unassigned", "count": 1 },
    { "id": "cmp_web", "kind": "app_server", "name": "web", "provider": "aws", "region": "eu-central-1", "size": "t3.micro", "count": 1 },
    { "id": "cmp_db", "kind": "self_hosted_database", "name": "db", "provider": "aws", "region": "us-east-1", "size": "t3.small", "count": 1,
      "properties": { "engine": "postgresql" } }
  ],
  "connections": [
    { "id": "con_users_web", "from": "cmp_users", "to": "cmp_web", "protocol": "https", "ports": [443], "network": "public" },
    { "id": "con_web_db", "from": "cmp_web", "to": "cmp_db", "protocol": "postgresql", "ports": [5432], "network": "private" }
  ],
  "layout": { "nodes": {} }
}"#;

/// The instances as `ssh` would find them: only at a public address moto gave an instance that
/// is running, each with a made-up WireGuard key, keeping the peers file it is sent.
struct InstanceShell<'m> {
    moto: &'m Moto,
    peers_files: Mutex<BTreeMap<String, String>>,
}

impl stagecraft_cloud::wireguard::RemoteShell for InstanceShell<'_> {
    fn run<'a>(
        &'a self,
        address: &'a str,
        command: &'a str,
        input: &'a str,
    ) -> stagecraft_cloud::engine::BoxFuture<'a, Result<String, String>> {
        use stagecraft_cloud::wireguard::{READ_PUBLIC_KEY, WRITE_PEERS};
        Box::pin(async move {
            let inventory = tokio::task::block_in_place(|| self.moto.inventory());
            if !inventory
                .iter()
                .any(|o| o["type"] == "instance" && o["public_ip"] == address)
            {
                return Err(format!(
                    "ssh: connect to host {address} port 22: No route to host"
                ));
            }
            match command {
                READ_PUBLIC_KEY => {
                    // 43 base64 characters ending in a zero-padding one, then `=`.
                    let digits: String = address.chars().filter(char::is_ascii_digit).collect();
                    Ok(format!("{:A<42}A=\n", format!("wg{digits}")))
                }
                WRITE_PEERS => {
                    self.peers_files
                        .lock()
                        .unwrap()
                        .insert(address.into(), input.into());
                    Ok(String::new())
                }
                other => Err(format!("unexpected command {other}")),
            }
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_report_their_public_address_and_link_reaches_them() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let design = stagecraft_model::load_str(TWO_AWS_REGIONS, "aws-two-regions.stagecraft.json")
        .expect("the fixture loads")
        .design;
    let file = design_file(dir.path(), &design);
    let engine = engine(&moto, &moto.credentials, &Events::default(), None);
    let report = engine.apply(&file).await.expect("apply");
    assert!(report.succeeded(), "{report:#?}");

    // moto gives each instance a public address (its subnet maps them on launch) and the
    // driver reads the same one back.
    let inventory = moto.inventory();
    let public_ip = |component: &str| -> String {
        of_design(&inventory, design.id.as_str())
            .into_iter()
            .find(|o| o["type"] == "instance" && tag(o, LABEL_COMPONENT) == Some(component))
            .and_then(|o| o["public_ip"].as_str().map(str::to_owned))
            .unwrap_or_else(|| panic!("{component}'s instance has no public address at moto"))
    };
    let (web_ip, db_ip) = (public_ip("cmp_web"), public_ip("cmp_db"));
    assert_ne!(web_ip, db_ip);
    let (_, observed) = engine.observe_design(&file).await.unwrap();
    let endpoints = stagecraft_cloud::wireguard::endpoints(&observed);
    assert_eq!(
        endpoints
            .iter()
            .map(|(k, v)| (k.0.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
        [
            ("cmp_db/server-0", db_ip.as_str()),
            ("cmp_web/server-0", web_ip.as_str())
        ],
        "each instance's public address, as moto has it"
    );

    let shell = InstanceShell {
        moto: &moto,
        peers_files: Mutex::default(),
    };
    let linked = stagecraft_cloud::wireguard::link(&engine, &file, &shell)
        .await
        .expect("link");
    assert_eq!(linked.servers.len(), 2);
    let files = shell.peers_files.into_inner().unwrap();
    assert_eq!(files.len(), 2, "{files:#?}");
    assert!(files[&web_ip].contains(&format!("Endpoint = {db_ip}:51820")));
    assert!(files[&db_ip].contains(&format!("Endpoint = {web_ip}:51820")));

    // Each security group opens WireGuard to the peer's public address only.
    let inventory = moto.inventory();
    for (component, peer_ip) in [("cmp_web", &db_ip), ("cmp_db", &web_ip)] {
        let groups: Vec<&Value> = of_design(&inventory, design.id.as_str())
            .into_iter()
            .filter(|o| o["type"] == "sg" && tag(o, LABEL_COMPONENT) == Some(component))
            .collect();
        let wireguard: Vec<&Value> = groups
            .iter()
            .flat_map(|g| g["ingress"].as_array().unwrap())
            .filter(|r| r["from"] == 51820)
            .collect();
        assert_eq!(wireguard.len(), 1, "{component}: {groups:#?}");
        assert_eq!(wireguard[0]["protocol"], "udp");
        assert_eq!(
            wireguard[0]["cidrs"],
            serde_json::json!([format!("{peer_ip}/32")]),
            "{component}"
        );
    }
    assert!(engine.plan(&file).await.unwrap().is_empty(), "settled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recreated_instances_get_their_volume_back_and_rejoin_the_target_group() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let design = aws_design("growth", None);
    let file = design_file(dir.path(), &design);
    let id = design.id.as_str();
    let engine = engine(&moto, &moto.credentials, &Events::default(), None);
    assert!(engine.apply(&file).await.unwrap().succeeded());
    let instance_of = |inventory: &[Value], component: &str, resource: &str| -> String {
        of_design(inventory, id)
            .into_iter()
            .find(|o| {
                o["type"] == "instance"
                    && tag(o, LABEL_COMPONENT) == Some(component)
                    && tag(o, LABEL_RESOURCE) == Some(resource)
            })
            .and_then(|o| o["id"].as_str().map(str::to_owned))
            .unwrap_or_else(|| panic!("no instance of {component}/{resource}"))
    };
    // What the volume is attached to, and what each of the balancer's target groups targets.
    let attachments = |inventory: &[Value]| -> (Vec<String>, Vec<Vec<String>>) {
        let ours = of_design(inventory, id);
        let volume = ours
            .iter()
            .find(|o| o["type"] == "volume" && tag(o, LABEL_COMPONENT) == Some("cmp_volume"))
            .expect("the volume");
        let attached = serde_json::from_value(volume["attached"].clone()).unwrap();
        let targets = ours
            .iter()
            .filter(|o| o["type"] == "tg")
            .map(|o| serde_json::from_value(o["targets"].clone()).unwrap())
            .collect();
        (attached, targets)
    };
    let before = moto.inventory();
    let db = instance_of(&before, "cmp_db", "server-0");
    let apps = |inventory: &[Value]| {
        let mut apps = vec![
            instance_of(inventory, "cmp_app", "server-0"),
            instance_of(inventory, "cmp_app", "server-1"),
        ];
        apps.sort();
        apps
    };
    let (attached, targets) = attachments(&before);
    assert_eq!(attached, std::slice::from_ref(&db));
    assert!(!targets.is_empty());
    for group in &targets {
        assert_eq!(group, &apps(&before));
    }

    // Drift: the database server and an app server terminated behind Stagecraft's back.
    let client =
        AwsClient::new(config(&moto.url()), Secret::new(moto.credentials.clone())).unwrap();
    let gone_app = instance_of(&before, "cmp_app", "server-0");
    let region = aws_region("fsn1");
    client
        .call(
            Service::Ec2,
            &region,
            "TerminateInstances",
            &Params::new()
                .set("InstanceId.1", db.clone())
                .set("InstanceId.2", gone_app.clone()),
            false,
        )
        .await
        .unwrap();
    let plan = engine.plan(&file).await.unwrap();
    let reasons = |key: &str| -> Vec<String> {
        plan.changes
            .iter()
            .find(|c| c.key.0 == key && c.action == ChangeAction::Update)
            .map(|c| c.reasons.clone())
            .unwrap_or_else(|| panic!("{key} is updated: {:#?}", plan.changes))
    };
    assert_eq!(
        reasons("cmp_volume/volume"),
        ["attach to recreated server cmp_db/server-0"]
    );
    assert_eq!(
        reasons("cmp_lb/load-balancer"),
        ["take back recreated target(s) cmp_app/server-0"]
    );
    let report = engine.apply(&file).await.unwrap();
    assert!(report.succeeded(), "{report:#?}");

    let after = moto.inventory();
    let new_db = instance_of(&after, "cmp_db", "server-0");
    assert_ne!(new_db, db);
    let (attached, targets) = attachments(&after);
    assert_eq!(attached, [new_db], "the same volume, on the new instance");
    assert!(!apps(&after).contains(&gone_app));
    for group in &targets {
        assert_eq!(
            group,
            &apps(&after),
            "the target group has the new instance, not the terminated one"
        );
    }
    assert!(engine.plan(&file).await.unwrap().is_empty());
}
