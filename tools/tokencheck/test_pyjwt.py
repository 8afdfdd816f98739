"""ModelGate's scoring tokens, verified by PyJWT against the published JWKS."""

import json
import os
import pathlib
import subprocess
import time

import jwt
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SWIFT_TEST = "ModelGateServerTests.TokenAuthEndToEndTests/tokenAndJWKSForIndependentCheck"


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """A token and JWKS from a real server, written by the Swift test."""
    path = tmp_path_factory.mktemp("token") / "token.json"
    env = dict(os.environ, MODELGATE_TOKEN_FIXTURE=str(path))
    run = subprocess.run(
        ["swift", "test", "--skip-build", "--filter", SWIFT_TEST],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert path.exists(), "the Swift test did not write the token (was it filtered out?)\n" + run.stdout[-4000:]
    return json.loads(path.read_text())


def signing_key(issued):
    header = jwt.get_unverified_header(issued["token"])
    jwks = jwt.PyJWKSet.from_json(issued["jwks"])
    return header, jwks[header["kid"]]


def test_token_verifies_against_the_jwks(issued):
    header, key = signing_key(issued)
    assert header == {"alg": "ES256", "typ": "JWT", "kid": header["kid"]}
    assert key.key_type == "EC" and key.algorithm_name == "ES256"
    claims = jwt.decode(
        issued["token"], key=key, algorithms=["ES256"], audience=issued["audience"], issuer=issued["issuer"],
        options={"require": ["iss", "aud", "sub", "iat", "nbf", "exp"]},
    )
    assert claims["sub"] == issued["subject"]
    assert claims["exp"] * 1000 == issued["expires_at_unix_ms"]
    assert claims["iat"] <= time.time() + 1 < claims["exp"]


def test_pyjwt_refuses_the_token_for_another_audience_or_issuer(issued):
    _, key = signing_key(issued)
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(issued["token"], key=key, algorithms=["ES256"], audience="prod/other", issuer=issued["issuer"])
    with pytest.raises(jwt.InvalidIssuerError):
        jwt.decode(issued["token"], key=key, algorithms=["ES256"], audience=issued["audience"], issuer="modelgate://other")


def test_pyjwt_refuses_a_tampered_token(issued):
    _, key = signing_key(issued)
    head, payload, signature = issued["token"].split(".")
    claims = jwt.decode(issued["token"], key=key, algorithms=["ES256"], audience=issued["audience"])
    claims["sub"] = "someone-else"
    forged_payload = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(f"{head}.{forged_payload}.{signature}", key=key, algorithms=["ES256"], audience=issued["audience"])


def test_pyjwt_signed_token_uses_the_same_wire_format(issued):
    """A token PyJWT signs with a fresh P-256 key has the same shape: raw r||s, 64 bytes."""
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    token = jwt.encode({"aud": issued["audience"]}, private, algorithm="ES256")
    ours = jwt.utils.base64url_decode(issued["token"].split(".")[2])
    theirs = jwt.utils.base64url_decode(token.split(".")[2])
    assert len(ours) == len(theirs) == 64
