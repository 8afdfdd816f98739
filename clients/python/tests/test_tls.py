"""TLS: the client verifies the server, offers ALPN modelgate/1, and presents a client certificate.

The end-to-end tests go to real `modelgate serve --tls-cert/--tls-key` servers with
`modelgate tls self-signed` certificates (conftest.tls_server); the others check the
options and the errors without a server.
"""

from __future__ import annotations

import asyncio
import json
import ssl

import pytest

from conftest import EXAMPLE
from modelgate import AciWebservice, InferenceConfig, Model, ModelGateError, TlsOptions, Workspace
from modelgate.aio import AsyncClient
from modelgate.connection import Connection

WEIGHTS = json.loads((EXAMPLE / "model" / "weights.json").read_text())


def predictions(rows) -> dict:
    return {"predictions": [pytest.approx(sum(w * x for w, x in zip(WEIGHTS["coefficients"], row))
                                          + WEIGHTS["intercept"], rel=1e-12, abs=1e-12) for row in rows]}


@pytest.fixture(scope="module")
def tls_service(tls_server):
    """The example model deployed on ACI with key auth, every control-plane call over TLS."""
    ws = Workspace.create("py-tls", region="westeurope", exist_ok=True, server=tls_server["address"],
                          credentials_path=tls_server["credentials"],
                          tls=TlsOptions(ca_file=tls_server["ca"]))
    model = Model.register(ws, model_path=str(EXAMPLE / "model"), model_name="linreg")
    service = Model.deploy(ws, "linreg-tls", [model],
                           InferenceConfig(entry_script="score.py", source_directory=str(EXAMPLE)),
                           AciWebservice.deploy_configuration(cpu_cores=0.5, memory_gb=0.5, auth_enabled=True))
    assert service.wait_for_deployment(timeout_sec=60) == "Healthy"
    yield ws, service
    ws.close()


def test_scores_over_tls_verifying_the_server_against_the_ca_file(tls_service):
    _, service = tls_service
    assert service.run({"data": [[1.0, 2.0, 3.0]]}) == predictions([[1.0, 2.0, 3.0]])
    rows = [[i, -i, 0.5] for i in range(200)]
    results = list(service.run_stream({"data": [row]} for row in rows))
    assert sorted(r.index for r in results) == list(range(200))
    for result in results:
        assert result.ok, (result.code, result.message)
        assert result.output == predictions([rows[result.index]])


def test_asyncio_scoring_over_tls(tls_service):
    _, service = tls_service

    async def scenario():
        return await service.run_async({"data": [[2, 2, 2]]})

    assert asyncio.run(scenario()) == predictions([[2, 2, 2]])


def test_the_connection_is_tls_with_alpn_modelgate_1(tls_server):
    async def scenario():
        client = AsyncClient(tls_server["address"], credentials_path=tls_server["credentials"],
                             tls=TlsOptions(ca_file=tls_server["ca"]))
        async with client:
            connection = await client.connection()
            return connection.tls_version, connection.alpn_protocol

    version, alpn = asyncio.run(scenario())
    assert version in ("TLSv1.2", "TLSv1.3") and alpn == "modelgate/1"


def test_the_server_name_may_be_a_dns_name_in_the_certificate(tls_server):
    port = tls_server["address"].rsplit(":", 1)[1]
    ws = Workspace.get("py-tls", server=f"localhost:{port}", credentials_path=tls_server["credentials"],
                       tls=TlsOptions(ca_file=tls_server["ca"]))
    assert ws.region == "westeurope"
    ws.close()


def test_a_server_certificate_from_another_ca_is_refused(tls_server):
    other = tls_server["other_ca"]
    with pytest.raises(ModelGateError) as raised:
        Workspace.get("py-tls", server=tls_server["address"], credentials_path=tls_server["credentials"],
                      tls=TlsOptions(ca_file=other))
    assert raised.value.code == "UNAVAILABLE"
    assert "not trusted" in raised.value.message and other in raised.value.message, raised.value.message


def test_the_system_trust_store_does_not_trust_a_test_ca(tls_server):
    with pytest.raises(ModelGateError) as raised:
        Workspace.get("py-tls", server=tls_server["address"], credentials_path=tls_server["credentials"], tls=True)
    assert raised.value.code == "UNAVAILABLE" and "system trust store" in raised.value.message


def test_a_server_name_the_certificate_does_not_carry_is_refused(tls_server):
    with pytest.raises(ModelGateError) as raised:
        Workspace.get("py-tls", server=tls_server["address"], credentials_path=tls_server["credentials"],
                      tls=TlsOptions(ca_file=tls_server["ca"], server_name="wrong.example"))
    assert raised.value.code == "UNAVAILABLE"
    assert "not valid for 'wrong.example'" in raised.value.message, raised.value.message


def test_a_server_requiring_a_client_certificate_gets_one(tls_server):
    ws = Workspace.create("py-mtls", region="eastus", exist_ok=True, server=tls_server["mtls_address"],
                          credentials_path=tls_server["mtls_credentials"],
                          tls=TlsOptions(ca_file=tls_server["ca"], cert_file=tls_server["client_cert"],
                                         key_file=tls_server["client_key"]))
    assert ws.region == "eastus" and ws.webservices == {}
    ws.close()


def test_without_a_client_certificate_a_server_requiring_one_refuses(tls_server):
    with pytest.raises(ModelGateError) as raised:
        Workspace.get("py-mtls", server=tls_server["mtls_address"], credentials_path=tls_server["mtls_credentials"],
                      tls=TlsOptions(ca_file=tls_server["ca"]))
    assert raised.value.code == "UNAVAILABLE"
    assert "client certificate" in raised.value.message, raised.value.message


def test_a_tls_client_on_a_plaintext_port_fails_cleanly(tls_server, server):
    async def scenario():
        host, port = server[0].rsplit(":", 1)
        await Connection.open(host, int(port), tls=TlsOptions(ca_file=tls_server["ca"]),
                              connect_timeout=10)

    with pytest.raises(ModelGateError) as raised:
        asyncio.run(scenario())
    assert raised.value.code == "UNAVAILABLE" and "TLS" in raised.value.message, raised.value.message


def test_a_plaintext_client_on_the_tls_port_fails_cleanly(tls_server):
    async def scenario():
        host, port = tls_server["address"].rsplit(":", 1)
        await Connection.open(host, int(port), connect_timeout=10)

    with pytest.raises(ModelGateError) as raised:
        asyncio.run(scenario())
    assert raised.value.code == "UNAVAILABLE" and "serves TLS" in raised.value.message, raised.value.message


# Options, without a server.

def test_the_context_is_tls12_or_later_verifying_with_alpn(tmp_path):
    context = TlsOptions().context()
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


def test_a_missing_ca_file_is_an_invalid_argument_naming_it(tmp_path):
    missing = str(tmp_path / "nope.pem")
    with pytest.raises(ModelGateError) as raised:
        AsyncClient("127.0.0.1:1", tls=TlsOptions(ca_file=missing))
    assert raised.value.code == "INVALID_ARGUMENT" and missing in raised.value.message


def test_a_bad_client_certificate_is_an_invalid_argument(tmp_path):
    bad = tmp_path / "client.pem"
    bad.write_text("not a certificate")
    with pytest.raises(ModelGateError) as raised:
        TlsOptions(cert_file=str(bad)).context()
    assert raised.value.code == "INVALID_ARGUMENT" and str(bad) in raised.value.message
    with pytest.raises(ModelGateError):
        TlsOptions(key_file=str(bad))
    with pytest.raises(ModelGateError):
        TlsOptions(server_name=" ")
    with pytest.raises(ModelGateError) as raised:
        AsyncClient("127.0.0.1:1", tls="yes")
    assert raised.value.code == "INVALID_ARGUMENT"


def test_tls_options_come_from_the_environment(monkeypatch, tmp_path):
    for name in ("MODELGATE_TLS", "MODELGATE_TLS_CA", "MODELGATE_TLS_SERVER_NAME", "MODELGATE_TLS_CERT",
                 "MODELGATE_TLS_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert TlsOptions.from_environment() is None
    assert AsyncClient("127.0.0.1:1").ssl is None
    monkeypatch.setenv("MODELGATE_TLS", "1")
    assert TlsOptions.from_environment() == TlsOptions()
    monkeypatch.setenv("MODELGATE_TLS_SERVER_NAME", "models.example.com")
    assert AsyncClient("127.0.0.1:1").tls == TlsOptions(server_name="models.example.com")
    monkeypatch.setenv("MODELGATE_TLS", "0")
    assert TlsOptions.from_environment() is None
    assert AsyncClient("127.0.0.1:1", tls=True).ssl is not None  # an explicit argument wins
    monkeypatch.setenv("MODELGATE_TLS", "maybe")
    with pytest.raises(ModelGateError):
        TlsOptions.from_environment()
    monkeypatch.delenv("MODELGATE_TLS")
    monkeypatch.setenv("MODELGATE_TLS_CA", str(tmp_path / "ca.pem"))
    assert TlsOptions.from_environment() == TlsOptions(ca_file=str(tmp_path / "ca.pem"),
                                                       server_name="models.example.com")
