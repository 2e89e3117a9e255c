"""Lists every object the AWS flow tests care about at a moto endpoint, with its tags, as JSON.

Run by tests/aws_flow.rs with the venv's Python (boto3 comes with moto[server]). It reads the
endpoint and an access key from the environment, so the check does not go through the code
under test: an independent view of what exists.
"""

import json
import os

import boto3

ENDPOINT = os.environ["MOTO_ENDPOINT"]
REGIONS = os.environ["MOTO_REGIONS"].split(",")
KEY_ID = os.environ["MOTO_KEY_ID"]
SECRET = os.environ["MOTO_SECRET"]


def client(service, region):
    return boto3.client(
        service,
        endpoint_url=ENDPOINT,
        region_name=region,
        aws_access_key_id=KEY_ID,
        aws_secret_access_key=SECRET,
    )


def tags(items, key="Key", value="Value"):
    return {t[key]: t[value] for t in items or []}


out = []
for region in REGIONS:
    ec2 = client("ec2", region)

    def add(kind, ident, tag_list, **extra):
        out.append({"region": region, "type": kind, "id": ident, "tags": tags(tag_list), **extra})

    for vpc in ec2.describe_vpcs()["Vpcs"]:
        if not vpc.get("IsDefault"):
            add("vpc", vpc["VpcId"], vpc.get("Tags"), cidr=vpc["CidrBlock"])
    for subnet in ec2.describe_subnets()["Subnets"]:
        if not subnet.get("DefaultForAz"):
            add("subnet", subnet["SubnetId"], subnet.get("Tags"), zone=subnet["AvailabilityZone"])
    for gateway in ec2.describe_internet_gateways()["InternetGateways"]:
        if gateway.get("Tags"):
            add("igw", gateway["InternetGatewayId"], gateway.get("Tags"))
    for table in ec2.describe_route_tables()["RouteTables"]:
        if table.get("Tags"):
            add("rtb", table["RouteTableId"], table.get("Tags"))
    for group in ec2.describe_security_groups()["SecurityGroups"]:
        if group["GroupName"] != "default":
            ingress = [
                {"protocol": p["IpProtocol"], "from": p.get("FromPort"), "to": p.get("ToPort"),
                 "cidrs": [r["CidrIp"] for r in p.get("IpRanges", [])]
                 + [r["CidrIpv6"] for r in p.get("Ipv6Ranges", [])]}
                for p in group.get("IpPermissions", [])
            ]
            add("sg", group["GroupId"], group.get("Tags"), vpc=group.get("VpcId"), ingress=ingress)
    for key in ec2.describe_key_pairs()["KeyPairs"]:
        add("key-pair", key["KeyName"], key.get("Tags"))
    for reservation in ec2.describe_instances()["Reservations"]:
        for instance in reservation["Instances"]:
            if instance["State"]["Name"] not in ("terminated", "shutting-down"):
                add("instance", instance["InstanceId"], instance.get("Tags"),
                    state=instance["State"]["Name"], image=instance["ImageId"],
                    size=instance["InstanceType"],
                    groups=[g["GroupId"] for g in instance.get("SecurityGroups", [])],
                    public_ip=instance.get("PublicIpAddress"))
    for address in ec2.describe_addresses()["Addresses"]:
        add("eip", address["AllocationId"], address.get("Tags"), instance=address.get("InstanceId"))
    for volume in ec2.describe_volumes()["Volumes"]:
        if volume.get("Tags"):
            add("volume", volume["VolumeId"], volume.get("Tags"),
                attached=[a["InstanceId"] for a in volume.get("Attachments", [])])

    elb = client("elbv2", region)
    balancers = elb.describe_load_balancers()["LoadBalancers"]
    groups = elb.describe_target_groups()["TargetGroups"]
    arns = [b["LoadBalancerArn"] for b in balancers] + [g["TargetGroupArn"] for g in groups]
    tagged = {}
    for start in range(0, len(arns), 20):
        for description in elb.describe_tags(ResourceArns=arns[start:start + 20])["TagDescriptions"]:
            tagged[description["ResourceArn"]] = description.get("Tags")
    for balancer in balancers:
        arn = balancer["LoadBalancerArn"]
        listeners = elb.describe_listeners(LoadBalancerArn=arn)["Listeners"]
        add("lb", arn, tagged.get(arn), ports=sorted(l["Port"] for l in listeners))
    for group in groups:
        arn = group["TargetGroupArn"]
        health = elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
        add("tg", arn, tagged.get(arn), targets=sorted(h["Target"]["Id"] for h in health))

    rds = client("rds", region)
    for db in rds.describe_db_instances()["DBInstances"]:
        add("db", db["DBInstanceIdentifier"], db.get("TagList"), size=db["DBInstanceClass"],
            status=db["DBInstanceStatus"], multi_az=db.get("MultiAZ"))
    for group in rds.describe_db_subnet_groups()["DBSubnetGroups"]:
        listed = rds.list_tags_for_resource(ResourceName=group["DBSubnetGroupArn"])["TagList"]
        add("db-subnet-group", group["DBSubnetGroupName"], listed)

print(json.dumps(out))
