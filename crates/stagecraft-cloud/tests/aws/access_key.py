"""Creates an IAM user with an allow-all policy and an access key at a fresh moto server, using
the calls moto lets through unverified (INITIAL_NO_AUTH_ACTION_COUNT=3); from then on moto
checks the SigV4 signature of every request. Prints `ACCESS_KEY_ID:SECRET_ACCESS_KEY`."""

import json
import os

import boto3

iam = boto3.client(
    "iam",
    endpoint_url=os.environ["MOTO_ENDPOINT"],
    region_name="us-east-1",
    aws_access_key_id="bootstrap",
    aws_secret_access_key="bootstrap",
)
iam.create_user(UserName="stagecraft-tests")
iam.put_user_policy(
    UserName="stagecraft-tests",
    PolicyName="everything",
    PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    ),
)
key = iam.create_access_key(UserName="stagecraft-tests")["AccessKey"]
print(f"{key['AccessKeyId']}:{key['SecretAccessKey']}")
