"""End to end against a real `modelgate serve` started by the tests (see conftest.server).

Registers the example model (examples/linear-regression), deploys it to an AKS
cluster attached through the client (key auth and token auth) and to ACI, and
scores it: unary, 10,000 requests over one ScoreStream call, and asyncio.
"""

from __future__ import annotations

import asyncio
import datetime
import json

import pytest

from conftest import EXAMPLE
from modelgate import (AciWebservice, AksCompute, AksWebservice, ComputeTarget, InferenceConfig, Model,
                       ModelGateError, Webservice, Workspace)

WEIGHTS = json.loads((EXAMPLE / "model" / "weights.json").read_text())


def expected(row) -> float:
    return sum(w * x for w, x in zip(WEIGHTS["coefficients"], row)) + WEIGHTS["intercept"]


def assert_predictions(output, rows) -> None:
    assert set(output) == {"predictions"}
    assert output["predictions"] == pytest.approx([expected(row) for row in rows], rel=1e-12, abs=1e-12)


@pytest.fixture(scope="module")
def deployed(server):
    """A workspace with the example model deployed three ways; waits for all of them."""
    address, credentials = server
    ws = Workspace.create("py-e2e", region="westeurope", exist_ok=True, server=address,
                          credentials_path=credentials)
    aks = ComputeTarget.attach(ws, "aks1", AksCompute.attach_configuration(cpu_cores=4, memory_gb=8))
    model = Model.register(ws, model_path=str(EXAMPLE / "model"), model_name="linreg", tags={"kind": "ols"})
    inference = InferenceConfig(entry_script="score.py", source_directory=str(EXAMPLE))
    services = {
        "aks": Model.deploy(ws, "linreg-aks", [model], inference,
                            AksWebservice.deploy_configuration(cpu_cores=0.5, memory_gb=0.5, num_replicas=2),
                            deployment_target=AksCompute(ws, "aks1")),
        "aci": Model.deploy(ws, "linreg-aci", [model], inference,
                            AciWebservice.deploy_configuration(cpu_cores=0.5, memory_gb=0.5, auth_enabled=True)),
        "token": Model.deploy(ws, "linreg-token", [model], inference,
                              AksWebservice.deploy_configuration(cpu_cores=0.5, memory_gb=0.5, num_replicas=1,
                                                                 auth_enabled=False, token_auth_enabled=True),
                              deployment_target=aks),
    }
    for service in services.values():
        assert service.wait_for_deployment(timeout_sec=60) == "Healthy"
    yield ws, model, services
    ws.close()


def test_register_keeps_the_folder_name_and_tags(deployed):
    ws, model, _ = deployed
    assert (model.name, model.version, model.files, model.tags) == ("linreg", 1, ["model/weights.json"], {"kind": "ols"})
    assert Model(ws, "linreg").id == "linreg:1"
    assert "linreg" in ws.models


def test_an_aks_service_deploys_healthy_and_scores_with_its_keys(deployed, capsys):
    ws, _, services = deployed
    service = services["aks"]
    assert (service.state, service.compute_type, service.compute_target_name) == ("Healthy", "AKS", "aks1")
    assert service.auth_enabled and not service.token_auth_enabled
    primary, secondary = service.get_keys()
    assert primary and secondary and primary != secondary
    rows = json.loads((EXAMPLE / "sample-request.json").read_text())["data"]
    assert_predictions(service.run(json.dumps({"data": rows})), rows)
    assert_predictions(service.run({"data": rows}, key=secondary), rows)
    assert service.wait_for_deployment(show_output=True) == "Healthy"
    assert "Healthy" in capsys.readouterr().out


def test_a_bad_key_is_unauthenticated(deployed):
    service = deployed[2]["aks"]
    with pytest.raises(ModelGateError) as raised:
        service.run({"data": [[1, 2, 3]]}, key="not-the-key")
    assert raised.value.code == "UNAUTHENTICATED" and raised.value.message


def test_a_failing_run_is_an_internal_error_with_the_scripts_message(deployed):
    service = deployed[2]["aks"]
    with pytest.raises(ModelGateError) as raised:
        service.run({"rows": []})
    assert raised.value.code == "INTERNAL" and "data" in raised.value.message


def test_regenerating_the_primary_key_fails_the_old_one_and_keeps_the_secondary(deployed):
    ws, _, services = deployed
    service = Webservice(ws, "linreg-aci")
    old_primary, secondary = service.get_keys()
    new_primary, same_secondary = service.regen_key("Primary")
    assert new_primary != old_primary and same_secondary == secondary
    with pytest.raises(ModelGateError) as raised:
        service.run({"data": [[0, 0, 0]]}, key=old_primary)
    assert raised.value.code == "UNAUTHENTICATED"
    assert_predictions(service.run({"data": [[0, 0, 0]]}, key=secondary), [[0, 0, 0]])
    assert_predictions(service.run({"data": [[0, 0, 0]]}), [[0, 0, 0]])  # fetches the new primary
    with pytest.raises(ValueError):
        service.regen_key("Tertiary")


def test_an_aci_service_has_no_cluster_and_scores_with_its_key(deployed):
    service = deployed[2]["aci"]
    assert (service.compute_type, service.compute_target_name, service.auth_enabled) == ("ACI", "", True)
    assert_predictions(service.run({"data": [[1.5, -2, 0.25]]}), [[1.5, -2, 0.25]])


def test_a_token_auth_service_scores_with_a_token_and_has_no_keys(deployed):
    service = deployed[2]["token"]
    token, refresh_by = service.get_token()
    assert token.count(".") == 2
    assert refresh_by > datetime.datetime.now(datetime.timezone.utc)
    assert_predictions(service.run({"data": [[1, 1, 1]]}, key=token), [[1, 1, 1]])
    assert_predictions(service.run({"data": [[2, 2, 2]]}), [[2, 2, 2]])  # fetches its own token
    with pytest.raises(ModelGateError) as raised:
        service.get_keys()
    assert raised.value.code == "FAILED_PRECONDITION"
    with pytest.raises(ModelGateError) as raised:
        service.run({"data": [[1, 1, 1]]}, key=token[:-4] + "AAAA")
    assert raised.value.code == "UNAUTHENTICATED"


def test_ten_thousand_requests_stream_over_one_call_with_ten_thousand_correct_answers(deployed):
    service = deployed[2]["aks"]
    rows = [[i * 0.5, (i % 7) - 3.0, 1.0 / (i + 1)] for i in range(10_000)]
    seen = set()
    for result in service.run_stream({"data": [row]} for row in rows):
        assert result.ok, (result.code, result.message)
        assert_predictions(result.output, [rows[result.index]])
        seen.add(result.index)
    assert seen == set(range(10_000))


def test_a_failed_request_in_a_stream_fails_only_its_own_result(deployed):
    service = deployed[2]["aks"]
    results = {r.index: r for r in service.run_stream([{"data": [[1, 2, 3]]}, "not json", {"data": [[0, 0, 0]]}])}
    assert [results[i].code for i in range(3)] == ["OK", "INTERNAL", "OK"]
    with pytest.raises(ModelGateError):
        results[1].result()
    assert_predictions(results[2].result(), [[0, 0, 0]])


def test_a_stream_with_a_bad_key_answers_each_request_unauthenticated(deployed):
    service = deployed[2]["aks"]
    # Each request names its service, so the server checks the key per request.
    results = list(service.run_stream([{"data": [[1, 2, 3]]}, {"data": [[3, 2, 1]]}], key="wrong"))
    assert [r.code for r in results] == ["UNAUTHENTICATED", "UNAUTHENTICATED"]
    with pytest.raises(ModelGateError) as raised:
        results[0].result()
    assert raised.value.code == "UNAUTHENTICATED"


def test_the_asyncio_forms_score_on_the_callers_loop(deployed):
    service = deployed[2]["token"]

    async def scenario():
        single = await service.run_async({"data": [[3, 2, 1]]})

        async def inputs():
            for i in range(500):
                yield {"data": [[i, 0, 0]]}

        answers = {r.index: r.result() async for r in service.run_stream_async(inputs())}
        return single, answers

    single, answers = asyncio.run(scenario())
    assert_predictions(single, [[3, 2, 1]])
    assert sorted(answers) == list(range(500))
    for i, output in answers.items():
        assert_predictions(output, [[i, 0, 0]])


def test_logs_show_the_replicas_output(deployed):
    assert "linear-regression: loaded 3 coefficients" in deployed[2]["aks"].get_logs()


def test_missing_things_are_not_found(deployed, server):
    ws = deployed[0]
    for call in (lambda: Webservice(ws, "nope"), lambda: Model(ws, "nope"),
                 lambda: Workspace.get("nope", server=server[0], credentials_path=server[1])):
        with pytest.raises(ModelGateError) as raised:
            call()
        assert raised.value.code == "NOT_FOUND"


def test_update_and_delete(deployed):
    ws, model, _ = deployed
    service = Model.deploy(ws, "linreg-tmp", [model], InferenceConfig(entry_script=str(EXAMPLE / "score.py")),
                           AciWebservice.deploy_configuration(cpu_cores=0.25, memory_gb=0.25))
    assert service.wait_for_deployment() == "Healthy" and not service.auth_enabled
    assert_predictions(service.run({"data": [[1, 0, 0]]}), [[1, 0, 0]])  # auth off: no key needed
    service.update(auth_enabled=True, tags={"changed": "yes"})
    assert service.wait_for_deployment() == "Healthy"
    assert service.auth_enabled and service.tags == {"changed": "yes"}
    with pytest.raises(ModelGateError) as raised:
        service.run({"data": [[1, 0, 0]]}, key="")
    assert raised.value.code == "UNAUTHENTICATED"
    assert_predictions(service.run({"data": [[1, 0, 0]]}), [[1, 0, 0]])
    service.delete()
    with pytest.raises(ModelGateError) as raised:
        Webservice(ws, "linreg-tmp")
    assert raised.value.code == "NOT_FOUND"
