//! Resources that refer to other resources: Hetzner Object Storage buckets, DigitalOcean
//! autoscale pools, CDNs, AWS Backup plans, alarms and DNS records. Each is wired to what it
//! serves, watches or points at by reference, never by a pasted id.

use super::*;
use stagecraft_model::Schedule;

/// Hetzner Object Storage locations (the catalogue offers buckets in these only).
const HETZNER_OBJECT_STORAGE: [&str; 3] = ["fsn1", "nbg1", "hel1"];

/// The AWS managed policy that lets AWS Backup snapshot RDS, EC2 and EBS.
const AWS_BACKUP_ROLE_POLICY: &str =
    "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup";

/// Where a DNS record can point.
enum Endpoint {
    /// Fixed IPv4 addresses: A records.
    Addresses(Vec<Expression>),
    /// A host name, with the Route 53 zone id when Route 53 can alias it.
    Host {
        name: Expression,
        aws_zone_id: Option<Expression>,
        /// Whether Route 53 may check the target's health (CloudFront aliases must not).
        health: bool,
    },
}

/// `provider::alias` name of a MinIO provider for a Hetzner Object Storage location.
pub(super) fn minio_alias(location: &str) -> String {
    local_name(&format!("r_hetzner_{location}"))
}

/// An object whose keys are written as identifiers when they can be, quoted otherwise
/// (`"AWS:SourceArn"`), as in a `jsonencode` policy document.
fn document(entries: impl IntoIterator<Item = (&'static str, Expression)>) -> Expression {
    Expression::Object(
        entries
            .into_iter()
            .map(|(k, v)| {
                let key = if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    ObjectKey::Identifier(Identifier::unchecked(k))
                } else {
                    ObjectKey::Expression(Expression::from(k))
                };
                (key, v)
            })
            .collect(),
    )
}

fn call(name: &str, args: impl IntoIterator<Item = Expression>) -> Expression {
    let mut builder = FuncCall::builder(Identifier::unchecked(name));
    for arg in args {
        builder = builder.arg(arg);
    }
    Expression::from(builder.build())
}

fn strings(items: &[&str]) -> Expression {
    array(items.iter().map(|s| Expression::from(*s)))
}

/// An AWS Backup schedule (cron in UTC, 03:00 so it falls outside business hours in Europe).
fn backup_cron(schedule: Schedule) -> &'static str {
    match schedule {
        Schedule::Hourly => "cron(0 * * * ? *)",
        Schedule::Daily => "cron(0 3 * * ? *)",
        Schedule::Weekly => "cron(0 3 ? * SUN *)",
        Schedule::Monthly => "cron(0 3 1 * ? *)",
    }
}

impl<'a> Writer<'a> {
    /// A `not_provisioned` entry that is not a whole component (a part of one that no resource
    /// can express).
    pub(super) fn note(&mut self, key: &str, text: String) {
        self.not_provisioned.insert(key.to_owned(), text);
    }

    /// Components `component` has a connection to, in the order the design lists the
    /// connections (a CDN's first load balancer is its primary origin).
    pub(super) fn connected_to(&self, component: &Component) -> Vec<&'a Component> {
        let mut targets: Vec<&Component> = Vec::new();
        for connection in &self.design.connections {
            if connection.from != component.id {
                continue;
            }
            if let Some(target) = self.design.component(&connection.to) {
                if !targets.iter().any(|t| t.id == target.id) {
                    targets.push(target);
                }
            }
        }
        targets
    }

    fn alert_email(&mut self) -> Expression {
        self.variable(
            "alert_email",
            "Email address that receives monitoring alerts (TF_VAR_alert_email)",
            false,
        );
        var("alert_email")
    }

    /// A Hetzner Object Storage bucket, made through a MinIO provider alias for its location
    /// (Hetzner's S3 API is not part of the hcloud provider). The S3 keys are sensitive variables.
    pub(super) fn hetzner_bucket(&mut self, component: &Component, name: &str, region: &str) {
        if !HETZNER_OBJECT_STORAGE.contains(&region) {
            self.skip(
                component,
                &format!(
                    "Hetzner Object Storage is offered in {} only, not in `{region}`",
                    HETZNER_OBJECT_STORAGE.join(", ")
                ),
            );
            return;
        }
        self.variable(
            "hetzner_s3_access_key",
            "Hetzner Object Storage access key (TF_VAR_hetzner_s3_access_key)",
            true,
        );
        self.variable(
            "hetzner_s3_secret_key",
            "Hetzner Object Storage secret key (TF_VAR_hetzner_s3_secret_key)",
            true,
        );
        self.minio_locations.insert(region.to_owned());
        self.resources.push(
            Block::builder("resource")
                .add_label("minio_s3_bucket")
                .add_label(name)
                .add_attribute(("provider", traversal("minio", &[&minio_alias(region)])))
                .add_attribute(("bucket", resource_name(&component.name)))
                .add_attribute(("acl", "private"))
                .build(),
        );
        self.output(
            &format!("{name}_endpoint"),
            Address::new("minio_s3_bucket", name).attr("bucket_domain_name"),
        );
    }

    /// Load balancers on DigitalOcean that send traffic to an autoscale pool select their
    /// droplets by a tag, which every target (pool or droplet) then carries.
    pub(super) fn collect_load_balancer_tags(&mut self) {
        for component in self.sorted_components() {
            if component.kind != ComponentKind::LoadBalancer
                || component.provider != Provider::Digitalocean
            {
                continue;
            }
            let targets = self.connected_to(component);
            let has_pool = targets.iter().any(|t| {
                t.provider == Provider::Digitalocean
                    && self.resource_of(t).as_deref() == Some("digitalocean_droplet_autoscale")
            });
            if !has_pool {
                continue;
            }
            let name = local_name(component.id.as_str());
            let tag = Address::new("digitalocean_tag", &name);
            self.resources.push(
                Block::builder("resource")
                    .add_label("digitalocean_tag")
                    .add_label(name.as_str())
                    .add_attribute((
                        "name",
                        format!(
                            "{}-{}",
                            self.do_design_tag(),
                            resource_name(&component.name)
                        ),
                    ))
                    .build(),
            );
            for target in targets {
                if target.provider == Provider::Digitalocean {
                    self.do_tags
                        .entry(target.id.clone())
                        .or_default()
                        .push(tag.clone());
                }
            }
        }
    }

    pub(super) fn lb_selects_by_tag(&self, lb: &ComponentId) -> bool {
        let tag = Address::new("digitalocean_tag", &local_name(lb.as_str()));
        self.do_tags.values().any(|tags| tags.contains(&tag))
    }

    /// The tags that find the droplets of the DigitalOcean autoscale pools among `ids`.
    pub(super) fn pool_tags(&self, ids: &[ComponentId]) -> Vec<Expression> {
        let mut ids: Vec<&ComponentId> = ids.iter().collect();
        ids.sort();
        ids.dedup();
        ids.into_iter()
            .filter(|id| {
                self.pools
                    .get(*id)
                    .is_some_and(|p| p.kind == "digitalocean_droplet_autoscale")
            })
            .map(|id| Address::new("digitalocean_tag", &local_name(id.as_str())).attr("id"))
            .collect()
    }

    /// A DigitalOcean Droplet Autoscale pool: the droplets are made and removed by
    /// DigitalOcean between `min` and `max` to hold the target CPU load.
    pub(super) fn do_autoscale(&mut self, component: &Component, name: &str, region: &str) {
        self.providers.insert(Provider::Digitalocean);
        let ssh_key = self.ssh_key(Provider::Digitalocean, region);
        let own_tag = Address::new("digitalocean_tag", name);
        self.resources.push(
            Block::builder("resource")
                .add_label("digitalocean_tag")
                .add_label(name)
                .add_attribute((
                    "name",
                    format!(
                        "{}-{}",
                        self.do_design_tag(),
                        resource_name(&component.name)
                    ),
                ))
                .build(),
        );
        let mut config = Block::builder("config");
        match &component.properties.autoscaling {
            Some(scaling) => {
                // DigitalOcean scales on a load target; 70 % CPU when the design names none.
                let percent = scaling.target_cpu_percent.unwrap_or(70).clamp(1, 100);
                let fraction = hcl::Number::from_f64(f64::from(percent) / 100.0)
                    .expect("a percentage is a finite number");
                config = config
                    .add_attribute(("min_instances", u64::from(scaling.min.max(1))))
                    .add_attribute(("max_instances", u64::from(scaling.max.max(1))))
                    .add_attribute(("target_cpu_utilization", Expression::Number(fraction)))
                    .add_attribute(("cooldown_minutes", 5u64));
            }
            None => {
                config = config
                    .add_attribute(("target_number_instances", u64::from(component.count.max(1))));
            }
        }
        let mut tags = vec![Expression::from(self.do_design_tag()), own_tag.attr("id")];
        if let Some(extra) = self.do_tags.get(&component.id) {
            tags.extend(extra.iter().map(|t| t.attr("id")));
        }
        let mut template = Block::builder("droplet_template")
            .add_attribute(("size", self.size_of(component)))
            .add_attribute(("region", region))
            .add_attribute(("image", DO_IMAGE))
            .add_attribute(("ssh_keys", array([ssh_key])))
            .add_attribute(("tags", array(tags)))
            .add_attribute(("with_droplet_agent", true))
            .add_attribute(("ipv6", true));
        if let Some(vpc) = self.network_of(component) {
            template = template.add_attribute(("vpc_uuid", vpc.attr("id")));
        }
        self.resources.push(
            Block::builder("resource")
                .add_label("digitalocean_droplet_autoscale")
                .add_label(name)
                .add_attribute(("name", resource_name(&component.name)))
                .add_block(config.build())
                .add_block(template.build())
                .build(),
        );
        self.pools.insert(
            component.id.clone(),
            Address::new("digitalocean_droplet_autoscale", name),
        );
    }

    /// CDNs, backup plans, monitoring and VPN links.
    pub(super) fn service(&mut self, component: &'a Component) {
        if component.provider == Provider::Unassigned {
            return;
        }
        let Some(resource) = self.resource_of(component) else {
            return;
        };
        let name = local_name(component.id.as_str());
        let region = self.region_of(component);
        match resource.as_str() {
            "aws_cloudfront_distribution" => self.cloudfront(component, &name, &region),
            "digitalocean_cdn" => self.spaces_cdn(component, &name),
            "aws_backup_plan" => self.aws_backup(component, &name, &region),
            "aws_cloudwatch_metric_alarm" => self.cloudwatch_alarms(component, &name),
            "digitalocean_monitor_alert" => self.do_alerts(component, &name),
            "wireguard_cloud_init" => self.wireguard_link(component, &name),
            _ => {}
        }
    }

    /// A CloudFront distribution in front of the AWS load balancers and S3 buckets the CDN is
    /// connected to. Dynamic traffic goes to the first load balancer uncached; buckets are read
    /// through an origin access control and serve `/<bucket>/*`.
    fn cloudfront(&mut self, component: &Component, name: &str, region: &str) {
        let targets = self.connected_to(component);
        let lbs: Vec<&Component> = targets
            .iter()
            .copied()
            .filter(|t| t.kind == ComponentKind::LoadBalancer && t.provider == Provider::Aws)
            .collect();
        let buckets: Vec<&Component> = targets
            .iter()
            .copied()
            .filter(|t| {
                t.kind == ComponentKind::ObjectStorage
                    && t.provider == Provider::Aws
                    && self.resource_of(t).as_deref() == Some("aws_s3_bucket")
            })
            .collect();
        if lbs.is_empty() && buckets.is_empty() {
            self.skip(
                component,
                "CloudFront needs an origin: connect the CDN to an AWS load balancer or S3 bucket",
            );
            return;
        }
        self.providers.insert(Provider::Aws);
        let provider = self.aws_provider(region);
        let distribution = Address::new("aws_cloudfront_distribution", name);
        let oac = Address::new("aws_cloudfront_origin_access_control", name);
        if !buckets.is_empty() {
            self.resources.push(
                Block::builder("resource")
                    .add_label("aws_cloudfront_origin_access_control")
                    .add_label(name)
                    .add_attribute(("provider", provider.clone()))
                    .add_attribute(("name", resource_name(&component.name)))
                    .add_attribute(("origin_access_control_origin_type", "s3"))
                    .add_attribute(("signing_behavior", "always"))
                    .add_attribute(("signing_protocol", "sigv4"))
                    .build(),
            );
        }
        let mut block = Block::builder("resource")
            .add_label("aws_cloudfront_distribution")
            .add_label(name)
            .add_attribute(("provider", provider.clone()))
            .add_attribute(("enabled", true))
            .add_attribute(("is_ipv6_enabled", true))
            .add_attribute(("comment", component.name.trim()));
        for lb in &lbs {
            let lb_name = local_name(lb.id.as_str());
            block = block.add_block(
                Block::builder("origin")
                    .add_attribute(("origin_id", lb_name.as_str()))
                    .add_attribute((
                        "domain_name",
                        Address::new("aws_lb", &lb_name).attr("dns_name"),
                    ))
                    .add_block(
                        Block::builder("custom_origin_config")
                            .add_attribute(("http_port", 80u64))
                            .add_attribute(("https_port", 443u64))
                            // The load balancer listens on HTTP 80 (see `load_balancer`).
                            .add_attribute(("origin_protocol_policy", "http-only"))
                            .add_attribute(("origin_ssl_protocols", strings(&["TLSv1.2"])))
                            .build(),
                    )
                    .build(),
            );
        }
        for bucket in &buckets {
            let bucket_name = local_name(bucket.id.as_str());
            block = block.add_block(
                Block::builder("origin")
                    .add_attribute(("origin_id", bucket_name.as_str()))
                    .add_attribute((
                        "domain_name",
                        Address::new("aws_s3_bucket", &bucket_name)
                            .attr("bucket_regional_domain_name"),
                    ))
                    .add_attribute(("origin_access_control_id", oac.attr("id")))
                    .build(),
            );
        }
        let dynamic = lbs.first().map(|lb| local_name(lb.id.as_str()));
        let static_policy = self.cloudfront_policy(
            &provider,
            "cache",
            "caching_optimized",
            "Managed-CachingOptimized",
        );
        let read_methods = strings(&["GET", "HEAD"]);
        let default_behaviour = match &dynamic {
            Some(lb) => {
                let no_cache = self.cloudfront_policy(
                    &provider,
                    "cache",
                    "caching_disabled",
                    "Managed-CachingDisabled",
                );
                let all_viewer = self.cloudfront_policy(
                    &provider,
                    "origin_request",
                    "all_viewer",
                    "Managed-AllViewer",
                );
                Block::builder("default_cache_behavior")
                    .add_attribute(("target_origin_id", lb.as_str()))
                    .add_attribute((
                        "allowed_methods",
                        strings(&["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]),
                    ))
                    .add_attribute(("cached_methods", read_methods.clone()))
                    .add_attribute(("cache_policy_id", no_cache))
                    .add_attribute(("origin_request_policy_id", all_viewer))
                    .add_attribute(("viewer_protocol_policy", "redirect-to-https"))
                    .add_attribute(("compress", true))
                    .build()
            }
            None => Block::builder("default_cache_behavior")
                .add_attribute(("target_origin_id", local_name(buckets[0].id.as_str())))
                .add_attribute(("allowed_methods", read_methods.clone()))
                .add_attribute(("cached_methods", read_methods.clone()))
                .add_attribute(("cache_policy_id", static_policy.clone()))
                .add_attribute(("viewer_protocol_policy", "redirect-to-https"))
                .add_attribute(("compress", true))
                .build(),
        };
        block = block.add_block(default_behaviour);
        if dynamic.is_some() {
            for bucket in &buckets {
                block = block.add_block(
                    Block::builder("ordered_cache_behavior")
                        .add_attribute((
                            "path_pattern",
                            format!("/{}/*", resource_name(&bucket.name)),
                        ))
                        .add_attribute(("target_origin_id", local_name(bucket.id.as_str())))
                        .add_attribute(("allowed_methods", read_methods.clone()))
                        .add_attribute(("cached_methods", read_methods.clone()))
                        .add_attribute(("cache_policy_id", static_policy.clone()))
                        .add_attribute(("viewer_protocol_policy", "redirect-to-https"))
                        .add_attribute(("compress", true))
                        .build(),
                );
            }
        }
        block = block
            .add_block(
                Block::builder("restrictions")
                    .add_block(
                        Block::builder("geo_restriction")
                            .add_attribute(("restriction_type", "none"))
                            .build(),
                    )
                    .build(),
            )
            .add_block(
                Block::builder("viewer_certificate")
                    .add_attribute(("cloudfront_default_certificate", true))
                    .build(),
            )
            .add_attribute(("tags", self.tags(&component.name, component.id.as_str())));
        self.resources.push(block.build());
        // Each bucket admits reads from this distribution only.
        for bucket in &buckets {
            let bucket_name = local_name(bucket.id.as_str());
            let bucket_address = Address::new("aws_s3_bucket", &bucket_name);
            let bucket_provider = self.aws_provider(&self.region_of(bucket));
            let policy = document([
                ("Version", Expression::from("2012-10-17")),
                (
                    "Statement",
                    array([document([
                        ("Sid", Expression::from("CloudFrontRead")),
                        ("Effect", Expression::from("Allow")),
                        (
                            "Principal",
                            document([("Service", Expression::from("cloudfront.amazonaws.com"))]),
                        ),
                        ("Action", Expression::from("s3:GetObject")),
                        (
                            "Resource",
                            call(
                                "format",
                                [Expression::from("%s/*"), bucket_address.attr("arn")],
                            ),
                        ),
                        (
                            "Condition",
                            document([(
                                "StringEquals",
                                document([("AWS:SourceArn", distribution.attr("arn"))]),
                            )]),
                        ),
                    ])]),
                ),
            ]);
            self.resources.push(
                Block::builder("resource")
                    .add_label("aws_s3_bucket_policy")
                    .add_label(format!("{bucket_name}_{name}"))
                    .add_attribute(("provider", bucket_provider))
                    .add_attribute(("bucket", bucket_address.attr("id")))
                    .add_attribute(("policy", call("jsonencode", [policy])))
                    .build(),
            );
        }
        if lbs.len() > 1 {
            let others: Vec<&str> = lbs[1..].iter().map(|l| l.name.trim()).collect();
            self.note(
                &format!("{name}_routing"),
                format!(
                    "{} ({}): CloudFront sends dynamic traffic to one origin ({}); {} {} but CloudFront cannot choose between regions by latency: use Route 53 latency records or an origin group for failover",
                    component.name.trim(),
                    component.id,
                    lbs[0].name.trim(),
                    others.join(", "),
                    if others.len() == 1 { "is declared as an origin" } else { "are declared as origins" },
                ),
            );
        }
        self.output(
            &format!("{name}_domain_name"),
            distribution.attr("domain_name"),
        );
    }

    /// A managed CloudFront policy looked up by name (`kind` is `cache` or `origin_request`).
    fn cloudfront_policy(
        &mut self,
        provider: &Expression,
        kind: &str,
        local: &str,
        managed: &str,
    ) -> Expression {
        let data_kind = format!("aws_cloudfront_{kind}_policy");
        self.data
            .entry(format!("{data_kind}.{local}"))
            .or_insert_with(|| {
                Block::builder("data")
                    .add_label(data_kind.as_str())
                    .add_label(local)
                    .add_attribute(("provider", provider.clone()))
                    .add_attribute(("name", managed))
                    .build()
            });
        traversal("data", &[&data_kind, local, "id"])
    }

    /// A Spaces CDN endpoint in front of the Spaces bucket the CDN is connected to.
    fn spaces_cdn(&mut self, component: &Component, name: &str) {
        let origin = self.connected_to(component).into_iter().find(|t| {
            t.provider == Provider::Digitalocean
                && self.resource_of(t).as_deref() == Some("digitalocean_spaces_bucket")
        });
        let Some(origin) = origin else {
            self.skip(
                component,
                "the Spaces CDN serves Spaces buckets only: connect the CDN to a DigitalOcean object storage bucket",
            );
            return;
        };
        self.providers.insert(Provider::Digitalocean);
        let cdn = Address::new("digitalocean_cdn", name);
        self.resources.push(
            Block::builder("resource")
                .add_label("digitalocean_cdn")
                .add_label(name)
                .add_attribute((
                    "origin",
                    Address::new(
                        "digitalocean_spaces_bucket",
                        &local_name(origin.id.as_str()),
                    )
                    .attr("bucket_domain_name"),
                ))
                .build(),
        );
        self.output(&format!("{name}_endpoint"), cdn.attr("endpoint"));
    }

    /// An AWS Backup vault, plan and selection for the job's sources, with the IAM role AWS
    /// Backup acts as. When the job's destination is in another region, recovery points are
    /// copied to a vault there.
    fn aws_backup(&mut self, component: &Component, name: &str, region: &str) {
        let policy = component.properties.backup.clone().unwrap_or_default();
        let mut source_ids = component.properties.backup_sources.clone();
        if source_ids.is_empty() {
            source_ids = self
                .connected_to(component)
                .iter()
                .map(|c| c.id.clone())
                .collect();
        }
        source_ids.sort();
        source_ids.dedup();
        let mut resources = Vec::new();
        let mut unsupported = Vec::new();
        for id in &source_ids {
            let Some(source) = self.design.component(id) else {
                continue;
            };
            if source.provider != Provider::Aws {
                continue;
            }
            let source_name = local_name(id.as_str());
            match self.resource_of(source).as_deref() {
                Some("aws_db_instance") => {
                    resources.push(Address::new("aws_db_instance", &source_name).attr("arn"));
                }
                Some("aws_ebs_volume") => {
                    resources.push(Address::new("aws_ebs_volume", &source_name).attr("arn"));
                }
                Some("aws_instance") => {
                    if let Some(servers) = self.servers.get(id) {
                        resources.extend(servers.iter().map(|s| s.attr("arn")));
                    }
                }
                _ => unsupported.push(source.name.trim().to_owned()),
            }
        }
        if resources.is_empty() {
            self.skip(
                component,
                "AWS Backup protects RDS databases, EC2 instances and EBS volumes: the job has none of them as a source",
            );
            return;
        }
        self.providers.insert(Provider::Aws);
        let provider = self.aws_provider(region);
        let display = resource_name(&component.name);
        let vault = Address::new("aws_backup_vault", name);
        let plan = Address::new("aws_backup_plan", name);
        let role = Address::new("aws_iam_role", name);
        let retention = u64::from(policy.retention_days.unwrap_or(35).max(1));
        let schedule = policy.snapshots.or(policy.dumps).unwrap_or(Schedule::Daily);
        self.resources.push(
            Block::builder("resource")
                .add_label("aws_backup_vault")
                .add_label(name)
                .add_attribute(("provider", provider.clone()))
                .add_attribute(("name", display.as_str()))
                .add_attribute(("tags", self.tags(&component.name, component.id.as_str())))
                .build(),
        );
        let destination = policy
            .destination
            .as_ref()
            .and_then(|id| self.design.component(id))
            .filter(|d| d.provider == Provider::Aws);
        let copy_region = destination
            .map(|d| self.region_of(d))
            .filter(|r| r != region);
        let copy_vault = Address::new("aws_backup_vault", &format!("{name}_copy"));
        if let Some(copy_region) = &copy_region {
            let copy_provider = self.aws_provider(copy_region);
            self.resources.push(
                Block::builder("resource")
                    .add_label("aws_backup_vault")
                    .add_label(copy_vault.name.as_str())
                    .add_attribute(("provider", copy_provider))
                    .add_attribute(("name", format!("{display}-{copy_region}")))
                    .add_attribute(("tags", self.tags(&component.name, component.id.as_str())))
                    .build(),
            );
        }
        let lifecycle = || {
            Block::builder("lifecycle")
                .add_attribute(("delete_after", retention))
                .build()
        };
        let mut rule = Block::builder("rule")
            .add_attribute((
                "rule_name",
                format!("{display}-{schedule:?}").to_lowercase(),
            ))
            .add_attribute(("target_vault_name", vault.attr("name")))
            .add_attribute(("schedule", backup_cron(schedule)))
            .add_block(lifecycle());
        if copy_region.is_some() {
            rule = rule.add_block(
                Block::builder("copy_action")
                    .add_attribute(("destination_vault_arn", copy_vault.attr("arn")))
                    .add_block(lifecycle())
                    .build(),
            );
        }
        self.resources.push(
            Block::builder("resource")
                .add_label("aws_backup_plan")
                .add_label(name)
                .add_attribute(("provider", provider.clone()))
                .add_attribute(("name", display.as_str()))
                .add_block(rule.build())
                .build(),
        );
        let assume = document([
            ("Version", Expression::from("2012-10-17")),
            (
                "Statement",
                array([document([
                    ("Effect", Expression::from("Allow")),
                    (
                        "Principal",
                        document([("Service", Expression::from("backup.amazonaws.com"))]),
                    ),
                    ("Action", Expression::from("sts:AssumeRole")),
                ])]),
            ),
        ]);
        self.resources.push(
            Block::builder("resource")
                .add_label("aws_iam_role")
                .add_label(name)
                .add_attribute(("provider", provider.clone()))
                .add_attribute(("name", format!("{display}-backup")))
                .add_attribute(("assume_role_policy", call("jsonencode", [assume])))
                .build(),
        );
        self.resources.push(
            Block::builder("resource")
                .add_label("aws_iam_role_policy_attachment")
                .add_label(name)
                .add_attribute(("provider", provider.clone()))
                .add_attribute(("role", role.attr("name")))
                .add_attribute(("policy_arn", AWS_BACKUP_ROLE_POLICY))
                .build(),
        );
        self.resources.push(
            Block::builder("resource")
                .add_label("aws_backup_selection")
                .add_label(name)
                .add_attribute(("provider", provider))
                .add_attribute(("name", display.as_str()))
                .add_attribute(("plan_id", plan.attr("id")))
                .add_attribute(("iam_role_arn", role.attr("arn")))
                .add_attribute(("resources", array(resources)))
                .build(),
        );
        if policy.dumps.is_some() {
            let target = destination.map_or_else(
                || "object storage".to_owned(),
                |d| format!("{} ({})", d.name.trim(), d.id),
            );
            self.note(
                &format!("{name}_dumps"),
                format!(
                    "{} ({}): AWS Backup takes the snapshots; the logical dumps to {target} are a scheduled job on the application hosts, not a cloud resource",
                    component.name.trim(),
                    component.id
                ),
            );
        }
        if !unsupported.is_empty() {
            self.note(
                &format!("{name}_sources"),
                format!(
                    "{} ({}): AWS Backup cannot select {}; back them up with their own snapshots or dumps",
                    component.name.trim(),
                    component.id,
                    unsupported.join(", ")
                ),
            );
        }
    }

    /// What a monitoring component watches: what it is connected to, or else every server,
    /// pool, database and load balancer of its provider.
    fn watched(&self, component: &Component) -> Vec<&'a Component> {
        let connected: Vec<&Component> = self
            .connected_to(component)
            .into_iter()
            .filter(|t| t.provider == component.provider)
            .collect();
        if !connected.is_empty() {
            return connected;
        }
        self.sorted_components()
            .into_iter()
            .filter(|c| c.provider == component.provider && c.id != component.id)
            .filter(|c| {
                self.servers.contains_key(&c.id)
                    || self.pools.contains_key(&c.id)
                    || matches!(
                        c.kind,
                        ComponentKind::ManagedDatabase | ComponentKind::LoadBalancer
                    )
            })
            .collect()
    }

    /// CloudWatch alarms on what the monitoring component watches, notifying an SNS topic
    /// (per region: alarms live in their metric's region) that emails `var.alert_email`.
    fn cloudwatch_alarms(&mut self, component: &Component, name: &str) {
        struct Alarm {
            target: String,
            label: String,
            region: String,
            what: &'static str,
            namespace: &'static str,
            metric: &'static str,
            statistic: &'static str,
            threshold: u64,
            dimension: (&'static str, Expression),
        }
        let mut alarms = Vec::new();
        for target in self.watched(component) {
            let target_name = local_name(target.id.as_str());
            let region = self.region_of(target);
            let label = target.name.trim().to_owned();
            let cpu = |dimension: (&'static str, Expression), target: String| Alarm {
                target,
                label: label.clone(),
                region: region.clone(),
                what: "cpu",
                namespace: "AWS/EC2",
                metric: "CPUUtilization",
                statistic: "Average",
                threshold: 80,
                dimension,
            };
            if let Some(pool) = self.pools.get(&target.id) {
                alarms.push(cpu(
                    ("AutoScalingGroupName", pool.attr("name")),
                    target_name,
                ));
            } else if let Some(servers) = self.servers.get(&target.id) {
                for server in servers {
                    alarms.push(cpu(("InstanceId", server.attr("id")), server.name.clone()));
                }
            } else {
                match self.resource_of(target).as_deref() {
                    Some("aws_db_instance") => {
                        let db = Address::new("aws_db_instance", &target_name);
                        alarms.push(Alarm {
                            namespace: "AWS/RDS",
                            ..cpu(("DBInstanceIdentifier", db.attr("identifier")), target_name)
                        });
                    }
                    Some("aws_lb") => alarms.push(Alarm {
                        target: target_name.clone(),
                        label: label.clone(),
                        region: region.clone(),
                        what: "5xx",
                        namespace: "AWS/ApplicationELB",
                        metric: "HTTPCode_ELB_5XX_Count",
                        statistic: "Sum",
                        threshold: 10,
                        dimension: (
                            "LoadBalancer",
                            Address::new("aws_lb", &target_name).attr("arn_suffix"),
                        ),
                    }),
                    _ => {}
                }
            }
        }
        if alarms.is_empty() {
            self.skip(
                component,
                "nothing to watch: connect the monitoring component to AWS servers, groups, databases or load balancers",
            );
            return;
        }
        self.providers.insert(Provider::Aws);
        let email = self.alert_email();
        let mut topics = BTreeMap::new();
        for alarm in &alarms {
            if topics.contains_key(&alarm.region) {
                continue;
            }
            let provider = self.aws_provider(&alarm.region);
            let topic_name = format!("{name}_{}", local_name(&format!("r_{}", alarm.region)));
            let topic = Address::new("aws_sns_topic", &topic_name);
            self.resources.push(
                Block::builder("resource")
                    .add_label("aws_sns_topic")
                    .add_label(topic_name.as_str())
                    .add_attribute(("provider", provider.clone()))
                    .add_attribute((
                        "name",
                        format!("{}-{}", resource_name(&component.name), alarm.region),
                    ))
                    .build(),
            );
            self.resources.push(
                Block::builder("resource")
                    .add_label("aws_sns_topic_subscription")
                    .add_label(topic_name.as_str())
                    .add_attribute(("provider", provider))
                    .add_attribute(("topic_arn", topic.attr("arn")))
                    .add_attribute(("protocol", "email"))
                    .add_attribute(("endpoint", email.clone()))
                    .build(),
            );
            topics.insert(alarm.region.clone(), topic);
        }
        for alarm in alarms {
            let provider = self.aws_provider(&alarm.region);
            let topic = topics[&alarm.region].attr("arn");
            let local = format!("{name}_{}_{}", alarm.target, alarm.what);
            let description = if alarm.what == "cpu" {
                format!(
                    "{}: CPU above {} % for 10 minutes",
                    alarm.label, alarm.threshold
                )
            } else {
                format!(
                    "{}: more than {} load balancer 5xx responses in 5 minutes",
                    alarm.label, alarm.threshold
                )
            };
            let (dimension, value) = alarm.dimension;
            self.resources.push(
                Block::builder("resource")
                    .add_label("aws_cloudwatch_metric_alarm")
                    .add_label(local.as_str())
                    .add_attribute(("provider", provider))
                    .add_attribute(("alarm_name", resource_name(&local)))
                    .add_attribute(("alarm_description", description))
                    .add_attribute(("namespace", alarm.namespace))
                    .add_attribute(("metric_name", alarm.metric))
                    .add_attribute(("statistic", alarm.statistic))
                    .add_attribute(("period", 300u64))
                    .add_attribute((
                        "evaluation_periods",
                        if alarm.what == "cpu" { 2u64 } else { 1u64 },
                    ))
                    .add_attribute(("comparison_operator", "GreaterThanThreshold"))
                    .add_attribute(("threshold", alarm.threshold))
                    .add_attribute(("treat_missing_data", "notBreaching"))
                    .add_attribute(("dimensions", document([(dimension, value)])))
                    .add_attribute(("alarm_actions", array([topic.clone()])))
                    .add_attribute(("ok_actions", array([topic])))
                    .build(),
            );
        }
    }

    /// DigitalOcean Monitoring alerts (CPU, memory, disk) on the watched droplets and pools,
    /// emailed to `var.alert_email`.
    fn do_alerts(&mut self, component: &Component, name: &str) {
        let watched = self.watched(component);
        let entities: Vec<Expression> = watched
            .iter()
            .filter_map(|t| self.servers.get(&t.id))
            .flatten()
            .map(|s| s.attr("id"))
            .collect();
        let ids: Vec<ComponentId> = watched.iter().map(|t| t.id.clone()).collect();
        let tags = self.pool_tags(&ids);
        if entities.is_empty() && tags.is_empty() {
            self.skip(
                component,
                "DigitalOcean alerts watch droplets: connect the monitoring component to droplets or autoscale pools",
            );
            return;
        }
        self.providers.insert(Provider::Digitalocean);
        let email = self.alert_email();
        let checks = [
            ("cpu", "v1/insights/droplet/cpu", 80u64, "CPU"),
            (
                "memory",
                "v1/insights/droplet/memory_utilization_percent",
                90,
                "memory use",
            ),
            (
                "disk",
                "v1/insights/droplet/disk_utilization_percent",
                90,
                "disk use",
            ),
        ];
        for (what, kind, threshold, label) in checks {
            let mut block = Block::builder("resource")
                .add_label("digitalocean_monitor_alert")
                .add_label(format!("{name}_{what}"))
                .add_block(
                    Block::builder("alerts")
                        .add_attribute(("email", array([email.clone()])))
                        .build(),
                )
                .add_attribute(("window", "5m"))
                .add_attribute(("type", kind))
                .add_attribute(("compare", "GreaterThan"))
                .add_attribute(("value", threshold))
                .add_attribute(("enabled", true))
                .add_attribute((
                    "description",
                    format!(
                        "{}: {label} above {threshold} % for 5 minutes",
                        component.name.trim()
                    ),
                ));
            if !entities.is_empty() {
                block = block.add_attribute(("entities", array(entities.clone())));
            }
            if !tags.is_empty() {
                block = block.add_attribute(("tags", array(tags.clone())));
            }
            self.resources.push(block.build());
        }
    }

    /// Where users reach `component`, if it has a fixed address or host name here.
    fn endpoint_of(&self, component: &Component) -> Option<Endpoint> {
        let name = local_name(component.id.as_str());
        if let Some(servers) = self.servers.get(&component.id) {
            let ip = match component.provider {
                Provider::Aws => "public_ip",
                _ => "ipv4_address",
            };
            return Some(Endpoint::Addresses(
                servers.iter().map(|s| s.attr(ip)).collect(),
            ));
        }
        if self.not_provisioned.contains_key(&name) {
            return None;
        }
        match (component.kind, component.provider) {
            (ComponentKind::LoadBalancer, Provider::Hetzner) => {
                Some(Endpoint::Addresses(vec![Address::new(
                    "hcloud_load_balancer",
                    &name,
                )
                .attr("ipv4")]))
            }
            (ComponentKind::LoadBalancer, Provider::Digitalocean) => Some(Endpoint::Addresses(
                vec![Address::new("digitalocean_loadbalancer", &name).attr("ip")],
            )),
            (ComponentKind::LoadBalancer, Provider::Aws) => {
                let lb = Address::new("aws_lb", &name);
                Some(Endpoint::Host {
                    name: lb.attr("dns_name"),
                    aws_zone_id: Some(lb.attr("zone_id")),
                    health: true,
                })
            }
            (ComponentKind::Cdn, Provider::Aws) => {
                let cdn = Address::new("aws_cloudfront_distribution", &name);
                Some(Endpoint::Host {
                    name: cdn.attr("domain_name"),
                    aws_zone_id: Some(cdn.attr("hosted_zone_id")),
                    health: false,
                })
            }
            (ComponentKind::Cdn, Provider::Digitalocean) => Some(Endpoint::Host {
                name: Address::new("digitalocean_cdn", &name).attr("endpoint"),
                aws_zone_id: None,
                health: false,
            }),
            _ => None,
        }
    }

    /// Records in the zone for the design's entry point (what users connect to): the apex and
    /// `www`, as A records, Route 53 aliases, or a `www` CNAME when only a host name is known.
    pub(super) fn dns_records(&mut self, zone: &Component) {
        let zone_name = local_name(zone.id.as_str());
        if zone.provider == Provider::Unassigned || self.not_provisioned.contains_key(&zone_name) {
            return;
        }
        let entries: Vec<&Component> = self
            .sorted_components()
            .into_iter()
            .filter(|c| c.kind == ComponentKind::Users)
            .flat_map(|users| self.connected_to(users))
            .filter(|c| c.kind != ComponentKind::DnsZone)
            .collect();
        let Some((entry, endpoint)) = entries
            .iter()
            .find_map(|e| self.endpoint_of(e).map(|p| (*e, p)))
        else {
            if let Some(first) = entries.first() {
                self.note(
                    &format!("{zone_name}_records"),
                    format!(
                        "{} ({}): no record is written, as {} has no fixed address or host name to point at",
                        zone.name.trim(),
                        zone.id,
                        first.name.trim()
                    ),
                );
            }
            return;
        };
        let domain = zone
            .properties
            .domain
            .clone()
            .unwrap_or_else(|| zone.name.trim().to_owned());
        let ttl = zone.properties.dns_ttl_seconds.map(u64::from);
        let www_only = matches!(
            endpoint,
            Endpoint::Host {
                aws_zone_id: None,
                ..
            }
        ) || (zone.provider != Provider::Aws
            && matches!(endpoint, Endpoint::Host { .. }));
        if www_only {
            self.note(
                &format!("{zone_name}_apex"),
                format!(
                    "{} ({}): the apex of {domain} cannot be a CNAME to {}: only www is written; point the apex with an ALIAS record at your DNS host or redirect it to www",
                    zone.name.trim(),
                    zone.id,
                    entry.name.trim()
                ),
            );
        }
        match zone.provider {
            Provider::Hetzner => {
                let zone_ref = Address::new("hcloud_zone", &zone_name).attr("name");
                for (label, host) in [("apex", "@"), ("www", "www")] {
                    let (kind, values) = match &endpoint {
                        Endpoint::Addresses(ips) => ("A", ips.clone()),
                        Endpoint::Host { name, .. } if label == "www" => (
                            "CNAME",
                            vec![call("format", [Expression::from("%s."), name.clone()])],
                        ),
                        Endpoint::Host { .. } => continue,
                    };
                    let mut block = Block::builder("resource")
                        .add_label("hcloud_zone_rrset")
                        .add_label(format!("{zone_name}_{label}"))
                        .add_attribute(("zone", zone_ref.clone()))
                        .add_attribute(("name", host))
                        .add_attribute(("type", kind));
                    if let Some(ttl) = ttl {
                        block = block.add_attribute(("ttl", ttl));
                    }
                    block = block.add_attribute((
                        "records",
                        array(values.into_iter().map(|v| object([("value", v)]))),
                    ));
                    self.resources.push(block.build());
                }
            }
            Provider::Digitalocean => {
                let domain_ref = Address::new("digitalocean_domain", &zone_name).attr("id");
                for (label, host) in [("apex", "@"), ("www", "www")] {
                    let (kind, values) = match &endpoint {
                        Endpoint::Addresses(ips) => ("A", ips.clone()),
                        Endpoint::Host { name, .. } if label == "www" => (
                            "CNAME",
                            vec![call("format", [Expression::from("%s."), name.clone()])],
                        ),
                        Endpoint::Host { .. } => continue,
                    };
                    let many = values.len() > 1;
                    for (i, value) in values.into_iter().enumerate() {
                        let local = if many {
                            format!("{zone_name}_{label}_{}", i + 1)
                        } else {
                            format!("{zone_name}_{label}")
                        };
                        let mut block = Block::builder("resource")
                            .add_label("digitalocean_record")
                            .add_label(local)
                            .add_attribute(("domain", domain_ref.clone()))
                            .add_attribute(("type", kind))
                            .add_attribute(("name", host))
                            .add_attribute(("value", value));
                        if let Some(ttl) = ttl {
                            block = block.add_attribute(("ttl", ttl));
                        }
                        self.resources.push(block.build());
                    }
                }
            }
            _ => {
                let provider = self.aws_provider(&self.region_of(zone));
                let zone_id = Address::new("aws_route53_zone", &zone_name).attr("zone_id");
                for (label, host) in [("apex", domain.clone()), ("www", format!("www.{domain}"))] {
                    let mut block = Block::builder("resource")
                        .add_label("aws_route53_record")
                        .add_label(format!("{zone_name}_{label}"))
                        .add_attribute(("provider", provider.clone()))
                        .add_attribute(("zone_id", zone_id.clone()))
                        .add_attribute(("name", host));
                    match &endpoint {
                        Endpoint::Addresses(ips) => {
                            block = block
                                .add_attribute(("type", "A"))
                                .add_attribute(("ttl", ttl.unwrap_or(300)))
                                .add_attribute(("records", array(ips.clone())));
                        }
                        Endpoint::Host {
                            name,
                            aws_zone_id: Some(alias_zone),
                            health,
                        } => {
                            block = block.add_attribute(("type", "A")).add_block(
                                Block::builder("alias")
                                    .add_attribute(("name", name.clone()))
                                    .add_attribute(("zone_id", alias_zone.clone()))
                                    .add_attribute(("evaluate_target_health", *health))
                                    .build(),
                            );
                        }
                        Endpoint::Host { name, .. } => {
                            if label == "apex" {
                                continue;
                            }
                            block = block
                                .add_attribute(("type", "CNAME"))
                                .add_attribute(("ttl", ttl.unwrap_or(300)))
                                .add_attribute(("records", array([name.clone()])));
                        }
                    }
                    self.resources.push(block.build());
                }
            }
        }
    }
}
