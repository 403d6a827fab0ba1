#!/usr/bin/env python3
"""Verifies webhook requests that receiver.py logged, independently of Headway's code: with the
Standard Webhooks library from PyPI (standardwebhooks) and again with Python's own hmac.
python3 verify.py SECRET FILE (FILE: JSON lines of receiver.py's LOG). Prints "verified N";
exits 1 naming the first request that fails, 2 when standardwebhooks is not installed."""
import base64
import hashlib
import hmac
import json
import sys

try:
    from standardwebhooks.webhooks import Webhook
except ImportError:
    print("the Python package standardwebhooks is not installed: scripts/install-dependencies --tests installs it "
          "(python3 -m pip install --user standardwebhooks)", file=sys.stderr)
    sys.exit(2)

secret = sys.argv[1]
key = base64.b64decode(secret[len("whsec_"):])
count = 0
for line in open(sys.argv[2], encoding="utf-8"):
    if not line.strip():
        continue
    entry = json.loads(line)
    headers, body = entry["headers"], entry["body"]
    try:
        Webhook(secret).verify(body, headers)
    except Exception as error:  # the library's WebhookVerificationError and anything else
        print(f"standardwebhooks rejected {headers.get('webhook-id')}: {error}", file=sys.stderr)
        sys.exit(1)
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{body}".encode()
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    if not any(hmac.compare_digest(expected, given) for given in headers["webhook-signature"].split(" ")):
        print(f"hmac disagrees for {headers['webhook-id']}", file=sys.stderr)
        sys.exit(1)
    count += 1
print(f"verified {count}")
